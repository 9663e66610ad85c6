"""Builders for the feedback-from-the-floor tests: an active champion for
the `champion` persona (Westminster, supporting programme A), a Westminster
team of 12 officers and 2 police staff (under the default comment threshold
of 10), and three themes: one about officers (shown), one about the two
police staff (withheld from others), one of programme B in Camden."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from changeboard.conftest import make_staff
from changeboard.organisation.models import RankGrade

from ..models import Champion, Support, Theme

OPEN_TEXT = "Radios drop out in the custody yard"
SMALL_TEXT = "The two front counter clerks feel nobody asked them"
B_TEXT = "Case file templates are confusing"


def champion_for(user: Any, staff: Any, units: list[Any], programmes: list[Any]) -> Champion:
    entry = Champion.objects.create(staff=staff, user=user, status=Champion.Status.ACTIVE, hours_agreed=4,
                                    start_date=timezone.localdate() - dt.timedelta(days=30))
    entry.units.set(units)
    for programme in programmes:
        Support.objects.create(champion=entry, programme=programme, hours_asked=2)
    return entry


def theme(programme: Any, unit: Any, text: str, *, champion: Champion | None = None, created_by: Any = None, role_group: str = "",
          category: str = Theme.Category.TECHNOLOGY, sentiment: int = Theme.Sentiment.NEGATIVE, **extra: Any) -> Theme:
    return Theme.objects.create(programme=programme, unit=unit, text=text, champion=champion, created_by=created_by, role_group=role_group,
                                category=category, sentiment=sentiment, **extra)


class Data:
    def __init__(self, world: Any) -> None:
        self.world = world
        users = world.users
        pcso = RankGrade.objects.get(code="PCSO")
        for n in range(11):  # with Alex Inscope and the champion: 13 officers in Westminster
            make_staff(f"3000{n:02d}", world.team)
        self.clerks = [make_staff(f"4000{n:02d}", world.team, rank_grade=pcso) for n in range(2)]
        self.champion_staff = make_staff("500001", world.team, first_name="Casey", last_name="Champion", email="champion@example.police.uk")
        self.champion = champion_for(users["champion"], self.champion_staff, [world.westminster], [world.programme_a])
        self.open = theme(world.programme_a, world.team, OPEN_TEXT, champion=self.champion, created_by=users["champion"], role_group="officer")
        self.small = theme(world.programme_a, world.team, SMALL_TEXT, champion=self.champion, created_by=users["champion"], role_group="staff",
                           category=Theme.Category.MORALE)
        self.b = theme(world.programme_b, world.camden, B_TEXT, created_by=users["lead2"], category=Theme.Category.PROCESS,
                       sentiment=Theme.Sentiment.MIXED)
