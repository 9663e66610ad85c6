"""`bench capability` on the small test world (no timing assertions): the
capability data is added to a seeded database, the approach and journey
pages, the PDF and the baseline are measured, and the benchmark's users are
removed afterwards.

The pages are other parts' (approach-detail, journey-detail, approach-pdf):
until they are in the tree the whole run is skipped (NoReverseMatch)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse

from changeboard.accounts.models import User
from changeboard.capability.models import Approach, Journey, Step
from changeboard.devtools.bench import capability as bench
from changeboard.portfolio.models import Programme

pytestmark = pytest.mark.django_db


def _pages_exist() -> bool:
    try:
        for name in ("approach-detail", "journey-detail", "approach-pdf", "programme-detail"):
            reverse(name, args=[1])
    except NoReverseMatch:
        return False
    return True


def test_the_benchmark_adds_capability_data_to_a_seeded_database(world: Any) -> None:
    figures = bench._seed(2026)
    assert figures["seed_seconds"] >= 0
    assert Approach.objects.filter(status=Approach.Status.APPROVED).count() == Programme.objects.count()
    journey = Journey.objects.get(programme=world.programme_a, role_group="staff")
    assert Step.objects.filter(stage__journey=journey).exclude(adkar="").exists()
    assert bench._seed(2026) == {}  # already there: nothing seeded again


def test_bench_capability_at_a_tiny_size(world: Any) -> None:
    if not _pages_exist():
        pytest.skip("the approach and journey pages are not in this tree yet (other parts of issue 15)")
    users = User.objects.count()

    out = io.StringIO()
    call_command("bench", "capability", "--runs", "2", stdout=out)
    figures: dict[str, Any] = json.loads(out.getvalue().strip().splitlines()[-1])

    assert figures["benchmark"] == "capability" and figures["runs"] == 2
    assert "seed_seconds" in figures and figures["approaches"] == Approach.objects.count() > 0
    assert figures["measured_programme"] == world.programme_a.code and figures["journey_steps"] > 0
    for key in ("approach_board_ms_p95", "approach_manager_ms_p95", "journey_board_ms_p95", "journey_manager_ms_p95",
                "baseline_ms_median", "approach_pdf_s"):
        assert figures[key] > 0, key
    assert figures["approach_board_ms_p95"] >= figures["approach_board_ms_median"]
    assert figures["approach_board_queries"] > 0 and figures["journey_manager_queries"] > 0
    assert figures["ratio_approach_to_baseline"] is not None and isinstance(figures["page_target_met"], bool)
    assert isinstance(figures["pdf_target_met"], bool)
    assert not User.objects.filter(username__in=(bench.MANAGER, bench.BOARD)).exists()
    assert User.objects.count() == users


def test_the_approach_page_counts_the_scope_as_the_unit_by_unit_count_does(world: Any) -> None:
    """The speed-up `bench capability` led to: the approach page reads its
    scope headcounts from the champion coverage it computes anyway, instead
    of a count per impacted unit. The figures stay those of the plain count,
    nested units, a narrowed line and a leaver included."""
    from changeboard.capability.services.scope import impacted_groups
    from changeboard.capability.views.approach import document_context
    from changeboard.conftest import make_staff
    from changeboard.network.tests.coverage_data import assess
    from changeboard.organisation.models import RankGrade, Staff

    bench._seed(2026)
    approach = Approach.objects.get(programme=world.programme_a)
    assess(world.programme_a, [world.westminster, world.team])
    narrowed = assess(world.programme_a, [world.camden]).lines.get()
    rank = RankGrade.objects.create(code="BENCH", name="Bench grade", kind=RankGrade.Kind.STAFF)
    narrowed.rank_grades.set([rank])
    for n, unit in enumerate((world.team, world.team, world.camden, world.camden)):
        make_staff(f"30000{n}", unit)
    Staff.objects.filter(staff_number="300002").update(rank_grade=rank)
    Staff.objects.filter(staff_number="300001").update(is_leaver=True)

    page = [(g.unit.name, g.headcount, g.role_group) for g in document_context(approach)["impacted"]]
    counted = [(g.unit.name, g.headcount, g.role_group) for g in impacted_groups(world.programme_a)]
    assert page == counted
    in_team = Staff.objects.current().filter(unit=world.team).count()
    assert in_team == 2  # the world's one and ours, the leaver out
    assert sorted(page) == [("Camden", 1, "staff"), ("Response Team 1", in_team, ""), ("Westminster", in_team, "")]
