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
   through `hypercare_urls.py`, which adds a baseline view that inserts one
   row and raises the public form's per-address limit
   (`HYPERCARE_PUBLIC_PER_IP_HOUR`) for that server only: every client
   posts from 127.0.0.1. Each post goes through the real public form
   (`/support/<token>/`, CSRF cookie and token fetched once per client,
   untimed), which answers with its redirect to the confirmation. Each
   person is used at most `ceil(raises / people)` times, so the per-person
   limit holds. `--raises` posts from `--concurrency` threads, each with its
   own marker in the title, against each; `ratio_to_baseline` = baseline
   posts a second / ours. Afterwards the rows are counted: `lost` =
   acknowledged posts with no query, `doubled` = queries beyond one per
   post. The queries it raised (their events, emails and audit rows) are
   deleted again.
3. **Pages** through the test client (server time: views, queries,
   templates) as a portfolio admin: the period dashboard of the busiest
   period, the portfolio's trends and the support queue (`query-list`:
   all open queries, and filtered to that period), each `--runs` times
   after one warm-up: median and p95. The dashboard's first, cold hit is
   reported too (its SLA figures are then computed, not cached).
4. **SLA state** of every open query with the SLA engine's `sla_states`:
   seconds for all of them at once.
"""

from __future__ import annotations

import http.client
import math
import random
import statistics
import tempfile
import time
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from django.db import connection
from django.db.models import Count, Max
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from .common import CSRF_FIELD, BenchError, database_url, refuse_unless_scratch, server
from .common import Clients as _Clients
from .common import p95 as _p95
from .common import percentile as _percentile
from .common import tail as _tail
from .common import timed as _timed
from .hypercare_urls import BENCH_PER_IP_HOUR

DEFAULT_QUERIES = 50_000
DEFAULT_RAISES = 1_000
DEFAULT_CONCURRENCY = 16
DEFAULT_WORKERS = 4
DEFAULT_THREADS = 4
DEFAULT_RUNS = 20
MARKER = "Bench raise"
BENCH_USER = "bench-hypercare"
SERVER_MODULE = "changeboard.devtools.bench.hypercare_urls:application"


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
    if connection.vendor == "postgresql":
        # Fresh bulk loads have no planner statistics until autovacuum gets to them; without them PostgreSQL plans the
        # SLA engine's cursor over the events as a nested loop (minutes instead of a second). Production tables have them.
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        figures["analyze_seconds"] = round(time.perf_counter() - started, 1)
    return figures


def _cleanup(audit_after: int | None) -> None:
    """Delete what the raising part made: its queries (with their events),
    their emails, its audit rows, the baseline table, the bench user."""
    from django.contrib.sessions.models import Session

    from changeboard.accounts.models import User
    from changeboard.core.models import AuditEntry, OutboxMessage
    from changeboard.hypercare.models import Query, QueryEvent
    from changeboard.hypercare.views.public import RAISED_KEY

    from .hypercare_urls import BASELINE_TABLE

    # The public form's confirmation sessions of the bench's raises and the bench user's own (they expire anyway; a
    # scratch database is kept tidy).
    bench_user = [str(pk) for pk in User.objects.filter(username=BENCH_USER).values_list("pk", flat=True)]
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        data = session.get_decoded()
        raised = data.get(RAISED_KEY)
        if (isinstance(raised, dict) and str(raised.get("title", "")).startswith(MARKER)) or str(data.get("_auth_user_id")) in bench_user:
            session.delete()
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


def _post(clients: _Clients, path: str, body: str, cookie: str = "") -> tuple[str, float]:
    """POST a form; "ok" for the baseline's "ok" or the public form's redirect to its confirmation."""
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if cookie:
        headers["Cookie"] = cookie
    started = time.perf_counter()
    try:
        status, response, data = clients.request("POST", path, body=body, headers=headers)
    except (http.client.HTTPException, OSError):
        return "error", (time.perf_counter() - started) * 1000
    ms = (time.perf_counter() - started) * 1000
    if status == 200 and data.startswith(b"ok"):
        return "ok", ms
    if status == 302 and (response.getheader("Location") or "").endswith(CONFIRMATION):
        return "ok", ms
    return f"error {status}", ms


CONFIRMATION = "/support/raised/"


def _csrf(port: int, path: str) -> tuple[str, str]:
    """GET the public form (untimed): the CSRF cookie and the form's token."""
    connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection_.request("GET", path)
        response = connection_.getresponse()
        data = response.read()
        cookie = next((h.split(";", 1)[0] for h in response.msg.get_all("Set-Cookie") or [] if h.startswith("csrftoken=")), "")
    finally:
        connection_.close()
    match = CSRF_FIELD.search(data)
    if response.status != 200 or not cookie or not match:
        raise BenchError(f"The public form ({path}) answered {response.status} without a CSRF cookie and token.")
    return cookie, match.group(1).decode()


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
    from changeboard.hypercare.services.public import per_person_hour
    from changeboard.organisation.models import Staff, Unit
    from changeboard.organisation.models import subtree_q as unit_subtree

    # The wave's own staff first, then anyone in the force (the link works for everyone; the unit comes from the person).
    paths = list(period.rollout_wave.units.values_list("path", flat=True))
    current = Staff.objects.filter(leave_date__isnull=True, is_leaver=False)
    numbers = list(current.filter(unit__in=Unit.objects.filter(unit_subtree(paths))).order_by("pk").values_list("staff_number", flat=True)[:5000])
    if len(numbers) < 5000:
        numbers += list(current.exclude(staff_number__in=numbers).order_by("pk").values_list("staff_number", flat=True)[:5000 - len(numbers)])
    if not numbers:
        raise BenchError("No staff to raise queries for.")
    rng = random.Random(seed)
    rng.shuffle(numbers)
    per_person = math.ceil(raises / len(numbers)) if raises else 0
    if per_person > per_person_hour():
        raise BenchError(f"{raises} raises for {len(numbers)} people would pass the per-person limit ({per_person_hour()} an hour): "
                         "raise fewer, or seed more staff.")
    categories = list(period.categories.filter(active=True).values_list("pk", flat=True))
    fields = [{"identifier": numbers[i % len(numbers)], "category": rng.choice(categories), "priority": rng.choice(["P2", "P3", "P3", "P4"]),
               "title": f"{MARKER} {i:06d}", "description": "Raised by manage.py bench hypercare."} for i in range(raises)]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {quote(BASELINE_TABLE)}")
        key = "id integer PRIMARY KEY AUTOINCREMENT" if connection.vendor == "sqlite" else "id bigserial PRIMARY KEY"
        cursor.execute(f"CREATE TABLE {quote(BASELINE_TABLE)} ({key}, note varchar(64) NOT NULL)")
    raise_path = reverse("public-raise", kwargs={"token": period.public_token})

    def timed(path: str, bodies: list[str], cookie: str = "") -> tuple[float, list[tuple[str, float]]]:
        started = time.perf_counter()
        results = list(pool.map(lambda body: _post(clients, path, body, cookie), bodies))
        return time.perf_counter() - started, results

    with tempfile.TemporaryDirectory(prefix="changeboard-bench-") as tmp, \
            server(module=SERVER_MODULE, workers=workers, threads=threads, log=Path(tmp) / "server.log") as port, \
            ThreadPoolExecutor(max_workers=concurrency) as pool:
        clients = _Clients(port)
        try:
            cookie, token = _csrf(port, raise_path)
            ours = [urllib.parse.urlencode({"csrfmiddlewaretoken": token, **f}) for f in fields]
            plain = [urllib.parse.urlencode(f) for f in fields]
            warm = plain[: min(len(plain), 2 * workers * threads)]
            list(pool.map(lambda body: _post(clients, "/bench/baseline/", body), warm))
            first_baseline = timed("/bench/baseline/", plain)
            seconds, results = timed(raise_path, ours, cookie)
            second_baseline = timed("/bench/baseline/", plain)
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
    figures: dict[str, Any] = {
        "server": f"gunicorn, {workers} workers x {threads} threads (gthread)",
        "concurrency": concurrency,
        "raise_path": "the public raise-a-query form, /support/<token>/ (CSRF cookie and token, form checks, the session for the "
                      "confirmation; 302 to /support/raised/ counts as acknowledged)",
        "raise_limits": (f"per address {BENCH_PER_IP_HOUR} an hour on the bench server only (all clients are 127.0.0.1); "
                         f"per person {per_person_hour()} an hour as configured, each person used at most {per_person} times"),
        "raise_period": str(period),
        "raises": len(fields),
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
    queue = reverse("query-list")
    page(queue)
    times = _timed(lambda: page(queue), runs)
    figures.update(queue_ms_median=round(statistics.median(times), 1), queue_ms_p95=round(_p95(times), 1))
    period_queue = reverse("period-queries", args=[period.pk])
    page(period_queue)
    times = _timed(lambda: page(period_queue), runs)
    figures.update(period_queue_ms_median=round(statistics.median(times), 1), period_queue_ms_p95=round(_p95(times), 1))
    return figures


def _sla() -> dict[str, Any]:
    from changeboard.hypercare.models import Query
    from changeboard.hypercare.services.sla import sla_states

    open_queries = Query.objects.filter(status__in=[str(s) for s in Query.OPEN_STATUSES])
    started = time.perf_counter()
    states = sla_states(open_queries)
    seconds = time.perf_counter() - started
    return {"sla_open_queries": len(states), "sla_seconds": round(seconds, 3),
            "sla_breached": sum(1 for s in states.values() if s.breached)}


def run(*, queries: int = DEFAULT_QUERIES, raises: int = DEFAULT_RAISES, concurrency: int = DEFAULT_CONCURRENCY,
        workers: int = DEFAULT_WORKERS, threads: int = DEFAULT_THREADS, runs: int = DEFAULT_RUNS, seed: int = 2026,
        force: bool = False) -> dict[str, Any]:
    from changeboard.core.models import AuditEntry
    from changeboard.hypercare.models import Query, QueryEvent
    from changeboard.organisation.models import Unit

    if Unit.objects.exists():
        refuse_unless_scratch(force, "The hypercare benchmark re-seeds the hypercare data and raises queries (deleting them afterwards)")
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
