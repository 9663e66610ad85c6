"""Rehearsals and the live run: starting a run from the plan, operators
starting and finishing their tasks, the go/no-go gate from readiness,
pausing, resuming and abandoning, the projection the live page shows, the
periodic pass (late actions, communication emails), re-estimating the plan
from a rehearsal, and the post-implementation summary and log.

A run is a record of its own: `run_start` copies the plan's tasks
(`RunTask`) and links (`Run.links`) with their planned times in this run,
so editing the plan later never changes a run under way.

Rules of a run (`docs/decisions.md`, "Cutover runs"):
- A live run counts from the runbook's planned start; a rehearsal counts
  from the moment it starts, and its fixed times shift by the same offset.
- A task may start when the run is running (not paused), its fixed start
  has passed and its links allow it: FS the predecessor finished (plus the
  lag), SS the predecessor started (plus the lag). FF and SF constrain
  finishing: FF the predecessor finished, SF the predecessor started (plus
  the lag). Finishing an unstarted task starts and finishes it.
- The go/no-go gate holds a decision point in the live run until the
  wave's latest decided go/no-go review says go (or go with conditions);
  in a rehearsal the page shows the gate but does not hold the task.
- Late (the run's threshold past the planned finish, or not started that
  long after the planned start) and failed validations raise one action
  each on the programme's action log, never twice.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from changeboard.accounts.models import User
from changeboard.core import audit
from changeboard.core.models import AuditEntry, OutboxMessage
from changeboard.core.outbox import outbox_add_many
from changeboard.core.scoping import is_admin
from changeboard.core.times import clock, minutes_text, when
from changeboard.organisation.models import Staff, Unit, subtree_q
from changeboard.readiness.models import Action, CriterionStatus, Review
from changeboard.readiness.services.actions import action_create
from changeboard.readiness.services.reviews import review_blockers

from ..models import Run, Runbook, RunTask, Task, Team
from ..scheduling import Link, Node, ScheduleError, schedule
from .runbooks import local, runbook_schedule, task_save

MINUTE = dt.timedelta(minutes=1)
Kind = Task.Kind
Status = RunTask.Status
OPEN = (Run.Status.RUNNING, Run.Status.PAUSED)
GO_DECISIONS = (Review.Decision.GO, Review.Decision.CONDITIONS)
MESSAGE_KIND = "cutover-communication"


class RunConflict(ValidationError):
    """Someone else changed the task first (the API answers 409)."""


def _day(day: dt.date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else "an unrecorded date"


def _who(user: Any) -> str:
    if user is None:
        return "someone whose account was removed"
    return user.get_full_name() or user.get_username()


def _audit(run: Run, actor: Any, event: str, at: dt.datetime, obj: Any = None, **detail: Any) -> None:
    """Every run action: the event, when it happened (the run's clock) and what it changed."""
    target = obj if obj is not None else run
    audit.record(actor=actor, action="create" if event == "run started" else "update", obj=target,
                 object_repr=f"{run.runbook}: {run}" + (f": {target}" if obj is not None else ""),
                 after={"event": event, "at": at.isoformat(), "run": run.pk, **detail})


# Who may act -------------------------------------------------------------------------------------------------------


def manages(user: Any, runbook: Runbook) -> bool:
    """Admins, and the change managers of the runbook's programme."""
    if is_admin(user):
        return True
    if not user or not user.is_authenticated or getattr(user, "role", None) != "change_manager" or runbook.programme_id is None:
        return False
    return user.programmes.filter(pk=runbook.programme_id).exists()


def team_ids(user: Any) -> set[int]:
    if not user or not user.is_authenticated:
        return set()
    return set(Team.objects.filter(members=user.pk).values_list("pk", flat=True))


def owns(user: Any, run_task: RunTask, teams: set[int] | None = None) -> bool:
    """The task is the user's own, or their team's."""
    if not user or not user.is_authenticated:
        return False
    if run_task.owner_user_id == user.pk:
        return True
    return run_task.owner_team_id is not None and run_task.owner_team_id in (team_ids(user) if teams is None else teams)


def may_act(user: Any, run_task: RunTask, runbook: Runbook, teams: set[int] | None = None) -> bool:
    return bool(user and user.is_authenticated and user.is_active) and (owns(user, run_task, teams) or manages(user, runbook))


# The gate from readiness -------------------------------------------------------------------------------------------


@dataclass
class Gate:
    """Whether the wave's go/no-go decision lets a decision point finish."""

    open: bool
    reason: str
    review: Review | None = None
    blockers: list[CriterionStatus] = field(default_factory=list)


def gate(runbook: Runbook) -> Gate:
    """The latest decided go/no-go review of the runbook's wave counts: go or
    go with conditions opens the gate; no decision, or a no-go, holds it."""
    if runbook.rollout_wave_id is None:
        return Gate(False, "This runbook has no rollout wave, so no go/no-go review can open its decision points.")
    reviews = Review.objects.filter(rollout_wave_id=runbook.rollout_wave_id, checkpoint=Review.Checkpoint.GO_NO_GO).select_related(
        "rollout_wave", "programme")
    decided = reviews.exclude(decision="").order_by("-decided_at", "-pk").first()
    if decided is not None and decided.decision in GO_DECISIONS:
        return Gate(True, f"The go/no-go review decided {decided.get_decision_display().lower()} on {_day(decided.held_on)}.", decided)
    if decided is not None:
        return Gate(False, f"The go/no-go review decided no-go on {_day(decided.held_on)}: this decision point cannot be "
                           "completed until a go/no-go review decides go.", decided, review_blockers(decided))
    pending = reviews.order_by("scheduled_on", "pk").first()
    if pending is None:
        return Gate(False, f"{runbook.rollout_wave} has no go/no-go review yet: this decision point cannot be completed "
                           "until one decides go.")
    return Gate(False, "The go/no-go review has not decided yet: this decision point cannot be completed until it decides "
                       "go (or go with conditions).", pending, review_blockers(pending))


def _gate_error(found: Gate) -> ValidationError:
    text = found.reason
    if found.blockers:
        reds = "; ".join(f"{s.criterion.title} ({s.unit.name})" for s in found.blockers)
        text += f" Critical criteria at red: {reds}."
    return ValidationError(text, code="gate")


# Startability ------------------------------------------------------------------------------------------------------


@dataclass
class Wait:
    """Why a task cannot start or finish yet (empty: it can)."""

    start: list[str]
    finish: list[str]


def _links_into(run: Run) -> dict[str, list[tuple[str, str, int]]]:
    into: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
    for pred, succ, kind, lag in run.links:
        into[succ].append((pred, kind, int(lag)))
    return into


def waits(run_task: RunTask | Pending, by_ref: dict[str, Any], into: dict[str, list[tuple[str, str, int]]], now: dt.datetime) -> Wait:
    """What holds the task: its links (by type, with lag) and its fixed start.
    `by_ref` maps refs to objects with status, started_at, finished_at."""
    start: list[str] = []
    finish: list[str] = []
    if run_task.not_before and now < run_task.not_before:
        start.append(f"its fixed start, {clock(run_task.not_before)}")
    for ref, kind, lag in into.get(run_task.ref, ()):
        pred = by_ref.get(ref)
        if pred is None:
            continue
        lag_text = f" + {lag} min" if lag > 0 else (f" - {-lag} min" if lag < 0 else "")
        if kind in ("FS", "FF"):
            target = start if kind == "FS" else finish
            if pred.status != Status.DONE:
                target.append(f"{ref} to finish{lag_text}")
            elif now < pred.finished_at + lag * MINUTE:
                target.append(f"{ref} finished {clock(pred.finished_at)}{lag_text}, until {clock(pred.finished_at + lag * MINUTE)}")
        else:  # SS, SF
            target = start if kind == "SS" else finish
            if pred.status == Status.PENDING:
                target.append(f"{ref} to start{lag_text}")
            elif now < pred.started_at + lag * MINUTE:
                target.append(f"{ref} started {clock(pred.started_at)}{lag_text}, until {clock(pred.started_at + lag * MINUTE)}")
    return Wait(start, finish)


@dataclass(frozen=True)
class TaskState:
    """As much of a run task as `waits` reads of a predecessor."""

    ref: str
    status: str
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


@dataclass(frozen=True)
class Pending:
    """As much of a waiting task as `waits` reads of it."""

    pk: int
    ref: str
    not_before: dt.datetime | None


def _states(run: Run, refs: Iterable[str]) -> dict[str, TaskState]:
    """The states of the run's tasks named in `refs`, in one query reading four
    columns: a start or finish reads its predecessors only, never the whole run."""
    wanted = sorted(set(refs))
    if not wanted:
        return {}
    rows = RunTask.objects.filter(run_id=run.pk, ref__in=wanted).values_list("ref", "status", "started_at", "finished_at")
    return {ref: TaskState(ref, status, started, finished) for ref, status, started, finished in rows}


def _held(run: Run, run_task: RunTask, now: dt.datetime) -> Wait:
    """What holds one task now (its links in, its fixed start)."""
    into = _links_into(run)
    return waits(run_task, _states(run, (ref for ref, _, _ in into.get(run_task.ref, ()))), into, now)


def _refuse_unless_running(run: Run) -> None:
    if run.status == Run.Status.PAUSED:
        reason = f": {run.paused_reason}" if run.paused_reason else ""
        raise ValidationError(f"The run is paused{reason}. Tasks can be started and finished once it is resumed.")
    if run.status != Run.Status.RUNNING:
        raise ValidationError(f"The run is {run.get_status_display().lower()}: its tasks can no longer change.")


# Starting a run ----------------------------------------------------------------------------------------------------


@transaction.atomic
def run_start(*, runbook: Runbook, kind: str, actor: User | None, send_test_messages: bool = False,
              now: dt.datetime | None = None) -> Run:
    """Start a rehearsal or the live run: copy the plan with its planned times."""
    now = now or timezone.now()
    runbook = Runbook.objects.select_for_update(of=("self",)).select_related("rollout_wave").get(pk=runbook.pk)
    if kind not in Run.Kind.values:
        raise ValidationError({"kind": "Choose a rehearsal or the live run."})
    if runbook.mode in (Runbook.Mode.COMPLETE, Runbook.Mode.ABANDONED):
        raise ValidationError(f"This runbook is {runbook.get_mode_display().lower()}: it cannot be run again.")
    current = runbook.runs.filter(status__in=OPEN).first()
    if current is not None:
        raise ValidationError(f"{current} of this runbook is still {current.get_status_display().lower()}: finish or abandon "
                              "it before starting another run.")
    if kind == Run.Kind.LIVE:
        if runbook.is_template:
            raise ValidationError({"kind": "A template is only copied: it cannot have a live run. Rehearse it, or copy it "
                                           "into a programme's runbook."})
        if runbook.runs.filter(kind=Run.Kind.LIVE).exists():
            raise ValidationError({"kind": "This runbook has already had its live run."})
        if send_test_messages:
            raise ValidationError({"send_test_messages": "Test messages are for rehearsals: the live run sends the real ones."})
    try:
        planned = runbook_schedule(runbook)
    except ScheduleError as error:
        raise ValidationError(str(error)) from error
    if not planned.rows:
        raise ValidationError("This runbook has no tasks yet: add tasks before running it.")
    start = runbook.planned_start if kind == Run.Kind.LIVE else now.replace(second=0, microsecond=0)
    offset = start - runbook.planned_start
    number = runbook.runs.filter(kind=kind).count() + 1 if kind == Run.Kind.REHEARSAL else 1
    try:
        with transaction.atomic():
            run = Run.objects.create(runbook=runbook, kind=kind, number=number, status=Run.Status.RUNNING, planned_start=start,
                                     started_at=now, started_by=actor if getattr(actor, "is_authenticated", False) else None,
                                     send_test_messages=send_test_messages, late_threshold_minutes=runbook.late_threshold_minutes,
                                     links=[[link.predecessor.ref, link.successor.ref, link.link_type, link.lag_minutes]
                                            for link in planned.links])
    except IntegrityError as error:
        raise ValidationError("Another run of this runbook has just been started: open it from the runbook.") from error
    tasks = [row.task for row in planned.rows]
    audience = _audiences(tasks)
    RunTask.objects.bulk_create([
        RunTask(run=run, task=row.task, ref=row.task.ref, position=row.task.position, title=row.task.title,
                description=row.task.description, stream=row.task.stream, sub_stream=row.task.sub_stream, kind=row.task.kind,
                duration_minutes=row.task.duration_minutes, owner_user_id=row.task.owner_user_id,
                owner_team_id=row.task.owner_team_id, rollback_point=row.task.rollback_point,
                not_before=row.task.not_before + offset if row.task.not_before else None,
                due_by=row.task.due_by + offset if row.task.due_by else None,
                planned_start=row.earliest_start + offset, planned_finish=row.earliest_finish + offset,
                message_subject=row.task.message_subject, message_body=row.task.message_body,
                audience=audience.get(row.task.pk, {}))
        for row in planned.rows], batch_size=1000)
    runbook.mode = kind
    runbook.save(update_fields=["mode", "updated_at"])
    _audit(run, actor, "run started", now, kind=kind, number=number, planned_start=start.isoformat(), tasks=len(tasks),
           send_test_messages=send_test_messages)
    _after_change(run, now)
    return run


def _audiences(tasks: list[Task]) -> dict[int, dict[str, list[int]]]:
    """The communication tasks' audiences, in three queries."""
    ids = [t.pk for t in tasks if t.kind == Kind.COMMUNICATION]
    if not ids:
        return {}
    found: dict[int, dict[str, list[int]]] = {pk: {"users": [], "teams": [], "units": []} for pk in ids}
    for name, through in (("users", Task.audience_users.through), ("teams", Task.audience_teams.through),
                          ("units", Task.audience_units.through)):
        column = {"users": "user_id", "teams": "team_id", "units": "unit_id"}[name]
        for task_id, target in through.objects.filter(task_id__in=ids).values_list("task_id", column):
            found[task_id][name].append(target)
    return found


# Starting and finishing tasks --------------------------------------------------------------------------------------


def _locked(run_task: RunTask) -> tuple[Run, RunTask]:
    """The run (locked: one change at a time per run) and the task as it is now."""
    run = Run.objects.select_for_update(of=("self",)).select_related("runbook__programme", "runbook__rollout_wave").get(pk=run_task.run_id)
    fresh = RunTask.objects.select_related("owner_user", "owner_team", "started_by", "finished_by").get(pk=run_task.pk)
    return run, fresh


def _refuse_unless_may_act(actor: Any, run_task: RunTask, run: Run) -> None:
    if not may_act(actor, run_task, run.runbook):
        owner = f" It belongs to {run_task.owner_user and _who(run_task.owner_user) or run_task.owner_team or 'no one'}." if (
            run_task.owner_user_id or run_task.owner_team_id) else ""
        raise PermissionDenied(f"Only the task's owner, its team or the programme's change managers can act on {run_task.ref}.{owner}")


def _already(run_task: RunTask) -> RunConflict:
    if run_task.status == Status.DONE:
        return RunConflict(f"{run_task.ref} was already finished by {_who(run_task.finished_by)} at {clock(run_task.finished_at)}.",
                           code="conflict")
    return RunConflict(f"{run_task.ref} was already started by {_who(run_task.started_by)} at {clock(run_task.started_at)}.",
                       code="conflict")


@transaction.atomic
def run_task_start(*, run_task: RunTask, actor: User, now: dt.datetime | None = None) -> RunTask:
    """Start a task: its owner (or team), a change manager of the programme, or an admin."""
    now = now or timezone.now()
    run, fresh = _locked(run_task)
    _refuse_unless_running(run)
    _refuse_unless_may_act(actor, fresh, run)
    if fresh.status != Status.PENDING:
        raise _already(fresh)
    held = _held(run, fresh, now)
    if held.start:
        raise ValidationError(f"{fresh.ref} cannot start yet: it waits on {'; '.join(held.start)}.")
    if not RunTask.objects.filter(pk=fresh.pk, status=Status.PENDING).update(status=Status.IN_PROGRESS, started_at=now,
                                                                               started_by=actor):
        raise _already(RunTask.objects.select_related("started_by", "finished_by").get(pk=fresh.pk))
    fresh.refresh_from_db()
    _audit(run, actor, "task started", now, obj=fresh, ref=fresh.ref)
    _after_change(run, now)
    return fresh


@transaction.atomic
def run_task_finish(*, run_task: RunTask, actor: User, result: str = "", comment: str = "",
                    now: dt.datetime | None = None) -> RunTask:
    """Finish a task (starting it first if it was not started: one click).
    A validation needs pass or fail; a fail raises an action. A decision
    point in the live run needs the go/no-go review to have decided go."""
    now = now or timezone.now()
    comment = (comment or "").replace("\r\n", "\n").strip()
    run, fresh = _locked(run_task)
    _refuse_unless_running(run)
    _refuse_unless_may_act(actor, fresh, run)
    if fresh.status == Status.DONE:
        raise _already(fresh)
    if fresh.kind == Kind.VALIDATION:
        if result not in RunTask.Result.values:
            raise ValidationError({"result": f"Record whether validation {fresh.ref} passed or failed."})
        if result == RunTask.Result.FAIL and not comment:
            raise ValidationError({"comment": f"Say what failed in validation {fresh.ref}."})
    elif result:
        raise ValidationError({"result": "Only a validation task records pass or fail."})
    held = _held(run, fresh, now)
    blocking = (held.start if fresh.status == Status.PENDING else []) + held.finish
    if blocking:
        raise ValidationError(f"{fresh.ref} cannot finish yet: it waits on {'; '.join(blocking)}.")
    if fresh.kind == Kind.DECISION and run.kind == Run.Kind.LIVE:
        found = gate(run.runbook)
        if not found.open:
            raise _gate_error(found)
    starting = fresh.status == Status.PENDING
    changes: dict[str, Any] = {"status": Status.DONE, "finished_at": now, "finished_by": actor, "result": result, "comment": comment}
    if starting:
        changes.update(started_at=now, started_by=actor)
    if not RunTask.objects.filter(pk=fresh.pk, status=fresh.status).update(**changes):
        raise _already(RunTask.objects.select_related("started_by", "finished_by").get(pk=fresh.pk))
    fresh.refresh_from_db()
    if starting:
        _audit(run, actor, "task started", now, obj=fresh, ref=fresh.ref)
    _audit(run, actor, "task finished", now, obj=fresh, ref=fresh.ref, result=result, comment=comment)
    if result == RunTask.Result.FAIL:
        _raise_action(run, fresh, actor, f"Validation {fresh.ref} failed: {fresh.title}",
                      f"{run.runbook}, {run}: validation {fresh.ref} \"{fresh.title}\" failed at {when(now)}. {comment}")
    if not run.tasks.exclude(status=Status.DONE).exists():
        _complete(run, actor, now)
    else:
        _after_change(run, now)
    return fresh


def _complete(run: Run, actor: Any, now: dt.datetime) -> None:
    run.status = Run.Status.COMPLETE
    run.ended_at = now
    run.save(update_fields=["status", "ended_at"])
    if run.kind == Run.Kind.LIVE:
        Runbook.objects.filter(pk=run.runbook_id).update(mode=Runbook.Mode.COMPLETE, updated_at=timezone.now())
    _audit(run, actor, "run complete", now)


def _action_owner(run: Run, run_task: RunTask) -> Any:
    owner = run_task.owner_user
    if owner is not None and owner.is_active:
        return owner
    programme = run.runbook.programme
    lead = programme.change_lead if programme is not None else None
    return lead if lead is not None and lead.is_active else None


def _raise_action(run: Run, run_task: RunTask, actor: Any, title: str, description: str) -> Action | None:
    """One action per run task, ever (`RunTask.action`); none for a template's rehearsal (no programme)."""
    programme = run.runbook.programme
    if programme is None or run_task.action_id is not None:
        return None
    action = action_create(programme=programme, title=title[:200], description=description, due_date=timezone.localdate(),
                           owner=_action_owner(run, run_task), source=Action.Source.CUTOVER, actor=actor)
    RunTask.objects.filter(pk=run_task.pk).update(action=action)
    run_task.action = action
    return action


# Pausing, resuming, abandoning -------------------------------------------------------------------------------------


@transaction.atomic
def run_pause(*, run: Run, actor: User | None, reason: str = "", now: dt.datetime | None = None) -> Run:
    now = now or timezone.now()
    run = Run.objects.select_for_update(of=("self",)).select_related("runbook").get(pk=run.pk)
    if run.status != Run.Status.RUNNING:
        raise ValidationError(f"Only a running run can be paused: this one is {run.get_status_display().lower()}.")
    run.status = Run.Status.PAUSED
    run.paused_reason = reason.strip()
    run.save(update_fields=["status", "paused_reason"])
    _audit(run, actor, "run paused", now, reason=run.paused_reason)
    return run


@transaction.atomic
def run_resume(*, run: Run, actor: User | None, reason: str = "", now: dt.datetime | None = None) -> Run:
    now = now or timezone.now()
    run = Run.objects.select_for_update(of=("self",)).select_related("runbook").get(pk=run.pk)
    if run.status != Run.Status.PAUSED:
        raise ValidationError(f"Only a paused run can be resumed: this one is {run.get_status_display().lower()}.")
    run.status = Run.Status.RUNNING
    before = run.paused_reason
    run.paused_reason = ""
    run.save(update_fields=["status", "paused_reason"])
    _audit(run, actor, "run resumed", now, reason=reason.strip(), was_paused_for=before)
    _after_change(run, now)
    return run


@transaction.atomic
def run_abandon(*, run: Run, actor: User | None, reason: str = "", now: dt.datetime | None = None) -> Run:
    """Stop a run for good; abandoning the live run abandons the runbook."""
    now = now or timezone.now()
    run = Run.objects.select_for_update(of=("self",)).select_related("runbook").get(pk=run.pk)
    if run.status not in OPEN:
        raise ValidationError(f"This run is already {run.get_status_display().lower()}.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the run is abandoned: it is part of the record."})
    run.status = Run.Status.ABANDONED
    run.ended_at = now
    run.paused_reason = reason.strip()
    run.save(update_fields=["status", "ended_at", "paused_reason"])
    if run.kind == Run.Kind.LIVE:
        Runbook.objects.filter(pk=run.runbook_id).update(mode=Runbook.Mode.ABANDONED, updated_at=timezone.now())
    _audit(run, actor, "run abandoned", now, reason=run.paused_reason)
    return run


