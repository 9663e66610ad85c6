"""A smoke test of `manage.py bench hypercare` at a small size.

It runs the real command in a subprocess on a scratch SQLite file (the
tiny force, 300 hypercare queries, 20 raised through a real gunicorn
server), so the server and the command share a database the test's
in-memory one could not be."""

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

from changeboard.devtools.bench.hypercare import MARKER
from changeboard.devtools.bench.hypercare_urls import BASELINE_TABLE
from changeboard.organisation.models import Unit

pytest.importorskip("gunicorn")

KEYS = {"raises_per_second", "baseline_per_second", "ratio_to_baseline", "lost", "doubled", "p50_ms", "p99_ms", "dashboard_ms_median",
        "dashboard_ms_p95", "dashboard_ms_first", "queue_ms_median", "queue_ms_p95", "sla_seconds", "queries", "open_queries"}


def manage(*args: str, database: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DJANGO_SETTINGS_MODULE": "changeboard.settings"}
    env.pop("CHANGEBOARD_BENCH_SERVER", None)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True,  # noqa: S603
                          timeout=540, check=False)


@pytest.mark.timeout(600)
def test_bench_hypercare_at_a_small_size(tmp_path: Path) -> None:
    database = tmp_path / "bench.sqlite3"
    migrated = manage("migrate", "-v0", database=database)
    assert migrated.returncode == 0, migrated.stderr
    done = manage("bench", "hypercare", "--queries", "300", "--raises", "20", "--concurrency", "4", "--workers", "2", "--threads", "2",
                  "--runs", "3", database=database)
    assert done.returncode == 0, done.stderr[-3000:]
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(figures) >= KEYS
    assert figures["benchmark"] == "hypercare" and figures["database"] == "sqlite"
    assert figures["queries"] == figures["queries_after"] == 300 and figures["events"] > 300
    # Raising: every post acknowledged and stored once.
    assert figures["lost"] == 0 and figures["doubled"] == 0 and figures["errors"] == 0 and figures["baseline_errors"] == 0
    assert figures["acknowledged"] == figures["stored"] == figures["raises"] == 20
    assert figures["raises_per_second"] > 0 and figures["baseline_per_second"] > 0 and figures["ratio_to_baseline"] > 0
    assert "/support/<token>/" in figures["raise_path"]
    # Pages: a median and a p95 for the dashboard; the queue and the SLA measured or said why not.
    assert 0 < figures["dashboard_ms_median"] <= figures["dashboard_ms_p95"]
    assert 0 < figures["queue_ms_median"] <= figures["queue_ms_p95"] and 0 < figures["period_queue_ms_median"] <= figures["period_queue_ms_p95"]
    assert figures["sla_seconds"] is not None and figures["sla_open_queries"] == figures["open_queries"]
    # It cleans up after itself: its raised queries, the baseline table, its user.
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM hypercare_query WHERE title LIKE ?", (f"{MARKER}%",)).fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM sqlite_master WHERE name = ?", (BASELINE_TABLE,)).fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM accounts_user WHERE username = 'bench-hypercare'").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM django_session").fetchone() == (0,)


@pytest.mark.django_db
def test_bench_hypercare_refuses_a_database_that_is_not_scratch(world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    assert Unit.objects.exists()
    monkeypatch.setattr("changeboard.devtools.bench.common.looks_like_scratch", lambda: False)
    with pytest.raises(CommandError, match="does not look like a scratch one"):
        call_command("bench", "hypercare", "--raises", "0")
