"""User journeys in a real browser, with axe-core on every page visited."""

from __future__ import annotations

from typing import Any

import pytest

from changeboard.conftest import PASSWORD
from changeboard.core.models import AuditEntry

from .browser import check_axe, sign_in, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_keyboard_only_sign_in_and_navigation(page: Any, world: Any) -> None:
    page.goto("/login/")
    check_axe(page)
    page.keyboard.press("Tab")  # skip link first
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to main content"
    page.get_by_label("Username").focus()
    page.keyboard.type("board")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login/" not in url)
    check_axe(page)
    # Reach the Programmes link by keyboard alone and follow it.
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent").strip() == "Programmes":
            break
    page.keyboard.press("Enter")
    page.wait_for_url("**/programmes/")
    check_axe(page)
    assert "Shared Services" in page.content()


def test_every_page_passes_axe_as_admin(page: Any, world: Any) -> None:
    sign_in(page, "admin", PASSWORD)
    w = world
    for path in [
        "/", "/units/", f"/units/{w.central_west.pk}/", f"/units/{w.team.pk}/", "/staff/", "/staff/?q=Inscope",
        f"/staff/{w.staff_in.pk}/", "/staff/import/", "/programmes/", "/programmes/new/", f"/programmes/{w.programme_a.pk}/",
        f"/programmes/{w.programme_a.pk}/edit/", f"/programmes/{w.programme_a.pk}/milestones/new/",
        f"/programmes/{w.programme_a.pk}/waves/new/", f"/programmes/{w.programme_a.pk}/waves/{w.wave_a.pk}/",
        f"/programmes/{w.programme_a.pk}/waves/{w.wave_a.pk}/delete/", "/users/", "/users/new/",
        f"/users/{w.users['lead'].pk}/", f"/users/{w.users['lead'].pk}/edit/", "/audit/", "/accessibility/",
        "/impacts/", "/impacts/new/", "/impacts/load/", "/impacts/tolerances/", "/impacts/proposals/", "/api/v1/docs/",
    ]:
        visit(page, path)
    assert not page.console_errors, page.console_errors


def test_find_a_staff_member(page: Any, world: Any) -> None:
    sign_in(page, "board", PASSWORD)
    visit(page, "/staff/")
    page.get_by_label("Name, staff number or email").fill("Inscope")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/staff/?*")
    check_axe(page)
    page.get_by_role("link", name=world.staff_in.staff_number).click()
    page.wait_for_url(f"**/staff/{world.staff_in.pk}/")
    check_axe(page)
    assert "Alex Inscope" in page.locator("h1").inner_text()


def test_lead_edits_programme_and_audit_records_it(page: Any, world: Any) -> None:
    sign_in(page, "lead", PASSWORD)
    visit(page, f"/programmes/{world.programme_a.pk}/")
    page.get_by_role("link", name="Edit programme details").click()
    check_axe(page)
    page.get_by_label("Description").fill("Now with a plan")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/programmes/{world.programme_a.pk}/")
    check_axe(page)
    assert "Now with a plan" in page.content()
    entry = AuditEntry.objects.filter(object_type="portfolio.programme", object_id=str(world.programme_a.pk)).latest("timestamp")
    assert entry.after is not None
    assert entry.actor_name == "lead" and entry.after["description"] == "Now with a plan"

    page.context.clear_cookies()
    sign_in(page, "auditor", PASSWORD)
    visit(page, f"/audit/?object_type=portfolio.programme&object_id={world.programme_a.pk}")
    page.get_by_role("link").filter(has_text=":").first.click()
    check_axe(page)
    assert "Now with a plan" in page.content()


def test_axe_check_reports_violations(page: Any, db: Any) -> None:
    """The accessibility check itself can fail: an unlabelled field and an
    image without alternative text are reported."""
    page.set_content('<html lang="en"><head><title>t</title></head><body><main><img src="x.png"><input type="text"></main></body></html>')
    with pytest.raises(AssertionError, match="image-alt"):
        check_axe(page)
