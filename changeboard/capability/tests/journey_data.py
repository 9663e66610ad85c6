"""A journey for programme A (persona in Westminster, officers), its stages
and steps, a closed survey wave with hand-built `ElementTally` rows, and
records of both programmes to link as touchpoints."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from changeboard.cutover.models import Runbook, Task
from changeboard.engagement.models import Message
from changeboard.network.models import Activity, Champion
from changeboard.readiness.models import Criterion, ElementTally, TrainingRecord
from changeboard.readiness.tests.helpers import closed_wave
from changeboard.surveys.models import SurveyWave

from ..models import Journey, Stage, Step
from ..services import journeys as services


def tally(wave: SurveyWave, unit: Any, element: str, responses: int, mean: float, *, role_group: str = "officer",
          source: str = "link") -> ElementTally:
    """`responses` people each answering one question of the element, their mean `mean`."""
    return ElementTally.objects.create(wave=wave, unit=unit, role_group=role_group, element=element, source=source, responses=responses,
                                       answers=responses, total=round(mean * responses), total_sq=0)


@dataclass
class Data:
    world: Any
    journey: Journey
    hearing: Stage
    golive: Stage
    briefing: Step  # awareness
    training: Step  # knowledge
    first_shift: Step  # ability
    settling: Step  # no ADKAR element
    message_a: Message
    message_b: Message
    task_a: Task
    task_b: Task
    activity_a: Activity
    activity_b: Activity


def build(world: Any) -> Data:
    lead = world.users["lead"]
    journey = services.journey_create(programme=world.programme_a, title="Booking a detained person in", persona="Custody officer on nights",
                                      units=[world.westminster], role_group="officer", actor=lead)
    hearing = services.stage_add(journey=journey, name="Hearing about it", actor=lead)
    golive = services.stage_add(journey=journey, name="Go-live week", actor=lead)
    briefing = services.step_add(stage=hearing, name="Team briefing", adkar="awareness", emotion=1, today="Email", tomorrow="Briefing", actor=lead)
    training = services.step_add(stage=hearing, name="Training", adkar="knowledge", emotion=0, actor=lead)
    first_shift = services.step_add(stage=golive, name="First shift", adkar="ability", emotion=-1, pain_points="Slow screens", actor=lead)
    settling = services.step_add(stage=golive, name="Settling in", emotion=1, actor=lead)
    day = timezone.localdate()
    message_a = Message.objects.create(programme=world.programme_a, title="Go-live briefing note", channel=Message.Channel.BRIEFING, planned_on=day)
    message_b = Message.objects.create(programme=world.programme_b, title="Case files news", channel=Message.Channel.BRIEFING, planned_on=day)
    starts = timezone.now() + dt.timedelta(days=30)
    runbook_a = Runbook.objects.create(programme=world.programme_a, rollout_wave=world.wave_a, title="A cutover", planned_start=starts)
    runbook_b = Runbook.objects.create(programme=world.programme_b, rollout_wave=world.wave_b, title="B cutover", planned_start=starts)
    task_a = Task.objects.create(runbook=runbook_a, ref="T-010", title="Switch on custody module")
    task_b = Task.objects.create(runbook=runbook_b, ref="T-020", title="Switch on case files")
    champ = Champion.objects.create(staff=world.staff_in, status=Champion.Status.ACTIVE, hours_agreed=4, start_date=day - dt.timedelta(days=60))
    activity_a = Activity.objects.create(champion=champ, programme=world.programme_a, unit=world.team, status=Activity.Status.DONE,
                                         date=day - dt.timedelta(days=3), kind=Activity.Kind.BRIEFING, people_reached=10, minutes=30)
    activity_b = Activity.objects.create(champion=champ, programme=world.programme_b, unit=world.team, status=Activity.Status.DONE,
                                         date=day - dt.timedelta(days=3), kind=Activity.Kind.BRIEFING, people_reached=10, minutes=30)
    Criterion.objects.create(programme=world.programme_a, title="Custody officers trained", feed=Criterion.Feed.TRAINING, course="CUST-101")
    TrainingRecord.objects.create(staff=world.staff_in, course="GEN-001", completed_on=day)
    return Data(world, journey, hearing, golive, briefing, training, first_shift, settling, message_a, message_b, task_a, task_b,
                activity_a, activity_b)


def survey(data: Data, *, min_responses: int = 5, closes_on: dt.date | None = None, title: str = "Readiness wave 1") -> SurveyWave:
    """A closed wave of programme A: awareness 40 responses mean 4.2 in
    Response Team 1 (below Westminster), knowledge 6 responses mean 2.0,
    ability 4 responses (below a threshold of 5)."""
    wave = closed_wave(data.world.programme_a, title, closes_on or timezone.localdate() - dt.timedelta(days=7), min_responses=min_responses)
    tally(wave, data.world.team, "awareness", 40, 4.2)
    tally(wave, data.world.team, "knowledge", 6, 2.0)
    tally(wave, data.world.team, "ability", 4, 1.5)
    return wave
