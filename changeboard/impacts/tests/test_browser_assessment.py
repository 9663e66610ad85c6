"""Browser journey: a change lead builds an impact assessment and approves it."""

from __future__ import annotations

import re
from typing import Any

import pytest

from changeboard.conftest import PASSWORD
from changeboard.core.tests.browser import check_axe, sign_in, visit
from changeboard.impacts.models import ImpactAssessment, ImpactReach

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lead_builds_submits_and_approves_an_assessment(page: Any, world: Any) -> None:
    sign_in(page, "lead", PASSWORD)
    visit(page, "/impacts/")
    visit(page, "/impacts/new/")
    page.get_by_label("Programme").select_option(str(world.programme_a.pk))
    page.get_by_label("Title").fill("Shared services go-live")
    page.get_by_role("button", name=re.compile("Create|Save|Start")).click()
    page.wait_for_url(re.compile(r"/impacts/\d+/$"))
    check_axe(page)
    assessment = ImpactAssessment.objects.get(title="Shared services go-live")

    page.get_by_role("button", name="Add an impact line").click()
    check_axe(page)
    page.get_by_label("Title").fill("New HR self-service")
    page.get_by_label("Impacted units").select_option(str(world.central_west.pk))
    page.get_by_label(re.compile("^3 – Moderate")).check()
    page.get_by_label("Start date").fill("2027-01-04")
    page.get_by_label("End date").fill("2027-01-31")
    page.get_by_label("Hours per person").fill("3.5")
    page.get_by_label("This changes technology").check()
    page.get_by_role("button", name=re.compile("Save|Add")).last.click()
    page.wait_for_url(re.compile(rf"/impacts/{assessment.pk}/"))
    check_axe(page)
    assert "New HR self-service" in page.content()
    line = assessment.lines.get()
    assert ImpactReach.objects.get(line=line, unit=world.central_west).headcount == 1  # the one person in post there

    page.get_by_role("button", name="Submit for approval").click()
    page.wait_for_load_state()
    check_axe(page)
    # Issue 18: nobody approves their own submission; a colleague does.
    assert page.get_by_role("button", name="Approve").count() == 0
    assert "someone else must approve it" in page.content()
    page.context.clear_cookies()
    sign_in(page, "admin", PASSWORD)
    visit(page, f"/impacts/{assessment.pk}/")
    page.get_by_role("button", name="Approve").click()
    page.wait_for_load_state()
    check_axe(page)
    assessment.refresh_from_db()
    assert assessment.status == "approved" and assessment.approved_by == world.users["admin"]
    assert assessment.submitted_by == world.users["lead"]
    visit(page, f"/impacts/{assessment.pk}/changes/")
    visit(page, f"/impacts/{assessment.pk}/lines/{line.pk}/staff/")
