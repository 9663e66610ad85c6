"""A smoke test of `manage.py bench survey` at a tiny size (about 10 s).

It runs the real command in a subprocess on a scratch SQLite file, so its
gunicorn server and the command share a database the test's in-memory one
could not be."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from changeboard.devtools.bench import survey as bench
from changeboard.devtools.bench.survey_urls import BASELINE_TABLE
from changeboard.organisation.models import Unit

pytest.importorskip("gunicorn")
pytest.importorskip("aiosmtpd")

KEYS = {"responses_per_second", "p50_ms", "p99_ms", "baseline_per_second", "ratio_to_baseline", "lost", "doubled", "emails_per_second"}


def manage(*args: str, database: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DJANGO_SETTINGS_MODULE": "changeboard.settings"}
    env.pop("CHANGEBOARD_BENCH_SERVER", None)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True,  # noqa: S603
                          timeout=120, check=False)


def test_bench_survey_at_a_tiny_size(tmp_path: Path) -> None:
    database = tmp_path / "bench.sqlite3"
    migrated = manage("migrate", "-v0", database=database)
    assert migrated.returncode == 0, migrated.stderr
    done = manage("bench", "survey", "--responses", "20", "--emails", "20", "--concurrency", "4", "--workers", "2", "--threads", "2",
                  database=database)
    assert done.returncode == 0, done.stderr[-3000:]
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(figures) >= KEYS
    assert figures["benchmark"] == "survey" and figures["database"] == "sqlite"
    assert figures["lost"] == 0 and figures["doubled"] == 0 and figures["errors"] == 0
    assert figures["acknowledged"] == figures["responses_stored"] == figures["links_used"] == figures["cells_responded"] == 20
    assert figures["double_clicks"] == 1 and figures["already_answered"] == 1
    assert figures["answers_stored"] == 20 * 12
    assert figures["responses_per_second"] > 0 and figures["baseline_per_second"] > 0 and figures["p99_ms"] >= figures["p50_ms"]
    assert figures["delivered"] == figures["sink_received"] == 20 and figures["message_ids_once"] is True
    assert figures["emails_per_second"] > 0
    # It cleans up after itself.
    with sqlite3.connect(database) as db:
        for table in ("organisation_staff", "organisation_unit", "portfolio_programme", "surveys_surveywave", "surveys_invitation",
                      "surveys_response", "surveys_answer", "core_outboxmessage", "core_auditentry"):
            assert db.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table
        assert not db.execute("SELECT name FROM sqlite_master WHERE name = ?", [BASELINE_TABLE]).fetchall()


def test_bench_survey_refuses_a_database_in_use(world: Any) -> None:
    with pytest.raises(CommandError):
        call_command("bench", "survey", "--responses", "1", "--emails", "1")
    assert not Unit.objects.filter(code=bench.ROOT_CODE).exists()
