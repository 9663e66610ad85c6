"""Writes for hypercare periods: opening one for a rollout wave with the
default categories, SLA targets and exit criteria, and changing it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from changeboard.accounts.models import User
from changeboard.core import audit
from changeboard.cutover.models import Team
from changeboard.portfolio.models import RolloutWave

from ..models import DEFAULT_CATEGORIES, DEFAULT_EXIT, DEFAULT_SLA, DEFAULT_WEEKS, TRAINING_GAP, Category, ExitCriterion, Period, SlaTarget

PERIOD_FIELDS = ("starts_on", "ends_on", "support_team", "working_days", "day_starts", "day_ends", "bank_holidays", "reopen_days",
                 "spike_queries", "spike_days")


def _check(period: Period) -> None:
    if period.ends_on < period.starts_on:
        raise ValidationError({"ends_on": "The period cannot end before go-live."})
    days = period.working_days
    if not days or not all(isinstance(d, int) and 1 <= d <= 7 for d in days) or len(set(days)) != len(days):
        raise ValidationError({"working_days": "Choose the days the support team works."})
    if period.day_ends <= period.day_starts:
        raise ValidationError({"day_ends": "The working day must end after it starts."})


@transaction.atomic
def period_create(*, rollout_wave: RolloutWave, actor: User | None, starts_on: dt.date | None = None, ends_on: dt.date | None = None,
                  support_team: Team | None = None, **fields: Any) -> Period:
    """Open hypercare for a wave: from go-live for six weeks unless told,
    with the default categories, SLA targets and exit criteria."""
    unknown = sorted(set(fields) - set(PERIOD_FIELDS))
    if unknown:
        raise ValidationError(f"These cannot be set on a period: {', '.join(unknown)}.")
    starts_on = starts_on or rollout_wave.go_live_date
    period = Period(rollout_wave=rollout_wave, starts_on=starts_on, ends_on=ends_on or starts_on + dt.timedelta(weeks=DEFAULT_WEEKS),
                    support_team=support_team, **fields)
    if not period.working_days:
        period.working_days = [1, 2, 3, 4, 5]
    _check(period)
    period.full_clean()
    period.save()
    Category.objects.bulk_create(Category(period=period, code=code, name=name, is_training_gap=code == TRAINING_GAP)
                                 for code, name in DEFAULT_CATEGORIES)
    SlaTarget.objects.bulk_create(SlaTarget(period=period, priority=p, response_minutes=r, resolution_minutes=s)
                                  for p, (r, s) in DEFAULT_SLA.items())
    ExitCriterion.objects.bulk_create(ExitCriterion(period=period, kind=k, threshold=t) for k, t in DEFAULT_EXIT.items())
    audit.record(actor=actor, action="create", obj=period, after=audit.snapshot(period, exclude=("public_token",)))
    return period


@transaction.atomic
def period_update(*, period: Period, actor: User | None, **fields: Any) -> Period:
    unknown = sorted(set(fields) - set(PERIOD_FIELDS))
    if unknown:
        raise ValidationError(f"These cannot be changed on a period: {', '.join(unknown)}.")
    period = Period.objects.select_for_update().get(pk=period.pk)
    before = audit.snapshot(period, exclude=("public_token",))
    for name, value in fields.items():
        setattr(period, name, value)
    _check(period)
    period.full_clean()
    period.save()
    audit.record(actor=actor, action="update", obj=period, before=before, after=audit.snapshot(period, exclude=("public_token",)))
    return period
