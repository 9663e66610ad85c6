"""The portfolio's cutover calendar and its conflict warnings (read-only).

Calendar: every runbook's planned window (its planned start to the
scheduled finish, as `runbooks.runbook_schedule` computes it) and every run's window (started
to ended, or to its projected finish while it is open), across the
programmes a user may see.

Conflicts, across ALL programmes (a clash is a clash whoever looks):

- overlaps: the same person (owning a task directly or through a team) or
  the same team has overlapping planned task windows in two different
  runbooks. Each resource's intervals are swept in start order, keeping the
  still-open intervals per runbook, so the cost is the sort plus the
  overlaps found, never a comparison of every task with every other.
  Windows are half-open, so back-to-back tasks do not clash; a milestone
  (no duration) never clashes.
- saturation: a runbook's planned window falls on ISO weeks in which one of
  its rollout wave's units is over its change-load tolerance on the
  heatmap (`impacts.load`: the same load, units and tolerances as the
  heatmap the user sees).

Only runbooks still to run or under way count (planning, rehearsal, live);
templates, complete and abandoned runbooks do not.

What a user is shown of the other side of an overlap (docs/decisions.md):
a clash is listed when at least one of its two tasks is in a runbook the
user may view. The side the user may not view is shown as its programme's
code and the overlapping times only: no runbook title, task ID or title.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, QuerySet

from changeboard.accounts.models import User
from changeboard.core.times import when
from changeboard.impacts import load
from changeboard.impacts.models import ImpactAssessment
from changeboard.organisation.models import Unit

from ..models import RUNBOOK_TZ, Dependency, Run, Runbook, RunTask, Task, Team
from ..scheduling import Link, Node, ScheduleError, schedule
from . import runs as run_services
from .runbooks import minutes_from

ACTIVE_MODES = (Runbook.Mode.PLANNING, Runbook.Mode.REHEARSAL, Runbook.Mode.LIVE)
MINUTE = dt.timedelta(minutes=1)


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(RUNBOOK_TZ).date()


# Schedules of many runbooks at once ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedTask:
    """A task's planned window, as much of the task as the calendar needs."""

    pk: int
    ref: str
    title: str
    duration_minutes: int
    owner_user_id: int | None
    owner_team_id: int | None
    start: dt.datetime
    finish: dt.datetime


@dataclass
class PlannedRunbook:
    """A runbook's schedule for the calendar: its window and its tasks'."""

    runbook: Runbook
    start: dt.datetime
    finish: dt.datetime
    tasks: list[PlannedTask]


def schedules(runbooks: Iterable[Runbook]) -> tuple[dict[int, PlannedRunbook], list[Runbook]]:
    """Each runbook's schedule, as `runbooks.runbook_schedule` computes it (the
    same network, in minutes from the planned start, through
    `scheduling.schedule`), from two queries in all and without building a
    model object per task or link: at met scale (2,000 tasks, 3,000 links)
    building them would cost more than the schedule itself. Returns the
    schedules by runbook id and the runbooks that cannot be scheduled."""
    books = {rb.pk: rb for rb in runbooks}
    if not books:
        return {}, []
    tasks: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for task_row in (Task.objects.filter(runbook__in=list(books)).order_by("runbook", "position", "pk")
                .values_list("runbook_id", "pk", "ref", "title", "duration_minutes", "owner_user_id", "owner_team_id", "not_before", "due_by")):
        tasks[task_row[0]].append(task_row)
    links: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for link_row in (Dependency.objects.filter(successor__runbook__in=list(books))
                .values_list("successor__runbook_id", "predecessor_id", "successor_id", "link_type", "lag_minutes")):
        links[link_row[0]].append(link_row)
    found: dict[int, PlannedRunbook] = {}
    broken: list[Runbook] = []
    for pk, runbook in books.items():
        start = runbook.planned_start
        refs = {row[1]: row[2] for row in tasks[pk]}
        nodes = [Node(ref, duration, minutes_from(start, nb), minutes_from(start, due)) for _, _, ref, _, duration, _, _, nb, due in tasks[pk]]
        edges = [Link(refs.get(p, f"#{p}"), refs.get(s, f"#{s}"), kind, lag) for _, p, s, kind, lag in links[pk]]
        try:
            result = schedule(nodes, edges)
        except ScheduleError:
            broken.append(runbook)
            continue
        timings = result.timings
        found[pk] = PlannedRunbook(runbook=runbook, start=start, finish=start + result.finish * MINUTE, tasks=[
            PlannedTask(task_pk, ref, title, duration, user, team, start + timings[ref].es * MINUTE, start + timings[ref].ef * MINUTE)
            for _, task_pk, ref, title, duration, user, team, _, _ in tasks[pk]])
    return found, broken


