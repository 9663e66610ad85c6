"""Writes to practitioners and their assessments.

- `practitioner_add`: one record per member of staff; someone the HR record
  shows as a leaver cannot be added.
- `assessment_record`: a self-assessment only by the practitioner's own
  account (`practitioner.user`); a coach's assessment only by their coach
  (`practitioner.coach`) or an admin. Every competency of the current
  framework is rated, 1 to 4."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from changeboard.core import audit
from changeboard.core.audit import Actor
from changeboard.core.scoping import is_admin
from changeboard.organisation.models import Staff
from changeboard.portfolio.models import Programme

from ..models import Assessment, AssessmentKind, Framework, Practitioner, PractitionerRole, Rating


def _snapshot(practitioner: Practitioner) -> dict[str, Any]:
    return {"staff": practitioner.staff_id, "role": practitioner.role_id, "user": practitioner.user_id, "coach": practitioner.coach_id,
            "active": practitioner.active, "programmes": sorted(p.pk for p in practitioner.programmes.all())}


def is_leaver(staff: Staff, on: dt.date | None = None) -> bool:
    day = on or timezone.localdate()
    return bool(staff.is_leaver or (staff.leave_date is not None and staff.leave_date <= day))


def _check_role(role: PractitionerRole) -> None:
    current = Framework.current()
    if current is not None and role.framework_id != current.pk:
        raise ValidationError({"role": "Choose a role of the current framework"})


@transaction.atomic
def practitioner_add(*, staff: Staff, role: PractitionerRole, actor: Actor, user: Any = None, coach: Any = None,
                     programmes: Iterable[Programme] = ()) -> Practitioner:
    if is_leaver(staff):
        raise ValidationError({"staff": f"{staff.full_name} has left the force"})
    if Practitioner.objects.filter(staff=staff).exists():
        raise ValidationError({"staff": f"{staff.full_name} is already a practitioner"})
    _check_role(role)
    if coach is not None and user is not None and coach.pk == user.pk:
        raise ValidationError({"coach": "Someone cannot be their own coach"})
    practitioner = Practitioner.objects.create(staff=staff, role=role, user=user, coach=coach)
    practitioner.programmes.set(list(programmes))
    audit.record(actor=actor, action="create", obj=practitioner, after=_snapshot(practitioner))
    return practitioner


_UNSET: Any = object()


@transaction.atomic
def practitioner_update(*, practitioner: Practitioner, actor: Actor, role: PractitionerRole | None = None, user: Any = _UNSET,
                        coach: Any = _UNSET, programmes: Iterable[Programme] | None = None, active: bool | None = None) -> Practitioner:
    """Change what is given (`user=None` / `coach=None` clear them)."""
    before = _snapshot(practitioner)
    if role is not None and role.pk != practitioner.role_id:
        _check_role(role)
        practitioner.role = role
    if user is not _UNSET:
        practitioner.user = user
    if coach is not _UNSET:
        practitioner.coach = coach
    if practitioner.coach_id is not None and practitioner.coach_id == practitioner.user_id:
        raise ValidationError({"coach": "Someone cannot be their own coach"})
    if active is not None:
        practitioner.active = active
    practitioner.save()
    if programmes is not None:
        practitioner.programmes.set(list(programmes))
    audit.record(actor=actor, action="update", obj=practitioner, before=before, after=_snapshot(practitioner))
    return practitioner


def may_assess(user: Any, practitioner: Practitioner, kind: str) -> bool:
    """Self: only the practitioner's own account. Coach: their coach or an admin."""
    if not getattr(user, "is_authenticated", False):
        return False
    if kind == AssessmentKind.SELF:
        return practitioner.user_id is not None and practitioner.user_id == user.pk
    if kind == AssessmentKind.COACH:
        return is_admin(user) or (practitioner.coach_id is not None and practitioner.coach_id == user.pk)
    return False


@transaction.atomic
def assessment_record(*, practitioner: Practitioner, kind: str, ratings: dict[int, int], actor: Actor, assessed_on: dt.date | None = None,
                      note: str = "") -> Assessment:
    """Record a self- or coach's assessment: `ratings` is `{competency_id: level}`
    covering every competency of the current framework."""
    if kind not in AssessmentKind.values:
        raise ValidationError({"kind": "An assessment is a self-assessment or a coach's"})
    if not may_assess(actor, practitioner, kind):
        if kind == AssessmentKind.SELF:
            raise PermissionDenied("Only the practitioner themselves records a self-assessment.")
        raise PermissionDenied("Only the practitioner's coach (or an admin) records a coach's assessment.")
    if not practitioner.active:
        raise ValidationError("This practitioner is no longer active")
    framework = Framework.current()
    if framework is None:
        raise ValidationError("There is no current framework to assess against")
    competencies = {c.pk: c for c in framework.competencies.all()}
    errors: dict[str, list[str]] = {}
    unknown = set(ratings) - set(competencies)
    if unknown:
        errors.setdefault("ratings", []).append("A rating names a competency outside the current framework")
    for pk, competency in competencies.items():
        level = ratings.get(pk)
        if level is None:
            errors.setdefault(f"c{pk}", []).append(f"Choose a level for {competency.name}")
        elif not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 4:
            errors.setdefault(f"c{pk}", []).append(f"The level for {competency.name} must be 1 to 4")
    day = assessed_on or timezone.localdate()
    if day > timezone.localdate():
        errors.setdefault("assessed_on", []).append("The assessment date cannot be in the future")
    if errors:
        raise ValidationError(errors)
    assessment = Assessment.objects.create(practitioner=practitioner, kind=kind, assessor_id=actor.pk if actor is not None and actor.is_authenticated else None,
                                           assessed_on=day, note=note)
    Rating.objects.bulk_create([Rating(assessment=assessment, competency_id=pk, level=ratings[pk]) for pk in competencies])
    audit.record(actor=actor, action="create", obj=assessment,
                 after={"kind": kind, "assessed_on": day.isoformat(), "ratings": {competencies[pk].code: ratings[pk] for pk in competencies}})
    return assessment
