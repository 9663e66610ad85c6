"""Hand-worked data for the attention budget tests, made with the ORM.

The tree (from the `world` fixture, plus a second Westminster team):

    Test Force > Frontline Policing > Central West BCU > Westminster > Response Team 1 (team)
                                                                     > Response Team 2 (team2)
                                    > North BCU > Camden

Week W is Mon 30 Nov 2026 to Sun 6 Dec 2026 (2026-W49).
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any
from zoneinfo import ZoneInfo

from changeboard.cutover.models import Runbook, Task
from changeboard.engagement.models import Message, MessageReach
from changeboard.organisation.services import unit_ensure_path
from changeboard.surveys.models import Instrument, Invitation, SurveyWave

LONDON = ZoneInfo("Europe/London")
W = dt.date(2026, 11, 30)
_tokens = itertools.count(1)


def second_team(world: Any) -> Any:
    return unit_ensure_path(full_path="Test Force > Frontline Policing > Central West BCU > Westminster > Response Team 2", actor=None)


def message(programme: Any, day: dt.date, units: dict[Any, int], *, status: str = Message.Status.APPROVED,
            channel: str = Message.Channel.BRIEFING, title: str = "") -> Message:
    """A message with its reach: headcount per unit."""
    m = Message.objects.create(programme=programme, title=title or f"Message {next(_tokens)}", channel=channel, planned_on=day, status=status)
    MessageReach.objects.bulk_create([MessageReach(message=m, unit=u, headcount=n) for u, n in units.items()])
    m.audience_size = sum(units.values())
    m.save(update_fields=["audience_size"])
    return m


def wave(programme: Any, opens_on: dt.date, *, status: str = SurveyWave.Status.OPEN, units: list[Any] | None = None, title: str = "") -> SurveyWave:
    instrument = Instrument.objects.get_or_create(name="Readiness")[0]
    w = SurveyWave.objects.create(programme=programme, instrument=instrument, title=title or f"Wave {next(_tokens)}", opens_on=opens_on,
                                  closes_on=opens_on + dt.timedelta(days=14), status=status, audience_source=SurveyWave.Source.MANUAL)
    if units:
        w.units.set(units)
    return w


def invite(staff: Any, waves: list[SurveyWave], sent_on: dt.date) -> Invitation:
    inv = Invitation.objects.create(staff=staff, token=f"t{next(_tokens)}", sent_on=sent_on, expires_on=sent_on + dt.timedelta(days=14),
                                    unit=staff.unit, role_group="officers")
    inv.waves.set(waves)
    return inv


def comms_task(world: Any, units: list[Any], *, starts: dt.datetime, not_before: dt.datetime | None = None, mode: str = Runbook.Mode.PLANNING,
               kind: str = Task.Kind.COMMUNICATION, title: str = "Tell the teams") -> Task:
    runbook = Runbook.objects.create(programme=world.programme_a, rollout_wave=world.wave_a, title=f"Cutover {next(_tokens)}",
                                     planned_start=starts, mode=mode)
    task = Task.objects.create(runbook=runbook, ref="C-1", title=title, kind=kind, not_before=not_before)
    task.audience_units.set(units)
    return task


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON)
