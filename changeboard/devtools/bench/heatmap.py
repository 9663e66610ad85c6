"""`manage.py bench heatmap`: the portfolio heatmap at met scale.

Times the load computation for every unit over 52 weeks, the heatmap page's
server time through the test client, and a what-if page (one wave moved).
Run it on a database seeded with `seed --scale met` (it seeds one when the
database is empty)."""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

from django.test import Client

from .common import p95 as _p95
from .common import timed as _timed

START = dt.date(2027, 1, 4)
WEEKS = 52


def run(runs: int = 10) -> dict[str, Any]:
    from changeboard.accounts.models import Role, User
    from changeboard.devtools.seeding import seed_force
    from changeboard.impacts import load
    from changeboard.impacts.models import ImpactAssessment, ImpactLine
    from changeboard.organisation.models import Staff, Unit
    from changeboard.portfolio.models import RolloutWave

    if not Unit.objects.exists():
        seed_force(scale="met")
    user, _ = User.objects.get_or_create(username="bench-board", defaults={"role": Role.BOARD})
    client = Client()
    client.force_login(user)
    units = list(Unit.objects.order_by("path"))
    filters = load.LoadFilters(start=START, end=START + dt.timedelta(weeks=WEEKS - 1))
    visible = ImpactAssessment.objects.all()
    compute = _timed(lambda: load.compute(filters, units, visible), runs)
    query = f"start={START.isoformat()}&weeks={WEEKS}"

    def page(url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    page_times = _timed(lambda: page(f"/impacts/load/?{query}"), runs)
    wave = RolloutWave.objects.order_by("go_live_date").filter(go_live_date__gte=START).first()
    moved = (wave.go_live_date + dt.timedelta(weeks=6)).isoformat() if wave else ""
    whatif_url = f"/impacts/load/?{query}&whatif={wave.programme_id}&move_{wave.pk}={moved}" if wave else f"/impacts/load/?{query}"
    whatif = _timed(lambda: page(whatif_url), runs)
    heatmap = load.compute(filters, units, visible)
    return {
        "units": len(units),
        "staff": Staff.objects.current().count(),
        "impact_lines": ImpactLine.objects.filter(assessment__status=ImpactAssessment.Status.APPROVED).count(),
        "weeks": WEEKS,
        "runs": runs,
        "saturated_unit_weeks": int(heatmap.saturated.sum()),
        "compute_ms_median": round(statistics.median(compute), 1),
        "page_ms_median": round(statistics.median(page_times), 1),
        "page_ms_p95": round(_p95(page_times), 1),
        "whatif_ms_median": round(statistics.median(whatif), 1),
        "whatif_ms_p95": round(_p95(whatif), 1),
    }
