"""Playwright on Debian's headless Chromium, with axe-core on every page.

Imported by the browser test modules; the fixtures skip locally when no
Chromium is installed, and fail under CI=true (a missing browser is a
failure there, never a skip)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
AXE_PATH = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    if executable is None or not AXE_PATH.exists():
        message = "Chromium or axe-core is missing (run `make test`, which installs both)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    tab.console_errors = errors
    yield tab
    context.close()


def _run_axe(page: Any) -> Any:
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # evaluate() is not subject to the page's Content Security Policy.
        page.evaluate(AXE_PATH.read_text(encoding="utf-8"))
    return page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)


def check_axe(page: Any) -> None:
    """Run axe-core on the current page; fail on any WCAG 2.2 A/AA violation.

    A navigation that starts while axe runs (a click just before that had not
    yet left the page) destroys the document axe is reading; axe then runs
    again on the page the navigation reached, at most twice more."""
    from playwright.sync_api import Error

    for attempt in range(3):
        try:
            result = _run_axe(page)
            break
        except Error as error:
            navigated = "context was destroyed" in str(error) or "documentElement" in str(error)
            if not navigated or attempt == 2:
                raise
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in result["violations"]
    ]
    assert not violations, f"axe-core violations on {page.url}:\n" + "\n".join(violations)


def visit(page: Any, path: str) -> Any:
    """Go to a path, check it answered and passes axe-core."""
    response = page.goto(path)
    assert response is not None and response.status < 400, (path, response and response.status)
    check_axe(page)
    return response


def sign_in(page: Any, username: str, password: str) -> None:
    page.goto("/login/")
    check_axe(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login/" not in url)
