"""Real RQ workers (`manage.py run_worker`) on the machine's Redis: several
workers share a queue, and a worker killed mid-task has its task retried by
RQ with nothing lost and nothing done twice, for the outbox and for a board
pack build. The workers and the test share a scratch database (a SQLite
file or a PostgreSQL database, as the run's: see `workers.py`)."""

from __future__ import annotations

import os
import signal
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import redis
from rq.job import Job

from changeboard.core import outbox

from .test_outbox import Sink
from .test_outbox import sink as sink  # the SMTP sink's fixture
from .workers import Django, kill_tree, stop, wait_for, work_horse

QUEUE_MESSAGES = """
from django.db import transaction
from changeboard.core.models import OutboxMessage
from changeboard.core.outbox import outbox_add_many
with transaction.atomic():
    added = outbox_add_many([OutboxMessage(key=f"{prefix}:{n}", kind="test", to_address=f"person{n}@example.police.uk",
                                           subject=f"Message {n}", body=f"Hello {n}") for n in range(1, count + 1)])
ids = list(OutboxMessage.objects.filter(key__startswith=f"{prefix}:").order_by("id").values_list("id", flat=True))
print(json.dumps([OutboxMessage.objects.get(pk=pk).message_id for pk in ids]))
"""

STATUSES = """
from collections import Counter
from changeboard.core.models import OutboxMessage
print(json.dumps(Counter(OutboxMessage.objects.filter(key__startswith=prefix).values_list("status", flat=True))))
"""


def sent_ids(django: Django, prefix: str) -> list[str]:
    return list(django.run(f"import json\nfrom changeboard.core.models import OutboxMessage\n"
                           f"print(json.dumps([m.message_id for m in OutboxMessage.objects.filter(key__startswith={prefix!r}, "
                           f"status='sent')]))"))


def queue_messages(django: Django, prefix: str, count: int) -> list[str]:
    """`count` messages added by the outbox's own service, which queues their delivery on Redis."""
    return list(django.run(f"import json\nprefix, count = {prefix!r}, {count}\n{QUEUE_MESSAGES}"))


def statuses(django: Django, prefix: str) -> dict[str, int]:
    return dict(django.run(f"import json\nprefix = {prefix!r}\n{STATUSES}"))


def rq_env(django: Django, redis_url: str, task_queue: str, **extra: str) -> Django:
    return django.with_env(REDIS_URL=redis_url, TASK_QUEUE=task_queue, SCHEDULER_LEASE_NAME=task_queue,
                           TASK_MAINTENANCE_SECONDS="5", TASK_HEARTBEAT_SECONDS="2", **extra)


def mail_env(sink: Sink) -> dict[str, str]:
    return {"OUTBOX_SEND": "true", "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(sink.port),  # type: ignore[attr-defined]
            "EMAIL_USE_TLS": "false"}


def queued_job_ids(redis_url: str, task_queue: str) -> list[str]:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    return list(client.lrange(f"rq:queue:{task_queue}", 0, -1))  # type: ignore[arg-type]


def job(redis_url: str, job_id: str) -> Job:
    return Job.fetch(job_id, connection=redis.Redis.from_url(redis_url))


def test_several_workers_share_the_queue_and_send_each_message_once(worker_database: Django, redis_url: str, task_queue: str,
                                                                  sink: Sink, tmp_path: Path) -> None:
    django = rq_env(worker_database, redis_url, task_queue, **mail_env(sink))
    expected = queue_messages(django, f"share-{task_queue}", 300)
    assert len(queued_job_ids(redis_url, task_queue)) == 1
    # Two more deliveries queued, so both workers have a delivery to run at once.
    django.run("import json\nfrom changeboard.core.tasks import enqueue\nfrom changeboard.core.outbox import deliver_outbox\n"
               "print(json.dumps([enqueue(deliver_outbox).id for _ in range(2)]))")
    with (tmp_path / "one.log").open("w") as one, (tmp_path / "two.log").open("w") as two:
        workers = [django.start("run_worker", "--burst", "--name", f"{task_queue}-{n}", log=log) for n, log in ((1, one), (2, two))]
        for worker in workers:
            assert worker.wait(300) == 0
    logs = [(tmp_path / name).read_text() for name in ("one.log", "two.log")]
    assert all("Job OK" in log for log in logs), logs  # each worker ran a delivery
    assert Counter(sink.message_ids()) == Counter(expected)
    assert statuses(django, f"share-{task_queue}") == {"sent": 300}


