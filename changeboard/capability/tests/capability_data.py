"""Shared data for the framework and practitioner tests: Alex (in scope,
the champion persona's own record, coached by lead, on programme A) and
Blair (out of the champion's scope, coached by lead2, on programme B), each
assessed once by themselves or their coach."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ..models import Assessment, Competency, Framework, Practitioner, PractitionerRole
from .factories import framework, make_assessment, make_practitioner


@dataclass
class Data:
    world: Any
    framework: Framework
    competency: Competency
    role: PractitionerRole
    alex: Practitioner
    blair: Practitioner
    alex_self: Assessment
    blair_coach: Assessment


def build(world: Any) -> Data:
    current = framework()
    alex = make_practitioner(world.staff_in, role_name="Change champion", user=world.users["champion"], coach=world.users["lead"],
                             programmes=[world.programme_a])
    blair = make_practitioner(world.staff_out, coach=world.users["lead2"], programmes=[world.programme_b])
    alex_self = make_assessment(alex, "self", level=1, assessed_on=dt.date(2026, 2, 1), assessor=world.users["champion"])
    blair_coach = make_assessment(blair, "coach", level=3, assessed_on=dt.date(2026, 2, 1), assessor=world.users["lead2"])
    return Data(world, current, current.competencies.get(code="coaching"), current.roles.get(name="Change champion"), alex, blair,
                alex_self, blair_coach)
