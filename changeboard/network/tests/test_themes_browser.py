"""Browser journey with axe-core on every page, the champion on a phone
(390 x 844): a champion records a theme they heard on the floor; the
programme's change manager finds it in the feedback list and makes it an
action, which the theme's page then links to."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import timezone

from changeboard.conftest import PASSWORD
from changeboard.core.tests.browser import check_axe, sign_in, visit
from changeboard.readiness.models import Action

from ..models import Theme
from .themes_data import Data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 3}


@pytest.fixture
def new_page(browser: Any, live_server: Any) -> Iterator[Callable[..., Any]]:
    contexts: list[Any] = []

    def make(**options: Any) -> Any:
        context = browser.new_context(base_url=live_server.url, **{"viewport": {"width": 1280, "height": 900}, **options})
        context.set_default_timeout(15000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def test_champion_records_a_theme_on_a_phone_and_it_becomes_an_action(new_page: Callable[..., Any], world: Any) -> None:
    data = Data(world)
    phone = new_page(**PHONE)
    sign_in(phone, "champion", PASSWORD)
    visit(phone, "/network/feedback/")
    phone.get_by_role("button", name="Record what you heard").click()
    phone.wait_for_url(re.compile(r"/network/feedback/record/$"))
    check_axe(phone)
    # Defaults: the one programme they support, today, "mixed".
    assert phone.get_by_label("Programme").input_value() == str(world.programme_a.pk)
    assert phone.get_by_label("Heard on").input_value() == timezone.localdate().isoformat()
    # One column: nothing wider than the phone.
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 390
    phone.get_by_label("What is it about?").select_option("training")
    phone.get_by_label("Where did you hear it?").select_option(str(world.team.pk))
    phone.get_by_label("Negative").check()
    phone.get_by_label("What did you hear?").fill("Night shift missed the custody system training")
    phone.get_by_role("button", name="Record theme").click()
    phone.wait_for_url(re.compile(r"/network/feedback/\d+/$"))
    check_axe(phone)
    theme = Theme.objects.get(text="Night shift missed the custody system training")
    assert theme.champion == data.champion and theme.sentiment == Theme.Sentiment.NEGATIVE
    assert phone.get_by_text("Theme recorded. Thank you.").is_visible()

    desk = new_page()
    sign_in(desk, "lead", PASSWORD)
    visit(desk, f"/network/feedback/?programme={world.programme_a.pk}")
    desk.get_by_role("link", name="Night shift missed the custody system training").click()
    desk.wait_for_url(re.compile(rf"/network/feedback/{theme.pk}/$"))
    check_axe(desk)
    desk.get_by_role("button", name="Make it an action").click()
    desk.wait_for_url(re.compile(rf"/network/feedback/{theme.pk}/action/$"))
    check_axe(desk)
    assert desk.get_by_label("Action title").input_value() == "Night shift missed the custody system training"
    desk.get_by_label("Due").fill((timezone.localdate() + dt.timedelta(days=10)).isoformat())
    desk.get_by_role("button", name="Raise action").click()
    desk.wait_for_url(re.compile(rf"/network/feedback/{theme.pk}/$"))
    check_axe(desk)
    action = Action.objects.get(source=Action.Source.NETWORK)
    assert action.unit == world.team and action.description.startswith("From the floor: Night shift missed")
    desk.get_by_role("link", name="Night shift missed the custody system training").click()
    desk.wait_for_url(re.compile(rf"/actions/{action.pk}/$"))
    check_axe(desk)
    visit(desk, "/network/feedback/summary/")
