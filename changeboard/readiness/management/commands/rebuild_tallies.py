"""Rebuild the readiness tallies of every wave (or `--wave` ids)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from changeboard.surveys.models import SurveyWave

from ...tallies import rebuild


class Command(BaseCommand):
    help = "Rebuild the ADKAR element tallies behind readiness scores."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--wave", type=int, action="append", help="Only this wave id (repeatable).")

    def handle(self, *args: Any, **options: Any) -> None:
        ids = options["wave"] or list(SurveyWave.objects.values_list("pk", flat=True))
        rows = rebuild(ids)
        self.stdout.write(f"Rebuilt {rows} tally rows for {len(ids)} waves.")
