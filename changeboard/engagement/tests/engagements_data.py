"""Tiny builders for the engagement tests: stakeholders, their mappings and
engagements, written straight to the models (history can be in the past)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from ..models import Engagement, Position, Stakeholder, StakeholderAssessment


def stakeholder(name: str, **extra: Any) -> Stakeholder:
    return Stakeholder.objects.create(kind=Stakeholder.Kind.EXTERNAL, name=name, **extra)


def mapping(person: Stakeholder, programme: Any, *, influence: int = 4, interest: int = 3, current: int = Position.AGAINST,
            target: int = Position.SUPPORTIVE, impact: int | None = None, owner: Any = None) -> StakeholderAssessment:
    return StakeholderAssessment.objects.create(stakeholder=person, programme=programme, influence=influence, interest=interest,
                                                current_position=current, target_position=target, impact_judgement=impact, owner=owner)


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def engagement(assessment: StakeholderAssessment, *, status: str = Engagement.Status.PLANNED, planned_on: dt.date | None = None,
               happened_on: dt.date | None = None, owner: Any = None, purpose: str = "Catch up", method: str = Engagement.Method.MEETING,
               **extra: Any) -> Engagement:
    return Engagement.objects.create(assessment=assessment, status=status, planned_on=planned_on, happened_on=happened_on, owner=owner,
                                     purpose=purpose, method=method, **extra)


class Data:
    """Two stakeholders mapped by programme A and B, one planned engagement each."""

    def __init__(self, world: Any) -> None:
        self.world = world
        self.sh_a = stakeholder("Chief Superintendent West", role_title="BCU commander")
        self.sh_b = stakeholder("Police Federation rep", role_title="Rep")
        self.map_a = mapping(self.sh_a, world.programme_a, owner=world.users["lead"])
        self.map_b = mapping(self.sh_b, world.programme_b, owner=world.users["lead2"])
        soon = timezone.localdate() + dt.timedelta(days=7)
        self.eng_a = engagement(self.map_a, planned_on=soon, owner=world.users["lead"], purpose="Brief on the new rota")
        self.eng_b = engagement(self.map_b, planned_on=soon, owner=world.users["lead2"], purpose="Case file walkthrough")
