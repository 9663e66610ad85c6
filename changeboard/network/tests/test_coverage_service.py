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
from changeboard.organisation.models import Staff

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


# ---------------------------------------------------------------------------
# The staff groups are cached under the staff version and the day


def test_the_staff_groups_are_read_once_until_the_staff_change(world: Any, org: Any,
                                                                django_assert_num_queries: Any) -> None:
    first = services.staff_groups(DAY)
    with django_assert_num_queries(1):  # the staff version only
        assert services.staff_groups(DAY) == first
    make_staff("390001", world.westminster, location=CX, shift_pattern="Night")  # a single save changes the version
    with django_assert_num_queries(2):
        again = services.staff_groups(DAY)
    assert sum(g[-1] for g in again) == sum(g[-1] for g in first) + 1
    Staff.objects.get(staff_number="390001").delete()  # so does a delete
    assert services.staff_groups(DAY) == first


def test_coverage_shows_staff_changes_at_once(world: Any, org: Any) -> None:
    """A bulk write announced as the HR import announces it, a real HR
    import, and who is in post on another day: none is read stale."""
    from changeboard.organisation import importing
    from changeboard.organisation.importing import COLUMNS
    from changeboard.organisation.signals import staff_changed

    def cx_night() -> int:
        return next(c.impacted for c in services.coverage(world.programme_a, DAY).by_site_shift if c.key == (CX, "Night"))

    assert cx_night() == 4
    # A bulk update the way the HR sync writes (no post_save), announced with `staff_changed`.
    Staff.objects.filter(pk=org.staff["W4"].pk).update(location=HOL)
    staff_changed.send(sender=Staff, created=0, updated=1, leavers=0)
    assert cx_night() == 3
    # An HR import (add and update only) moving W3 out of the programme's units.
    w3 = org.staff["W3"]
    row = {"staff_number": w3.staff_number, "first_name": w3.first_name, "last_name": w3.last_name, "email": w3.email,
           "unit_path": "Test Force > Specialist Operations", "role": w3.role, "rank_or_grade": "PC", "location": CX,
           "shift_pattern": "Night"}
    data = ",".join(COLUMNS) + "\r\n" + ",".join(row.get(c, "") for c in COLUMNS) + "\r\n"
    report = importing.commit(data.encode(), actor=None, add_update_only=True)
    assert report.updated == 1
    assert cx_night() == 2
    # A starter counts from their start date: the cached groups are the day's.
    make_staff("390002", world.westminster, location=CX, shift_pattern="Night", start_date=DAY + dt.timedelta(days=1))
    assert cx_night() == 2
    later = services.coverage(world.programme_a, DAY + dt.timedelta(days=1))
    assert next(c.impacted for c in later.by_site_shift if c.key == (CX, "Night")) == 3


# ---------------------------------------------------------------------------
# all_gaps against the pool as it was read before (one windowed query)


def _reference_candidates(programme: Any, location: str, shift_pattern: str, limit: int, cells: set[tuple[str, str]]) -> list[tuple]:
    """The suggestions as the previous `_pool` and `_candidates` made them:
    the pool entries at the cells with select_related staff, and everyone
    else in post there ranked per unit by name in SQL (a window), then
    sorted in Python. Kept here to check the tuple-based pool against."""
    from functools import reduce
    from operator import or_

    from django.db.models import F, Q, Window
    from django.db.models.functions import RowNumber

    from changeboard.engagement.services.audience import in_post

    from ..models import Champion

    where = reduce(or_, (Q(staff__location=loc, staff__shift_pattern=shp) for loc, shp in cells))
    live = Champion.objects.filter(where).exclude(status__in=(Champion.Status.DECLINED, Champion.Status.ENDED))
    pool = {c.staff_id: c for c in live.select_related("staff__unit", "staff__rank_grade")}
    asked = services.hours_asked(c.pk for c in pool.values())
    pool = {s: c for s, c in pool.items() if in_post(DAY).filter(pk=s).exists()}
    where_staff = reduce(or_, (Q(location=loc, shift_pattern=shp) for loc, shp in cells))
    ranked = (in_post(DAY).filter(where_staff).exclude(pk__in=live.values("staff_id"))
              .annotate(rank=Window(RowNumber(), partition_by=[F("location"), F("shift_pattern"), F("unit_id")],
                                    order_by=[F("last_name").asc(), F("first_name").asc(), F("pk").asc()]))
              .filter(rank__lte=limit).order_by("last_name", "first_name", "pk"))
    gap_units = set(services.impacted_staff(programme, DAY).filter(location=location, shift_pattern=shift_pattern)
                    .values_list("unit_id", flat=True))
    theirs = services._theirs(programme)

    def spare(s: int) -> Any:
        return pool[s].hours_agreed - asked.get(pool[s].pk, 0)

    members = sorted((c.staff for s, c in pool.items() if (c.staff.location, c.staff.shift_pattern) == (location, shift_pattern)
                      and s not in theirs and spare(s) > 0), key=lambda s: (-spare(s.pk), s.last_name, s.first_name, s.pk))
    found = [(s.pk, True, spare(s.pk), s.unit_id in gap_units) for s in members[:limit]]
    here = [s for s in ranked if (s.location, s.shift_pattern) == (location, shift_pattern)]
    name = lambda s: (s.last_name, s.first_name, s.pk)  # noqa: E731
    near = sorted((s for s in here if s.unit_id in gap_units), key=name)
    far = sorted((s for s in here if s.unit_id not in gap_units), key=name)
    found += [(s.pk, False, None, True) for s in near[: max(0, limit - len(found))]]
    found += [(s.pk, False, None, False) for s in far[: max(0, limit - len(found))]]
    return found


@pytest.mark.parametrize("limit", [2, 5])
def test_all_gaps_suggests_what_the_windowed_pool_did(world: Any, org: Any, limit: int) -> None:
    """More people than `limit` in several units at a gap's site and shift,
    with names whose order depends on the collation (lower case, accents,
    apostrophes), so the per-unit cut is where the database's name order
    matters."""
    from changeboard.organisation.services import unit_ensure_path

    annex = unit_ensure_path(full_path="Test Force > Frontline Policing > Central West BCU > Westminster > Annex", actor=None)
    names = ["de Souza", "Dale", "O'Neil", "Oakes", "Ávila", "Avery", "van Dyke", "Vance", "mcBride", "McAdam"]
    for i, last in enumerate(names):
        make_staff(f"38{i:04d}", world.westminster, location=CX, shift_pattern="Night", last_name=last, first_name="Kim")
        make_staff(f"37{i:04d}", annex, location=CX, shift_pattern="Night", last_name=last, first_name="kim")
        make_staff(f"36{i:04d}", org.specialist, location=HOL, shift_pattern="Night", last_name=last, first_name="Lee")
    result = services.all_gaps(DAY, limit=limit)
    cells = {(g.key[0], g.key[1]) for found in result.values() for g, _ in found}
    assert (CX, "Night") in cells and (HOL, "Night") in cells
    checked = 0
    for programme in (world.programme_a, world.programme_b):
        for gap, found in result[programme.pk]:
            got = [(c.staff.pk, c.in_pool, c.spare_hours, c.in_gap_units) for c in found]
            assert got == _reference_candidates(programme, gap.key[0], gap.key[1], limit, cells), gap.label
            assert all(c.staff.unit.name and c.staff.rank_grade for c in found)  # records read with unit and grade
            checked += len(found)
    assert checked >= 2 * limit
