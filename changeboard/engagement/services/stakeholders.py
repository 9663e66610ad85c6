"""Writes for the stakeholder register and each programme's mapping of a
stakeholder, the HR sync (a leaver flagged, a mover's move noted), and the
impact derived from the approved impact assessments.

Derived impact (`derived_impacts`): for a unit or role-group stakeholder,
and for a person (their unit and role group), the highest severity among
the programme's APPROVED impact lines that reach it, with the headcount of
the current staff those lines reach within it. A line reaches a group when
one of the line's units (each with its subtree) overlaps the group's unit:
the group's unit is in the line unit's subtree, or is an ancestor of it;
a group with no unit (a force-wide role group) overlaps every line. A role
group overlaps a line whose ranks or grades include one of its kind, or a
line with no ranks (every rank); a line narrowed to job roles reaches the
group only if it reaches someone in it (the headcount). Bodies and external
people have no derived impact.

The whole computation for a list is a bounded number of queries: the
approved lines of the programmes (with their units and ranks), and one
grouped count of the current staff those lines reach, then Python.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from changeboard.accounts.models import User
from changeboard.core import audit
from changeboard.impacts.models import ImpactAssessment, ImpactLine
from changeboard.organisation.models import Staff, Unit
from changeboard.portfolio.models import Programme
from changeboard.surveys.models import RoleGroup, role_group_for

from ..models import Stakeholder, StakeholderAssessment

Kind = Stakeholder.Kind
GroupKind = Stakeholder.GroupKind

STAKEHOLDER_FIELDS = ("kind", "staff", "name", "organisation", "role_title", "email", "phone", "group_kind", "unit", "role_group", "notes")
ASSESSMENT_FIELDS = ("influence", "interest", "impact_judgement", "current_position", "target_position", "owner", "notes")
LEFT = "Left the force"


# ---------------------------------------------------------------------------
# The register


def _clean_kind(stakeholder: Stakeholder) -> None:
    """Each kind keeps only its own fields, and has what it needs."""
    errors: dict[str, str] = {}
    kind = stakeholder.kind
    if kind not in Kind.values:
        raise ValidationError({"kind": "Choose whether the stakeholder is a person in the organisation, an external person or a group."})
    if kind == Kind.PERSON:
        if stakeholder.staff_id is None:
            errors["staff"] = "Enter the staff number of the person in the organisation."
        stakeholder.group_kind, stakeholder.unit, stakeholder.role_group, stakeholder.organisation = "", None, "", ""
    elif kind == Kind.EXTERNAL:
        if not stakeholder.name.strip():
            errors["name"] = "Enter the external person's name."
        stakeholder.staff, stakeholder.group_kind, stakeholder.unit, stakeholder.role_group = None, "", None, ""
    else:
        stakeholder.staff, stakeholder.organisation = None, ""
        if stakeholder.group_kind not in GroupKind.values:
            errors["group_kind"] = "Choose the kind of group: a unit, a role group or a body."
        elif stakeholder.group_kind == GroupKind.UNIT:
            if stakeholder.unit_id is None:
                errors["unit"] = "Choose the unit."
        elif stakeholder.group_kind == GroupKind.ROLE_GROUP:
            if not stakeholder.role_group:
                errors["role_group"] = "Choose the role group."
        else:
            stakeholder.unit, stakeholder.role_group = None, ""
            if not stakeholder.name.strip():
                errors["name"] = "Enter the body's name (for example, the Police Federation)."
        if stakeholder.group_kind in (GroupKind.UNIT, GroupKind.ROLE_GROUP) and not stakeholder.name.strip():
            stakeholder.name = group_name(stakeholder)
    if errors:
        raise ValidationError(errors)
    if kind == Kind.PERSON and stakeholder.staff_id is not None and Stakeholder.objects.filter(staff_id=stakeholder.staff_id).exclude(pk=stakeholder.pk).exists():
        raise ValidationError({"staff": "This person is already in the register."})


def group_name(stakeholder: Stakeholder) -> str:
    """The name a unit or role group stakeholder shows when given none."""
    unit: Unit | None = stakeholder.unit
    group = str(RoleGroup(stakeholder.role_group).label) if stakeholder.role_group else ""
    if unit is not None and group:
        return f"{group} in {unit.name}"[:200]
    return (unit.name if unit is not None else group or "Group")[:200]


@transaction.atomic
def stakeholder_create(*, kind: str, actor: User | None, **fields: Any) -> Stakeholder:
    """Add a stakeholder to the register: a person (`staff`), an external
    person (`name`, `organisation`, `role_title`, contact) or a group
    (`group_kind` unit with `unit`, role group with `role_group` and
    optionally `unit`, or body with `name`)."""
    unknown = sorted(set(fields) - set(STAKEHOLDER_FIELDS))
    if unknown:
        raise ValidationError(f"These cannot be set on a stakeholder: {', '.join(unknown)}.")
    stakeholder = Stakeholder(kind=kind, created_by=actor if actor is not None and actor.is_authenticated else None,
                              **{k: (v if v is not None else "") if k not in ("staff", "unit") else v for k, v in fields.items()})
    _clean_kind(stakeholder)
    if stakeholder.kind == Kind.PERSON:
        stakeholder.known_unit_id = stakeholder.staff.unit_id  # type: ignore[union-attr]
        if stakeholder.staff.is_leaver:  # type: ignore[union-attr]
            stakeholder.needs_review = LEFT
    stakeholder.full_clean(exclude=["created_by"])
    stakeholder.save()
    audit.record(actor=actor, action="create", obj=stakeholder, after=audit.snapshot(stakeholder))
    return stakeholder


@transaction.atomic
def stakeholder_update(*, stakeholder: Stakeholder, actor: User | None, **fields: Any) -> Stakeholder:
    unknown = sorted(set(fields) - set(STAKEHOLDER_FIELDS))
    if unknown:
        raise ValidationError(f"These cannot be changed on a stakeholder: {', '.join(unknown)}.")
    stakeholder = Stakeholder.objects.select_for_update(of=("self",)).select_related("staff").get(pk=stakeholder.pk)
    before = audit.snapshot(stakeholder)
    for name, value in fields.items():
        setattr(stakeholder, name, value if value is not None or name in ("staff", "unit") else "")
    _clean_kind(stakeholder)
    if stakeholder.kind == Kind.PERSON and before and before["staff"] != stakeholder.staff_id:
        stakeholder.known_unit_id, stakeholder.needs_review = stakeholder.staff.unit_id, ""  # type: ignore[union-attr]
    stakeholder.full_clean(exclude=["created_by"])
    stakeholder.save()
    after = audit.snapshot(stakeholder)
    if after != before:
        audit.record(actor=actor, action="update", obj=stakeholder, before=before, after=after)
    return stakeholder


@transaction.atomic
def stakeholder_deactivate(*, stakeholder: Stakeholder, actor: User | None, active: bool = False) -> Stakeholder:
    """Take a stakeholder off the register (kept, with its history), or put it back."""
    stakeholder = Stakeholder.objects.select_for_update(of=("self",)).get(pk=stakeholder.pk)
    if stakeholder.active == active:
        return stakeholder
    before = audit.snapshot(stakeholder)
    stakeholder.active = active
    stakeholder.save(update_fields=["active"])
    audit.record(actor=actor, action="update", obj=stakeholder, before=before, after=audit.snapshot(stakeholder))
    return stakeholder


@transaction.atomic
def stakeholder_review(*, stakeholder: Stakeholder, actor: User | None) -> Stakeholder:
    """Clear the HR sync's flag: the entry has been looked at. A person's
    current unit becomes the known one (the next move is noticed from it)."""
    stakeholder = Stakeholder.objects.select_for_update(of=("self",)).select_related("staff").get(pk=stakeholder.pk)
    before = audit.snapshot(stakeholder)
    stakeholder.needs_review = ""
    if stakeholder.staff_id:
        stakeholder.known_unit_id = stakeholder.staff.unit_id  # type: ignore[union-attr]
    stakeholder.save(update_fields=["needs_review", "known_unit"])
    audit.record(actor=actor, action="update", obj=stakeholder, before=before, after=audit.snapshot(stakeholder))
    return stakeholder


def sync_from_staff(staff_ids: Iterable[int] | None = None) -> int:
    """After an HR import: flag the person stakeholders who left (`LEFT`) or
    moved unit since last reviewed ("Moved from X to Y"). Their unit follows
    the staff record by itself (it is read through `staff`). Returns how
    many entries were flagged. Not a user's action: the import's own audit
    row records the import; each flag is recorded here as a system update."""
    people = Stakeholder.objects.filter(kind=Kind.PERSON, staff__isnull=False).select_related("staff__unit", "known_unit")
    if staff_ids is not None:
        people = people.filter(staff_id__in=list(staff_ids))
    today = timezone.localdate()
    flagged = 0
    with transaction.atomic():
        for stakeholder in people.select_for_update(of=("self",)).order_by("pk"):
            staff: Staff = stakeholder.staff  # type: ignore[assignment]
            left = staff.is_leaver or (staff.leave_date is not None and staff.leave_date <= today)
            if left:
                reason = LEFT
            elif stakeholder.known_unit_id is not None and stakeholder.known_unit_id != staff.unit_id:
                old = stakeholder.known_unit.name if stakeholder.known_unit else "an earlier unit"
                reason = f"Moved from {old} to {staff.unit.name}"[:200]
            elif stakeholder.known_unit_id is None:
                Stakeholder.objects.filter(pk=stakeholder.pk).update(known_unit_id=staff.unit_id)
                continue
            else:
                continue
            if stakeholder.needs_review == reason and stakeholder.name == staff.full_name:
                continue
            before = audit.snapshot(stakeholder)
            stakeholder.needs_review = reason
            stakeholder.save(update_fields=["needs_review", "name"])  # the name follows the HR record too
            audit.record(actor=None, action="update", obj=stakeholder, before=before, after=audit.snapshot(stakeholder))
            flagged += 1
    return flagged


# ---------------------------------------------------------------------------
# A programme's mapping of a stakeholder


def _check_assessment(assessment: StakeholderAssessment) -> None:
    errors: dict[str, str] = {}
    for name, label in (("influence", "Influence"), ("interest", "Interest")):
        value = getattr(assessment, name)
        if not isinstance(value, int) or not 1 <= value <= 5:
            errors[name] = f"{label} must be a whole number from 1 to 5."
    judgement = assessment.impact_judgement
    if judgement is not None and (not isinstance(judgement, int) or not 0 <= judgement <= 5):
        errors["impact_judgement"] = "The judged impact must be a whole number from 0 to 5, or blank."
    from ..models import Position

    for name in ("current_position", "target_position"):
        if getattr(assessment, name) not in Position.values:
            errors[name] = "Choose a position from strongly against to champion."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def assessment_create(*, stakeholder: Stakeholder, programme: Programme, influence: int, interest: int, actor: User | None,
                      **fields: Any) -> StakeholderAssessment:
    """Map a stakeholder for a programme (once per programme)."""
    unknown = sorted(set(fields) - set(ASSESSMENT_FIELDS))
    if unknown:
        raise ValidationError(f"These cannot be set on an assessment: {', '.join(unknown)}.")
    if not stakeholder.active:
        raise ValidationError("This stakeholder is no longer on the register.")
    if StakeholderAssessment.objects.filter(stakeholder=stakeholder, programme=programme).exists():
        raise ValidationError({"programme": f"{stakeholder} is already mapped for {programme.code}."})
    fields = {k: ("" if v is None and k == "notes" else v) for k, v in fields.items()}
    assessment = StakeholderAssessment(stakeholder=stakeholder, programme=programme, influence=influence, interest=interest, **fields)
    _check_assessment(assessment)
    assessment.full_clean()
    assessment.save()
    audit.record(actor=actor, action="create", obj=assessment, after=audit.snapshot(assessment))
    return assessment


@transaction.atomic
def assessment_update(*, assessment: StakeholderAssessment, actor: User | None, **fields: Any) -> StakeholderAssessment:
    unknown = sorted(set(fields) - set(ASSESSMENT_FIELDS))
    if unknown:
        raise ValidationError(f"These cannot be changed on an assessment: {', '.join(unknown)}.")
    assessment = StakeholderAssessment.objects.select_for_update(of=("self",)).select_related("stakeholder", "programme").get(pk=assessment.pk)
    before = audit.snapshot(assessment, exclude=("updated_at",))
    for name, value in fields.items():
        setattr(assessment, name, "" if value is None and name == "notes" else value)
    _check_assessment(assessment)
    assessment.full_clean()
    after = audit.snapshot(assessment, exclude=("updated_at",))
    if after != before:
        assessment.save()
        audit.record(actor=actor, action="update", obj=assessment, before=before, after=after)
    return assessment


@transaction.atomic
def assessment_delete(*, assessment: StakeholderAssessment, actor: User | None) -> None:
    """Remove a programme's mapping (its planned and logged engagements go with it)."""
    assessment = StakeholderAssessment.objects.select_for_update(of=("self",)).select_related("stakeholder", "programme").get(pk=assessment.pk)
    before = audit.snapshot(assessment, exclude=("updated_at",))
    audit.record(actor=actor, action="delete", obj=assessment, before=before)
    assessment.delete()


