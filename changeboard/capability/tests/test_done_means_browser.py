"""Issue 15's "Done means", on the seeded demo (`seed_force(scale="demo")`,
signed in with the demo accounts' password), axe-core on every page:

"On the demo, the Board sees for each programme whether its approach's
promises hold and which activities the force's own people now run without
help; a change lead opens a journey and sees where the custody officers'
readiness dips."

The Board member opens the custody programme's (ROTA) Board dashboard: the
approach section says which promises hold (the champion ratio, tightened to
1:25 in version 2, does not: the demo's custody coverage gap) and the
handover section shows two activities the force's own people (the
business change leads' demo accounts, acting through the services) run
alone and the other four not yet. The programme's
change lead opens the custody officer journey: the dip is marked at the
go-live week's first step (the team's judgement: the custody suites are
below the survey threshold)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import override_settings

from changeboard.conftest import ensure_ranks
from changeboard.core.tests.browser import check_axe, sign_in, visit
from changeboard.devtools.seeding import DEMO_PASSWORD, seed_force
from changeboard.portfolio.models import Programme
from changeboard.surveys.tests.test_browser_surveys import ensure_default_instrument

from ..demo_seeding import CHANGE_LEAD, CUSTODY_PROGRAMME
from ..models import Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def test_the_board_sees_promises_and_handover_and_the_lead_sees_the_custody_dip(page: Any) -> None:
    ensure_ranks()  # transactional tests flush what the data migrations wrote
    ensure_default_instrument()
    seed_force(scale="demo")
    rota = Programme.objects.get(code=CUSTODY_PROGRAMME)

    # The Board: the programme's dashboard, its approach and handover sections.
    sign_in(page, "board", DEMO_PASSWORD)
    visit(page, "/capability/")
    overview = page.get_by_role("table", name=re.compile("Capability by programme"))
    assert overview.get_by_role("row", name=re.compile(f"^{CUSTODY_PROGRAMME} ")).get_by_text(re.compile(r"\d+ of \d+")).first.is_visible()
    visit(page, f"/board/programmes/{rota.pk}/")
    assert page.get_by_role("heading", name="Change approach: do its promises hold?").is_visible()
    assert page.get_by_text(re.compile(r"\d+ of \d+ promises hold")).is_visible()
    promises = page.get_by_role("table", name=re.compile("The approach's promises against their live evidence"))
    champion = promises.locator("tbody tr").filter(has_text="Champion")
    assert champion.count() >= 1 and champion.first.get_by_text("Not holding").is_visible()
    statuses = promises.locator("tbody tr strong.govuk-tag").all_inner_texts()
    assert len(statuses) >= 3 and set(statuses) <= {"Holding", "Not holding", "No data yet"}, statuses
    handover = page.get_by_role("table", name=re.compile("Each activity the change team does"))
    assert handover.locator("tbody tr").count() == 6
    assert page.get_by_text("The force's own people run 2 of 6 activities alone, as the audit trail shows.").is_visible()
    rows = handover.locator("tbody tr")
    assert rows.filter(has_text="The force runs it alone").count() == 2
    assert rows.filter(has_text=re.compile("Not yet|Handing over")).count() == 4
    alone = rows.filter(has_text="Running a readiness survey wave")
    assert "The force runs it alone" in alone.inner_text() and "Nobody yet" not in alone.inner_text()

    # The change lead: the custody officer journey, the dip at go-live.
    journey = Journey.objects.get(programme=rota, persona__startswith="Custody officer")
    page.context.clear_cookies()
    sign_in(page, CHANGE_LEAD, DEMO_PASSWORD)
    visit(page, "/capability/journeys/")
    page.get_by_role("link", name=journey.title).click()
    page.wait_for_url(re.compile(rf"/capability/journeys/{journey.pk}/$"))
    check_axe(page)
    assert page.get_by_text(re.compile(r"^Lowest point: Checks the first week's duties \(-2\.0\)\.$")).is_visible()
    grid = page.get_by_role("region", name="The journey grid, scrollable")
    assert grid.get_by_text("Lowest point", exact=True).count() == 1
