"""Browser journeys for the change-load heatmap, with axe-core on every page."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from changeboard.conftest import PASSWORD
from changeboard.core.tests.browser import check_axe, sign_in, visit
from changeboard.impacts import services
from changeboard.impacts.models import WaveMoveProposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Q = "start=2027-01-04&weeks=8"


def test_board_spots_a_saturated_unit_drills_down_and_tries_a_move(page: Any, scenario: Any) -> None:
    w = scenario
    services.tolerance_set(unit=w.westminster, tolerance=Decimal("4.5"), actor=w.users["admin"])
    sign_in(page, "board", PASSWORD)
    visit(page, f"/impacts/load/?{Q}")
    # Expand the tree down to the team, by keyboard-reachable links.
    page.get_by_role("link", name=re.compile(r"Central West BCU\W*show the units below")).click()
    check_axe(page)
    saturated = page.get_by_role("link", name="Response Team 1, week of 11 Jan 2027: load 5.0, saturated")
    saturated.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/impacts/load/*/2027-01-11/**")
    check_axe(page)
    assert "New finance system" in page.content() and "New case file" in page.content()
    assert "Saturated" in page.content()

    # What-if: move programme BBB's wave and see the view change, then save it.
    visit(page, f"/impacts/load/?{Q}&within={w.central_west.pk}")
    page.get_by_text("What if a rollout wave moved?").click()
    page.get_by_label("Programme", exact=True).select_option(str(w.programme_b.pk))
    page.get_by_role("button", name="Show its waves").click()
    check_axe(page)
    page.get_by_label("Wave 1 (planned 1 Apr 2027)").fill("2027-01-18")
    page.get_by_role("button", name="Show the what-if").click()
    check_axe(page)
    assert "What-if view: not saved" in page.content()
    page.get_by_role("button", name="Save as a proposal").click()
    check_axe(page)
    assert WaveMoveProposal.objects.filter(wave=w.wave_b, status="proposed").count() == 1

    visit(page, f"/impacts/hotspots/?{Q}")
    visit(page, "/impacts/proposals/")
    visit(page, "/impacts/tolerances/")
