"""`manage.py run_worker`: work the background task queue with the
configured backend's own worker, so a Procfile or a service unit needs one
command whichever backend is set.

- The database backend (the embedded default): django-tasks-db's
  `db_worker` on `settings.TASK_QUEUE`.
- The RQ backend (`REDIS_URL` set): an RQ worker from django-rq with
  django-tasks-rq's job class (without it RQ cannot call a Django task), on
  `settings.TASK_QUEUE`, with RQ's scheduler (deferred tasks and retries) and
  a maintenance pass every `TASK_MAINTENANCE_SECONDS` that retries the jobs
  of workers that died (see `core.tasks`). Each job runs in a forked
  work-horse, so one that crashes or is killed takes only itself down.

  RQ runs maintenance only between jobs or when an idle worker's blocking
  wait for a job ends, and that wait lasts the worker's TTL less 15 s (420
  s by default): an idle worker would find a dead worker's job only minutes
  later. So the TTL is set to make the wait the maintenance interval. The
  job's heartbeat, renewed by its worker every `TASK_HEARTBEAT_SECONDS`,
  runs out 60 s after the last renewal (RQ's margin): a job whose whole
  worker died is retried about `TASK_HEARTBEAT_SECONDS + 60 +
  TASK_MAINTENANCE_SECONDS` after the death at most.

Several workers are several processes of this command; `--burst` runs what
is queued and exits; `--name` names the worker (unique among those running).
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

import django_rq
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from redis.exceptions import ConnectionError as RedisConnectionError

from changeboard.core.tasks import RQ_JOB_CLASS, rq_queue_names, uses_rq

LOG_LEVELS = {0: "WARNING", 1: "INFO"}
# RQ's idle wait for a job is its worker TTL less this many seconds.
RQ_WAIT_MARGIN = 15


class Command(BaseCommand):
    help = "Run a background task worker for the configured task backend (database or RQ)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--burst", action="store_true", help="Run the tasks queued now, then exit.")
        parser.add_argument("--name", default="", help="This worker's name, unique among running workers (default: generated).")

    def handle(self, *args: Any, **options: Any) -> None:
        if uses_rq():
            self.work_rq(burst=options["burst"], name=options["name"], verbosity=options["verbosity"])
            return
        extra = {"worker_id": options["name"]} if options["name"] else {}
        call_command("db_worker", queue_name=settings.TASK_QUEUE, batch=options["burst"], reload=False,
                     verbosity=options["verbosity"], stdout=self.stdout, stderr=self.stderr, **extra)

    def work_rq(self, *, burst: bool, name: str, verbosity: int) -> None:
        try:
            worker = django_rq.get_worker(*rq_queue_names(), job_class=RQ_JOB_CLASS, name=name or None,
                                          maintenance_interval=settings.TASK_MAINTENANCE_SECONDS,
                                          worker_ttl=settings.TASK_MAINTENANCE_SECONDS + RQ_WAIT_MARGIN,
                                          job_monitoring_interval=settings.TASK_HEARTBEAT_SECONDS)
            # Each job runs in a fork: no database connection may be shared with it.
            connections.close_all()
            worker.work(burst=burst, with_scheduler=True, logging_level=LOG_LEVELS.get(verbosity, "DEBUG"))
        except RedisConnectionError as exc:
            raise CommandError(f"Redis is unavailable at REDIS_URL ({type(exc).__name__}).") from exc
