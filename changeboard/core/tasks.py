"""Background tasks on either backend: enqueueing that survives a Redis
outage, RQ jobs that are retried when their worker dies, and the lease that
lets one scheduler run across machines.

- **Enqueueing** goes through `enqueue`: it sends the task to the configured
  queue (`settings.TASK_QUEUE`) and, when the task broker cannot be reached
  (Redis down), logs the task's name, never its arguments, and returns None,
  so the caller decides what the user is told. Every task the project queues
  is re-queued by someone later (the scheduler's next pass, or the user
  asking again), so a lost enqueue delays work, it never loses it.
- **Retry after a kill**: RQ retries a job that has retries left when its
  work-horse dies (the worker notices at once) or when its whole worker dies
  (the job's heartbeat runs out and the next worker's maintenance pass finds
  it abandoned). Jobs only get retries when created with them, and
  django-tasks-rq creates them without, so `RetryingQueue` gives every job
  `settings.TASK_RETRIES`. A task may therefore run again after a kill: each
  is idempotent (the outbox's leases, a pack's claim) and may ask `is_rerun`.
- **The scheduler's lease** (`SchedulerLease`): a Redis lock (redis-py's
  `Lock`, `SET NX` with an expiry) when `REDIS_URL` is set, else a database
  row with an expiry; the holder renews it each pass, a standby takes it
  once it has run out.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import uuid
from typing import Any

import django_rq
import redis
from django.conf import settings
from django.db import IntegrityError, transaction
from django.tasks import Task, TaskContext, TaskResult
from django.utils import timezone
from django_rq.queues import DjangoRQ
from redis.exceptions import LockError
from redis.lock import Lock
from rq import Retry, get_current_job
from rq.job import Job

from .models import Lease

log = logging.getLogger(__name__)

RQ_BACKEND = "django_tasks_rq.RQBackend"
RQ_JOB_CLASS = "django_tasks_rq.Job"
# What a broken or missing broker raises when a task is queued.
BROKER_ERRORS: tuple[type[Exception], ...] = (redis.exceptions.RedisError,)


def uses_rq() -> bool:
    return bool(settings.TASKS["default"]["BACKEND"] == RQ_BACKEND)


def enqueue(task: Task[Any, Any], *args: Any, **kwargs: Any) -> TaskResult[Any, Any] | None:
    """Queue `task` on the configured queue; None when the broker is down
    (logged with the task's name only: arguments may identify a person)."""
    try:
        return task.using(queue_name=settings.TASK_QUEUE).enqueue(*args, **kwargs)
    except BROKER_ERRORS as exc:
        log.error("Could not queue task %s: the task broker is unavailable (%s)", task.name, type(exc).__name__)
        return None


def enqueue_or_call(task: Task[Any, Any], *args: Any, **kwargs: Any) -> None:
    """Queue `task`, or, with the broker down, run it here and now: for work
    nothing would queue again later (derived figures after a one-off event),
    so doing it slowly beats not doing it."""
    if enqueue(task, *args, **kwargs) is None:
        log.warning("Running task %s in this process instead", task.name)
        task.call(*args, **kwargs)


class RetryingQueue(DjangoRQ):
    """django-rq's queue, giving each job RQ's own `Retry` (see the module
    docstring) and noting the number it started with, for `is_rerun`."""

    def create_job(self, *args: Any, **kwargs: Any) -> Job:
        if kwargs.get("retry") is None and settings.TASK_RETRIES > 0:
            kwargs["retry"] = Retry(max=settings.TASK_RETRIES)
            kwargs["meta"] = {**(kwargs.get("meta") or {}), "retries": settings.TASK_RETRIES}
        return super().create_job(*args, **kwargs)


def is_rerun(context: TaskContext) -> bool:
    """Whether this run of a task is RQ retrying it: an earlier run of the
    same job ended without finishing (failed, or its worker was killed), so
    whatever that run left half done is nobody else's."""
    job = get_current_job()
    if job is None or job.id != context.task_result.id:
        return False
    started_with = job.meta.get("retries")
    return started_with is not None and job.retries_left is not None and job.retries_left < started_with


def rq_queue_names() -> list[str]:
    return [settings.TASK_QUEUE]


def rq_connection() -> redis.Redis:
    return django_rq.get_connection(settings.TASK_QUEUE)


# ---------------------------------------------------------------- the scheduler's lease


class SchedulerLease:
    """Held by at most one process at a time: in Redis when `REDIS_URL` is
    set, otherwise in the database's `Lease` table. `hold()` takes the lease
    when it is free (or has run out) and renews it when already ours, and
    says whether we hold it; `release()` lets a standby take over at once."""

    def __init__(self, name: str, seconds: int, *, holder: str | None = None) -> None:
        self.name = name
        self.seconds = seconds
        self.holder = holder or uuid.uuid4().hex
        self.lock: Lock | None = None
        if settings.REDIS_URL:
            connection = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
            self.lock = Lock(connection, f"changeboard:lease:{name}", timeout=seconds, thread_local=False)

    @property
    def backend(self) -> str:
        return "redis" if self.lock is not None else "database"

    def hold(self) -> bool:
        try:
            return self._hold_redis(self.lock) if self.lock is not None else self._hold_database()
        except BROKER_ERRORS as exc:
            # Redis unreachable: we cannot know who leads, so we do not lead.
            log.warning("Scheduler lease %s: Redis unavailable (%s)", self.name, type(exc).__name__)
            return False

    def _hold_redis(self, lock: Lock) -> bool:
        try:
            return bool(lock.reacquire())  # ours: renewed for another `seconds`
        except LockError:
            pass  # not ours, or run out
        return bool(lock.acquire(blocking=False, token=self.holder))

    def _hold_database(self) -> bool:
        now = timezone.now()
        until = now + dt.timedelta(seconds=self.seconds)
        taken = Lease.objects.filter(name=self.name).filter(holder=self.holder).update(expires_at=until) or \
            Lease.objects.filter(name=self.name, expires_at__lt=now).update(holder=self.holder, expires_at=until)
        if taken:
            return True
        try:
            with transaction.atomic():
                Lease.objects.create(name=self.name, holder=self.holder, expires_at=until)
        except IntegrityError:
            return False  # held by another, and not run out
        return True

    def release(self) -> None:
        try:
            if self.lock is not None:
                with contextlib.suppress(LockError):
                    self.lock.release()
            else:
                Lease.objects.filter(name=self.name, holder=self.holder).delete()
        except BROKER_ERRORS:
            log.warning("Scheduler lease %s: could not release it; it runs out by itself", self.name)
