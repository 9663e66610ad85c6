"""Browser journey for the Programme Board: a board member opens the
portfolio dashboard from the navigation, finds a unit not ready with its
reasons before anything else, goes on to the programme's dashboard (by
keyboard only) and drills down to the unit's readiness scores. axe-core runs
on every page visited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from changeboard.conftest import PASSWORD
from changeboard.core.tests.browser import check_axe, sign_in, visit
from changeboard.readiness.tests.helpers import closed_wave, respond, team
from changeboard.surveys.tests.test_browser_surveys import ensure_default_instrument

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TAB_LIMIT = 80


def _tab_to(page: Any, name: str) -> None:
    """Press Tab until the focused element's text starts with `name`."""
    for _ in range(TAB_LIMIT):
        page.keyboard.press("Tab")
        if page.evaluate("() => (document.activeElement.textContent || '').trim()").startswith(name):
            return
    pytest.fail(f"{name!r} was not reachable with the keyboard")


def test_board_member_follows_an_exception_down_to_the_scores(page: Any, world: Any) -> None:
    ensure_default_instrument()
    today = timezone.localdate()
    world.wave_a.go_live_date = today + dt.timedelta(days=40)
    world.wave_a.save()
    wave = closed_wave(world.programme_a, "Readiness pulse", today - dt.timedelta(days=3))
    respond(wave, world.team, [2] * 10, invited=20)  # index 25: red, barrier point awareness
    respond(wave, team("Response Team 2"), [2, 3] * 5, invited=20)  # index 37.5: red

    sign_in(page, "board", PASSWORD)
    page.get_by_role("link", name="Board", exact=True).click()
    page.wait_for_url("**/board/")
    check_axe(page)

    # Exceptions come first: the not-ready unit and its reasons sit above the programme table.
    exceptions = page.get_by_role("table", name="Units in rollout waves going live")
    row = exceptions.get_by_role("row").filter(has_text="Central West BCU")
    assert "Readiness 31 (red)" in row.inner_text() and "Barrier point: Awareness" in row.inner_text()
    headings = page.locator("h2, h3").all_inner_texts()
    assert headings.index("Units not ready for their go-live") < headings.index("Programmes")
    assert page.get_by_role("img", name="Bar chart of the readiness index").is_visible()

    # Keyboard only: tab to the programme's dashboard link and follow it.
    _tab_to(page, "AAA: Shared Services")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/board/programmes/{world.programme_a.pk}/")
    check_axe(page)
    assert page.get_by_role("heading", name="Shared Services", level=1).is_visible()
    assert page.get_by_role("img", name="Grid of the readiness index").is_visible()
    heatmap_table = page.get_by_role("table", name="Readiness index (0 to 100) and RAG by unit")
    assert "31 (Red)" in heatmap_table.get_by_role("row").filter(has_text="Westminster").inner_text()

    # Drill down from the unit to its readiness scores.
    page.get_by_role("link", name="Westminster readiness scores").click()
    page.wait_for_url(f"**/readiness/programmes/{world.programme_a.pk}/scores/?unit={world.westminster.pk}")
    check_axe(page)
    assert page.get_by_role("heading", name="Readiness scores: Shared Services").is_visible()

    # An as-of date in the past, typed in: no survey had closed by then.
    visit(page, f"/board/?as_of={(today - dt.timedelta(days=30)).isoformat()}")
    assert page.get_by_text("No survey wave has closed yet").is_visible()
    visit(page, "/board/?as_of=not-a-date")
    assert page.get_by_role("alert").get_by_text("Enter the date as of which to show the data").is_visible()
    assert not page.console_errors, page.console_errors
