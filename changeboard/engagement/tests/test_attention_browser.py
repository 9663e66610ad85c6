"""Browser journey: a Board member opens the comms collision heatmap, reaches
an over-the-limit cell with the keyboard, reads the drill-down and goes on
to the team over the limit. axe-core runs on every page visited."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from changeboard.conftest import PASSWORD
from changeboard.core.tests.browser import check_axe, sign_in, visit

from .attention_data import W, message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_heatmap_and_drill_down_with_the_keyboard(page: Any, world: Any) -> None:
    for i in range(4):
        message(world.programme_a if i % 2 else world.programme_b, W + dt.timedelta(days=i), {world.team: 5}, title=f"Briefing {i}")
    sign_in(page, "board", PASSWORD)
    visit(page, "/engagement/attention/?level=borough&start=2026-W49&weeks=4")
    check_axe(page)
    assert page.get_by_role("heading", name="Comms collision heatmap").is_visible()
    link = page.get_by_role("link", name=re.compile("^Westminster, week of 30 Nov 2026: 4 items, over the limit"))
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/engagement/attention/{world.westminster.pk}/2026-W49/"))
    check_axe(page)
    assert page.get_by_role("cell", name="Briefing 3").is_visible()
    team = page.get_by_role("link", name=re.compile("Response Team 1$"))
    team.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/engagement/attention/{world.team.pk}/2026-W49/"))
    check_axe(page)
    page.get_by_role("link", name="Back to the heatmap").click()
    page.wait_for_url(re.compile(r"/engagement/attention/\?"))
