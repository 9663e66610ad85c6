"""Conflict warnings across the portfolio (`services.calendar`): the same
person or team in two runbooks' overlapping tasks, and cutovers on
saturated unit-weeks of the change-load heatmap, against hand-worked cases.

Times: runbook A (programme AAA, wave_a = Central West BCU) and runbook B
(programme BBB, wave_b = North BCU) both start Saturday 9 January 2027 at
18:00 GMT unless a test says otherwise."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from changeboard.conftest import make_staff
from changeboard.cutover.models import Runbook, Task
from changeboard.cutover.services import calendar
from changeboard.cutover.services import runbooks as services
from changeboard.impacts import services as impact_services
from changeboard.impacts.models import LoadTolerance

UTC = dt.UTC
START = dt.datetime(2027, 1, 9, 18, 0, tzinfo=UTC)  # 18:00 GMT (UTC in winter)


def make_runbook(programme: Any, wave: Any, title: str, start: dt.datetime = START,
                 tasks: list[dict[str, Any]] | None = None) -> Runbook:
    """A runbook through the services; each task dict: ref, duration, owner
    (a user), team, after (predecessor refs, FS)."""
    runbook = services.runbook_create(title=title, planned_start=start, actor=None, programme=programme, rollout_wave=wave)
    made: dict[str, Task] = {}
    for spec in tasks or []:
        made[spec["ref"]] = services.task_save(runbook=runbook, actor=None, ref=spec["ref"], title=spec.get("title", f"Task {spec['ref']}"),
                                               duration_minutes=spec.get("duration", 60), owner_user=spec.get("owner"),
                                               owner_team=spec.get("team"), not_before=spec.get("not_before"),
                                               kind=spec.get("kind", Task.Kind.NORMAL))
        for ref in spec.get("after", []):
            services.dependency_save(predecessor=made[ref], successor=made[spec["ref"]], actor=None)
    return runbook


def at(hours: float) -> dt.datetime:
    return START + dt.timedelta(hours=hours)


def everything(world: Any) -> calendar.Conflicts:
    return calendar.portfolio_conflicts(world.users["admin"])


@pytest.fixture
def operator(world: Any) -> Any:
    from changeboard.conftest import make_user

    return make_user("operator", "board")


def test_the_same_person_in_two_runbooks_at_once(world: Any, operator: Any) -> None:
    a = make_runbook(world.programme_a, world.wave_a, "AAA cutover", tasks=[
        {"ref": "A-1", "duration": 60, "owner": world.users["lead"]},
        {"ref": "A-2", "duration": 120, "owner": operator, "after": ["A-1"]},  # 19:00-21:00
    ])
    b = make_runbook(world.programme_b, world.wave_b, "BBB cutover", start=at(2.5), tasks=[
        {"ref": "B-1", "duration": 60, "owner": operator},  # 20:30-21:30
    ])
    found = everything(world)
    assert len(found.overlaps) == 1
    overlap = found.overlaps[0]
    assert (overlap.first.task.ref, overlap.second.task.ref) == ("A-2", "B-1")
    assert (overlap.start, overlap.finish, overlap.minutes) == (at(2.5), at(3), 30)
    assert overlap.people == [operator] and overlap.teams == []
    assert overlap.who == "Operator Tester"
    assert found.count_for(a.pk) == found.count_for(b.pk) == 1


def test_a_person_through_a_team_clashes_with_their_own_task(world: Any, operator: Any) -> None:
    team = services.team_save(name="Service desk", actor=None, members=[operator, world.users["lead2"]])
    make_runbook(world.programme_a, world.wave_a, "AAA cutover", tasks=[{"ref": "A-1", "duration": 90, "team": team}])
    make_runbook(world.programme_b, world.wave_b, "BBB cutover", start=at(1), tasks=[{"ref": "B-1", "duration": 60, "owner": operator}])
    [overlap] = everything(world).overlaps
    assert overlap.teams == [] and overlap.people == [operator]
    assert (overlap.start, overlap.finish) == (at(1), at(1.5))


def test_the_same_team_is_named_once_not_member_by_member(world: Any, operator: Any) -> None:
    team = services.team_save(name="Data migration", actor=None, members=[operator, world.users["lead"]])
    other = services.team_save(name="Network", actor=None, members=[operator])
    make_runbook(world.programme_a, world.wave_a, "AAA cutover", tasks=[{"ref": "A-1", "duration": 60, "team": team}])
    make_runbook(world.programme_b, world.wave_b, "BBB cutover", tasks=[
        {"ref": "B-1", "duration": 60, "team": team},
        {"ref": "B-2", "duration": 30, "team": other},  # the operator again, through another team
    ])
    overlaps = {(o.first.task.ref, o.second.task.ref): o for o in everything(world).overlaps}
    assert set(overlaps) == {("A-1", "B-1"), ("A-1", "B-2")}
    assert overlaps[("A-1", "B-1")].teams == [team] and overlaps[("A-1", "B-1")].people == []
    assert overlaps[("A-1", "B-1")].who == "Data migration (team)"
    assert overlaps[("A-1", "B-2")].teams == [] and overlaps[("A-1", "B-2")].people == [operator]


def test_back_to_back_is_not_a_clash(world: Any, operator: Any) -> None:
    make_runbook(world.programme_a, world.wave_a, "AAA cutover", tasks=[{"ref": "A-1", "duration": 60, "owner": operator}])
    make_runbook(world.programme_b, world.wave_b, "BBB cutover", start=at(1), tasks=[{"ref": "B-1", "duration": 60, "owner": operator}])
    assert everything(world).overlaps == []
    # A third runbook one minute earlier clashes with A-1 for that minute (and with B-1 for the rest).
    make_runbook(world.programme_b, world.wave_b, "BBB second cutover", start=at(1) - dt.timedelta(minutes=1),
                 tasks=[{"ref": "C-1", "duration": 60, "owner": operator}])
    found = {(o.first.task.ref, o.second.task.ref): o.minutes for o in everything(world).overlaps}
    assert found == {("A-1", "C-1"): 1, ("C-1", "B-1"): 59}


def test_the_same_runbook_is_not_a_clash(world: Any, operator: Any) -> None:
    make_runbook(world.programme_a, world.wave_a, "AAA cutover", tasks=[
        {"ref": "A-1", "duration": 60, "owner": operator},
        {"ref": "A-2", "duration": 60, "owner": operator},  # in parallel: the runbook's own business
    ])
    assert everything(world).overlaps == []


def test_milestones_templates_and_finished_runbooks_do_not_clash(world: Any, operator: Any) -> None:
    make_runbook(world.programme_a, world.wave_a, "AAA cutover", tasks=[
        {"ref": "A-1", "duration": 0, "owner": operator, "kind": Task.Kind.MILESTONE},
        {"ref": "A-2", "duration": 60, "owner": world.users["lead"]},
    ])
    done = make_runbook(world.programme_b, world.wave_b, "BBB cutover", tasks=[
        {"ref": "B-1", "duration": 60, "owner": operator}, {"ref": "B-2", "duration": 60, "owner": world.users["lead"]}])
    template = services.runbook_create(title="Template", planned_start=START, actor=None, is_template=True)
    services.task_save(runbook=template, actor=None, ref="T-1", title="Template task", duration_minutes=60, owner_user=world.users["lead"])
    [overlap] = everything(world).overlaps
    assert (overlap.first.task.ref, overlap.second.task.ref) == ("A-2", "B-2")
    Runbook.objects.filter(pk=done.pk).update(mode=Runbook.Mode.COMPLETE)
    assert everything(world).overlaps == []


def test_sweep_finds_only_pairs_across_groups() -> None:
    intervals = [(0, 10, 1, "a"), (5, 15, 2, "b"), (10, 20, 1, "c"), (14, 16, 2, "d"), (20, 30, 2, "e"), (3, 3, 2, "empty")]
    assert sorted(tuple(sorted(p)) for p in calendar.sweep(intervals)) == [("a", "b"), ("b", "c"), ("c", "d")]


def test_who_sees_what_of_the_other_side(world: Any, operator: Any) -> None:
    a = make_runbook(world.programme_a, world.wave_a, "AAA cutover", tasks=[{"ref": "A-1", "duration": 60, "owner": operator}])
    b = make_runbook(world.programme_b, world.wave_b, "BBB cutover", tasks=[{"ref": "B-1", "title": "Switch BBB DNS", "duration": 60, "owner": operator}])
    lead2 = calendar.portfolio_conflicts(world.users["lead2"])
    [row] = lead2.rows()
    mine, theirs = (row["tasks"][1], row["tasks"][0])
    assert mine["visible"] and mine["ref"] == "B-1" and mine["runbook_title"] == "BBB cutover"
    assert not theirs["visible"] and theirs["programme"] == "AAA" and theirs["start"] == START
    assert theirs["ref"] is theirs["title"] is theirs["runbook_title"] is theirs["runbook"] is None
    # Seen from B's page, B's task comes first; the Board sees both sides in full.
    [own] = calendar.runbook_conflicts(b, world.users["lead2"]).rows()
    assert own["tasks"][0]["ref"] == "B-1" and own["tasks"][1]["visible"] is False
    assert all(side["visible"] for side in calendar.portfolio_conflicts(world.users["board"]).rows()[0]["tasks"])
    # A change manager of neither programme is told nothing; a runbook out of scope gives nothing either.
    from changeboard.conftest import make_user
    from changeboard.portfolio.models import Programme

    other = make_user("lead3", "change_manager", programmes=[Programme.objects.create(code="CCC", name="Other", status="active", phase="build")])
    assert calendar.portfolio_conflicts(other).overlaps == []
    assert not calendar.runbook_conflicts(a, other)


@pytest.fixture
def saturated(world: Any) -> Any:
    """Central West BCU: 4 people (staff_in and three more in Response Team
    1), an approved line on it of severity 3 from 4 to 17 January 2027
    (weeks W01 and W02), and a tolerance of 2: load 3 x 4/4 = 3 > 2 in
    W01 and W02, 0 in W03. North BCU (wave_b) carries nothing."""
    for n in range(3):
        make_staff(f"10001{n}", world.team)
    admin = world.users["admin"]
    assessment = impact_services.assessment_create(programme=world.programme_a, title="AAA impacts", actor=admin)
    impact_services.line_save(assessment=assessment, actor=admin, units=[world.central_west], title="Training", severity=3,
                              start_date=dt.date(2027, 1, 4), end_date=dt.date(2027, 1, 17), hours_per_person=Decimal("4"))
    impact_services.assessment_submit(assessment=assessment, actor=None)
    impact_services.assessment_approve(assessment=assessment, actor=admin)
    LoadTolerance.objects.create(unit=world.central_west, tolerance=Decimal("2"))
    return world


def test_a_cutover_on_saturated_unit_weeks(saturated: Any) -> None:
    w = saturated
    # Saturday 9 Jan 18:00 to Monday 11 Jan 18:00: ISO weeks W01 and W02.
    a = make_runbook(w.programme_a, w.wave_a, "AAA cutover", tasks=[{"ref": "A-1", "duration": 48 * 60, "owner": w.users["lead"]}])
    later = make_runbook(w.programme_a, w.wave_a, "AAA second cutover", start=dt.datetime(2027, 1, 18, 18, tzinfo=UTC),
                         tasks=[{"ref": "L-1", "duration": 60}])
    make_runbook(w.programme_b, w.wave_b, "BBB cutover", tasks=[{"ref": "B-1", "duration": 48 * 60}])
    found = calendar.portfolio_conflicts(w.users["admin"])
    assert [(s.runbook.pk, s.unit.name, s.week_label, s.load, s.tolerance) for s in found.saturated] == [
        (a.pk, "Central West BCU", "2027-W01", 3.0, 2.0),
        (a.pk, "Central West BCU", "2027-W02", 3.0, 2.0),
    ]
    assert calendar.runbook_conflicts(later, w.users["admin"]).saturated == []
    assert [s.week_label for s in calendar.runbook_conflicts(a, w.users["lead"]).saturated] == ["2027-W01", "2027-W02"]
    # Raise the tolerance to the load: no longer over it.
    LoadTolerance.objects.filter(unit=w.central_west).update(tolerance=Decimal("3"))
    assert calendar.portfolio_conflicts(w.users["admin"]).saturated == []


def test_iso_weeks_of_a_window_in_london_time() -> None:
    # Sunday 10 Jan 23:30 GMT to Monday 11 Jan 00:30: both weeks.
    start = dt.datetime(2027, 1, 10, 23, 30, tzinfo=UTC)
    assert [str(w) for w in calendar.iso_weeks(start, start + dt.timedelta(hours=1))] == ["2027-01-04", "2027-01-11"]
    # Ending exactly at midnight stays in the first week; BST shifts the day.
    assert [str(w) for w in calendar.iso_weeks(start, start + dt.timedelta(minutes=30))] == ["2027-01-04"]
    summer = dt.datetime(2027, 6, 13, 23, 30, tzinfo=UTC)  # 00:30 BST on Monday 14 June
    assert [str(w) for w in calendar.iso_weeks(summer, summer + dt.timedelta(minutes=10))] == ["2027-06-14"]


def test_times_carry_their_zone() -> None:
    assert calendar.when(dt.datetime(2027, 1, 9, 18, tzinfo=UTC)) == "Sat 9 Jan 2027 18:00 GMT"
    assert calendar.when(dt.datetime(2027, 6, 12, 17, tzinfo=UTC)) == "Sat 12 Jun 2027 18:00 BST"


def test_conflicts_take_a_fixed_number_of_queries(world: Any, operator: Any, django_assert_max_num_queries: Any) -> None:
    team = services.team_save(name="Service desk", actor=None, members=[operator])
    runbook = make_runbook(world.programme_a, world.wave_a, "AAA cutover")
    Task.objects.bulk_create(Task(runbook=runbook, ref=f"A-{i}", title="t", position=i, duration_minutes=30,
                                  owner_user=operator if i % 2 else None, owner_team=None if i % 2 else team) for i in range(200))
    make_runbook(world.programme_b, world.wave_b, "BBB cutover", tasks=[{"ref": "B-1", "duration": 60, "owner": operator}])
    with django_assert_max_num_queries(20):
        found = calendar.portfolio_conflicts(world.users["admin"])
    assert len(found.overlaps) == 200
