"""`manage.py bench network`: champion coverage at met scale (issue 14,
Deliver 11).

1. **Data.** On an empty database, seeds the met force (45,000 staff, 12
   programmes, about 1,800 champions: `network.seeding`). A met database
   seeded before the network app gets its champion pool added.
2. **The coverage page** (`network-coverage`) through the test client,
   `--runs` times after one warm-up (server time: views, queries,
   templates): as a change manager of the programme with the most people
   impacted (`?programme=<pk>`), and as a Board member for the portfolio
   (no programme). Median and p95. Target: p95 under 300 ms. The number of
   queries one request runs is reported too.
3. **The service** behind it, `coverage.coverage(programme)` and
   `coverage(None)`, timed the same way.
4. **Every programme's gaps and candidates**: `coverage.all_gaps()` (each
   programme's coverage, then up to five suggested candidates for each of
   its gaps). Target: under 2 s.
5. **Baseline**, measured in the same run: the one grouped query any
   coverage count has to run, the impacted people in post counted by
   location and shift pattern (`in_post(day).filter(impacted_q(p))` grouped),
   for the measured programme and for every programme. The ratios say how
   many times that irreducible work the page and `all_gaps` take.

It writes only its two users (a change manager and a Board member), deleted
afterwards.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from .common import BenchError, bench_users, median_p95, remove_bench_users, timed

DEFAULT_RUNS = 20
GAPS_RUNS = 5
PAGE_TARGET_MS = 300
GAPS_TARGET_MS = 2000
MANAGER = "bench-network-lead"
BOARD = "bench-network-board"


def _seed(seed: int) -> dict[str, Any]:
    from changeboard.devtools.seeding import seed_force
    from changeboard.network.models import Champion
    from changeboard.network.seeding import seed_network
    from changeboard.organisation.models import Unit

    started = time.perf_counter()
    if not Unit.objects.exists():
        seed_force(scale="met", seed=seed)
    elif not Champion.objects.exists():
        seed_network(scale="met", seed=seed)
    else:
        return {}
    return {"seed_seconds": round(time.perf_counter() - started, 1)}


def cleanup() -> None:
    remove_bench_users(MANAGER, BOARD)


def _page_url() -> tuple[str, str]:
    """The coverage page (`network-coverage`)."""
    return reverse("network-coverage"), "network-coverage"


def _page(client: Client, url: str) -> Callable[[], None]:
    def get() -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise BenchError(f"{url} answered {response.status_code}.")

    return get


def run(*, runs: int = DEFAULT_RUNS, seed: int = 2026) -> dict[str, Any]:
    from changeboard.engagement.services.audience import impacted_q, in_post
    from changeboard.network.models import Champion, Support
    from changeboard.network.services import coverage as cov
    from changeboard.organisation.models import Staff, Unit
    from changeboard.portfolio.models import Programme

    runs = max(1, runs)
    figures: dict[str, Any] = {"seed": seed, **_seed(seed)}
    day = timezone.localdate()
    programmes = list(Programme.objects.exclude(status=Programme.Status.CLOSED).order_by("code"))
    if not programmes:
        raise BenchError("No open programmes: the network benchmark needs a seeded database.")

    def grouped(programme: Any) -> int:
        return len(list(in_post(day).filter(impacted_q(programme)).order_by().values("location", "shift_pattern").annotate(n=Count("pk"))))

    impacted = {p.pk: in_post(day).filter(impacted_q(p)).count() for p in programmes}
    programme = max(programmes, key=lambda p: (impacted[p.pk], -p.pk))
    figures.update(staff=Staff.objects.current().count(), units=Unit.objects.count(), programmes=len(programmes),
                   champions=Champion.objects.count(), champions_active=Champion.objects.active(day).count(),
                   champion_supports=Support.objects.filter(active=True).count(), runs=runs,
                   measured_programme=programme.code, measured_programme_impacted=impacted[programme.pk])

    manager, board = bench_users(programme, MANAGER, BOARD)
    try:
        url, page_name = _page_url()
        figures["coverage_page"] = page_name
        as_manager, as_board = Client(), Client()
        as_manager.force_login(manager)
        as_board.force_login(board)
        for label, client, address in (("manager", as_manager, f"{url}?programme={programme.pk}"), ("portfolio", as_board, url)):
            get = _page(client, address)
            started = time.perf_counter()
            get()  # warm-up: templates compiled, the connection open
            figures[f"page_{label}_ms_first"] = round((time.perf_counter() - started) * 1000, 1)
            with CaptureQueriesContext(connection) as queries:
                get()
            figures[f"page_{label}_queries"] = len(queries)
            stats = median_p95(timed(get, runs))
            figures[f"page_{label}_ms_median"], figures[f"page_{label}_ms_p95"] = stats["median"], stats["p95"]
    finally:
        cleanup()

    one = median_p95(timed(lambda: cov.coverage(programme, day), runs))
    portfolio = median_p95(timed(lambda: cov.coverage(None, day), runs))
    result: dict[int, Any] = {}

    def gaps() -> None:
        nonlocal result
        result = cov.all_gaps(day)

    gap_times = timed(gaps, min(runs, GAPS_RUNS))
    baseline_one = median_p95(timed(lambda: grouped(programme), runs))
    baseline_all = median_p95(timed(lambda: [grouped(p) for p in programmes], min(runs, GAPS_RUNS)))
    gap_stats = median_p95(gap_times)
    worst_page = max(figures["page_manager_ms_p95"], figures["page_portfolio_ms_p95"])
    figures.update({
        "coverage_service_ms_median": one["median"], "coverage_service_ms_p95": one["p95"],
        "coverage_portfolio_service_ms_median": portfolio["median"], "coverage_portfolio_service_ms_p95": portfolio["p95"],
        "all_gaps_runs": len(gap_times), "all_gaps_ms_median": gap_stats["median"], "all_gaps_ms_max": round(max(gap_times), 1),
        "gaps": sum(len(v) for v in result.values()),
        "gap_candidates": sum(len(c) for v in result.values() for _, c in v),
        "baseline_ms_median": baseline_one["median"], "baseline_all_ms_median": baseline_all["median"],
        "baseline_is": "the impacted people in post grouped by location and shift pattern, one query (one programme; "
                       "baseline_all: every programme)",
        "ratio_page_to_baseline": round(figures["page_manager_ms_median"] / baseline_one["median"], 1) if baseline_one["median"] else None,
        "ratio_all_gaps_to_baseline": round(gap_stats["median"] / baseline_all["median"], 1) if baseline_all["median"] else None,
        "page_target_ms_p95": PAGE_TARGET_MS, "all_gaps_target_ms": GAPS_TARGET_MS,
        "page_target_met": worst_page < PAGE_TARGET_MS, "all_gaps_target_met": max(gap_times) < GAPS_TARGET_MS,
    })
    return figures
