"""Hypercare trends: per period, per programme (across its periods) and
portfolio-wide. Read-only; every figure but the SLA ones is counted in the
database with grouped aggregates, so a page costs a handful of queries
whatever the number of queries.

- **The curve since go-live.** Day 0 is the period's go-live (`starts_on`),
  in Europe/London dates. "Raised" counts queries by the day they were
  raised; "open at end of day" is raised so far less resolved so far (a
  query counts as resolved from `resolved_at`, or `closed_at` when it was
  closed unresolved; a reopened query is open again). Across several
  periods (programme, portfolio) the days are aligned on each period's own
  go-live: day 10 is everyone's tenth day, and a period adds to the days it
  has reached. A query raised before go-live (an import) counts on day 0.
- **Category, priority and unit.** A unit's row counts its whole subtree;
  the rows are the children of the chosen unit (`?unit=`), or, without one,
  the highest level at which the queries split into more than one row.
- **SLA met % and time to resolve.** From the SLA engine
  (`services/sla.py`, `sla_states`): a clock that has stopped was met or
  breached; the resolution time is its working time (pauses excluded). The
  engine reads each query's history, so this part loops over the queries in
  Python; its result is cached against a fingerprint of the queries, the
  periods' policies and the five minutes (so the open queries' breached
  and at-risk counts are at most five minutes old; any new event or policy
  change recomputes at once).
- **Top recurring titles and tags.** Titles normalised in the database
  (lower case, trimmed, without ? . ! and doubled spaces), counted when they
  recur (two or more); tags are split on commas after grouping the distinct
  tag strings.
- **Who sees what.** Someone who may view queries gets the figures of the
  queries in their scope. A Board member may not view queries: they get the
  same aggregates over every query of the periods they may view, but a
  title or tag only when it recurs at least `BOARD_TITLE_THRESHOLD` times
  (docs/decisions.md, "Hypercare trends: what the Board sees").
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import math
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db.models import CharField, Count, F, Max, Q, QuerySet, Value
from django.db.models.functions import Cast, Coalesce, Lower, Replace, Substr, Trim
from django.utils import timezone

from changeboard.core.scoping import VIEW, can
from changeboard.organisation.models import Unit

from ..models import Period, Priority, Query
from .sla import sla_states

LONDON = ZoneInfo("Europe/London")
BOARD_TITLE_THRESHOLD = 5  # a title or tag shown to someone who may not view queries recurs at least this often
RECURRING = 2  # a title or tag counted at least this often is "recurring"
TOP = 10
SLA_CACHE_SECONDS = 300
SLA_BUCKET_MINUTES = 5
OPEN = [str(s) for s in Query.OPEN_STATUSES]


# --------------------------------------------------------------------------
# The figures


@dataclass
class DayRow:
    day: int
    date: dt.date | None  # the calendar date, for a single period
    raised: int
    resolved: int
    open: int


@dataclass
class CountRow:
    key: str
    label: str
    raised: int
    open: int
    resolved: int
    training_gap: bool = False


@dataclass
class UnitRow:
    unit: Unit | None  # None: the queries attached to the parent itself
    label: str
    raised: int
    open: int
    training_gaps: int
    drill: bool  # has units below it to drill into


@dataclass
class UnitBreakdown:
    parent: Unit | None
    up: Unit | None  # one level up, when there is one to go to
    rows: list[UnitRow]
    chosen: bool  # the parent was asked for (?unit=), not found by descending


@dataclass
class SlaFigures:
    available: bool
    reason: str = ""
    response_met: int = 0
    response_breached: int = 0
    resolution_met: int = 0
    resolution_breached: int = 0
    open_breached: int = 0
    open_at_risk: int = 0
    by_priority: list[dict[str, Any]] = field(default_factory=list)

    @staticmethod
    def share(met: int, breached: int) -> float | None:
        return 100.0 * met / (met + breached) if met + breached else None

    @property
    def response_pct(self) -> float | None:
        return self.share(self.response_met, self.response_breached)

    @property
    def resolution_pct(self) -> float | None:
        return self.share(self.resolution_met, self.resolution_breached)


@dataclass
class ResolveFigures:
    basis: str  # "working hours" (the SLA engine's, pauses excluded)
    resolved: int
    median_hours: float | None
    p90_hours: float | None


@dataclass
class Trends:
    title: str
    periods: list[Period]
    today: dt.date
    aggregates_only: bool  # the viewer may not view queries: aggregates and well-recurring titles only
    raised: int
    open: int
    resolved: int
    days: list[DayRow]
    categories: list[CountRow]
    priorities: list[CountRow]
    units: UnitBreakdown
    sla: SlaFigures
    resolve: ResolveFigures
    titles: list[tuple[str, int]]
    tags: list[tuple[str, int]]
    title_threshold: int

    @property
    def peak(self) -> DayRow | None:
        return max(self.days, key=lambda d: (d.raised, -d.day)) if self.days else None


# --------------------------------------------------------------------------
# Which queries


def may_view_queries(user: Any) -> bool:
    return can(user, Query, VIEW)


def base_queries(user: Any, periods: QuerySet[Period] | list[Period]) -> QuerySet[Query]:
    """The queries whose figures this user gets: those in their scope, or
    (for a role that reads periods but not queries: the Board) every query
    of the periods, for aggregates only."""
    within = Q(period__in=[p.pk for p in periods]) if isinstance(periods, list) else Q(period__in=periods.values("pk"))
    if may_view_queries(user):
        return Query.objects.restrict(user, VIEW).filter(within).order_by()
    return Query.objects.filter(within).order_by()


def _resolved_expr() -> Coalesce:
    return Coalesce("resolved_at", "closed_at")


# --------------------------------------------------------------------------
# The curve


def _last_day(period: Period, today: dt.date, latest: dt.date | None) -> int:
    """The period's last day shown: its planned end, or later while queries
    still arrive, never past today; at least day 0."""
    end = max(period.ends_on, latest) if latest else period.ends_on
    return max(0, (min(end, today) - period.starts_on).days)


def _hour_text(field_name: str) -> Substr:
    """The UTC hour of a datetime as text ("2026-11-02 10"), computed by the
    database itself (SQLite stores the UTC text; PostgreSQL's connection
    speaks UTC), so grouping by it needs no per-row Python function."""
    return Substr(Cast(field_name, output_field=CharField()), 1, 13)


@functools.lru_cache(maxsize=65536)
def _local_day(hour: str) -> dt.date:
    return dt.datetime.strptime(hour, "%Y-%m-%d %H").replace(tzinfo=dt.UTC).astimezone(LONDON).date()


def _by_local_day(queries: QuerySet[Query], field: Any) -> dict[int, dict[dt.date, int]]:
    """Counts by period and Europe/London date of `field`: grouped by UTC
    hour in the database (at most 24 rows a day a period), placed on local
    dates here."""
    out: dict[int, dict[dt.date, int]] = {}
    rows = (queries.annotate(at=field).filter(at__isnull=False).annotate(hour=_hour_text("at")).values("period_id", "hour")
            .annotate(n=Count("id")).values_list("period_id", "hour", "n"))
    for period_id, hour, n in rows:
        days = out.setdefault(period_id, {})
        day = _local_day(hour)
        days[day] = days.get(day, 0) + n
    return out


def curve(queries: QuerySet[Query], periods: list[Period], today: dt.date) -> list[DayRow]:
    """Raised, resolved and open at the end of each day since go-live
    (aligned on each period's go-live when there are several)."""
    if not periods:
        return []
    raised_by = _by_local_day(queries, F("created_at"))
    resolved_by = _by_local_day(queries, _resolved_expr())
    total_days = 0
    per_period: list[tuple[int, list[int], list[int]]] = []
    for period in periods:
        raised_days = raised_by.get(period.pk, {})
        last = _last_day(period, today, max(raised_days) if raised_days else None)
        raised, resolved = [0] * (last + 1), [0] * (last + 1)
        for series, days in ((raised, raised_days), (resolved, resolved_by.get(period.pk, {}))):
            for date, n in days.items():
                offset = (date - period.starts_on).days
                if offset <= last:
                    series[max(0, offset)] += n
        per_period.append((last, raised, resolved))
        total_days = max(total_days, last + 1)
    rows: list[DayRow] = []
    open_by_period = [0] * len(per_period)
    for day in range(total_days):
        raised_today = resolved_today = open_now = 0
        for i, (last, raised, resolved) in enumerate(per_period):
            if day <= last:
                open_by_period[i] += raised[day] - resolved[day]
                raised_today += raised[day]
                resolved_today += resolved[day]
                open_now += open_by_period[i]
        on = periods[0].starts_on + dt.timedelta(days=day) if len(periods) == 1 else None
        rows.append(DayRow(day, on, raised_today, resolved_today, open_now))
    return rows


# --------------------------------------------------------------------------
# Category, priority, unit


DONE = [str(Query.Status.RESOLVED), str(Query.Status.CLOSED)]


def by_category(queries: QuerySet[Query]) -> list[CountRow]:
    merged: dict[str, CountRow] = {}
    for code, name, gap, raised, open_, resolved in (
            queries.values("category__code", "category__name", "category__is_training_gap").annotate(raised=Count("id"), open=Count("id", filter=Q(status__in=OPEN)),
                                                                  resolved=Count("id", filter=Q(status__in=DONE)))
            .values_list("category__code", "category__name", "category__is_training_gap", "raised", "open", "resolved")):
        row = merged.setdefault(code, CountRow(code, name, 0, 0, 0, gap))
        row.raised += raised
        row.open += open_
        row.resolved += resolved
        row.training_gap = row.training_gap or gap
    return sorted(merged.values(), key=lambda r: (-r.raised, r.label))


def by_priority(queries: QuerySet[Query]) -> list[CountRow]:
    found = {p: (raised, open_, resolved) for p, raised, open_, resolved in
             queries.values("priority").annotate(raised=Count("id"), open=Count("id", filter=Q(status__in=OPEN)),
                                                                  resolved=Count("id", filter=Q(status__in=DONE))).values_list("priority", "raised", "open", "resolved")}
    return [CountRow(str(value), str(label), *found.get(str(value), (0, 0, 0))) for value, label in Priority.choices]


def by_unit(queries: QuerySet[Query], parent: Unit | None = None) -> UnitBreakdown:
    """Rows one level below `parent`, each counting its subtree. Without a
    parent, starts at the top of the tree and descends while the queries
    sit in a single unit's subtree. The database counts by unit (one row a
    unit); the roll-up by path prefix is done here, over those rows."""
    chosen = parent is not None
    per_unit = {unit_id: (raised, open_, gaps) for unit_id, raised, open_, gaps in (
        queries.values("unit_id").annotate(raised=Count("id"), open=Count("id", filter=Q(status__in=OPEN)),
                                           gaps=Count("id", filter=Q(category__is_training_gap=True)))
        .values_list("unit_id", "raised", "open", "gaps"))}
    paths = dict(Unit.objects.filter(pk__in=list(per_unit)).values_list("pk", "path"))
    by_path: dict[str, list[int]] = {}
    for unit_id, values in per_unit.items():
        path = paths.get(unit_id)
        if path is not None:
            totals = by_path.setdefault(path, [0, 0, 0])
            for i, v in enumerate(values):
                totals[i] += v

    def level(prefix: str) -> tuple[dict[str, list[int]], list[int] | None]:
        rows: dict[str, list[int]] = {}
        own: list[int] | None = None
        cut = len(prefix) + Unit.steplen
        for path, values in by_path.items():
            if not path.startswith(prefix):
                continue
            if path == prefix:
                own = values
                continue
            totals = rows.setdefault(path[:cut], [0, 0, 0])
            for i, v in enumerate(values):
                totals[i] += v
        return rows, own

    while True:
        counts, own = level(parent.path if parent is not None else "")
        if not chosen and own is None and len(counts) == 1:
            only = Unit.objects.filter(path=next(iter(counts))).first()
            if only is not None and only.numchild:
                parent = only
                continue
        break
    units = {u.path: u for u in Unit.objects.filter(path__in=list(counts))}
    rows = [UnitRow(units[path], units[path].name, v[0], v[1], v[2], drill=bool(units[path].numchild))
            for path, v in counts.items() if path in units]
    rows.sort(key=lambda r: (-r.raised, r.label))
    if own is not None and parent is not None:
        rows.append(UnitRow(None, f"Directly in {parent.name}", own[0], own[1], own[2], drill=False))
    up = Unit.objects.filter(path=parent.path[:-Unit.steplen]).first() if parent is not None and parent.depth > 1 else None
    return UnitBreakdown(parent, up if chosen else None, rows, chosen)


# --------------------------------------------------------------------------
# Titles and tags


def _normalised_title() -> Any:
    text: Any = F("title")
    for mark in ("?", ".", "!"):
        text = Replace(text, Value(mark), Value(""))
    for _ in range(2):
        text = Replace(text, Value("  "), Value(" "))
    return Lower(Trim(text))


def top_titles(queries: QuerySet[Query], minimum: int = RECURRING, top: int = TOP) -> list[tuple[str, int]]:
    rows = (queries.annotate(t=_normalised_title()).values("t").annotate(n=Count("id")).filter(n__gte=minimum)
            .order_by("-n", "t").values_list("t", "n")[:top])
    return [(t[:1].upper() + t[1:], n) for t, n in rows if t]


def top_tags(queries: QuerySet[Query], minimum: int = RECURRING, top: int = TOP) -> list[tuple[str, int]]:
    """Tags split on commas (case and spacing ignored), counted from the
    distinct tag strings the database groups."""
    counter: Counter[str] = Counter()
    for tags, n in queries.exclude(tags="").values("tags").annotate(n=Count("id")).values_list("tags", "n"):
        for tag in {t.strip().lower() for t in tags.split(",") if t.strip()}:
            counter[tag] += n
    return sorted(((t, n) for t, n in counter.items() if n >= minimum), key=lambda item: (-item[1], item[0]))[:top]


# --------------------------------------------------------------------------
# Time to resolve and SLA


def _nearest_rank(n: int, share: float) -> int:
    return min(n - 1, max(0, math.ceil(share * n) - 1))


def _bucket(now: dt.datetime) -> dt.datetime:
    """The SLA figures' moment: `now` to the five minutes below (open clocks
    move with time; recomputing them on every page costs most of a page)."""
    return now.replace(minute=now.minute - now.minute % SLA_BUCKET_MINUTES, second=0, microsecond=0)


def _fingerprint(queries: QuerySet[Query], periods: list[Period], now: dt.datetime) -> str:
    """Changes whenever anything the SLA figures read changes: the queries
    (count, latest update), each period's working hours and targets, and
    the five minutes (`_bucket`)."""
    latest = queries.aggregate(n=Count("id"), last=Max("updated_at"))
    policy = [(p.pk, p.working_days, str(p.day_starts), str(p.day_ends), p.bank_holidays,
               sorted(p.sla_targets.values_list("priority", "response_minutes", "resolution_minutes"))) for p in periods]
    text = repr((latest["n"], str(latest["last"]), policy, _bucket(now).isoformat(), str(queries.query)))
    return "hypercare-sla:" + hashlib.sha256(text.encode()).hexdigest()


def sla_figures(queries: QuerySet[Query], periods: list[Period], now: dt.datetime) -> tuple[SlaFigures, ResolveFigures]:
    """SLA met % (clocks that have stopped), the open queries breached or at
    risk, and the working-hours time to resolve, from the SLA engine."""
    key = _fingerprint(queries, periods, now)
    cached = cache.get(key)
    if cached is not None:
        return cached
    states = sla_states(queries, now=now)
    met, breached = "met", "breached"
    figures = SlaFigures(True)
    per_priority: dict[str, list[int]] = {str(p): [0, 0, 0, 0] for p in Priority.values}
    worked: list[int] = []
    for state in states.values():
        response, resolution = state.response, state.resolution
        counts = per_priority.setdefault(state.priority, [0, 0, 0, 0])
        if response.stopped_at is not None and response.state in (met, breached):
            if response.state == met:
                figures.response_met += 1
                counts[0] += 1
            else:
                figures.response_breached += 1
                counts[1] += 1
        if resolution.stopped_at is not None and resolution.state in (met, breached):
            worked.append(resolution.elapsed_minutes)
            if resolution.state == met:
                figures.resolution_met += 1
                counts[2] += 1
            else:
                figures.resolution_breached += 1
                counts[3] += 1
        if resolution.stopped_at is None:
            current = state.current
            if current.state == breached:
                figures.open_breached += 1
            elif current.state == "at_risk":
                figures.open_at_risk += 1
    figures.by_priority = [{"priority": p, "response_met": c[0], "response_breached": c[1], "resolution_met": c[2],
                            "resolution_breached": c[3], "response_pct": SlaFigures.share(c[0], c[1]),
                            "resolution_pct": SlaFigures.share(c[2], c[3])} for p, c in sorted(per_priority.items())]
    if worked:
        worked.sort()
        resolve = ResolveFigures("working hours", len(worked), statistics.median(worked) / 60, worked[_nearest_rank(len(worked), 0.9)] / 60)
    else:
        resolve = ResolveFigures("working hours", 0, None, None)
    cache.set(key, (figures, resolve), SLA_CACHE_SECONDS)
    return figures, resolve


# --------------------------------------------------------------------------
# Putting it together


def trends(user: Any, periods: list[Period], *, title: str, unit: Unit | None = None, today: dt.date | None = None,
           now: dt.datetime | None = None) -> Trends:
    """Every trend figure of these periods, as this user may see them."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    queries = base_queries(user, periods)
    aggregates_only = not may_view_queries(user)
    totals = queries.aggregate(raised=Count("id"), open=Count("id", filter=Q(status__in=OPEN)), resolved=Count("id", filter=Q(status__in=DONE)))
    sla, resolve = (sla_figures(queries, periods, now) if periods
                    else (SlaFigures(False, "No hypercare periods."), ResolveFigures("working hours", 0, None, None)))
    minimum = BOARD_TITLE_THRESHOLD if aggregates_only else RECURRING
    return Trends(
        title=title, periods=periods, today=today, aggregates_only=aggregates_only,
        raised=totals["raised"], open=totals["open"], resolved=totals["resolved"],
        days=curve(queries, periods, today), categories=by_category(queries), priorities=by_priority(queries),
        units=by_unit(queries, unit), sla=sla, resolve=resolve,
        titles=top_titles(queries, minimum), tags=top_tags(queries, minimum), title_threshold=minimum,
    )

