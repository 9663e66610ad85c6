"""Browser journey at a phone's size (390 x 844), with axe-core on every
page: a champion opens the log, logs a floor-walk with the defaults the
page chose, and finds it on the activity list."""

from __future__ import annotations

import re
from typing import Any

import pytest

from changeboard.conftest import PASSWORD
from changeboard.core.tests.browser import check_axe, sign_in, visit

from ..models import Activity
from .activities_data import Data, days

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_champion_logs_a_floor_walk_on_a_phone(page: Any, world: Any) -> None:
    x = Data(world)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "champion", PASSWORD)
    visit(page, "/network/activities/")
    page.get_by_role("button", name="Log an activity").click()
    page.wait_for_url(re.compile(r"/network/activities/log/$"))
    check_axe(page)
    # One column: nothing scrolls sideways on the phone.
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert page.get_by_label("When").input_value() == days(0).isoformat()
    assert page.get_by_label("Where").input_value() == str(world.team.pk)
    page.get_by_label("Floor-walk").check()
    page.get_by_label("People reached").fill("14")
    page.get_by_label("Notes").fill("Night shift asked about the new rota")
    submit = page.get_by_role("button", name="Log activity")
    box = submit.bounding_box()
    assert box is not None and box["height"] >= 36 and box["width"] >= 300  # full width on a phone
    radio = page.locator("label[for=id_kind_1]").bounding_box()
    assert radio is not None and radio["height"] >= 38  # big radios (40px inputs), not the small ones
    submit.click()
    page.wait_for_url(re.compile(r"/network/activities/\d+/$"))
    check_axe(page)
    logged = Activity.objects.exclude(pk__in=[x.done_a.pk, x.planned_a.pk, x.others_a.pk, x.done_b.pk]).get()
    assert (logged.kind, logged.status, logged.people_reached, logged.unit, logged.programme) == (
        "floor_walk", "done", 14, world.team, world.programme_a)
    assert page.get_by_text("Night shift asked about the new rota").is_visible()
    visit(page, "/network/activities/?kind=floor_walk")
    assert page.get_by_role("link", name="Floor-walk").count() == 1