@pytest.mark.timeout(900)  # the outbox lease (2 min) and RQ's heartbeat margin are waited out, on a busy machine too
def test_a_worker_killed_mid_delivery_is_retried_by_rq_and_each_message_arrives_once(
        worker_database: Django, redis_url: str, task_queue: str, sink: Sink, tmp_path: Path) -> None:
    """2,000 messages; the worker (its main process, RQ scheduler and
    work-horse: a machine dying) is SIGKILLed while the SMTP server holds
    message 1,201, the first of a chunk, so everything before it is marked
    sent. A second worker's maintenance finds the job abandoned when its
    heartbeat runs out and RQ retries it; the scheduler queues delivery of
    the killed batch's messages once their lease has run out."""
    django = rq_env(worker_database, redis_url, task_queue, **mail_env(sink))
    prefix = f"kill-{task_queue}"
    expected = queue_messages(django, prefix, 2000)
    [job_id] = queued_job_ids(redis_url, task_queue)
    sink.block_on = 1201
    processes = []
    with (tmp_path / "first.log").open("w") as first_log, (tmp_path / "rest.log").open("w") as rest_log:
        first = django.start("run_worker", "--name", f"{task_queue}-first", log=first_log)
        processes.append(first)
        try:
            if not sink.blocking.wait(300):
                pytest.fail(f"The worker never reached message 1,201:\n{(tmp_path / 'first.log').read_text()[-3000:]}")
            assert work_horse(first) is not None
            kill_tree(first)
            sink.release.set()
            assert first.returncode == -signal.SIGKILL
            before_kill = sink.message_ids()
            assert len(before_kill) == 1200
            assert job(redis_url, job_id).get_status() == "started"  # as the killed worker left it
            # Sent but not yet marked (only if a slow send made the worker mark one message alone,
            # shifting its chunks): the outbox may send these once more, with the same Message-ID.
            unmarked = set(before_kill) - set(sent_ids(django, prefix))
            assert len(unmarked) <= outbox.MARK_CHUNK - 1, unmarked

            processes.append(django.start("run_worker", "--name", f"{task_queue}-second", log=rest_log))
            processes.append(django.start("run_scheduler", "--every", "5", "-v2", log=rest_log))
            wait_for(lambda: len(set(sink.message_ids())) >= len(expected), "every message to arrive")
            wait_for(lambda: job(redis_url, job_id).get_status() == "finished", "RQ to retry the killed job")
        finally:
            for process in processes:
                stop(process)
    received = Counter(sink.message_ids())
    assert set(received) == set(expected)  # none lost
    assert received == Counter(expected) + Counter(unmarked)  # none doubled (but for an unmarked send, see above)
    assert statuses(django, prefix) == {"sent": 2000}
    retried = job(redis_url, job_id)
    assert retried.retries_left == retried.meta["retries"] - 1  # RQ's Retry, from the abandoned-job cleanup


PACK_STATE = """
from changeboard.core.models import AuditEntry
from changeboard.reports.models import BoardPack
packs = list(BoardPack.objects.values("pk", "status", "error"))
stored = [e.after for e in AuditEntry.objects.filter(object_type="reports.boardpack", action="update",
                                                     object_id__in=[str(p["pk"]) for p in packs])]
print(json.dumps({"packs": packs, "made_ready": sum(1 for after in stored if after and after.get("status") == "ready")}))
"""


def pack_state(django: Django) -> dict[str, Any]:
    return dict(django.run(f"import json\n{PACK_STATE}"))


