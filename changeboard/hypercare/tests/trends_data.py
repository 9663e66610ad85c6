"""A hand-built small hypercare period for the trend tests, every figure
worked out by hand (see the expectations in `test_trends_service.py`).

Go-live Monday 2 November 2026 (GMT, so UTC = local time). Units: Central
West BCU > Westminster > Response Team 1.

| q  | raised (day)     | unit          | category     | prio | title                           | end                     |
|----|------------------|---------------|--------------|------|---------------------------------|-------------------------|
| q1 | Mon 10:00 (0)    | Westminster   | training gap | P3   | Can't find the custody screen?  | resolved Wed 10:00 (2)  |
| q2 | Mon 11:00 (0)    | Response T. 1 | defect       | P1   | Login fails                     | open (in progress)      |
| q3 | Tue 09:00 (1)    | Response T. 1 | training gap | P3   | can't find the  custody screen  | resolved Tue 13:00 (1)  |
| q4 | Thu 09:00 (3)    | Central West  | access       | P2   | Login fails.                    | closed Fri 09:00 (4)    |
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ..models import Period, Query
from ..services import periods as period_services
from ..services import queries as query_services

UTC = dt.UTC
GO_LIVE = dt.date(2026, 11, 2)
TODAY = dt.date(2026, 11, 6)
NOW = dt.datetime(2026, 11, 6, 17, 0, tzinfo=UTC)


def at(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, 11, 2 + day, hour, 0, tzinfo=UTC)


@dataclass
class Small:
    period: Period
    q1: Query
    q2: Query
    q3: Query
    q4: Query


def build(world: Any) -> Small:
    period = period_services.period_create(rollout_wave=world.wave_a, actor=None, starts_on=GO_LIVE)
    cat = {c.code: c for c in period.categories.all()}

    def raise_(day: int, hour: int, unit: Any, code: str, priority: str, title: str, tags: str = "") -> Query:
        return query_services.query_create(period=period, category=cat[code], title=title, actor=None, source=Query.Source.SUPPORT,
                                           unit=unit, priority=priority, tags=tags, created_at=at(day, hour))

    q1 = raise_(0, 10, world.westminster, "training_gap", "P3", "Can't find the custody screen?", "custody, Navigation")
    q2 = raise_(0, 11, world.team, "defect", "P1", "Login fails")
    q3 = raise_(1, 9, world.team, "training_gap", "P3", "can't find the  custody screen", "Custody")
    q4 = raise_(3, 9, world.central_west, "access", "P2", "Login fails.")
    query_services.query_transition(query=q1, status="in_progress", actor=None, at=at(0, 11))
    query_services.query_transition(query=q1, status="resolved", actor=None, at=at(2, 10))
    query_services.query_transition(query=q2, status="in_progress", actor=None, at=at(0, 12))
    query_services.query_transition(query=q3, status="in_progress", actor=None, at=at(1, 10))
    query_services.query_transition(query=q3, status="resolved", actor=None, at=at(1, 13))
    query_services.query_transition(query=q4, status="closed", actor=None, at=at(4, 9))
    return Small(period, *(Query.objects.get(pk=q.pk) for q in (q1, q2, q3, q4)))
