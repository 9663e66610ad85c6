"""The run pages: the live view (operator's tasks first, one-click start
and finish, the gate, rollback warnings, the polled region), starting a
run, control, re-estimating, the summary and the log CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from changeboard.readiness.models import Rag, Review
from changeboard.readiness.tests.test_reviews import criterion_status, go_no_go

from ..models import Run, Runbook, RunTask, Task
from ..services import runs as services
from .test_runs_services import Book, at, rehearse, rt


@pytest.fixture
def book(world: Any) -> Book:
    return Book(world)


def test_the_operator_sees_their_tasks_first_with_one_click_buttons(client: Any, book: Book) -> None:
    run = book.live()
    client.force_login(book.operator)
    text = client.get(reverse("run-detail", args=[run.pk])).content.decode()
    mine = text[text.index('id="my-tasks"'):text.index('id="startable"')]
    assert "A Task A" in mine and "V Task V" in mine and "B Task B" not in mine
    assert reverse("run-task-start", args=[rt(run, "A").pk]) in mine and reverse("run-task-finish", args=[rt(run, "A").pk]) in mine
    # V is theirs but waits on M: no buttons, the reason instead.
    assert reverse("run-task-finish", args=[rt(run, "V").pk]) not in text and "Waiting on M to finish" in mine
    assert "Times are in Europe/London (GMT)" in text and "Sat 27 Feb 2027 21:55 GMT" in text
    assert 'hx-trigger="every 15s"' in text and """hx-headers='{"X-Background-Poll": "1"}'""" in text
    assert "Pause the run" not in text  # operators do not control the run


def test_start_and_finish_by_post_and_anothers_task_is_refused(client: Any, book: Book) -> None:
    run = book.live()
    client.force_login(book.operator)
    a = rt(run, "A")
    response = client.post(reverse("run-task-start", args=[a.pk]))
    assert response.status_code == 302 and response["Location"].endswith(f"/cutover/runs/{run.pk}/#task-{a.pk}")
    assert rt(run, "A").status == RunTask.Status.IN_PROGRESS
    client.post(reverse("run-task-finish", args=[a.pk]))
    assert rt(run, "A").status == RunTask.Status.DONE
    assert client.post(reverse("run-task-start", args=[rt(run, "B").pk])).status_code == 403
    # Finishing again says who finished it and when.
    response = client.post(reverse("run-task-finish", args=[a.pk]), follow=True)
    assert "A was already finished by Operator Tester at" in response.content.decode()


def test_a_validation_failure_from_the_page(client: Any, book: Book, world: Any) -> None:
    hour_ago = timezone.now() - dt.timedelta(hours=1)
    run = services.run_start(runbook=book.runbook, kind=Run.Kind.REHEARSAL, actor=None, now=hour_ago)
    for ref in ("A", "C", "B", "D", "M"):
        RunTask.objects.filter(run=run, ref=ref).update(status=RunTask.Status.DONE, started_at=hour_ago, finished_at=hour_ago)
    client.force_login(book.operator)
    text = client.get(reverse("run-detail", args=[run.pk])).content.decode()
    assert 'name="result" type="radio" value="fail"' in text and "Comment on V" in text
    response = client.post(reverse("run-task-finish", args=[rt(run, "V").pk]), {"result": "fail", "comment": ""}, follow=True)
    assert "Say what failed in validation V." in response.content.decode()
    client.post(reverse("run-task-finish", args=[rt(run, "V").pk]), {"result": "fail", "comment": "Printers down"})
    v = rt(run, "V")
    assert v.result == "fail" and v.action is not None and v.comment == "Printers down"
    run.refresh_from_db()
    assert run.status == Run.Status.COMPLETE


def test_the_gate_is_shown_with_the_review_and_its_red_criteria(client: Any, book: Book, world: Any) -> None:
    criterion_status(world.programme_a, world.central_west, Rag.RED, title="Response rotas published", value="2 of 5 teams")
    review = go_no_go(world)
    run = book.live()
    client.force_login(world.users["lead"])
    text = client.get(reverse("run-detail", args=[run.pk])).content.decode()
    gate = text[text.index('id="gate"'):]
    assert "Go/no-go decision point: held" in gate and "has not decided yet" in gate
    assert reverse("review-detail", args=[review.pk]) in gate and "Response rotas published (Central West BCU): 2 of 5 teams" in gate


def test_a_rollback_point_the_projection_passes_is_warned(client: Any, book: Book, world: Any) -> None:
    run = book.live()
    services.run_task_start(run_task=rt(run, "A"), actor=book.operator, now=at(20, 0))
    services.run_task_finish(run_task=rt(run, "A"), actor=book.operator, now=at(22, 0))
    client.force_login(world.users["board"])
    text = client.get(reverse("run-detail", args=[run.pk])).content.decode()
    assert "The projection passes rollback point M Task M: projected Sat 23:10 GMT, the deadline is Sat 21:40 GMT." in text
    assert "Passes the deadline" in text


def test_the_polled_region_alone_and_no_poll_once_closed(client: Any, book: Book, world: Any) -> None:
    run = book.live()
    client.force_login(world.users["lead"])
    partial = client.get(reverse("run-detail", args=[run.pk]), {"live": "1"}, HTTP_X_BACKGROUND_POLL="1").content.decode()
    assert "<html" not in partial and "Projected finish" in partial and "My tasks" not in partial
    services.run_abandon(run=run, actor=None, reason="Rolled back")
    text = client.get(reverse("run-detail", args=[run.pk])).content.decode()
    assert "hx-trigger" not in text and "Rolled back" in text


def test_pause_resume_abandon_pages(client: Any, book: Book, world: Any) -> None:
    run = book.live()
    client.force_login(world.users["lead"])
    assert "Pause the run" in client.get(reverse("run-detail", args=[run.pk])).content.decode()
    client.post(reverse("run-pause", args=[run.pk]), {"reason": "Network outage"})
    run.refresh_from_db()
    assert run.status == Run.Status.PAUSED and run.paused_reason == "Network outage"
    assert "The run is paused: Network outage" in client.get(reverse("run-detail", args=[run.pk])).content.decode()
    client.post(reverse("run-resume", args=[run.pk]), {"reason": ""})
    run.refresh_from_db()
    assert run.status == Run.Status.RUNNING
    response = client.post(reverse("run-abandon", args=[run.pk]), {"reason": ""})
    assert response.status_code == 200 and "Enter the reason" in response.content.decode()
    client.post(reverse("run-abandon", args=[run.pk]), {"reason": "Rollback"})
    run.refresh_from_db()
    book.runbook.refresh_from_db()
    assert run.status == Run.Status.ABANDONED and book.runbook.mode == Runbook.Mode.ABANDONED


def test_starting_a_run_from_the_form(client: Any, book: Book, world: Any) -> None:
    client.force_login(world.users["lead"])
    url = reverse("run-start", args=[book.runbook.pk])
    text = client.get(url).content.decode()
    assert "Sat 27 Feb 2027 20:00 GMT" in text
    response = client.post(url, {"kind": "live", "send_test_messages": "on"})
    assert response.status_code == 200 and "Test messages are for rehearsals" in response.content.decode()
    response = client.post(url, {"kind": "rehearsal", "send_test_messages": "on"})
    run = Run.objects.get(runbook=book.runbook)
    assert response["Location"] == reverse("run-detail", args=[run.pk]) and run.send_test_messages
    response = client.post(url, {"kind": "live"})
    assert "still running" in response.content.decode()


def test_reestimate_page(client: Any, book: Book, world: Any) -> None:
    run = rehearse(book, world)
    client.force_login(world.users["lead"])
    url = reverse("run-reestimate", args=[run.pk])
    text = client.get(url).content.decode()
    assert "B Task B: planned 60 min, took 50 min" in text and "M Task M" not in text
    client.post(url, {"refs": ["B", "V"]})
    assert dict(Task.objects.filter(runbook=book.runbook).values_list("ref", "duration_minutes"))["B"] == 50
    assert Task.objects.get(runbook=book.runbook, ref="A").duration_minutes == 30


def test_summary_page_and_log_csv(client: Any, book: Book, world: Any) -> None:
    run = rehearse(book, world)
    client.force_login(world.users["board"])
    text = client.get(reverse("run-summary", args=[run.pk])).content.decode()
    assert "V Task V: finished 35 min late" in text and "Validation V failed: Task V" in text and "Slow logins" in text
    response = client.get(reverse("run-log", args=[run.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == services.LOG_HEADERS
    assert ["2027-02-27T22:30+00:00", "lead", "task finished", "V", "Task V", "fail", "Slow logins"] in rows


def test_a_decided_no_go_review_link_on_the_gate(client: Any, book: Book, world: Any) -> None:
    from changeboard.readiness.tests.test_reviews import decide

    review = decide(go_no_go(world), world.users["board"], Review.Decision.NO_GO)
    run = book.live()
    client.force_login(book.operator)
    text = client.get(reverse("run-detail", args=[run.pk])).content.decode()
    assert "decided no-go" in text and reverse("review-detail", args=[review.pk]) in text