def runs_pause_on_no_go(*, review_id: int) -> int:
    """Pause the running live runs of the review's wave when it records a
    no-go at the go/no-go checkpoint (the system is the actor)."""
    review = Review.objects.select_related("rollout_wave").filter(pk=review_id).first()
    if review is None or review.checkpoint != Review.Checkpoint.GO_NO_GO or review.decision != Review.Decision.NO_GO:
        return 0
    paused = 0
    for run in Run.objects.filter(runbook__rollout_wave_id=review.rollout_wave_id, kind=Run.Kind.LIVE, status=Run.Status.RUNNING):
        run_pause(run=run, actor=None, reason=f"No-go recorded on {review} ({_day(review.held_on)}).")
        paused += 1
    return paused


# The projection ----------------------------------------------------------------------------------------------------


@dataclass
class TaskProjection:
    task: RunTask
    start: dt.datetime
    finish: dt.datetime
    startable: bool
    late: bool
    waiting_on: list[str]

    @property
    def slip_minutes(self) -> int:
        """Projected (or actual) finish minus planned finish, in minutes."""
        return round((self.finish - self.task.planned_finish) / MINUTE)

    @property
    def slip_text(self) -> str:
        slip = self.slip_minutes
        if slip == 0:
            return "on plan"
        return f"{minutes_text(slip)} late" if slip > 0 else f"{minutes_text(-slip)} early"


