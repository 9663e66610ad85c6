"""`/readyz`: every check a process needs (database and migrations, cache,
task backend, file storage), each failure on its own, and nothing about
hosts or secrets in the answer."""

from __future__ import annotations

import os
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
import redis
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import OperationalError

from changeboard.core import health

CHECKS = {"database", "migrations", "cache", "tasks", "storage"}
DEAD_REDIS = "redis://:s3cret-pass@127.0.0.1:1/0"  # nothing listens on port 1
REDIS_DB = "redis://127.0.0.1:6379/14"
RQ = "django_tasks_rq.RQBackend"


@pytest.fixture
def live_redis() -> str:
    """The machine's Redis (DB 14): skipped locally when it is not running,
    a failure under CI=true."""
    try:
        redis.Redis.from_url(REDIS_DB, socket_timeout=2, socket_connect_timeout=2).ping()
    except redis.RedisError:
        message = "Redis is not running on 127.0.0.1:6379"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return REDIS_DB


def redis_cache(url: str) -> dict[str, Any]:
    return {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": url, "KEY_PREFIX": uuid.uuid4().hex,
                        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1}}}


def ready(client: Any) -> tuple[int, dict[str, Any], bytes]:
    response = client.get("/readyz")
    return response.status_code, response.json(), response.content


@pytest.fixture(autouse=True)
def _fresh_migration_memo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(health, "_migrated", False)


def test_every_check_passes_on_a_working_process(client: Any, db: Any, settings: Any, tmp_path: Path) -> None:
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                          "OPTIONS": {"location": str(tmp_path)}}}
    status, body, _ = ready(client)
    assert status == 200
    assert body == {"status": "ok", "checks": dict.fromkeys(CHECKS, "ok")}
    assert not any(path.is_file() for path in tmp_path.rglob("*"))  # the probe file is deleted


def test_the_answer_is_never_cached(client: Any, db: Any) -> None:
    assert "no-store" in client.get("/readyz").headers["Cache-Control"]


def test_a_database_that_fails_is_not_ready(client: Any, db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    real = BaseDatabaseWrapper.cursor

    def refuse(self: Any) -> Any:
        if threading.current_thread().name.startswith("readyz"):  # the checks' threads; not the test's own teardown
            raise OperationalError("could not connect to server at db.internal")
        return real(self)

    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", refuse)
    status, body, content = ready(client)
    assert status == 503 and body["status"] == "error"
    assert body["checks"]["database"] == "error" and body["checks"]["cache"] == "ok"
    assert b"db.internal" not in content


def test_unapplied_migrations_are_not_ready(client: Any, db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("a migration", False)])
    status, body, _ = ready(client)
    assert status == 503 and body["checks"]["migrations"] == "pending" and body["checks"]["database"] == "ok"


def test_migrations_once_applied_are_not_read_again(client: Any, db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    assert ready(client)[0] == 200

    def unexpected(self: Any, targets: Any) -> Any:
        raise AssertionError("the migration graph was read again")

    monkeypatch.setattr(MigrationExecutor, "migration_plan", unexpected)
    assert ready(client)[1]["checks"]["migrations"] == "ok"


def test_a_redis_cache_that_answers_is_ready(client: Any, db: Any, settings: Any, live_redis: str) -> None:
    settings.CACHES = redis_cache(live_redis)
    status, body, _ = ready(client)
    assert status == 200 and body["checks"]["cache"] == "ok"


@pytest.mark.parametrize("ignore_exceptions", [True, False])
def test_a_redis_cache_that_is_down_is_not_ready(client: Any, db: Any, settings: Any, ignore_exceptions: bool) -> None:
    """Down whether django-redis swallows its errors (the production setting:
    a miss) or raises them."""
    settings.CACHES = redis_cache(DEAD_REDIS)
    settings.CACHES["default"]["OPTIONS"]["IGNORE_EXCEPTIONS"] = ignore_exceptions
    status, body, content = ready(client)
    assert status == 503 and body["checks"]["cache"] == "error" and body["checks"]["database"] == "ok"
    assert b"s3cret" not in content and b"127.0.0.1" not in content


def test_the_rq_backend_is_ready_when_its_redis_answers(client: Any, db: Any, settings: Any, live_redis: str) -> None:
    settings.TASKS = {"default": {"BACKEND": RQ, "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": live_redis}}
    status, body, _ = ready(client)
    assert status == 200 and body["checks"]["tasks"] == "ok"


def test_the_rq_backend_is_not_ready_when_its_redis_is_down(client: Any, db: Any, settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": RQ, "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": DEAD_REDIS}}
    status, body, content = ready(client)
    assert status == 503 and body["checks"]["tasks"] == "error"
    assert b"s3cret" not in content


def test_the_database_task_backend_checks_its_table(client: Any, db: Any, settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    assert ready(client)[1]["checks"]["tasks"] == "ok"
    from django_tasks_db.models import DBTaskResult

    monkeypatch.setattr(DBTaskResult._meta, "db_table", "no_such_table")
    status, body, content = ready(client)
    assert status == 503 and body["checks"]["tasks"] == "error" and b"no_such_table" not in content


def test_storage_that_cannot_be_written_is_not_ready(client: Any, db: Any, settings: Any, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                          "OPTIONS": {"location": str(blocker / "media")}}}
    status, body, content = ready(client)
    assert status == 503 and body["checks"]["storage"] == "error" and body["checks"]["database"] == "ok"
    assert str(tmp_path).encode() not in content


def test_a_check_that_hangs_times_out_and_the_others_still_answer() -> None:
    release = threading.Event()

    def hangs() -> None:
        release.wait(30)

    try:
        states = health.run_checks({"hangs": hangs, "fine": lambda: None}, seconds=0.2)
    finally:
        release.set()
    assert states == {"hangs": "timeout", "fine": "ok"}


def test_an_unexpected_error_is_reported_as_error_without_its_text(caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> None:
        raise RuntimeError("password=hunter2 at redis.internal")

    assert health.run_checks({"broken": broken}) == {"broken": "error"}
    assert "hunter2" not in caplog.text and "RuntimeError" in caplog.text