def request_pack(django: Django) -> None:
    """One pack requested through the service, so its build is queued on Redis. Packs from other tests on this
    database (the monthly pack another test's scheduler asked for) go first."""
    django.run("import json, datetime\nfrom django.db import transaction\nfrom changeboard.reports.models import BoardPack\n"
               "from changeboard.reports.packs import pack_request\nBoardPack.objects.all().delete()\n"
               "with transaction.atomic():\n    pack = pack_request(as_of=datetime.date.today(), actor=None, notify=False)\n"
               "print(json.dumps(pack.pk))")


def test_a_worker_killed_mid_pack_build_builds_the_pack_again_once(worker_database: Django, redis_url: str, task_queue: str,
                                                                  tmp_path: Path) -> None:
    """The work-horse is SIGKILLed while it renders the pack's PDF: its
    worker sees it die and RQ retries the job at once; the retry finds the
    pack left building by the dead run and builds it: one ready pack."""
    marker = tmp_path / "building"
    django = rq_env(worker_database, redis_url, task_queue, PAUSE_MARKER=str(marker))
    request_pack(django)
    [job_id] = queued_job_ids(redis_url, task_queue)
    with (tmp_path / "worker.log").open("w") as log:
        worker = django.start_module("changeboard.core.tests.slow_pack_worker", "--name", f"{task_queue}-packs", log=log)
        try:
            horse = int(wait_for(lambda: marker.exists() and marker.read_text(), "the build to reach the PDF"))
            assert [p["status"] for p in pack_state(django)["packs"]] == ["building"]
            os.kill(horse, signal.SIGKILL)
            wait_for(lambda: job(redis_url, job_id).get_status() == "finished", "RQ to retry the build", every=1)
        finally:
            stop(worker)
    state = pack_state(django)
    assert [(p["status"], p["error"]) for p in state["packs"]] == [("ready", "")]
    assert state["made_ready"] == 1
    retried = job(redis_url, job_id)
    assert retried.retries_left == retried.meta["retries"] - 1
    assert "Work-horse terminated unexpectedly" in (tmp_path / "worker.log").read_text()


@pytest.mark.timeout(900)  # RQ's heartbeat margin (60 s) is waited out, on a busy machine too
def test_a_worker_killed_whole_mid_pack_build_has_its_job_retried_by_an_idle_worker(
        worker_database: Django, redis_url: str, task_queue: str, tmp_path: Path) -> None:
    """A machine dying mid-build: the worker, its RQ scheduler and its
    work-horse are SIGKILLed while the horse renders the PDF, so nobody sees
    the job end. A second worker, started at once and left idle (nothing
    else is queued), must wake for its maintenance pass, find the job
    abandoned once its heartbeat runs out, and let RQ retry it: one ready
    pack. (RQ's own idle wait, 405 s, would leave it building: `run_worker`.)"""
    marker = tmp_path / "building"
    django = rq_env(worker_database, redis_url, task_queue, PAUSE_MARKER=str(marker))
    request_pack(django)
    [job_id] = queued_job_ids(redis_url, task_queue)
    with (tmp_path / "first.log").open("w") as first_log, (tmp_path / "second.log").open("w") as second_log:
        first = django.start_module("changeboard.core.tests.slow_pack_worker", "--name", f"{task_queue}-dies", log=first_log)
        second = None
        try:
            wait_for(lambda: marker.exists() and marker.read_text(), "the build to reach the PDF")
            assert [p["status"] for p in pack_state(django)["packs"]] == ["building"]
            kill_tree(first)
            assert first.returncode == -signal.SIGKILL
            assert job(redis_url, job_id).get_status() == "started"  # as the dead worker left it
            second = django.start("run_worker", "--name", f"{task_queue}-survives", log=second_log)
            wait_for(lambda: job(redis_url, job_id).get_status() == "finished", "an idle worker to retry the abandoned build",
                     every=1)
        finally:
            stop(first)
            if second is not None:
                stop(second)
    state = pack_state(django)
    assert [(p["status"], p["error"]) for p in state["packs"]] == [("ready", "")]
    assert state["made_ready"] == 1
    retried = job(redis_url, job_id)
    assert retried.retries_left == retried.meta["retries"] - 1  # RQ's Retry, from the abandoned-job cleanup
    assert "Work-horse terminated unexpectedly" not in (tmp_path / "second.log").read_text()