def active_runbooks() -> QuerySet[Runbook]:
    """Every programme's runbooks still to run or under way (unscoped: conflicts span the portfolio)."""
    return (Runbook.objects.filter(is_template=False, mode__in=ACTIVE_MODES)
            .select_related("programme", "rollout_wave").prefetch_related("rollout_wave__units"))


# The calendar --------------------------------------------------------------------------------------------------------


@dataclass
class Entry:
    """One window on the calendar: a runbook's plan, or a run."""

    runbook: Runbook
    kind: str  # "plan", "rehearsal" or "live"
    label: str
    start: dt.datetime
    finish: dt.datetime
    finish_basis: str  # "scheduled", "ended", "projected" or "planned"
    status: str
    run: Run | None = None
    conflicts: int = 0

    @property
    def programme_code(self) -> str:
        return self.runbook.programme.code if self.runbook.programme else ""

    @property
    def start_text(self) -> str:
        return when(self.start)

    @property
    def finish_text(self) -> str:
        return when(self.finish)

    @property
    def url(self) -> str:
        return (self.run if self.run is not None else self.runbook).get_absolute_url()

    @property
    def runbook_url(self) -> str:
        return self.runbook.get_absolute_url()

    def days(self) -> list[dt.date]:
        first, last = local_date(self.start), local_date(max(self.start, self.finish - MINUTE))
        return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]

    def as_dict(self) -> dict[str, Any]:
        return {"runbook": self.runbook.pk, "runbook_title": self.runbook.title, "programme": self.programme_code,
                "rollout_wave": self.runbook.rollout_wave.name if self.runbook.rollout_wave else None, "kind": self.kind,
                "label": self.label, "run": self.run.pk if self.run is not None else None, "status": self.status,
                "start": self.start.isoformat(), "finish": self.finish.isoformat(), "finish_basis": self.finish_basis,
                "start_local": self.start_text, "finish_local": self.finish_text, "conflicts": self.conflicts}


def _run_finishes(runs: list[Run], now: dt.datetime) -> dict[int, tuple[dt.datetime, str]]:
    """Where each run ends: its end, or for an open run its projection (the
    runs service's, when it has one) or else its plan's finish."""
    open_ids = [run.pk for run in runs if run.ended_at is None]
    planned = dict(RunTask.objects.filter(run__in=open_ids).values("run").annotate(end=Max("planned_finish")).values_list("run", "end"))
    project = getattr(run_services, "run_projection", None)
    result: dict[int, tuple[dt.datetime, str]] = {}
    for run in runs:
        if run.ended_at is not None:
            result[run.pk] = (run.ended_at, "ended")
            continue
        if project is not None:
            projection = project(run, now=now)
            finish = getattr(projection, "finish", None)  # RunProjection.finish: the projected finish
            if isinstance(finish, dt.datetime):
                result[run.pk] = (finish, "projected")
                continue
        result[run.pk] = (max(planned.get(run.pk) or run.started_at, run.started_at), "planned")
    return result


