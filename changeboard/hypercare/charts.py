"""Hypercare's charts, drawn on the server as SVG with the house's chart
machinery (`reports.charts`: pygal, no JavaScript, the Okabe-Ito palette,
a `Chart` carrying its own data table), each from the same `TrendTable`
the page and the downloads show, so the chart, its table and the export
never disagree."""

from __future__ import annotations

import hashlib
from typing import Any

import pygal
from django.core.cache import cache

from changeboard.reports.charts import DASHES, PALETTE, Chart, chart_config, render_svg

from .services.trends import Trends
from .tables import trends as tables

CACHE_SECONDS = 3600


def _svg(chart: Any, key: str, table: tables.TrendTable) -> str:
    """The chart's SVG, drawn once per distinct figure: the same data always
    gives the same bytes (`reports.charts.render_svg`), so it is cached under a
    digest of the key, title, headers and rows (drawing is most of a
    dashboard's time)."""
    digest = hashlib.sha256(repr((key, table.title, table.headers, table.rows)).encode()).hexdigest()
    name = f"hypercare-chart:{digest}"
    svg = cache.get(name)
    if svg is None:
        svg = render_svg(chart, key)
        cache.set(name, svg, CACHE_SECONDS)
    return str(svg)


def _table_chart(table: tables.TrendTable, svg: str, alt: str) -> Chart:
    return Chart(table.title, svg, alt, table.headers, table.rows, table.caption, key=table.key)


def curve_chart(t: Trends, key: str = "daily") -> Chart:
    """Raised per day (bars' worth of a line) and open at end of day, day 0 = go-live."""
    table = tables.daily(t)
    days = t.days
    chart = chart_config(pygal.Line, "Queries since go-live", show_legend=True, legend_at_bottom_columns=2, allow_interruptions=False,
                    x_title="Days since go-live", y_title="Queries", dots_size=2, show_minor_x_labels=False,
                    x_labels_major_every=7 if len(days) > 14 else 1, min_scale=4, max_scale=10)
    chart.x_labels = [str(d.day) for d in days]
    chart.add("Raised that day", [d.raised for d in days], stroke_style={"width": 3})
    chart.add("Open at end of day", [d.open for d in days], stroke_style={"width": 3, "dasharray": DASHES[1]})
    peak = t.peak
    if days and peak is not None:
        last = days[-1]
        alt = (f"Line chart over {len(days)} days since go-live: queries raised each day peaked at {peak.raised} on day {peak.day}; "
               f"{last.open} open at the end of day {last.day}. The same figures are in the table below.")
    else:
        alt = "Line chart of queries since go-live: there are no queries yet."
    return _table_chart(table, _svg(chart, f"{key}-curve", table), alt)


def bar_chart(table: tables.TrendTable, *, horizontal: bool, label: str, key: str) -> Chart:
    """Raised and open now for each row of a breakdown table (category, priority, unit)."""
    kind = pygal.HorizontalBar if horizontal else pygal.Bar
    chart = chart_config(kind, table.title, show_legend=True, legend_at_bottom_columns=2, print_values=True,
                    value_formatter=lambda v: f"{v:.0f}", y_title="Queries" if not horizontal else None,
                    x_title="Queries" if horizontal else None)
    rows = table.rows
    chart.x_labels = [str(r[0]) for r in rows]
    chart.add("Raised", [r[1] for r in rows])
    chart.add("Open now", [{"value": r[2], "color": PALETTE[1]} for r in rows])
    if rows:
        alt = (f"Bar chart of queries raised and open now by {label}: "
               + "; ".join(f"{r[0]} {r[1]} raised, {r[2]} open" for r in rows) + ".")
    else:
        alt = f"Bar chart of queries by {label}: there are no queries yet."
    return _table_chart(table, _svg(chart, f"{key}-{table.key}", table), alt)


def trend_charts(t: Trends, key: str = "trend") -> dict[str, Chart]:
    """The dashboard's charts by section: the curve, and the category,
    priority and unit breakdowns."""
    return {
        "daily": curve_chart(t, key),
        "categories": bar_chart(tables.categories(t), horizontal=True, label="category", key=key),
        "priorities": bar_chart(tables.priorities(t), horizontal=False, label="priority", key=key),
        "units": bar_chart(tables.units(t), horizontal=True, label="unit", key=key),
    }
