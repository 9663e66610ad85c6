"""`manage.py ensure_database`: create the configured PostgreSQL database
when it does not exist yet, so `make scale` starts on a fresh machine
(`migrate` then fills it). SQLite creates its file itself: nothing to do."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection


class Command(BaseCommand):
    help = "Create the configured PostgreSQL database if it is missing."

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            return
        name = str(connection.settings_dict["NAME"])
        # Django's own test-database creation connects the same way: to the
        # server's maintenance database with the configured credentials.
        with connection._nodb_cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone():
                return
            cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(name)}")
        self.stdout.write(f"Created the database {name}.")
