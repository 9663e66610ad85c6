"""`manage.py bench hypercare`: raising queries under load, the support
queue and the period dashboard at met scale, and the SLA state of every
open query.

1. **Data.** On an empty database, seeds the met force (which brings
   50,000 hypercare queries across the portfolio's go-lives). Where the
   number of queries is not `--queries`, the hypercare data is re-seeded
   with that many (`seed_hypercare(scale="met", total=N)`), so a small test
   run is quick.
2. **Raising queries** against a real server: gunicorn (several workers,
   several threads each, the survey benchmark's machinery) serving the site
   plus two bench-only views (`hypercare_urls.py`): a query raised the way
   the public form raises one (period by public token, person by staff
   number, `query_create`), and a baseline that inserts one row. `--raises`
   posts from `--concurrency` threads, each with its own marker in the
   title, against each; `ratio_to_baseline` = baseline posts a second /
   ours. Afterwards the rows are counted: `lost` = acknowledged posts with
   no query, `doubled` = queries beyond one per post. The queries it raised
   (their events, emails and audit rows) are deleted again.
3. **Pages** through the test client (server time: views, queries,
   templates) as a portfolio admin: the period dashboard of the busiest
   period and the support queue (`query-list`, filtered to that period, if
   that page exists here), each `--runs` times after one warm-up: median
   and p95. The dashboard's first, cold hit is reported too (its SLA
   figures are then computed, not cached).
4. **SLA state** of every open query with the SLA engine's `sla_states`,
   if the engine exists here: seconds for all of them at once.
"""

from __future__ import annotations

import contextlib
import http.client
import importlib
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Max
from django.test import Client
from django.urls import NoReverseMatch, reverse

from .heatmap import _p95, _timed
from .survey import BenchError, _Clients, _percentile, _tail, database_url, free_port, looks_like_scratch

DEFAULT_QUERIES = 50_000
DEFAULT_RAISES = 1_000
DEFAULT_CONCURRENCY = 16
DEFAULT_WORKERS = 4
DEFAULT_THREADS = 4
DEFAULT_RUNS = 20
MARKER = "Bench raise"
BENCH_USER = "bench-hypercare"
SERVER_MODULE = "changeboard.devtools.bench.hypercare_urls:application"


@contextlib.contextmanager
def server(*, workers: int, threads: int, log: Path) -> Iterator[int]:
    """gunicorn on a free port serving `hypercare_urls` on this database, as
    the survey benchmark starts its own; yields the port."""
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "changeboard.settings", "DATABASE_URL": database_url(),
           "CHANGEBOARD_BENCH_SERVER": "1", "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "gunicorn", SERVER_MODULE, "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
               "--threads", str(threads), "--worker-class", "gthread", "--keep-alive", "60", "--timeout", "120",
               "--graceful-timeout", "10", "--backlog", "2048", "--log-level", "warning", "--no-control-socket"]
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise BenchError(f"The server stopped (exit {process.returncode}):\n{_tail(log)}")
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
                raise BenchError(f"The server did not answer /healthz within 60 s:\n{_tail(log)}")
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


def _data(queries: int, seed: int) -> dict[str, Any]:
    from changeboard.devtools.seeding import seed_force
    from changeboard.hypercare.models import Query
    from changeboard.hypercare.seeding import clear_hypercare_data, seed_hypercare
    from changeboard.organisation.models import Unit

    figures: dict[str, Any] = {}
    if not Unit.objects.exists():
        started = time.perf_counter()
        seed_force(scale="met" if queries >= 10_000 else "tiny", seed=seed)
        figures["seed_seconds"] = round(time.perf_counter() - started, 1)
    if Query.objects.count() != queries:
        clear_hypercare_data()
        started = time.perf_counter()
        counts = seed_hypercare(scale="met", seed=seed, total=queries)
        figures["seed_hypercare_seconds"] = round(time.perf_counter() - started, 1)
        figures["seeded_events"] = counts["hypercare_events"]
    return figures


def _cleanup(audit_after: int | None) -> None:
    """Delete what the raising part made: its queries (with their events),
    their emails, its audit rows, the baseline table, the bench user."""
    from changeboard.accounts.models import User
    from changeboard.core.models import AuditEntry, OutboxMessage
    from changeboard.hypercare.models import Query, QueryEvent

    from .hypercare_urls import BASELINE_TABLE

    mine = Query.objects.filter(title__startswith=MARKER)
    event_ids = list(QueryEvent.objects.filter(query__in=mine).values_list("pk", flat=True))
    for start in range(0, len(event_ids), 900):
        OutboxMessage.objects.filter(key__in=[f"hypercare-event-{pk}" for pk in event_ids[start:start + 900]]).delete()
    QueryEvent.objects.filter(query__in=mine).delete()
    mine.delete()
    if audit_after is not None:
        AuditEntry.objects.filter(id__gt=audit_after).delete()
    User.objects.filter(username=BENCH_USER).delete()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(BASELINE_TABLE)}")


