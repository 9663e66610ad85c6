"""Writes to a runbook's plan (the runbook, its tasks and links, copies) and
the one way to read its schedule.

Every write re-schedules the whole network inside its transaction and is
refused (rolled back, with a message naming the tasks) when the network can
no longer be scheduled: a loop, a link to a task elsewhere, or a fixed time
that cannot be met. So a saved plan is always schedulable, and the schedule
itself is never stored: `runbook_schedule` computes it on every read.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q, QuerySet

from changeboard.accounts.models import User
from changeboard.core import audit
from changeboard.core.models import AuditEntry
from changeboard.portfolio.models import Programme, RolloutWave

from ..models import RUNBOOK_TZ, Dependency, LinkType, Runbook, Task, Team
from ..scheduling import Link, Node, Schedule, ScheduleError, Timing, parse_predecessors, schedule

MINUTE = dt.timedelta(minutes=1)
FROZEN_MODES = (Runbook.Mode.COMPLETE, Runbook.Mode.ABANDONED)
TASK_FIELDS = ("ref", "position", "outline_level", "title", "description", "stream", "sub_stream", "kind", "duration_minutes",
               "owner_user", "owner_team", "not_before", "due_by", "rollback_point", "message_subject", "message_body")
RUNBOOK_FIELDS = ("title", "description", "planned_start", "late_threshold_minutes")


def minutes_from(start: dt.datetime, moment: dt.datetime | None) -> int | None:
    """Whole minutes from `start` to `moment` (rounded up: a fixed start is never brought forward)."""
    if moment is None:
        return None
    return math.ceil((moment - start) / MINUTE)


def local(moment: dt.datetime | None) -> dt.datetime | None:
    """A stored (UTC) time in the runbook's timezone, Europe/London."""
    return moment.astimezone(RUNBOOK_TZ) if moment is not None else None


# Reading the schedule ------------------------------------------------------------------------------------------------


@dataclass
class TaskTiming:
    """One task's place in the schedule, as times."""

    task: Task
    timing: Timing
    earliest_start: dt.datetime
    earliest_finish: dt.datetime
    latest_start: dt.datetime
    latest_finish: dt.datetime

    @property
    def float_minutes(self) -> int:
        return self.timing.float

    @property
    def critical(self) -> bool:
        return self.timing.critical


@dataclass
class RunbookSchedule:
    runbook: Runbook
    start: dt.datetime
    finish: dt.datetime
    rows: list[TaskTiming]
    critical_path: list[TaskTiming]
    links: list[Dependency]

    @property
    def rollback_points(self) -> list[TaskTiming]:
        return [row for row in self.rows if row.task.rollback_point]

    @property
    def duration_minutes(self) -> int:
        return round((self.finish - self.start) / MINUTE)


def network(tasks: list[Task], links: list[Dependency], start: dt.datetime) -> tuple[list[Node], list[Link]]:
    """The scheduler's view of a plan: minutes from `start`."""
    refs = {task.pk: task.ref for task in tasks}
    nodes = [Node(task.ref, task.duration_minutes, minutes_from(start, task.not_before), minutes_from(start, task.due_by))
             for task in tasks]
    edges = [Link(refs.get(link.predecessor_id, f"#{link.predecessor_id}"), refs.get(link.successor_id, f"#{link.successor_id}"),
                  link.link_type, link.lag_minutes) for link in links]
    return nodes, edges


def plan(runbook: Runbook) -> tuple[list[Task], list[Dependency]]:
    tasks = list(runbook.tasks.select_related("owner_user", "owner_team").order_by("position", "pk"))
    links = list(Dependency.objects.filter(successor__runbook=runbook).select_related("predecessor", "successor"))
    return tasks, links


def compute(runbook: Runbook, tasks: list[Task], links: list[Dependency]) -> RunbookSchedule:
    """The schedule of a plan; raises `ScheduleError` naming the tasks."""
    start = runbook.planned_start
    nodes, edges = network(tasks, links, start)
    result: Schedule = schedule(nodes, edges)
    by_ref = {task.ref: task for task in tasks}
    rows = []
    for task in tasks:
        t = result.timings[task.ref]
        rows.append(TaskTiming(task, t, start + t.es * MINUTE, start + t.ef * MINUTE, start + t.ls * MINUTE, start + t.lf * MINUTE))
    row_of = {row.task.ref: row for row in rows}
    return RunbookSchedule(runbook=runbook, start=start, finish=start + result.finish * MINUTE, rows=rows,
                           critical_path=[row_of[ref] for ref in result.critical_path if ref in by_ref], links=links)


