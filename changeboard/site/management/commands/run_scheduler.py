"""`manage.py run_scheduler`: the clock for regular background work.

Every `--every` seconds it queues the survey pass (close, open, remind,
purge), the cutover pass (late tasks' actions, communication emails), the
hypercare pass (training-gap spikes, the readiness feed) and, when messages
are due, outbox delivery, for the worker to run;
on the first days of a month it requests that month's board pack once
(`reports.packs.packs_due`, idempotent, so every pass may ask).
Once an hour it prunes finished task results older than 14 days (the
database task backend keeps one row per task). `--once` queues one pass
and exits (for cron).

**Once across machines.** Every machine may run a scheduler: only the
holder of the scheduler's lease (`core.tasks.SchedulerLease`: a Redis lock
with `REDIS_URL`, else a database row) queues anything. It renews the lease
each pass; the others stand by and take it over once it runs out
(`--lease` seconds after the leader's last pass: the leader died). A
stopped scheduler releases it at once. `--once` holds it under the
machine's name and never releases it, so cron on two machines runs one pass
a minute, not two."""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from changeboard.core.outbox import deliver_outbox, has_due
from changeboard.core.tasks import SchedulerLease, enqueue
from changeboard.cutover.services.runs import runs_pass
from changeboard.hypercare.services.feedback import hypercare_tick
from changeboard.reports.packs import packs_due
from changeboard.surveys.services import survey_tick

DATABASE_BACKEND = "django_tasks_db.DatabaseBackend"
STANDING_BY = "Standing by: another scheduler leads (or the lease's store is unreachable)"


class Command(BaseCommand):
    help = "Queue the regular survey pass and outbox delivery, every minute, on one machine at a time."

    verbosity = 1

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--every", type=int, default=60, help="Seconds between passes (default 60, at least 5).")
        parser.add_argument("--lease", type=int, default=0,
                            help="Seconds a standby waits after the leader's last pass before taking over "
                                 "(default three passes; more than --every).")
        parser.add_argument("--once", action="store_true", help="Queue one pass (if no other scheduler leads) and exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        every = max(options["every"], 5)
        self.verbosity = options["verbosity"]
        seconds = options["lease"] or 3 * every
        if seconds <= every:
            raise CommandError("--lease must be longer than --every, or the leader loses it between passes.")
        holder = socket.gethostname() if options["once"] else f"{socket.gethostname()}:{os.getpid()}"
        lease = SchedulerLease(settings.SCHEDULER_LEASE_NAME, seconds, holder=holder[:64])
        if options["once"]:
            if lease.hold():
                self.say("Leading: queueing the pass", lease)
                self.run_pass(0.0)
            else:
                self.say(STANDING_BY, lease)
            return  # the lease is kept: see the module docstring
        # A stop (SIGTERM from a deploy or a process manager) releases the lease on the way out.
        previous = signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
        try:
            self.lead_or_stand_by(lease, every)
        finally:
            signal.signal(signal.SIGTERM, previous)
            lease.release()

    def lead_or_stand_by(self, lease: SchedulerLease, every: int) -> None:
        leading: bool | None = None
        last_prune = 0.0
        while True:
            holds = lease.hold()
            if holds != leading:
                leading = holds
                self.say("Leading: queueing the passes" if holds else STANDING_BY, lease)
            if holds:
                last_prune = self.run_pass(last_prune)
            time.sleep(every)

    def say(self, message: str, lease: SchedulerLease) -> None:
        self.stdout.write(f"{message} (lease in {lease.backend}).")
        self.stdout.flush()

    def run_pass(self, last_prune: float) -> float:
        """One pass; returns when results were last pruned."""
        enqueue(survey_tick)
        enqueue(runs_pass)  # cutover: late actions and communication emails of running runs
        enqueue(hypercare_tick)  # hypercare: training-gap spikes and the readiness feed
        packs_due(timezone.localdate())
        if settings.OUTBOX_SEND and has_due():
            enqueue(deliver_outbox)
        if settings.TASKS["default"]["BACKEND"] == DATABASE_BACKEND and time.monotonic() - last_prune > 3600:
            call_command("prune_db_task_results", min_age_days=14, verbosity=0)
            last_prune = time.monotonic()
        if self.verbosity > 1:
            self.stdout.write(f"Pass queued at {timezone.now():%H:%M:%S}.")
        return last_prune
