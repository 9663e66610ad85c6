"""Change load and saturation across the portfolio.

For a unit U and ISO week W, with every effective impact line L active in W:

    load(U, W)  = sum over L of  severity(L) x reached(L, U) / headcount(U)
    hours(U, W) = sum over L of  hours(L) / weeks(L) x reached(L, U) / headcount(U)

where reached(L, U) is the number of current staff at or below U that L
impacts (the precomputed `ImpactReach`), headcount(U) the current staff at
or below U, and weeks(L) the number of weeks L's period spans (its hours are
spread evenly across them). So load is the average severity a person in U is
carrying that week: a whole team hit by a severity-3 and a severity-4 change
in the same week carries 7. U is saturated in W when its load exceeds its
tolerance (its own, else the nearest unit above with one, else the portfolio
default).

The sums are one matrix product (units x lines) @ (lines x weeks) in numpy,
built from two queries, so the cost does not grow with the number of staff.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
from django.db.models import Q, QuerySet

from changeboard.organisation.models import Unit, subtree_headcounts

from .models import DEFAULT_TOLERANCE, ImpactAssessment, ImpactLine, ImpactReach, LoadTolerance

Status = ImpactAssessment.Status


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def week_label(week: dt.date) -> str:
    year, number, _ = week.isocalendar()
    return f"{year}-W{number:02d}"


@dataclass
class LoadFilters:
    start: dt.date
    end: dt.date
    programmes: list[int] = field(default_factory=list)
    dimension: str = ""
    include_drafts: bool = False
    wave_dates: dict[int, dt.date] = field(default_factory=dict)

    @property
    def weeks(self) -> list[dt.date]:
        first, last = monday(self.start), monday(self.end)
        count = (last - first).days // 7 + 1
        return [first + dt.timedelta(weeks=i) for i in range(max(count, 0))]


def default_filters(today: dt.date | None = None, weeks: int = 26) -> LoadFilters:
    start = monday(today or dt.date.today())
    return LoadFilters(start=start, end=start + dt.timedelta(weeks=weeks - 1))


def effective_lines(filters: LoadFilters, visible: QuerySet[ImpactAssessment]) -> list[ImpactLine]:
    """The lines that count: approved versions, or with `include_drafts` the
    newest visible version of each assessment (a draft replaces its approved
    predecessor), narrowed by programme and dimension."""
    assessments = visible.exclude(status=Status.SUPERSEDED)
    if filters.programmes:
        assessments = assessments.filter(programme__in=filters.programmes)
    if filters.include_drafts:
        newest: dict[Any, ImpactAssessment] = {}
        for a in assessments.order_by("lineage", "-version"):
            newest.setdefault(a.lineage, a)
        chosen = [a.pk for a in newest.values()]
    else:
        chosen = list(assessments.filter(status=Status.APPROVED).values_list("pk", flat=True))
    lines = ImpactLine.objects.filter(assessment__in=chosen).select_related("assessment__programme", "wave")
    if filters.dimension:
        lines = lines.filter(dimensions__dimension=filters.dimension).distinct()
    return list(lines)


@dataclass
class Heatmap:
    units: list[Unit]
    weeks: list[dt.date]
    lines: list[ImpactLine]
    load: np.ndarray  # units x weeks
    hours: np.ndarray  # units x weeks
    headcount: np.ndarray  # units
    tolerance: np.ndarray  # units
    active: np.ndarray  # lines x weeks (bool)
    reach: np.ndarray  # units x lines
    filters: LoadFilters

    @property
    def saturated(self) -> np.ndarray:
        return self.load > self.tolerance[:, None]

    def row(self, unit: Unit) -> int:
        return self._index[unit.pk]

    def __post_init__(self) -> None:
        self._index = {u.pk: i for i, u in enumerate(self.units)}

    def cell(self, unit_index: int, week_index: int) -> dict[str, Any]:
        load = float(self.load[unit_index, week_index])
        tolerance = float(self.tolerance[unit_index])
        return {
            "load": round(load, 1),
            "hours": round(float(self.hours[unit_index, week_index]), 1),
            "tolerance": tolerance,
            "saturated": load > tolerance,
            "band": band(load, tolerance),
        }

    def contributors(self, unit_index: int, week_index: int) -> list[dict[str, Any]]:
        """The lines behind one cell, largest contribution first."""
        people = self.headcount[unit_index]
        found = []
        for j, line in enumerate(self.lines):
            reached = int(self.reach[unit_index, j])
            if not self.active[j, week_index] or not reached:
                continue
            found.append({
                "line": line,
                "programme": line.assessment.programme,
                "reached": reached,
                "severity": line.severity,
                "load": round(line.severity * reached / people, 2) if people else 0.0,
                "period": line.period(self.filters.wave_dates),
            })
        return sorted(found, key=lambda c: -c["load"])


def band(load: float, tolerance: float) -> str:
    """Colour band for a cell: none, low, medium, high (near), over."""
    if load <= 0:
        return "none"
    if load > tolerance:
        return "over"
    if load > 0.75 * tolerance:
        return "high"
    if load > 0.4 * tolerance:
        return "medium"
    return "low"


def tolerances(units: list[Unit]) -> np.ndarray:
    """Each unit's tolerance: its own, the nearest ancestor's, or the default."""
    overrides = {t.unit.path if t.unit is not None else "": t.tolerance for t in LoadTolerance.objects.select_related("unit")}
    default = overrides.pop("", DEFAULT_TOLERANCE)
    values = []
    for unit in units:
        value: Decimal = default
        for end in range(len(unit.path), 0, -Unit.steplen):
            if unit.path[:end] in overrides:
                value = overrides[unit.path[:end]]
                break
        values.append(float(value))
    return np.array(values, dtype=float)


def compute(filters: LoadFilters, units: list[Unit], visible: QuerySet[ImpactAssessment]) -> Heatmap:
    weeks = filters.weeks
    lines = effective_lines(filters, visible)
    week_index = {w: i for i, w in enumerate(weeks)}
    active = np.zeros((len(lines), len(weeks)), dtype=bool)
    severity = np.zeros(len(lines))
    weekly_hours = np.zeros(len(lines))
    for j, line in enumerate(lines):
        period = line.period(filters.wave_dates)
        if period is None:
            continue
        if period[1] < period[0]:
            continue  # an empty period carries no load
        first, last = monday(period[0]), monday(period[1])
        span = (last - first).days // 7 + 1
        severity[j] = line.severity
        weekly_hours[j] = float(line.hours_per_person) / span
        week = first
        while week <= last:
            if week in week_index:
                active[j, week_index[week]] = True
            week += dt.timedelta(weeks=1)

    unit_index = {u.pk: i for i, u in enumerate(units)}
    line_index = {line.pk: j for j, line in enumerate(lines)}
    reach = np.zeros((len(units), len(lines)))
    if lines and units:
        rows = ImpactReach.objects.filter(line__in=list(line_index)).filter(_unit_filter(units)).values_list("unit_id", "line_id", "headcount")
        for unit_id, line_id, reached in rows:
            i = unit_index.get(unit_id)
            if i is not None:
                reach[i, line_index[line_id]] = reached

    counts = subtree_headcounts(units)
    headcount = np.array([counts.get(u.pk, 0) for u in units], dtype=float)
    safe = np.where(headcount > 0, headcount, 1.0)
    load = (reach @ (active * severity[:, None])) / safe[:, None]
    hours = (reach @ (active * weekly_hours[:, None])) / safe[:, None]
    return Heatmap(units, weeks, lines, load, hours, headcount, tolerances(units), active, reach, filters)


def _unit_filter(units: list[Unit]) -> Q:
    # Few rows: name them; many: all reach rows are cheaper than a huge IN list.
    return Q(unit__in=[u.pk for u in units]) if len(units) <= 500 else Q()


def hotspots(heatmap: Heatmap, limit: int = 50) -> list[dict[str, Any]]:
    """Saturated unit-weeks, largest load first (ties: higher in the tree,
    then earlier), with the programmes causing each."""
    rows, cols = np.nonzero(heatmap.saturated)
    cells = sorted(zip(rows.tolist(), cols.tolist(), strict=True),
                   key=lambda rc: (-round(float(heatmap.load[rc]), 1), heatmap.units[rc[0]].path, rc[1]))
    by_path = {u.path: u for u in heatmap.units}
    found = []
    for i, w in cells[:limit]:
        unit = heatmap.units[i]
        # Where a team sits: its command and borough (team names repeat).
        above = [by_path[unit.path[:end]].name for end in range(3 * Unit.steplen, len(unit.path), Unit.steplen) if unit.path[:end] in by_path]
        found.append({"unit": unit, "context": " > ".join(above), "week": heatmap.weeks[w], "load": round(float(heatmap.load[i, w]), 1),
                      "tolerance": float(heatmap.tolerance[i]),
                      "programmes": sorted({c["programme"].code for c in heatmap.contributors(i, w)})})
    return found


def roles_hit(heatmap: Heatmap, minimum: int = 3) -> list[dict[str, Any]]:
    """Job roles hit by `minimum` or more programmes within one calendar
    month, most programmes first."""
    by_month: dict[tuple[dt.date, str], set[str]] = defaultdict(set)
    people: dict[tuple[dt.date, str], int] = defaultdict(int)
    for j, line in enumerate(heatmap.lines):
        if not heatmap.reach[:, j].any():
            continue  # lands on no unit in view (scope or business-group filter)
        months = {heatmap.weeks[w].replace(day=1) for w in np.nonzero(heatmap.active[j])[0].tolist()}
        for month in months:
            for role, n in (line.reached_roles or {}).items():
                key = (month, role)
                if line.assessment.programme.code not in by_month[key]:
                    by_month[key].add(line.assessment.programme.code)
                people[key] = max(people[key], n)
    found: list[dict[str, Any]] = [
        {"month": month, "role": role, "programmes": sorted(codes), "count": len(codes), "people": people[(month, role)]}
        for (month, role), codes in by_month.items() if len(codes) >= minimum
    ]
    found.sort(key=lambda r: (-r["count"], -r["people"], r["month"], r["role"]))
    return found