@dataclass
class RollbackPoint:
    task: RunTask
    deadline: dt.datetime
    projected: dt.datetime
    time_left_minutes: int
    passes: bool

    @property
    def time_left_text(self) -> str:
        if self.time_left_minutes < 0:
            return f"passed {minutes_text(-self.time_left_minutes)} ago"
        return minutes_text(self.time_left_minutes)


@dataclass
class StreamProgress:
    stream: str
    done: int
    total: int

    @property
    def percent(self) -> int:
        return math.floor(100 * self.done / self.total) if self.total else 0


@dataclass
class RunProjection:
    run: Run
    now: dt.datetime
    rows: list[TaskProjection]
    planned_finish: dt.datetime
    finish: dt.datetime
    streams: list[StreamProgress]
    rollback_points: list[RollbackPoint]

    @property
    def startable(self) -> list[TaskProjection]:
        return [row for row in self.rows if row.startable]

    @property
    def in_progress(self) -> list[TaskProjection]:
        return [row for row in self.rows if row.task.status == Status.IN_PROGRESS]

    @property
    def late(self) -> list[TaskProjection]:
        return [row for row in self.rows if row.late]

    @property
    def slip_minutes(self) -> int:
        return round((self.finish - self.planned_finish) / MINUTE)

    @property
    def slip_text(self) -> str:
        slip = self.slip_minutes
        if slip == 0:
            return "on plan"
        return f"{minutes_text(slip)} later than planned" if slip > 0 else f"{minutes_text(-slip)} earlier than planned"

    @property
    def done(self) -> int:
        return sum(1 for row in self.rows if row.task.status == Status.DONE)

    @property
    def passed_rollback(self) -> list[RollbackPoint]:
        return [point for point in self.rollback_points if point.passes]


