"""Browser journey for the pool: a change manager nominates someone by
staff number (after a typo), sees the confirmation on the champion's page
and finds them in the pool and on the load page. axe-core runs on every
page visited."""

from __future__ import annotations

import re
from typing import Any

import pytest

from changeboard.conftest import PASSWORD, make_staff
from changeboard.core.tests.browser import check_axe, sign_in, visit

from ..models import Champion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_change_manager_nominates_by_staff_number_and_sees_them_in_the_pool(page: Any, world: Any) -> None:
    make_staff("100007", world.team, first_name="Robin", last_name="Nightshift", location="Charing Cross", shift_pattern="Nights")
    sign_in(page, "lead", PASSWORD)
    visit(page, "/network/champions/")
    assert page.get_by_text("No champions match these filters.").is_visible()
    page.get_by_role("button", name="Nominate a champion").click()
    page.wait_for_url(re.compile(r"/network/champions/nominate/$"))
    check_axe(page)
    page.get_by_label("Programme", exact=True).select_option(label=str(world.programme_a))
    page.get_by_label("Staff number", exact=True).fill("999999")
    page.get_by_label("Hours a month the programme asks").fill("3")
    page.get_by_role("button", name="Nominate").click()
    check_axe(page)  # the error summary and the field's error
    assert page.get_by_text("No one in the organisation has this staff number").first.is_visible()
    page.get_by_label("Staff number", exact=True).fill("100007")
    page.get_by_role("button", name="Nominate").click()
    champion = Champion.objects.get()
    page.wait_for_url(re.compile(rf"/network/champions/{champion.pk}/$"))
    check_axe(page)
    assert page.get_by_text("Robin Nightshift has been nominated for AAA").is_visible()
    assert page.get_by_role("rowheader", name=re.compile("AAA Shared Services")).is_visible()

    page.get_by_role("link", name="Back to the pool").click()
    page.wait_for_url(re.compile(r"/network/champions/$"))
    check_axe(page)
    row = page.get_by_role("row", name=re.compile("Robin Nightshift"))
    assert row.is_visible()
    assert row.get_by_role("cell", name="Nights", exact=True).is_visible()
    assert row.get_by_role("cell", name="Nominated", exact=True).is_visible()

    visit(page, "/network/load/")
    assert page.get_by_role("heading", name="0 over-committed of 1 champion").is_visible()
    assert page.get_by_role("link", name="Robin Nightshift").is_visible()
    visit(page, f"/network/load/?programme={world.programme_a.pk}")
    assert page.get_by_text("AAA 3 (this programme)").is_visible()

    # The change pages pass axe-core too.
    support = champion.supports.get()
    for path in (f"/network/champions/{champion.pk}/edit/", f"/network/champions/{champion.pk}/end/",
                 f"/network/champions/{champion.pk}/review/", f"/network/supports/{support.pk}/edit/", f"/network/supports/{support.pk}/end/"):
        visit(page, path)
