"""`manage.py bench scale`: the multi-process layout under load and faults,
on PostgreSQL and a Redis of the benchmark's own (a `redis-server` it starts
on a free port, so it can restart it). One JSON object.

1. **Web processes** (`web`): survey submissions (`bench survey`'s
   machinery: real gunicorn, threads posting forms, double clicks, lost and
   doubled counted in the database) and signed-in page views (a Board
   member's home, portfolio dashboard and programme list, from
   `--concurrency` threads), against 1 and then 2 gunicorn worker processes,
   each with `--threads` threads, sessions and cache in Redis.
2. **Task workers** (`workers`): a wave's `--emails` outbox messages
   delivered by 1 and then 2 real task workers (one `deliver_outbox` task
   each) to an SMTP sink that counts Message-IDs: emails per second.
3. **A worker killed during the send** (`kill_send`): two workers deliver
   the same messages again; once a third have reached the sink, one worker's
   process group (the worker and its work horse) gets SIGKILL. The messages
   it held come back when their lease runs out (`outbox.LEASE`) and are
   sent by the survivor, queued again as the scheduler would. `lost` are
   Message-IDs that never arrived, `doubled` arrivals beyond one.
   `--fast-forward-leases` ends the dead worker's leases as soon as the
   survivor is idle instead of waiting for them (for the tests; reported).
4. **A worker killed during a board pack build** (`kill_pack`): a pack is
   requested, a worker starts on it and is killed once the pack is being
   generated; a fresh worker runs; the pack must end ready exactly once
   within `--recovery-timeout` (a pack row per request; a second build of
   the same pack is refused by its claim).
5. **Redis restarted mid-run** (`redis_restart`): two web processes serve
   page views from `--concurrency` threads while Redis is stopped for
   `--outage-seconds` and started again (empty: it keeps nothing on disk).
   Errors and non-2xx answers are counted before, during and after the
   outage, and the time from the restart to the first healthy `/readyz`.

Seeds met data into an empty database first (`--seed-scale none` skips it,
for the tests). Everything else the benchmark makes is deleted afterwards.
Two cores are shared by the load generator, the web processes, the workers,
PostgreSQL and Redis: the ratios between 1 and 2 processes say more than the
absolute figures (docs/performance.md).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Max
from django.test.utils import override_settings

from . import common, survey
from .common import BenchError, RedisServer

DEFAULT_RESPONSES = 2_000
DEFAULT_PAGE_VIEWS = 2_000
DEFAULT_EMAILS = 45_000
DEFAULT_CONCURRENCY = 16
DEFAULT_THREADS = 4
DEFAULT_OUTAGE_SECONDS = 5
DEFAULT_RECOVERY_SECONDS = 180
PROCESS_COUNTS = (1, 2)
# Each web run's people (their own unit: a second wave to the same people this week would be deferred by the
# contact budget). `make_people` numbers staff by the label's first letter, so the letters differ.
WEB_GROUPS = {1: "Single", 2: "Pair"}
PAGES = ("/", "/board/", "/programmes/")
BOARD_USER = "bench-scale-board"
RQ_BACKEND = "django_tasks_rq.RQBackend"
KILL_AT_SHARE = 1 / 3  # the send is killed once this share has reached the sink
POLL = 0.05


# --------------------------------------------------------------------------
# Processes: the environment they share, task workers


def process_env(redis_url: str, **extra: str) -> dict[str, str]:
    """What every process of the layout gets: this database, the bench's Redis."""
    return {"DATABASE_URL": common.database_url(), "REDIS_URL": redis_url, "TASKS_BACKEND": RQ_BACKEND, **extra}


@contextlib.contextmanager
def rq_here(redis_url: str) -> Iterator[Any]:
    """This process enqueues on the bench's Redis, as a web process would
    (the project's own queues, retries included, on the bench's Redis);
    yields the default queue."""
    import django_rq

    queues = {name: {**config, "URL": redis_url} for name, config in settings.RQ_QUEUES.items()}
    with override_settings(TASKS={"default": {**settings.TASKS["default"], "BACKEND": RQ_BACKEND}}, RQ_QUEUES=queues):
        yield django_rq.get_queue(settings.TASK_QUEUE)