def _post(clients: _Clients, path: str, body: str) -> tuple[str, float]:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    started = time.perf_counter()
    try:
        status, _, data = clients.request("POST", path, body=body, headers=headers)
    except (http.client.HTTPException, OSError):
        return "error", (time.perf_counter() - started) * 1000
    ms = (time.perf_counter() - started) * 1000
    return ("ok" if status == 200 and data.startswith(b"ok") else f"error {status}"), ms


def _raising(*, raises: int, concurrency: int, workers: int, threads: int, seed: int) -> dict[str, Any]:
    """Raise `raises` queries through the server and as many baseline rows, and count what was stored."""
    from changeboard.hypercare.models import Period, Query

    from .hypercare_urls import BASELINE_TABLE

    period = (Period.objects.filter(status=Period.Status.ACTIVE).annotate(n=Count("queries")).order_by("-n", "pk").first()
              or Period.objects.annotate(n=Count("queries")).order_by("-n", "pk").first())
    if period is None:
        raise BenchError("No hypercare period to raise queries in.")
    if period.status == Period.Status.EXITED:
        Period.objects.filter(pk=period.pk).update(status=Period.Status.ACTIVE)
    from changeboard.organisation.models import Staff, Unit
    from changeboard.organisation.models import subtree_q as unit_subtree

    paths = list(period.rollout_wave.units.values_list("path", flat=True))
    numbers = list(Staff.objects.filter(unit__in=Unit.objects.filter(unit_subtree(paths)), leave_date__isnull=True)
                   .order_by("pk").values_list("staff_number", flat=True)[:5000])
    if not numbers:
        raise BenchError("No staff in the busiest period's units to raise queries for.")
    rng = random.Random(seed)
    codes = list(period.categories.filter(active=True).values_list("code", flat=True))
    bodies = [urllib.parse.urlencode({"person": rng.choice(numbers), "category": rng.choice(codes), "priority": rng.choice(["P2", "P3", "P3", "P4"]), "title": f"{MARKER} {i:06d}",
                                      "description": "Raised by manage.py bench hypercare."}) for i in range(raises)]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {quote(BASELINE_TABLE)}")
        key = "id integer PRIMARY KEY AUTOINCREMENT" if connection.vendor == "sqlite" else "id bigserial PRIMARY KEY"
        cursor.execute(f"CREATE TABLE {quote(BASELINE_TABLE)} ({key}, note varchar(64) NOT NULL)")
    raise_path = f"/bench/hypercare/raise/{period.public_token}/"

    def timed(path: str) -> tuple[float, list[tuple[str, float]]]:
        started = time.perf_counter()
        results = list(pool.map(lambda body: _post(clients, path, body), bodies))
        return time.perf_counter() - started, results

    with tempfile.TemporaryDirectory(prefix="changeboard-bench-") as tmp, \
            server(workers=workers, threads=threads, log=Path(tmp) / "server.log") as port, \
            ThreadPoolExecutor(max_workers=concurrency) as pool:
        clients = _Clients(port)
        try:
            warm = bodies[: min(len(bodies), 2 * workers * threads)]
            list(pool.map(lambda body: _post(clients, "/bench/baseline/", body), warm))
            first_baseline = timed("/bench/baseline/")
            seconds, results = timed(raise_path)
            second_baseline = timed("/bench/baseline/")
        finally:
            clients.close()
        log_tail = _tail(Path(tmp) / "server.log")
    if period.status == Period.Status.EXITED:
        Period.objects.filter(pk=period.pk).update(status=Period.Status.EXITED)

    acknowledged = sum(1 for kind, _ in results if kind == "ok")
    stored = Counter(Query.objects.filter(period=period, title__startswith=MARKER).values_list("title", flat=True))
    lost = max(0, acknowledged - len(stored))
    doubled = sum(n - 1 for n in stored.values() if n > 1)
    best_seconds, best = min([first_baseline, second_baseline], key=lambda b: b[0])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {quote(BASELINE_TABLE)}")  # noqa: S608  (fixed name)
        baseline_rows = cursor.fetchone()[0]
    ours_per_second = acknowledged / seconds if seconds else 0.0
    baseline_per_second = len(best) / best_seconds if best_seconds else 0.0
    latencies = [ms for _, ms in results]
    errors = sum(1 for kind, _ in results if kind != "ok")
    baseline_errors = sum(1 for _, rs in (first_baseline, second_baseline) for kind, _ in rs if kind != "ok")
    try:
        public_form = reverse("public-raise", args=[period.public_token])
    except NoReverseMatch:
        public_form = None
    figures: dict[str, Any] = {
        "server": f"gunicorn, {workers} workers x {threads} threads (gthread)",
        "concurrency": concurrency,
        "raise_path": "bench-only view calling services.queries.query_create as the public form does (hypercare_urls.py)",
        "raise_path_note": ("hc-public's form is not installed here: the bench raises through the service by the same steps; "
                            "the lead switches to the real form after merge") if public_form is None else
                           (f"hc-public's form exists ({public_form}) but is not yet driven by this benchmark: the bench raises "
                            "through the service by the same steps"),
        "raise_period": str(period),
        "raises": len(bodies),
        "raise_seconds": round(seconds, 3),
        "raises_per_second": round(ours_per_second, 1),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else 0.0,
        "p99_ms": round(_percentile(latencies, 0.99), 1),
        "baseline_per_second": round(baseline_per_second, 1),
        "baseline_p50_ms": round(statistics.median([ms for _, ms in best]), 1) if best else 0.0,
        "ratio_to_baseline": round(baseline_per_second / ours_per_second, 2) if ours_per_second else None,
        "ratio_to_baseline_is": "baseline_per_second / raises_per_second (target at most 2)",
        "acknowledged": acknowledged,
        "stored": sum(stored.values()),
        "baseline_rows": baseline_rows,
        "errors": errors,
        "baseline_errors": baseline_errors,
        "lost": lost,
        "doubled": doubled,
    }
    if errors or baseline_errors:
        figures["server_log_tail"] = log_tail[-2000:]
    return figures