def calendar_entries(runbooks: Iterable[Runbook], plan_schedules: dict[int, PlannedRunbook], *,
                     now: dt.datetime) -> list[Entry]:
    """The plan window of each runbook that can be scheduled and every run of
    them, earliest first."""
    books = {rb.pk: rb for rb in runbooks}
    entries = [Entry(runbook=books[pk], kind="plan", label="Planned cutover", start=s.start, finish=s.finish, finish_basis="scheduled",
                     status=books[pk].get_mode_display()) for pk, s in plan_schedules.items() if pk in books]
    runs = list(Run.objects.filter(runbook__in=list(books)).order_by("started_at", "pk"))
    finishes = _run_finishes(runs, now)
    for run in runs:
        finish, basis = finishes[run.pk]
        entries.append(Entry(runbook=books[run.runbook_id], kind=run.kind, label=str(run), start=run.started_at, finish=finish,
                             finish_basis=basis, status=run.get_status_display(), run=run))
    entries.sort(key=lambda e: (e.start, e.finish, e.programme_code, e.runbook.title, e.kind))
    return entries


def within(entries: list[Entry], start: dt.date | None, end: dt.date | None) -> list[Entry]:
    """Entries whose window touches the days `start`..`end` (Europe/London)."""
    return [e for e in entries
            if (start is None or local_date(max(e.start, e.finish - MINUTE)) >= start) and (end is None or local_date(e.start) <= end)]


def month_grid(entries: list[Entry], month: dt.date) -> list[list[dict[str, Any]]]:
    """Weeks (Monday first) x days of `month`, each day with the entries on it."""
    first = month.replace(day=1)
    by_day: dict[dt.date, list[Entry]] = defaultdict(list)
    for entry in entries:
        for day in entry.days():
            by_day[day].append(entry)
    weeks = []
    day = first - dt.timedelta(days=first.weekday())
    while day.month == first.month or day < first:
        week = []
        for _ in range(7):
            week.append({"date": day, "in_month": day.month == first.month, "entries": by_day.get(day, [])})
            day += dt.timedelta(days=1)
        weeks.append(week)
    return weeks


# Conflicts -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """One side of an overlap: a task's planned window in its runbook."""

    runbook: Runbook
    task: PlannedTask
    start: dt.datetime
    finish: dt.datetime

    @property
    def programme_code(self) -> str:
        return self.runbook.programme.code if self.runbook.programme else ""


@dataclass
class Overlap:
    """Two tasks in different runbooks needing the same people at once."""

    first: Slot
    second: Slot
    start: dt.datetime
    finish: dt.datetime
    teams: list[Team] = field(default_factory=list)
    people: list[Any] = field(default_factory=list)

    @property
    def who(self) -> str:
        names = [f"{team.name} (team)" for team in self.teams]
        names += [person.get_full_name() or person.get_username() for person in self.people]
        return ", ".join(names)

    @property
    def minutes(self) -> int:
        return round((self.finish - self.start) / MINUTE)

    def involves(self, runbook_id: int) -> bool:
        return runbook_id in (self.first.runbook.pk, self.second.runbook.pk)


@dataclass
class Saturation:
    """A unit of a runbook's wave over its tolerance in a week of the cutover."""

    runbook: Runbook
    unit: Unit
    week: dt.date
    load: float
    tolerance: float

    @property
    def week_label(self) -> str:
        return load.week_label(self.week)


