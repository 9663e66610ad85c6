"""A smoke test of `bench network` on the small test world (no timing
assertions): the page, the service, every programme's gaps and the
baseline are measured, and the benchmark's users are removed afterwards."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command

from changeboard.accounts.models import User
from changeboard.conftest import make_staff
from changeboard.devtools.bench import network as bench
from changeboard.impacts.models import ImpactAssessment, ImpactLine
from changeboard.network.models import Champion

pytestmark = pytest.mark.django_db


def test_bench_network_at_a_tiny_size(world: Any) -> None:
    approved = ImpactAssessment.objects.create(programme=world.programme_a, title="Response", status=ImpactAssessment.Status.APPROVED)
    ImpactLine.objects.create(assessment=approved, title="Response", severity=2).units.set([world.central_west])
    make_staff("100002", world.team, first_name="Cam", location="Charing Cross police station", shift_pattern="Nights")
    users = User.objects.count()

    out = io.StringIO()
    call_command("bench", "network", "--runs", "2", stdout=out)
    figures: dict[str, Any] = json.loads(out.getvalue().strip().splitlines()[-1])

    assert figures["benchmark"] == "network" and figures["runs"] == 2
    assert "seed_seconds" in figures and figures["champions"] == Champion.objects.count() > 0  # the pool added to a seeded database
    assert figures["measured_programme"] == world.programme_a.code and figures["measured_programme_impacted"] >= 1
    for key in ("page_manager_ms_p95", "page_portfolio_ms_p95", "coverage_service_ms_median", "all_gaps_ms_median", "baseline_ms_median"):
        assert figures[key] > 0, key
    assert figures["page_manager_ms_p95"] >= figures["page_manager_ms_median"]
    assert figures["all_gaps_runs"] == 2 and figures["gaps"] >= 0
    assert figures["ratio_page_to_baseline"] is not None and isinstance(figures["page_target_met"], bool)
    assert figures["coverage_page"] == "network-coverage"
    assert figures["page_manager_queries"] > 0
    assert not User.objects.filter(username__in=(bench.MANAGER, bench.BOARD)).exists()
    assert User.objects.count() == users + User.objects.filter(username__startswith="champion-").count()
