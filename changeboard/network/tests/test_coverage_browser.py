"""Browser journey: a change manager opens the programme's coverage, follows
the night shift gap at the custody suite to its page, and finds the
candidates with their "Nominate" links. axe-core runs on every page."""

from __future__ import annotations

import re
from typing import Any

import pytest

from changeboard.conftest import PASSWORD
from changeboard.core.tests.browser import check_axe, sign_in, visit

from .coverage_data import build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coverage_to_a_gap_and_its_candidates(page: Any, world: Any) -> None:
    org = build(world)
    sign_in(page, "lead", PASSWORD)
    visit(page, f"/network/coverage/?programme={world.programme_a.pk}")
    check_axe(page)
    assert page.get_by_role("heading", name=re.compile("^Champion coverage: AAA")).is_visible()
    page.get_by_role("link", name="Charing Cross, Night").first.click()
    page.wait_for_url(re.compile(r"/network/coverage/gap/\?programme=\d+&cell=Charing"))
    check_axe(page)
    assert page.get_by_role("heading", name=re.compile("^Gap: Charing Cross, Night")).is_visible()
    nominate = page.get_by_role("link", name="Nominate X4 Pool4")
    assert nominate.get_attribute("href") == f"/network/champions/nominate/?programme={world.programme_a.pk}&staff={org.staff['X4'].pk}"
    assert page.get_by_role("cell", name="Yes, 5.0 hours a month spare").is_visible()
    assert page.get_by_role("rowheader", name="W4 Cedar").first.is_visible()
    visit(page, f"/network/coverage/map/?programme={world.programme_a.pk}&unit={world.westminster.pk}")
    check_axe(page)
    assert page.get_by_role("cell", name="Gap: 1 more needed").is_visible()
    visit(page, f"/network/coverage/target/{world.programme_a.pk}/")
    check_axe(page)
    page.get_by_label("Impacted people per champion").fill("5")
    page.get_by_role("button", name="Save the target").click()
    page.wait_for_url(re.compile(r"/network/coverage/\?programme="))
    check_axe(page)
    assert page.get_by_text("this programme's own target").is_visible()
