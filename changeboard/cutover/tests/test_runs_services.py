"""Runs: starting from the plan, the state machine, startability per link
type, the go/no-go gate, pausing on a no-go, concurrency, late actions,
communication emails, the projection against a hand-worked network,
rollback points, re-estimating, the summary and the log."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from changeboard.accounts.models import Role
from changeboard.conftest import make_staff, make_user
from changeboard.core.models import AuditEntry, OutboxMessage
from changeboard.readiness.models import Action, Rag, Review
from changeboard.readiness.tests.test_reviews import criterion_status, decide, go_no_go

from ..models import Run, Runbook, RunTask, Task
from ..services import runbooks as plan
from ..services import runs as services
from ..services.runs import RunConflict

UTC = dt.UTC
START = dt.datetime(2027, 2, 27, 20, 0, tzinfo=UTC)  # GMT: local time equals UTC


def at(hh: int, mm: int = 0) -> dt.datetime:
    return START.replace(hour=hh, minute=mm)


class Book:
    """A hand-worked network (planned times, from 20:00):

        A  30 min                    20:00-20:30  (operator)
        B  60 min  FS A              20:30-21:30  (team: operator2)
        C  20 min  SS A +10          20:10-20:30
        D  decision 10 min FS B, C   21:30-21:40
        M  milestone, rollback, FS D 21:40
        V  validation 15 min FS M    21:40-21:55  finish 21:55; critical A B D M V
    """

    def __init__(self, world: Any) -> None:
        self.world = world
        lead = world.users["lead"]
        # Operators are champions of no unit: they see the runbook only through owning tasks in it.
        self.operator = make_user("operator", Role.CHAMPION)
        self.operator.email = "operator@example.police.uk"
        self.operator.save()
        self.operator2 = make_user("operator2", Role.CHAMPION)
        self.operator2.email = "operator2@example.police.uk"
        self.operator2.save()
        self.team = plan.team_save(name="Service desk", actor=lead, members=[self.operator2])
        self.runbook = plan.runbook_create(title="Go-live weekend", planned_start=START, actor=lead, programme=world.programme_a,
                                           rollout_wave=world.wave_a)
        self.tasks: dict[str, Task] = {}
        self.add("A", 30, stream="Business", owner_user=self.operator)
        self.add("B", 60, stream="Technology", owner_team=self.team)
        self.add("C", 20, stream="Business")
        self.add("D", 10, stream="Business", kind=Task.Kind.DECISION)
        self.add("M", 0, stream="Business", kind=Task.Kind.MILESTONE, rollback_point=True)
        self.add("V", 15, stream="Technology", kind=Task.Kind.VALIDATION, owner_user=self.operator)
        self.link("A", "B")
        self.link("A", "C", "SS", 10)
        self.link("B", "D")
        self.link("C", "D")
        self.link("D", "M")
        self.link("M", "V")

    def add(self, ref: str, minutes: int, **fields: Any) -> Task:
        self.tasks[ref] = plan.task_save(runbook=self.runbook, actor=None, ref=ref, title=f"Task {ref}", duration_minutes=minutes, **fields)
        return self.tasks[ref]

    def link(self, pred: str, succ: str, kind: str = "FS", lag: int = 0) -> None:
        plan.dependency_save(predecessor=self.tasks[pred], successor=self.tasks[succ], link_type=kind, lag_minutes=lag, actor=None)

    def live(self, **extra: Any) -> Run:
        return services.run_start(runbook=self.runbook, kind=Run.Kind.LIVE, actor=self.world.users["lead"], now=START, **extra)


def rt(run: Run, ref: str) -> RunTask:
    return RunTask.objects.get(run=run, ref=ref)


@pytest.fixture
def book(world: Any) -> Book:
    return Book(world)


def go(world: Any, decision: str = Review.Decision.GO, **extra: Any) -> Review:
    return decide(go_no_go(world), world.users["board"], decision, **extra)


# Starting ------------------------------------------------------------------------------------------------------------


def test_a_live_run_copies_the_plan_at_the_runbooks_planned_start(book: Book) -> None:
    run = book.live()
    assert run.planned_start == START and run.status == Run.Status.RUNNING and run.number == 1
    tasks = {t.ref: t for t in run.tasks.all()}
    assert (tasks["B"].planned_start, tasks["B"].planned_finish) == (at(20, 30), at(21, 30))
    assert (tasks["C"].planned_start, tasks["C"].planned_finish) == (at(20, 10), at(20, 30))
    assert tasks["M"].rollback_point and tasks["M"].planned_finish == at(21, 40)
    assert sorted(map(tuple, run.links)) == sorted([("A", "B", "FS", 0), ("A", "C", "SS", 10), ("B", "D", "FS", 0), ("C", "D", "FS", 0),
                                                    ("D", "M", "FS", 0), ("M", "V", "FS", 0)])
    book.runbook.refresh_from_db()
    assert book.runbook.mode == Runbook.Mode.LIVE
    assert AuditEntry.objects.filter(object_type="cutover.run", object_id=str(run.pk), after__event="run started").exists()
    # The plan changing afterwards leaves the run alone.
    plan.task_save(runbook=book.runbook, task=book.tasks["B"], actor=None, duration_minutes=90)
    assert rt(run, "B").duration_minutes == 60


def test_a_rehearsal_counts_from_when_it_starts_and_fixed_times_shift(book: Book) -> None:
    plan.task_save(runbook=book.runbook, task=book.tasks["C"], actor=None, not_before=at(20, 20))
    started = dt.datetime(2027, 2, 1, 9, 0, 30, tzinfo=UTC)
    first = services.run_start(runbook=book.runbook, kind=Run.Kind.REHEARSAL, actor=None, now=started)
    assert first.planned_start == dt.datetime(2027, 2, 1, 9, 0, tzinfo=UTC) and first.number == 1
    shift = first.planned_start - START
    c = rt(first, "C")
    assert c.not_before == at(20, 20) + shift and c.planned_start == at(20, 20) + shift
    services.run_abandon(run=first, actor=None, reason="Practice stopped", now=started + dt.timedelta(hours=1))
    second = services.run_start(runbook=book.runbook, kind=Run.Kind.REHEARSAL, actor=None, now=started + dt.timedelta(days=1))
    assert second.number == 2
    book.runbook.refresh_from_db()
    assert book.runbook.mode == Runbook.Mode.REHEARSAL  # an abandoned rehearsal leaves the runbook as it was


def test_refusals_one_open_run_no_second_live_no_live_template(book: Book, world: Any) -> None:
    run = book.live()
    with pytest.raises(ValidationError, match="still running"):
        services.run_start(runbook=book.runbook, kind=Run.Kind.REHEARSAL, actor=None)
    services.run_abandon(run=run, actor=None, reason="Rolled back")
    book.runbook.refresh_from_db()
    assert book.runbook.mode == Runbook.Mode.ABANDONED
    with pytest.raises(ValidationError, match="abandoned"):
        services.run_start(runbook=book.runbook, kind=Run.Kind.LIVE, actor=None)
    template = plan.runbook_create(title="Template", planned_start=START, actor=None, is_template=True)
    plan.task_save(runbook=template, actor=None, ref="T1", title="Only", duration_minutes=5)
    with pytest.raises(ValidationError) as error:
        services.run_start(runbook=template, kind=Run.Kind.LIVE, actor=None)
    assert "template" in str(error.value.message_dict["kind"])
    with pytest.raises(ValidationError, match="no tasks"):
        services.run_start(runbook=plan.runbook_create(title="Empty", planned_start=START, actor=None, programme=world.programme_a,
                                                       rollout_wave=world.wave_a), kind=Run.Kind.LIVE, actor=None)


def test_the_database_holds_one_open_run_per_runbook(book: Book) -> None:
    from django.db import IntegrityError, transaction

    run = book.live()
    with pytest.raises(IntegrityError), transaction.atomic():
        Run.objects.create(runbook=book.runbook, kind=Run.Kind.REHEARSAL, planned_start=START, started_at=START)
    assert Run.objects.filter(runbook=book.runbook).count() == 1 and run.is_open


def test_a_second_live_run_after_completion_is_refused(book: Book) -> None:
    run = book.live()
    Run.objects.filter(pk=run.pk).update(status=Run.Status.COMPLETE)
    Runbook.objects.filter(pk=book.runbook.pk).update(mode=Runbook.Mode.LIVE)
    with pytest.raises(ValidationError) as error:
        services.run_start(runbook=book.runbook, kind=Run.Kind.LIVE, actor=None)
    assert "already had its live run" in str(error.value)


# The state machine and startability --------------------------------------------------------------------------------


def test_start_and_finish_in_order_with_owners(book: Book, world: Any) -> None:
    run = book.live()
    op, op2 = book.operator, book.operator2
    with pytest.raises(ValidationError, match="waits on A to finish"):
        services.run_task_start(run_task=rt(run, "B"), actor=op2, now=at(20, 1))
    with pytest.raises(PermissionDenied):
        services.run_task_start(run_task=rt(run, "A"), actor=op2, now=at(20, 1))
    a = services.run_task_start(run_task=rt(run, "A"), actor=op, now=at(20, 2))
    assert a.status == RunTask.Status.IN_PROGRESS and a.started_by == op and a.started_at == at(20, 2)
    with pytest.raises(RunConflict, match="already started by Operator Tester"):
        services.run_task_start(run_task=a, actor=op, now=at(20, 3))
    # SS + 10: C may start ten minutes after A started, not before.
    with pytest.raises(ValidationError, match="A started 20:02 GMT \\+ 10 min, until 20:12 GMT"):
        services.run_task_start(run_task=rt(run, "C"), actor=world.users["lead"], now=at(20, 11))
    services.run_task_start(run_task=rt(run, "C"), actor=world.users["lead"], now=at(20, 12))
    services.run_task_finish(run_task=a, actor=op, now=at(20, 30))
    # B is the team's: its member starts it; the change lead could too.
    b = services.run_task_start(run_task=rt(run, "B"), actor=op2, now=at(20, 31))
    assert b.started_by == op2
    audit = AuditEntry.objects.filter(object_type="cutover.runtask", object_id=str(a.pk)).values_list("after__event", flat=True)
    assert sorted(audit) == ["task finished", "task started"]


def test_finishing_an_unstarted_task_starts_and_finishes_it(book: Book) -> None:
    run = book.live()
    a = services.run_task_finish(run_task=rt(run, "A"), actor=book.operator, now=at(20, 25))
    assert a.status == RunTask.Status.DONE and a.started_at == a.finished_at == at(20, 25) and a.started_by == book.operator
    with pytest.raises(RunConflict, match="already finished by Operator Tester at 20:25 GMT"):
        services.run_task_finish(run_task=a, actor=book.operator, now=at(20, 26))


def test_finish_to_finish_and_start_to_finish_hold_only_the_finish(world: Any, book: Book) -> None:
    plan.task_save(runbook=book.runbook, actor=None, ref="F", title="Follows", duration_minutes=5, owner_user=book.operator)
    plan.task_save(runbook=book.runbook, actor=None, ref="S", title="Starts", duration_minutes=5, owner_user=book.operator)
    book.tasks["F"] = Task.objects.get(runbook=book.runbook, ref="F")
    book.tasks["S"] = Task.objects.get(runbook=book.runbook, ref="S")
    book.link("A", "F", "FF", 5)
    book.link("B", "S", "SF")
    run = book.live()
    op = book.operator
    f = services.run_task_start(run_task=rt(run, "F"), actor=op, now=at(20, 0))  # FF does not hold the start
    with pytest.raises(ValidationError, match="waits on A to finish \\+ 5 min"):
        services.run_task_finish(run_task=f, actor=op, now=at(20, 5))
    services.run_task_finish(run_task=rt(run, "A"), actor=op, now=at(20, 20))
    with pytest.raises(ValidationError, match="until 20:25 GMT"):
        services.run_task_finish(run_task=f, actor=op, now=at(20, 24))
    services.run_task_finish(run_task=f, actor=op, now=at(20, 25))
    s = services.run_task_start(run_task=rt(run, "S"), actor=op, now=at(20, 21))
    with pytest.raises(ValidationError, match="waits on B to start"):
        services.run_task_finish(run_task=s, actor=op, now=at(20, 26))
    services.run_task_start(run_task=rt(run, "B"), actor=book.operator2, now=at(20, 27))
    assert services.run_task_finish(run_task=s, actor=op, now=at(20, 28)).status == RunTask.Status.DONE


def test_a_fixed_start_holds_until_it_passes(book: Book) -> None:
    plan.task_save(runbook=book.runbook, task=book.tasks["A"], actor=None, not_before=at(20, 15))
    run = book.live()
    with pytest.raises(ValidationError, match="its fixed start, 20:15 GMT"):
        services.run_task_start(run_task=rt(run, "A"), actor=book.operator, now=at(20, 14))
    assert services.run_task_start(run_task=rt(run, "A"), actor=book.operator, now=at(20, 15)).status == RunTask.Status.IN_PROGRESS


def test_paused_runs_refuse_changes_and_resume(book: Book, world: Any) -> None:
    run = book.live()
    services.run_pause(run=run, actor=world.users["lead"], reason="Network outage")
    with pytest.raises(ValidationError, match="paused: Network outage"):
        services.run_task_start(run_task=rt(run, "A"), actor=book.operator, now=at(20, 1))
    with pytest.raises(ValidationError, match="Only a running run"):
        services.run_pause(run=run, actor=None)
    services.run_resume(run=run, actor=world.users["lead"])
    assert services.run_task_start(run_task=rt(run, "A"), actor=book.operator, now=at(20, 1)).status == RunTask.Status.IN_PROGRESS
    events = list(AuditEntry.objects.filter(object_type="cutover.run", object_id=str(run.pk)).order_by("pk").values_list("after__event", flat=True))
    assert events == ["run started", "run paused", "run resumed"]
    with pytest.raises(ValidationError):
        services.run_abandon(run=run, actor=None, reason="")


def run_to_decision(run: Run, book: Book) -> None:
    services.run_task_start(run_task=rt(run, "A"), actor=book.operator, now=at(20, 0))
    services.run_task_finish(run_task=rt(run, "A"), actor=book.operator, now=at(20, 30))
    services.run_task_finish(run_task=rt(run, "C"), actor=book.world.users["lead"], now=at(20, 30))
    services.run_task_finish(run_task=rt(run, "B"), actor=book.operator2, now=at(21, 30))


def test_validation_pass_fail_and_a_failure_raises_one_action(book: Book, world: Any) -> None:
    go(world)
    run = book.live()
    run_to_decision(run, book)
    services.run_task_finish(run_task=rt(run, "D"), actor=world.users["lead"], now=at(21, 40))
    services.run_task_finish(run_task=rt(run, "M"), actor=world.users["lead"], now=at(21, 40))
    v = rt(run, "V")
    with pytest.raises(ValidationError) as error:
        services.run_task_finish(run_task=v, actor=book.operator, now=at(21, 50))
    assert "result" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.run_task_finish(run_task=v, actor=book.operator, result="fail", now=at(21, 50))
    assert "comment" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.run_task_finish(run_task=rt(run, "A"), actor=book.operator, result="pass")
    v = services.run_task_finish(run_task=v, actor=book.operator, result="fail", comment="Logins fail for 3 stations", now=at(21, 55))
    action = Action.objects.get(source=Action.Source.CUTOVER)
    assert v.action == action and action.owner == book.operator and action.due_date == timezone.localdate()
    assert action.programme == world.programme_a and "Live run" in action.description and "V" in action.title
    assert "Logins fail" in action.description
    # The last task done: the run and the runbook are complete.
    run.refresh_from_db()
    book.runbook.refresh_from_db()
    assert run.status == Run.Status.COMPLETE and run.ended_at == at(21, 55) and book.runbook.mode == Runbook.Mode.COMPLETE


# The gate ------------------------------------------------------------------------------------------------------------


def test_gate_holds_with_no_review_then_undecided_then_no_go(book: Book, world: Any) -> None:
    run = book.live()
    run_to_decision(run, book)
    d = rt(run, "D")
    with pytest.raises(ValidationError, match="has no go/no-go review yet"):
        services.run_task_finish(run_task=d, actor=world.users["lead"], now=at(21, 35))
    criterion_status(world.programme_a, world.central_west, Rag.RED, title="Response rotas published")
    review = go_no_go(world)
    found = services.gate(book.runbook)
    assert not found.open and found.review == review and [s.criterion.title for s in found.blockers] == ["Response rotas published"]
    with pytest.raises(ValidationError, match="has not decided yet.*Response rotas published \\(Central West BCU\\)"):
        services.run_task_finish(run_task=d, actor=world.users["lead"], now=at(21, 35))
    decide(review, world.users["board"], Review.Decision.NO_GO)
    run.refresh_from_db()
    with pytest.raises(ValidationError, match="decided no-go"):
        services.run_task_finish(run_task=d, actor=world.users["lead"], now=at(21, 35))
    assert rt(run, "D").status == RunTask.Status.PENDING


@pytest.mark.parametrize("decision", [Review.Decision.GO, Review.Decision.CONDITIONS])
def test_gate_opens_on_go_or_go_with_conditions(book: Book, world: Any, decision: str) -> None:
    go(world, decision, conditions="Rotas by Friday")
    run = book.live()
    run_to_decision(run, book)
    assert services.gate(book.runbook).open
    assert services.run_task_finish(run_task=rt(run, "D"), actor=world.users["lead"], now=at(21, 35)).status == RunTask.Status.DONE


def test_the_latest_decided_go_no_go_review_counts(book: Book, world: Any) -> None:
    first = go(world, Review.Decision.NO_GO)
    second = Review.objects.create(programme=world.programme_a, rollout_wave=world.wave_a, checkpoint=Review.Checkpoint.GO_NO_GO,
                                   scheduled_on=first.scheduled_on, title="Go/no-go (again)")
    decide(second, world.users["board"], Review.Decision.GO)
    assert services.gate(book.runbook).open and services.gate(book.runbook).review == second


def test_a_rehearsal_shows_the_gate_but_does_not_hold_the_decision(book: Book, world: Any) -> None:
    run = services.run_start(runbook=book.runbook, kind=Run.Kind.REHEARSAL, actor=None, now=START)
    run_to_decision(run, book)
    assert not services.gate(book.runbook).open
    assert services.run_task_finish(run_task=rt(run, "D"), actor=world.users["lead"], now=at(21, 35)).status == RunTask.Status.DONE


def test_a_no_go_through_review_decide_pauses_the_running_live_run(book: Book, world: Any, django_capture_on_commit_callbacks: Any) -> None:
    run = book.live()
    other = plan.runbook_create(title="Other wave", planned_start=START, actor=None, programme=world.programme_b, rollout_wave=world.wave_b)
    plan.task_save(runbook=other, actor=None, ref="X", title="X", duration_minutes=5)
    elsewhere = services.run_start(runbook=other, kind=Run.Kind.LIVE, actor=None, now=START)
    with django_capture_on_commit_callbacks(execute=True):
        go(world, Review.Decision.NO_GO)
    run.refresh_from_db()
    elsewhere.refresh_from_db()
    assert run.status == Run.Status.PAUSED and "No-go recorded on Go/no-go review: Wave 1" in run.paused_reason
    assert elsewhere.status == Run.Status.RUNNING
    entry = AuditEntry.objects.get(object_type="cutover.run", object_id=str(run.pk), after__event="run paused")
    assert entry.actor_name == "system"


def test_a_go_or_another_checkpoint_pauses_nothing(book: Book, world: Any, django_capture_on_commit_callbacks: Any) -> None:
    run = book.live()
    with django_capture_on_commit_callbacks(execute=True):
        go(world, Review.Decision.GO)
    t2 = Review.objects.create(programme=world.programme_a, rollout_wave=world.wave_a, checkpoint=Review.Checkpoint.T2,
                               scheduled_on=dt.date(2027, 2, 1))
    with django_capture_on_commit_callbacks(execute=True):
        decide(t2, world.users["board"], Review.Decision.NO_GO)
    run.refresh_from_db()
    assert run.status == Run.Status.RUNNING


# Concurrency ---------------------------------------------------------------------------------------------------------


def test_two_operators_finishing_the_same_task_one_wins(book: Book, world: Any) -> None:
    run = book.live()
    seen_by_both = rt(run, "B")
    services.run_task_finish(run_task=rt(run, "A"), actor=book.operator, now=at(20, 30))
    services.run_task_finish(run_task=seen_by_both, actor=book.operator2, now=at(21, 0))
    with pytest.raises(RunConflict) as error:
        services.run_task_finish(run_task=seen_by_both, actor=world.users["lead"], now=at(21, 0, ))
    assert "B was already finished by Operator2 Tester at 21:00 GMT" in str(error.value)
    b = rt(run, "B")
    assert b.finished_by == book.operator2
    finished = AuditEntry.objects.filter(object_type="cutover.runtask", object_id=str(b.pk), after__event="task finished")
    assert finished.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_threads_finishing_the_same_task(world: Any) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers on one file: the threaded race runs on PostgreSQL")
    book = Book(world)
    run = book.live()
    target = rt(run, "A")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def finish(actor: Any) -> None:
        from django.db import connections

        try:
            barrier.wait()
            services.run_task_finish(run_task=target, actor=actor, now=at(20, 30))
            outcomes.append("won")
        except RunConflict as error:
            outcomes.append(str(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=finish, args=(user,)) for user in (book.operator, world.users["lead"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[-1] == "won" and "already finished by" in sorted(outcomes)[0]
    assert AuditEntry.objects.filter(object_type="cutover.runtask", object_id=str(target.pk), after__event="task finished").count() == 1


# Late actions and communications -----------------------------------------------------------------------------------


def test_late_tasks_raise_one_action_each_never_twice(book: Book, world: Any) -> None:
    run = book.live()
    services.run_task_start(run_task=rt(run, "A"), actor=book.operator, now=at(20, 0))
    assert services.runs_tick(now=at(20, 39))["actions"] == 0
    # 20:50: C has not started 40 min after its planned start (20:10), past the 30-minute threshold.
    assert services.runs_tick(now=at(20, 50))["actions"] == 1
    # 21:01: A is 31 min past its planned finish (20:30); B has not started 31 min after 20:30.
    assert services.runs_tick(now=at(21, 1))["actions"] == 2
    assert services.runs_tick(now=at(21, 30))["actions"] == 0
    late = list(Action.objects.filter(source=Action.Source.CUTOVER).order_by("pk"))
    assert [a.title for a in late] == ["Late cutover task C: Task C", "Late cutover task A: Task A", "Late cutover task B: Task B"]
    # The owner, or (no owner, or a team) the programme's change lead.
    assert [a.owner for a in late] == [world.users["lead"], book.operator, world.users["lead"]]
    assert rt(run, "A").action == late[1] and "Live run" in late[1].description
    # Finishing a task runs the check at once too (D, planned to start 21:30, has not started by 22:01).
    services.run_task_finish(run_task=rt(run, "A"), actor=book.operator, now=at(22, 1))
    assert rt(run, "D").action is not None and Action.objects.filter(source=Action.Source.CUTOVER).count() == 4


def test_a_paused_run_raises_no_late_actions(book: Book) -> None:
    run = book.live()
    services.run_pause(run=run, actor=None, reason="Hold")
    assert services.runs_tick(now=at(23, 0)) == {"runs": 0, "actions": 0, "messages": 0}


def comms(book: Book, world: Any) -> Task:
    make_staff("300001", world.westminster, email="westminster@example.police.uk")
    make_staff("300002", world.camden, email="camden@example.police.uk")
    make_staff("300003", world.team, email="")
    watcher = make_user("watcher", Role.BOARD)
    watcher.email = "watcher@example.police.uk"
    watcher.save()
    task = plan.task_save(runbook=book.runbook, actor=None, ref="N", title="Tell the stations", duration_minutes=5,
                          kind=Task.Kind.COMMUNICATION, message_subject="New system live", message_body="Log in from 06:00.",
                          audience_users=[watcher], audience_teams=[book.team], audience_units=[world.central_west])
    book.tasks["N"] = task
    book.link("A", "N")
    return task


def test_a_communication_task_emails_its_audience_once_when_startable(book: Book, world: Any) -> None:
    comms(book, world)
    run = book.live()
    assert not OutboxMessage.objects.exists()
    services.run_task_finish(run_task=rt(run, "A"), actor=book.operator, now=at(20, 30))
    sent = OutboxMessage.objects.order_by("to_address")
    assert [m.to_address for m in sent] == ["operator2@example.police.uk", "p100001@example.police.uk", "watcher@example.police.uk",
                                                   "westminster@example.police.uk"]
    assert {m.subject for m in sent} == {"New system live"} and {m.body for m in sent} == {"Log in from 06:00."}
    assert rt(run, "N").message_sent_at == at(20, 30)
    services.runs_tick(now=at(20, 31))
    services.send_communications(run, at(20, 32))
    assert OutboxMessage.objects.count() == 4


def test_a_rehearsal_sends_nothing_unless_test_messages_then_only_to_its_own_people(book: Book, world: Any) -> None:
    comms(book, world)
    quiet = services.run_start(runbook=book.runbook, kind=Run.Kind.REHEARSAL, actor=None, now=START)
    services.run_task_finish(run_task=rt(quiet, "A"), actor=book.operator, now=START + dt.timedelta(minutes=30))
    services.runs_tick(now=START + dt.timedelta(minutes=31))
    assert not OutboxMessage.objects.exists()
    services.run_abandon(run=quiet, actor=None, reason="Again with messages")
    loud = services.run_start(runbook=book.runbook, kind=Run.Kind.REHEARSAL, actor=None, send_test_messages=True, now=START)
    services.run_task_finish(run_task=rt(loud, "A"), actor=book.operator, now=START + dt.timedelta(minutes=30))
    sent = OutboxMessage.objects.order_by("to_address")
    assert [m.to_address for m in sent] == ["operator2@example.police.uk", "operator@example.police.uk"]
    assert all(m.subject == "[Test: Rehearsal 2] New system live" for m in sent)


def test_test_messages_are_refused_for_a_live_run(book: Book) -> None:
    with pytest.raises(ValidationError) as error:
        book.live(send_test_messages=True)
    assert "send_test_messages" in error.value.message_dict


# The projection ------------------------------------------------------------------------------------------------------


def test_projection_against_the_hand_worked_example(book: Book, world: Any) -> None:
    run = book.live()
    a = services.run_task_start(run_task=rt(run, "A"), actor=book.operator, now=at(20, 0))
    services.run_task_finish(run_task=a, actor=book.operator, now=at(20, 40))
    services.run_task_start(run_task=rt(run, "C"), actor=world.users["lead"], now=at(20, 15))
    p = services.run_projection(run, now=at(20, 45))
    rows = {row.task.ref: row for row in p.rows}
    # A done at its actuals, 10 min late; C in progress since 20:15 for 20 min, but not before now.
    assert (rows["A"].start, rows["A"].finish, rows["A"].slip_minutes) == (at(20, 0), at(20, 40), 10)
    assert (rows["C"].start, rows["C"].finish) == (at(20, 15), at(20, 45))
    # B may start now: 20:45-21:45; then D 21:45-21:55, M 21:55, V 21:55-22:10.
    assert (rows["B"].start, rows["B"].finish) == (at(20, 45), at(21, 45))
    assert (rows["D"].start, rows["D"].finish) == (at(21, 45), at(21, 55))
    assert rows["M"].finish == at(21, 55) and rows["V"].finish == at(22, 10)
    assert p.planned_finish == at(21, 55) and p.finish == at(22, 10) and p.slip_minutes == 15
    assert [r.task.ref for r in p.startable] == ["B"] and [r.task.ref for r in p.in_progress] == ["C"]
    assert p.late == []  # B planned to start 20:30: late only after the 30-minute threshold
    assert [(s.stream, s.done, s.total, s.percent) for s in p.streams] == [("Business", 1, 4, 25), ("Technology", 0, 2, 0)]
    (point,) = p.rollback_points
    assert point.task.ref == "M" and point.deadline == at(21, 40) and point.projected == at(21, 55)
    assert point.time_left_minutes == 55 and point.passes
    later = services.run_projection(run, now=at(21, 5))
    # 21:05: B not started 35 min after its planned start, C running 35 min past its planned finish.
    assert [r.task.ref for r in later.late] == ["B", "C"] and later.finish == at(22, 30)


def test_a_due_time_sets_the_rollback_deadline_and_an_early_run_does_not_pass_it(book: Book) -> None:
    plan.task_save(runbook=book.runbook, task=book.tasks["M"], actor=None, due_by=at(22, 30))
    run = book.live()
    p = services.run_projection(run, now=at(20, 0))
    (point,) = p.rollback_points
    assert point.deadline == at(22, 30) and point.projected == at(21, 40) and not point.passes and point.time_left_text == "2 h 30 min"


def test_projection_is_a_fixed_number_of_queries(book: Book, django_assert_max_num_queries: Any) -> None:
    run = book.live()
    for i in range(40):
        plan.task_save(runbook=book.runbook, actor=None, ref=f"Z{i}", title="Extra", duration_minutes=5)
    Run.objects.filter(pk=run.pk).update(status=Run.Status.ABANDONED)
    Runbook.objects.filter(pk=book.runbook.pk).update(mode=Runbook.Mode.REHEARSAL)
    big = services.run_start(runbook=book.runbook, kind=Run.Kind.REHEARSAL, actor=None, now=START)
    with django_assert_max_num_queries(1):
        services.run_projection(big, now=at(20, 5))


# After the run ----------------------------------------------------------------------------------------------------


def rehearse(book: Book, world: Any) -> Run:
    run = services.run_start(runbook=book.runbook, kind=Run.Kind.REHEARSAL, actor=None, now=START)
    lead = world.users["lead"]
    steps = [("A", "start", (20, 0)), ("C", "start", (20, 10)), ("C", "finish", (20, 40)), ("A", "finish", (20, 45)),
             ("B", "start", (20, 45)), ("B", "finish", (21, 35)), ("D", "start", (21, 35)), ("D", "finish", (21, 50)),
             ("M", "finish", (21, 50)), ("V", "start", (21, 50))]
    for ref, step, moment in steps:
        if step == "start":
            services.run_task_start(run_task=rt(run, ref), actor=lead, now=at(*moment))
        else:
            services.run_task_finish(run_task=rt(run, ref), actor=lead, now=at(*moment))
    services.run_task_finish(run_task=rt(run, "V"), actor=lead, now=at(22, 30), result="fail", comment="Slow logins")
    run.refresh_from_db()
    return run


def test_reestimate_from_a_finished_rehearsal(book: Book, world: Any) -> None:
    run = rehearse(book, world)
    assert run.status == Run.Status.COMPLETE
    changed = services.runbook_reestimate(runbook=book.runbook, run=run, actor=world.users["lead"], refs=["A", "B"])
    assert {t.ref: t.duration_minutes for t in changed} == {"A": 45, "B": 50}
    assert Task.objects.get(pk=book.tasks["C"].pk).duration_minutes == 20
    services.runbook_reestimate(runbook=book.runbook, run=run, actor=world.users["lead"])
    durations = dict(Task.objects.filter(runbook=book.runbook).values_list("ref", "duration_minutes"))
    assert durations == {"A": 45, "B": 50, "C": 30, "D": 15, "M": 0, "V": 40}
    assert AuditEntry.objects.filter(object_type="cutover.task", object_id=str(book.tasks["C"].pk), action="update").exists()
    with pytest.raises(ValidationError, match="not in Rehearsal 1"):
        services.runbook_reestimate(runbook=book.runbook, run=run, actor=None, refs=["NOPE"])
    live = book.live()
    with pytest.raises(ValidationError, match="finished rehearsal"):
        services.runbook_reestimate(runbook=book.runbook, run=live, actor=None)


def test_summary_and_log(book: Book, world: Any) -> None:
    run = rehearse(book, world)
    summary = services.run_summary(run)
    streams = {s.stream: s for s in summary.streams}
    assert (streams["Business"].planned_finish, streams["Business"].actual_finish, streams["Business"].slip_minutes) == (at(21, 40), at(21, 50), 10)
    assert (streams["Technology"].planned_minutes, streams["Technology"].actual_minutes, streams["Technology"].slip_minutes) == (75, 90, 35)
    assert [(t.ref, minutes) for t, minutes in summary.slipped] == [("V", 35), ("A", 15), ("C", 10), ("D", 10), ("M", 10), ("B", 5)]
    assert [t.ref for t in summary.failed] == ["V"] and [a.title for a in summary.actions] == ["Validation V failed: Task V"]
    assert summary.actual_finish == at(22, 30)
    log = services.run_log(run)
    assert log[0][:3] == ["2027-02-27T20:00+00:00", "system", "run started"]
    assert log[1] == ["2027-02-27T20:00+00:00", "lead", "task started", "A", "Task A", "", ""]
    assert ["2027-02-27T22:30+00:00", "lead", "task finished", "V", "Task V", "fail", "Slow logins"] in log
    assert log[-1][2] == "run complete"