# ---------------------------------------------------------------------------
# Derived impact


@dataclass(frozen=True)
class DerivedImpact:
    """The impact the approved impact assessments put on a stakeholder."""

    severity: int | None  # None: no approved line reaches it (or not a unit, role group or person)
    headcount: int
    lines: int

    @property
    def text(self) -> str:
        if self.severity is None:
            return "None derived"
        return f"{self.severity} ({self.headcount} {'person' if self.headcount == 1 else 'people'} reached)"


NONE = DerivedImpact(None, 0, 0)


@dataclass(frozen=True)
class _Target:
    path: str | None  # None: force-wide
    role_group: str  # "" = every role group


def _target(stakeholder: Stakeholder) -> _Target | None:
    """What a stakeholder stands for in the organisation, or None."""
    if stakeholder.kind == Kind.PERSON and stakeholder.staff_id:
        staff: Staff = stakeholder.staff  # type: ignore[assignment]
        kind = staff.rank_grade.kind if staff.rank_grade_id else None  # type: ignore[union-attr]
        return _Target(staff.unit.path, role_group_for(kind))
    if stakeholder.kind == Kind.GROUP and stakeholder.group_kind in (GroupKind.UNIT, GroupKind.ROLE_GROUP):
        unit: Unit | None = stakeholder.unit
        if stakeholder.group_kind == GroupKind.UNIT and unit is None:
            return None
        return _Target(unit.path if unit is not None else None, stakeholder.role_group)
    return None


