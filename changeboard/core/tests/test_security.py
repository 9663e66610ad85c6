"""Production settings, sign-in throttling, headers and exports."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from openpyxl import load_workbook

from changeboard.conftest import PASSWORD
from changeboard.core import exports

ROOT = Path(settings.BASE_DIR)


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"}}
    full_env.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120)


PROD = {"CHANGEBOARD_ENV": "production", "SECRET_KEY": "x" * 20 + "-Q7fz-production-test-key-9PLk2mW0aZ8yR4vT6nB1", "ALLOWED_HOSTS": "changeboard.example"}


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'prod.sqlite3'}"
    assert _manage("migrate", "-v0", DATABASE_URL=db).returncode == 0
    result = _manage("check", "--deploy", "--database", "default", "--fail-level", "WARNING", DATABASE_URL=db, **PROD)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key(tmp_path: Path) -> None:
    result = _manage("check", CHANGEBOARD_ENV="production", ALLOWED_HOSTS="x", DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_demo_accounts(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'prod.sqlite3'}"
    assert _manage("migrate", "-v0", DATABASE_URL=db).returncode == 0
    code = "from changeboard.accounts.models import User; User.objects.create(username='admin', is_demo=True)"
    assert _manage("shell", "-c", code, DATABASE_URL=db).returncode == 0
    start = "import changeboard.wsgi"
    refused = _manage("shell", "-c", start, DATABASE_URL=db, **PROD)
    assert refused.returncode != 0 and "Demo accounts exist" in refused.stderr
    assert _manage("remove_demo_accounts", DATABASE_URL=db).returncode == 0
    assert _manage("shell", "-c", start, DATABASE_URL=db, **PROD).returncode == 0


def test_security_headers_and_csp(client: Any, world: Any) -> None:
    client.force_login(world.users["admin"])
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self' 'nonce-" in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Request-ID"]


def test_login_is_throttled_after_repeated_failures(client: Any, world: Any) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "board", "password": "wrong-password"})
    locked = client.post("/login/", {"username": "board", "password": PASSWORD})
    assert locked.status_code == 429
    assert b"Too many sign-in attempts" in locked.content


def test_login_and_logout(client: Any, world: Any) -> None:
    response = client.post("/login/", {"username": "board", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    client.post("/logout/")
    assert client.get("/").status_code == 302


def test_passwords_are_hashed_with_argon2_outside_tests() -> None:
    """The test suite swaps in a fast hasher; a real process uses Argon2."""
    code = "from django.conf import settings as s; print(s.PASSWORD_HASHERS[0], s.SESSION_COOKIE_AGE, s.SESSION_SAVE_EVERY_REQUEST)"
    result = _manage("shell", "-c", code, DATABASE_URL="sqlite:///:memory:")
    assert result.stdout.strip().splitlines()[-1].split() == ["django.contrib.auth.hashers.Argon2PasswordHasher", "1800", "True"], result.stderr


@pytest.mark.parametrize("value", ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\tx"])
def test_exports_guard_formulas(value: str) -> None:
    assert exports.guard(value) == "'" + value
    assert exports.guard("Plain") == "Plain" and exports.guard(5) == 5


def test_staff_export_csv_and_xlsx_are_guarded_and_scoped(client: Any, world: Any) -> None:
    world.staff_in.last_name = "=HYPERLINK(\"http://x\")"
    world.staff_in.save()
    client.force_login(world.users["champion"])
    body = b"".join(client.get("/staff/?export=csv").streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:3] == ["staff_number", "first_name", "last_name"]
    assert [r[0] for r in rows[1:]] == [world.staff_in.staff_number]  # the champion's scope only
    assert rows[1][2].startswith("'=")
    xlsx = client.get("/staff/?export=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    values: list[tuple[Any, ...]] = list(sheet.iter_rows(values_only=True))
    assert values[1][0] == world.staff_in.staff_number and values[1][2].startswith("'=")
    assert len(values) == 2