def worker_command() -> list[str]:
    """`manage.py run_worker` (the Procfile's): RQ's worker when REDIS_URL is set."""
    return [sys.executable, "manage.py", "run_worker"]


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (from /proc: the bench runs on Linux)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return found


class Workers:
    """Task worker processes, each in its own process group (so SIGKILL
    reaches its work horse too), registered with RQ before `start` returns."""

    def __init__(self, env: dict[str, str], log: Path, queue: Any) -> None:
        self.env = {**os.environ, "DJANGO_SETTINGS_MODULE": "changeboard.settings", "PYTHONUNBUFFERED": "1", **env}
        self.env.pop(common.ENV_FLAG, None)
        self.log = log
        self.queue = queue
        self.processes: list[subprocess.Popen[bytes]] = []

    def _registered(self) -> dict[int, Any]:
        from rq.worker import Worker

        return {int(w.pid): w for w in Worker.all(connection=self.queue.connection) if w.pid}

    def start(self, count: int) -> list[subprocess.Popen[bytes]]:
        started = []
        with self.log.open("ab") as output:
            for _ in range(count):
                started.append(subprocess.Popen(worker_command(), cwd=settings.BASE_DIR, env=self.env, stdout=output,  # noqa: S603
                                                stderr=subprocess.STDOUT, start_new_session=True))
        self.processes += started
        deadline = time.monotonic() + 90
        while not {p.pid for p in started} <= set(self._registered()):
            if any(p.poll() is not None for p in started) or time.monotonic() > deadline:
                raise BenchError(f"A task worker did not start:\n{common.tail(self.log)}")
            time.sleep(0.1)
        return started

    def idle(self) -> bool:
        """Every living worker waits for work and the queue is empty."""
        alive = {p.pid for p in self.processes if p.poll() is None}
        registered = self._registered()
        return self.queue.count == 0 and all(registered[pid].get_state() != "busy" for pid in alive if pid in registered)

    def busy(self) -> subprocess.Popen[bytes]:
        """A worker running a task now (else the first one)."""
        registered = self._registered()
        alive = [p for p in self.processes if p.poll() is None]
        return next((p for p in alive if p.pid in registered and registered[p.pid].get_state() == "busy"), alive[0])

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """SIGKILL a worker and its work horse, as if its machine died. RQ's
        horse leaves the worker's process group (so a warm shutdown can let
        it finish), so it is found by its parent and killed on its own."""
        horses = _children(process.pid)
        os.killpg(process.pid, signal.SIGKILL)
        for pid in horses:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait()

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes = []


@contextlib.contextmanager
def workers(env: dict[str, str], log: Path, queue: Any) -> Iterator[Workers]:
    pool = Workers(env, log, queue)
    try:
        yield pool
    finally:
        pool.stop()


# --------------------------------------------------------------------------
# Page views


def board_cookie() -> str:
    """A signed-in Board member's session cookie (made here, stored in the
    database every web process reads)."""
    from django.test import Client

    from changeboard.accounts.models import Role, User

    common.remove_bench_users(BOARD_USER)
    user = User.objects.create(username=BOARD_USER, role=Role.BOARD, email=f"{BOARD_USER}@example.police.uk")
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _view(clients: common.Clients, path: str, cookie: str) -> tuple[str, float]:
    started = time.perf_counter()
    try:
        status, _, _ = clients.request("GET", path, headers={"Cookie": cookie})
        kind = "ok" if status == 200 else f"status {status}"
    except OSError as exc:
        kind = f"error {type(exc).__name__}"
    return kind, (time.perf_counter() - started) * 1000


def bench_page_views(*, port: int, views: int, concurrency: int, cookie: str) -> dict[str, Any]:
    clients = common.Clients(port)
    try:
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            list(pool.map(lambda n: _view(clients, PAGES[n % len(PAGES)], cookie), range(min(views, 2 * concurrency))))  # warm-up
            started = time.perf_counter()
            results = list(pool.map(lambda n: _view(clients, PAGES[n % len(PAGES)], cookie), range(views)))
            seconds = time.perf_counter() - started
    finally:
        clients.close()
    latencies = [ms for _, ms in results]
    kinds = Counter(kind for kind, _ in results)
    return {
        "page_views": views,
        "page_views_per_second": round(views / seconds, 1) if seconds else 0.0,
        "page_p50_ms": round(statistics.median(latencies), 1) if latencies else 0.0,
        "page_p95_ms": round(common.p95(latencies), 1) if latencies else 0.0,
        "page_errors": sum(n for kind, n in kinds.items() if kind != "ok"),
    }


