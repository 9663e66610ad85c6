"""Coverage against the hand-worked organisation of `coverage_data` (every
figure below is worked out by hand in that module's table), the targets and
policy services, and the candidates for a gap."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from changeboard.conftest import make_staff
from changeboard.core.models import AuditEntry

from ..models import CoverageTarget, NetworkPolicy
from ..services import coverage as services
from .coverage_data import CX, DAY, HOL, build


def figures(cells: list[services.Cell]) -> dict[tuple[str, ...], tuple[int, int, int, int]]:
    """(impacted, champions, needed, shortfall) per cell key."""
    return {c.key: (c.impacted, c.champions, c.needed, c.shortfall) for c in cells}


@pytest.fixture
def org(world: Any) -> Any:
    return build(world)


def test_a_programme_by_site_and_shift(world: Any, org: Any) -> None:
    cov = services.coverage(world.programme_a, DAY)
    # W1-W4 (W5 left); W6, W7; Alex, T2, T3; T4. The draft assessment on Camden is ignored.
    assert (cov.impacted, cov.champions, cov.target, cov.target_source) == (10, 2, 3, services.PORTFOLIO)
    assert figures(cov.by_site_shift) == {
        (CX, "Night"): (4, 0, 2, 2),  # the nominated, the ended and the leaver champion do not count
        (HOL, "Night"): (1, 0, 1, 1),
        (CX, "Day"): (2, 1, 1, 0),
        (HOL, "Day"): (3, 1, 1, 0),
    }
    assert [c.key for c in cov.by_site_shift] == [(CX, "Night"), (HOL, "Night"), (HOL, "Day"), (CX, "Day")]
    assert [(c.label, c.uncovered) for c in cov.gaps] == [("Charing Cross, Night", 4), ("Holborn, Night", 1)]
    assert [c.slug for c in cov.gaps] == ["Charing Cross|Night", "Holborn|Night"]
    assert cov.per_champion == 5
    day = next(c for c in cov.by_site_shift if c.key == (CX, "Day"))
    assert (day.per_champion, day.gap) == (2, False)


def test_a_programme_by_location_shift_and_role_group(world: Any, org: Any) -> None:
    cov = services.coverage(world.programme_a, DAY)
    assert figures(cov.by_location) == {(CX,): (6, 1, 2, 1), (HOL,): (4, 1, 2, 1)}
    assert figures(cov.by_shift) == {("Night",): (5, 0, 2, 2), ("Day",): (5, 2, 2, 0)}
    assert figures(cov.by_role_group) == {("officer",): (7, 1, 3, 2), ("staff",): (3, 1, 1, 0)}
    assert [c.label for c in cov.by_role_group] == ["Police officers", "Police staff"]


def test_the_unit_tree_rolls_up(world: Any, org: Any) -> None:
    cov = services.coverage(world.programme_a, DAY)
    by_unit = {pk: (c.impacted, c.champions, c.gap) for pk, c in cov.by_unit.items()}
    assert by_unit == {
        world.root.pk: (10, 2, True), world.frontline.pk: (10, 2, True), world.central_west.pk: (10, 2, True),
        world.westminster.pk: (10, 2, True),  # 10 impacted need 4 at 1 per 3
        world.team.pk: (4, 1, True),  # 4 need 2; T2 looks after the team, W6 after Westminster above it
    }
    assert [c.unit_id for c in cov.unit_children(None)] == [world.root.pk]
    assert [c.unit_id for c in cov.unit_children(world.westminster)] == [world.team.pk]
    assert cov.by_unit[world.westminster.pk].has_children and not cov.by_unit[world.team.pk].has_children
    assert cov.unit_children(world.team) == []


def test_the_portfolio_counts_a_person_and_a_champion_once(world: Any, org: Any) -> None:
    cov = services.coverage(None, DAY)
    # A's 10, plus Blair and C2 from B; the team's four are impacted by both and counted once.
    # Champions: T2, W6 (A), C2 and the four pool members (B).
    assert (cov.impacted, cov.champions, cov.target) == (12, 7, 3)
    assert figures(cov.by_site_shift) == {
        (CX, "Night"): (4, 4, 2, 0),
        (CX, "Day"): (2, 1, 1, 0),
        (HOL, "Day"): (4, 1, 2, 1),
        (HOL, "Night"): (2, 1, 1, 0),
    }
    assert [c.label for c in cov.gaps] == ["Holborn, Day"]
    only_b = services.coverage(None, DAY, programmes=[world.programme_b])
    assert (only_b.impacted, only_b.champions) == (6, 5)
    # T2 champions A only: B's Holborn day shift has nobody.
    assert figures(only_b.by_site_shift)[(HOL, "Day")] == (4, 0, 2, 2)
    assert figures(only_b.by_site_shift)[(CX, "Night")] == (0, 4, 0, 0)


def test_a_programme_s_own_ratio_overrides_the_portfolio_s(world: Any, org: Any) -> None:
    target = services.coverage_target_set(programme=world.programme_a, target_ratio=5, actor=world.users["lead"])
    cov = services.coverage(world.programme_a, DAY)
    assert (cov.target, cov.target_source, cov.own_target) == (5, services.PROGRAMME, True)
    assert figures(cov.by_site_shift)[(CX, "Night")] == (4, 0, 1, 1)
    assert figures(cov.by_shift)[("Night",)] == (5, 0, 1, 1)
    assert services.coverage(None, DAY).target == 3  # the portfolio keeps its own
    assert AuditEntry.objects.filter(action="create", object_id=str(target.pk)).exists()
    services.coverage_target_set(programme=world.programme_a, target_ratio=6, actor=world.users["lead"])
    assert CoverageTarget.objects.get().target_ratio == 6
    services.coverage_target_clear(programme=world.programme_a, actor=world.users["lead"])
    assert not CoverageTarget.objects.exists()
    assert services.coverage(world.programme_a, DAY).target_source == services.PORTFOLIO
    assert AuditEntry.objects.filter(action="delete", object_id=str(target.pk)).exists()


def test_policy_update_is_audited(world: Any, org: Any) -> None:
    policy = services.policy_update(target_ratio=40, default_hours=6, actor=world.users["admin"])
    assert (NetworkPolicy.current().target_ratio, NetworkPolicy.current().default_hours) == (40, 6)
    assert AuditEntry.objects.filter(action="update", object_id=str(policy.pk)).exists()
    assert services.coverage(world.programme_a, DAY).target == 40


def test_a_champion_s_view_is_narrowed_to_their_units(world: Any, org: Any) -> None:
    cov = services.coverage(world.programme_a, DAY, units=[world.team])
    assert (cov.impacted, cov.champions) == (4, 1)  # Alex, T2, T3, T4; T2 works in the team
    assert figures(cov.by_site_shift) == {(HOL, "Day"): (3, 1, 1, 0), (HOL, "Night"): (1, 0, 1, 1)}
    assert set(cov.by_unit) == {world.team.pk}
    assert [c.unit_id for c in cov.unit_children(None)] == [world.team.pk]
    people = services.uncovered_people(world.programme_a, CX, "Night", DAY, units=[world.team])
    assert list(people) == []


def test_a_gap_s_people(world: Any, org: Any) -> None:
    people = services.uncovered_people(world.programme_a, CX, "Night", DAY)
    assert [p.last_name for p in people] == ["Ash", "Birch", "Cedar", "Wren"]  # not the leaver


def test_candidates_exclude_the_committed_leavers_and_the_programme_s_champions(world: Any, org: Any) -> None:
    found = services.candidates(world.programme_a, CX, "Night", DAY)
    # X4 (5 spare) and X1 (2 spare) first; X2 (full) and X3 (over) left out; W1 is A's nominee, W5 left;
    # then the gap's own unit by name (W2 ended: no longer in the pool).
    assert [c.staff.last_name for c in found] == ["Pool4", "Pool1", "Ash", "Birch", "Cedar"]
    assert [(c.in_pool, c.spare_hours, c.in_gap_units) for c in found] == [
        (True, 5, False), (True, 2, False), (False, None, True), (False, None, True), (False, None, True)]
    assert [c.staff.last_name for c in services.candidates(world.programme_a, CX, "Night", DAY, limit=3)] == ["Pool4", "Pool1", "Ash"]
    # For B the four pool members already champion it; W1 (A's nominee, 2 spare) is in the pool; B impacts nobody there.
    found = services.candidates(world.programme_b, CX, "Night", DAY)
    assert [(c.staff.last_name, c.in_pool, c.in_gap_units) for c in found] == [
        ("Wren", True, False), ("Ash", False, False), ("Birch", False, False), ("Cedar", False, False)]


def test_all_gaps_matches_each_programme_s_candidates(world: Any, org: Any) -> None:
    result = services.all_gaps(DAY)
    a = result[world.programme_a.pk]
    assert [g.label for g, _ in a] == ["Charing Cross, Night", "Holborn, Night"]
    assert [c.staff.last_name for c in a[0][1]] == ["Pool4", "Pool1", "Ash", "Birch", "Cedar"]
    # Holborn night: C2 (B's champion, 2 spare) from the pool, then T4 in the gap's unit.
    assert [(c.staff.last_name, c.in_pool) for c in a[1][1]] == [("Ivy", True), ("Hale", False)]
    assert [g.label for g, _ in result[world.programme_b.pk]] == ["Holborn, Day"]
    for programme in (world.programme_a, world.programme_b):
        for gap, found in result[programme.pk]:
            expected = services.candidates(programme, gap.key[0], gap.key[1], DAY, limit=5)
            assert [c.staff.pk for c in found] == [c.staff.pk for c in expected]


def test_coverage_is_a_handful_of_queries(world: Any, org: Any, django_assert_max_num_queries: Any) -> None:
    services.coverage(None, DAY)  # the policy row exists
    with django_assert_max_num_queries(11):
        services.coverage(None, DAY)
    with django_assert_max_num_queries(11):
        services.coverage(world.programme_a, DAY)


def test_all_gaps_reads_candidates_in_a_fixed_number_of_queries(world: Any, org: Any) -> None:
    with CaptureQueriesContext(connection) as before:
        services.all_gaps(DAY)
    # Twenty more gaps for A (one person each on a new shift at Charing Cross, Westminster).
    for i in range(20):
        make_staff(f"50{i:04d}", world.westminster, location=CX, shift_pattern=f"Shift {i}", first_name="New", last_name=f"Person{i}")
    with CaptureQueriesContext(connection) as after:
        result = services.all_gaps(DAY)
    assert len(result[world.programme_a.pk]) == 22
    assert len(after.captured_queries) == len(before.captured_queries)


def test_gaps_come_soonest_go_live_first(world: Any, org: Any) -> None:
    """The gap the change manager must see first is the one whose people go
    live soonest, not merely the largest."""
    from changeboard.portfolio.models import RolloutWave

    before = services.coverage(world.programme_a, DAY).gaps
    assert [g.slug for g in before] == ["Charing Cross|Night", "Holborn|Night"]  # both go live with wave A (1 Mar 2027)
    assert {g.go_live for g in before} == {world.wave_a.go_live_date}
    early = RolloutWave.objects.create(programme=world.programme_a, name="Pilot", go_live_date=dt.date(2026, 12, 22))
    early.units.set([world.team])
    RolloutWave.objects.create(programme=world.programme_a, name="Gone", go_live_date=dt.date(2026, 11, 1)).units.set([world.westminster])
    after = services.coverage(world.programme_a, DAY).gaps
    assert [(g.slug, g.go_live) for g in after] == [("Holborn|Night", dt.date(2026, 12, 22)), ("Charing Cross|Night", world.wave_a.go_live_date)]
