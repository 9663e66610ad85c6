"""`manage.py bench capability`: the change approach and a user journey at
met scale (issue 15, Deliver 8).

1. **Data.** On an empty database, seeds the met force (45,000 staff, 12
   programmes, an approved approach for each, two journeys for the largest
   programme: `capability.demo_seeding`). A met database seeded before the
   capability app gets its capability data added.
2. **The approach page** (`approach-detail`, each section beside the live
   evidence of its promises) and **a journey page** (`journey-detail`, its
   emotion lane fed from the latest closed readiness wave) through the test
   client, as a Board member and as the programme's change manager,
   `--runs` times after one warm-up: median and p95 (target: p95 under
   300 ms), and the queries one request runs.
3. **The approach PDF** (`approach-pdf`, WeasyPrint), timed once after a
   warm-up (target under 10 s).
4. **Baseline**, measured in the same run: the programme's plain page
   (`programme-detail`) as the same Board member; the ratios say how many
   times that page the approach and journey pages take.

The measured programme is the one with a journey (the largest). It writes
only its two users (a change manager and a Board member), deleted
afterwards.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .common import BenchError, bench_users, median_p95, remove_bench_users, timed

DEFAULT_RUNS = 20
PAGE_TARGET_MS = 300
PDF_TARGET_S = 10
MANAGER = "bench-capability-lead"
BOARD = "bench-capability-board"


def _seed(seed: int) -> dict[str, Any]:
    from changeboard.capability.demo_seeding import seed_capability
    from changeboard.capability.models import Approach
    from changeboard.devtools.seeding import seed_force
    from changeboard.organisation.models import Unit

    started = time.perf_counter()
    if not Unit.objects.exists():
        seed_force(scale="met", seed=seed)
    elif not Approach.objects.exists():
        seed_capability(scale="met", seed=seed)
    else:
        return {}
    return {"seed_seconds": round(time.perf_counter() - started, 1)}


def cleanup() -> None:
    remove_bench_users(MANAGER, BOARD)


def urls(approach: Any, journey: Any) -> dict[str, str]:
    """The pages measured, by URL name (NoReverseMatch until the capability pages exist)."""
    return {
        "approach": reverse("approach-detail", args=[approach.pk]),
        "journey": reverse("journey-detail", args=[journey.pk]),
        "pdf": reverse("approach-pdf", args=[approach.pk]),
        "baseline": reverse("programme-detail", args=[approach.programme_id]),
    }


def _get(client: Client, url: str) -> Callable[[], None]:
    def get() -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise BenchError(f"{url} answered {response.status_code}.")
        if getattr(response, "streaming", False):
            b"".join(getattr(response, "streaming_content", ()))  # the whole body, as a browser would read it

    return get


def _measure(figures: dict[str, Any], label: str, get: Callable[[], None], runs: int) -> None:
    started = time.perf_counter()
    get()  # warm-up: templates compiled, the connection open
    figures[f"{label}_ms_first"] = round((time.perf_counter() - started) * 1000, 1)
    with CaptureQueriesContext(connection) as queries:
        get()
    figures[f"{label}_queries"] = len(queries)
    stats = median_p95(timed(get, runs))
    figures[f"{label}_ms_median"], figures[f"{label}_ms_p95"] = stats["median"], stats["p95"]


def run(*, runs: int = DEFAULT_RUNS, seed: int = 2026) -> dict[str, Any]:
    from changeboard.capability.models import Approach, Journey, Practitioner, Step

    runs = max(1, runs)
    figures: dict[str, Any] = {"seed": seed, **_seed(seed)}
    journey = Journey.objects.select_related("programme").order_by("programme__code", "pk").first()
    approach = Approach.objects.filter(programme=journey.programme).first() if journey is not None else None
    if journey is None or approach is None:
        raise BenchError("No approach with a journey: the capability benchmark needs a seeded database.")
    programme = journey.programme
    address = urls(approach, journey)
    figures.update(approaches=Approach.objects.count(), journeys=Journey.objects.count(), practitioners=Practitioner.objects.count(),
                   measured_programme=programme.code, journey_steps=Step.objects.filter(stage__journey=journey).count(),
                   journey_units=journey.units.count(), runs=runs)
    manager, board = bench_users(programme, MANAGER, BOARD)
    try:
        as_manager, as_board = Client(), Client()
        as_manager.force_login(manager)
        as_board.force_login(board)
        for who, client in (("board", as_board), ("manager", as_manager)):
            _measure(figures, f"approach_{who}", _get(client, address["approach"]), runs)
            _measure(figures, f"journey_{who}", _get(client, address["journey"]), runs)
        _measure(figures, "baseline", _get(as_board, address["baseline"]), runs)
        pdf = _get(as_board, address["pdf"])
        pdf()  # warm-up: fonts and styles loaded
        started = time.perf_counter()
        pdf()
        figures["approach_pdf_s"] = round(time.perf_counter() - started, 2)
    finally:
        cleanup()
    pages = [figures[f"{page}_{who}_ms_p95"] for page in ("approach", "journey") for who in ("board", "manager")]
    base = figures["baseline_ms_median"]
    figures.update({
        "baseline_is": "the programme's own page (programme-detail) as the same Board member",
        "ratio_approach_to_baseline": round(figures["approach_board_ms_median"] / base, 1) if base else None,
        "ratio_journey_to_baseline": round(figures["journey_board_ms_median"] / base, 1) if base else None,
        "page_target_ms_p95": PAGE_TARGET_MS, "pdf_target_s": PDF_TARGET_S,
        "page_target_met": max(pages) < PAGE_TARGET_MS, "pdf_target_met": figures["approach_pdf_s"] < PDF_TARGET_S,
    })
    return figures
