"""SLA clocks in the support team's working hours, computed from a query's
history (`QueryEvent`), never stored: changing a period's working hours or
its targets recomputes every figure.

Working time
    A period's support team works `working_days` (ISO weekdays) from
    `day_starts` to `day_ends`, Europe/London local time, and (when
    `bank_holidays`) not on England and Wales bank holidays, taken from the
    maintained `holidays` library (`holidays.UK(subdiv="ENG")`). Working
    time is real elapsed time inside those windows, so a window on a
    clock-change day is measured in the hours that actually pass.
    `WorkingCalendar` keeps, per local date, the window as UTC timestamps and
    the working seconds before it, so any span costs two binary searches
    (never a loop over minutes; building the calendar loops over days once).

The clocks (decided for issue 12, see docs/decisions.md)
    - Response: from raising to the first response (the first step out of
      "new" by the support side other than closing, or the first comment to
      the requester). It never pauses. A query closed without any response
      stops the clock when it is closed.
    - Resolution: from raising to "resolved" or "closed". It is PAUSED while
      the query is "waiting on requester". A reopen RESUMES it from where it
      stopped: the elapsed time is kept, and the time the query spent
      resolved does not count.
    - Priority: the target is that of the priority in force when the clock
      stopped (or now, while it runs), found from the priority events. A
      priority change keeps the elapsed time and applies the new target to
      it, so raising P3 to P1 late can breach at once (standard practice).
    - States: `breached` once elapsed exceeds the target (running, paused
      or stopped); otherwise `met` when stopped, `paused` while waiting,
      `at_risk` when at least 80% of the target is used and still open,
      else `running`. `no_target` when the period has no target for the
      priority.
    Elapsed and remaining are whole working minutes (elapsed rounded down);
    the due time is exact.
"""

from __future__ import annotations

import datetime as dt
import functools
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import holidays
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from changeboard.core import times
from changeboard.core.times import LONDON

from ..models import Period, Query, QueryEvent, SlaTarget

AT_RISK_SHARE = 0.8
UTC = dt.UTC

Status = Query.Status
Kind = QueryEvent.Kind

RUNNING_STATUSES = frozenset({Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.REOPENED})
STOPPED_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED})


class ClockState:
    MET = "met"
    BREACHED = "breached"
    AT_RISK = "at_risk"
    RUNNING = "running"
    PAUSED = "paused"
    NO_TARGET = "no_target"

    LABELS = {MET: "Met", BREACHED: "Breached", AT_RISK: "At risk", RUNNING: "Running", PAUSED: "Paused",
              NO_TARGET: "No target"}


# ---------------------------------------------------------------- working calendar


@functools.lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.UK(subdiv="ENG", years=year).keys())


def is_bank_holiday(day: dt.date) -> bool:
    return day in _bank_holidays(day.year)


def _local(day: dt.date, time: dt.time) -> float:
    """The UTC timestamp of a Europe/London wall-clock time (a time skipped
    by the spring change is read with the offset before it, as zoneinfo does)."""
    return dt.datetime.combine(day, time, tzinfo=LONDON).timestamp()