def runbook_schedule(runbook: Runbook) -> RunbookSchedule:
    """The runbook's schedule, computed now from its tasks and links."""
    tasks, links = plan(runbook)
    return compute(runbook, tasks, links)


def _check_schedulable(runbook: Runbook) -> None:
    try:
        runbook_schedule(runbook)
    except ScheduleError as error:
        raise ValidationError(str(error)) from error


def _refuse_if_frozen(runbook: Runbook) -> None:
    if runbook.mode in FROZEN_MODES:
        raise ValidationError(f"This runbook is {runbook.get_mode_display().lower()}: its plan is a record and cannot change.")


# Runbooks -------------------------------------------------------------------------------------------------------------


def _check_wave(programme: Programme | None, rollout_wave: RolloutWave | None, is_template: bool) -> None:
    if is_template:
        if programme is not None or rollout_wave is not None:
            raise ValidationError("A template belongs to no programme or rollout wave.")
        return
    if programme is None or rollout_wave is None:
        raise ValidationError({"rollout_wave": "Choose the rollout wave this cutover takes live."})
    if rollout_wave.programme_id != programme.pk:
        raise ValidationError({"rollout_wave": "That rollout wave belongs to another programme."})


def _runbook_new(*, title: str, planned_start: dt.datetime, actor: User | None, programme: Programme | None,
                 rollout_wave: RolloutWave | None, is_template: bool, description: str, late_threshold_minutes: int,
                 copied_from: Runbook | None = None) -> Runbook:
    _check_wave(programme, rollout_wave, is_template)
    runbook = Runbook(programme=programme, rollout_wave=rollout_wave, is_template=is_template, title=title.strip(),
                      description=description.strip(), planned_start=planned_start, late_threshold_minutes=late_threshold_minutes,
                      created_by=actor if getattr(actor, "is_authenticated", False) else None, copied_from=copied_from)
    runbook.full_clean()
    runbook.save()
    return runbook


@transaction.atomic
def runbook_create(*, title: str, planned_start: dt.datetime, actor: User | None, programme: Programme | None = None,
                   rollout_wave: RolloutWave | None = None, is_template: bool = False, description: str = "",
                   late_threshold_minutes: int = 30) -> Runbook:
    runbook = _runbook_new(title=title, planned_start=planned_start, actor=actor, programme=programme, rollout_wave=rollout_wave,
                           is_template=is_template, description=description, late_threshold_minutes=late_threshold_minutes)
    audit.record(actor=actor, action="create", obj=runbook, after=audit.snapshot(runbook))
    return runbook


@transaction.atomic
def runbook_update(*, runbook: Runbook, actor: User | None, **fields: Any) -> Runbook:
    """Change a runbook's title, description, planned start or late threshold;
    moving the planned start re-checks the fixed times against it."""
    unknown = sorted(set(fields) - set(RUNBOOK_FIELDS))
    if unknown:
        raise ValidationError(f"These cannot be changed on a runbook: {', '.join(unknown)}.")
    runbook = Runbook.objects.select_for_update().get(pk=runbook.pk)
    _refuse_if_frozen(runbook)
    before = audit.snapshot(runbook)
    for name, value in fields.items():
        setattr(runbook, name, value.strip() if isinstance(value, str) else value)
    runbook.full_clean()
    runbook.save()
    _check_schedulable(runbook)
    audit.record(actor=actor, action="update", obj=runbook, before=before, after=audit.snapshot(runbook))
    return runbook


@transaction.atomic
def runbook_delete(*, runbook: Runbook, actor: User | None) -> None:
    """Only a runbook that has never been run can be deleted: a run is a record."""
    runbook = Runbook.objects.select_for_update().get(pk=runbook.pk)
    if runbook.runs.exists():
        raise ValidationError("This runbook has been rehearsed or run: it is a record and cannot be deleted.")
    audit.record(actor=actor, action="delete", obj=runbook, before=audit.snapshot(runbook))
    runbook.delete()


