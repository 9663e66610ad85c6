"""Writes to programmes, milestones and rollout waves, each audited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError, RestrictedError

from changeboard.accounts.models import User
from changeboard.core import audit
from changeboard.core.scoping import is_admin
from changeboard.organisation.models import Unit

from .models import Milestone, Programme, RolloutWave


def _save(obj: models.Model, fields: dict[str, Any], actor: User | None, m2m: dict[str, Iterable[Any]] | None = None) -> None:
    """Validate, save, set many-to-many values and audit the difference."""
    creating = obj.pk is None
    before = None if creating else audit.snapshot(obj)
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    for name, values in (m2m or {}).items():
        getattr(obj, name).set(values)
    after = audit.snapshot(obj)
    if creating or before != after:
        audit.record(actor=actor, action="create" if creating else "update", obj=obj, before=before, after=after)


@transaction.atomic
def programme_create(*, actor: User | None, **fields: Any) -> Programme:
    programme = Programme()
    _save(programme, fields, actor)
    return programme


OWNERSHIP_FIELDS = ("sro", "change_lead")


def _check_ownership_change(programme: Programme, actor: User | None, fields: dict[str, Any]) -> None:
    """Who owns a programme (its SRO and change lead, who approves its
    impact assessments) is for the portfolio office to set."""
    if is_admin(actor) or actor is None:
        return
    for name in OWNERSHIP_FIELDS:
        if name in fields and getattr(programme, f"{name}_id") != getattr(fields[name], "pk", fields[name]):
            raise ValidationError({name: "Only a portfolio admin can change a programme's SRO or change lead."})


@transaction.atomic
def programme_update(*, programme: Programme, actor: User | None, **fields: Any) -> Programme:
    _check_ownership_change(programme, actor, fields)
    _save(programme, fields, actor)
    return programme


@transaction.atomic
def milestone_save(*, programme: Programme, actor: User | None, milestone: Milestone | None = None, **fields: Any) -> Milestone:
    milestone = milestone or Milestone(programme=programme)
    _save(milestone, fields, actor)
    return milestone


@transaction.atomic
def milestone_delete(*, milestone: Milestone, actor: User | None) -> None:
    audit.record(actor=actor, action="delete", obj=milestone, before=audit.snapshot(milestone))
    milestone.delete()


@transaction.atomic
def wave_save(*, programme: Programme, actor: User | None, units: Iterable[Unit], wave: RolloutWave | None = None, **fields: Any) -> RolloutWave:
    wave = wave or RolloutWave(programme=programme)
    _save(wave, fields, actor, m2m={"units": units})
    return wave


@transaction.atomic
def wave_delete(*, wave: RolloutWave, actor: User | None) -> None:
    if wave.impact_lines.exists():
        raise ValidationError("Impact lines follow this wave's dates. Move them off the wave (or delete them) before deleting the wave.")
    audit.record(actor=actor, action="delete", obj=wave, before=audit.snapshot(wave))
    try:
        wave.delete()
    except (ProtectedError, RestrictedError) as exc:
        # Readiness reviews (with their frozen snapshots) and wave-specific
        # criteria keep the wave (on_delete RESTRICT): refuse rather than
        # lose or widen them.
        names = sorted({f"{obj._meta.verbose_name} \"{obj}\"" for obj in exc.args[1]})
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        raise ValidationError(f"Reviews or readiness criteria refer to this wave: {shown}. "
                              "Move undecided reviews and these criteria to another wave (or delete the criteria) first; "
                              "a decided review keeps its wave for good.") from exc
