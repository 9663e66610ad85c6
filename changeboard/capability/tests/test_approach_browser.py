"""Browser journey for the change approach: the lead starts programme A's
approach, adds a group approach and a promise, submits it; another change
manager of the programme approves it; the versions list shows v1 with its
changes. axe-core runs on every page visited."""

from __future__ import annotations

import re
from typing import Any

import pytest

from changeboard.accounts.models import Role
from changeboard.conftest import PASSWORD, make_user
from changeboard.core.tests.browser import check_axe, sign_in, visit

from ..models import Approach

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lead_writes_an_approach_another_change_manager_approves_it(page: Any, world: Any) -> None:
    make_user("leadb", Role.CHANGE_MANAGER, programmes=[world.programme_a])
    sign_in(page, "lead", PASSWORD)
    visit(page, "/capability/approaches/")
    page.get_by_role("link", name=re.compile("Start an approach for AAA")).click()
    page.wait_for_url(re.compile(r"/capability/approaches/new/"))
    check_axe(page)
    page.get_by_label("Objectives").fill("Everyone books detained people in on the new system from day one.")
    page.get_by_role("button", name="Start the approach").click()
    approach = Approach.objects.get()
    page.wait_for_url(re.compile(rf"/capability/approaches/{approach.pk}/$"))
    check_axe(page)
    assert page.get_by_text("Everyone books detained people in").is_visible()

    page.get_by_role("link", name="Add a group approach", exact=True).click()
    page.wait_for_url(re.compile(r"/groups/add/"))
    check_axe(page)
    page.get_by_label("Unit").select_option(label=str(world.westminster))
    page.get_by_label("Training").fill("Two hours in the classroom, then floor-walkers for a week.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(rf"/capability/approaches/{approach.pk}/$"))
    check_axe(page)
    assert page.get_by_text("Two hours in the classroom").is_visible()

    page.get_by_role("button", name="Add a promise").click()
    page.wait_for_url(re.compile(r"/promises/add/"))
    check_axe(page)
    page.get_by_label("Section").select_option("champions")
    page.get_by_label("Measure").select_option("champion_ratio")
    page.get_by_label("Target").fill("25")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(rf"/capability/approaches/{approach.pk}/$"))
    check_axe(page)
    assert page.get_by_role("cell", name="1:25").is_visible()

    page.get_by_role("button", name="Submit for approval").click()
    page.wait_for_url(re.compile(r"/submit/"))
    check_axe(page)
    page.get_by_label("What this version changes").fill("The first approach.")
    page.get_by_role("button", name="Submit for approval").click()
    page.wait_for_url(re.compile(rf"/capability/approaches/{approach.pk}/$"))
    check_axe(page)
    assert page.get_by_text("You submitted it").is_visible()
    assert page.get_by_role("button", name="Approve").count() == 0

    page.context.clear_cookies()
    sign_in(page, "leadb", PASSWORD)
    visit(page, f"/capability/approaches/{approach.pk}/")
    page.get_by_role("button", name="Approve").click()
    page.wait_for_url(re.compile(r"/approve/"))
    check_axe(page)
    page.get_by_role("button", name="Approve").click()
    page.wait_for_url(re.compile(rf"/capability/approaches/{approach.pk}/$"))
    check_axe(page)
    assert page.get_by_text("Version 1, approved").is_visible()

    page.get_by_role("link", name=re.compile(r"Approved versions \(1\)")).click()
    page.wait_for_url(re.compile(r"/versions/$"))
    check_axe(page)
    row = page.get_by_role("row", name=re.compile("v1"))
    assert row.get_by_role("cell", name="The first approach.").is_visible()
    row.get_by_role("link", name="v1").click()
    page.wait_for_url(re.compile(r"/versions/\d+/$"))
    check_axe(page)
    assert page.get_by_role("rowheader", name="Group added: Westminster (Every role group)").is_visible()
    assert page.get_by_role("rowheader", name=re.compile("Promise added: Champion coverage")).is_visible()
    for path in (f"/capability/approaches/{approach.pk}/edit/", f"/capability/approaches/{approach.pk}/return/"):
        visit(page, path)
