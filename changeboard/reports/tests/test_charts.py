"""Charts: valid, self-contained SVG (no script, no external file), the same
numbers in the chart's table as in the summary, "not enough data" listed and
never drawn, and the same output from dates or from ISO strings (a pack's
stored JSON)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string

from changeboard.readiness.tests.helpers import closed_wave, respond, team
from changeboard.reports import charts, summary

SVG = "{http://www.w3.org/2000/svg}"


def _score(index: float | None, rag: str, label: str, **extra: Any) -> dict[str, Any]:
    shown = index is not None
    return {"rag": rag, "rag_label": label, "shown": shown, "reason": "" if shown else "Not enough data",
            "index": index, "trend": None, "barrier": "", "barrier_label": "", "responses": 10 if shown else None,
            "response_rate": 50.0 if shown else None, "means": dict.fromkeys(charts.ELEMENTS, 3.0 if shown else None),
            "wave": "Pulse" if shown else "", "wave_id": 1 if shown else None, "as_of": dt.date(2027, 1, 8) if shown else None, **extra}


def _portfolio() -> dict[str, Any]:
    def line(code: str, score: dict[str, Any]) -> dict[str, Any]:
        return {"programme": code, "programme_id": 1, "name": f"Programme {code}", "phase": "Build", "next_go_live": None,
                "score": score, "top_unit": "Westminster" if score["shown"] else "", "not_ready": 0, "critical_reds": 0,
                "open_actions": 0, "overdue_actions": 0}
    return {"as_of": dt.date(2027, 2, 20), "has_readiness": True, "programmes": [
        line("AAA", _score(71.3, "green", "Green")), line("BBB", _score(None, "no_data", "Not enough data")),
        line("CCC", _score(42.0, "red", "Red"))]}


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg.encode("utf-8"))
    assert root.tag == f"{SVG}svg"
    assert not list(root.iter(f"{SVG}script"))
    # Nothing fetched from elsewhere: no external hrefs, imports or fonts.
    assert not re.search(r"(?:href|src)=\"(?:https?:)?//", svg) and "@import" not in svg and "url(http" not in svg
    return root


def _texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()).strip() for t in root.iter(f"{SVG}text")]


def test_portfolio_chart_draws_only_shown_figures_and_tables_all() -> None:
    [chart] = charts.portfolio_charts(_portfolio())
    root = _parse(chart.svg)
    texts = _texts(root)
    assert "71" in texts and "42" in texts  # the printed values
    assert "AAA (Green)" in texts and "CCC (Red)" in texts
    assert not any("BBB" in t for t in texts)  # not drawn as zero
    assert chart.rows == [
        ["AAA: Programme AAA", "71.3", "Green", "Westminster", "Pulse", "8 Jan 2027"],
        ["BBB: Programme BBB", "Not enough data", "Not enough data", "", "No closed wave", ""],
        ["CCC: Programme CCC", "42.0", "Red", "Westminster", "Pulse", "8 Jan 2027"],
    ]
    assert "Not enough data: BBB" in chart.alt and "20 February 2027" in chart.title + chart.caption


def test_iso_string_dates_give_the_same_chart() -> None:
    data = _portfolio()
    stored = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    assert isinstance(stored["as_of"], str)
    assert charts.portfolio_charts(stored)[0].rows == charts.portfolio_charts(data)[0].rows
    assert charts.portfolio_charts(stored)[0].svg == charts.portfolio_charts(data)[0].svg


def test_data_uri_and_partial() -> None:
    [chart] = charts.portfolio_charts(_portfolio())
    assert base64.b64decode(chart.data_uri.split(",", 1)[1]).decode("utf-8") == chart.svg
    html = render_to_string("reports/_chart.html", {"chart": chart})
    assert f'src="{chart.data_uri}"' in html and '<table class="govuk-table' in html
    assert html.count('<tr class="govuk-table__row">') == 1 + len(chart.rows)
    assert "<style" not in html  # the SVG's own style stays inside the image


@pytest.fixture
def programme_data(world: Any) -> dict[str, Any]:
    t2 = team("Response Team 2")
    w1 = closed_wave(world.programme_a, "Pulse 1", dt.date(2027, 1, 8))
    respond(w1, world.team, [3, 4] * 5, invited=20)  # 62.5, green
    respond(w1, t2, [4] * 10, invited=10)  # 75, green
    w2 = closed_wave(world.programme_a, "Pulse 2", dt.date(2027, 1, 22))
    respond(w2, world.team, [2] * 10, invited=20)  # 25, red
    respond(w2, t2, [4] * 3, invited=10)  # too few: not enough data (and team 1 hidden with it)
    return summary.programme(world.programme_a, None, dt.date(2027, 2, 20)).as_dict()


def test_heatmap_has_the_index_and_rag_in_words_in_every_cell(programme_data: dict[str, Any]) -> None:
    heatmap, trend, rates = charts.programme_charts(programme_data)
    assert (heatmap.key, trend.key, rates.key) == ("heatmap", "trend", "response_rates")
    root = _parse(heatmap.svg)
    texts = _texts(root)
    cells = len(programme_data["heatmap"]) * len(programme_data["waves"])
    assert len(list(root.iter(f"{SVG}rect"))) == cells + 1  # one per cell, plus the background
    values = [t for t in texts if t.isdigit() or t == "n/a"]
    assert len(values) == cells
    # Westminster weighted by invited: wave 1 (20 x 3.5 + 10 x 4) / 30 = 3.6667 -> 66.7; wave 2 (20 x 2 + 10 x 4) / 30 = 2.6667 -> 41.7.
    assert heatmap.rows[0] == ["Westminster", "67 (Green)", "42 (Red)"]
    assert heatmap.rows[1] == ["Response Team 1", "62 (Green)", "Not enough data"]
    assert heatmap.rows[2] == ["Response Team 2", "75 (Green)", "Not enough data"]
    assert values == ["67", "42", "62", "n/a", "75", "n/a"]
    assert texts.count("Green") == 3 and texts.count("Red") == 1 and texts.count("No data") == 2


def test_trend_and_response_rate_tables_match_the_summary(programme_data: dict[str, Any]) -> None:
    _, trend, rates = charts.programme_charts(programme_data)
    _parse(trend.svg)
    assert trend.headers == ["Survey wave", "Awareness", "Desire", "Knowledge", "Ability", "Reinforcement", "Readiness index"]
    assert trend.rows[0] == ["Pulse 1 (closed 8 Jan 2027)", *["3.67"] * 5, "66.7"]
    assert trend.rows[1] == ["Pulse 2 (closed 22 Jan 2027)", *["2.67"] * 5, "41.7"]
    root = _parse(rates.svg)
    # Westminster: 13 of 30 invited = 43.3%; the two hidden teams are listed, not drawn.
    assert rates.rows[0] == ["Westminster", "43.3%", 13, "Awareness"]
    assert rates.rows[1][1:] == ["Not enough data", "Not enough data", "Not enough data"]
    assert "43%" in _texts(root)
    assert "Not enough data: Response Team 1, Response Team 2" in rates.alt


def test_no_charts_before_a_wave_closes(world: Any) -> None:
    data = summary.programme(world.programme_a, None, dt.date(2027, 2, 20)).as_dict()
    assert charts.programme_charts(data) == []


def test_programme_body_renders_from_stored_json(programme_data: dict[str, Any]) -> None:
    """The pack stores the data as JSON: the partial shows the same dates from ISO strings."""
    stored = json.loads(json.dumps(programme_data, cls=DjangoJSONEncoder))
    live = render_to_string("reports/_programme_body.html", {"s": programme_data, "charts": charts.programme_charts(programme_data), "links": True})
    frozen = render_to_string("reports/_programme_body.html", {"s": stored, "charts": charts.programme_charts(stored), "links": False})
    assert "22 Jan 2027" in frozen and "20 February 2027" in frozen
    strip = re.compile(r"<a [^>]*>|</a>")
    assert "Raise an action" not in frozen
    assert strip.sub("", frozen).count("govuk-table__row") == strip.sub("", live).count("govuk-table__row")


def test_adkar_trend_axes_and_legend_are_readable(programme_data: dict[str, Any]) -> None:
    """Issue 18: both axes titled, the legend below the plot in one row, and
    type large enough to read once the chart is scaled to the page."""
    _, trend, _ = charts.programme_charts(programme_data)
    svg = trend.svg
    assert "Survey wave, by closing date" in svg and "Mean agreement (1 to 5)" in svg
    sizes = [int(s) for s in re.findall(r"\.legends \.legend text\s*\{[^}]*font-size:\s*(\d+)px", svg)]
    assert sizes and min(sizes) >= 20, sizes
    axis = [int(s) for s in re.findall(r"\.axis text\s*\{[^}]*font-size:\s*(\d+)px", svg)]
    assert axis and min(axis) >= 20, axis
    # The legend sits below the plot: its entries are translated lower than the plot's top.
    legend_y = [float(y) for y in re.findall(r'<g transform="translate\([\d.]+, ([\d.]+)\)" class="legends"', svg)]
    box = re.search(r'viewBox="0 0 [\d.]+ ([\d.]+)"', svg)
    assert box is not None
    height = float(box.group(1))
    assert legend_y and height * 0.75 < legend_y[0] < height, (legend_y, height)
