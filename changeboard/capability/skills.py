"""The skills matrix (reading only): per practitioner and competency their
level, the level their role needs and the gap; per competency the average
and the number short; and the change over time.

Rules, in one place:
- **A practitioner's level** in a competency on a day is their coach's latest
  rating on or before that day, else their own latest (marked as self).
  "Latest" is the level today; "first" is the level on the day of their
  first assessment.
- **The gap** is required - level: above 0 the practitioner is short. An
  unassessed competency has no level and no gap (it is not counted short).
- **Per quarter**: the average of every practitioner's level in every
  competency at the quarter's end, over the cells that have a level by then.

The caller chooses the practitioners (a programme's, or the portfolio's in
the user's scope)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from .models import AssessmentKind, Competency, Framework, Practitioner, Rating, Requirement

# (assessed_on, assessment id, kind, level)
Entry = tuple[dt.date, int, str, int]


@dataclass
class Cell:
    competency: Competency
    level: int | None
    self_only: bool
    required: int | None
    first: int | None

    @property
    def gap(self) -> int | None:
        if self.level is None or self.required is None:
            return None
        return self.required - self.level

    @property
    def short(self) -> bool:
        return (self.gap or 0) > 0

    @property
    def change(self) -> int | None:
        return None if self.level is None or self.first is None else self.level - self.first

    @property
    def band(self) -> str:
        """The CSS band of the heat colours (the text always says the same)."""
        gap = self.gap
        if gap is None:
            return "cb-band-none"
        if gap <= 0:
            return "cb-band-low"
        return "cb-band-medium" if gap == 1 else "cb-band-high"

    @property
    def text(self) -> str:
        if self.level is None:
            return "Not assessed"
        words = f"{self.level}{' (self)' if self.self_only else ''}"
        if self.required is None:
            return words
        gap = self.gap or 0
        return f"{words}, needs {self.required}" + (f": short by {gap}" if gap > 0 else "")


@dataclass
class Row:
    practitioner: Practitioner
    cells: list[Cell]
    last_assessed: dt.date | None = None

    @property
    def gaps(self) -> int:
        return sum(1 for c in self.cells if c.short)

    @property
    def first_average(self) -> float | None:
        return average(c.first for c in self.cells)

    @property
    def latest_average(self) -> float | None:
        return average(c.level for c in self.cells)


@dataclass
class CompetencySummary:
    competency: Competency
    average: float | None
    short: int
    first_average: float | None
    assessed: int


@dataclass
class Matrix:
    framework: Framework | None
    competencies: list[Competency]
    rows: list[Row]
    summaries: list[CompetencySummary]
    quarters: list[tuple[str, float | None]] = field(default_factory=list)

    @property
    def short_total(self) -> int:
        return sum(row.gaps for row in self.rows)

    @property
    def average(self) -> float | None:
        return average(c.level for row in self.rows for c in row.cells)

    @property
    def first_average(self) -> float | None:
        return average(c.first for row in self.rows for c in row.cells)


def average(values: Iterable[int | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(sum(present) / len(present), 2) if present else None


def level_on(entries: Sequence[Entry], day: dt.date) -> tuple[int | None, bool]:
    """(level, self only) on `day`: the latest coach's rating on or before it,
    else the latest self-rating."""
    for kind, is_self in ((AssessmentKind.COACH, False), (AssessmentKind.SELF, True)):
        known = [e for e in entries if e[2] == kind and e[0] <= day]
        if known:
            return max(known, key=lambda e: (e[0], e[1]))[3], is_self
    return None, False


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_end(year: int, quarter: int) -> dt.date:
    month = quarter * 3
    return (dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)) - dt.timedelta(days=1)


def quarters_between(first: dt.date, last: dt.date) -> list[tuple[int, int]]:
    year, quarter = quarter_of(first)
    out = []
    while (year, quarter) <= quarter_of(last):
        out.append((year, quarter))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return out


def skills_matrix(practitioners: Iterable[Practitioner], framework: Framework | None, *, today: dt.date | None = None) -> Matrix:
    today = today or timezone.localdate()
    people = list(practitioners)
    if framework is None:
        return Matrix(None, [], [], [])
    competencies = list(framework.competencies.order_by("order", "name"))
    ids = [p.pk for p in people]
    entries: dict[tuple[int, int], list[Entry]] = defaultdict(list)
    first_day: dict[int, dt.date] = {}
    last_day: dict[int, dt.date] = {}
    ratings = Rating.objects.filter(assessment__practitioner_id__in=ids, competency__framework=framework).values_list(
        "assessment__practitioner_id", "competency_id", "assessment__assessed_on", "assessment_id", "assessment__kind", "level")
    for practitioner_id, competency_id, day, assessment_id, kind, level in ratings:
        if day > today:
            continue
        entries[(practitioner_id, competency_id)].append((day, assessment_id, kind, level))
        first_day[practitioner_id] = min(first_day.get(practitioner_id, day), day)
        last_day[practitioner_id] = max(last_day.get(practitioner_id, day), day)
    required = {(r[0], r[1]): r[2] for r in Requirement.objects.filter(competency__framework=framework).values_list(
        "role_id", "competency_id", "level")}
    rows = []
    for person in people:
        cells = []
        for competency in competencies:
            found = entries.get((person.pk, competency.pk), [])
            now, is_self = level_on(found, today)
            first = level_on(found, first_day[person.pk])[0] if person.pk in first_day else None
            cells.append(Cell(competency, now, is_self, required.get((person.role_id, competency.pk)), first))
        rows.append(Row(person, cells, last_day.get(person.pk)))
    summaries = []
    for i, competency in enumerate(competencies):
        column = [row.cells[i] for row in rows]
        summaries.append(CompetencySummary(competency, average(c.level for c in column), sum(1 for c in column if c.short),
                                           average(c.first for c in column), sum(1 for c in column if c.level is not None)))
    quarters: list[tuple[str, float | None]] = []
    if first_day:
        for year, quarter in quarters_between(min(first_day.values()), today):
            end = min(quarter_end(year, quarter), today)
            levels = [level_on(found, end)[0] for found in entries.values()]
            quarters.append((f"{year} Q{quarter}", average(levels)))
    return Matrix(framework, competencies, rows, summaries, quarters)


def practitioner_history(practitioner: Practitioner, framework: Framework | None) -> list[tuple[dt.date, dict[int, int | None]]]:
    """Per day the practitioner was assessed, their level in each competency
    on that day (the same coach-over-self rule): the series of their chart."""
    if framework is None:
        return []
    entries: dict[int, list[Entry]] = defaultdict(list)
    days: set[dt.date] = set()
    for competency_id, day, assessment_id, kind, level in Rating.objects.filter(
            assessment__practitioner=practitioner, competency__framework=framework).values_list(
            "competency_id", "assessment__assessed_on", "assessment_id", "assessment__kind", "level"):
        entries[competency_id].append((day, assessment_id, kind, level))
        days.add(day)
    competency_ids = list(framework.competencies.order_by("order", "name").values_list("pk", flat=True))
    return [(day, {pk: level_on(entries.get(pk, []), day)[0] for pk in competency_ids}) for day in sorted(days)]


def export_table(matrix: Matrix) -> tuple[list[str], list[list[Any]]]:
    """The matrix as one sheet: per practitioner, per competency the level,
    whether it is self-assessed, the level needed and the gap."""
    headers = ["Practitioner", "Staff number", "Role", "Last assessed"]
    for competency in matrix.competencies:
        headers += [f"{competency.name}: level", f"{competency.name}: self-assessed", f"{competency.name}: needed", f"{competency.name}: gap"]
    headers.append("Competencies short")
    rows: list[list[Any]] = []
    for row in matrix.rows:
        line: list[Any] = [str(row.practitioner), row.practitioner.staff.staff_number, str(row.practitioner.role), row.last_assessed or ""]
        for cell in row.cells:
            line += [cell.level if cell.level is not None else "", "yes" if cell.self_only else "",
                     cell.required if cell.required is not None else "", cell.gap if cell.gap is not None else ""]
        line.append(row.gaps)
        rows.append(line)
    return headers, rows


# ---------------------------------------------------------------- charts

LEFT, RIGHT, TOP, BOTTOM, CHART_WIDTH, CHART_HEIGHT = 60, 200, 40, 50, 760, 300
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#0b0c0c", "#6f777b")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "", "6 3", "2 3", "8 3 2 3")


def _svg_text(x: float, y: float, text: str, size: int = 12, anchor: str = "start") -> str:
    from django.utils.html import escape

    return f'<text x="{x:.0f}" y="{y:.0f}" font-size="{size}" text-anchor="{anchor}" fill="#0b0c0c">{escape(text)}</text>'


def level_chart(title: str, labels: list[str], series: list[tuple[str, list[float | None]]], *, alt: str, first_header: str,
                key: str) -> Any:
    """A line chart of levels (1 to 4) over `labels`, one line per series
    (each with its own colour and dash, named at its end), as a
    `reports.charts.Chart` whose table holds the same figures."""
    from changeboard.reports.charts import CHART_FONT, Chart

    span_x = CHART_WIDTH - LEFT - RIGHT
    span_y = CHART_HEIGHT - TOP - BOTTOM
    step = span_x / max(1, len(labels) - 1)

    def x(i: int) -> float:
        return LEFT + (i * step if len(labels) > 1 else span_x / 2)

    def y(level: float) -> float:
        return TOP + span_y * (4 - level) / 3

    body = [_svg_text(10, 22, title, 15)]
    for level in (1, 2, 3, 4):
        body.append(f'<line x1="{LEFT}" y1="{y(level):.1f}" x2="{LEFT + span_x}" y2="{y(level):.1f}" stroke="#b1b4b6"/>')
        body.append(_svg_text(LEFT - 8, y(level) + 4, str(level), 12, "end"))
    for i, label in enumerate(labels):
        body.append(_svg_text(x(i), CHART_HEIGHT - BOTTOM + 20, label, 11, "middle"))
    for n, (name, values) in enumerate(series):
        colour, dash = COLOURS[n % len(COLOURS)], DASHES[n % len(DASHES)]
        points = [(x(i), y(v)) for i, v in enumerate(values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            dashed = f' stroke-dasharray="{dash}"' if dash else ""
            body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"{dashed}/>')
        for px, py in points:
            body.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4" fill="{colour}"/>')
        if points:
            px, py = points[-1]
            body.append(_svg_text(LEFT + span_x + 10, py + 4 + (n % 3 - 1) * 4, name[:28], 11))
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{CHART_WIDTH}" height="{CHART_HEIGHT}" viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}" '
           f'font-family="{CHART_FONT}" role="img"><title>{_escape(title)}</title><rect width="{CHART_WIDTH}" height="{CHART_HEIGHT}" fill="#ffffff"/>'
           + "".join(body) + "</svg>")
    headers = [first_header, *[name for name, _ in series]]
    rows = [[label, *["" if values[i] is None else values[i] for _, values in series]] for i, label in enumerate(labels)]
    return Chart(title, svg, alt, headers, rows, key=key)


def _escape(text: str) -> str:
    from django.utils.html import escape

    return str(escape(text))
