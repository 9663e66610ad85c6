"""Browser journey for a live run: an operator on a phone-sized screen
(375 x 740) runs their own tasks with the keyboard while the projected
finish moves, the change lead finishing the tasks between theirs, until the
run completes. axe-core runs on every page visited."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from changeboard.conftest import PASSWORD
from changeboard.core.tests.browser import check_axe, sign_in, visit
from changeboard.surveys.tests.test_browser_surveys import tab_until

from ..models import Run, RunTask
from ..services import runbooks as plan
from ..services import runs as services
from .test_runs_services import Book, go, rt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    context.set_default_timeout(15000)
    tab = context.new_page()
    yield tab
    context.close()


def projected(page: Any) -> str:
    return page.locator("#projected-finish").inner_text().strip()


def no_sideways_scroll(page: Any, selector: str) -> None:
    widths = page.evaluate(f"() => [document.querySelector('{selector}').scrollWidth, window.innerWidth, "
                           "document.documentElement.scrollWidth]")
    assert widths[0] <= widths[1] and widths[2] <= widths[1], widths


def test_an_operator_on_a_phone_runs_their_tasks_in_the_live_run(phone: Any, world: Any) -> None:
    book = Book(world)
    go(world)
    started = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=5)
    plan.runbook_update(runbook=book.runbook, actor=None, planned_start=started)
    plan.dependency_save(predecessor=book.tasks["A"], successor=book.tasks["C"], link_type="SS", lag_minutes=0, actor=None)  # no waiting in real time
    run = services.run_start(runbook=book.runbook, kind=Run.Kind.LIVE, actor=world.users["lead"])
    page = phone

    sign_in(page, "operator", PASSWORD)
    visit(page, f"/cutover/runs/{run.pk}/")
    assert page.get_by_role("heading", name="My tasks").is_visible()
    no_sideways_scroll(page, "#my-tasks + ul")
    before = projected(page)

    # Keyboard only: Tab to "Start A", Enter.
    tab_until(page, lambda e: e["tag"] == "BUTTON" and e["text"].replace("\n", " ").startswith("Start") and e["id"] == f"mine-start-{rt(run, 'A').pk}")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()
    check_axe(page)
    assert page.get_by_text("A started.").is_visible()
    assert rt(run, "A").status == RunTask.Status.IN_PROGRESS

    tab_until(page, lambda e: e["tag"] == "BUTTON" and e["id"] == f"mine-finish-{rt(run, 'A').pk}")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()
    check_axe(page)
    assert rt(run, "A").status == RunTask.Status.DONE
    after = projected(page)
    assert after != before  # A took a minute, not its planned 30: the projected finish came forward
    no_sideways_scroll(page, "#my-tasks + ul")

    # The change lead runs the tasks in between (C, B, the go/no-go point, the rollback milestone).
    lead = world.users["lead"]
    for ref in ("C", "B", "D", "M"):
        services.run_task_finish(run_task=rt(run, ref), actor=lead)
    visit(page, f"/cutover/runs/{run.pk}/")
    assert projected(page) != after

    # The validation: Pass by the arrow keys, then Finish.
    v = rt(run, "V")
    first = tab_until(page, lambda e: e["name"] == "result" and e["id"] == f"mine-pass-{v.pk}")
    assert first["type"] == "radio"
    page.keyboard.press("Space")
    tab_until(page, lambda e: e["id"] == f"mine-comment-{v.pk}")
    page.keyboard.type("All stations logged in")
    tab_until(page, lambda e: e["tag"] == "BUTTON" and e["id"] == f"mine-finish-{v.pk}")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()
    check_axe(page)
    v.refresh_from_db()
    run.refresh_from_db()
    assert v.result == "pass" and v.comment == "All stations logged in" and run.status == Run.Status.COMPLETE
    assert page.get_by_text("Complete", exact=True).first.is_visible()
    assert page.locator("#run-live[hx-trigger]").count() == 0  # a finished run no longer polls

    page.get_by_role("link", name="Summary").click()
    page.wait_for_url(re.compile(rf"/cutover/runs/{run.pk}/summary/$"))
    check_axe(page)
    assert page.get_by_role("heading", name="Planned and actual by stream").is_visible()
