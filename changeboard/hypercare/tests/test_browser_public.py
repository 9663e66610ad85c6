"""Browser journey on a phone (375 x 740): a member of staff opens the
raise-a-query link from the go-live email, first mistypes their staff
number (nothing typed is lost), raises a training-gap query, sees its
reference, and checks its status with the reference and their email.
axe-core runs on every page; no page scrolls sideways."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache

from changeboard.core.tests.browser import check_axe

from ..models import Query
from ..services.periods import period_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_the_screen(page: Any) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375, f"{page.url} scrolls sideways: {width}px"


def test_a_member_of_staff_raises_a_query_on_a_phone_and_checks_its_status(browser: Any, live_server: Any, world: Any,
                                                                            settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    period = period_create(rollout_wave=world.wave_a, actor=None)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    context.set_default_timeout(15000)
    page = context.new_page()
    try:
        response = page.goto(f"/support/{period.public_token}/")
        assert response is not None and response.status == 200
        check_axe(page)
        fits_the_screen(page)

        page.get_by_label("Your staff number or work email").fill("100009")
        page.get_by_label("Training gap").check()
        page.get_by_label("Medium: I can work, but it is slowing me down").check()
        page.get_by_label("Summary").fill("How do I book a custody slot?")
        page.get_by_label("What happened?").fill("The training did not cover booking a custody slot in the new system.")
        page.get_by_role("button", name="Send my query").click()
        page.wait_for_load_state()
        assert page.get_by_role("alert").get_by_text("We cannot find a current member of staff").is_visible()
        check_axe(page)
        fits_the_screen(page)
        # Nothing typed is lost: correct the staff number and send.
        assert page.get_by_label("Summary").input_value() == "How do I book a custody slot?"
        assert page.get_by_label("Training gap").is_checked()
        page.get_by_label("Your staff number or work email").fill("100001")
        page.get_by_role("button", name="Send my query").click()
        page.wait_for_url(re.compile(r"/support/raised/$"))
        check_axe(page)
        fits_the_screen(page)
        reference = page.locator("#reference").inner_text().strip()
        query = Query.objects.get()
        assert reference == query.reference and query.category.code == "training_gap"

        page.get_by_role("link", name="Check the status of your query").click()
        page.wait_for_url(re.compile(r"/support/status/$"))
        check_axe(page)
        fits_the_screen(page)
        page.get_by_label("Query reference").fill(reference.lower())
        page.get_by_label("The staff number or work email you raised it with").fill("p100001@example.police.uk")
        page.get_by_role("button", name="Check status").click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", name="How do I book a custody slot?").is_visible()
        assert page.get_by_text("Query raised").is_visible()
        assert "@" not in page.url and reference not in page.url
        check_axe(page)
        fits_the_screen(page)
    finally:
        context.close()
