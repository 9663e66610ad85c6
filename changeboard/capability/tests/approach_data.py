"""A change approach on the shared `world`: programme A's, written by the
lead, with a second change manager of programme A (`lead_b`) who may approve
what the lead submits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from changeboard.accounts.models import Role
from changeboard.conftest import make_user

from ..models import Approach, GroupApproach, Measure, Promise, Section
from ..services import approach as services


@dataclass
class Data:
    world: Any
    approach: Approach
    group: GroupApproach
    promise: Promise
    lead_b: Any


def build(world: Any) -> Data:
    lead = world.users["lead"]
    lead_b = make_user("leadb", Role.CHANGE_MANAGER, programmes=[world.programme_a])
    approach = services.approach_create(programme=world.programme_a, actor=lead, objectives="Land the new duty system.",
                                        case_for_change="Rotas are on paper.")
    group = services.group_approach_create(approach=approach, unit=world.westminster, role_group="officer", actor=lead,
                                           sponsorship="The BCU commander briefs every team.")
    promise = services.promise_create(approach=approach, section=Section.CHAMPIONS, measure=Measure.CHAMPION_RATIO, target=25,
                                      wording="One champion for every 25 people impacted", actor=lead)
    return Data(world, Approach.objects.get(pk=approach.pk), group, promise, lead_b)


def approve(data: Data, note: str = "") -> Any:
    services.approach_submit(approach=data.approach, actor=data.world.users["lead"], note=note)
    return services.approach_approve(approach=data.approach, actor=data.lead_b)
