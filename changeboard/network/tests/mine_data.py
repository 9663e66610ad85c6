"""Shared data for the champion's own page, recognition and pulse tests:
the `champion` persona as the nominee for programme A (staff_in, in
Response Team 1 under Westminster), and a second champion for programme B
(staff_out, in Camden)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from changeboard.network.models import Activity, Champion
from changeboard.network.services.champions import champion_accept, champion_nominate


def nominate_persona(world: Any, accept: bool = False, hours: int = 2) -> Champion:
    """The `champion` persona nominated for programme A (their account
    found by the HR record's email), accepted when asked."""
    user = world.users["champion"]
    user.email = world.staff_in.email
    user.save(update_fields=["email"])
    champion = champion_nominate(staff=world.staff_in, programme=world.programme_a, hours_asked=hours, actor=world.users["lead"],
                                 units=[world.westminster], start_date=timezone.localdate() - dt.timedelta(days=30))
    assert champion.user_id == user.pk
    if accept:
        champion_accept(champion=champion, actor=user)
    return champion


def other_champion(world: Any) -> Champion:
    """An active champion for programme B, in Camden (out of the persona's units)."""
    champion = champion_nominate(staff=world.staff_out, programme=world.programme_b, hours_asked=3, actor=world.users["lead2"],
                                 units=[world.camden], start_date=timezone.localdate() - dt.timedelta(days=30))
    assert champion.user is not None
    champion_accept(champion=champion, actor=champion.user)
    return champion


def activity(champion: Champion, programme: Any, unit: Any, *, minutes: int = 60, status: str = Activity.Status.DONE,
             day: dt.date | None = None, kind: str = Activity.Kind.FLOOR_WALK) -> Activity:
    return Activity.objects.create(champion=champion, programme=programme, unit=unit, kind=kind, status=status,
                                   date=day or timezone.localdate(), minutes=minutes, people_reached=5)