def is_late(run_task: RunTask, threshold: int, now: dt.datetime) -> bool:
    """Not done, and `threshold` minutes past its planned finish, or not started that long after its planned start."""
    if run_task.status == Status.DONE:
        return False
    grace = threshold * MINUTE
    return now > run_task.planned_finish + grace or (run_task.status == Status.PENDING and now > run_task.planned_start + grace)


def late_q(threshold: int, now: dt.datetime) -> Q:
    grace = threshold * MINUTE
    return ~Q(status=Status.DONE) & (Q(planned_finish__lt=now - grace) | Q(status=Status.PENDING, planned_start__lt=now - grace))


def _floor(moment: dt.datetime, origin: dt.datetime) -> int:
    return math.floor((moment - origin) / MINUTE)


def _ceil(moment: dt.datetime, origin: dt.datetime) -> int:
    return math.ceil((moment - origin) / MINUTE)


def run_projection(run: Run, now: dt.datetime | None = None, tasks: list[RunTask] | None = None) -> RunProjection:
    """Where the run is heading: done tasks at their actuals, tasks in
    progress at their start plus duration (never before now), the rest by a
    forward pass from now (or the run's planned start, if later) over the
    remaining network, fixed starts kept."""
    now = now or timezone.now()
    if tasks is None:
        tasks = list(run.tasks.select_related("owner_user", "owner_team", "action"))
    by_ref = {t.ref: t for t in tasks}
    into = _links_into(run)
    moments = [run.planned_start, run.started_at, now, *(t.started_at for t in tasks if t.started_at)]
    origin = min(moments).replace(second=0, microsecond=0)
    at_now = _ceil(now, origin)
    not_before_run = _ceil(run.planned_start, origin)  # a live run opened early is still projected from its planned start
    nodes: list[Node] = []
    for t in tasks:
        if t.status == Status.DONE:
            begin = _floor(t.started_at, origin)  # type: ignore[arg-type]  # a done task has both actuals
            nodes.append(Node(t.ref, max(0, _ceil(t.finished_at, origin) - begin), begin))  # type: ignore[arg-type]  # as above
        elif t.status == Status.IN_PROGRESS:
            begin = _floor(t.started_at, origin)  # type: ignore[arg-type]  # a started task has its start
            nodes.append(Node(t.ref, max(t.duration_minutes, at_now - begin), begin))
        else:
            fixed = _ceil(t.not_before, origin) if t.not_before else 0
            nodes.append(Node(t.ref, t.duration_minutes, max(at_now, fixed, not_before_run)))
    links = []
    for pred, succ, kind, lag in run.links:
        target = by_ref.get(succ)
        if target is None or pred not in by_ref or target.status == Status.DONE:
            continue  # a done task is a fact
        if target.status == Status.IN_PROGRESS and kind in ("FS", "SS"):
            continue  # it has started: only what holds its finish still counts
        links.append(Link(pred, succ, kind, int(lag)))
    timings = schedule(nodes, links).timings
    rows = []
    grace = run.late_threshold_minutes
    running = run.status == Run.Status.RUNNING
    for t in tasks:
        timing = timings[t.ref]
        if t.status == Status.DONE:
            start, finish = t.started_at, t.finished_at
        elif t.status == Status.IN_PROGRESS:
            start, finish = t.started_at, max(origin + timing.ef * MINUTE, now)
        else:
            start, finish = origin + timing.es * MINUTE, origin + timing.ef * MINUTE
        held = waits(t, by_ref, into, now) if t.status == Status.PENDING else Wait([], [])
        rows.append(TaskProjection(t, start, finish, running and t.status == Status.PENDING and not held.start,  # type: ignore[arg-type]  # set for done and started tasks
                                   is_late(t, grace, now), held.start))
    planned_finish = max(t.planned_finish for t in tasks) if tasks else run.planned_start
    finish = max((row.finish for row in rows), default=now)
    streams: dict[str, StreamProgress] = {}
    for t in tasks:
        progress = streams.setdefault(t.stream, StreamProgress(t.stream, 0, 0))
        progress.total += 1
        progress.done += t.status == Status.DONE
    points = []
    for row in rows:
        if not row.task.rollback_point:
            continue
        deadline = row.task.due_by or row.task.planned_finish
        points.append(RollbackPoint(row.task, deadline, row.finish, math.floor((deadline - now) / MINUTE), row.finish > deadline))
    return RunProjection(run=run, now=now, rows=rows, planned_finish=planned_finish, finish=finish,
                         streams=sorted(streams.values(), key=lambda s: s.stream), rollback_points=points)


