"""Browser journey, axe-core on every page: a change lead builds a journey
(persona, a stage, steps with ADKAR elements, a touchpoint) and sees its
emotion lane filled from the latest closed survey wave, the dip marked and
the data table beside the chart; then the grid at a phone's width scrolls
in its own labelled region."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from changeboard.conftest import PASSWORD
from changeboard.core.tests.browser import check_axe, sign_in, visit
from changeboard.engagement.models import Message
from changeboard.surveys.models import Instrument, SurveyWave

from ..models import Journey, Touchpoint
from .journey_data import tally

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def closed(world: Any, title: str, closes_on: dt.date) -> SurveyWave:
    instrument = Instrument.objects.create(name=f"Readiness {title}", is_default=True)
    return SurveyWave.objects.create(programme=world.programme_a, instrument=instrument, title=title, status=SurveyWave.Status.CLOSED,
                                     opens_on=closes_on - dt.timedelta(days=13), closes_on=closes_on, min_responses=5)


def test_a_lead_builds_a_journey_whose_lane_fills_from_the_latest_wave(page: Any, world: Any) -> None:
    today = timezone.localdate()
    older = closed(world, "Spring wave", today - dt.timedelta(days=90))
    tally(older, world.team, "ability", 40, 5.0)  # an older wave: not used
    latest = closed(world, "Autumn wave", today - dt.timedelta(days=7))
    tally(latest, world.team, "awareness", 40, 4.2)
    tally(latest, world.team, "ability", 12, 2.0)
    tally(latest, world.team, "knowledge", 3, 1.0)  # below the threshold of 5
    note = Message.objects.create(programme=world.programme_a, title="Custody go-live note", channel=Message.Channel.BRIEFING, planned_on=today)

    sign_in(page, "lead", PASSWORD)
    visit(page, "/capability/journeys/")
    page.get_by_role("button", name="New journey").click()
    page.wait_for_url(re.compile(r"/capability/journeys/new/$"))
    check_axe(page)
    page.get_by_label("Programme").select_option(str(world.programme_a.pk))
    page.get_by_label("Title").fill("Booking a detained person in")
    page.get_by_label("Persona", exact=True).fill("Custody officer on nights")
    page.get_by_label("Units the persona works in").select_option(str(world.westminster.pk))
    page.get_by_label("Role group").select_option("officer")
    assert page.get_by_label("Fill the emotion lane from the latest closed survey wave").is_checked()
    page.get_by_role("button", name="Create journey").click()
    page.wait_for_url(re.compile(r"/capability/journeys/\d+/$"))
    check_axe(page)
    journey = Journey.objects.get()

    page.get_by_role("button", name="Add a stage").click()
    page.wait_for_url(re.compile(r"/stages/add/$"))
    check_axe(page)
    page.get_by_label("Stage name").fill("Go-live week")
    page.get_by_role("button", name="Add stage").click()
    page.wait_for_url(re.compile(rf"/capability/journeys/{journey.pk}/$"))
    check_axe(page)

    for name, element, emotion in [("Team briefing", "awareness", "1"), ("Training", "knowledge", "0"), ("First shift", "ability", "")]:
        page.get_by_role("link", name="Add a step to Go-live week").click()
        page.wait_for_url(re.compile(r"/steps/add/$"))
        check_axe(page)
        page.get_by_label("Step name").fill(name)
        page.get_by_label("ADKAR element").select_option(element)
        page.get_by_label("Emotion (the team's judgement)").select_option(emotion)
        page.get_by_role("button", name="Add step").click()
        page.wait_for_url(re.compile(rf"/capability/journeys/{journey.pk}/$"))
        check_axe(page)

    page.get_by_role("link", name="Add a touchpoint to Team briefing").click()
    page.wait_for_url(re.compile(r"/touchpoints/add/$"))
    check_axe(page)
    page.get_by_label("Communication").check()
    page.get_by_label("Id or course code").fill(str(note.pk))
    page.get_by_role("button", name="Add touchpoint").click()
    page.wait_for_url(re.compile(rf"/capability/journeys/{journey.pk}/$"))
    check_axe(page)
    assert Touchpoint.objects.get().label == "Custody go-live note"

    # The grid, its touchpoint linked to the message's page.
    grid = page.get_by_role("region", name="The journey grid, scrollable")
    assert grid.get_by_role("link", name="Communication: Custody go-live note", exact=True).get_attribute("href") == f"/engagement/comms/{note.pk}/"
    # The lane: from the autumn wave, the dip at the first shift, the table beside the chart.
    assert page.get_by_text("From the survey wave Autumn wave").is_visible()
    assert page.get_by_role("img", name=re.compile("Line chart of the emotion of 3 steps")).is_visible()
    table = page.get_by_role("table", name=re.compile("Emotion per step"))
    rows = table.locator("tbody tr")
    assert rows.count() == 3
    assert rows.nth(0).inner_text().split("\t") == ["Go-live week: Team briefing", "+1.2", "Survey", "40", "Fully evidenced", ""]
    assert rows.nth(1).inner_text().split("\t") == ["Go-live week: Training", "0.0", "Judgement", "below threshold", "No data", ""]
    assert rows.nth(2).inner_text().split("\t") == ["Go-live week: First shift", "-1.0", "Survey", "12", "Partly evidenced", "Lowest point"]
    assert page.get_by_text("Lowest point: First shift (-1.0).").is_visible()

    # On a phone the grid scrolls in its own region, reachable by keyboard.
    page.set_viewport_size({"width": 390, "height": 844})
    visit(page, f"/capability/journeys/{journey.pk}/")
    assert grid.get_attribute("tabindex") == "0"
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
