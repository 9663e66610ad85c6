"""The plan's services: the schedule as times, copies that move fixed times,
templates, refusals that save nothing, frozen runbooks, and the audit rows
behind the runbook's change history."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from changeboard.core.models import AuditEntry

from ..models import Dependency, Run, Runbook, Task, Team
from ..services import runbooks as services
from .plan_helpers import START, add, make_runbook, make_template, small_plan

H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)


def test_the_schedule_in_times(world: Any) -> None:
    runbook = make_runbook(world)
    small_plan(runbook)
    result = services.runbook_schedule(runbook)
    # A 0-30, B 30-90, C 30-50 (float 40), D 90-100, R at 100 (see `small_plan`).
    assert result.finish == START + 100 * M
    assert [row.task.ref for row in result.critical_path] == ["A", "B", "D", "R"]
    c = next(row for row in result.rows if row.task.ref == "C")
    assert (c.earliest_start, c.latest_start, c.float_minutes) == (START + 30 * M, START + 70 * M, 40)
    assert [row.task.ref for row in result.rollback_points] == ["R"]


def test_a_loop_is_refused_and_nothing_is_saved(world: Any) -> None:
    runbook = make_runbook(world)
    tasks = small_plan(runbook)
    with pytest.raises(ValidationError) as caught:
        services.task_save_with_predecessors(runbook=runbook, task=tasks["A"], predecessors="D", actor=None, title="Renamed")
    assert "B → D → A → B" in str(caught.value)  # walking back from A: D, then B, then A again
    assert "A" in str(caught.value) and "D" in str(caught.value)
    a = Task.objects.get(pk=tasks["A"].pk)
    assert a.title == "Task A" and not a.predecessor_links.exists()


def test_an_unknown_predecessor_is_refused_on_the_field(world: Any) -> None:
    runbook = make_runbook(world)
    small_plan(runbook)
    with pytest.raises(ValidationError) as caught:
        add(runbook, "E", 10, "B, Z-9")
    assert caught.value.message_dict == {"predecessors": ["These predecessors are not tasks in this runbook: Z-9."]}
    assert not runbook.tasks.filter(ref="E").exists()


def test_a_due_time_the_plan_cannot_meet_is_refused_naming_the_task(world: Any) -> None:
    runbook = make_runbook(world)
    small_plan(runbook)
    with pytest.raises(ValidationError) as caught:
        add(runbook, "E", 30, "D", due_by=START + 60 * M)  # D finishes at 100: E cannot finish by 60
    assert "E" in str(caught.value) and "due time" in str(caught.value)


def test_changing_predecessors_and_duration_together_is_one_schedule(world: Any) -> None:
    # E (30) after D, due at 130 fits (D ends 100); made 60 long it would end at 160, too late, unless it
    # waits on C instead (C ends 50, so 110): both changes in one call are checked together.
    runbook = make_runbook(world)
    small_plan(runbook)
    e = add(runbook, "E", 30, "D", due_by=START + 130 * M)
    services.task_save_with_predecessors(runbook=runbook, task=e, predecessors="C", actor=None, duration_minutes=60)
    row = next(r for r in services.runbook_schedule(runbook).rows if r.task.ref == "E")
    assert row.earliest_finish == START + 110 * M


@pytest.mark.parametrize("ref", ["T 1", "T,1", "T;1"])
def test_an_id_that_cannot_be_written_as_a_predecessor_is_refused(world: Any, ref: str) -> None:
    with pytest.raises(ValidationError) as caught:
        add(make_runbook(world), ref)
    assert "ref" in caught.value.message_dict


def test_task_rules(world: Any) -> None:
    runbook = make_runbook(world)
    team = services.team_save(name="Service desk", actor=None)
    with pytest.raises(ValidationError, match="not both"):
        add(runbook, "A", owner_user=world.users["lead"], owner_team=team)
    with pytest.raises(ValidationError, match="Only a milestone"):
        add(runbook, "A", rollback_point=True)
    with pytest.raises(ValidationError, match="subject"):
        services.task_save(runbook=runbook, actor=None, ref="A", title="Tell", kind=Task.Kind.COMMUNICATION)
    add(runbook, "A")
    with pytest.raises(ValidationError):
        add(runbook, "A")  # IDs are unique in a runbook


def test_a_copy_moves_fixed_times_with_the_start_and_keeps_links_and_audiences(world: Any) -> None:
    source = make_runbook(world)
    team = services.team_save(name="Comms", actor=None, members=[world.users["lead"]])
    add(source, "A", 60, not_before=START + 2 * H, due_by=START + 4 * H)
    add(source, "B", 15, "ASS+10", kind=Task.Kind.COMMUNICATION, audience_teams=[team], audience_units=[world.westminster])
    later = START + dt.timedelta(days=7, hours=1)
    copy = services.runbook_copy(source=source, title="Rehearsal weekend", planned_start=later, programme=world.programme_a,
                                 rollout_wave=world.wave_a, actor=world.users["lead"])
    a = copy.tasks.get(ref="A")
    assert (a.not_before, a.due_by) == (later + 2 * H, later + 4 * H)
    b = copy.tasks.get(ref="B")
    link = b.predecessor_links.get()
    assert (link.predecessor, link.link_type, link.lag_minutes) == (a, "SS", 10)
    assert list(b.audience_teams.all()) == [team] and list(b.audience_units.all()) == [world.westminster]
    assert copy.copied_from == source and copy.mode == Runbook.Mode.PLANNING
    assert Task.objects.filter(runbook=source).count() == 2  # the source is untouched
    entry = AuditEntry.objects.get(object_type="cutover.runbook", object_id=str(copy.pk))
    after = entry.after or {}
    assert (entry.action, entry.actor_name, after["tasks"], after["links"]) == ("create", "lead", 2, 1)


def test_a_copy_into_another_programmes_wave_is_refused(world: Any) -> None:
    with pytest.raises(ValidationError):
        services.runbook_copy(source=make_template(), title="X", planned_start=START, programme=world.programme_a,
                              rollout_wave=world.wave_b, actor=None)


def test_save_as_template_and_copy_from_it(world: Any) -> None:
    source = make_runbook(world)
    small_plan(source)
    template = services.runbook_save_as_template(source=source, title="Standard", actor=None)
    assert template.is_template and template.programme is None and template.rollout_wave is None
    assert template.tasks.count() == 5 and Dependency.objects.filter(successor__runbook=template).count() == 5
    copy = services.runbook_copy(source=template, title="Wave 1 of B", planned_start=START, programme=world.programme_b,
                                 rollout_wave=world.wave_b, actor=None)
    assert services.runbook_schedule(copy).finish == START + 100 * M


@pytest.mark.parametrize("mode", [Runbook.Mode.COMPLETE, Runbook.Mode.ABANDONED])
def test_a_finished_runbook_refuses_every_plan_change(world: Any, mode: str) -> None:
    runbook = make_runbook(world)
    tasks = small_plan(runbook)
    Runbook.objects.filter(pk=runbook.pk).update(mode=mode)
    runbook.refresh_from_db()
    for attempt in (
        lambda: services.runbook_update(runbook=runbook, actor=None, title="New"),
        lambda: add(runbook, "E"),
        lambda: services.task_save(runbook=runbook, task=tasks["A"], actor=None, title="New"),
        lambda: services.task_delete(task=tasks["C"], actor=None),
        lambda: services.dependency_save(predecessor=tasks["C"], successor=tasks["B"], actor=None),
        lambda: services.dependency_delete(dependency=tasks["B"].predecessor_links.get(), actor=None),
    ):
        with pytest.raises(ValidationError, match="cannot change"):
            attempt()
    assert runbook.tasks.count() == 5


def test_a_runbook_that_has_been_run_cannot_be_deleted(world: Any) -> None:
    runbook = make_runbook(world)
    Run.objects.create(runbook=runbook, kind=Run.Kind.REHEARSAL, planned_start=START, started_at=timezone.now())
    with pytest.raises(ValidationError, match="cannot be deleted"):
        services.runbook_delete(runbook=runbook, actor=None)
    assert Runbook.objects.filter(pk=runbook.pk).exists()
    other = make_runbook(world, title="Spare")
    services.runbook_delete(runbook=other, actor=None)
    assert not Runbook.objects.filter(pk=other.pk).exists()


def test_moving_the_start_past_a_fixed_time_is_refused(world: Any) -> None:
    runbook = make_runbook(world)
    add(runbook, "A", 60)
    add(runbook, "B", 30, "A", due_by=START + 2 * H)
    with pytest.raises(ValidationError, match="B"):
        services.runbook_update(runbook=runbook, actor=None, planned_start=START + 90 * M)
    runbook.refresh_from_db()
    assert runbook.planned_start == START


def test_dependency_save_refuses_a_loop_and_a_link_across_runbooks(world: Any) -> None:
    runbook = make_runbook(world)
    tasks = small_plan(runbook)
    with pytest.raises(ValidationError, match="loop"):
        services.dependency_save(predecessor=tasks["D"], successor=tasks["A"], actor=None)
    other = add(make_runbook(world, title="Other"), "X")
    with pytest.raises(ValidationError, match="different runbooks"):
        services.dependency_save(predecessor=other, successor=tasks["A"], actor=None)
    assert not tasks["A"].predecessor_links.exists()


def test_the_history_has_the_runbook_its_tasks_and_links_newest_first_even_when_deleted(world: Any) -> None:
    lead = world.users["lead"]
    runbook = make_runbook(world)
    other = make_runbook(world, title="Other")
    add(other, "X")
    a = services.task_save(runbook=runbook, actor=lead, ref="A", title="First")
    b = services.task_save_with_predecessors(runbook=runbook, actor=lead, ref="B", title="Second", predecessors="A")
    link = services.dependency_save(predecessor=a, successor=b, link_type="SS", lag_minutes=5, actor=lead)
    services.dependency_delete(dependency=link, actor=lead)
    services.task_delete(task=b, actor=lead)
    history = list(services.runbook_history(runbook))
    described = [(e.object_type, e.action) for e in history]
    assert described == [("cutover.task", "delete"), ("cutover.dependency", "delete"), ("cutover.dependency", "update"),
                         ("cutover.task", "update"), ("cutover.task", "create"), ("cutover.task", "create"), ("cutover.runbook", "create")]
    assert history[3].after == {"runbook": runbook.pk, "predecessors": [["A", "FS", 0]]}
    assert all(e.actor_name == "lead" for e in history[:-1])
    assert not any(e.object_repr.startswith("X") for e in history)  # the other runbook's task is not in it


def test_team_save(world: Any) -> None:
    team = services.team_save(name=" Service desk ", description="First line", members=[world.users["lead"]], actor=None)
    assert team.name == "Service desk" and list(team.members.all()) == [world.users["lead"]]
    services.team_save(team=team, name="Service desk", members=[], actor=world.users["admin"])
    assert not Team.objects.get(pk=team.pk).members.exists()
    assert AuditEntry.objects.filter(object_type="cutover.team", object_id=str(team.pk)).count() == 2