class WorkingCalendar:
    """A period's working windows, day by day, with running totals.

    Built lazily around the instants asked about, and extended as needed.
    Positions are working seconds since the start of the calendar's first
    day: `seconds(a, b) = position(b) - position(a)`.
    """

    SPAN_DAYS = 120  # days built at a time

    def __init__(self, *, working_days: Iterable[int], day_starts: dt.time, day_ends: dt.time, bank_holidays: bool) -> None:
        self.working_days = frozenset(int(d) for d in working_days) or frozenset({1, 2, 3, 4, 5})
        self.day_starts = day_starts
        self.day_ends = day_ends
        self.bank_holidays = bank_holidays
        self._first: dt.date | None = None
        self._midnights: list[float] = []  # UTC timestamp of each local midnight
        self._starts: list[float] = []  # window start (UTC timestamp), or the midnight for a day off
        self._lengths: list[float] = []  # window length in seconds (0 for a day off)
        self._before: list[float] = []  # working seconds before the day
        self._through: list[float] = []  # working seconds up to the end of the day

    @classmethod
    def for_period(cls, period: Period) -> WorkingCalendar:
        return cls(working_days=period.working_days or [1, 2, 3, 4, 5], day_starts=period.day_starts,
                   day_ends=period.day_ends, bank_holidays=period.bank_holidays)

    def is_working_day(self, day: dt.date) -> bool:
        return day.isoweekday() in self.working_days and not (self.bank_holidays and is_bank_holiday(day))

    # -- building

    def _day(self, day: dt.date) -> tuple[float, float, float]:
        midnight = dt.datetime.combine(day, dt.time(0), tzinfo=LONDON).timestamp()
        if not self.is_working_day(day):
            return midnight, midnight, 0.0
        start, end = _local(day, self.day_starts), _local(day, self.day_ends)
        return midnight, start, max(0.0, end - start)

    def _build(self, first: dt.date, last: dt.date) -> None:
        midnights, starts, lengths, before, through = [], [], [], [], []
        total = 0.0
        day = first
        while day <= last:
            midnight, start, length = self._day(day)
            midnights.append(midnight)
            starts.append(start)
            lengths.append(length)
            before.append(total)
            total += length
            through.append(total)
            day += dt.timedelta(days=1)
        self._first = first
        self._midnights, self._starts, self._lengths, self._before, self._through = midnights, starts, lengths, before, through

    def _cover(self, first: dt.date, last: dt.date) -> None:
        if self._first is None:
            self._build(first - dt.timedelta(days=7), max(last, first + dt.timedelta(days=self.SPAN_DAYS)))
            return
        have_last = self._first + dt.timedelta(days=len(self._midnights) - 1)
        if first < self._first:
            # Rebuild from the earlier day (positions shift, so nothing cached outside may keep them).
            self._build(first - dt.timedelta(days=self.SPAN_DAYS), max(last, have_last))
        elif last > have_last:
            self._extend(max(last, have_last + dt.timedelta(days=self.SPAN_DAYS)))

    def _extend(self, last: dt.date) -> None:
        assert self._first is not None
        day = self._first + dt.timedelta(days=len(self._midnights))
        total = self._through[-1] if self._through else 0.0
        while day <= last:
            midnight, start, length = self._day(day)
            self._midnights.append(midnight)
            self._starts.append(start)
            self._lengths.append(length)
            self._before.append(total)
            total += length
            self._through.append(total)
            day += dt.timedelta(days=1)

    # -- reading

    def position(self, instant: dt.datetime) -> float:
        """Working seconds from the calendar's origin to `instant` (aware).
        The calendar always ends with one spare day, so a covered instant
        falls on a day whose window is known."""
        stamp = instant.timestamp()
        if not self._midnights or not self._midnights[0] <= stamp < self._midnights[-1]:
            day = instant.astimezone(LONDON).date()
            self._cover(day, day + dt.timedelta(days=1))
        index = bisect_right(self._midnights, stamp) - 1
        offset = stamp - self._starts[index]
        if offset <= 0:
            return self._before[index]
        return self._before[index] + min(offset, self._lengths[index])

    def seconds(self, start: dt.datetime, end: dt.datetime) -> float:
        """Working seconds between two instants. The start is placed first:
        placing an instant before the origin rebuilds the calendar, and the
        later end only ever extends it, so both share one origin."""
        if end <= start:
            return 0.0
        first = self.position(start)
        return self.position(end) - first

    def minutes(self, start: dt.datetime, end: dt.datetime) -> int:
        return int(self.seconds(start, end) // 60)

    def add_seconds(self, start: dt.datetime, seconds: float) -> dt.datetime:
        """The instant when `seconds` of working time after `start` have passed."""
        if seconds <= 0:
            return start
        target = self.position(start) + seconds
        guard = 0
        while self._through[-1] < target:
            guard += 1
            if guard > 60:  # 20 years of calendar without enough working time: a policy with no working hours
                raise ValueError("The period has no working hours to count in.")
            assert self._first is not None
            self._extend(self._first + dt.timedelta(days=len(self._midnights) - 1 + self.SPAN_DAYS))
        index = bisect_left(self._through, target)
        stamp = self._starts[index] + (target - self._before[index])
        return dt.datetime.fromtimestamp(stamp, tz=UTC)

    def add_minutes(self, start: dt.datetime, minutes: int) -> dt.datetime:
        return self.add_seconds(start, minutes * 60)


def working_minutes(period: Period, start: dt.datetime, end: dt.datetime) -> int:
    """The support team's working minutes between two instants (rounded down)."""
    return WorkingCalendar.for_period(period).minutes(start, end)


def add_working_minutes(period: Period, start: dt.datetime, minutes: int) -> dt.datetime:
    """When `minutes` working minutes after `start` have passed (the due time)."""
    return WorkingCalendar.for_period(period).add_minutes(start, minutes)


# ---------------------------------------------------------------- the clocks


@dataclass(frozen=True)
class Clock:
    target_minutes: int | None
    elapsed_minutes: int
    remaining_minutes: int | None  # negative once breached
    due_at: dt.datetime | None  # when the target is (or was) reached; None while paused or without a target
    state: str
    stopped_at: dt.datetime | None  # when the clock stopped (response given, query resolved or closed)
    priority: str  # whose target applies

    @property
    def used_share(self) -> float | None:
        if not self.target_minutes:
            return None
        return self.elapsed_minutes / self.target_minutes

    @property
    def is_open(self) -> bool:
        return self.stopped_at is None

    @property
    def state_label(self) -> str:
        return ClockState.LABELS[self.state]


@dataclass(frozen=True)
class SlaState:
    query_id: int
    priority: str
    response: Clock
    resolution: Clock

    @property
    def current(self) -> Clock:
        """The clock that matters now: the response clock until the first
        response, then the resolution clock."""
        return self.response if self.response.is_open else self.resolution

    @property
    def breached(self) -> bool:
        return ClockState.BREACHED in (self.response.state, self.resolution.state)


# One event as the clocks read it: (at, kind, from_value, to_value, to_requester).
EventRow = tuple[dt.datetime, str, str, str, bool]


def _is_response(kind: str, from_value: str, to_value: str, to_requester: bool) -> bool:
    if kind == Kind.COMMENT:
        return to_requester
    if kind == Kind.STATUS:
        return (from_value == Status.NEW and to_value != Status.CLOSED) or to_requester
    return False


def _clock(*, calendar: WorkingCalendar, segments: Sequence[tuple[dt.datetime, dt.datetime | None]], paused: bool,
           stopped_at: dt.datetime | None, priority: str, target: int | None, now: dt.datetime) -> Clock:
    """A clock from the spans it ran (the last open-ended while running)."""
    elapsed_seconds = 0.0
    before_last = 0.0
    for index, (start, end) in enumerate(segments):
        if index == len(segments) - 1:
            before_last = elapsed_seconds
        elapsed_seconds += calendar.seconds(start, end or now)
    elapsed = int(elapsed_seconds // 60)
    if target is None:
        state = ClockState.NO_TARGET
        return Clock(None, elapsed, None, None, state, stopped_at, priority)
    remaining = target - elapsed
    due_at = None
    if segments and not paused:
        due_at = calendar.add_seconds(segments[-1][0], target * 60 - before_last) if target * 60 > before_last \
            else segments[-1][0]
    if elapsed > target:
        state = ClockState.BREACHED
    elif stopped_at is not None:
        state = ClockState.MET
    elif paused:
        state = ClockState.PAUSED
    elif elapsed >= AT_RISK_SHARE * target:
        state = ClockState.AT_RISK
    else:
        state = ClockState.RUNNING
    return Clock(target, elapsed, remaining, due_at, state, stopped_at, priority)


def _priority_at(initial: str, changes: Sequence[tuple[dt.datetime, str]], at: dt.datetime | None) -> str:
    priority = initial
    for when, value in changes:
        if at is not None and when > at:
            break
        priority = value
    return priority


def compute(*, query_id: int, created_at: dt.datetime, current_priority: str, events: Iterable[EventRow],
            targets: dict[str, tuple[int, int]], calendar: WorkingCalendar, now: dt.datetime) -> SlaState:
    """The SLA state of one query from its events (sorted by time)."""
    status = str(Status.NEW)
    response_at: dt.datetime | None = None
    closed_unanswered_at: dt.datetime | None = None
    segments: list[tuple[dt.datetime, dt.datetime | None]] = []
    running_since: dt.datetime | None = created_at
    stopped_at: dt.datetime | None = None
    changes: list[tuple[dt.datetime, str]] = []
    initial: str | None = None
    for at, kind, from_value, to_value, to_requester in events:
        at = max(at, created_at)
        if at > now:  # judged as of `now`: later events only tell the priority it started with
            if kind == Kind.PRIORITY and initial is None:
                initial = from_value
            continue
        if response_at is None and closed_unanswered_at is None and _is_response(kind, from_value, to_value, to_requester):
            response_at = at
        if kind == Kind.PRIORITY:
            if initial is None:
                initial = from_value
            changes.append((at, to_value))
            continue
        if kind != Kind.STATUS:
            continue
        status = to_value
        if status == Status.CLOSED and response_at is None:
            closed_unanswered_at = at
        if status in RUNNING_STATUSES:
            if running_since is None:
                running_since = at
            stopped_at = None
        else:
            if running_since is not None:
                segments.append((running_since, at))
                running_since = None
            if status not in STOPPED_STATUSES:
                stopped_at = None
            elif stopped_at is None:  # closing a resolved query does not move its stop
                stopped_at = at
    if running_since is not None:
        segments.append((running_since, None))
    if initial is None:
        initial = current_priority

    response_stop = response_at or closed_unanswered_at
    response_priority = _priority_at(initial, changes, response_stop)
    response_target = targets.get(response_priority, (None, None))[0]
    response = _clock(calendar=calendar, segments=[(created_at, response_stop)], paused=False, stopped_at=response_stop,
                      priority=response_priority, target=response_target, now=now)
    resolution_priority = _priority_at(initial, changes, stopped_at)
    resolution_target = targets.get(resolution_priority, (None, None))[1]
    resolution = _clock(calendar=calendar, segments=segments, paused=status == Status.WAITING, stopped_at=stopped_at,
                        priority=resolution_priority, target=resolution_target, now=now)
    return SlaState(query_id, _priority_at(initial, changes, None), response, resolution)


def _targets(rows: Iterable[SlaTarget]) -> dict[int, dict[str, tuple[int, int]]]:
    by_period: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    for target in rows:
        by_period[target.period_id][target.priority] = (target.response_minutes, target.resolution_minutes)
    return by_period


def query_sla(query: Query, events: Iterable[QueryEvent] | None = None, targets: Iterable[SlaTarget] | None = None,
              now: dt.datetime | None = None, calendar: WorkingCalendar | None = None) -> SlaState:
    """One query's response and resolution clocks, from its events."""
    now = now or timezone.now()
    period = query.period
    if events is None:
        events = query.events.all()
    if targets is None:
        targets = SlaTarget.objects.filter(period_id=query.period_id)
    rows = sorted(((e.at, e.kind, e.from_value, e.to_value, e.to_requester, e.pk) for e in events), key=lambda r: (r[0], r[5]))
    return compute(query_id=query.pk, created_at=query.created_at, current_priority=query.priority,
                   events=[r[:5] for r in rows], targets=_targets(targets).get(period.pk, {}),
                   calendar=calendar or WorkingCalendar.for_period(period), now=now)


def sla_states(queries: QuerySet[Query] | Iterable[Query], now: dt.datetime | None = None) -> dict[int, SlaState]:
    """SLA states for many queries at once, keyed by query id, in three
    database queries: the queries' few fields the clocks need, the events
    the clocks read (status and priority changes, comments to the
    requester), and the periods' targets with their periods (one working
    calendar per period). A list of loaded queries saves the first."""
    now = now or timezone.now()
    events = QueryEvent.objects.filter(Q(kind__in=(Kind.STATUS, Kind.PRIORITY)) | Q(kind=Kind.COMMENT, to_requester=True))
    rows: list[tuple[int, int, dt.datetime, str]]
    if isinstance(queries, QuerySet) and not queries.query.is_sliced:
        base = queries.order_by()
        rows = list(base.values_list("pk", "period_id", "created_at", "priority"))
        batches = [events.filter(query__in=base)]
    else:
        rows = [(q.pk, q.period_id, q.created_at, q.priority) for q in queries]
        ids = [row[0] for row in rows]
        size = max(100, (connection.features.max_query_params or 30000) - 10)
        batches = [events.filter(query_id__in=ids[i:i + size]) for i in range(0, len(ids), size)]
    if not rows:
        return {}
    by_query: dict[int, list[EventRow]] = defaultdict(list)
    for batch in batches:
        for query_id, *event in (batch.order_by("query_id", "at", "pk")
                                 .values_list("query_id", "at", "kind", "from_value", "to_value", "to_requester")
                                 .iterator(chunk_size=5000)):
            by_query[query_id].append(tuple(event))  # type: ignore[arg-type]  # (at, kind, from, to, to_requester)
    period_ids = {row[1] for row in rows}
    target_rows = list(SlaTarget.objects.filter(period_id__in=period_ids).select_related("period"))
    periods = {t.period_id: t.period for t in target_rows}
    if len(periods) < len(period_ids):  # a period with no targets at all (rare): its calendar still counts elapsed time
        periods.update(Period.objects.in_bulk(period_ids - set(periods)))
    targets = _targets(target_rows)
    calendars = {pk: WorkingCalendar.for_period(period) for pk, period in periods.items()}
    return {pk: compute(query_id=pk, created_at=created_at, current_priority=priority, events=by_query.get(pk, ()),
                        targets=targets.get(period_id, {}), calendar=calendars[period_id], now=now)
            for pk, period_id, created_at, priority in rows}


# ---------------------------------------------------------------- words


def minutes_text(minutes: int) -> str:
    """'2 h 15 min', '40 min', '3 h' (a length of time, never negative)."""
    return times.minutes_text(abs(int(minutes)))


def clock_text(clock: Clock, now: dt.datetime | None = None) -> str:
    """What a clock says in words: '2 h 15 min left (due Tue 14:30 GMT)',
    'Breached by 40 min', 'Paused: 2 h left', 'Met (1 h 5 min of 2 h)'."""
    if clock.state == ClockState.NO_TARGET:
        return f"No target ({minutes_text(clock.elapsed_minutes)} so far)"
    assert clock.target_minutes is not None and clock.remaining_minutes is not None
    if clock.state == ClockState.BREACHED:
        return f"Breached by {minutes_text(clock.elapsed_minutes - clock.target_minutes)}"
    if clock.state == ClockState.MET:
        return f"Met ({minutes_text(clock.elapsed_minutes)} of {minutes_text(clock.target_minutes)})"
    left = f"{minutes_text(clock.remaining_minutes)} left"
    if clock.state == ClockState.PAUSED:
        return f"Paused: {left}"
    due = f" (due {times.soon(clock.due_at, now)})" if clock.due_at else ""
    return f"{left}{due}"


def as_dict(state: SlaState) -> dict[str, Any]:
    """A state as plain data (API, snapshots)."""
    def clock(c: Clock) -> dict[str, Any]:
        return {"state": c.state, "target_minutes": c.target_minutes, "elapsed_minutes": c.elapsed_minutes,
                "remaining_minutes": c.remaining_minutes, "due_at": c.due_at.isoformat() if c.due_at else None,
                "stopped_at": c.stopped_at.isoformat() if c.stopped_at else None, "priority": c.priority}
    return {"query": state.query_id, "priority": state.priority, "response": clock(state.response),
            "resolution": clock(state.resolution)}
