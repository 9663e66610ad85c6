"""The machinery the benchmarks share.

- where a benchmark may run: `looks_like_scratch`, `refuse_unless_scratch`,
  `database_url` (the configured database for a server process);
- timing: `timed` (milliseconds of each of N calls), `p95` and `percentile`;
- a real server: `server` (gunicorn on a free port serving a bench URLconf
  module) and `Clients` (one keep-alive HTTP connection per client thread);
- emails: `Sink` (an aiosmtpd handler recording each Message-ID), `smtp_sink`
  (the sink on a free port, with the outbox's mailer pointed at it),
  `smtp_baseline` (the same messages straight over one SMTP connection) and
  `sink_figures` (missing, duplicated and unexpected Message-IDs);
- people of a benchmark's own: `make_people` (a unit tree under a root of its
  own, teams of 60).

`survey.py` re-exports the names the other benchmarks and tests import from
it, so they keep working.
"""

from __future__ import annotations

import contextlib
import http.client
import math
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import F
from django.test.utils import override_settings

SCRATCH_WORDS = ("bench", "scratch", "tmp", "temp", "test")
TEAM_SIZE = 60
SMTP_BASELINE = 5_000  # messages sent straight to the sink, for the email baseline
HOLD = timedelta(days=36_500)  # other queued emails wait this long while a benchmark's are delivered
MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(<[^>\r\n]+>)", re.IGNORECASE | re.MULTILINE)
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class BenchError(Exception):
    """The benchmark cannot run here (reported as a command error)."""


# --------------------------------------------------------------------------
# Where it may run


def looks_like_scratch() -> bool:
    """A database named like a scratch one (or a SQLite file in the temp
    directory), or one with no staff and no units yet."""
    from changeboard.organisation.models import Staff, Unit

    name = str(connection.settings_dict.get("NAME") or "")
    if any(word in Path(name).name.lower() for word in SCRATCH_WORDS):
        return True
    if connection.vendor == "sqlite" and name.startswith(tempfile.gettempdir()):
        return True
    return not Staff.objects.exists() and not Unit.objects.exists()


def refuse_unless_scratch(force: bool, what: str) -> None:
    """Raise `BenchError` on a database that holds staff and is not named like
    a scratch one, unless `force`. `what` says what the benchmark writes."""
    if not force and not looks_like_scratch():
        raise BenchError(f"This database holds staff and does not look like a scratch one. {what}: run it on a scratch database "
                         "(set DATABASE_URL to one named like bench or scratch), or pass --force if this one is disposable.")


def database_url() -> str:
    """The configured database as a DATABASE_URL for a server process."""
    data = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(data["NAME"])
        if name == ":memory:" or "mode=memory" in name:
            raise BenchError("The benchmark needs a database its server process can open, not an in-memory SQLite one.")
        return "sqlite:///" + str(Path(name).resolve())
    if connection.vendor == "postgresql":
        quote = urllib.parse.quote
        auth = quote(data.get("USER") or "")
        if data.get("PASSWORD"):
            auth += ":" + quote(str(data["PASSWORD"]))
        host = data.get("HOST") or "localhost"
        port = data.get("PORT") or 5432
        return f"postgres://{auth}@{host}:{port}/{quote(str(data['NAME']))}"
    raise BenchError(f"The benchmarks run on SQLite or PostgreSQL, not {connection.vendor}.")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------
# The bench servers' URLconfs (`survey_urls.py`, `hypercare_urls.py`)

ENV_FLAG = "CHANGEBOARD_BENCH_SERVER"


def setup_if_serving() -> None:
    """In the benchmark's gunicorn (its environment variable set), set Django
    up before a bench URLconf includes the site's URLs."""
    if os.environ.get(ENV_FLAG) == "1":
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "changeboard.settings")
        django.setup()


