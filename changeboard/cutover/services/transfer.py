"""Importing a runbook's tasks in one go (from a spreadsheet or an MS
Project file, `cutover.importing`): upsert by task ID.

- a task whose ID is already in the runbook is updated (it keeps its
  history: its runs, its audience, the columns the file does not have);
- a task with a new ID is added;
- a task of the runbook whose ID is not in the file is removed (the preview
  lists them before anything is saved);
- the predecessors of every task in the file are replaced by the file's.

One transaction, written in bulk (`bulk_create`, `bulk_update`), the
network re-scheduled before it commits (refused, naming the tasks, when it
cannot be), and one audit row for the whole import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from changeboard.accounts.models import User
from changeboard.core import audit

from ..models import Dependency, Runbook, Task
from ..scheduling import ScheduleError
from .runbooks import _check_schedulable, _check_task, compute

IMPORT_MODES = (Runbook.Mode.PLANNING, Runbook.Mode.REHEARSAL)
BATCH = 500
# The task fields an import may set (model field names).
IMPORT_FIELDS = ("title", "description", "stream", "sub_stream", "kind", "duration_minutes", "owner_user", "owner_team",
                 "not_before", "due_by", "rollback_point", "outline_level", "message_subject", "message_body")

ATTNAMES = {"owner_user": "owner_user_id", "owner_team": "owner_team_id"}


@dataclass
class ImportedTask:
    """One task of a file: its ID, the fields the file gives (the rest are
    kept on an existing task, the defaults on a new one) and its
    predecessors as `(ref, type, lag)` (None: the file has no predecessors)."""

    ref: str
    values: dict[str, Any]
    predecessors: list[tuple[str, str, int]] | None = None


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    removed: list[str] = field(default_factory=list)
    links: int = 0


def refuse_unless_importable(runbook: Runbook) -> None:
    if runbook.mode not in IMPORT_MODES:
        raise ValidationError(f"Tasks can be imported only while a runbook is in planning or rehearsal; this one is "
                              f"{runbook.get_mode_display().lower()}.")


def _named(task: Task, error: ValidationError) -> ValidationError:
    return ValidationError(f"Task {task.ref}: {' '.join(error.messages)}")


@transaction.atomic
def runbook_import_tasks(*, runbook: Runbook, tasks: list[ImportedTask], actor: User | None,
                         source: dict[str, Any] | None = None) -> ImportResult:
    """Upsert the file's tasks by ID, remove the runbook's tasks not in it and
    replace the predecessors the file gives; refused (nothing written) with
    a ValidationError naming the task when a task or the network is wrong.
    Only what changes is written (`updated` counts the file's tasks that
    were already there)."""
    runbook = Runbook.objects.select_for_update().get(pk=runbook.pk)
    refuse_unless_importable(runbook)
    refs = [item.ref for item in tasks]
    if len(set(refs)) != len(refs):
        raise ValidationError("The file names a task ID twice.")
    unknown = sorted(set(tasks[0].values) - set(IMPORT_FIELDS)) if tasks else []
    if unknown:
        raise ValidationError(f"These cannot be imported on a task: {', '.join(unknown)}.")
    existing = {task.ref: task for task in runbook.tasks.all()}
    in_file = set(refs)
    result = ImportResult(removed=[ref for ref in existing if ref not in in_file])
    if result.removed:
        Task.objects.filter(runbook=runbook, ref__in=result.removed).delete()
    new: list[Task] = []
    kept: list[Task] = []
    changed: dict[str, set[str]] = {}  # ref -> the fields that change
    for position, item in enumerate(tasks, start=1):
        task = existing.get(item.ref)
        if task is None:
            task = Task(runbook=runbook, ref=item.ref)
            new.append(task)
        else:
            kept.append(task)
        fields = {**item.values, "position": position * 10}
        for name, value in fields.items():
            value = value.strip() if isinstance(value, str) else value
            attname = ATTNAMES.get(name, name)
            if attname != name:
                value = getattr(value, "pk", None)  # an owner: compared and set by id
            current = getattr(task, attname)
            if current != value:
                setattr(task, attname, value)
                changed.setdefault(task.ref, set()).add(attname)
        if task.kind == Task.Kind.MILESTONE and "duration_minutes" not in item.values and task.duration_minutes:
            task.duration_minutes = 0
            changed.setdefault(task.ref, set()).add("duration_minutes")
        if task.kind == Task.Kind.COMMUNICATION and not task.message_subject:
            task.message_subject = task.title  # the subject until someone words it
            changed.setdefault(task.ref, set()).add("message_subject")
        try:
            task.clean_fields(exclude=["runbook", "owner_user", "owner_team"])
            _check_task(task)
        except ValidationError as error:
            raise _named(task, error) from error
    updated = [task for task in kept if task.ref in changed]
    if updated:
        # One update per set of changed fields: a file that moves a few tasks writes a few rows.
        by_fields: dict[tuple[str, ...], list[Task]] = {}
        for task in updated:
            by_fields.setdefault(tuple(sorted(changed[task.ref])), []).append(task)
        for names, group in by_fields.items():
            Task.objects.bulk_update(group, list(names), batch_size=BATCH)
    Task.objects.bulk_create(new, batch_size=BATCH)
    by_ref = {task.ref: task for task in (*kept, *new)}
    relinked = [item for item in tasks if item.predecessors is not None]
    successors = [by_ref[item.ref].pk for item in relinked]
    for start in range(0, len(successors), BATCH):
        Dependency.objects.filter(successor_id__in=successors[start:start + BATCH]).delete()
    links = []
    for item in relinked:
        successor = by_ref[item.ref]
        for ref, kind, lag in item.predecessors or []:
            predecessor = by_ref.get(ref)
            if predecessor is None:
                raise ValidationError(f"Task {item.ref} waits on {ref}, which is not a task in the file.")
            if predecessor.pk == successor.pk:
                raise ValidationError(f"Task {item.ref} cannot depend on itself.")
            links.append(Dependency(predecessor=predecessor, successor=successor, link_type=kind, lag_minutes=lag))
    Dependency.objects.bulk_create(links, batch_size=BATCH)
    if len(relinked) == len(tasks):
        # Every task's links came from the file: the plan is in hand, scheduled without reading it back.
        try:
            compute(runbook, [*kept, *new], links)
        except ScheduleError as error:
            raise ValidationError(str(error)) from error
    else:
        _check_schedulable(runbook)
    result.created, result.updated, result.links = len(new), len(kept), len(links)
    audit.record(actor=actor, action="import", obj=runbook,
                 after={"created": result.created, "updated": result.updated, "removed": len(result.removed),
                        "removed_ids": result.removed[:200], "links": result.links, **(source or {})})
    return result