@dataclass
class _Line:
    programme_id: int
    severity: int
    paths: list[str]
    kinds: set[str]  # rank kinds; empty = every rank
    rank_ids: set[int]
    roles: set[str]


def _overlaps(line: _Line, target: _Target) -> bool:
    if target.path is not None and not any(target.path.startswith(p) or p.startswith(target.path) for p in line.paths):
        return False
    if target.role_group and line.kinds:
        return target.role_group in line.kinds
    return True


def _line_matches(line: _Line, path: str, rank_id: int | None, role: str) -> bool:
    if not any(path.startswith(p) for p in line.paths):
        return False
    if line.rank_ids and rank_id not in line.rank_ids:
        return False
    return not (line.roles and role not in line.roles)


def derived_impacts(assessments: Sequence[StakeholderAssessment], on: dt.date | None = None) -> dict[int, DerivedImpact]:
    """The derived impact of each assessment (by id), in a bounded number
    of queries whatever the number of assessments. The assessments should
    come with `stakeholder__staff__unit`, `stakeholder__staff__rank_grade`
    and `stakeholder__unit` selected (otherwise each costs a query)."""
    targets = {a.pk: _target(a.stakeholder) for a in assessments}
    programmes = {a.programme_id for a in assessments if targets[a.pk] is not None}
    if not programmes:
        return {a.pk: NONE for a in assessments}
    approved = (ImpactLine.objects.filter(assessment__programme_id__in=programmes, assessment__status=ImpactAssessment.Status.APPROVED)
                .select_related("assessment").prefetch_related("units", "rank_grades").order_by("pk"))
    lines: dict[int, list[_Line]] = defaultdict(list)
    raw: list[ImpactLine] = []
    for line in approved:
        ranks = list(line.rank_grades.all())
        paths = [u.path for u in line.units.all()]
        if not paths:
            continue
        raw.append(line)
        lines[line.assessment.programme_id].append(_Line(line.assessment.programme_id, line.severity, paths, {r.kind for r in ranks},
                                                         {r.pk for r in ranks}, set(line.roles or [])))
    # One grouped count of the staff the lines reach: by unit, rank and (when a line narrows by role) job role.
    groups: list[tuple[str, int | None, str, str, int]] = []
    if raw:
        by_role = any(line.roles for line in raw)
        reach = reduce(or_, (line.staff_q() for line in raw))
        keys = ["unit__path", "rank_grade_id", "rank_grade__kind"] + (["role"] if by_role else [])
        for row in Staff.objects.current(on).filter(reach).values(*keys).annotate(n=Count("pk")).order_by(*keys):
            groups.append((row["unit__path"], row["rank_grade_id"], role_group_for(row["rank_grade__kind"]), row.get("role") or "", row["n"]))
    matched: dict[int, list[int]] = {}  # id(line) -> the indexes of the groups it reaches
    for programme_lines in lines.values():
        for rule in programme_lines:
            matched[id(rule)] = [i for i, (path, rank, _, role, _) in enumerate(groups) if _line_matches(rule, path, rank, role)]
    result: dict[int, DerivedImpact] = {}
    for assessment in assessments:
        target = targets[assessment.pk]
        if target is None:
            result[assessment.pk] = NONE
            continue
        severity: int | None = None
        count = 0
        reached: set[int] = set()
        for rule in lines.get(assessment.programme_id, []):
            if not _overlaps(rule, target):
                continue
            inside = [i for i in matched[id(rule)]
                      if (target.path is None or groups[i][0].startswith(target.path))
                      and (not target.role_group or groups[i][2] == target.role_group)]
            if rule.roles and not inside:
                continue  # narrowed to job roles nobody in the group holds
            severity = rule.severity if severity is None else max(severity, rule.severity)
            count += 1
            reached.update(inside)
        result[assessment.pk] = DerivedImpact(severity, sum(groups[i][4] for i in reached), count) if severity is not None else NONE
    return result


def derived_impact(assessment: StakeholderAssessment) -> DerivedImpact:
    return derived_impacts([assessment])[assessment.pk]


def with_derived(assessments: Iterable[StakeholderAssessment]) -> list[StakeholderAssessment]:
    """The assessments, each with `derived` (a `DerivedImpact`) set."""
    rows = list(assessments)
    derived = derived_impacts(rows)
    for row in rows:
        row.derived = derived[row.pk]  # type: ignore[attr-defined]
    return rows


ASSESSMENT_RELATED = ("stakeholder__staff__unit", "stakeholder__staff__rank_grade", "stakeholder__unit", "programme", "owner")
