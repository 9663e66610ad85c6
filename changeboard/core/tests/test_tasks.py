"""Task plumbing in one process: enqueueing with the broker down (each call
site's deliberate outcome), RQ's retry given to every job, a pack rebuilt
only by its own task's retry, the scheduler's lease in the database and in
Redis, and `run_worker` on the database backend."""

from __future__ import annotations

import datetime as dt
import logging
import socket
import uuid
from typing import Any

import pytest
import redis
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.tasks import TaskContext, task
from django.urls import reverse
from django.utils import timezone
from rq import Retry
from rq.job import Job

from changeboard.core import outbox, tasks
from changeboard.core.models import Lease, OutboxMessage
from changeboard.core.tasks import RetryingQueue, SchedulerLease, enqueue, enqueue_or_call, is_rerun
from changeboard.core.tests.test_permissions import _client
from changeboard.reports import packs
from changeboard.reports.models import BoardPack

Status = BoardPack.Status
CALLS: list[str] = []


@task
def remember(value: str) -> str:
    """A task for these tests: records its argument in this process."""
    CALLS.append(value)
    return value


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def redis_down(settings: Any) -> None:
    """The RQ backend, configured at a port nothing listens on."""
    url = f"redis://127.0.0.1:{closed_port()}/0"
    settings.REDIS_URL = url
    settings.TASKS = {"default": {"BACKEND": tasks.RQ_BACKEND, "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": url, "QUEUE_CLASS": "changeboard.core.tasks.RetryingQueue",
                                      "CONNECTION_KWARGS": {"socket_connect_timeout": 1}}}
    settings.TASK_QUEUE = "default"


# ---------------------------------------------------------------- the broker down


def test_enqueue_with_the_broker_down_logs_the_task_not_its_arguments(redis_down: None, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="changeboard.core.tasks"):
        assert enqueue(remember, "person@example.police.uk") is None
    assert "remember" in caplog.text and "unavailable" in caplog.text
    assert "person@example.police.uk" not in caplog.text


def test_enqueue_or_call_runs_the_task_here_when_the_broker_is_down(redis_down: None) -> None:
    CALLS.clear()
    enqueue_or_call(remember, "now")
    assert CALLS == ["now"]


def test_enqueue_uses_the_configured_queue(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend", "QUEUES": ["default", "elsewhere"]}}
    settings.TASK_QUEUE = "elsewhere"
    result = enqueue(remember, "x")
    assert result is not None and result.task.queue_name == "elsewhere"


@pytest.mark.django_db(transaction=True)
def test_an_outbox_message_waits_for_the_scheduler_when_the_broker_is_down(redis_down: None, settings: Any) -> None:
    settings.OUTBOX_SEND = True
    with transaction.atomic():
        assert outbox.outbox_add(key="down:1", kind="test", to_address="a@example.police.uk", subject="S", body="B")
    assert OutboxMessage.objects.get(key="down:1").status == OutboxMessage.Status.PENDING
    assert outbox.has_due()  # what the scheduler's next pass looks at


@pytest.mark.django_db(transaction=True)
def test_a_pack_requested_with_the_broker_down_fails_at_once_saying_why(redis_down: None, world: Any, client: Any) -> None:
    signed_in = _client(client, world, "board")
    page = signed_in.post(reverse("pack-list"), {"as_of": timezone.localdate().isoformat()}, follow=True)
    pack = BoardPack.objects.get()
    assert pack.status == Status.FAILED and pack.error == packs.QUEUE_DOWN_ERROR
    assert page.status_code == 200
    assert "could not be generated" in page.content.decode()
    api = signed_in.post(reverse("api-pack-list"), {"as_of": timezone.localdate().isoformat()}, content_type="application/json")
    assert api.status_code == 202 and api.json()["status"] == Status.FAILED and api.json()["error"] == packs.QUEUE_DOWN_ERROR


# ---------------------------------------------------------------- RQ's retry


def test_every_rq_job_gets_rqs_retry_and_notes_how_many(settings: Any) -> None:
    settings.TASK_RETRIES = 3
    queue = RetryingQueue("q", connection=redis.Redis())  # creating a job talks to no server
    job = queue.create_job("changeboard.core.tests.test_tasks.remember", args=["x"], meta={"backend_name": "default"})
    assert job.retries_left == 3 and job.meta == {"backend_name": "default", "retries": 3}
    own = queue.create_job("changeboard.core.tests.test_tasks.remember", retry=Retry(max=1))
    assert own.retries_left == 1 and "retries" not in own.meta
    settings.TASK_RETRIES = 0
    assert queue.create_job("changeboard.core.tests.test_tasks.remember").retries_left is None


class FakeResult:
    def __init__(self, result_id: str) -> None:
        self.id = result_id


@pytest.mark.parametrize(("job_id", "meta", "retries_left", "rerun"), [
    ("abc", {"retries": 3}, 3, False),  # the first run
    ("abc", {"retries": 3}, 2, True),  # RQ retrying it
    ("other", {"retries": 3}, 2, False),  # another job is running
    ("abc", {}, 2, False),  # a job not given our retries
    ("abc", {"retries": 3}, None, False),
])
def test_is_rerun(monkeypatch: pytest.MonkeyPatch, job_id: str, meta: dict[str, int], retries_left: int | None, rerun: bool) -> None:
    job = Job(id=job_id, connection=redis.Redis())
    job.meta, job.retries_left = meta, retries_left
    monkeypatch.setattr(tasks, "get_current_job", lambda: job)
    context: Any = TaskContext(task_result=FakeResult("abc"))  # type: ignore[arg-type]
    assert is_rerun(context) is rerun


def test_no_rq_job_is_no_rerun(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tasks, "get_current_job", lambda: None)
    assert is_rerun(TaskContext(task_result=FakeResult("abc"))) is False  # type: ignore[arg-type]


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "rerun", "outcome"), [
    (Status.BUILDING, False, "skipped"),  # another run may be building it
    (Status.BUILDING, True, Status.READY),  # our own earlier run died building it
    (Status.READY, True, "skipped"),
    (Status.FAILED, True, "skipped"),
])
def test_only_a_rerun_takes_over_a_pack_left_building(world: Any, status: str, rerun: bool, outcome: str) -> None:
    pack = BoardPack.objects.create(as_of=dt.date(2026, 10, 1), title="Pack", status=Status.BUILDING,
                                    started_at=timezone.now())
    if status != Status.BUILDING:
        BoardPack.objects.filter(pk=pack.pk).update(status=status)
    assert packs.pack_build(pack.pk, notify=False, rerun=rerun) == outcome
    pack.refresh_from_db()
    assert pack.status == (Status.READY if outcome == Status.READY else status)