# The periodic pass: late actions and communication emails ----------------------------------------------------------


def _after_change(run: Run, now: dt.datetime) -> None:
    """After a start, a finish or a resume: the late actions and emails at once."""
    if run.status != Run.Status.RUNNING:
        return
    raise_late_actions(run, now)
    send_communications(run, now)


def raise_late_actions(run: Run, now: dt.datetime) -> int:
    """One action for each task late past the run's threshold (never twice)."""
    if run.runbook.programme_id is None:
        return 0
    raised = 0
    late = run.tasks.filter(late_q(run.late_threshold_minutes, now), action__isnull=True).select_related("owner_user")
    for run_task in late:
        what = "has not started" if run_task.status == Status.PENDING else "has not finished"
        planned = run_task.planned_start if run_task.status == Status.PENDING else run_task.planned_finish
        _raise_action(run, run_task, None, f"Late cutover task {run_task.ref}: {run_task.title}",
                      f"{run.runbook}, {run}: {run_task.ref} \"{run_task.title}\" {what}; planned "
                      f"{'start' if run_task.status == Status.PENDING else 'finish'} {when(planned)}, "
                      f"{run.late_threshold_minutes} min threshold passed (checked {when(now)}).")
        _audit(run, None, "late action raised", now, obj=run_task, ref=run_task.ref, action_id=run_task.action_id)
        raised += 1
    return raised


