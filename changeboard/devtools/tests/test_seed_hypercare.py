"""Hypercare in the seeds: the demo's finished and live periods with a
realistic curve and histories, the same data from the same seed, the live
wave added through the portfolio services when there is none, and a clear
that leaves nothing behind."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from changeboard.hypercare import seeding
from changeboard.hypercare.models import Period, Query, QueryEvent
from changeboard.hypercare.services import trends
from changeboard.portfolio.models import RolloutWave

pytestmark = pytest.mark.django_db

TODAY = dt.date(2027, 5, 3)  # a Monday: wave_a (1 March) is finished, no wave went live 10-21 days ago
NOW = dt.datetime(2027, 5, 3, 15, 30, tzinfo=dt.UTC)
LONDON = seeding.LONDON


def fingerprint() -> list[tuple[Any, ...]]:
    return list(Query.objects.order_by("reference").values_list(
        "reference", "period__rollout_wave__name", "title", "unit__name", "category__code", "priority", "status", "created_at",
        "first_response_at", "resolved_at", "closed_at", "assignee__username", "tags", "source"))


def events() -> list[tuple[Any, ...]]:
    return list(QueryEvent.objects.order_by("query__reference", "at", "kind", "to_value").values_list(
        "query__reference", "at", "kind", "from_value", "to_value", "to_requester"))


def test_the_demo_periods_from_a_hand_made_world(world: Any) -> None:
    counts = seeding.seed_hypercare(scale="demo", seed=7, today=TODAY, now=NOW)
    finished = Period.objects.get(rollout_wave=world.wave_a)
    live = Period.objects.exclude(pk=finished.pk).get()
    # No wave went live 10-21 days before: one was added, on the Monday 14-20 days ago, for Westminster.
    assert live.rollout_wave.name == seeding.LIVE_WAVE_NAME and live.starts_on == dt.date(2027, 4, 19)
    assert list(live.rollout_wave.units.all()) == [world.westminster]
    assert finished.status == Period.Status.EXITED and live.status == Period.Status.ACTIVE
    assert counts["hypercare_periods"] == 2 and counts["hypercare_queries"] == Query.objects.count()
    assert Query.objects.filter(period=finished).count() == seeding.PER_PERIOD["demo"]
    assert 150 < Query.objects.filter(period=live).count() < seeding.PER_PERIOD["demo"]
    # The support teams: the programme's change manager; the champion of units in the wave.
    assert finished.support_team is not None
    assert set(finished.support_team.members.values_list("username", flat=True)) == {"lead", "champion"}


def test_the_curve_peaks_around_day_ten_and_decays(world: Any) -> None:
    seeding.seed_hypercare(scale="demo", seed=7, today=TODAY, now=NOW)
    finished = Period.objects.get(rollout_wave=world.wave_a)
    t = trends.trends(world.users["admin"], [finished], title="t", today=TODAY, now=NOW)
    assert t.peak is not None and 6 <= t.peak.day <= 14, [d.raised for d in t.days]
    first_week = sum(d.raised for d in t.days[:7])
    second = sum(d.raised for d in t.days[7:14])
    last = sum(d.raised for d in t.days[35:42])
    assert second > first_week > last > 0
    # All over: nothing open in a finished period but what was reopened late or is slow, few at most.
    assert t.open <= 0.05 * t.raised
    statuses = Counter(Query.objects.filter(period=finished).values_list("status", flat=True))
    assert statuses["closed"] > 0.8 * t.raised


def test_histories_are_what_the_services_would_write(world: Any) -> None:
    seeding.seed_hypercare(scale="demo", seed=7, today=TODAY, now=NOW)
    live = Period.objects.get(rollout_wave__name=seeding.LIVE_WAVE_NAME)
    statuses = Counter(Query.objects.filter(period=live).values_list("status", flat=True))
    assert {"new", "assigned", "in_progress", "waiting", "resolved", "closed"} <= set(statuses), statuses
    assert QueryEvent.objects.filter(to_value="reopened").exists()
    for query in Query.objects.prefetch_related("events"):
        history = sorted(query.events.all(), key=lambda e: (e.at, e.pk))
        assert history[0].kind == "created" and history[0].at == query.created_at
        status = "new"
        for event in history[1:]:
            assert event.at >= query.created_at and event.at <= NOW
            if event.kind == "status":
                assert event.from_value == status, (query.reference, [(e.kind, e.from_value, e.to_value) for e in history])
                status = event.to_value
                if event.to_value not in ("closed", "reopened"):  # support steps in working hours (not the requester's reopen, or closing)
                    local = event.at.astimezone(LONDON)
                    assert local.isoweekday() <= 5 and dt.time(8) <= local.time() <= dt.time(18), (query.reference, local)
        assert status == query.status
        assert (query.resolved_at is not None) == (query.status in ("resolved", "closed"))
        assert query.first_response_at is None or query.first_response_at >= query.created_at


def test_same_seed_same_data_other_seed_other_data(world: Any) -> None:
    seeding.seed_hypercare(scale="demo", seed=7, today=TODAY, now=NOW)
    first, first_events = fingerprint(), events()
    seeding.clear_hypercare_data()
    assert not Query.objects.exists() and not QueryEvent.objects.exists() and not Period.objects.exists()
    seeding.seed_hypercare(scale="demo", seed=7, today=TODAY, now=NOW)  # finds the live wave it added the first time
    assert RolloutWave.objects.filter(name=seeding.LIVE_WAVE_NAME).count() == 1
    assert fingerprint() == first and events() == first_events
    seeding.clear_hypercare_data()
    seeding.seed_hypercare(scale="demo", seed=8, today=TODAY, now=NOW)
    assert fingerprint() != first


def test_met_spreads_the_total_over_every_past_go_live(world: Any) -> None:
    counts = seeding.seed_hypercare(scale="met", seed=7, today=TODAY, now=NOW, total=900)
    assert counts["hypercare_queries"] == Query.objects.count() == 900
    by_period = Counter(Query.objects.values_list("period__rollout_wave__name", flat=True))
    # wave_a (1 March) and wave_b (1 April) are past, and the live one was added.
    assert set(by_period) == {"Wave 1", seeding.LIVE_WAVE_NAME} and Period.objects.count() == 3
    assert counts["hypercare_events"] == QueryEvent.objects.count() > 3 * 900


def test_the_seed_command_seeds_hypercare_and_replace_clears_it(django_capture_on_commit_callbacks: Any) -> None:
    out = StringIO()
    call_command("seed", "--scale", "tiny", stdout=out)
    assert "hypercare queries" in out.getvalue()
    periods = Period.objects.count()
    assert periods == 2 and Query.objects.count() > 20
    # The seeded portfolio's dates are fixed and today is not: where no wave went live 10-21 days ago, the live period is
    # for an early-adopter wave added to Rostering, worked by its change manager (lead2) and Westminster's champion.
    live = Period.objects.get(status=Period.Status.ACTIVE)
    if live.rollout_wave.name == seeding.LIVE_WAVE_NAME:
        assert live.rollout_wave.programme.code == seeding.LIVE_PROGRAMME
        assert live.support_team is not None
        assert set(live.support_team.members.values_list("username", flat=True)) == {"lead2", "champion"}
    else:
        assert 10 <= (dt.date.today() - live.starts_on).days <= 21
    call_command("seed", "--scale", "tiny", "--replace", stdout=StringIO())
    assert Period.objects.count() == periods


def test_the_finished_period_is_exited_by_decision_and_the_next_wave_sees_the_training_gaps(world: Any) -> None:
    """Dates from the real today (the readiness feed reads the clock): wave_a
    finished, wave_b live for two weeks, a later wave of programme B for
    Westminster, whose staff hold the same role as the live wave's."""
    from django.utils import timezone

    from changeboard.conftest import make_staff
    from changeboard.hypercare.models import ExitDecision
    from changeboard.readiness.models import Criterion, Rag

    today = timezone.localdate()
    RolloutWave.objects.filter(pk=world.wave_a.pk).update(go_live_date=today - dt.timedelta(days=60))
    RolloutWave.objects.filter(pk=world.wave_b.pk).update(go_live_date=today - dt.timedelta(days=14))
    later = RolloutWave.objects.create(programme=world.programme_b, name="Wave 2", go_live_date=today + dt.timedelta(days=60))
    later.units.set([world.westminster])
    make_staff("300001", world.westminster, role=world.staff_out.role)
    counts = seeding.seed_hypercare(scale="demo", seed=7)

    finished = Period.objects.get(rollout_wave=world.wave_a)
    decision = ExitDecision.objects.get(period=finished)
    # Recorded through the service by the programme's change lead, frozen with the criteria and the seeded counts.
    assert finished.status == Period.Status.EXITED and counts["hypercare_exit_decisions"] == 1
    assert decision.decision == "exit" and decision.decided_by == world.users["lead"]
    assert decision.snapshot["counts"]["raised"] == seeding.PER_PERIOD["demo"] and decision.snapshot["criteria"]
    live = Period.objects.get(rollout_wave=world.wave_b)
    assert live.status == Period.Status.ACTIVE and not live.decisions.exists()

    criterion = Criterion.objects.get(feed=Criterion.Feed.SUPPORT)
    assert counts["hypercare_support_criteria"] == 1 and criterion.rollout_wave == later and criterion.programme == world.programme_b
    status = criterion.statuses.get(unit=world.westminster)
    open_gaps = Query.objects.filter(period=live, category__is_training_gap=True, status__in=Query.OPEN_STATUSES).count()
    assert open_gaps > 0 and status.rag in (Rag.AMBER, Rag.RED) and f"({open_gaps} open, 1 staff)" in status.value
    # Seeding again finds the criterion there: no second one.
    seeding.clear_hypercare_data()
    assert seeding.seed_hypercare(scale="demo", seed=7)["hypercare_support_criteria"] == 0
