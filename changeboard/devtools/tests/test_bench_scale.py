"""`manage.py bench scale` at a tiny size (about three minutes), on a
scratch PostgreSQL database of its own (its servers and workers must share
the database, so the test's own one, inside a transaction, would not do);
and its refusals."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from changeboard.core.outbox import MARK_CHUNK
from changeboard.devtools.bench import common, scale

pytest.importorskip("gunicorn")
pytest.importorskip("aiosmtpd")


def _needs_redis_server() -> None:
    if shutil.which("redis-server") is None and not Path("/usr/bin/redis-server").exists():
        message = "redis-server is not installed (bench scale starts its own)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def scratch_postgres(db: Any) -> Iterator[str]:
    """A fresh database named like a scratch one on the test's PostgreSQL server."""
    if connection.vendor != "postgresql":
        pytest.skip("bench scale runs on PostgreSQL only")
    name = f"scale_bench_{uuid.uuid4().hex[:12]}"
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(name)}")
    url = common.database_url().rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)} WITH (FORCE)")


def manage(url: str, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "changeboard.settings", **extra}
    for name in ("REDIS_URL", common.ENV_FLAG, "TASKS_BACKEND"):
        env.pop(name, None)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True,  # noqa: S603
                          timeout=600, check=False)


@pytest.mark.timeout(900)  # RQ's heartbeat margin (60 s) is waited out, on a busy machine too
def test_bench_scale_at_a_tiny_size(scratch_postgres: str) -> None:
    _needs_redis_server()
    migrated = manage(scratch_postgres, "migrate", "-v0")
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    done = manage(scratch_postgres, "bench", "scale", "--responses", "10", "--page-views", "12", "--emails", "300", "--concurrency", "3",
                  "--threads", "2", "--outage-seconds", "1", "--recovery-timeout", "240", "--seed-scale", "none",
                  "--fast-forward-leases",
                  # The killed build's job counts as abandoned 60 s (RQ's margin) after its last 2 s heartbeat; idle
                  # workers look every 5 s.
                  TASK_HEARTBEAT_SECONDS="2", TASK_MAINTENANCE_SECONDS="5")
    assert done.returncode == 0, done.stderr[-3000:]
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["benchmark"] == "scale" and figures["database"] == "postgresql"
    for count in ("1", "2"):
        web = figures["web"][count]
        assert web["processes"] == int(count)
        assert web["lost"] == 0 and web["doubled"] == 0 and web["errors"] == 0 and web["page_errors"] == 0
        assert web["responses_per_second"] > 0 and web["page_views_per_second"] > 0 and web["page_p95_ms"] >= web["page_p50_ms"]
    workers = figures["workers"]
    for count in ("1", "2"):
        run = workers[f"workers_{count}"]
        assert run["finished"] and run["message_ids_once"] and run["marked_sent"] == 300 and run["emails_per_second"] > 0
    killed = workers["kill_send"]
    # Nothing lost; at most the one chunk the outbox's design may re-send after a crash (docs/decisions.md).
    assert killed["finished"] and killed["lost"] == 0 and killed["doubled"] <= MARK_CHUNK and killed["marked_sent"] == 300
    pack = figures["kill_pack"]
    # Killed mid-build (or, on a fast day, after it): built once, by RQ's retry of the abandoned job.
    assert pack["packs_made"] == 1 and pack["doubled"] == 0 and pack["lost"] == 0, pack
    assert pack["final_status"] == "ready" and pack["recovered"] and pack["pdf_bytes"] > 0, pack
    restart = figures["redis_restart"]
    assert restart["recovered"] and restart["during"]["errors"] == 0 and restart["during"]["non_2xx"] == 0
    assert restart["during"]["requests"] > 0 and restart["after"]["ok"] > 0
    # It cleans up after itself (the pack, the people, the bench user).
    left = manage(scratch_postgres, "shell", "-c", "from changeboard.organisation.models import Staff; from changeboard.reports.models "
                  "import BoardPack; from changeboard.accounts.models import User; "
                  "print(Staff.objects.count(), BoardPack.objects.count(), User.objects.count())")
    assert left.stdout.split()[-3:] == ["0", "0", "0"], left.stdout


def test_the_bench_queues_jobs_as_the_project_does_with_retries(redis_url: str, task_queue: str, settings: Any) -> None:
    """A pack build the bench kills must be retried by RQ as in production:
    its jobs get the project's queue class (`RetryingQueue`) and retries."""
    from changeboard.core.tasks import RetryingQueue, enqueue
    from changeboard.reports.packs import build_pack

    settings.TASK_QUEUE = task_queue
    settings.TASKS = {"default": {**settings.TASKS["default"], "QUEUES": ["default", task_queue]}}
    settings.RQ_QUEUES = {**settings.RQ_QUEUES, task_queue: settings.RQ_QUEUES["default"]}
    with scale.rq_here(redis_url) as queue:
        assert isinstance(queue, RetryingQueue) and queue.name == task_queue
        result = enqueue(build_pack, 0, notify=False)
        assert result is not None
        job = queue.fetch_job(result.id)
    assert job is not None and job.retries_left == settings.TASK_RETRIES > 0


def test_bench_scale_refuses_sqlite(db: Any) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite refusal")
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("bench", "scale", "--responses", "1", "--emails", "1")


def test_bench_scale_writes_nothing_where_it_refuses(world: Any) -> None:
    """Refused (SQLite; a database holding staff; or, as here under pytest, a
    transaction its processes could not see into) before it writes a thing."""
    from changeboard.devtools.bench.survey import ROOT_CODE
    from changeboard.organisation.models import Unit

    with pytest.raises(CommandError):
        call_command("bench", "scale", "--responses", "1", "--emails", "1", "--seed-scale", "none")
    assert not Unit.objects.filter(code=ROOT_CODE).exists()
