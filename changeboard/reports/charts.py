"""The Programme Board's charts, drawn on the server as SVG from the
summaries' plain data (`summary.Portfolio.as_dict()` and
`summary.ProgrammeSummary.as_dict()`), so a dashboard page and the board pack
(HTML, PDF) show the same figure from the same numbers.

Every chart carries its data as a table (`headers`, `rows`), shown beside it
by `reports/_chart.html`: the table is what screen readers and the XLSX read,
and it lists what a chart cannot draw ("Not enough data" is never a bar of
zero). The SVG is embedded as a `data:` image, so the page's strict Content
Security Policy never meets the chart's inline style and WeasyPrint renders it
the same way.

Line and bar charts are pygal's, without JavaScript or any external file, in
the Okabe-Ito palette (distinguishable with the common colour-vision
deficiencies) and with print-sized text; the ADKAR lines also differ in dash
pattern, so no series is told apart by colour alone. The readiness heatmap is
a plain grid (`reports/readiness_heatmap.svg`) with the index and RAG written
in every cell.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import pygal
from django.template.loader import render_to_string
from django.utils.dateformat import format as date_format
from pygal.style import Style

from changeboard.readiness.scores import ELEMENT_LABELS, ELEMENTS, NOT_ENOUGH

# Okabe & Ito (2008): blue, orange, bluish green, vermillion, reddish purple, sky blue.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9")
# RAG fills for the heatmap: text is always written on top, so the fill is a second signal only.
RAG_FILL = {"green": "#009E73", "amber": "#F0C800", "red": "#D55E00"}
RAG_TEXT = {"green": "#ffffff", "amber": "#0b0c0c", "red": "#0b0c0c"}
NO_DATA_FILL = "#ffffff"
DASHES = ("", "12, 6", "3, 6", "12, 6, 3, 6", "2, 3")
WIDTH = 800
# A font the server has (Debian's DejaVu, as WeasyPrint's PDFs use) first:
# looking up an unknown family costs WeasyPrint time for every chart label.
CHART_FONT = "DejaVu Sans, Arial, sans-serif"

STYLE = Style(
    background="#ffffff", plot_background="#ffffff", foreground="#0b0c0c", foreground_strong="#0b0c0c",
    foreground_subtle="#b1b4b6", opacity="1", opacity_hover="1", colors=PALETTE,
    font_family=CHART_FONT, label_font_size=16, major_label_font_size=16, value_font_size=16,
    value_label_font_size=16, legend_font_size=16, title_font_size=18, tooltip_font_size=14, no_data_font_size=18,
)

# The ADKAR trend (issue 18): five lines, a legend and two axes drawn into a
# chart that pages and the pack show narrower than drawn, so larger type, the
# legend below in one row, and both axes titled.
TREND_STYLE = Style(
    background="#ffffff", plot_background="#ffffff", foreground="#0b0c0c", foreground_strong="#0b0c0c",
    foreground_subtle="#b1b4b6", opacity="1", opacity_hover="1", colors=PALETTE,
    font_family=CHART_FONT, label_font_size=20, major_label_font_size=20, value_font_size=18,
    value_label_font_size=18, legend_font_size=20, title_font_size=22, tooltip_font_size=16, no_data_font_size=20,
)


@dataclass
class Chart:
    """One figure and its data: `svg` is the complete SVG document, `alt` a
    short text alternative, and `headers`/`rows` the same numbers as a table
    (first column: the row's label). `key` lets a page place each chart in
    its own section."""

    title: str
    svg: str
    alt: str
    headers: list[str]
    rows: list[list[Any]]
    caption: str = ""
    key: str = field(default="")

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode("utf-8")).decode("ascii")


def as_date(value: Any) -> dt.date | None:
    """A date from the summaries' data: a `date` on the page, an ISO string
    once a board pack has stored the data as JSON."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def day(value: Any) -> str:
    """'3 March 2027', or '' without a date."""
    date = as_date(value)
    return date_format(date, "j F Y") if date else ""


def short_day(value: Any) -> str:
    date = as_date(value)
    return date_format(date, "j M Y") if date else ""


def chart_config(chart_type: Any, title: str, **options: Any) -> Any:
    """A pygal chart of `chart_type` in the house style (size, legend, margins); `options` override it."""
    return chart_type(
        style=options.pop("style", STYLE), js=[], width=WIDTH, title=title, explicit_size=True, disable_xml_declaration=False,
        show_legend=options.pop("show_legend", False), legend_at_bottom=True,
        legend_at_bottom_columns=options.pop("legend_at_bottom_columns", 3),
        truncate_label=-1, truncate_legend=-1, print_values=options.pop("print_values", False), margin=16, spacing=12,
        **options,
    )


def render_svg(chart: Any, key: str) -> str:
    """The chart as a self-contained SVG document: pygal's configuration
    script (inert in an image, but no script belongs in a board pack) and its
    generator comments (which carry the date of drawing) are dropped, and the
    element id is fixed, so the same data always gives the same bytes."""
    chart.uuid = key
    svg = chart.render(is_unicode=True)
    svg = re.sub(r"<script\b[^>]*/>|<script\b[^>]*>.*?</script>", "", svg, flags=re.DOTALL)
    return re.sub(r"<!--.*?-->", "", svg, flags=re.DOTALL)


def _number(value: Any, places: int = 1) -> str:
    return NOT_ENOUGH if value is None else f"{value:.{places}f}"


def _rate(score: dict[str, Any]) -> str:
    """A response rate in words: hidden with the figure, or unknown when nobody was invited through a link."""
    if score["response_rate"] is not None:
        return f"{score['response_rate']:.1f}%"
    return "Not known (no one invited through a link)" if score["shown"] else NOT_ENOUGH


def rag_text(score: dict[str, Any]) -> str:
    """A figure in words: '58 (Amber)', or the reason there is none."""
    if not score.get("shown") or score.get("index") is None:
        return score.get("reason") or NOT_ENOUGH
    return f"{score['index']:.0f} ({score['rag_label']})"


def portfolio_charts(p: dict[str, Any]) -> list[Chart]:
    """The portfolio's readiness index per programme: a bar for each shown
    figure; programmes without one are in the table only."""
    as_of = day(p["as_of"])
    lines = p["programmes"]
    drawn = [line for line in lines if line["score"]["shown"] and line["score"]["index"] is not None]
    chart = chart_config(pygal.HorizontalBar, f"Readiness index by programme, as of {as_of}", range=(0, 100), print_values=True,
                    value_formatter=lambda v: f"{v:.0f}", x_title="Readiness index (0 to 100)")
    chart.x_labels = [f"{line['programme']} ({line['score']['rag_label']})" for line in drawn]
    chart.add("Readiness index", [{"value": round(line["score"]["index"], 1), "color": RAG_FILL.get(line["score"]["rag"], PALETTE[0])}
                                  for line in drawn])
    headers = ["Programme", "Readiness index", "RAG", "Unit", "Survey wave", "Data from"]
    rows = [[f"{line['programme']}: {line['name']}", _number(line["score"]["index"]) if line["score"]["shown"] else NOT_ENOUGH,
             line["score"]["rag_label"], line["top_unit"] or "", line["score"]["wave"] or "No closed wave",
             short_day(line["score"]["as_of"])] for line in lines]
    missing = [line["programme"] for line in lines if line not in drawn]
    alt = (f"Bar chart of the readiness index of {len(drawn)} programme{'s' if len(drawn) != 1 else ''}, as of {as_of}: "
           + "; ".join(f"{line['programme']} {line['score']['index']:.0f} ({line['score']['rag_label']})" for line in drawn)
           + (f". Not enough data: {', '.join(missing)}." if missing else "."))
    caption = (f"Readiness index of each programme's whole audience in its latest closed survey wave, as of {as_of}. "
               "Green from 62.5 with no barrier point, red below 50. Programmes with not enough data are listed but not drawn.")
    return [Chart("Readiness index by programme", render_svg(chart, "readiness"), alt, headers, rows, caption, key="readiness")]


def heatmap_svg(s: dict[str, Any]) -> str:
    """Units x waves as a grid of cells, each with the index (or 'n/a') and
    its RAG in words, coloured by RAG as a second signal."""
    label_width, cell_width, cell_height, top = 250, 80, 46, 78
    waves = s["waves"]
    columns = [{"x": label_width + i * cell_width + cell_width / 2, "title": w["title"], "day": short_day(w["closes_on"])}
               for i, w in enumerate(waves)]
    rows = []
    for r, row in enumerate(s["heatmap"]):
        y = top + r * cell_height
        cells = []
        for i, score in enumerate(row["scores"]):
            shown = score["shown"] and score["index"] is not None
            cells.append({
                "x": label_width + i * cell_width, "tx": label_width + i * cell_width + cell_width / 2,
                "fill": RAG_FILL.get(score["rag"], NO_DATA_FILL) if shown else NO_DATA_FILL,
                "ink": RAG_TEXT.get(score["rag"], "#0b0c0c") if shown else "#0b0c0c",
                "value": f"{score['index']:.0f}" if shown else "n/a", "rag": score["rag_label"] if shown else "No data",
            })
        rows.append({"name": row["unit"], "y": y, "ty": y + cell_height / 2 + 6, "v_y": y + 20, "r_y": y + 37, "cells": cells})
    height = top + len(rows) * cell_height + 50
    return render_to_string("reports/readiness_heatmap.svg", {
        "title": f"Readiness index by unit and survey wave, {s['programme']}", "columns": columns, "rows": rows,
        "cell_width": cell_width, "cell_height": cell_height, "width": label_width + max(len(waves), 1) * cell_width + 10,
        "height": height, "legend_y": height - 18, "font": CHART_FONT,
    })


def programme_charts(s: dict[str, Any]) -> list[Chart]:
    """A programme's readiness heatmap, ADKAR trend and response rates; an
    empty list before any survey wave has closed with responses."""
    if not s["heatmap"] or not s["waves"]:
        return []
    as_of = day(s["as_of"])
    charts: list[Chart] = []

    # Readiness by unit over the recent waves.
    wave_headers = [f"{w['title']} (closed {short_day(w['closes_on'])})" for w in s["waves"]]
    rows = [[row["unit"], *[rag_text(score) for score in row["scores"]]] for row in s["heatmap"]]
    alt = (f"Grid of the readiness index of {len(s['heatmap'])} units over {len(s['waves'])} survey waves, each cell giving the index "
           "and its RAG, or n/a where there is not enough data. The same figures are in the table.")
    charts.append(Chart("Readiness by unit and survey wave", heatmap_svg(s), alt, ["Unit", *wave_headers], rows,
                        f"Readiness index (0 to 100) and RAG by unit and survey wave; each figure dates from its wave's closing date. As of {as_of}.",
                        key="heatmap"))

    # Trend of each ADKAR element for the top unit.
    trend = s["trend"]
    line = chart_config(pygal.Line, f"ADKAR element means, {s['top_unit']}", range=(1, 5), show_legend=True, allow_interruptions=True,
                   x_label_rotation=0, dots_size=5, y_title="Mean agreement (1 to 5)", x_title="Survey wave, by closing date",
                   value_formatter=lambda v: f"{v:.2f}", style=TREND_STYLE, legend_at_bottom_columns=5,
                   legend_box_size=18, y_labels=[1, 2, 3, 4, 5])
    line.x_labels = [short_day(t["closes_on"]) for t in trend]
    for i, element in enumerate(ELEMENTS):
        values = [t["means"].get(element) if t["shown"] else None for t in trend]
        line.add(ELEMENT_LABELS[element], [None if v is None else round(v, 2) for v in values],
                 stroke_style={"width": 3, "dasharray": DASHES[i % len(DASHES)]})
    t_rows = [[f"{t['wave']} (closed {short_day(t['closes_on'])})",
               *[_number(t["means"].get(e), 2) if t["shown"] else NOT_ENOUGH for e in ELEMENTS],
               _number(t["index"]) if t["shown"] else NOT_ENOUGH] for t in trend]
    first, last = (trend[0], trend[-1]) if trend else ({}, {})
    alt = (f"Line chart of the five ADKAR element means of {s['top_unit']} over {len(trend)} survey waves, "
           f"from {short_day(first.get('closes_on'))} to {short_day(last.get('closes_on'))}. "
           + ("Latest: " + ", ".join(f"{ELEMENT_LABELS[e]} {_number(last['means'].get(e), 2)}" for e in ELEMENTS) + "."
              if last.get("shown") else "The latest wave has not enough data."))
    charts.append(Chart(f"ADKAR element means over time: {s['top_unit']}", render_svg(line, "trend"), alt,
                        ["Survey wave", *[ELEMENT_LABELS[e] for e in ELEMENTS], "Readiness index"], t_rows,
                        f"Mean agreement (1 to 5) per ADKAR element of {s['top_unit']}, wave by wave; a gap means not enough data. "
                        f"A mean below 3 is a barrier point. As of {as_of}.", key="trend"))

    # Response rates in the latest wave, by unit.
    latest = s["latest"]
    drawn = [u for u in latest if u["response_rate"] is not None]
    bar = chart_config(pygal.HorizontalBar, "Response rate by unit, latest wave", range=(0, 100), print_values=True,
                  value_formatter=lambda v: f"{v:.0f}%", x_title="Response rate (%)")
    bar.x_labels = [u["unit"] for u in drawn]
    bar.add("Response rate", [round(u["response_rate"], 1) for u in drawn])
    wave = s["waves"][-1]
    r_rows = [[u["unit"], _rate(u),
               u["responses"] if u["responses"] is not None else NOT_ENOUGH,
               u["barrier_label"] or ("No barrier point" if u["shown"] else NOT_ENOUGH)] for u in latest]
    missing = [u["unit"] for u in latest if u not in drawn]
    alt = (f"Bar chart of the response rate of {len(drawn)} units in {wave['title']}: "
           + "; ".join(f"{u['unit']} {u['response_rate']:.0f}%" for u in drawn)
           + (f". Not enough data: {', '.join(missing)}." if missing else "."))
    charts.append(Chart("Response rate by unit", render_svg(bar, "response-rates"), alt, ["Unit", "Response rate", "Responses", "Barrier point"], r_rows,
                        f"Responses through personal links over people invited, {wave['title']} (closed {short_day(wave['closes_on'])}). "
                        f"Units with not enough data are listed but not drawn. As of {as_of}.", key="response_rates"))
    return charts
