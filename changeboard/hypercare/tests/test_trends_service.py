"""Trends against a hand-built small period (`trends_data.py`): the curve,
the breakdowns with the unit roll-up, top titles and tags, time to resolve,
and who sees what."""

from __future__ import annotations

from typing import Any

import pytest

from ..services import trends as service
from . import trends_data as data
from .trends_data import NOW, TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def small(world: Any) -> data.Small:
    return data.build(world)


def run(world: Any, small: data.Small, persona: str = "admin", unit: Any = None) -> service.Trends:
    return service.trends(world.users[persona], [small.period], title="t", unit=unit, today=TODAY, now=NOW)


def test_the_curve_counts_raised_resolved_and_open_at_the_end_of_each_day(world: Any, small: data.Small) -> None:
    t = run(world, small)
    assert [(d.day, d.raised, d.resolved, d.open) for d in t.days] == [
        (0, 2, 0, 2), (1, 1, 1, 2), (2, 0, 1, 1), (3, 1, 0, 2), (4, 0, 1, 1)]
    assert [d.date.isoformat() for d in t.days if d.date] == ["2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05", "2026-11-06"]
    assert (t.raised, t.open, t.resolved) == (4, 1, 3)
    assert t.peak is not None and (t.peak.day, t.peak.raised) == (0, 2)


def test_the_curve_stops_at_today_and_at_the_period_end(world: Any, small: data.Small) -> None:
    t = service.trends(world.users["admin"], [small.period], title="t", today=data.GO_LIVE.replace(day=3), now=NOW)
    assert [(d.day, d.raised, d.open) for d in t.days] == [(0, 2, 2), (1, 1, 2)]
    later = service.trends(world.users["admin"], [small.period], title="t", today=data.GO_LIVE.replace(year=2027), now=NOW)
    assert len(later.days) == (small.period.ends_on - small.period.starts_on).days + 1 == 43
    assert later.days[-1].open == 1


def test_several_periods_are_aligned_on_their_own_go_live(world: Any, small: data.Small) -> None:
    from ..services import periods as period_services
    from ..services import queries as query_services

    other = period_services.period_create(rollout_wave=world.wave_b, actor=None, starts_on=data.GO_LIVE.replace(day=4))
    category = other.categories.get(code="data")
    query_services.query_create(period=other, category=category, title="Wrong figures", actor=None, source="support", unit=world.camden,
                                created_at=data.at(2, 12))  # its own day 0
    t = service.trends(world.users["admin"], [small.period, other], title="t", today=TODAY, now=NOW)
    # The second period adds to days 0-2 only (it is on its day 2 today).
    assert [(d.day, d.raised, d.open) for d in t.days] == [(0, 3, 3), (1, 1, 3), (2, 0, 2), (3, 1, 2), (4, 0, 1)]
    assert all(d.date is None for d in t.days)


def test_by_category_and_priority(world: Any, small: data.Small) -> None:
    t = run(world, small)
    assert [(r.key, r.raised, r.open, r.resolved, r.training_gap) for r in t.categories] == [
        ("training_gap", 2, 0, 2, True), ("access", 1, 0, 1, False), ("defect", 1, 1, 0, False)]
    assert [(r.key, r.raised, r.open, r.resolved) for r in t.priorities] == [("P1", 1, 1, 0), ("P2", 1, 0, 1), ("P3", 2, 0, 2), ("P4", 0, 0, 0)]


def test_units_roll_up_their_subtree_and_drill_one_level_down(world: Any, small: data.Small) -> None:
    t = run(world, small)
    # Descends from the top while the queries sit in one subtree: to Central West BCU.
    assert t.units.parent == world.central_west and not t.units.chosen
    assert [(r.label, r.raised, r.open, r.training_gaps, r.drill) for r in t.units.rows] == [
        ("Westminster", 3, 1, 2, True), ("Directly in Central West BCU", 1, 0, 0, False)]
    drilled = run(world, small, unit=world.westminster)
    assert drilled.units.chosen and drilled.units.up == world.central_west
    assert [(r.label, r.raised, r.open, r.training_gaps, r.drill) for r in drilled.units.rows] == [
        ("Response Team 1", 2, 1, 1, False), ("Directly in Westminster", 1, 0, 1, False)]
    top = run(world, small, unit=world.frontline)
    assert [(r.label, r.raised) for r in top.units.rows] == [("Central West BCU", 4)]


def test_top_titles_are_normalised_and_tags_split(world: Any, small: data.Small) -> None:
    t = run(world, small)
    assert t.titles == [("Can't find the custody screen", 2), ("Login fails", 2)]
    assert t.tags == [("custody", 2)]


def test_sla_met_and_working_time_to_resolve(world: Any, small: data.Small) -> None:
    t = run(world, small)
    # Working hours Mon-Fri 08:00-18:00: q3 4 h, q4 10 h (Thu 09:00 to Fri 09:00), q1 20 h (Mon 10:00 to Wed 10:00).
    assert (t.resolve.basis, t.resolve.resolved, t.resolve.median_hours, t.resolve.p90_hours) == ("working hours", 3, 10.0, 20.0)
    # Resolution targets: P3 3,000 min (q1 1,200 and q3 240 used: met), P2 1,200 min (q4 600 used: met); q2 still open.
    assert (t.sla.resolution_met, t.sla.resolution_breached) == (3, 0)
    # Responses after 60 min each: q1 and q3 (P3, 600) met, q2 (P1, 30) breached; q4 (P2, 120) closed unanswered after
    # 600 working minutes: breached.
    assert (t.sla.response_met, t.sla.response_breached) == (2, 2)
    assert t.sla.response_pct == 50.0 and t.sla.resolution_pct == 100.0
    by = {p["priority"]: p for p in t.sla.by_priority}
    assert (by["P1"]["response_breached"], by["P2"]["response_breached"], by["P3"]["response_met"]) == (1, 1, 2)
    # q2 (P1, open): its response clock stopped (breached); resolution 600 min target, Mon 11:00 to Fri 17:00 = 46 h used: breached.
    assert (t.sla.open_breached, t.sla.open_at_risk) == (1, 0)


def test_a_champion_gets_the_figures_of_their_units_only(world: Any, small: data.Small) -> None:
    t = run(world, small, "champion")
    assert not t.aggregates_only
    assert (t.raised, t.open) == (3, 1)  # q4 is in Central West BCU, above Westminster
    assert t.units.parent == world.westminster


def test_the_board_gets_aggregates_and_only_titles_recurring_five_times(world: Any, small: data.Small) -> None:
    from ..services import queries as query_services

    t = run(world, small, "board")
    assert t.aggregates_only and (t.raised, t.open, t.resolved) == (4, 1, 3)
    assert t.titles == [] and t.tags == [] and t.title_threshold == service.BOARD_TITLE_THRESHOLD == 5
    category = small.period.categories.get(code="defect")
    for n in range(3):
        query_services.query_create(period=small.period, category=category, title="LOGIN FAILS!", actor=None, source="support",
                                    unit=world.team, created_at=data.at(4, 10 + n))
    t = run(world, small, "board")
    assert t.titles == [("Login fails", 5)]
    assert run(world, small, "lead").titles[0] == ("Login fails", 5)


def test_a_change_manager_of_another_programme_sees_nothing(world: Any, small: data.Small) -> None:
    t = run(world, small, "lead2")
    assert (t.raised, t.open, t.days[0].raised, t.titles) == (0, 0, 0, [])