@dataclass
class Conflicts:
    overlaps: list[Overlap]
    saturated: list[Saturation]
    visible: set[int]  # runbooks the user may view: the other side of an overlap is shown in full only for these
    unscheduled: list[Runbook] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.overlaps or self.saturated)

    def count_for(self, runbook_id: int) -> int:
        return sum(1 for o in self.overlaps if o.involves(runbook_id)) + sum(1 for s in self.saturated if s.runbook.pk == runbook_id)

    def only(self, runbook_ids: set[int]) -> Conflicts:
        """The clashes involving these runbooks."""
        return Conflicts(overlaps=[o for o in self.overlaps if o.first.runbook.pk in runbook_ids or o.second.runbook.pk in runbook_ids],
                         saturated=[s for s in self.saturated if s.runbook.pk in runbook_ids], visible=self.visible,
                         unscheduled=[rb for rb in self.unscheduled if rb.pk in runbook_ids])

    def for_runbook(self, runbook_id: int) -> Conflicts:
        overlaps = [o for o in self.overlaps if o.involves(runbook_id)]
        # This runbook's side first.
        overlaps = [o if o.first.runbook.pk == runbook_id else Overlap(o.second, o.first, o.start, o.finish, o.teams, o.people)
                    for o in overlaps]
        return Conflicts(overlaps=overlaps, saturated=[s for s in self.saturated if s.runbook.pk == runbook_id], visible=self.visible)

    def rows(self) -> list[dict[str, Any]]:
        """The overlaps as the pages and API show them, the side out of the user's view redacted."""
        return [{"who": o.who, "teams": [t.name for t in o.teams], "people": [p.get_username() for p in o.people],
                 "start": o.start, "finish": o.finish, "start_local": when(o.start), "finish_local": when(o.finish),
                 "minutes": o.minutes, "tasks": [self.side(o.first), self.side(o.second)]} for o in self.overlaps]

    def side(self, slot: Slot) -> dict[str, Any]:
        shown = slot.runbook.pk in self.visible
        return {"visible": shown, "programme": slot.programme_code,
                "runbook": slot.runbook.pk if shown else None, "runbook_title": slot.runbook.title if shown else None,
                "runbook_url": slot.runbook.get_absolute_url() if shown else None,
                "ref": slot.task.ref if shown else None, "title": slot.task.title if shown else None,
                "start": slot.start, "finish": slot.finish, "start_local": when(slot.start), "finish_local": when(slot.finish)}

    def saturated_rows(self) -> list[dict[str, Any]]:
        return [{"runbook": s.runbook.pk, "runbook_title": s.runbook.title, "programme": s.runbook.programme.code if s.runbook.programme else "",
                 "unit": s.unit.pk, "unit_name": s.unit.name, "week": s.week, "week_label": s.week_label, "load": s.load,
                 "tolerance": s.tolerance} for s in self.saturated]


Resource = tuple[str, int]  # ("team", id) or ("user", id)


def _resources(task: PlannedTask, members: dict[int, list[int]]) -> list[Resource]:
    if task.owner_user_id:
        return [("user", task.owner_user_id)]
    if task.owner_team_id:
        return [("team", task.owner_team_id), *(("user", m) for m in members.get(task.owner_team_id, []))]
    return []


def sweep(intervals: list[tuple[int, int, int, Any]]) -> list[tuple[Any, Any]]:
    """Pairs of overlapping intervals `(start, finish, group, item)` in
    different groups: half-open windows, so touching ends do not overlap.
    Sorted by start; the open intervals are kept per group and pruned as
    the sweep passes their finish, so each comparison finds an overlap."""
    found: list[tuple[Any, Any]] = []
    open_by_group: dict[int, list[tuple[int, Any]]] = {}
    for start, finish, group, item in sorted(intervals, key=lambda i: (i[0], i[1])):
        if finish <= start:
            continue
        for other, still in open_by_group.items():
            if other == group or not still:
                continue
            still[:] = [(end, it) for end, it in still if end > start]
            found.extend((it, item) for _, it in still)
        open_by_group.setdefault(group, []).append((finish, item))
    return found


