"""`manage.py demo_accounts`: list the demo accounts and their password."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from changeboard.devtools.seeding import DEMO_PASSWORD, demo_account_rows


class Command(BaseCommand):
    help = "Print the demo accounts (username, role, scope) and their shared password."

    def handle(self, *args: Any, **options: Any) -> None:
        rows = demo_account_rows()
        if not rows:
            self.stdout.write("There are no demo accounts. `manage.py seed --scale demo` creates them.")
            return
        header = ("Username", "Role", "Scope")
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]

        def line(cells: tuple[str, ...]) -> str:
            return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

        self.stdout.write("Demo accounts (for demonstration only; never in production):")
        self.stdout.write(line(header))
        self.stdout.write(line(tuple("-" * w for w in widths)))
        for row in rows:
            self.stdout.write(line(row))
        self.stdout.write(f"Password for every demo account: {DEMO_PASSWORD}")
