"""Several web processes share the sign-in throttle and the cache's rate
limits: a real gunicorn with two worker processes (the site's own WSGI app,
read from gunicorn.conf.py) on a scratch SQLite database and a Redis of the
test's own, with the failures spread over both processes.

Each keep-alive connection stays with the worker process that accepted it
(gthread), and the access log names the process of every request, so the
test holds one connection to each process and alternates between them. A
control run without Redis (each process's own memory) shows the cache limit
is then per process, so the test can tell the difference.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from changeboard.devtools.bench.common import CSRF_FIELD, RedisServer, server

pytest.importorskip("gunicorn")

ROOT = Path(settings.BASE_DIR)
PASSWORD = "a-Long-test-passw0rd"
USERNAME = "sharedlimits"
REFERENCE = "HC-ABCDEFGH"  # no such query: every lookup fails
ACCESS_FORMAT = "%(p)s %(m)s %(U)s %(s)s"
LINE = re.compile(r"^<(\d+)> (\S+) (\S+) (\d+)$")


def manage(database: Path, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DJANGO_SETTINGS_MODULE": "changeboard.settings"}
    env.pop("REDIS_URL", None)
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,  # noqa: S603
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("shared") / "shared.sqlite3"
    manage(path, "migrate", "-v0")
    manage(path, "shell", "-c", f"from changeboard.accounts.models import User; "
                                f"User.objects.create_user(username={USERNAME!r}, password={PASSWORD!r}, role='admin')")
    return path


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A redis-server of the test's own (nothing shared with other runs)."""
    if shutil.which("redis-server") is None and not Path("/usr/bin/redis-server").exists():
        message = "redis-server is not installed"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with RedisServer(tmp_path / "redis.log") as redis_server:
        yield redis_server.url


@dataclass
class Client:
    """One keep-alive connection (so one worker process) with its cookies."""

    conn: http.client.HTTPConnection
    pid: str = ""
    cookies: str = ""

    def request(self, method: str, path: str, fields: dict[str, str] | None = None) -> tuple[int, bytes]:
        headers = {"Cookie": self.cookies} if self.cookies else {}
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        jar = dict(c.split("=", 1) for c in self.cookies.split("; ") if "=" in c)
        for header in response.msg.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            jar[name] = rest.split(";", 1)[0]
        self.cookies = "; ".join(f"{k}={v}" for k, v in jar.items())
        return response.status, data

    def post_form(self, path: str, fields: dict[str, str]) -> int:
        """GET the page for its CSRF token, then POST the form."""
        status, page = self.request("GET", path)
        assert status == 200, (path, status)
        match = CSRF_FIELD.search(page)
        assert match, path
        return self.request("POST", path, {"csrfmiddlewaretoken": match.group(1).decode(), **fields})[0]


def _last_pid(log: Path, seen: int) -> tuple[str, int]:
    """The worker process of the next access-log line after the first `seen`
    (gunicorn writes it just after answering, so wait for it)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        lines = [m for m in map(LINE.match, log.read_text().splitlines()) if m]
        if len(lines) > seen:
            return lines[seen].group(1), seen + 1
        time.sleep(0.02)
    raise AssertionError(f"no access log line after {seen}")


@contextmanager
def two_processes(database: Path, tmp_path: Path, redis_url: str | None) -> Iterator[list[Client]]:
    """gunicorn with two workers; yields one client held by each."""
    access = tmp_path / "access.log"
    access.touch()
    env = {"DATABASE_URL": f"sqlite:///{database}", "REDIS_URL": redis_url or "", "CHANGEBOARD_BENCH_SERVER": ""}
    with server(module="changeboard.wsgi:application", workers=2, threads=2, log=tmp_path / "server.log", env=env,
                args=["--access-logfile", str(access), "--access-logformat", ACCESS_FORMAT]) as port:
        seen = len(access.read_text().splitlines())
        by_pid: dict[str, Client] = {}
        opened: list[http.client.HTTPConnection] = []
        try:
            for _ in range(60):  # connections until both processes hold one
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                opened.append(conn)
                client = Client(conn)
                assert client.request("GET", "/healthz")[0] == 200
                client.pid, seen = _last_pid(access, seen)
                by_pid.setdefault(client.pid, client)
                if len(by_pid) == 2:
                    break
            assert len(by_pid) == 2, "gunicorn's two processes did not both accept a connection"
            yield list(by_pid.values())
        finally:
            for conn in opened:
                conn.close()


def test_an_account_is_locked_by_failures_spread_over_two_processes(database: Path, tmp_path: Path, redis_url: str) -> None:
    with two_processes(database, tmp_path, redis_url) as (first, second):
        limit = 5  # LOGIN_FAILURE_LIMIT's default: failures for one username from one address
        statuses = [(first if n % 2 else second).post_form("/login/", {"username": USERNAME, "password": f"wrong-{n}"})
                    for n in range(limit)]
        assert statuses == [200] * (limit - 1) + [429], statuses  # the fifth failure locks, counted across both
        # Now locked on both processes, even with the right password.
        assert first.post_form("/login/", {"username": USERNAME, "password": PASSWORD}) == 429
        assert second.post_form("/login/", {"username": USERNAME, "password": PASSWORD}) == 429


def _lookups(first: Client, second: Client, count: int) -> list[int]:
    return [(first if n % 2 else second).post_form("/support/status/", {"reference": REFERENCE, "identifier": "nobody@example.org"})
            for n in range(count)]


def test_a_cache_limit_counts_failures_from_two_processes_in_redis(database: Path, tmp_path: Path, redis_url: str) -> None:
    with two_processes(database, tmp_path, redis_url) as (first, second):
        # HYPERCARE_STATUS_FAILURES_PER_REFERENCE is 5: five failures, then refused.
        assert _lookups(first, second, 7) == [400] * 5 + [429, 429]


def test_without_redis_each_process_counts_its_own(database: Path, tmp_path: Path) -> None:
    """The control: in each process's memory, six failures split between the
    two are under the limit in both, so the sixth is still looked up (this is
    why several processes need REDIS_URL). Which process answered each lookup
    is read from gunicorn's access log, not assumed: on a loaded machine a
    keep-alive connection may be closed and the client's next request land on
    the other process."""
    limit = 5  # HYPERCARE_STATUS_FAILURES_PER_REFERENCE
    with two_processes(database, tmp_path, None) as (first, second):
        statuses = _lookups(first, second, 6)
    pids = [m.group(1) for m in map(LINE.match, (tmp_path / "access.log").read_text().splitlines())
            if m and m.group(2) == "POST" and m.group(3) == "/support/status/"]
    assert len(pids) == 6 and len(set(pids)) == 2, pids  # both processes looked up, or the control shows nothing
    per_process = [pids[:n].count(pid) for n, pid in enumerate(pids)]  # failures that process had seen before
    assert statuses == [429 if seen >= limit else 400 for seen in per_process], (statuses, pids)
