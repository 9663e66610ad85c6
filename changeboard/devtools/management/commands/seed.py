"""`manage.py seed --scale demo|met`: load the fictional force and its portfolio."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from changeboard.devtools.seeding import DEFAULT_SEED, SCALES, SeedError, seed_force
from changeboard.organisation.models import Unit


class Command(BaseCommand):
    help = "Load demo or met-scale data: the organisation, its staff and the 12 programmes (same --seed, same data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=list(SCALES), default="demo",
                            help="demo: ~2,000 staff and the demo accounts; met: 45,000 staff, ~700 units; tiny: for tests.")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"Random seed (default {DEFAULT_SEED}).")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if any unit already exists.")
        parser.add_argument("--replace", action="store_true", help="Delete existing staff, units, programmes and demo accounts first.")

    def handle(self, *args: Any, scale: str, seed: int, if_empty: bool, replace: bool, **options: Any) -> None:
        if if_empty and Unit.objects.exists():
            self.stdout.write("The organisation model already has units; nothing seeded (--if-empty).")
            return
        try:
            result = seed_force(scale=scale, seed=seed, actor=None, replace=replace)
        except SeedError as exc:
            raise CommandError(str(exc)) from exc
        counts = ", ".join(f"{value:,} {name.replace('_', ' ')}" for name, value in result.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Seeded scale {result.scale} (seed {result.seed}) in {result.seconds:.1f} s: {counts}."))