def _sends(run: Run) -> bool:
    return run.kind == Run.Kind.LIVE or run.send_test_messages


def _recipients(run: Run, run_task: RunTask) -> dict[str, str]:
    """Email address -> username or staff number, deduplicated by address.
    Live: the task's audience. A rehearsal's test messages: the runbook's own people."""
    found: dict[str, str] = {}

    def add_users(users: Iterable[User]) -> None:
        for user in users:
            if user.email and user.is_active:
                found.setdefault(user.email.lower(), user.get_username())

    if run.kind == Run.Kind.LIVE:
        audience = run_task.audience or {}
        add_users(User.objects.filter(pk__in=audience.get("users", [])))
        add_users(User.objects.filter(cutover_teams__in=audience.get("teams", [])).distinct())
        paths = list(Unit.objects.filter(pk__in=audience.get("units", [])).values_list("path", flat=True))
        if paths:
            for email, number in Staff.objects.current().filter(subtree_q(paths, "unit__path")).exclude(email="").values_list(
                    "email", "staff_number"):
                found.setdefault(email.lower(), number)
    else:
        owners = run.tasks.values("owner_user", "owner_team")
        add_users(User.objects.filter(Q(pk__in=owners.values("owner_user")) | Q(cutover_teams__in=owners.values("owner_team"))).distinct())
    return found


