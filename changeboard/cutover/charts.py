"""The schedule drawn: a Gantt-style chart of a runbook's tasks, drawn on
the server as SVG (no JavaScript) and shown as a `data:` image, as the
reports' charts are, so the page's Content Security Policy never meets its
inline style.

Critical tasks are marked by more than colour: a hatched bar with a heavy
outline and a bold label ending "(critical)". A milestone is a diamond; a
rollback point is a dashed vertical line labelled with its task and time;
float is a thin line from a task's earliest to its latest finish. Every
chart has its data as a table beside it (`headers`, `rows`) and a text
alternative (`alt`) naming the span, the critical path and the rollback
points. A big runbook is not drawn whole: the view passes at most
`MAX_ROWS` tasks (the critical path first), and the note says so.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import escape

from changeboard.core.times import when

from .models import RUNBOOK_TZ
from .services.runbooks import MINUTE, RunbookSchedule, TaskTiming

MAX_ROWS = 60
WIDTH = 960
LABEL_W = 300
RIGHT = 24
TOP = 64
ROW_H = 26
BAR_H = 14
FONT = "DejaVu Sans, Arial, sans-serif"
INK = "#0b0c0c"
BLUE = "#0072B2"  # Okabe-Ito blue: a task with float
VERMILLION = "#D55E00"  # Okabe-Ito vermillion: a critical task (also hatched and outlined)
GREY = "#505a5f"
STEPS = (15, 30, 60, 120, 180, 240, 360, 720, 1440, 2880, 4320, 10080)


@dataclass
class GanttChart:
    title: str
    svg: str
    alt: str
    headers: list[str]
    rows: list[list[Any]]
    note: str = ""
    caption: str = ""
    drawn: list[str] = field(default_factory=list)

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode("utf-8")).decode("ascii")


def _step(span: int) -> int:
    return next((s for s in STEPS if span / s <= 10), STEPS[-1])


def _text(x: float, y: float, content: str, *, size: int = 13, anchor: str = "start", weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}" '
            f'fill="{INK}">{escape(content)}</text>')


def _short(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def gantt(schedule: RunbookSchedule, rows: list[TaskTiming], *, total: int, note: str = "") -> GanttChart:
    """The chart of `rows` (a selection of the schedule's rows, in order),
    scaled to the whole runbook's span."""
    start = schedule.start
    span = max(round((schedule.finish - start) / MINUTE), 1)
    plot_w = WIDTH - LABEL_W - RIGHT
    height = TOP + ROW_H * max(len(rows), 1) + 70

    def x(minutes: float) -> float:
        return LABEL_W + plot_w * minutes / span

    def minutes(moment: dt.datetime) -> float:
        return (moment - start) / MINUTE

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" '
        f'font-family="{FONT}" role="img">',
        '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="{VERMILLION}"/><line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2"/>'
        '</pattern></defs>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        _text(LABEL_W, 16, "Time (Europe/London)", size=13, weight="bold"),
    ]
    # The time axis: gridlines and labels; the date where the day changes.
    step = _step(span)
    last_day = None
    tick = 0
    bottom = TOP + ROW_H * max(len(rows), 1)
    while tick <= span:
        local = (start + tick * MINUTE).astimezone(RUNBOOK_TZ)
        tx = x(tick)
        parts.append(f'<line x1="{tx:.1f}" y1="{TOP - 8}" x2="{tx:.1f}" y2="{bottom}" stroke="#b1b4b6" stroke-width="1"/>')
        parts.append(_text(tx, TOP - 14, f"{local:%H:%M}", size=12, anchor="middle"))
        if local.date() != last_day:
            parts.append(_text(tx, TOP - 30, f"{local:%a %d %b}", size=11, anchor="middle"))
            last_day = local.date()
        tick += step
    # The tasks.
    for i, row in enumerate(rows):
        y = TOP + i * ROW_H
        mid = y + ROW_H / 2
        task = row.task
        label = _short(f"{task.ref} {task.title}") + (" (critical)" if row.critical else "")
        parts.append(_text(8, mid + 4, label, size=12, weight="bold" if row.critical else "normal"))
        es, ef, lf = minutes(row.earliest_start), minutes(row.earliest_finish), minutes(row.latest_finish)
        if lf > ef:  # float: a thin line to the latest finish
            parts.append(f'<line x1="{x(ef):.1f}" y1="{mid:.1f}" x2="{x(lf):.1f}" y2="{mid:.1f}" stroke="{GREY}" stroke-width="2"/>')
            parts.append(f'<line x1="{x(lf):.1f}" y1="{mid - 5:.1f}" x2="{x(lf):.1f}" y2="{mid + 5:.1f}" stroke="{GREY}" stroke-width="2"/>')
        fill = "url(#hatch)" if row.critical else BLUE
        stroke = f' stroke="{INK}" stroke-width="2"' if row.critical else ""
        if task.duration_minutes == 0:
            cx, r = x(es), 7
            parts.append(f'<polygon points="{cx:.1f},{mid - r:.1f} {cx + r:.1f},{mid:.1f} {cx:.1f},{mid + r:.1f} {cx - r:.1f},{mid:.1f}" '
                         f'fill="{fill}" stroke="{INK}" stroke-width="{2 if row.critical else 1}"/>')
        else:
            width = max(x(ef) - x(es), 2)
            parts.append(f'<rect x="{x(es):.1f}" y="{mid - BAR_H / 2:.1f}" width="{width:.1f}" height="{BAR_H}" fill="{fill}"{stroke}/>')
    # Rollback points: a dashed line across the chart at the point's planned time.
    for n, point in enumerate(schedule.rollback_points):
        px = x(minutes(point.earliest_finish))
        parts.append(f'<line x1="{px:.1f}" y1="{TOP - 6}" x2="{px:.1f}" y2="{bottom + 6}" stroke="{INK}" stroke-width="2" stroke-dasharray="8 4"/>')
        local = point.earliest_finish.astimezone(RUNBOOK_TZ)
        parts.append(_text(px, bottom + 22 + 16 * (n % 2), f"Rollback point {point.task.ref} {local:%H:%M}", size=12,
                           anchor="middle", weight="bold"))
    # The key.
    ky = height - 18
    parts += [
        f'<rect x="8" y="{ky - 11}" width="28" height="{BAR_H}" fill="{BLUE}"/>', _text(42, ky, "Task", size=12),
        f'<rect x="90" y="{ky - 11}" width="28" height="{BAR_H}" fill="url(#hatch)" stroke="{INK}" stroke-width="2"/>',
        _text(124, ky, "Critical (hatched, outlined)", size=12),
        f'<line x1="320" y1="{ky - 4}" x2="350" y2="{ky - 4}" stroke="{GREY}" stroke-width="2"/>', _text(356, ky, "Float", size=12),
        f'<polygon points="420,{ky - 11} 427,{ky - 4} 420,{ky + 3} 413,{ky - 4}" fill="{BLUE}" stroke="{INK}"/>',
        _text(434, ky, "Milestone", size=12),
        f'<line x1="520" y1="{ky - 12}" x2="520" y2="{ky + 4}" stroke="{INK}" stroke-width="2" stroke-dasharray="8 4"/>',
        _text(528, ky, "Rollback point", size=12),
        "</svg>",
    ]
    critical = [row.task.ref for row in schedule.critical_path]
    points = [f"{p.task.ref} at {when(p.earliest_finish)}" for p in schedule.rollback_points]
    shown = f"{len(rows)} of {total} tasks" if len(rows) < total else f"{total} tasks"
    alt = (f"Gantt chart of {shown}, from {when(schedule.start)} to {when(schedule.finish)}. "
           f"Critical path ({len(critical)} tasks): {', '.join(critical[:12])}{', …' if len(critical) > 12 else ''}. "
           + (f"Rollback points: {'; '.join(points)}. " if points else "No rollback points. ")
           + "The same figures are in the table below the chart.")
    table = [[row.task.ref, row.task.title, when(row.earliest_start), when(row.earliest_finish), row.float_minutes,
              "Yes" if row.critical else "No", "Yes" if row.task.rollback_point else ""] for row in rows]
    return GanttChart(title="The schedule", svg="".join(parts), alt=alt, note=note,
                      headers=["ID", "Task", "Earliest start", "Earliest finish", "Float (minutes)", "Critical", "Rollback point"],
                      rows=table, caption="The chart's data", drawn=[row.task.ref for row in rows])


def chart_rows(schedule: RunbookSchedule, rows: list[TaskTiming]) -> tuple[list[TaskTiming], str]:
    """What to draw of `rows` (the page's selection): all of them when they
    fit, else the critical ones among them (at most `MAX_ROWS`), with a note."""
    if len(rows) <= MAX_ROWS:
        return rows, ""
    critical = [row for row in rows if row.critical]
    drawn = critical[:MAX_ROWS]
    note = (f"This runbook has {len(rows)} tasks here, too many to draw legibly: the chart shows "
            f"{'the first ' if len(critical) > MAX_ROWS else ''}{len(drawn)} critical path tasks. Every task is in the table.")
    return drawn, note