def _pages(runs: int) -> dict[str, Any]:
    from changeboard.accounts.models import Role, User
    from changeboard.hypercare.models import Period

    period = Period.objects.annotate(n=Count("queries")).order_by("-n", "pk").first()
    if period is None:
        raise BenchError("No hypercare period to measure.")
    user, _ = User.objects.get_or_create(username=BENCH_USER, defaults={"role": Role.ADMIN, "email": "bench-hypercare@example.police.uk"})
    client = Client()
    client.force_login(user)

    def page(url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    figures: dict[str, Any] = {"measured_period": str(period), "measured_period_queries": period.n, "runs": runs}
    dashboard = reverse("period-dashboard", args=[period.pk])
    started = time.perf_counter()
    page(dashboard)
    figures["dashboard_ms_first"] = round((time.perf_counter() - started) * 1000, 1)
    times = _timed(lambda: page(dashboard), runs)
    figures.update(dashboard_ms_median=round(statistics.median(times), 1), dashboard_ms_p95=round(_p95(times), 1))
    portfolio = reverse("hypercare-portfolio")
    page(portfolio)
    times = _timed(lambda: page(portfolio), runs)
    figures.update(portfolio_trends_ms_median=round(statistics.median(times), 1), portfolio_trends_ms_p95=round(_p95(times), 1))
    try:
        queue = reverse("query-list") + f"?period={period.pk}"
    except NoReverseMatch:
        figures.update(queue_ms_median=None, queue_ms_p95=None,
                       queue_reason="The support queue (query-list, hc-support) is not installed here.")
    else:
        page(queue)
        times = _timed(lambda: page(queue), runs)
        figures.update(queue_ms_median=round(statistics.median(times), 1), queue_ms_p95=round(_p95(times), 1))
    return figures


def _sla() -> dict[str, Any]:
    from changeboard.hypercare.models import Query

    try:
        engine = importlib.import_module("changeboard.hypercare.services.sla")
    except ImportError:
        return {"sla_seconds": None, "sla_reason": "The SLA engine (services/sla.py, hc-sla) is not installed here."}
    open_queries = Query.objects.filter(status__in=[str(s) for s in Query.OPEN_STATUSES])
    started = time.perf_counter()
    states = engine.sla_states(open_queries)
    seconds = time.perf_counter() - started
    return {"sla_open_queries": len(states), "sla_seconds": round(seconds, 3),
            "sla_breached": sum(1 for s in states.values() if s.breached)}


def run(*, queries: int = DEFAULT_QUERIES, raises: int = DEFAULT_RAISES, concurrency: int = DEFAULT_CONCURRENCY,
        workers: int = DEFAULT_WORKERS, threads: int = DEFAULT_THREADS, runs: int = DEFAULT_RUNS, seed: int = 2026,
        force: bool = False) -> dict[str, Any]:
    from changeboard.core.models import AuditEntry
    from changeboard.hypercare.models import Query, QueryEvent
    from changeboard.organisation.models import Unit

    if Unit.objects.exists() and not force and not looks_like_scratch():
        raise BenchError("This database holds staff and does not look like a scratch one. The hypercare benchmark re-seeds the "
                         "hypercare data and raises queries (deleting them afterwards): run it on a scratch database (set "
                         "DATABASE_URL to one named like bench or scratch), or pass --force if this one is disposable.")
    if connection.in_atomic_block:
        raise BenchError("Run the benchmark outside a transaction: its server must see what it writes.")
    if raises:
        database_url()  # fails early on a database the server could not open
    _cleanup(None)  # leftovers of an interrupted run
    figures: dict[str, Any] = {"seed": seed, **_data(queries, seed)}
    figures.update(queries=Query.objects.count(), events=QueryEvent.objects.count(),
                   open_queries=Query.objects.filter(status__in=[str(s) for s in Query.OPEN_STATUSES]).count())
    audit_after = AuditEntry.objects.aggregate(last=Max("id"))["last"] or 0
    try:
        figures.update(_pages(runs))
        figures.update(_sla())
        if raises:
            figures.update(_raising(raises=raises, concurrency=concurrency, workers=workers, threads=threads, seed=seed))
    finally:
        _cleanup(audit_after)
    figures["queries_after"] = Query.objects.count()
    return figures