def overlaps(plan_schedules: dict[int, PlannedRunbook]) -> list[Overlap]:
    """Every clash of a person or team between two runbooks' planned tasks."""
    rows_by_task: dict[int, tuple[Runbook, PlannedTask]] = {}
    team_ids: set[int] = set()
    for s in plan_schedules.values():
        for task in s.tasks:
            if task.duration_minutes and (task.owner_user_id or task.owner_team_id):
                rows_by_task[task.pk] = (s.runbook, task)
                if task.owner_team_id:
                    team_ids.add(task.owner_team_id)
    members: dict[int, list[int]] = defaultdict(list)
    for team_id, user_id in Team.members.through.objects.filter(team_id__in=team_ids).values_list("team_id", "user_id"):
        members[team_id].append(user_id)
    epoch = min((s.start for s in plan_schedules.values()), default=None)
    by_resource: dict[Resource, list[tuple[int, int, int, int]]] = defaultdict(list)
    for task_id, (runbook, task) in rows_by_task.items():
        assert epoch is not None
        start, finish = round((task.start - epoch) / MINUTE), round((task.finish - epoch) / MINUTE)
        for resource in _resources(task, members):
            by_resource[resource].append((start, finish, runbook.pk, task_id))
    pairs: dict[tuple[int, int], set[Resource]] = defaultdict(set)
    for resource, intervals in by_resource.items():
        for a, b in sweep(intervals):
            pairs[(a, b) if a < b else (b, a)].add(resource)
    users = {u.pk: u for u in User.objects.filter(pk__in={rid for res in pairs.values() for kind, rid in res if kind == "user"})}
    teams = {t.pk: t for t in Team.objects.filter(pk__in={rid for res in pairs.values() for kind, rid in res if kind == "team"})}
    found = []
    for (a, b), resources in pairs.items():
        (book_a, row_a), (book_b, row_b) = rows_by_task[a], rows_by_task[b]
        if (row_a.start, book_a.pk) > (row_b.start, book_b.pk):
            (book_a, row_a), (book_b, row_b) = (book_b, row_b), (book_a, row_a)
        shared_teams = sorted((teams[rid] for kind, rid in resources if kind == "team"), key=lambda t: t.name)
        # A team on both sides says it: its members are not listed again.
        through_teams = {m for t in shared_teams for m in members.get(t.pk, [])}
        people = sorted((users[rid] for kind, rid in resources if kind == "user" and rid not in through_teams),
                        key=lambda u: (u.get_full_name() or u.get_username()).lower())
        found.append(Overlap(first=Slot(book_a, row_a, row_a.start, row_a.finish), second=Slot(book_b, row_b, row_b.start, row_b.finish),
                             start=max(row_a.start, row_b.start), finish=min(row_a.finish, row_b.finish),
                             teams=shared_teams, people=people))
    found.sort(key=lambda o: (o.start, o.finish, o.first.programme_code, o.first.task.ref, o.second.task.ref))
    return found


def iso_weeks(start: dt.datetime, finish: dt.datetime) -> list[dt.date]:
    """The Mondays of the ISO weeks a window touches (Europe/London dates)."""
    first = load.monday(local_date(start))
    last = load.monday(local_date(max(start, finish - MINUTE)))
    return [first + dt.timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]


def saturation(plan_schedules: dict[int, PlannedRunbook], user: Any) -> list[Saturation]:
    """Unit-weeks of each runbook's wave and window over tolerance on the
    heatmap the user sees: one heatmap (`load.compute`) over every wave unit
    the user may see and every week any window touches."""
    weeks_of: dict[int, list[dt.date]] = {}
    unit_ids: set[int] = set()
    for pk, s in plan_schedules.items():
        wave = s.runbook.rollout_wave
        if wave is None:
            continue
        weeks_of[pk] = iso_weeks(s.start, s.finish)
        unit_ids.update(u.pk for u in wave.units.all())
    if not weeks_of or not unit_ids:
        return []
    units = list(Unit.objects.restrict(user).filter(pk__in=unit_ids).order_by("path"))
    if not units:
        return []
    all_weeks = [w for weeks in weeks_of.values() for w in weeks]
    filters = load.LoadFilters(start=min(all_weeks), end=max(all_weeks))
    heatmap = load.compute(filters, units, ImpactAssessment.objects.counting_load(user))
    week_index = {w: i for i, w in enumerate(heatmap.weeks)}
    saturated = heatmap.saturated
    found = []
    for pk, weeks in weeks_of.items():
        runbook = plan_schedules[pk].runbook
        wave_units = {u.pk for u in runbook.rollout_wave.units.all()} if runbook.rollout_wave else set()
        for unit in units:
            if unit.pk not in wave_units:
                continue
            i = heatmap.row(unit)
            for week in weeks:
                w = week_index[week]
                if saturated[i, w]:
                    cell = heatmap.cell(i, w)
                    found.append(Saturation(runbook=runbook, unit=unit, week=week, load=cell["load"], tolerance=cell["tolerance"]))
    found.sort(key=lambda s: (s.runbook.planned_start, s.runbook.pk, s.week, s.unit.path))
    return found


