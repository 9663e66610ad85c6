"""Browser journey for the exit of hypercare: the programme's change lead
opens the exit criteria (a P1 still open, so one does not hold), changes a
threshold, then records an extension with the keyboard for the form and
sees the decision frozen. axe-core runs on every page visited."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from changeboard.conftest import PASSWORD
from changeboard.core.tests.browser import check_axe, sign_in, visit
from changeboard.surveys.tests.test_browser_surveys import active, tab_until

from ..models import Category, ExitCriterion, ExitDecision, Query
from ..services import periods as period_services
from ..services import queries as query_services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_change_lead_extends_hypercare(page: Any, world: Any) -> None:
    period = period_services.period_create(rollout_wave=world.wave_a, actor=None, starts_on=timezone.localdate() - dt.timedelta(days=20),
                                           ends_on=timezone.localdate() + dt.timedelta(days=22))
    query_services.query_create(period=period, category=Category.objects.get(period=period, code="defect"), title="Cannot log in",
                                actor=None, source=Query.Source.PUBLIC, staff=world.staff_in, priority="P1")
    sign_in(page, "lead", PASSWORD)
    visit(page, f"/hypercare/periods/{period.pk}/exit/")
    check_axe(page)
    assert page.get_by_text("1 open P1").is_visible()
    assert page.get_by_text("Does not hold").count() >= 1

    page.get_by_role("link", name=re.compile(r"Change threshold\s+for new queries a day")).click()
    page.wait_for_url(re.compile(r"/hypercare/exit-criteria/\d+/edit/$"))
    check_axe(page)
    page.get_by_label("Threshold").fill("15")
    page.get_by_role("button", name="Save threshold").click()
    page.wait_for_url(re.compile(rf"/hypercare/periods/{period.pk}/exit/$"))
    assert ExitCriterion.objects.get(period=period, kind="new_per_day").threshold == 15
    assert page.get_by_text("At most 15 new queries a day").is_visible()

    page.get_by_role("button", name="Record the exit decision").click()
    page.wait_for_url(re.compile(rf"/hypercare/periods/{period.pk}/exit/decide/$"))
    check_axe(page)
    # Keyboard: the radios by arrow keys, the reason by typing, Enter to submit (the date is filled).
    first = tab_until(page, lambda e: e["name"] == "decision")
    assert first["type"] == "radio"
    page.keyboard.press("ArrowDown")
    assert page.evaluate("() => document.activeElement.value") == "extend"
    page.keyboard.press("Tab")
    assert active(page)["name"] == "new_end"
    new_end = period.ends_on + dt.timedelta(days=14)
    page.get_by_label("New end date").fill(new_end.isoformat())  # the date picker's typing order follows the browser's locale
    tab_until(page, lambda e: e["name"] == "reason")
    page.keyboard.type("A P1 is still open.")
    tab_until(page, lambda e: e["tag"] == "BUTTON" and e["text"] == "Record the decision")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/hypercare/exit-decisions/\d+/$"))
    check_axe(page)
    decision = ExitDecision.objects.get(period=period)
    assert (decision.decision, decision.new_end, decision.reason) == ("extend", new_end, "A P1 is still open.")
    assert page.get_by_text("Frozen when the decision was recorded").is_visible()
    period.refresh_from_db()
    assert period.ends_on == new_end
