"""`manage.py run_scheduler`: the clock for regular background work.

Every `--every` seconds it queues the survey pass (close, open, remind,
purge), the cutover pass (late tasks' actions, communication emails), the
hypercare pass (training-gap spikes, the readiness feed) and, when messages
are due, outbox delivery, for the worker to run;
on the first days of a month it requests that month's board pack once
(`reports.packs.packs_due`, idempotent, so every pass may ask).
Once an hour it prunes finished task results older than 14 days (the
database task backend keeps one row per task). `--once` queues one pass
and exits (for cron)."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from changeboard.core.outbox import deliver_outbox, has_due
from changeboard.cutover.services.runs import runs_pass
from changeboard.hypercare.services.feedback import hypercare_tick
from changeboard.reports.packs import packs_due
from changeboard.surveys.services import survey_tick

DATABASE_BACKEND = "django_tasks_db.DatabaseBackend"


class Command(BaseCommand):
    help = "Queue the regular survey pass and outbox delivery, every minute."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--every", type=int, default=60, help="Seconds between passes (default 60).")
        parser.add_argument("--once", action="store_true", help="Queue one pass and exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        every = max(options["every"], 5)
        last_prune = 0.0
        while True:
            survey_tick.enqueue()
            runs_pass.enqueue()  # cutover: late actions and communication emails of running runs
            hypercare_tick.enqueue()  # hypercare: training-gap spikes and the readiness feed
            packs_due(timezone.localdate())
            if settings.OUTBOX_SEND and has_due():
                deliver_outbox.enqueue()
            if settings.TASKS["default"]["BACKEND"] == DATABASE_BACKEND and time.monotonic() - last_prune > 3600:
                call_command("prune_db_task_results", min_age_days=14, verbosity=0)
                last_prune = time.monotonic()
            if options["once"]:
                return
            time.sleep(every)
