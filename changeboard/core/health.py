"""What `/readyz` checks: everything one process needs to serve a request.

A load balancer sends traffic only to a process whose checks pass, so each
check touches the real dependency (a query, a cache round trip, the task
queue's Redis, a probe file written and deleted) rather than trusting
configuration. The checks run side by side on threads, each with a short
deadline, so a dependency that hangs (a Redis that no longer answers, a
database behind a dropped connection) makes the process "not ready" within
`CHECK_SECONDS` instead of holding the probe until the balancer gives up.

The answer names the checks and their state only: no host names, URLs,
credentials or exception text (the log gets the exception's class).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.tasks import task_backends

logger = logging.getLogger(__name__)

CHECK_SECONDS = 3.0
OK, ERROR, TIMEOUT, PENDING = "ok", "error", "timeout", "pending"
PROBE_DIR = "readyz"

# Once a process has seen every migration applied it stays so (migrations are
# run before a release's processes start; see docs/deployment.md), so the
# migration graph (tens of milliseconds to load) is not read on every probe.
_migrated = False


class NotReady(Exception):
    """A check that ran but found its dependency unusable (its `state`)."""

    def __init__(self, state: str) -> None:
        super().__init__(state)
        self.state = state


def _with_connection(check: Callable[[], None]) -> Callable[[], None]:
    """A check that uses the database on its own thread closes that thread's
    connection afterwards (Django opens one per thread)."""

    def run() -> None:
        try:
            check()
        finally:
            connections.close_all()

    return run


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_migrations() -> None:
    global _migrated  # noqa: PLW0603  (the per-process memo above)
    if _migrated:
        return
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise NotReady(PENDING)
    _migrated = True


def check_cache() -> None:
    """A set/get round trip. The Redis cache ignores its own errors (a miss,
    so pages keep answering while Redis restarts); here a miss after a set
    is exactly the failure to report."""
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=30)
    found = cache.get(key)
    cache.delete(key)
    if found != "1":
        raise NotReady(ERROR)


def check_tasks() -> None:
    """The default task backend can take work: RQ's queues' Redis answers a
    PING; the database backend's table answers a query. Other backends (the
    immediate one of the tests) need nothing outside the process."""
    backend = task_backends["default"]
    path = f"{type(backend).__module__}.{type(backend).__qualname__}"
    if path.startswith("django_tasks_rq."):
        import django_rq

        for name in sorted(backend.queues):
            django_rq.get_queue(name).connection.ping()
    elif path.startswith("django_tasks_db."):
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.exists()


def check_storage() -> None:
    """Write and delete a probe file through the default storage (the local
    media directory, or the object store when one is configured)."""
    name = default_storage.save(f"{PROBE_DIR}/{uuid.uuid4().hex}.txt", ContentFile(b"ready"))
    default_storage.delete(name)


CHECKS: dict[str, Callable[[], None]] = {
    "database": _with_connection(check_database),
    "migrations": _with_connection(check_migrations),
    "cache": check_cache,
    "tasks": _with_connection(check_tasks),
    "storage": check_storage,
}


def run_checks(checks: dict[str, Callable[[], None]] | None = None, seconds: float = CHECK_SECONDS) -> dict[str, str]:
    """Each check's state ("ok", "error", "timeout", or "pending" for
    unapplied migrations). A check still running at the deadline is left to
    finish on its own thread; the answer does not wait for it."""
    checks = CHECKS if checks is None else checks
    pool = ThreadPoolExecutor(max_workers=len(checks), thread_name_prefix="readyz")
    try:
        futures = {name: pool.submit(check) for name, check in checks.items()}
        wait(futures.values(), timeout=seconds)  # one deadline for all: they run side by side
        return {name: _state(name, future, seconds) for name, future in futures.items()}
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _state(name: str, future: Future[None], seconds: float) -> str:
    if not future.done():
        logger.warning("Readiness check %s did not answer within %s s", name, seconds)
        return TIMEOUT
    exc = future.exception()
    if exc is None:
        return OK
    if isinstance(exc, NotReady):
        logger.warning("Readiness check %s: %s", name, exc.state)
        return exc.state
    logger.warning("Readiness check %s failed: %s", name, type(exc).__name__)
    return ERROR
