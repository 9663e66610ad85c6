"""Browser journey for the cutover calendar: a change manager opens the
calendar, sees their cutover and the clash with another programme's (its
code and times only), moves the month grid by keyboard and filters by date.
axe-core runs on every page state."""

from __future__ import annotations

import re
from typing import Any

import pytest

from changeboard.conftest import PASSWORD, make_user
from changeboard.core.tests.browser import check_axe, sign_in, visit

from .test_calendar_conflicts import make_runbook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_change_manager_reads_the_calendar_and_its_clashes(page: Any, world: Any) -> None:
    operator = make_user("operator", "board")
    make_runbook(world.programme_a, world.wave_a, "AAA weekend cutover",
                 tasks=[{"ref": "A-1", "title": "Migrate AAA records", "duration": 120, "owner": operator}])
    make_runbook(world.programme_b, world.wave_b, "BBB weekend cutover",
                 tasks=[{"ref": "B-1", "title": "Switch BBB DNS", "duration": 60, "owner": operator}])

    sign_in(page, "lead2", PASSWORD)
    visit(page, "/cutover/calendar/?start=2027-01-01")
    check_axe(page)
    table = page.get_by_role("table").first
    assert table.get_by_role("cell", name="BBB weekend cutover").is_visible()
    assert page.get_by_text("AAA weekend cutover").count() == 0 and page.get_by_text("Migrate AAA records").count() == 0
    assert page.get_by_text("A task in another programme's cutover (AAA)").is_visible()
    assert page.get_by_text("Sat 9 Jan 2027 18:00 GMT to Sat 9 Jan 2027 19:00 GMT (60 min)").is_visible()

    # The month grid follows the filter's month; the next month is one keypress away.
    assert page.get_by_role("heading", name="January 2027").is_visible()
    page.get_by_role("link", name=re.compile("Next month")).focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"month=2027-02-01"))
    assert page.get_by_role("heading", name="February 2027").is_visible()
    check_axe(page)

    # A date range after the cutover leaves nothing, and says so.
    page.get_by_label("From").fill("2027-02-01")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"start=2027-02-01"))
    assert page.get_by_text("No cutover windows match these filters.").is_visible()
    check_axe(page)