# ---------------------------------------------------------------- the scheduler's lease


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[dt.datetime]:
    now = [timezone.now()]
    monkeypatch.setattr(timezone, "now", lambda: now[0])
    return now


@pytest.mark.django_db
def test_the_database_lease_is_held_by_one_until_it_runs_out(settings: Any, clock: list[dt.datetime]) -> None:
    settings.REDIS_URL = ""
    first, second = SchedulerLease("s", 30, holder="a"), SchedulerLease("s", 30, holder="b")
    assert first.backend == "database"
    assert first.hold() and not second.hold()
    clock[0] += dt.timedelta(seconds=29)
    assert first.hold() and not second.hold()  # renewed for another 30 s
    clock[0] += dt.timedelta(seconds=29)
    assert not second.hold()
    clock[0] += dt.timedelta(seconds=2)  # the leader missed its renewal: run out
    assert second.hold() and not first.hold()  # taken over; the old leader stands by
    assert Lease.objects.get(name="s").holder == "b"
    second.release()
    assert first.hold()
    assert SchedulerLease("other", 30, holder="b").hold()  # leases by name


@pytest.mark.django_db
def test_the_redis_lease_is_held_by_one_until_it_runs_out(settings: Any, redis_url: str) -> None:
    settings.REDIS_URL = redis_url
    name = f"test-{uuid.uuid4().hex}"
    first, second = SchedulerLease(name, 30, holder="a"), SchedulerLease(name, 30, holder="b")
    client = redis.Redis.from_url(redis_url)
    key = f"changeboard:lease:{name}"
    try:
        assert first.backend == "redis"
        assert first.hold() and not second.hold()
        client.pexpire(key, 5000)
        assert first.hold() and client.pttl(key) > 5000  # renewed
        client.delete(key)  # as if it had run out
        assert second.hold() and not first.hold()
        second.release()
        assert client.get(key) is None
        assert first.hold()
        first.release()
        second.release()  # not held: nothing happens
    finally:
        client.delete(key)


def test_a_lease_in_an_unreachable_redis_is_not_held(settings: Any) -> None:
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port()}/0"
    lease = SchedulerLease("s", 30)
    assert not lease.hold()
    lease.release()


@pytest.mark.django_db
@pytest.mark.parametrize(("every", "lease"), [("5", "5"), ("60", "30")])
def test_the_scheduler_refuses_a_lease_no_longer_than_a_pass(every: str, lease: str) -> None:
    with pytest.raises(CommandError, match="--lease must be longer"):
        call_command("run_scheduler", "--once", "--every", every, "--lease", lease)


@pytest.mark.django_db
def test_a_one_off_scheduler_stands_by_while_another_leads(settings: Any, capsys: pytest.CaptureFixture[str]) -> None:
    settings.REDIS_URL = ""
    Lease.objects.create(name=settings.SCHEDULER_LEASE_NAME, holder="elsewhere", expires_at=timezone.now() + dt.timedelta(minutes=5))
    CALLS.clear()
    call_command("run_scheduler", "--once")
    assert "Standing by" in capsys.readouterr().out
    Lease.objects.all().delete()
    call_command("run_scheduler", "--once")
    assert "Leading" in capsys.readouterr().out
    assert Lease.objects.get().holder == socket.gethostname()  # kept (not released) for the next cron run


# ---------------------------------------------------------------- run_worker on the database backend


@pytest.mark.django_db(transaction=True)
def test_run_worker_runs_the_database_backends_worker(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.TASK_QUEUE = "default"
    CALLS.clear()
    result = enqueue(remember, "from the database queue")
    assert result is not None and CALLS == []
    call_command("run_worker", "--burst", verbosity=0)
    assert CALLS == ["from the database queue"]