def visible_runbook_ids(user: Any) -> set[int]:
    return set(Runbook.objects.restrict(user).values_list("pk", flat=True))


def portfolio_conflicts(user: Any, *, plan_schedules: dict[int, PlannedRunbook] | None = None,
                        visible: set[int] | None = None) -> Conflicts:
    """Every clash the user should be warned of: overlaps with at least one
    side in a runbook they may view, and saturated unit-weeks of the
    runbooks they may view."""
    visible = visible_runbook_ids(user) if visible is None else visible
    broken: list[Runbook] = []
    if plan_schedules is None:
        plan_schedules, broken = schedules(active_runbooks())
    found = [o for o in overlaps(plan_schedules) if o.first.runbook.pk in visible or o.second.runbook.pk in visible]
    mine = {pk: s for pk, s in plan_schedules.items() if pk in visible}
    return Conflicts(overlaps=found, saturated=saturation(mine, user), visible=visible,
                     unscheduled=[rb for rb in broken if rb.pk in visible])


def runbook_conflicts(runbook: Runbook, user: Any) -> Conflicts:
    """The clashes of one runbook, for its page (`cutover/_runbook_conflicts.html`):
    its tasks against every other active runbook's, and its wave's
    saturated unit-weeks. Nothing for a template, or a runbook that is
    complete or abandoned."""
    visible = visible_runbook_ids(user)
    if runbook.is_template or runbook.mode not in ACTIVE_MODES or runbook.pk not in visible:
        return Conflicts(overlaps=[], saturated=[], visible=visible)
    plan_schedules, _ = schedules(active_runbooks())
    if runbook.pk not in plan_schedules:
        return Conflicts(overlaps=[], saturated=[], visible=visible, unscheduled=[runbook])
    found = Conflicts(overlaps=[o for o in overlaps(plan_schedules) if o.involves(runbook.pk)],
                      saturated=saturation({runbook.pk: plan_schedules[runbook.pk]}, user), visible=visible)
    return found.for_runbook(runbook.pk)


def portfolio_calendar(user: Any, runbooks: Iterable[Runbook], *, start: dt.date | None, end: dt.date | None,
                       now: dt.datetime) -> tuple[list[Entry], Conflicts]:
    """The calendar's windows of `runbooks` (already narrowed to what the user
    may view, and by any filters) between `start` and `end`, and the
    conflicts of the runbooks shown; one schedule per runbook, computed once."""
    books = [rb for rb in runbooks if not rb.is_template]
    active = list(active_runbooks())
    every = {rb.pk: rb for rb in active}
    every.update((rb.pk, rb) for rb in books)
    plans, broken = schedules(every.values())
    shown = {rb.pk for rb in books}
    entries = within(calendar_entries(books, {pk: s for pk, s in plans.items() if pk in shown}, now=now), start, end)
    active_ids = {rb.pk for rb in active}
    conflicts = portfolio_conflicts(user, plan_schedules={pk: s for pk, s in plans.items() if pk in active_ids},
                                    visible=visible_runbook_ids(user))
    conflicts = conflicts.only({e.runbook.pk for e in entries if e.kind == "plan"})
    conflicts.unscheduled = [rb for rb in broken if rb.pk in shown]
    for entry in entries:
        if entry.kind == "plan":
            entry.conflicts = conflicts.count_for(entry.runbook.pk)
    return entries, conflicts
