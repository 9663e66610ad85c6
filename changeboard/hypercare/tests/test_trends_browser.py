"""Browser journey for the trend pages: a change manager opens the period
dashboard, drills from the unit table into Westminster with the keyboard,
goes up again and opens the programme's trends; a Board member reads the
portfolio's trends. axe-core runs on every page visited."""

from __future__ import annotations

import re
from typing import Any

import pytest

from changeboard.conftest import PASSWORD
from changeboard.core.tests.browser import check_axe, sign_in, visit

from . import trends_data as data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dashboard_drills_down_and_reads_with_the_keyboard(page: Any, world: Any) -> None:
    small = data.build(world)
    sign_in(page, "lead", PASSWORD)
    visit(page, f"/hypercare/periods/{small.period.pk}/dashboard/")
    check_axe(page)
    assert page.get_by_role("heading", name="The curve since go-live").is_visible()
    assert page.get_by_role("img", name=re.compile("Line chart over")).is_visible()
    # Keyboard: tab to the Westminster link in the unit table and follow it.
    link = page.get_by_role("link", name=re.compile("^Westminster"))
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"\?unit={world.westminster.pk}$"))
    check_axe(page)
    assert page.get_by_role("rowheader", name="Response Team 1").is_visible()
    page.get_by_role("link", name="Up to Central West BCU").click()
    page.wait_for_url(re.compile(rf"\?unit={world.central_west.pk}$"))
    page.get_by_role("link", name=re.compile("Hypercare trends for")).click()
    page.wait_for_url(re.compile(r"/hypercare/programmes/\d+/trends/$"))
    check_axe(page)


def test_the_board_reads_the_portfolio_trends(page: Any, world: Any) -> None:
    data.build(world)
    sign_in(page, "board", PASSWORD)
    visit(page, "/hypercare/trends/")
    check_axe(page)
    assert page.get_by_text("You see totals only").is_visible()
    assert page.get_by_text("Login fails").count() == 0
