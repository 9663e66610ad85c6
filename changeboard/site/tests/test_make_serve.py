"""`make run`'s process set, for real: the web server, the worker and the
scheduler from the Procfile under honcho (`make serve`), on a scratch SQLite
database. A wave launched there is sent by the running worker, and the link
it writes in the outbox must answer on the running web server (honcho gives
each process its own PORT, so a link built from the worker's PORT is dead).

About 10-20 s. Skipped where honcho or make is missing, except in CI."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
VENV = Path(sys.prefix)
IN_CI = os.environ.get("CI") == "true"

# Run by `manage.py shell` in the scratch database: a unit with two people,
# a manual wave opening today, launched (the launch queues the send for the worker).
SETUP = """
import datetime as dt
from django.utils import timezone
from changeboard.organisation.models import RankGrade, Staff
from changeboard.organisation.services import unit_ensure_path
from changeboard.portfolio.models import Programme
from changeboard.surveys import services
from changeboard.surveys.models import SurveyWave
unit = unit_ensure_path(full_path="Live Force > Live Team", actor=None, known={})
rank = RankGrade.objects.get(code="PC")
for n in ("900001", "900002"):
    Staff.objects.create(staff_number=n, unit=unit, first_name="Lee", last_name="Live" + n, email=f"p{n}@example.police.uk",
                         role="Response officer", rank_grade=rank)
programme = Programme.objects.create(code="LIV", name="Live links", status="active", phase="build")
instrument = services.instrument_create(name="Live", programme=programme, actor=None, base=services.default_instrument())
today = timezone.localdate()
wave = services.wave_create(programme=programme, instrument=instrument, title="Live", opens_on=today,
                            closes_on=today + dt.timedelta(days=10), actor=None, units=[unit],
                            audience_source=SurveyWave.Source.MANUAL)
services.wave_launch(wave=wave, actor=None)
print("launched", wave.pk)
"""


def _requirements() -> None:
    missing = [name for name, ok in (("honcho", (VENV / "bin" / "honcho").exists()), ("make", bool(_which("make")))) if not ok]
    if missing:
        if IN_CI:
            pytest.fail(f"{', '.join(missing)} missing: CI must run this test")
        pytest.skip(f"{', '.join(missing)} missing")


def _which(name: str) -> str | None:
    return shutil.which(name)


def _free_port() -> int:
    """A port whose +100 and +200 (the worker's and the scheduler's) are free too."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port > 65000:
            continue
        try:
            for extra in (100, 200):
                with socket.socket() as other:
                    other.bind(("127.0.0.1", port + extra))
        except OSError:
            continue
        return port
    raise RuntimeError("no free port")


def _env(database: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"SITE_URL", "PORT", "MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    env.update({"DATABASE_URL": f"sqlite:///{database}", "DJANGO_SETTINGS_MODULE": "changeboard.settings",
                "TASKS_BACKEND": "django_tasks_db.DatabaseBackend", "OUTBOX_SEND": "false", "PYTHONUNBUFFERED": "1"})
    return env


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,  # noqa: S603
                          timeout=180, check=False)


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[dict[str, str]]:
    _requirements()
    env = _env(tmp_path / "live.sqlite3")
    migrated = _manage("migrate", "-v0", env=env)
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    yield env


def _outbox_link(database: Path, deadline: float) -> str:
    while time.monotonic() < deadline:
        try:
            with sqlite3.connect(database, timeout=5) as db:
                row = db.execute("SELECT body FROM core_outboxmessage WHERE kind = 'survey-invitation' ORDER BY id LIMIT 1").fetchone()
        except sqlite3.OperationalError:
            row = None
        if row:
            found = re.search(r"https?://\S+/s/\S+/", row[0])
            assert found, row[0]
            return found.group(0)
        time.sleep(0.5)
    raise AssertionError("the worker wrote no invitation in time")


def _get(url: str, deadline: float) -> tuple[int, str]:
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (a local URL the test built)
                return int(response.status), response.read().decode()
        except OSError as error:  # not listening yet, or refused on a dead port
            last = error
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer: {last}")


def test_a_link_sent_by_the_running_worker_opens_on_the_running_web_server(scratch: dict[str, str], tmp_path: Path) -> None:
    port = _free_port()
    database = tmp_path / "live.sqlite3"
    launched = _manage("shell", "-c", SETUP, env=scratch)
    assert launched.returncode == 0 and "launched" in launched.stdout, launched.stderr[-3000:]
    log = (tmp_path / "serve.log").open("w")
    serve = subprocess.Popen(["make", "--no-print-directory", "serve", f"PORT={port}", f"VENV={VENV}"],  # noqa: S603, S607
                             cwd=ROOT, env=scratch, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        link = _outbox_link(database, deadline)
        assert link.startswith(f"http://127.0.0.1:{port}/"), link
        status, page = _get(link, deadline)
        assert status == 200
        assert "Live" in page and "survey" in page.lower()
    finally:
        os.killpg(serve.pid, signal.SIGTERM)
        try:
            serve.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(serve.pid, signal.SIGKILL)
            serve.wait()
        log.close()
        print((tmp_path / "serve.log").read_text()[-5000:])  # shown when the test fails
