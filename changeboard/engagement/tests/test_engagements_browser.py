"""Browser journey with axe-core on every page: a change manager opens the
engagement-debt list, plans an engagement with a key stakeholder, logs it
as done with a concern and a follow-up, and finds the follow-up in the
action log."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from changeboard.conftest import PASSWORD
from changeboard.core.tests.browser import check_axe, sign_in, visit
from changeboard.readiness.models import Action

from ..models import Engagement, Position
from .engagements_data import mapping, stakeholder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_change_manager_clears_engagement_debt(page: Any, world: Any) -> None:
    key = mapping(stakeholder("Chief Superintendent West"), world.programme_a, influence=5, current=Position.AGAINST,
                  owner=world.users["lead"])
    sign_in(page, "lead", PASSWORD)
    visit(page, "/engagement/debt/")
    assert page.get_by_role("cell", name="Never").is_visible()
    page.get_by_role("link", name=re.compile(r"Plan an engagement\s+with Chief Superintendent West")).click()
    page.wait_for_url(re.compile(r"/engagement/engagements/plan/\?assessment=\d+$"))
    check_axe(page)
    page.get_by_label("Purpose").fill("Brief on the new rota")
    page.get_by_label("Method").select_option("meeting")
    page.get_by_label("Planned for").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Plan engagement").click()
    page.wait_for_url(re.compile(r"/engagement/engagements/\d+/$"))
    check_axe(page)
    planned = Engagement.objects.get(assessment=key)
    assert planned.status == "planned"

    page.get_by_role("button", name="Log what happened").click()
    page.wait_for_url(re.compile(rf"/engagement/engagements/{planned.pk}/log/$"))
    check_axe(page)
    page.get_by_label("Concerns raised").fill("Overtime budget for the pilot")
    page.get_by_label("Their position afterwards").select_option(str(Position.NEUTRAL))
    page.locator("#id_follow-0-text").fill("Send the overtime model")
    page.locator("#id_follow-0-due_date").fill((timezone.localdate() + dt.timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Log engagement").click()
    page.wait_for_url(re.compile(rf"/engagement/engagements/{planned.pk}/$"))
    check_axe(page)
    assert page.get_by_text("Overtime budget for the pilot").is_visible()

    page.get_by_role("link", name="Send the overtime model").click()
    page.wait_for_url(re.compile(r"/readiness/actions/\d+/$|/actions/\d+/$"))
    check_axe(page)
    assert page.get_by_text(f"From engagement #{planned.pk}").is_visible()
    action = Action.objects.get(title="Send the overtime model")
    assert action.source == Action.Source.ENGAGEMENT
    key.refresh_from_db()
    assert key.current_position == Position.NEUTRAL
    # Contacted today: no longer in debt.
    visit(page, "/engagement/debt/")
    assert page.get_by_text("No key stakeholder is in engagement debt").is_visible()