def bench_web(*, programme: Any, units: dict[str, Any], responses: int, views: int, concurrency: int, threads: int, seed: int,
              env: dict[str, str], cookie: str, tmp: Path) -> dict[str, Any]:
    """Submissions then page views against 1 and then 2 web processes."""
    runs: dict[str, Any] = {}
    for count in PROCESS_COUNTS:
        figures: dict[str, Any] = {"processes": count, "threads": threads}
        if responses > 0:
            submitted = survey.bench_submissions(programme=programme, unit=units[WEB_GROUPS[count]], responses=responses,
                                                 concurrency=concurrency, workers=count, threads=threads, seed=seed, env=env)
            figures.update({key: submitted[key] for key in ("responses_per_second", "p50_ms", "p95_ms", "p99_ms", "errors",
                                                            "lost", "doubled", "baseline_per_second")})
            figures["submissions"] = submitted["posts"]
        if views > 0:
            with common.server(module=survey.SERVER_MODULE, workers=count, threads=threads, log=tmp / f"pages-{count}.log",
                               env=env) as port:
                figures.update(bench_page_views(port=port, views=views, concurrency=concurrency, cookie=cookie))
        runs[str(count)] = figures
    first, second = runs.get("1", {}), runs.get("2", {})
    for key in ("responses_per_second", "page_views_per_second"):
        if first.get(key) and second.get(key):
            runs[f"{key}_ratio_2_to_1"] = round(second[key] / first[key], 2)
    return runs


# --------------------------------------------------------------------------
# Emails by task workers, and a worker killed mid-send


def _chunks(ids: list[int], size: int = 900) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def _reset(ids: list[int]) -> None:
    """Our messages pending again (for the next run of the same send)."""
    from changeboard.core.models import OutboxMessage

    for chunk in _chunks(ids):
        OutboxMessage.objects.filter(pk__in=chunk).update(status=OutboxMessage.Status.PENDING, attempts=0, claim="",
                                                          claimed_until=None, sent_at=None, last_error="")


def _sent(ids: list[int]) -> int:
    from changeboard.core.models import OutboxMessage

    return sum(OutboxMessage.objects.filter(pk__in=chunk, status=OutboxMessage.Status.SENT).count() for chunk in _chunks(ids))


def _expire_leases(ids: list[int]) -> int:
    """End the leases still held on our unsent messages (only a dead
    worker's can be left once the survivors are idle)."""
    from django.utils import timezone

    from changeboard.core.models import OutboxMessage

    past = timezone.now() - dt.timedelta(seconds=1)
    return sum(OutboxMessage.objects.filter(pk__in=chunk, status=OutboxMessage.Status.PENDING, claimed_until__gt=past)
               .update(claimed_until=past) for chunk in _chunks(ids))


def _deliver(ids: list[int], sink: common.Sink, pool: Workers, tasks: int, *, until: float, fast_forward: bool = False,
             kill_at: int | None = None) -> dict[str, Any]:
    """Queue `tasks` deliveries and wait until every message is marked sent
    (queueing another delivery when due messages wait and the workers are
    idle, as the scheduler does every minute), or `until`. With `kill_at`,
    SIGKILL a busy worker once that many messages reached the sink."""
    from changeboard.core.outbox import deliver_outbox, has_due

    started = time.perf_counter()
    for _ in range(tasks):
        deliver_outbox.enqueue()
    killed_at: int | None = None
    killed_time = 0.0
    expired = 0
    idle_polls = 0
    done = False
    while time.monotonic() < until:
        received = len(sink.ids)
        if kill_at is not None and killed_at is None and received >= kill_at:
            pool.kill(pool.busy())
            killed_at, killed_time = received, time.perf_counter()
        if received >= len(ids) and _sent(ids) == len(ids):
            done = True
            break
        idle_polls = idle_polls + 1 if pool.idle() else 0
        if idle_polls >= 2:  # idle at two polls in a row: not a task just taken off the queue
            if fast_forward and killed_at is not None and not expired:
                expired = _expire_leases(ids)
            if has_due():
                deliver_outbox.enqueue()
                idle_polls = 0
        time.sleep(0.25 if received < len(ids) else 1)
    seconds = time.perf_counter() - started
    figures: dict[str, Any] = {"seconds": round(seconds, 3), "finished": done}
    if kill_at is not None:
        figures.update({"killed_mid_send": killed_at is not None and killed_at < len(ids), "killed_after_received": killed_at,
                        "recovered_seconds": round(time.perf_counter() - killed_time, 1) if killed_at is not None and done else None,
                        "leases_fast_forwarded": expired})
    return figures