def send_communications(run: Run, now: dt.datetime) -> int:
    """Queue the emails of communication tasks that have become startable
    (once per task and recipient: the outbox key is stable)."""
    if run.status != Run.Status.RUNNING or not _sends(run):
        return 0
    waiting = [Pending(pk, ref, not_before) for pk, ref, not_before in run.tasks.filter(
        kind=Kind.COMMUNICATION, status=Status.PENDING, message_sent_at__isnull=True).values_list("pk", "ref", "not_before")]
    if not waiting:
        return 0
    into = _links_into(run)
    by_ref = _states(run, (ref for t in waiting for ref, _, _ in into.get(t.ref, ())))
    due = [t.pk for t in waiting if not waits(t, by_ref, into, now).start]
    queued = 0
    for run_task in run.tasks.filter(pk__in=due).order_by("position", "pk"):
        recipients = _recipients(run, run_task)
        test = run.kind == Run.Kind.REHEARSAL
        subject = f"[Test: {run}] {run_task.message_subject}" if test else run_task.message_subject
        body = run_task.message_body
        if test:
            body = (f"This is a test message from {run} of the cutover runbook \"{run.runbook}\". In the live run it goes to "
                    f"the task's audience.\n\n{body}")
        messages = [OutboxMessage(key=f"cutover-run-{run.pk}-task-{run_task.pk}-{email}"[:120], kind=MESSAGE_KIND, to_address=email,
                                  subject=subject, body=body) for email in sorted(recipients)]
        count = outbox_add_many(messages)
        RunTask.objects.filter(pk=run_task.pk).update(message_sent_at=now)
        run_task.message_sent_at = now
        _audit(run, None, "message queued", now, obj=run_task, ref=run_task.ref, recipients=len(recipients), queued=count,
               test=test)
        queued += count
    return queued


def runs_tick(now: dt.datetime | None = None) -> dict[str, int]:
    """For each running run: late actions and the emails that are due."""
    now = now or timezone.now()
    totals = {"runs": 0, "actions": 0, "messages": 0}
    for run in Run.objects.filter(status=Run.Status.RUNNING).select_related("runbook__programme"):
        with transaction.atomic():
            locked = Run.objects.select_for_update(of=("self",)).select_related("runbook__programme").get(pk=run.pk)
            if locked.status != Run.Status.RUNNING:
                continue
            totals["runs"] += 1
            totals["actions"] += raise_late_actions(locked, now)
            totals["messages"] += send_communications(locked, now)
    return totals


@task
def runs_pass() -> dict[str, int]:
    """The regular pass in the worker: late actions and communication emails."""
    return runs_tick()


# After a rehearsal -------------------------------------------------------------------------------------------------


