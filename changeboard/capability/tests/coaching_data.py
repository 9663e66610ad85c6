"""Shared test data for the coaching, handover and dashboard tests: two
practitioners on the default framework (`factories`) and a session each."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from ..models import CoachingSession, Competency, Framework, HandoverItem, Practitioner, PractitionerRole
from ..services.coaching import session_record
from .factories import framework as current_framework
from .factories import make_practitioner

GOALS = "Lead the next wave briefing without help"
ACTIONS = "Draft the briefing pack by Friday"
NOTES = "Nervous about presenting to the senior team"


@dataclass
class Coaching:
    world: Any
    framework: Framework
    engagement: Competency
    comms: Competency
    role: PractitionerRole
    alex: Practitioner  # the champion persona's own record, programme A, coached by lead
    blair: Practitioner  # programme B, no account, coached by lead2
    session: CoachingSession  # lead coaching Alex
    session_b: CoachingSession  # lead2 coaching Blair
    item_a: HandoverItem


def build(world: Any) -> Coaching:
    framework = current_framework()
    engagement = framework.competencies.get(code="stakeholder-engagement")
    comms = framework.competencies.get(code="communications")
    role = PractitionerRole.objects.get(framework=framework, name="Business change lead")
    users = world.users
    alex = make_practitioner(world.staff_in, user=users["champion"], coach=users["lead"], programmes=[world.programme_a])
    blair = make_practitioner(world.staff_out, coach=users["lead2"], programmes=[world.programme_b])
    today = timezone.localdate()
    session = session_record(practitioner=alex, held_on=today - dt.timedelta(days=3), areas=[engagement, comms], goals=GOALS,
                             agreed_actions=ACTIONS, notes=NOTES, next_session=today + dt.timedelta(days=14), actor=users["lead"])
    session_b = session_record(practitioner=blair, held_on=today - dt.timedelta(days=5), areas=[comms], goals="B goals secret",
                               agreed_actions="", notes="", next_session=None, actor=users["lead2"])
    item_a = HandoverItem.objects.create(programme=world.programme_a, activity=HandoverItem.Activity.BOARD_PACK, owner=alex, times_required=1)
    return Coaching(world, framework, engagement, comms, role, alex, blair, session, session_b, item_a)
