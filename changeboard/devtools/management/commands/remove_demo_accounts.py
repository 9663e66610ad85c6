"""`manage.py remove_demo_accounts`: delete the demo accounts before going live."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from changeboard.devtools.seeding import remove_demo_accounts


class Command(BaseCommand):
    help = "Delete every demo account (audit entries keep the username they were written under)."

    def handle(self, *args: Any, **options: Any) -> None:
        removed = remove_demo_accounts(actor=None)
        noun = "account" if removed == 1 else "accounts"
        self.stdout.write(f"Removed {removed} demo {noun}.")
