"""`manage.py bench board`: the Programme Board's dashboards and board pack
at met scale, and how the dashboards' time grows when the responses double.

1. Seeds met data into an empty database, and builds the tallies and stored
   unit scores the worker would build (timed: `rebuild_seconds`).
2. Times the portfolio dashboard and the busiest programme's dashboard
   through the test client (server time: views, queries and templates), each
   `runs` times after one warm-up: median and p95.
3. Generates a board pack for today (HTML, PDF and XLSX) and times it.
4. Doubles the survey responses in SQL (every response copied with a new
   random id, its answers with it), rebuilds the roll-ups as the worker would,
   and times both dashboards again. `growth_ratio` is the worse of the two
   p95 ratios (after / before): with the dashboards reading maintained
   roll-ups it should stay near 1.

Run it on a scratch database: step 4 writes hundreds of thousands of rows.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from changeboard.devtools.bench.common import p95 as _p95
from changeboard.devtools.bench.common import timed as _timed


def _double_responses() -> tuple[int, int]:
    """Copy every survey response (new random id, same wave, unit, role
    group and source) and its answers, in three set-based statements."""
    from changeboard.surveys.models import Answer, Response

    quote = connection.ops.quote_name
    responses, answers = quote(Response._meta.db_table), quote(Answer._meta.db_table)
    new_id = "gen_random_uuid()" if connection.vendor == "postgresql" else "lower(hex(randomblob(16)))"
    fields = [quote(cast(str, f.column)) for f in Response._meta.concrete_fields if not f.primary_key]
    answer_fields = [quote(cast(str, f.column)) for f in Answer._meta.concrete_fields if not f.primary_key and f.column != "response_id"]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_response_map")
        cursor.execute(f"CREATE TEMPORARY TABLE bench_response_map AS SELECT id AS old_id, {new_id} AS new_id FROM {responses}")  # noqa: S608  (model names)
        copy = (f"INSERT INTO {responses} (id, {', '.join(fields)}) SELECT m.new_id, {', '.join('r.' + f for f in fields)} "  # noqa: S608
                f"FROM {responses} r JOIN bench_response_map m ON m.old_id = r.id")
        cursor.execute(copy)
        added = cursor.rowcount
        copy = (f"INSERT INTO {answers} (response_id, {', '.join(answer_fields)}) SELECT m.new_id, "  # noqa: S608  (model names)
                f"{', '.join('a.' + f for f in answer_fields)} FROM {answers} a JOIN bench_response_map m ON m.old_id = a.response_id")
        cursor.execute(copy)
        added_answers = cursor.rowcount
        cursor.execute("DROP TABLE bench_response_map")
    return added, added_answers


def _rebuild() -> float:
    from changeboard.readiness.tallies import rebuild
    from changeboard.surveys.models import SurveyWave

    started = time.perf_counter()
    rebuild(list(SurveyWave.objects.values_list("pk", flat=True)))
    return round(time.perf_counter() - started, 1)


def run(runs: int = 20, double: bool = True, force: bool = False) -> dict[str, Any]:
    from changeboard.accounts.models import Role, User
    from changeboard.devtools.bench.common import BenchError, looks_like_scratch
    from changeboard.devtools.seeding import seed_force
    from changeboard.organisation.models import Staff, Unit
    from changeboard.portfolio.models import Programme
    from changeboard.readiness.models import UnitScore
    from changeboard.reports.packs import pack_build, pack_request
    from changeboard.surveys.models import Answer, Response

    if double and not force and not looks_like_scratch():
        raise BenchError("This database holds staff and does not look like a scratch one, and the board benchmark doubles every "
                         "survey response in it: run it on a scratch database (named like bench or scratch), pass --no-double, "
                         "or --force if this one is disposable.")
    figures: dict[str, Any] = {}
    if not Unit.objects.exists():
        started = time.perf_counter()
        seed_force(scale="met")
        figures["seed_seconds"] = round(time.perf_counter() - started, 1)
    if not UnitScore.objects.exists():
        figures["rebuild_seconds"] = _rebuild()
    user, _ = User.objects.get_or_create(username="bench-board", defaults={"role": Role.BOARD, "email": "bench-board@example.police.uk"})
    client = Client()
    client.force_login(user)
    busiest = (UnitScore.objects.filter(is_top=True).values("wave__programme_id").order_by()
               .annotate(n=Sum("responses")).order_by("-n").first())
    programme = Programme.objects.get(pk=busiest["wave__programme_id"]) if busiest else Programme.objects.order_by("code").first()
    assert programme is not None, "no programme to measure"
    portfolio_url = reverse("portfolio-dashboard")
    programme_url = reverse("programme-dashboard", args=[programme.pk])

    def page(url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    def measure() -> dict[str, list[float]]:
        page(portfolio_url)
        page(programme_url)  # warm-up: templates compiled, connections open
        return {"portfolio": _timed(lambda: page(portfolio_url), runs), "programme": _timed(lambda: page(programme_url), runs)}

    before = measure()
    figures.update({
        "staff": Staff.objects.current().count(), "units": Unit.objects.count(), "programmes": Programme.objects.count(),
        "responses": Response.objects.count(), "answers": Answer.objects.count(), "unit_scores": UnitScore.objects.count(),
        "measured_programme": programme.code, "runs": runs,
        "portfolio_ms_median": round(statistics.median(before["portfolio"]), 1), "portfolio_ms_p95": round(_p95(before["portfolio"]), 1),
        "programme_ms_median": round(statistics.median(before["programme"]), 1), "programme_ms_p95": round(_p95(before["programme"]), 1),
    })
    pack = pack_request(as_of=dt.date.today(), actor=user, notify=False)
    started = time.perf_counter()
    pack_build(pack.pk, notify=False)
    pack.refresh_from_db()
    figures.update({"pack_status": pack.status, "pack_pdf_seconds": round(time.perf_counter() - started, 1),
                    "pack_pdf_bytes": pack.pdf_size, "pack_xlsx_bytes": pack.xlsx_size})
    if double:
        started = time.perf_counter()
        added, added_answers = _double_responses()
        figures.update({"doubled_responses": added, "doubled_answers": added_answers,
                        "double_seconds": round(time.perf_counter() - started, 1), "rebuild_after_double_seconds": _rebuild()})
        after = measure()
        figures.update({
            "responses_after": Response.objects.count(),
            "portfolio_ms_median_after": round(statistics.median(after["portfolio"]), 1),
            "portfolio_ms_p95_after": round(_p95(after["portfolio"]), 1),
            "programme_ms_median_after": round(statistics.median(after["programme"]), 1),
            "programme_ms_p95_after": round(_p95(after["programme"]), 1),
        })
        figures["growth_ratio"] = round(max(figures["portfolio_ms_p95_after"] / figures["portfolio_ms_p95"],
                                            figures["programme_ms_p95_after"] / figures["programme_ms_p95"]), 2)
        figures["growth_ratio_is"] = "p95 after doubling the responses / p95 before, the worse of the two dashboards"
    return figures
