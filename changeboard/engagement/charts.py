"""The register's charts, drawn on the server as SVG with their data tables
(`reports.charts.Chart`): the power/interest grid and the current vs target
position chart. Both are plain SVG written here (not pygal): a 5x5 grid
with named quadrants and stacked names, and arrows from one position to
another, are not chart types pygal draws. No jitter: the names in a cell
are listed one under another (the first few, then "and N more"), and every
cell carries its count, so the same data always gives the same picture.

Quadrants: influence and interest of 3 or more count as high, so a
stakeholder in the middle is kept close rather than left to monitoring."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from django.utils.html import escape

from changeboard.reports.charts import CHART_FONT, PALETTE, Chart

from .models import Position, StakeholderAssessment

HIGH = 3
MANAGE, SATISFY, INFORM, MONITOR = "Manage closely", "Keep satisfied", "Keep informed", "Monitor"
QUADRANT_FILL = {MANAGE: "#fbe3d6", SATISFY: "#fdf0c8", INFORM: "#d6ecf8", MONITOR: "#eeeeee"}
NAMES_PER_CELL = 3
CELL = 150
LEFT, TOP = 110, 50
PER_STAKEHOLDER_MAX = 30


def quadrant(influence: int, interest: int) -> str:
    if influence >= HIGH:
        return MANAGE if interest >= HIGH else SATISFY
    return INFORM if interest >= HIGH else MONITOR


def _label(a: StakeholderAssessment, programmes: int) -> str:
    name = a.stakeholder.display_name
    return f"{name} ({a.programme.code})" if programmes > 1 else name


def _text(x: float, y: float, text: str, size: int = 14, anchor: str = "start", weight: str = "normal") -> str:
    return (f'<text x="{x:.0f}" y="{y:.0f}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}" '
            f'fill="#0b0c0c">{escape(text)}</text>')


def _svg(width: int, height: int, body: list[str], title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'font-family="{CHART_FONT}" role="img"><title>{escape(title)}</title>'
            f'<rect width="{width}" height="{height}" fill="#ffffff"/>' + "".join(body) + "</svg>")


def _short(text: str, limit: int = 18) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def power_interest_chart(assessments: Sequence[StakeholderAssessment]) -> Chart:
    """Influence (up) against interest (across), 1 to 5, the four quadrants named."""
    programmes = len({a.programme_id for a in assessments})
    cells: dict[tuple[int, int], list[str]] = defaultdict(list)
    for a in assessments:
        cells[(a.influence, a.interest)].append(_label(a, programmes))
    width, height = LEFT + 5 * CELL + 20, TOP + 5 * CELL + 70
    body: list[str] = []
    for influence in range(1, 6):
        for interest in range(1, 6):
            x, y = LEFT + (interest - 1) * CELL, TOP + (5 - influence) * CELL
            body.append(f'<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" fill="{QUADRANT_FILL[quadrant(influence, interest)]}" '
                        'stroke="#505a5f" stroke-width="1"/>')
            names = sorted(cells.get((influence, interest), []))
            if names:
                body.append(_text(x + CELL - 8, y + 20, str(len(names)), 16, "end", "bold"))
                for i, name in enumerate(names[:NAMES_PER_CELL]):
                    body.append(_text(x + 6, y + 42 + i * 20, _short(name), 13))
                if len(names) > NAMES_PER_CELL:
                    body.append(_text(x + 6, y + 42 + NAMES_PER_CELL * 20, f"and {len(names) - NAMES_PER_CELL} more", 13))
    # The quadrants' names, in the corner cells' tops.
    for name, (influence, interest) in ((MANAGE, (5, 5)), (SATISFY, (5, 1)), (INFORM, (1, 5)), (MONITOR, (1, 1))):
        x, y = LEFT + (interest - 1) * CELL, TOP + (5 - influence) * CELL
        body.append(_text(x + 6, y + 20, name, 14, "start", "bold"))
    body.append(f'<line x1="{LEFT}" y1="{TOP + 3 * CELL}" x2="{LEFT + 5 * CELL}" y2="{TOP + 3 * CELL}" stroke="#0b0c0c" stroke-width="3"/>')
    body.append(f'<line x1="{LEFT + 2 * CELL}" y1="{TOP}" x2="{LEFT + 2 * CELL}" y2="{TOP + 5 * CELL}" stroke="#0b0c0c" stroke-width="3"/>')
    for n in range(1, 6):
        body.append(_text(LEFT + (n - 0.5) * CELL, TOP + 5 * CELL + 22, str(n), 14, "middle"))
        body.append(_text(LEFT - 12, TOP + (5.5 - n) * CELL + 5, str(n), 14, "end"))
    body.append(_text(LEFT + 2.5 * CELL, TOP + 5 * CELL + 50, "Interest (1 low, 5 high)", 16, "middle", "bold"))
    body.append(f'<text x="30" y="{TOP + 2.5 * CELL:.0f}" font-size="16" font-weight="bold" text-anchor="middle" fill="#0b0c0c" '
                f'transform="rotate(-90 30 {TOP + 2.5 * CELL:.0f})">Influence (1 low, 5 high)</text>')
    body.append(_text(LEFT, 30, "Power/interest grid", 18, "start", "bold"))
    counts = Counter(quadrant(a.influence, a.interest) for a in assessments)
    rows: list[list[Any]] = [[_label(a, programmes), a.influence, a.interest, quadrant(a.influence, a.interest)]
                             for a in sorted(assessments, key=lambda a: (-a.influence, -a.interest, a.stakeholder.display_name, a.pk))]
    if assessments:
        alt = (f"Power/interest grid of {len(assessments)} stakeholder mappings: "
               + ", ".join(f"{counts.get(q, 0)} to {q.lower()}" for q in (MANAGE, SATISFY, INFORM, MONITOR))
               + ". Each one is listed in the table below.")
    else:
        alt = "Power/interest grid: no stakeholders are mapped for these filters."
    return Chart("Power/interest grid", _svg(width, height, body, "Power/interest grid"), alt,
                 ["Stakeholder", "Influence", "Interest", "Quadrant"], rows, "Each stakeholder's place on the grid", key="grid")


def position_chart(assessments: Sequence[StakeholderAssessment]) -> Chart:
    """From current to target position: per stakeholder (up to 30), or per
    pair of positions with its count."""
    programmes = len({a.programme_id for a in assessments})
    labels = dict(Position.choices)
    if len(assessments) <= PER_STAKEHOLDER_MAX:
        items = [(_label(a, programmes), a.current_position, a.target_position, 1)
                 for a in sorted(assessments, key=lambda a: (a.current_position - a.target_position, a.stakeholder.display_name, a.pk))]
        headers = ["Stakeholder", "Current position", "Target position", "Gap"]
        rows: list[list[Any]] = [[name, labels[c], labels[t], max(0, t - c)] for name, c, t, _ in items]
        by = "stakeholder"
    else:
        pairs = Counter((a.current_position, a.target_position) for a in assessments)
        items = [(f"{labels[c]} → {labels[t]}", c, t, n) for (c, t), n in sorted(pairs.items(), key=lambda p: (p[0][0] - p[0][1], p[0]))]
        headers = ["From current to target", "Current position", "Target position", "Stakeholders"]
        rows = [[name, labels[c], labels[t], n] for name, c, t, n in items]
        by = "position"
    left, step, row_h = 290, 120, 30
    width, height = left + 5 * step + 40, TOP + max(1, len(items)) * row_h + 80
    body = [_text(20, 30, "Current and target positions", 18, "start", "bold")]
    for n in range(1, 6):
        x = left + (n - 1) * step + step / 2
        body.append(f'<line x1="{x:.0f}" y1="{TOP}" x2="{x:.0f}" y2="{TOP + len(items) * row_h}" stroke="#b1b4b6" stroke-width="1"/>')
        body.append(_text(x, TOP + len(items) * row_h + 22, labels[n], 12, "middle"))
    for i, (name, current, target, count) in enumerate(items):
        y = TOP + i * row_h + row_h / 2
        x1, x2 = left + (current - 1) * step + step / 2, left + (target - 1) * step + step / 2
        label = f"{_short(name, 30)}" + (f" ({count})" if by == "position" else "")
        body.append(_text(left - 10, y + 5, label, 13, "end"))
        colour = PALETTE[2] if current >= target else PALETTE[3]
        if x1 != x2:
            direction = 1 if x2 > x1 else -1
            body.append(f'<line x1="{x1:.0f}" y1="{y:.0f}" x2="{x2 - direction * 10:.0f}" y2="{y:.0f}" stroke="{colour}" stroke-width="4"/>')
            body.append(f'<polygon points="{x2:.0f},{y:.0f} {x2 - direction * 12:.0f},{y - 7:.0f} {x2 - direction * 12:.0f},{y + 7:.0f}" '
                        f'fill="{colour}"/>')
        body.append(f'<circle cx="{x1:.0f}" cy="{y:.0f}" r="7" fill="#ffffff" stroke="{colour}" stroke-width="3"/>')
    body.append(_text(left + 2.5 * step, height - 14, "Open circle: current position; arrow head: target", 13, "middle"))
    behind = sum(1 for a in assessments if a.current_position < a.target_position)
    alt = (f"Current and target positions of {len(assessments)} stakeholder mappings, by {by}: {behind} short of their target. "
           "The same figures are in the table below.") if assessments else "Current and target positions: no stakeholders are mapped for these filters."
    return Chart("Current and target positions", _svg(width, height, body, "Current and target positions"), alt, headers, rows,
                 f"Current and target positions, by {by}", key="positions")