def bench_emails(*, programme: Any, unit: Any, emails: int, env: dict[str, str], queue: Any, tmp: Path, recovery: float,
                 fast_forward: bool, kill: bool) -> dict[str, Any]:
    from changeboard.core.models import OutboxMessage
    from changeboard.surveys.models import Invitation

    wave, sent, send_seconds = survey.send_wave(programme, unit, "Benchmark: scale emails")
    keys = [f"survey-invitation:{pk}" for pk in Invitation.objects.filter(waves=wave).values_list("pk", flat=True)]
    ours: list[OutboxMessage] = []
    for start in range(0, len(keys), 900):
        ours.extend(OutboxMessage.objects.filter(key__in=keys[start:start + 900]).only("id", "key"))
    if len(ours) != emails:
        raise BenchError(f"Expected {emails} queued emails, the send queued {len(ours)}.")
    ids = [m.id for m in ours]
    expected = {m.message_id for m in ours}
    figures: dict[str, Any] = {"emails": emails, "invitations_per_second": round(emails / send_seconds, 1) if send_seconds else 0.0}
    with common.others_held(set(ids)) as held, common.smtp_sink() as sink:
        port = str(settings.MAILERS["default"]["OPTIONS"]["port"])
        worker_env = {**env, "OUTBOX_SEND": "true", "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": port, "EMAIL_USE_TLS": "false"}
        figures["other_emails_held"] = len(held)
        for count in PROCESS_COUNTS:
            _reset(ids)
            sink.ids.clear()
            with workers(worker_env, tmp / f"workers-{count}.log", queue) as pool:
                pool.start(count)
                run = _deliver(ids, sink, pool, count, until=time.monotonic() + max(600, emails / 20))
            sent_rows = _sent(ids)
            figures[f"workers_{count}"] = {"workers": count, **run, "emails_per_second": round(sent_rows / run["seconds"], 1),
                                           "marked_sent": sent_rows, **common.sink_figures(sink.ids, expected)}
        one, two = figures["workers_1"]["emails_per_second"], figures["workers_2"]["emails_per_second"]
        figures["emails_per_second_ratio_2_to_1"] = round(two / one, 2) if one else None
        if kill:
            _reset(ids)
            sink.ids.clear()
            with workers(worker_env, tmp / "workers-kill.log", queue) as pool:
                pool.start(2)
                run = _deliver(ids, sink, pool, 2, until=time.monotonic() + max(600, emails / 20) + recovery,
                               fast_forward=fast_forward, kill_at=max(1, int(emails * KILL_AT_SHARE)))
            received = common.sink_figures(sink.ids, expected)
            figures["kill_send"] = {"workers": 2, **run, "marked_sent": _sent(ids), **received, "lost": received["sink_missing"],
                                    "doubled": received["sink_duplicated"], "lease_seconds": _lease_seconds()}
    return figures


def _lease_seconds() -> float:
    from changeboard.core.outbox import LEASE

    return LEASE.total_seconds()


# --------------------------------------------------------------------------
# A worker killed during a board pack build