@transaction.atomic
def runbook_copy(*, source: Runbook, title: str, planned_start: dt.datetime, actor: User | None,
                 programme: Programme | None = None, rollout_wave: RolloutWave | None = None, is_template: bool = False) -> Runbook:
    """A new runbook in planning with the source's tasks and links; fixed
    times move with the planned start, so they keep their place in the plan."""
    copy = _runbook_new(title=title, planned_start=planned_start, actor=actor, programme=programme, rollout_wave=rollout_wave,
                        is_template=is_template, description=source.description,
                        late_threshold_minutes=source.late_threshold_minutes, copied_from=source)
    shift = planned_start - source.planned_start
    tasks, links = plan(source)
    new_ids: dict[int, Task] = {}
    for task in tasks:
        clone = Task(runbook=copy, **{name: getattr(task, name) for name in TASK_FIELDS})
        clone.not_before = task.not_before + shift if task.not_before else None
        clone.due_by = task.due_by + shift if task.due_by else None
        new_ids[task.pk] = clone
    Task.objects.bulk_create(new_ids.values())
    for task in tasks:
        clone = new_ids[task.pk]
        clone.audience_users.set(task.audience_users.all())
        clone.audience_teams.set(task.audience_teams.all())
        clone.audience_units.set(task.audience_units.all())
    Dependency.objects.bulk_create(Dependency(predecessor=new_ids[link.predecessor_id], successor=new_ids[link.successor_id],
                                              link_type=link.link_type, lag_minutes=link.lag_minutes) for link in links)
    _check_schedulable(copy)
    audit.record(actor=actor, action="create", obj=copy, after={**(audit.snapshot(copy) or {}), "tasks": len(tasks), "links": len(links)})
    return copy


@transaction.atomic
def runbook_save_as_template(*, source: Runbook, title: str, actor: User | None) -> Runbook:
    """A template (no programme, no wave) from a runbook's plan, keeping its
    planned start, so its fixed times keep their place."""
    return runbook_copy(source=source, title=title, planned_start=source.planned_start, actor=actor, is_template=True)


def runbook_history(runbook: Runbook) -> QuerySet[AuditEntry]:
    """The audit rows of the runbook and of its tasks and links (every task
    and link row carries its runbook's id, so deleted ones are found too),
    newest first."""
    pk = runbook.pk
    own = Q(object_type="cutover.runbook", object_id=str(pk))
    parts = Q(object_type__in=["cutover.task", "cutover.dependency"]) & (Q(after__runbook=pk) | Q(before__runbook=pk))
    return AuditEntry.objects.filter(own | parts).order_by("-timestamp", "-pk")


# Tasks ----------------------------------------------------------------------------------------------------------------


def next_position(runbook: Runbook) -> int:
    return (runbook.tasks.aggregate(top=Max("position"))["top"] or 0) + 10


def _check_task(task: Task) -> None:
    ref = task.ref or ""
    if not ref or any(ch.isspace() or ch in ",;" for ch in ref) or not ref.isprintable():
        raise ValidationError({"ref": "Enter an ID without spaces, commas or semicolons, e.g. T-010."})
    if task.kind == Task.Kind.MILESTONE and task.duration_minutes:
        raise ValidationError({"duration_minutes": "A milestone takes no time: its duration is 0."})
    if task.rollback_point and task.kind != Task.Kind.MILESTONE:
        raise ValidationError({"rollback_point": "Only a milestone can be a rollback point."})
    if task.not_before and task.due_by and task.not_before + task.duration_minutes * MINUTE > task.due_by:
        raise ValidationError({"due_by": f"Task {task.ref} cannot start at its fixed start and finish by its due time."})
    if task.kind == Task.Kind.COMMUNICATION and not task.message_subject.strip():
        raise ValidationError({"message_subject": "A communication task needs the subject of its message."})
    if task.owner_user_id and task.owner_team_id:
        raise ValidationError({"owner_team": "A task is owned by a person or by a team, not both."})


