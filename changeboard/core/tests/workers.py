"""Real task workers and schedulers for tests: `manage.py run_worker` and
`run_scheduler` processes against the machine's Redis and a database they
share with the test.

- **Redis** (`redis_url`): the machine's, at `TEST_REDIS_URL` (default
  127.0.0.1:6379, database 0). Each test gets its own queue (`task_queue`, a
  uuid) and scheduler lease name, and deletes only its own keys, so runs under
  pytest-xdist and other checkouts' runs never meet. Missing Redis skips the
  test locally and fails it under CI=true (as the `browser` fixture does).
- **The database** (`worker_database`): pytest-django's SQLite test database
  is in memory, private to the test process, so the workers and the test
  share a scratch database instead, migrated once per module: a file SQLite
  database (WAL) on a SQLite run, a scratch PostgreSQL database on a
  PostgreSQL run. The test reads and writes it through `Django.run` (a
  `manage.py shell` on the same environment), never through its own ORM.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pytest
import redis
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)
TIMEOUT = 300  # seconds any one wait may take before the test gives up


def _missing(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError:
        _missing(f"No Redis at {url} (set TEST_REDIS_URL, or start redis-server)")
    return url


@pytest.fixture
def task_queue(redis_url: str) -> Iterator[str]:
    """A queue (and scheduler lease) name of this test's own; its Redis keys go afterwards.
    At most 32 characters: the database task backend's queue name column."""
    name = f"test-{uuid.uuid4().hex[:24]}"
    yield name
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    keys: list[str] = list(client.scan_iter(f"*{name}*"))
    job_ids: list[str] = list(client.lrange(f"rq:queue:{name}", 0, -1))  # type: ignore[arg-type]
    for registry in ("finished", "failed", "wip", "scheduled", "deferred", "canceled"):
        members: list[str] = client.zrange(f"rq:{registry}:{name}", 0, -1)  # type: ignore[assignment]
        job_ids += [member.split(":")[0] for member in members]
    keys += [f"rq:job:{job_id}" for job_id in job_ids] + [f"rq:results:{job_id}" for job_id in job_ids]
    if keys:
        client.delete(*keys)
    client.srem("rq:queues", f"rq:queue:{name}")
    for shared_set in ("rq:workers", "rq:schedulers"):
        in_set: list[str] = list(client.smembers(shared_set))  # type: ignore[arg-type]
        if ours := [member for member in in_set if name in member]:
            client.srem(shared_set, *ours)


def _scratch_database(folder: Path) -> tuple[str, Callable[[], None]]:
    """A DATABASE_URL of an empty scratch database of this run's vendor, and how to drop it."""
    if connection.vendor == "sqlite":
        path = folder / "workers.sqlite3"

        def drop() -> None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)

        return f"sqlite:///{path}", drop
    import psycopg

    db = connection.settings_dict
    name = f"{db['NAME']}_workers_{uuid.uuid4().hex[:8]}"
    user = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    server = f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')

    def drop_pg() -> None:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"{server}/{name}", drop_pg


class Django:
    """Processes of this project on one scratch database (and, with
    `redis`, one Redis): management commands, shell snippets, workers."""

    def __init__(self, database_url: str) -> None:
        self.env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "changeboard.settings",
                    "PYTHONUNBUFFERED": "1", "CHANGEBOARD_ENV": "development"}
        for name in ("REDIS_URL", "TASKS_BACKEND", "TASK_QUEUE", "OUTBOX_SEND", "EMAIL_HOST", "EMAIL_PORT"):
            self.env.pop(name, None)

    def with_env(self, **extra: str) -> Django:
        other = Django.__new__(Django)
        other.env = {**self.env, **extra}
        return other

    def manage(self, *args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True,  # noqa: S603
                              timeout=TIMEOUT, check=False)
        assert done.returncode == 0, done.stderr[-3000:]
        return done

    def run(self, code: str) -> Any:
        """Run `code` in `manage.py shell`; it ends by printing one JSON value, returned here."""
        out = self.manage("shell", "--no-imports", "-c", code).stdout.strip().splitlines()
        return json.loads(out[-1])

    def start(self, *args: str, log: IO[str]) -> subprocess.Popen[str]:
        """A long-running command in its own session (so the test can kill its whole tree)."""
        return self.start_module("manage", *args, log=log)

    def start_module(self, module: str, *args: str, log: IO[str]) -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, "-m", module, *args], cwd=ROOT, env=self.env, stdout=log,  # noqa: S603
                                stderr=subprocess.STDOUT, text=True, start_new_session=True)


@pytest.fixture(scope="module")
def worker_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Django]:
    url, drop = _scratch_database(tmp_path_factory.mktemp("workers"))
    try:
        django = Django(url)
        django.manage("migrate", "-v0")
        yield django
    finally:
        drop()


def children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def work_horse(worker: subprocess.Popen[str]) -> int | None:
    """The RQ work-horse a worker forked for its job: the child that made
    itself a process group (RQ's scheduler, the other child, does not)."""
    for child in children(worker.pid):
        try:
            if os.getpgid(child) == child:
                return child
        except ProcessLookupError:
            continue
    return None


def kill_tree(process: subprocess.Popen[str]) -> None:
    """SIGKILL a worker as a dying machine would: the worker, its scheduler
    and its work-horse (in a group of its own), nothing given a chance to
    clean up."""
    horse = work_horse(process)
    os.killpg(process.pid, signal.SIGKILL)
    if horse is not None:
        os.kill(horse, signal.SIGKILL)
    process.wait(30)


def stop(process: subprocess.Popen[str]) -> None:
    """SIGTERM (a deploy's stop), then SIGKILL whatever is left."""
    horse = work_horse(process)
    if horse is not None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(horse, signal.SIGKILL)
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(30)


def wait_for(condition: Callable[[], Any], what: str, timeout: float = TIMEOUT, every: float = 0.5) -> Any:
    """Poll until `condition()` is truthy (not a timed assertion: the
    timeout only stops a test that would otherwise hang)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    pytest.fail(f"Gave up waiting for {what}")