def bench_pack_kill(*, env: dict[str, str], queue: Any, tmp: Path, recovery: float) -> dict[str, Any]:
    from django.utils import timezone

    from changeboard.reports.models import BoardPack
    from changeboard.reports.packs import pack_request

    Status = BoardPack.Status
    last = BoardPack.objects.aggregate(last=Max("id"))["last"] or 0
    pack = pack_request(as_of=timezone.localdate(), actor=None, notify=False)  # queued on the bench's Redis
    figures: dict[str, Any] = {}
    try:
        with workers(env, tmp / "workers-pack.log", queue) as pool:
            (first,) = pool.start(1)
            deadline = time.monotonic() + 300
            status: str = Status.QUEUED
            while time.monotonic() < deadline:
                status = BoardPack.objects.values_list("status", flat=True).get(pk=pack.pk)
                if status != Status.QUEUED:
                    break
                time.sleep(POLL)
            pool.kill(first)
            killed = time.perf_counter()
            figures["killed_mid_build"] = status == Status.BUILDING
            figures["status_when_killed"] = status
            pool.start(1)
            until = time.monotonic() + recovery
            while time.monotonic() < until:
                status = BoardPack.objects.values_list("status", flat=True).get(pk=pack.pk)
                if status in {Status.READY, Status.FAILED}:
                    break
                time.sleep(0.5)
            final = BoardPack.objects.get(pk=pack.pk)
            figures.update({
                "final_status": final.status, "recovered": final.status == Status.READY,
                "recovered_seconds": round(time.perf_counter() - killed, 1) if final.status == Status.READY else None,
                "packs_made": BoardPack.objects.filter(id__gt=last).count(),
                "pdf_bytes": final.pdf_size or 0,
                "recovery_timeout_seconds": recovery,
            })
    finally:
        BoardPack.objects.filter(id__gt=last).delete()
    figures["lost"] = 0 if figures.get("recovered") else 1
    figures["doubled"] = max(0, figures.get("packs_made", 1) - 1)
    return figures


# --------------------------------------------------------------------------
# Redis restarted mid-run


def bench_redis_restart(*, redis: RedisServer, env: dict[str, str], concurrency: int, threads: int, cookie: str, outage: float,
                        tmp: Path) -> dict[str, Any]:
    """Page views from `concurrency` threads and a /readyz poll, against 2
    web processes, while Redis stops for `outage` seconds and starts again."""
    stop = threading.Event()
    phase = ["before"]
    views: list[tuple[str, str]] = []
    probes: list[tuple[float, int]] = []
    lock = threading.Lock()

    with common.server(module=survey.SERVER_MODULE, workers=2, threads=threads, log=tmp / "restart.log", env=env) as port:
        clients = common.Clients(port)

        def load(n: int) -> None:
            i = n
            while not stop.is_set():
                kind, _ = _view(clients, PAGES[i % len(PAGES)], cookie)
                with lock:
                    views.append((phase[0], kind))
                i += 1

        def probe() -> None:
            probe_clients = common.Clients(port)
            try:
                while not stop.is_set():
                    try:
                        status, _, _ = probe_clients.request("GET", "/readyz")
                    except OSError:
                        status = 0
                    probes.append((time.monotonic(), status))
                    time.sleep(0.1)
            finally:
                probe_clients.close()

        runners = [threading.Thread(target=load, args=(n,), daemon=True) for n in range(concurrency)]
        runners.append(threading.Thread(target=probe, daemon=True))
        for runner in runners:
            runner.start()
        try:
            time.sleep(2)
            phase[0] = "during"
            redis.stop()
            stopped = time.monotonic()
            time.sleep(outage)
            redis.start()
            restarted = time.monotonic()
            phase[0] = "after"
            deadline = restarted + 60
            while time.monotonic() < deadline and not any(t > restarted and s == 200 for t, s in probes):
                time.sleep(POLL)
            time.sleep(2)
        finally:
            stop.set()
            for runner in runners:
                runner.join(timeout=30)
            clients.close()

    def counts(name: str) -> dict[str, int]:
        kinds = Counter(kind for phase_name, kind in views if phase_name == name)
        return {"requests": sum(kinds.values()), "ok": kinds.get("ok", 0),
                "errors": sum(n for kind, n in kinds.items() if kind.startswith("error")),
                "non_2xx": sum(n for kind, n in kinds.items() if kind.startswith("status"))}

    healthy = [t for t, s in probes if t > restarted and s == 200]
    during = Counter(s for t, s in probes if stopped <= t < restarted)
    return {
        "outage_seconds": outage,
        "before": counts("before"), "during": counts("during"), "after": counts("after"),
        "readyz_during": {str(status): n for status, n in sorted(during.items())},
        "readyz_healthy_after_seconds": round(healthy[0] - restarted, 2) if healthy else None,
        "recovered": bool(healthy),
    }


