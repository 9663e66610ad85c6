"""Browser journey: a coach records a session for their coachee (areas,
goals, next session), sees it in the list; the coachee sees the private
notes, another change manager does not. The handover and overview pages
pass axe-core too (axe runs on every page visited)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from changeboard.conftest import PASSWORD
from changeboard.core.tests.browser import check_axe, sign_in, visit

from ..models import CoachingSession, HandoverItem
from .factories import make_practitioner

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GOAL = "Run the March wave's launch without help"


def test_coach_records_a_session_and_only_coach_and_coachee_see_the_goals(page: Any, world: Any) -> None:
    alex = make_practitioner(world.staff_in, user=world.users["champion"], coach=world.users["lead"], programmes=[world.programme_a])
    HandoverItem.objects.create(programme=world.programme_a, activity=HandoverItem.Activity.SURVEY_WAVE, owner=alex)
    next_session = timezone.localdate() + dt.timedelta(days=14)

    sign_in(page, "lead", PASSWORD)
    visit(page, "/capability/coaching/")
    assert page.get_by_text("No coaching sessions match these filters.").is_visible()
    page.get_by_role("link", name="Record a session").click()
    page.wait_for_url(re.compile(r"/capability/coaching/add/$"))
    check_axe(page)
    page.get_by_label("Coachee").select_option(label=f"{alex} ({world.staff_in.staff_number})")
    page.get_by_role("button", name="Record session").click()
    check_axe(page)  # the errors: no date, no area
    assert page.get_by_text("Choose at least one area").first.is_visible()
    page.get_by_label("Date of the session").fill(timezone.localdate().isoformat())
    page.get_by_label("Readiness").check()
    page.get_by_label("Goals").fill(GOAL)
    page.get_by_label("Next session").fill(next_session.isoformat())
    page.get_by_role("button", name="Record session").click()
    session = CoachingSession.objects.get()
    page.wait_for_url(re.compile(rf"/capability/coaching/{session.pk}/$"))
    check_axe(page)
    assert page.get_by_text(GOAL).is_visible()

    visit(page, "/capability/coaching/")
    row = page.get_by_role("row", name=re.compile(str(alex)))
    assert row.is_visible() and row.get_by_role("cell", name="Readiness").is_visible()
    assert page.get_by_text(GOAL).count() == 0  # never in the list
    visit(page, f"/capability/coaching/{session.pk}/edit/")
    visit(page, "/capability/")
    visit(page, "/capability/handover/")
    assert page.get_by_role("rowheader", name="Running a readiness survey wave").is_visible()
    visit(page, f"/capability/handover/add/?programme={world.programme_a.pk}")
    item = HandoverItem.objects.get()
    visit(page, f"/capability/handover/{item.pk}/edit/")
    visit(page, f"/capability/handover/{item.pk}/delete/")

    page.context.clear_cookies()
    sign_in(page, "champion", PASSWORD)  # the coachee
    visit(page, f"/capability/coaching/{session.pk}/")
    assert page.get_by_text(GOAL).is_visible()

    page.context.clear_cookies()
    sign_in(page, "lead2", PASSWORD)  # may view coaching, is neither coach nor coachee
    visit(page, f"/capability/coaching/{session.pk}/")
    assert page.get_by_text(GOAL).count() == 0
    assert page.get_by_text("private to the coach and the coachee, so they are not shown to you").is_visible()
    assert page.get_by_text("Readiness").first.is_visible()
