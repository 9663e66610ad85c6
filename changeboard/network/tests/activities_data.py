"""Builders for the activity tests: the `champion` persona in the pool for
programme A (Westminster), a second champion there, one for programme B in
Camden, an approved impact on Westminster, and an activity of each."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from changeboard.accounts.models import Role
from changeboard.conftest import make_staff, make_user
from changeboard.impacts.models import ImpactAssessment, ImpactLine

from ..models import Activity, Champion, Support


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def champion(staff: Any, user: Any, units: list[Any], programmes: list[Any], *, status: str = Champion.Status.ACTIVE) -> Champion:
    entry = Champion.objects.create(staff=staff, user=user, status=status, hours_agreed=4, start_date=days(-60))
    entry.units.set(units)
    for programme in programmes:
        Support.objects.create(champion=entry, programme=programme, hours_asked=2)
    return entry


def activity(entry: Champion, programme: Any, unit: Any, *, status: str = Activity.Status.DONE, date: dt.date | None = None,
             people: int = 10, kind: str = Activity.Kind.BRIEFING, **extra: Any) -> Activity:
    return Activity.objects.create(champion=entry, programme=programme, unit=unit, status=status, date=date or days(-3), kind=kind,
                                   people_reached=people, minutes=30, **extra)


def impact(programme: Any, units: list[Any], admin: Any) -> ImpactAssessment:
    assessment = ImpactAssessment.objects.create(programme=programme, title="New duty system", created_by=admin, status="approved")
    line = ImpactLine.objects.create(assessment=assessment, title="Rota", severity=3, start_date=days(-30), end_date=days(60))
    line.units.set(units)
    return assessment


class Data:
    def __init__(self, world: Any) -> None:
        self.world = world
        users = world.users
        users["champion"].email = "champion@example.police.uk"
        users["champion"].save(update_fields=["email"])
        self.mine = champion(world.staff_in, users["champion"], [world.westminster], [world.programme_a])
        other_user = make_user("champion2", Role.CHAMPION, units=[world.westminster])
        self.other = champion(make_staff("100002", world.team, first_name="Cal", last_name="Colleague"), other_user, [world.westminster],
                              [world.programme_a])
        out_user = make_user("champion3", Role.CHAMPION, units=[world.camden])
        self.out = champion(world.staff_out, out_user, [world.camden], [world.programme_b])
        self.done_a = activity(self.mine, world.programme_a, world.team, people=12, notes="Rota questions")
        self.planned_a = activity(self.mine, world.programme_a, world.westminster, status=Activity.Status.PLANNED, date=days(5),
                                  kind=Activity.Kind.DROP_IN, planned_by=users["lead"])
        self.others_a = activity(self.other, world.programme_a, world.team, status=Activity.Status.PLANNED, date=days(6),
                                 kind=Activity.Kind.DEMO, planned_by=users["lead"])
        self.done_b = activity(self.out, world.programme_b, world.camden, people=7, kind=Activity.Kind.QA)
