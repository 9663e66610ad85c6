"""Browser journey at a phone's size (390 x 844): a nominated champion signs
in, opens their champion page, accepts, and sees their page; axe-core runs
on every page and nothing scrolls sideways."""

from __future__ import annotations

from typing import Any

import pytest

from changeboard.conftest import PASSWORD
from changeboard.core.tests.browser import check_axe, sign_in, visit
from changeboard.network.models import Champion

from .mine_data import nominate_persona

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_sideways_scroll(page: Any) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"


def test_a_nominee_accepts_on_a_phone(page: Any, world: Any) -> None:
    champion = nominate_persona(world)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "champion", PASSWORD)
    visit(page, "/network/mine/")
    _no_sideways_scroll(page)
    assert page.get_by_role("heading", name="Nomination waiting for your answer").is_visible()
    page.get_by_role("button", name="Accept the nomination").click()
    page.wait_for_url("**/network/mine/")
    check_axe(page)
    _no_sideways_scroll(page)
    assert page.get_by_text("you are now a change champion").is_visible()
    assert page.get_by_role("heading", name="Upcoming go-lives").is_visible()
    assert page.get_by_role("button", name="Log an activity").is_visible()
    champion.refresh_from_db()
    assert champion.status == Champion.Status.ACTIVE


def test_a_change_manager_thanks_a_champion_and_starts_a_pulse(page: Any, world: Any) -> None:
    champion = nominate_persona(world)
    Champion.objects.filter(pk=champion.pk).update(status=Champion.Status.ACTIVE)
    sign_in(page, "lead", PASSWORD)
    visit(page, "/network/")
    visit(page, "/network/recognition/")
    page.get_by_role("link", name="Thank Alex Inscope").click()
    page.wait_for_url(f"**/network/champions/{champion.pk}/thanks/")
    check_axe(page)
    page.get_by_role("button", name="Send the thank-you").click()
    page.wait_for_url(lambda url: "/thanks/" not in url)
    assert champion.thanks.count() == 1
    visit(page, "/network/pulse/")
    page.get_by_role("button", name="Launch the pulse").click()
    page.wait_for_url("**/network/pulse/?programme=*")
    check_axe(page)
    assert page.get_by_text("Results when it closes").is_visible()