@transaction.atomic
def runbook_reestimate(*, runbook: Runbook, run: Run, actor: User | None, refs: Iterable[str] | None = None) -> list[Task]:
    """Set the plan's durations from a rehearsal's actual minutes (all its
    finished tasks, or those in `refs`), each through `task_save` (audited,
    the network re-checked)."""
    if run.runbook_id != runbook.pk:
        raise ValidationError("That run is not of this runbook.")
    if run.kind != Run.Kind.REHEARSAL or run.is_open:
        raise ValidationError("Only a finished rehearsal can re-estimate the plan.")
    chosen = set(refs) if refs is not None else None
    plan = {t.ref: t for t in runbook.tasks.all()}
    changed = []
    for run_task in run.tasks.filter(status=Status.DONE).order_by("position", "pk"):
        if chosen is not None and run_task.ref not in chosen:
            continue
        target = plan.get(run_task.ref)
        actual = run_task.actual_minutes
        if target is None or actual is None or target.kind == Kind.MILESTONE or target.duration_minutes == actual:
            continue
        changed.append(task_save(runbook=runbook, task=target, actor=actor, duration_minutes=actual))
    if chosen is not None:
        unknown = sorted(chosen - {t.ref for t in run.tasks.all()})
        if unknown:
            raise ValidationError(f"These tasks are not in {run}: {', '.join(unknown)}.")
    return changed


@dataclass
class StreamSummary:
    stream: str
    tasks: int
    done: int
    planned_start: dt.datetime
    planned_finish: dt.datetime
    actual_start: dt.datetime | None
    actual_finish: dt.datetime | None
    planned_minutes: int
    actual_minutes: int

    @property
    def slip_minutes(self) -> int | None:
        if self.actual_finish is None or self.done < self.tasks:
            return None
        return round((self.actual_finish - self.planned_finish) / MINUTE)


@dataclass
class RunSummary:
    run: Run
    streams: list[StreamSummary]
    slipped: list[tuple[RunTask, int]]
    failed: list[RunTask]
    actions: list[Action]
    planned_finish: dt.datetime
    actual_finish: dt.datetime | None


def run_summary(run: Run) -> RunSummary:
    """The post-implementation summary: planned vs actual per stream, the ten
    tasks that slipped most (finish later than planned), failed validations
    and the actions raised."""
    tasks = list(run.tasks.select_related("action", "owner_user", "owner_team", "finished_by"))
    streams: dict[str, list[RunTask]] = defaultdict(list)
    for t in tasks:
        streams[t.stream].append(t)
    rows = []
    for name in sorted(streams):
        group = streams[name]
        starts = [t.started_at for t in group if t.started_at]
        finishes = [t.finished_at for t in group if t.finished_at]
        rows.append(StreamSummary(name, len(group), sum(t.status == Status.DONE for t in group),
                                  min(t.planned_start for t in group), max(t.planned_finish for t in group),
                                  min(starts) if starts else None, max(finishes) if finishes else None,
                                  sum(t.duration_minutes for t in group), sum(t.actual_minutes or 0 for t in group)))
    slips = [(t, round((t.finished_at - t.planned_finish) / MINUTE)) for t in tasks if t.finished_at]
    slipped = sorted((s for s in slips if s[1] > 0), key=lambda s: (-s[1], s[0].position, s[0].pk))[:10]
    finishes = [t.finished_at for t in tasks if t.finished_at]
    return RunSummary(run=run, streams=rows, slipped=slipped, failed=[t for t in tasks if t.result == RunTask.Result.FAIL],
                      actions=[t.action for t in tasks if t.action is not None],
                      planned_finish=max((t.planned_finish for t in tasks), default=run.planned_start),
                      actual_finish=max(finishes) if finishes and all(t.finished_at for t in tasks) else None)


LOG_HEADERS = ["When (Europe/London)", "Who", "What", "Task ID", "Task", "Result", "Detail"]


def run_log(run: Run) -> list[list[str]]:
    """Who did what, when, in a run: its audit rows (usernames only), oldest first."""
    titles = dict(run.tasks.values_list("pk", "title"))
    entries = AuditEntry.objects.filter(
        Q(object_type=audit.object_label(Run), object_id=str(run.pk))
        | Q(object_type=audit.object_label(RunTask), object_id__in=[str(pk) for pk in titles])).order_by("timestamp", "pk")
    rows = []
    for entry in entries:
        data = entry.after or {}
        if "event" not in data:
            continue
        at = dt.datetime.fromisoformat(data["at"]) if data.get("at") else entry.timestamp
        task_id = int(entry.object_id) if entry.object_type == audit.object_label(RunTask) else None
        detail = data.get("comment") or data.get("reason") or ""
        if data["event"] == "message queued":
            detail = f"{data.get('queued', 0)} email(s) queued{' (test)' if data.get('test') else ''}"
        elif data["event"] == "late action raised":
            detail = f"action {data.get('action_id')}"
        rows.append([local(at).isoformat(timespec="minutes") if at else "", entry.actor_name, data["event"],  # type: ignore[union-attr]  # `at` is set
                     data.get("ref", ""), titles.get(task_id, "") if task_id else "", data.get("result", ""), detail])
    return rows