# --------------------------------------------------------------------------
# The command's entry point


def _seed(scale: str) -> dict[str, Any]:
    """Met (or demo) data in an empty database, its roll-ups built here (the
    seed's own tasks go nowhere: no worker runs yet)."""
    from changeboard.devtools.bench.board import _rebuild
    from changeboard.devtools.seeding import seed_force
    from changeboard.organisation.models import Unit
    from changeboard.readiness.models import UnitScore

    figures: dict[str, Any] = {"seed_scale": scale}
    if scale == "none":
        return figures
    if not Unit.objects.exists():
        started = time.perf_counter()
        with override_settings(TASKS={"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}):
            seed_force(scale=scale)
        figures["seed_seconds"] = round(time.perf_counter() - started, 1)
    if not UnitScore.objects.exists():
        figures["rebuild_seconds"] = _rebuild()
    return figures


def run(*, responses: int = DEFAULT_RESPONSES, page_views: int = DEFAULT_PAGE_VIEWS, emails: int = DEFAULT_EMAILS,
        concurrency: int = DEFAULT_CONCURRENCY, threads: int = DEFAULT_THREADS, outage: float = DEFAULT_OUTAGE_SECONDS,
        recovery: float = DEFAULT_RECOVERY_SECONDS, seed_scale: str = "met", kill: bool = True, restart: bool = True,
        fast_forward: bool = False, seed: int = 2026, force: bool = False) -> dict[str, Any]:
    from changeboard.core.models import AuditEntry
    from changeboard.portfolio.models import Programme

    if connection.vendor != "postgresql":
        raise BenchError(f"bench scale runs on PostgreSQL (several processes writing at once), not {connection.vendor}: "
                         "set DATABASE_URL=postgres://... to a scratch database.")
    common.refuse_unless_scratch(force, "The scale benchmark writes people, waves, responses, emails and a board pack")
    if connection.in_atomic_block:
        raise BenchError("Run the benchmark outside a transaction: its servers and workers must see what it writes.")
    figures: dict[str, Any] = {"cores": os.cpu_count(), **_seed(seed_scale)}
    survey.cleanup()
    audit_after = AuditEntry.objects.aggregate(last=Max("id"))["last"] or 0
    with tempfile.TemporaryDirectory(prefix="changeboard-bench-scale-") as name, RedisServer(Path(name) / "redis.log") as redis, \
            rq_here(redis.url) as queue:
        tmp = Path(name)
        env = process_env(redis.url)
        try:
            groups = {**{label: responses for label in WEB_GROUPS.values()}, "Emails": emails}
            parts = survey.make_people(groups)
            programme = Programme.objects.create(code=survey.PROGRAMME_CODE, name="Scale benchmark",
                                                 description="Made and deleted by `manage.py bench scale`.")
            cookie = board_cookie()
            figures["web"] = bench_web(programme=programme, units=parts, responses=responses, views=page_views, concurrency=concurrency,
                                       threads=threads, seed=seed, env=env, cookie=cookie, tmp=tmp)
            if emails > 0:
                figures["workers"] = bench_emails(programme=programme, unit=parts["Emails"], emails=emails, env=env, queue=queue,
                                                  tmp=tmp, recovery=recovery, fast_forward=fast_forward, kill=kill)
            if kill:
                figures["kill_pack"] = bench_pack_kill(env=env, queue=queue, tmp=tmp, recovery=recovery)
            if restart:
                figures["redis_restart"] = bench_redis_restart(redis=redis, env=env, concurrency=concurrency, threads=threads,
                                                               cookie=cookie, outage=outage, tmp=tmp)
        finally:
            common.remove_bench_users(BOARD_USER)
            survey.cleanup(audit_after)
    return figures
