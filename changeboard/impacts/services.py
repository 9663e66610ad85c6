"""Writes to impact assessments, each audited, plus the derived reach."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.tasks import task
from django.utils import timezone

from changeboard.core import audit
from changeboard.organisation.models import RankGrade, Staff, Unit
from changeboard.portfolio import services as portfolio_services
from changeboard.portfolio.models import Programme, RolloutWave

from .models import ImpactAssessment, ImpactLine, ImpactReach, LineDimension, LoadTolerance, WaveMoveProposal

Status = ImpactAssessment.Status


def _line_snapshot(line: ImpactLine) -> dict[str, Any]:
    data = audit.snapshot(line, exclude=("reached_roles",)) or {}
    data["dimensions"] = {d.dimension: {"current": d.current_state, "future": d.future_state, "gap": d.gap} for d in line.dimensions.all()}
    return data


# ---------------------------------------------------------------- assessments


@transaction.atomic
def assessment_create(*, programme: Programme, title: str, actor: Any) -> ImpactAssessment:
    assessment = ImpactAssessment.objects.create(programme=programme, title=title, created_by=actor if getattr(actor, "pk", None) else None)
    audit.record(actor=actor, action="create", obj=assessment, after=audit.snapshot(assessment))
    return assessment


def _require_draft(assessment: ImpactAssessment) -> None:
    if assessment.status != Status.DRAFT:
        raise ValidationError("Only a draft can be changed. Start a new version to change an approved assessment.")


def _transition(assessment: ImpactAssessment, actor: Any, status: str, **fields: Any) -> ImpactAssessment:
    before = audit.snapshot(assessment)
    assessment.status = status
    for name, value in fields.items():
        setattr(assessment, name, value)
    assessment.save()
    audit.record(actor=actor, action="update", obj=assessment, before=before, after=audit.snapshot(assessment))
    return assessment


@transaction.atomic
def assessment_update(*, assessment: ImpactAssessment, title: str, actor: Any) -> ImpactAssessment:
    _require_draft(assessment)
    return _transition(assessment, actor, assessment.status, title=title)


@transaction.atomic
def assessment_submit(*, assessment: ImpactAssessment, actor: Any) -> ImpactAssessment:
    _require_draft(assessment)
    if not assessment.lines.exists():
        raise ValidationError("Add at least one impact line before submitting.")
    return _transition(assessment, actor, Status.SUBMITTED, submitted_at=timezone.now(),
                       submitted_by=actor if getattr(actor, "pk", None) else None)


SELF_APPROVAL = "You submitted this assessment, so someone else must approve it: the programme's change lead or a portfolio administrator."


def is_own_submission(assessment: ImpactAssessment, user: Any) -> bool:
    """Whether `user` submitted this assessment (nobody approves their own)."""
    return bool(user is not None and getattr(user, "pk", None) and assessment.submitted_by_id == user.pk)


def can_approve(assessment: ImpactAssessment, user: Any) -> bool:
    """The programme's change lead approves (portfolio admins may too), but
    never the person who submitted it, admins included. No user means the
    system itself (the seed, operators' commands)."""
    if user is None:
        return True
    if is_own_submission(assessment, user):
        return False
    return bool(user.is_authenticated and (user.role == "admin" or assessment.programme.change_lead_id == user.pk))


@transaction.atomic
def assessment_approve(*, assessment: ImpactAssessment, actor: Any) -> ImpactAssessment:
    if assessment.status != Status.SUBMITTED:
        raise ValidationError("Only a submitted assessment can be approved.")
    if is_own_submission(assessment, actor):
        raise PermissionDenied(SELF_APPROVAL)
    if not can_approve(assessment, actor):
        raise PermissionDenied("Only the programme's change lead can approve its impact assessment.")
    for old in ImpactAssessment.objects.filter(lineage=assessment.lineage, status=Status.APPROVED).exclude(pk=assessment.pk):
        _transition(old, actor, Status.SUPERSEDED)
    return _transition(assessment, actor, Status.APPROVED, approved_by=actor, approved_at=timezone.now())


@transaction.atomic
def assessment_return(*, assessment: ImpactAssessment, actor: Any) -> ImpactAssessment:
    """Send a submitted assessment back to draft for more work."""
    if assessment.status != Status.SUBMITTED:
        raise ValidationError("Only a submitted assessment can be returned to draft.")
    return _transition(assessment, actor, Status.DRAFT, submitted_at=None, submitted_by=None)


@transaction.atomic
def assessment_new_version(*, assessment: ImpactAssessment, actor: Any) -> ImpactAssessment:
    """A new draft copying an approved version's lines; the approved one stays
    in force until the new version is approved."""
    if assessment.status != Status.APPROVED:
        raise ValidationError("New versions start from the approved assessment.")
    if ImpactAssessment.objects.filter(lineage=assessment.lineage, status__in=[Status.DRAFT, Status.SUBMITTED]).exists():
        raise ValidationError("A newer draft of this assessment already exists.")
    latest = ImpactAssessment.objects.filter(lineage=assessment.lineage).order_by("-version").first()
    draft = ImpactAssessment.objects.create(
        programme=assessment.programme, title=assessment.title, lineage=assessment.lineage,
        version=(latest.version if latest else assessment.version) + 1, previous=assessment,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    for line in assessment.lines.prefetch_related("units", "rank_grades", "dimensions"):
        copy = ImpactLine.objects.create(
            assessment=draft, title=line.title, roles=line.roles, severity=line.severity, start_date=line.start_date,
            end_date=line.end_date, wave=line.wave, weeks_before_go_live=line.weeks_before_go_live,
            weeks_after_go_live=line.weeks_after_go_live, hours_per_person=line.hours_per_person,
            mitigations=line.mitigations, owner=line.owner,
        )
        copy.units.set(line.units.all())
        copy.rank_grades.set(line.rank_grades.all())
        LineDimension.objects.bulk_create([
            LineDimension(line=copy, dimension=d.dimension, current_state=d.current_state, future_state=d.future_state, gap=d.gap)
            for d in line.dimensions.all()
        ])
        reach_refresh(copy)
    audit.record(actor=actor, action="create", obj=draft, after={**(audit.snapshot(draft) or {}), "copied_from": assessment.pk})
    return draft


# ---------------------------------------------------------------- lines


def _validate_line(fields: dict[str, Any], units: list[Unit]) -> None:
    errors: dict[str, str] = {}
    if not units:
        errors["units"] = "Choose at least one impacted unit."
    severity = fields.get("severity")
    if severity is None or not 0 <= int(severity) <= 5:
        errors["severity"] = "Severity must be from 0 to 5."
    if fields.get("wave") is not None:
        if int(fields.get("weeks_before_go_live") or 0) + int(fields.get("weeks_after_go_live", 4) or 0) == 0:
            errors["weeks_after_go_live"] = "A line tied to a wave needs at least one week before or after go-live."
    else:
        start, end = fields.get("start_date"), fields.get("end_date")
        if not start or not end:
            errors["start_date"] = "Give a start and end date, or tie the line to a rollout wave."
        elif end < start:
            errors["end_date"] = "The end date must be on or after the start date."
    if Decimal(fields.get("hours_per_person") or 0) < 0:
        errors["hours_per_person"] = "Hours cannot be negative."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def line_save(
    *,
    assessment: ImpactAssessment,
    actor: Any,
    units: Iterable[Unit],
    rank_grades: Iterable[RankGrade] = (),
    dimensions: dict[str, dict[str, str]] | None = None,
    line: ImpactLine | None = None,
    **fields: Any,
) -> ImpactLine:
    """Create or update a line. `dimensions` maps a dimension code to its
    current state, future state and gap."""
    _require_draft(assessment)
    units = list(units)
    _validate_line(fields, units)
    wave = fields.get("wave")
    if wave is not None and wave.programme_id != assessment.programme_id:
        raise ValidationError({"wave": "Choose a rollout wave of this programme."})
    creating = line is None
    line = line or ImpactLine(assessment=assessment)
    before = None if creating else _line_snapshot(line)
    for name, value in fields.items():
        setattr(line, name, value)
    if wave is not None:
        line.start_date = line.end_date = None
    line.full_clean(exclude=["reached_roles"])
    line.save()
    line.units.set(units)
    line.rank_grades.set(list(rank_grades))
    if dimensions is not None:
        line.dimensions.all().delete()
        LineDimension.objects.bulk_create([
            LineDimension(line=line, dimension=code, current_state=v.get("current", ""), future_state=v.get("future", ""), gap=v.get("gap", ""))
            for code, v in dimensions.items()
        ])
    reach_refresh(line)
    audit.record(actor=actor, action="create" if creating else "update", obj=line, before=before, after=_line_snapshot(line))
    return line


@transaction.atomic
def line_delete(*, line: ImpactLine, actor: Any) -> None:
    _require_draft(line.assessment)
    audit.record(actor=actor, action="delete", obj=line, before=_line_snapshot(line))
    line.delete()


# ---------------------------------------------------------------- reach


def _unit_ids_by_path() -> dict[str, int]:
    return dict(Unit.objects.values_list("path", "pk"))


def reach_refresh(line: ImpactLine, unit_ids: dict[str, int] | None = None) -> None:
    """Recount the current staff a line impacts, per unit and every unit
    above them, and per job role. Two grouped queries; no staff rows."""
    unit_ids = unit_ids if unit_ids is not None else _unit_ids_by_path()
    impacted = Staff.objects.current().filter(line.staff_q())
    by_unit = impacted.values("unit__path").annotate(n=Count("pk")).values_list("unit__path", "n")
    totals: dict[int, int] = defaultdict(int)
    step = Unit.steplen
    for path, n in by_unit:
        for end in range(step, len(path) + 1, step):
            ancestor = unit_ids.get(path[:end])
            if ancestor is not None:
                totals[ancestor] += n
    ImpactReach.objects.filter(line=line).delete()
    ImpactReach.objects.bulk_create([ImpactReach(line=line, unit_id=u, headcount=n) for u, n in totals.items()], batch_size=2000)
    roles = dict(impacted.values("role").annotate(n=Count("pk")).values_list("role", "n"))
    ImpactLine.objects.filter(pk=line.pk).update(reached_roles={r or "(no role recorded)": n for r, n in roles.items()})


def reach_refresh_all() -> int:
    """Recount every line (after an HR import). Returns the lines counted."""
    unit_ids = _unit_ids_by_path()
    lines = list(ImpactLine.objects.exclude(assessment__status=Status.SUPERSEDED).prefetch_related("units", "rank_grades"))
    with transaction.atomic():
        for line in lines:
            reach_refresh(line, unit_ids)
    return len(lines)


@task
def refresh_all_reach() -> int:
    """Recount every impact line's reach in the worker, after the staff changed."""
    return reach_refresh_all()


def line_headcount(line: ImpactLine) -> int:
    """Current people the line impacts: every impacted person sits under the
    root unit, so the largest reach row is the total."""
    return max((r.headcount for r in line.reach.all()), default=0)


# ---------------------------------------------------------------- tolerance and proposals


@transaction.atomic
def tolerance_set(*, unit: Unit | None, tolerance: Decimal, actor: Any) -> LoadTolerance:
    obj, created = LoadTolerance.objects.get_or_create(unit=unit, defaults={"tolerance": tolerance})
    before = None if created else audit.snapshot(obj)
    obj.tolerance = tolerance
    obj.full_clean()
    obj.save()
    audit.record(actor=actor, action="create" if created else "update", obj=obj, before=before, after=audit.snapshot(obj))
    return obj


@transaction.atomic
def proposal_create(*, wave: RolloutWave, proposed_date: Any, actor: Any, note: str = "", saturated_before: int | None = None,
                    saturated_after: int | None = None) -> WaveMoveProposal:
    """Save a what-if move, with its effect when known: saturated unit-weeks
    before and after (issue 18)."""
    proposal = WaveMoveProposal.objects.create(wave=wave, proposed_date=proposed_date, original_date=wave.go_live_date, note=note,
                                               saturated_before=saturated_before, saturated_after=saturated_after,
                                               proposed_by=actor if getattr(actor, "pk", None) else None)
    audit.record(actor=actor, action="create", obj=proposal, after=audit.snapshot(proposal))
    return proposal


@transaction.atomic
def proposal_decide(*, proposal: WaveMoveProposal, apply: bool, actor: Any) -> WaveMoveProposal:
    """Apply (moves the wave through the portfolio service) or discard."""
    if proposal.status != WaveMoveProposal.Status.PROPOSED:
        raise ValidationError("This proposal has already been decided.")
    before = audit.snapshot(proposal)
    if apply:
        wave = proposal.wave
        portfolio_services.wave_save(programme=wave.programme, wave=wave, units=wave.units.all(), actor=actor, go_live_date=proposal.proposed_date)
    proposal.status = WaveMoveProposal.Status.APPLIED if apply else WaveMoveProposal.Status.DISCARDED
    proposal.save()
    audit.record(actor=actor, action="update", obj=proposal, before=before, after=audit.snapshot(proposal))
    return proposal


# ---------------------------------------------------------------- reading helpers (no writes)


def _day(value: Any) -> str:
    from django.utils import dateformat

    return dateformat.format(value, "j M Y")


def _weeks(n: int) -> str:
    return f"{n} week{'s' if n != 1 else ''}"


def line_period_text(line: ImpactLine) -> str:
    """The period a line applies, in words: its dates, or its wave with the
    weeks around go-live and the dates that gives today."""
    period = line.period()
    if line.wave_id:
        wave = line.wave
        assert wave is not None  # the line has a wave_id
        head = f"{wave.name}: {_weeks(line.weeks_before_go_live)} before to {_weeks(line.weeks_after_go_live)} after go-live on {_day(wave.go_live_date)}"
        return f"{head}, i.e. {_day(period[0])} to {_day(period[1])}" if period else head
    if period:
        return f"{_day(period[0])} to {_day(period[1])}"
    return "No period set"


def _line_facts(line: ImpactLine) -> dict[str, str]:
    """What a reader compares between two versions of a line, as text."""
    from .models import Dimension, Severity

    facts = {
        "Title": line.title,
        "Units": "; ".join(sorted(u.full_path for u in line.units.all())),
        "Job roles": "; ".join(sorted(line.roles or [])) or "Every role",
        "Ranks or grades": "; ".join(sorted(r.name for r in line.rank_grades.all())) or "Every rank and grade",
        "Severity": Severity(line.severity).label,
        "Period": line_period_text(line),
        "Hours per person": f"{line.hours_per_person}",
        "Mitigations": line.mitigations,
        "Owner": line.owner,
    }
    dims = {d.dimension: d for d in line.dimensions.all()}
    facts["Dimensions"] = "; ".join(str(label) for code, label in Dimension.choices if code in dims) or "None"
    for code, label in Dimension.choices:
        d = dims.get(code)
        if d is None:
            continue
        facts[f"{label}: current state"] = d.current_state
        facts[f"{label}: future state"] = d.future_state
        facts[f"{label}: gap"] = d.gap
    return facts


def assessment_changes(old: ImpactAssessment | None, new: ImpactAssessment) -> dict[str, Any]:
    """What changed from one version to the next: lines added, removed and
    changed (field by field, before and after). Lines are matched by title
    (in order, where a title repeats), since a new version copies its lines;
    a renamed line therefore shows as one removed and one added."""
    prefetch = ("units", "rank_grades", "dimensions")
    new_lines = list(new.lines.select_related("wave").prefetch_related(*prefetch).order_by("id"))
    old_lines = list(old.lines.select_related("wave").prefetch_related(*prefetch).order_by("id")) if old else []
    by_title: dict[str, list[ImpactLine]] = defaultdict(list)
    for line in old_lines:
        by_title[line.title.strip().casefold()].append(line)
    added: list[ImpactLine] = []
    changed: list[dict[str, Any]] = []
    unchanged = 0
    for line in new_lines:
        candidates = by_title.get(line.title.strip().casefold())
        if not candidates:
            added.append(line)
            continue
        before_line = candidates.pop(0)
        before, after = _line_facts(before_line), _line_facts(line)
        fields = [(name, before.get(name, ""), after.get(name, "")) for name in dict.fromkeys([*before, *after]) if before.get(name, "") != after.get(name, "")]
        if fields:
            changed.append({"old": before_line, "new": line, "fields": fields})
        else:
            unchanged += 1
    removed = [line for lines in by_title.values() for line in lines]
    header = []
    if old and old.title != new.title:
        header.append(("Title", old.title, new.title))
    return {"previous": old, "added": added, "removed": removed, "changed": changed, "unchanged": unchanged, "header": header,
            "any": bool(added or removed or changed or header)}
