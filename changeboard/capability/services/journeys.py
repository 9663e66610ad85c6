"""User journeys: every write to a journey, its stages, steps and
touchpoints. Each service is keyword-only, runs in one transaction and
writes one audit row per change; bad input raises `ValidationError` naming
the field.

A touchpoint links by id to a real record **of the journey's programme**:

- `message`: an `engagement.Message` of the programme;
- `activity`: a `network.Activity` of the programme;
- `task`: a `cutover.Task` whose runbook belongs to the programme;
- `course`: a course code the readiness app knows (a `TrainingRecord`'s
  course, or one named on a readiness criterion of the programme).

An unknown id, or a record of another programme, is refused with a message
naming the problem. The touchpoint's `label` is filled from the record (and
kept if the record is removed later).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Model

from changeboard.accounts.models import User
from changeboard.core import audit
from changeboard.core.params import parse_id
from changeboard.cutover.models import Task
from changeboard.engagement.models import Message
from changeboard.network.models import Activity
from changeboard.organisation.models import Unit
from changeboard.portfolio.models import Programme
from changeboard.readiness.models import Criterion, TrainingRecord
from changeboard.surveys.models import Adkar, RoleGroup

from ..models import Emotion, Journey, Stage, Step, Touchpoint, TouchpointKind

JOURNEY_FIELDS = ("title", "persona", "persona_description", "role_group", "fill_from_survey")
STEP_FIELDS = ("name", "today", "tomorrow", "pain_points", "adkar", "emotion")
UP, DOWN = "up", "down"


# ---------------------------------------------------------------------------
# Checks


def _text(value: Any, field: str, label: str, *, max_length: int, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({field: f"Enter the {label}."})
    if len(text) > max_length:
        raise ValidationError({field: f"The {label} can be at most {max_length} characters."})
    return text


def _check_journey(values: dict[str, Any]) -> None:
    values["title"] = _text(values.get("title"), "title", "title", max_length=200)
    values["persona"] = _text(values.get("persona"), "persona", "persona", max_length=120)
    values["persona_description"] = str(values.get("persona_description") or "").strip()
    role_group = values.get("role_group") or ""
    if role_group and role_group not in RoleGroup.values:
        raise ValidationError({"role_group": "Choose one of the role groups, or leave it blank for every role group."})
    values["role_group"] = role_group
    values["fill_from_survey"] = bool(values.get("fill_from_survey"))


def _check_units(units: Iterable[Any]) -> list[Unit]:
    chosen = list(units)
    if not chosen:
        raise ValidationError({"units": "Choose at least one unit the persona works in."})
    if not all(isinstance(u, Unit) for u in chosen):
        raise ValidationError({"units": "Choose units from the organisation."})
    return chosen


def _check_step(values: dict[str, Any]) -> None:
    values["name"] = _text(values.get("name"), "name", "step name", max_length=160)
    for field in ("today", "tomorrow", "pain_points"):
        values[field] = str(values.get(field) or "").strip()
    adkar = values.get("adkar") or ""
    if adkar and adkar not in Adkar.values:
        raise ValidationError({"adkar": "Choose an ADKAR element, or leave it blank."})
    values["adkar"] = adkar
    emotion = values.get("emotion")
    if emotion in ("", None):
        values["emotion"] = None
    else:
        try:
            emotion = int(emotion)
        except (TypeError, ValueError):
            emotion = None
        if emotion not in Emotion.values:
            raise ValidationError({"emotion": "Choose an emotion from very negative (-2) to very positive (+2), or leave it blank."})
        values["emotion"] = emotion


# ---------------------------------------------------------------------------
# Journeys


@transaction.atomic
def journey_create(*, programme: Programme, title: str, persona: str, units: Iterable[Unit], persona_description: str = "",
                   role_group: str = "", fill_from_survey: bool = True, actor: User | None) -> Journey:
    values: dict[str, Any] = {"title": title, "persona": persona, "persona_description": persona_description, "role_group": role_group,
                              "fill_from_survey": fill_from_survey}
    _check_journey(values)
    chosen = _check_units(units)
    journey = Journey.objects.create(programme=programme, created_by=actor if actor is not None and actor.is_authenticated else None, **values)
    journey.units.set(chosen)
    audit.record(actor=actor, action="create", obj=journey, after=audit.snapshot(journey))
    return journey


@transaction.atomic
def journey_update(*, journey: Journey, actor: User | None, units: Iterable[Unit] | None = None, **changes: Any) -> Journey:
    unknown = set(changes) - set(JOURNEY_FIELDS)
    if unknown:
        raise ValidationError(f"These cannot be changed: {', '.join(sorted(unknown))}.")
    before = audit.snapshot(journey)
    values = {f: getattr(journey, f) for f in JOURNEY_FIELDS} | changes
    _check_journey(values)
    for field, value in values.items():
        setattr(journey, field, value)
    journey.save()
    if units is not None:
        journey.units.set(_check_units(units))
    audit.record(actor=actor, action="update", obj=journey, before=before, after=audit.snapshot(journey))
    return journey


def _delete(item: Model, actor: User | None) -> None:
    audit.record(actor=actor, action="delete", obj=item, before=audit.snapshot(item))
    item.delete()


@transaction.atomic
def journey_delete(*, journey: Journey, actor: User | None) -> None:
    _delete(journey, actor)


# ---------------------------------------------------------------------------
# Stages and steps


def _next_order(siblings: Any) -> int:
    return int(siblings.aggregate(m=Max("order"))["m"] or 0) + 1


def _moved[M: Stage | Step](item: M, siblings: Any, direction: str, actor: User | None) -> M:
    """`item` moved up or down among `siblings` (a queryset, locked here), audited when it moved."""
    before = audit.snapshot(item)
    if _move(item, list(siblings.select_for_update().order_by("order", "id")), direction):
        item.refresh_from_db()
        audit.record(actor=actor, action="update", obj=item, before=before, after=audit.snapshot(item))
    return item


def _move(item: Model, siblings: list[Any], direction: str) -> bool:
    """Swap `item` with its neighbour and number the siblings 1..n; False at an end."""
    if direction not in (UP, DOWN):
        raise ValidationError("Move up or down.")
    index = next(i for i, s in enumerate(siblings) if s.pk == item.pk)
    other = index - 1 if direction == UP else index + 1
    if other < 0 or other >= len(siblings):
        return False
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for number, sibling in enumerate(siblings, start=1):
        if sibling.order != number:
            sibling.order = number
            sibling.save(update_fields=["order"])
    return True


@transaction.atomic
def stage_add(*, journey: Journey, name: str, actor: User | None) -> Stage:
    stage = Stage.objects.create(journey=journey, name=_text(name, "name", "stage name", max_length=120),
                                 order=_next_order(journey.stages.all()))
    audit.record(actor=actor, action="create", obj=stage, after=audit.snapshot(stage))
    return stage


@transaction.atomic
def stage_update(*, stage: Stage, name: str, actor: User | None) -> Stage:
    before = audit.snapshot(stage)
    stage.name = _text(name, "name", "stage name", max_length=120)
    stage.save()
    audit.record(actor=actor, action="update", obj=stage, before=before, after=audit.snapshot(stage))
    return stage


@transaction.atomic
def stage_delete(*, stage: Stage, actor: User | None) -> None:
    _delete(stage, actor)


@transaction.atomic
def stage_move(*, stage: Stage, direction: str, actor: User | None) -> Stage:
    return _moved(stage, Stage.objects.filter(journey_id=stage.journey_id), direction, actor)


@transaction.atomic
def step_add(*, stage: Stage, name: str, actor: User | None, today: str = "", tomorrow: str = "", pain_points: str = "",
             adkar: str = "", emotion: int | None = None) -> Step:
    values: dict[str, Any] = {"name": name, "today": today, "tomorrow": tomorrow, "pain_points": pain_points, "adkar": adkar, "emotion": emotion}
    _check_step(values)
    step = Step.objects.create(stage=stage, order=_next_order(stage.steps.all()), **values)
    audit.record(actor=actor, action="create", obj=step, after=audit.snapshot(step))
    return step


@transaction.atomic
def step_update(*, step: Step, actor: User | None, **changes: Any) -> Step:
    unknown = set(changes) - set(STEP_FIELDS)
    if unknown:
        raise ValidationError(f"These cannot be changed: {', '.join(sorted(unknown))}.")
    before = audit.snapshot(step)
    values = {f: getattr(step, f) for f in STEP_FIELDS} | changes
    _check_step(values)
    for field, value in values.items():
        setattr(step, field, value)
    step.save()
    audit.record(actor=actor, action="update", obj=step, before=before, after=audit.snapshot(step))
    return step


@transaction.atomic
def step_delete(*, step: Step, actor: User | None) -> None:
    _delete(step, actor)


@transaction.atomic
def step_move(*, step: Step, direction: str, actor: User | None) -> Step:
    return _moved(step, Step.objects.filter(stage_id=step.stage_id), direction, actor)


# ---------------------------------------------------------------------------
# Touchpoints


def courses(programme: Programme) -> list[str]:
    """The course codes a touchpoint may name: those on the programme's
    readiness criteria, then those in the training records."""
    named = Criterion.objects.filter(programme=programme).exclude(course="").values_list("course", flat=True)
    recorded = TrainingRecord.objects.values_list("course", flat=True)
    return sorted(set(named) | set(recorded))


def resolve(*, programme: Programme, kind: str, ref: str) -> tuple[str, str]:
    """The ref (normalised) and label of the record a touchpoint names, or a
    ValidationError on `ref` saying what is wrong."""
    ref = str(ref or "").strip()
    if kind not in TouchpointKind.values:
        raise ValidationError({"kind": "Choose what kind of touchpoint this is."})
    if not ref:
        raise ValidationError({"ref": "Enter the id of the record (a course's code)."})
    if kind == TouchpointKind.COURSE:
        if len(ref) > 40:
            raise ValidationError({"ref": "A course code has at most 40 characters."})
        criterion = Criterion.objects.filter(programme=programme, course=ref).order_by("pk").first()
        if criterion is None and not TrainingRecord.objects.filter(course=ref).exists():
            raise ValidationError({"ref": f"No training course has the code {ref}: use a code from the training records "
                                          "or a readiness criterion of this programme."})
        return ref, f"Course {ref}" + (f": {criterion.title}" if criterion is not None else "")
    pk = parse_id(ref)
    if pk is None:
        raise ValidationError({"ref": "Enter the record's id: a number, e.g. 42."})
    record: Any
    if kind == TouchpointKind.MESSAGE:
        record = Message.objects.filter(pk=pk).only("pk", "programme_id", "title").first()
        noun, programme_id = "communication", getattr(record, "programme_id", None)
        label = record.title if record is not None else ""
    elif kind == TouchpointKind.ACTIVITY:
        record = Activity.objects.filter(pk=pk).first()
        noun, programme_id = "champion activity", getattr(record, "programme_id", None)
        label = str(record) if record is not None else ""
    else:
        record = Task.objects.filter(pk=pk).select_related("runbook").first()
        noun, programme_id = "cutover task", record.runbook.programme_id if record is not None else None
        label = f"{record.ref} {record.title}" if record is not None else ""
    if record is None:
        raise ValidationError({"ref": f"There is no {noun} with the id {pk}."})
    if programme_id != programme.pk:
        raise ValidationError({"ref": f"The {noun} {pk} belongs to another programme: link only this programme's records."})
    return str(pk), label[:200]


@transaction.atomic
def touchpoint_add(*, step: Step, kind: str, ref: str, actor: User | None) -> Touchpoint:
    programme = step.stage.journey.programme
    ref, label = resolve(programme=programme, kind=kind, ref=ref)
    if Touchpoint.objects.filter(step=step, kind=kind, ref=ref).exists():
        raise ValidationError({"ref": "This step already has this touchpoint."})
    touchpoint = Touchpoint.objects.create(step=step, kind=kind, ref=ref, label=label)
    audit.record(actor=actor, action="create", obj=touchpoint, after=audit.snapshot(touchpoint))
    return touchpoint


@transaction.atomic
def touchpoint_delete(*, touchpoint: Touchpoint, actor: User | None) -> None:
    _delete(touchpoint, actor)