def _task_write(*, runbook: Runbook, task: Task | None, audience_users: Any, audience_teams: Any, audience_units: Any,
                fields: dict[str, Any]) -> tuple[Task, dict[str, Any] | None]:
    """Write a task (not yet re-scheduled); answers it and its audit snapshot before."""
    unknown = sorted(set(fields) - set(TASK_FIELDS))
    if unknown:
        raise ValidationError(f"These cannot be set on a task: {', '.join(unknown)}.")
    _refuse_if_frozen(runbook)
    if task is None:
        task = Task(runbook=runbook, position=next_position(runbook))
        before = None
    else:
        task = Task.objects.get(pk=task.pk, runbook=runbook)
        before = audit.snapshot(task)
    for name, value in fields.items():
        setattr(task, name, value.strip() if isinstance(value, str) else value)
    if task.kind == Task.Kind.MILESTONE and "duration_minutes" not in fields:
        task.duration_minutes = 0
    _check_task(task)
    task.full_clean()
    task.save()
    for name, value in (("audience_users", audience_users), ("audience_teams", audience_teams), ("audience_units", audience_units)):
        if value is not None:
            getattr(task, name).set(value)
    return task, before


@transaction.atomic
def task_save(*, runbook: Runbook, actor: User | None, task: Task | None = None, audience_users: Any = None,
              audience_teams: Any = None, audience_units: Any = None, **fields: Any) -> Task:
    """Add a task (`task` None) or change one; the network must still schedule."""
    runbook = Runbook.objects.select_for_update().get(pk=runbook.pk)
    saved, before = _task_write(runbook=runbook, task=task, audience_users=audience_users, audience_teams=audience_teams,
                                audience_units=audience_units, fields=fields)
    _check_schedulable(runbook)
    audit.record(actor=actor, action="update" if before else "create", obj=saved, before=before, after=audit.snapshot(saved))
    return saved


@transaction.atomic
def task_save_with_predecessors(*, runbook: Runbook, actor: User | None, predecessors: str | None, task: Task | None = None,
                                audience_users: Any = None, audience_teams: Any = None, audience_units: Any = None,
                                **fields: Any) -> Task:
    """Add or change a task and replace its predecessors, written as people
    write them (`scheduling.parse_predecessors`: "T-010, T-020SS+15"), in one
    transaction: the network is scheduled once, with both changes, and the
    whole change is refused (nothing saved) when it cannot be. `predecessors`
    None leaves the task's links as they are."""
    runbook = Runbook.objects.select_for_update().get(pk=runbook.pk)
    saved, before = _task_write(runbook=runbook, task=task, audience_users=audience_users, audience_teams=audience_teams,
                                audience_units=audience_units, fields=fields)
    audit.record(actor=actor, action="update" if before else "create", obj=saved, before=before, after=audit.snapshot(saved))
    if predecessors is not None:
        known = set(runbook.tasks.values_list("ref", flat=True))
        try:
            parsed = parse_predecessors(predecessors, known)
        except ScheduleError as error:
            raise ValidationError({"predecessors": str(error)}) from error
        _set_predecessors(runbook=runbook, task=saved, predecessors=parsed, actor=actor)
    _check_schedulable(runbook)
    return saved


@transaction.atomic
def task_delete(*, task: Task, actor: User | None) -> None:
    """Delete a task and its links (the tasks around it simply lose them)."""
    runbook = Runbook.objects.select_for_update().get(pk=task.runbook_id)
    _refuse_if_frozen(runbook)
    audit.record(actor=actor, action="delete", obj=task, before=audit.snapshot(task))
    task.delete()


