"""The trend tables: one definition per table (its title, headers and rows
from a `services.trends.Trends`), read by the dashboard pages, the charts
(the table beside each chart) and the CSV/XLSX downloads, so all three show
the same figures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..services.trends import CountRow, Trends

NOT_YET = "None resolved yet"


@dataclass
class TrendTable:
    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]]
    caption: str = ""


def _pct(value: float | None) -> str:
    return "No clock stopped yet" if value is None else f"{value:.1f}%"


def _hours(value: float | None) -> str:
    return NOT_YET if value is None else f"{value:.1f}"


def daily(t: Trends) -> TrendTable:
    single = len(t.periods) == 1
    headers = ["Day since go-live", *(["Date"] if single else []), "Raised", "Resolved", "Open at end of day"]
    rows = [[d.day, *([f"{d.date:%a} {d.date.day} {d.date:%b %Y}" if d.date else ""] if single else []), d.raised, d.resolved, d.open] for d in t.days]
    aligned = "" if single else " Days are counted from each period's own go-live."
    return TrendTable("daily", "Queries raised and open each day since go-live", headers, rows,
                      f"Queries raised and resolved each day, and open at the end of the day (Europe/London dates; day 0 is go-live).{aligned}")


def _count_rows(rows: list[CountRow], gap_column: bool) -> list[list[Any]]:
    return [[r.label, r.raised, r.open, r.resolved, *(["Yes" if r.training_gap else "No"] if gap_column else [])] for r in rows]


def categories(t: Trends) -> TrendTable:
    return TrendTable("categories", "Queries by category", ["Category", "Raised", "Open now", "Resolved or closed", "Training gap"],
                      _count_rows(t.categories, True), "Queries by category since go-live; training-gap categories feed readiness.")


def priorities(t: Trends) -> TrendTable:
    return TrendTable("priorities", "Queries by priority", ["Priority", "Raised", "Open now", "Resolved or closed"],
                      _count_rows(t.priorities, False), "Queries by priority (as it stands now) since go-live.")


def units(t: Trends) -> TrendTable:
    parent = t.units.parent
    where = f"below {parent.name}" if parent is not None else "at the top of the organisation"
    return TrendTable("units", "Queries by unit", ["Unit", "Raised", "Open now", "Training gap queries"],
                      [[r.label, r.raised, r.open, r.training_gaps] for r in t.units.rows],
                      f"Queries by the requester's unit, {where}; each unit's figures include every unit below it.")


def sla(t: Trends) -> TrendTable:
    s = t.sla
    if not s.available:
        return TrendTable("sla", "SLA met", ["Measure", "Figure"], [["SLA figures", s.reason]], "SLA met, in the support team's working hours.")
    rows: list[list[Any]] = [
        ["Response: all priorities", _pct(s.response_pct), s.response_met, s.response_breached],
        ["Resolution: all priorities", _pct(s.resolution_pct), s.resolution_met, s.resolution_breached],
    ]
    for p in s.by_priority:
        if p["response_met"] + p["response_breached"]:
            rows.append([f"Response: {p['priority']}", _pct(p["response_pct"]), p["response_met"], p["response_breached"]])
        if p["resolution_met"] + p["resolution_breached"]:
            rows.append([f"Resolution: {p['priority']}", _pct(p["resolution_pct"]), p["resolution_met"], p["resolution_breached"]])
    return TrendTable("sla", "SLA met", ["Clock", "Met", "Met (queries)", "Breached (queries)"], rows,
                      f"Share of stopped clocks that met their target, in working hours. Open now: {s.open_breached} breached, "
                      f"{s.open_at_risk} at risk (80% of the target used).")


def resolve(t: Trends) -> TrendTable:
    r = t.resolve
    return TrendTable("resolve", "Time to resolve", ["Measure", f"Figure ({r.basis})"],
                      [["Queries resolved", r.resolved], ["Median", _hours(r.median_hours)], ["90th percentile", _hours(r.p90_hours)]],
                      f"Time from raising to resolution, in {r.basis}" + (" (pauses while waiting on the requester excluded)."
                                                                         if r.basis == "working hours" else "."))


def titles(t: Trends) -> TrendTable:
    return TrendTable("titles", "Top recurring titles", ["Title (normalised)", "Queries"], [[title, n] for title, n in t.titles],
                      f"Query titles that recur at least {t.title_threshold} times, compared in lower case without punctuation.")


def tags(t: Trends) -> TrendTable:
    return TrendTable("tags", "Top recurring tags", ["Tag", "Queries"], [[tag, n] for tag, n in t.tags],
                      f"Tags on at least {t.title_threshold} queries.")


TABLES: dict[str, Callable[[Trends], TrendTable]] = {
    "daily": daily, "categories": categories, "priorities": priorities, "units": units, "sla": sla, "resolve": resolve,
    "titles": titles, "tags": tags,
}


def all_tables(t: Trends) -> dict[str, TrendTable]:
    return {key: build(t) for key, build in TABLES.items()}