def baseline_view(table: str, field: str) -> Callable[[Any], Any]:
    """A POST view that reads the posted form and inserts one row (`field`'s
    value, cut to 64 characters) into `table`: no template, no checks; the
    least a form submission can do on this stack."""
    from django.db import transaction
    from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
    from django.views.decorators.csrf import csrf_exempt

    @csrf_exempt
    def baseline(request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        note = request.POST.get(field, "")[:64]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {connection.ops.quote_name(table)} (note) VALUES (%s)", [note])  # noqa: S608  (fixed name)
        return HttpResponse("ok", content_type="text/plain")

    return baseline


def bench_application(urlconf: str, benchmark: str, overrides: dict[str, Any] | None = None) -> Callable[..., Iterable[bytes]]:
    """The WSGI entry point of a bench server: Django's, with `urlconf` as the
    URLconf and `overrides` set on this server's settings only. It refuses
    to serve unless the benchmark's environment variable is set, so it cannot
    be deployed by mistake."""
    app: Callable[..., Iterable[bytes]] | None = None

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        nonlocal app
        if app is None:
            if os.environ.get(ENV_FLAG) != "1":
                raise RuntimeError(f"{urlconf} serves only `manage.py bench {benchmark}` (set {ENV_FLAG}=1).")
            from django.core.wsgi import get_wsgi_application

            made = get_wsgi_application()
            settings.ROOT_URLCONF = urlconf
            for name, value in (overrides or {}).items():
                setattr(settings, name, value)
            app = made
        return app(environ, start_response)

    return application


# --------------------------------------------------------------------------
# Timing


def timed(fn: Callable[[], Any], runs: int) -> list[float]:
    """Milliseconds of each of `runs` calls of `fn`."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def p95(values: list[float]) -> float:
    """The 95th percentile as the page benchmarks report it (the value at
    rank round(0.95 x (n - 1)) of the sorted values)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def median_p95(values: list[float]) -> dict[str, float]:
    """{median, p95} in milliseconds, one decimal (0 for no values)."""
    if not values:
        return {"median": 0.0, "p95": 0.0}
    return {"median": round(statistics.median(values), 1), "p95": round(p95(values), 1)}


def remove_bench_users(*usernames: str) -> None:
    from changeboard.accounts.models import User

    User.objects.filter(username__in=usernames).delete()


def bench_users(programme: Any, manager_name: str, board_name: str) -> tuple[Any, Any]:
    """A change manager of `programme` and a Board member, made afresh for a
    page benchmark (the caller removes them with `remove_bench_users`)."""
    from changeboard.accounts.models import Role, User

    remove_bench_users(manager_name, board_name)
    manager = User.objects.create(username=manager_name, role=Role.CHANGE_MANAGER, email=f"{manager_name}@example.police.uk")
    manager.programmes.set([programme])
    board = User.objects.create(username=board_name, role=Role.BOARD, email=f"{board_name}@example.police.uk")
    return manager, board


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (the server benchmarks' p99); 0 for no values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))] if ordered else 0.0


# --------------------------------------------------------------------------
# A real server


def tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@contextlib.contextmanager
def server(*, module: str, workers: int, threads: int, log: Path, env: dict[str, str] | None = None,
           args: Iterable[str] = ()) -> Iterator[int]:
    """gunicorn on a free port serving `module` (a bench URLconf's
    `application`, or the site's own) on this database (unless `env` names
    another DATABASE_URL), with `env` and `args` added; yields the port once
    /healthz answers."""
    port = free_port()
    extra = env or {}
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "changeboard.settings", "CHANGEBOARD_BENCH_SERVER": "1", "PYTHONUNBUFFERED": "1",
           "DATABASE_URL": extra.get("DATABASE_URL") or database_url(), **extra}
    command = [sys.executable, "-m", "gunicorn", module, "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
               "--threads", str(threads), "--worker-class", "gthread", "--keep-alive", "60", "--timeout", "120",
               "--graceful-timeout", "10", "--backlog", "2048", "--log-level", "warning", "--no-control-socket",
               "--max-requests", "0", *args]  # gunicorn.conf.py's worker recycling would drop keep-alive connections mid-run
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise BenchError(f"The server stopped (exit {process.returncode}):\n{tail(log)}")
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                probe.request("GET", "/healthz")
                ready = probe.getresponse().status == 200
                probe.close()
                if ready:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise BenchError(f"The server did not answer /healthz within 60 s:\n{tail(log)}")
            time.sleep(0.2)
        yield port
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


REDIS_SERVER = "redis-server"


class RedisServer:
    """A `redis-server` of the benchmark's own on a free port, keeping
    nothing on disk, so a benchmark (or a test) can stop and restart it
    without touching the machine's Redis. `url` names database 0."""

    def __init__(self, log: Path) -> None:
        import shutil

        binary = shutil.which(REDIS_SERVER) or ("/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None)
        if binary is None:
            raise BenchError("redis-server is not installed: the benchmark starts its own Redis so it can restart it.")
        self.binary = binary
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                   "--protected-mode", "yes", "--loglevel", "warning"]
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603
        import redis

        deadline = time.monotonic() + 20
        while True:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=1).ping()
                return
            except redis.RedisError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise BenchError(f"redis-server did not start:\n{tail(self.log)}") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class Clients:
    """One keep-alive HTTP connection per thread."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.local = threading.local()
        self.all: list[http.client.HTTPConnection] = []
        self.lock = threading.Lock()

    def _connection(self) -> http.client.HTTPConnection:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            self.local.conn = conn
            with self.lock:
                self.all.append(conn)
        return conn

    def request(self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None,
                ) -> tuple[int, http.client.HTTPResponse, bytes]:
        """One request; a GET is retried once on a dropped connection, a POST
        never (it may have been stored)."""
        for attempt in range(2):
            conn = self._connection()
            try:
                conn.request(method, path, body=body, headers=headers or {})
                response = conn.getresponse()
                data = response.read()
                if response.will_close:
                    conn.close()
                    self.local.conn = None
                return response.status, response, data
            except (http.client.HTTPException, OSError):
                conn.close()
                self.local.conn = None
                if method != "GET" or attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        for conn in self.all:
            conn.close()


# --------------------------------------------------------------------------
# Emails to an SMTP sink


class Sink:
    """An aiosmtpd handler that keeps each message's Message-ID."""

    def __init__(self) -> None:
        self.ids: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802  (aiosmtpd's hook name)
        content = envelope.original_content or envelope.content or b""
        if isinstance(content, str):
            content = content.encode()
        match = MESSAGE_ID.search(content)
        self.ids.append(match.group(1).decode() if match else "")
        return "250 Message accepted for delivery"


@contextlib.contextmanager
def smtp_sink() -> Iterator[Sink]:
    """A `Sink` on a free local port, with the outbox's mailer pointed at it
    and `OUTBOX_SEND` on, for the duration of the block."""
    from aiosmtpd.controller import Controller

    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        smtp = {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": port, "username": "", "password": "", "use_tls": False, "timeout": 30}}
        with override_settings(OUTBOX_SEND=True, MAILERS={"default": smtp}):
            yield sink
    finally:
        controller.stop()


def smtp_baseline(messages: list[Any]) -> tuple[int, float]:
    """Send the messages as the outbox would (Django's EmailMessage,
    Message-ID header, one SMTP connection) but with no database work."""
    from django.core.mail import EmailMessage, mailers

    if not messages:
        return 0, 0.0
    started = time.perf_counter()
    with mailers.default as smtp:
        for message in messages:
            smtp.send_messages([EmailMessage(subject=message.subject, body=message.body, from_email=settings.DEFAULT_FROM_EMAIL,
                                             to=[message.to_address], headers={"Message-ID": message.message_id})])
    return len(messages), time.perf_counter() - started


@contextlib.contextmanager
def others_held(ours: set[int]) -> Iterator[list[int]]:
    """Every other pending outbox message (not in `ours`) waits `HOLD` longer
    while the block runs, so `deliver_due` sends only the benchmark's; yields
    their ids."""
    from changeboard.core.models import OutboxMessage

    held = [pk for pk in OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).values_list("id", flat=True) if pk not in ours]
    for start in range(0, len(held), 900):
        OutboxMessage.objects.filter(pk__in=held[start:start + 900]).update(next_attempt_at=F("next_attempt_at") + HOLD)
    try:
        yield held
    finally:
        for start in range(0, len(held), 900):
            OutboxMessage.objects.filter(pk__in=held[start:start + 900]).update(next_attempt_at=F("next_attempt_at") - HOLD)


def sink_figures(received_ids: Iterable[str], expected: set[str]) -> dict[str, Any]:
    """What reached the sink against what was expected: each Message-ID exactly once."""
    ids = list(received_ids)
    received = Counter(ids)
    duplicated = sum(n - 1 for n in received.values() if n > 1)
    missing = len(expected - set(received))
    return {
        "sink_received": len(ids),
        "sink_missing": missing,
        "sink_duplicated": duplicated,
        "sink_unexpected": len(set(received) - expected),
        "message_ids_once": missing == 0 and duplicated == 0 and set(received) == expected,
    }


# --------------------------------------------------------------------------
# A benchmark's own people


def make_people(groups: dict[str, int], *, root_name: str, root_code: str, email_domain: str) -> dict[str, Any]:
    """A root unit of the benchmark's own, one unit per group under it with
    teams of `TEAM_SIZE`, and the people (mostly constables, some police
    staff and contractors, so there are several role groups)."""
    from changeboard.devtools.seeding import _step
    from changeboard.organisation.models import RankGrade, Staff, Unit
    from changeboard.organisation.services import staff_version_bump

    ranks = [r for r in (RankGrade.objects.filter(code=code).first() for code in ("PC", "PC", "PC", "BAND-D", "CONTRACTOR")) if r]
    if not ranks:
        raise BenchError("No ranks or grades: run `manage.py migrate` first.")
    root = Unit.objects.add_root({"name": root_name, "code": root_code, "level": Unit.Level.FORCE, "full_path": root_name})
    parts: dict[str, Any] = {}
    for label, count in groups.items():
        if count <= 0:
            continue
        parent = Unit.objects.get(pk=root.pk)
        part = Unit.objects.add_child(parent, {"name": label, "code": f"{root_code}-{label.upper()}", "level": Unit.Level.BUSINESS_GROUP,
                                               "full_path": f"{root_name} > {label}"})
        teams = [Unit(path=part.path + _step(i), depth=part.depth + 1, numchild=0, name=f"{label} team {i}",
                      code=f"{root_code}-{label.upper()}-{i:04d}", level=Unit.Level.TEAM,
                      full_path=f"{root_name} > {label} > {label} team {i}")
                 for i in range(1, math.ceil(count / TEAM_SIZE) + 1)]
        Unit.objects.bulk_create(teams, batch_size=1000)
        Unit.objects.filter(pk=part.pk).update(numchild=len(teams))
        prefix = label[0].upper()
        Staff.objects.bulk_create([
            Staff(staff_number=f"SB{prefix}{n:07d}", first_name="Bench", last_name=f"Person {prefix}{n}",
                  email=f"bench.{prefix.lower()}{n}@{email_domain}", unit=teams[n // TEAM_SIZE], role="Benchmark respondent",
                  rank_grade=ranks[n % len(ranks)])
            for n in range(count)
        ], batch_size=2000)
        staff_version_bump()
        parts[label] = Unit.objects.get(pk=part.pk)
    return parts


def delete_people(root_code: str) -> Any:
    """Delete a benchmark's own people and units (under the unit `root_code`);
    returns the root as it was (None when there is none)."""
    from changeboard.organisation.models import Staff, Unit
    from changeboard.organisation.services import staff_version_bump

    root = Unit.objects.filter(code=root_code).first()
    if root is not None:
        Staff.objects.filter(unit__path__startswith=root.path).delete()
        staff_version_bump()
        Unit.objects.filter(path__startswith=root.path).delete()
    return root