@transaction.atomic
def dependency_save(*, predecessor: Task, successor: Task, actor: User | None, link_type: str = LinkType.FS,
                    lag_minutes: int = 0, dependency: Dependency | None = None) -> Dependency:
    """Add a link (or change one); refused when it closes a loop, joins two
    runbooks or makes a fixed time impossible, naming the tasks."""
    if predecessor.runbook_id != successor.runbook_id:
        raise ValidationError(f"Tasks {predecessor.ref} and {successor.ref} are in different runbooks: a link stays in one.")
    if predecessor.pk == successor.pk:
        raise ValidationError(f"Task {predecessor.ref} cannot depend on itself.")
    if link_type not in LinkType.values:
        raise ValidationError({"link_type": "Choose finish-to-start, start-to-start, finish-to-finish or start-to-finish."})
    runbook = Runbook.objects.select_for_update().get(pk=successor.runbook_id)
    _refuse_if_frozen(runbook)
    if dependency is None:
        dependency = Dependency.objects.filter(predecessor=predecessor, successor=successor).first()
    if dependency is not None and dependency.pk and (dependency.predecessor_id, dependency.successor_id) != (predecessor.pk, successor.pk) \
            and Dependency.objects.filter(predecessor=predecessor, successor=successor).exclude(pk=dependency.pk).exists():
        raise ValidationError(f"{successor.ref} already waits on {predecessor.ref}.")
    before = {**(audit.snapshot(dependency) or {}), "runbook": runbook.pk} if dependency is not None and dependency.pk else None
    dependency = dependency or Dependency()
    dependency.predecessor, dependency.successor = predecessor, successor
    dependency.link_type, dependency.lag_minutes = link_type, lag_minutes
    dependency.save()
    _check_schedulable(runbook)
    audit.record(actor=actor, action="update" if before else "create", obj=dependency, before=before,
                 after={**(audit.snapshot(dependency) or {}), "runbook": runbook.pk})
    return dependency


def _set_predecessors(*, runbook: Runbook, task: Task, predecessors: list[tuple[str, str, int]], actor: User | None) -> list[Dependency]:
    """Replace the links (not yet re-scheduled), auditing the change on the task."""
    by_ref = {t.ref: t for t in runbook.tasks.all()}
    unknown = [ref for ref, _, _ in predecessors if ref not in by_ref]
    if unknown:
        raise ValidationError({"predecessors": f"These predecessors are not tasks in this runbook: {', '.join(unknown)}."})
    if any(ref == task.ref for ref, _, _ in predecessors):
        raise ValidationError({"predecessors": f"Task {task.ref} cannot depend on itself."})
    bad_types = [ref for ref, kind, _ in predecessors if kind not in LinkType.values]
    if bad_types:
        raise ValidationError({"predecessors": f"Use FS, SS, FF or SF for the link to {', '.join(bad_types)}."})
    before = sorted([link.predecessor.ref, link.link_type, link.lag_minutes]
                    for link in task.predecessor_links.select_related("predecessor"))
    task.predecessor_links.all().delete()
    links = Dependency.objects.bulk_create(Dependency(predecessor=by_ref[ref], successor=task, link_type=kind, lag_minutes=lag)
                                           for ref, kind, lag in predecessors)
    after = sorted([ref, kind, lag] for ref, kind, lag in predecessors)
    if before != after:
        audit.record(actor=actor, action="update", obj=task, before={"runbook": runbook.pk, "predecessors": before},
                     after={"runbook": runbook.pk, "predecessors": after})
    return links


@transaction.atomic
def task_set_predecessors(*, task: Task, predecessors: list[tuple[str, str, int]], actor: User | None) -> list[Dependency]:
    """Replace a task's predecessor links with `(ref, type, lag)` triples
    (as `scheduling.parse_predecessors` reads them), in one transaction:
    refused, naming the tasks, for an unknown ID or a network that no longer
    schedules."""
    runbook = Runbook.objects.select_for_update().get(pk=task.runbook_id)
    _refuse_if_frozen(runbook)
    links = _set_predecessors(runbook=runbook, task=task, predecessors=predecessors, actor=actor)
    _check_schedulable(runbook)
    return links


@transaction.atomic
def dependency_delete(*, dependency: Dependency, actor: User | None) -> None:
    runbook = Runbook.objects.select_for_update().get(pk=dependency.successor.runbook_id)
    _refuse_if_frozen(runbook)
    audit.record(actor=actor, action="delete", obj=dependency, before={**(audit.snapshot(dependency) or {}), "runbook": runbook.pk})
    dependency.delete()


# Teams ----------------------------------------------------------------------------------------------------------------


@transaction.atomic
def team_save(*, name: str, actor: User | None, team: Team | None = None, description: str = "", members: Any = None) -> Team:
    before = audit.snapshot(team) if team is not None else None
    team = team or Team()
    team.name, team.description = name.strip(), description.strip()
    team.full_clean()
    team.save()
    if members is not None:
        team.members.set(members)
    audit.record(actor=actor, action="update" if before else "create", obj=team, before=before, after=audit.snapshot(team))
    return team
