"""Browser journey for the register: a change manager adds a stakeholder
(a person, by staff number), maps them for their programme, and finds them
on the power/interest grid and in the table beside it. axe-core runs on
every page visited."""

from __future__ import annotations

import re
from typing import Any

import pytest

from changeboard.conftest import PASSWORD
from changeboard.core.tests.browser import check_axe, sign_in, visit

from ..models import Stakeholder, StakeholderAssessment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_change_manager_adds_maps_and_sees_a_stakeholder_on_the_grid(page: Any, world: Any) -> None:
    sign_in(page, "lead", PASSWORD)
    visit(page, "/engagement/stakeholders/")
    check_axe(page)
    page.get_by_role("button", name="Add a stakeholder").click()
    page.wait_for_url(re.compile(r"/engagement/stakeholders/add/$"))
    check_axe(page)
    page.get_by_label("Person in the organisation").check()
    page.get_by_label("Staff number").fill("999999")
    page.get_by_role("button", name="Add the stakeholder").click()
    check_axe(page)  # the error summary and the field's error
    assert page.get_by_text("No one in the organisation has this staff number").first.is_visible()
    page.get_by_label("Staff number").fill("100001")
    page.get_by_role("button", name="Add the stakeholder").click()
    stakeholder = Stakeholder.objects.get()
    page.wait_for_url(re.compile(rf"/engagement/stakeholders/{stakeholder.pk}/$"))
    check_axe(page)

    page.get_by_role("button", name="Map for a programme").click()
    page.wait_for_url(re.compile(rf"/engagement/stakeholders/{stakeholder.pk}/map/$"))
    check_axe(page)
    page.get_by_label("Programme").select_option(label="AAA – Shared Services" if page.locator("option", has_text="AAA –").count()
                                                 else str(world.programme_a))
    page.locator("input[name=influence][value='5']").check()
    page.locator("input[name=interest][value='4']").check()
    page.get_by_label("Current position").select_option(label="Against")
    page.get_by_role("button", name="Save the mapping").click()
    assessment = StakeholderAssessment.objects.get()
    page.wait_for_url(re.compile(rf"/engagement/assessments/{assessment.pk}/$"))
    check_axe(page)
    assert page.get_by_text("Manage closely").is_visible()

    page.get_by_role("link", name=re.compile(r"power.interest map")).click()
    page.wait_for_url(re.compile(r"/engagement/map/\?programme=\d+$"))
    check_axe(page)
    assert page.get_by_role("img", name=re.compile("1 to manage closely")).is_visible()
    table = page.locator("table", has=page.get_by_text("Each stakeholder's place on the grid"))
    assert table.get_by_role("rowheader", name="Alex Inscope").is_visible()
    assert table.get_by_role("cell", name="Manage closely").is_visible()
