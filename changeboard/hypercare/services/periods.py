"""Writes for hypercare periods: opening one for a rollout wave with the
default categories, SLA targets and exit criteria, and changing it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from changeboard.accounts.models import User
from changeboard.core import audit
from changeboard.cutover.models import Team
from changeboard.portfolio.models import RolloutWave

from ..models import (
    DEFAULT_CATEGORIES,
    DEFAULT_EXIT,
    DEFAULT_SLA,
    DEFAULT_WEEKS,
    TRAINING_GAP,
    Category,
    ExitCriterion,
    Period,
    Priority,
    SlaTarget,
)

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


# ---------------------------------------------------------------------------
# A period's settings: its categories and SLA targets.


@transaction.atomic
def category_add(*, period: Period, name: str, actor: User | None, is_training_gap: bool = False) -> Category:
    """A new category for this period's queries (its code made from the name, unique in the period)."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Enter the category's name."})
    if period.categories.filter(name__iexact=name).exists():
        raise ValidationError({"name": "This period already has a category with that name."})
    base = slugify(name)[:26].replace("-", "_") or "category"
    code, n = base, 2
    while period.categories.filter(code=code).exists():
        code, n = f"{base}_{n}", n + 1
    category = Category(period=period, code=code, name=name, is_training_gap=is_training_gap)
    category.full_clean()
    category.save()
    audit.record(actor=actor, action="create", obj=category, after=audit.snapshot(category))
    return category


@transaction.atomic
def category_update(*, category: Category, actor: User | None, **fields: Any) -> Category:
    """Rename a category, mark it a training gap or not, or (de)activate it.
    A deactivated category keeps its queries; new ones cannot use it."""
    unknown = sorted(set(fields) - {"name", "is_training_gap", "active"})
    if unknown:
        raise ValidationError(f"These cannot be changed on a category: {', '.join(unknown)}.")
    category = Category.objects.select_for_update().get(pk=category.pk)
    before = audit.snapshot(category)
    if "name" in fields:
        fields["name"] = fields["name"].strip()
        if not fields["name"]:
            raise ValidationError({"name": "Enter the category's name."})
        if Category.objects.filter(period=category.period_id, name__iexact=fields["name"]).exclude(pk=category.pk).exists():
            raise ValidationError({"name": "This period already has a category with that name."})
    for name, value in fields.items():
        setattr(category, name, value)
    if not category.active and not Category.objects.filter(period=category.period_id, active=True).exclude(pk=category.pk).exists():
        raise ValidationError({"active": "Keep at least one category in use."})
    category.full_clean()
    category.save()
    audit.record(actor=actor, action="update", obj=category, before=before, after=audit.snapshot(category))
    return category


@transaction.atomic
def sla_targets_update(*, period: Period, targets: dict[str, tuple[int, int]], actor: User | None) -> list[SlaTarget]:
    """Set the response and resolution targets (working minutes) per
    priority. The SLA figures are computed from each query's history, so
    they follow the new policy at once."""
    unknown = sorted(set(targets) - set(Priority.values))
    if unknown:
        raise ValidationError(f"Unknown priorities: {', '.join(unknown)}.")
    saved = []
    for priority, (response, resolution) in sorted(targets.items()):
        if response <= 0 or resolution <= 0:
            raise ValidationError({priority: f"{priority}: enter targets longer than zero."})
        if resolution < response:
            raise ValidationError({priority: f"{priority}: the resolution target cannot be shorter than the response target."})
        target = SlaTarget.objects.select_for_update().filter(period=period, priority=priority).first()
        before = audit.snapshot(target) if target is not None else None
        if target is None:
            target = SlaTarget(period=period, priority=priority, response_minutes=response, resolution_minutes=resolution)
        elif (target.response_minutes, target.resolution_minutes) == (response, resolution):
            saved.append(target)
            continue
        target.response_minutes, target.resolution_minutes = response, resolution
        target.save()
        audit.record(actor=actor, action="update" if before else "create", obj=target, before=before, after=audit.snapshot(target))
        saved.append(target)
    return saved
