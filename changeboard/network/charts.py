"""The coverage map's bars, drawn on the server as SVG (`reports.charts.Chart`).

One bar per unit: its impacted people; a darker bar inside it: the people its
champions can cover at the target ratio (champions x ratio, capped at the
impacted); a unit short of champions is drawn in the warning colour and says
"gap" in its label, so colour is never the only sign. The page's table
beside the image carries the same figures (and the drill-down links)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.html import escape

from changeboard.reports.charts import CHART_FONT, Chart

from .services.coverage import Cell

LEFT, TOP, ROW, BAR = 240, 40, 30, 20
WIDTH = 760
COVERED, IMPACTED, GAP = "#00703c", "#b1b4b6", "#d4351c"


def _text(x: float, y: float, text: str, size: int = 13, anchor: str = "start") -> str:
    return f'<text x="{x:.0f}" y="{y:.0f}" font-size="{size}" text-anchor="{anchor}" fill="#0b0c0c">{escape(text)}</text>'


def coverage_bars(cells: Sequence[Cell], target: int, where: str) -> Chart:
    biggest = max((c.impacted for c in cells), default=0) or 1
    span = WIDTH - LEFT - 120
    height = TOP + max(1, len(cells)) * ROW + 30
    body = [_text(10, 24, f"Impacted people and champion cover, {where}", 15)]
    for i, c in enumerate(cells):
        y = TOP + i * ROW
        name = c.label if len(c.label) <= 28 else c.label[:27] + "…"
        body.append(_text(LEFT - 8, y + 15, name + (" (gap)" if c.gap else ""), 13, "end"))
        full = span * c.impacted / biggest
        covered = span * min(c.impacted, c.champions * target) / biggest
        body.append(f'<rect x="{LEFT}" y="{y}" width="{full:.1f}" height="{BAR}" fill="{GAP if c.gap else IMPACTED}"/>')
        body.append(f'<rect x="{LEFT}" y="{y + 5}" width="{covered:.1f}" height="{BAR - 10}" fill="{COVERED}"/>')
        body.append(_text(LEFT + full + 6, y + 15, f"{c.impacted} / {c.champions}", 12))
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" '
           f'font-family="{CHART_FONT}" role="img"><title>Coverage by unit</title><rect width="{WIDTH}" height="{height}" fill="#ffffff"/>'
           + "".join(body) + "</svg>")
    gaps = sum(1 for c in cells if c.gap)
    alt = (f"Bars of impacted people per unit, {where}: {len(cells)} units, {gaps} short of champions at 1 per {target}. "
           "The same figures are in the table beside it.") if cells else f"No impacted people or champions {where}."
    rows: list[list[Any]] = [[c.label, c.impacted, c.champions, c.per_champion or "", "Gap" if c.gap else "Covered"] for c in cells]
    return Chart("Coverage by unit", svg, alt, ["Unit", "Impacted", "Champions", "Impacted per champion", "Gap"], rows, key="map")
