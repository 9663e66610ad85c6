"""The network seed on the demo force: about 120 champions, the custody
night-shift gap of the programme going live in three weeks (with a pool
member among its suggestions), a whole custody suite uncovered, the
over-committed people, the demo champion's own page content, the same rows
from the same seed, and clearing.

The demo force is seeded once for the module and cleared after (as the
engagement seed's test does)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.db.models import AutoField, Max, Model
from django.test import override_settings
from django.utils import timezone

from changeboard.accounts.models import Role, User
from changeboard.core.models import AuditEntry, OutboxMessage
from changeboard.devtools.seeding import clear_seeded_data, seed_force
from changeboard.engagement.models import EngagementPolicy
from changeboard.network import seeding
from changeboard.network.models import Activity, Champion, NetworkPolicy, Support, Theme
from changeboard.network.services.coverage import candidates, coverage
from changeboard.network.services.load import loads
from changeboard.organisation.models import Staff, Unit
from changeboard.portfolio.models import Programme
from changeboard.surveys.models import SurveyPolicy

pytestmark = pytest.mark.django_db


def _high_water() -> dict[type[Model], int]:
    return {model: model._default_manager.aggregate(top=Max("pk"))["top"] or 0 for model in apps.get_models()
            if model._meta.managed and not model._meta.proxy and isinstance(model._meta.pk, AutoField)}


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dt.date]:
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        before = _high_water()
        seed_force(scale="demo")
        try:
            yield timezone.localdate()
        finally:
            clear_seeded_data(actor=None)
            for model in (OutboxMessage, AuditEntry, EngagementPolicy, SurveyPolicy, NetworkPolicy):
                model.objects.filter(pk__gt=before[model]).delete()
            left = {model._meta.label: n for model, top in before.items() if (n := model._default_manager.filter(pk__gt=top).count())}
            assert not left, f"the demo seed left rows behind for later tests: {left}"


def _rota() -> Programme:
    return Programme.objects.get(code=seeding.CUSTODY_PROGRAMME)


def test_custody_teams_work_a_day_and_a_night_pattern() -> None:
    suites = seeding.custody_suites()
    assert len(suites) == 3
    for suite in suites:
        shifts = set(Staff.objects.filter(unit=suite).values_list("shift_pattern", flat=True))
        assert {seeding.DAY_SHIFT, seeding.NIGHT_SHIFT} <= shifts, suite
    assert not Staff.objects.filter(shift_pattern="Custody 12-hour 24/7 rota").exists()


def test_the_custody_programme_goes_live_in_three_weeks(demo: dt.date) -> None:
    wave = _rota().waves.filter(units__name=seeding.CUSTODY_COMMAND).get()
    assert wave.go_live_date == seeding.custody_go_live(demo)
    assert 15 <= (wave.go_live_date - demo).days <= 21 and wave.go_live_date.weekday() == 0
    # It is the programme's next go-live.
    assert _rota().waves.filter(go_live_date__gte=demo).order_by("go_live_date").first() == wave


def test_the_night_shift_at_one_custody_suite_has_no_champion_for_it(demo: dt.date) -> None:
    rota, suite = _rota(), seeding.night_gap_suite()
    assert suite is not None and suite.name == "Custody Suite Brixton"
    location = seeding.suite_location(suite)
    cells = {cell.key: cell for cell in coverage(rota, demo).by_site_shift}
    night, day = cells[(location, seeding.NIGHT_SHIFT)], cells[(location, seeding.DAY_SHIFT)]
    assert night.impacted > 0 and night.champions == 0 and night.gap
    assert night in coverage(rota, demo).gaps
    assert day.champions >= 1 and not day.gap
    # Every other custody site and shift it reaches has its champion, except the uncovered suite.
    closed = seeding.uncovered_suite()
    assert closed is not None
    for other in seeding.custody_suites():
        if other.pk in (suite.pk, closed.pk):
            continue
        for shift in (seeding.DAY_SHIFT, seeding.NIGHT_SHIFT):
            assert cells[(seeding.suite_location(other), shift)].champions >= 1, (other, shift)
    # The suggestions start with a pool member of another programme with hours to spare.
    found = candidates(rota, location, seeding.NIGHT_SHIFT, demo)
    assert found and found[0].in_pool and found[0].spare_hours and found[0].spare_hours > 0
    assert all(c.staff.location == location and c.staff.shift_pattern == seeding.NIGHT_SHIFT for c in found)
    # Its change manager is the demo's lead2.
    assert rota.change_lead is not None and rota.change_lead.username == "lead2"


def test_a_whole_custody_suite_is_uncovered(demo: dt.date) -> None:
    suite = seeding.uncovered_suite()
    assert suite is not None
    assert not Champion.objects.filter(staff__unit=suite).exists()
    assert not Champion.objects.filter(units=suite).exists()
    portfolio = coverage(None, demo)
    location = seeding.suite_location(suite)
    for shift in (seeding.DAY_SHIFT, seeding.NIGHT_SHIFT):
        cell = next(c for c in portfolio.by_site_shift if c.key == (location, shift))
        assert cell.impacted > 0 and cell.champions == 0 and cell.gap
    assert portfolio.by_unit[suite.pk].champions == 0


def test_about_120_champions_spread_over_the_programmes(demo: dt.date) -> None:
    assert 100 <= Champion.objects.count() <= 150
    statuses = set(Champion.objects.values_list("status", flat=True))
    assert statuses == {Champion.Status.ACTIVE, Champion.Status.NOMINATED, Champion.Status.DECLINED}
    assert Champion.objects.active(demo).count() >= 100
    for programme in Programme.objects.exclude(status="closed"):
        assert Support.objects.filter(programme=programme, active=True).exists(), programme
    # Written through the services: accounts found or made from the HR record, each scoped to their units, audited.
    active = Champion.objects.active(demo).select_related("user")
    assert all(c.user is not None and c.user.role == Role.CHAMPION for c in active)
    assert AuditEntry.objects.filter(object_type="network.champion").count() >= Champion.objects.count()
    assert not OutboxMessage.objects.filter(kind="network").exists()  # nominations are history, not news
    shared = [load for load in loads(day=demo) if load.shared]
    assert len(shared) >= 10


def test_a_few_people_are_over_committed(demo: dt.date) -> None:
    over = [load for load in loads(day=demo) if load.over]
    assert len(over) == seeding.OVER_COMMITTED["demo"]
    for load in over:
        assert len(load.asks) >= 2 and load.asked > load.agreed
    # Shown to each programme asking them.
    programme = over[0].asks[0][0]
    assert over[0].champion.pk in {load.champion.pk for load in loads(programme, demo) if load.over}


def test_the_demo_champion_is_active_with_activities_and_themes(demo: dt.date) -> None:
    user = User.objects.get(username="champion", is_demo=True)
    champion = Champion.objects.get(user=user)
    assert champion.status == Champion.Status.ACTIVE and champion in Champion.objects.active(demo)
    assert champion.staff.first_name == "Dev" and champion.staff.last_name == "Patel"
    assert [u.name for u in champion.units.all()] == ["Westminster"] == [u.name for u in user.units.all()]
    assert set(champion.supports.values_list("programme__code", flat=True)) == set(seeding.DEMO_PROGRAMMES)
    assert champion.nominated_by is not None and champion.nominated_by.username == "lead"
    done = champion.activities.filter(status=Activity.Status.DONE)
    assert done.filter(kind=Activity.Kind.FLOOR_WALK).count() >= 2 and all(a.date <= demo for a in done)
    assert champion.activities.filter(status=Activity.Status.PLANNED, date__gt=demo).count() >= 1
    assert champion.themes.filter(status=Theme.Status.OPEN).count() >= 2


def _fingerprint() -> dict[str, list[tuple[Any, ...]]]:
    return {
        "champions": list(Champion.objects.order_by("staff__staff_number").values_list(
            "staff__staff_number", "status", "hours_agreed", "start_date", "nominated_as", "user__username")),
        "supports": sorted(Support.objects.values_list("champion__staff__staff_number", "programme__code", "hours_asked", "active")),
        "units": sorted(Champion.units.through.objects.values_list("champion__staff__staff_number", "unit__path")),
        "activities": sorted(Activity.objects.values_list("champion__staff__staff_number", "programme__code", "kind", "status", "date",
                                                          "people_reached", "minutes")),
        "themes": sorted(Theme.objects.values_list("champion__staff__staff_number", "programme__code", "category", "sentiment", "text",
                                                   "heard_on")),
    }


def test_seeding_again_gives_the_same_pool(demo: dt.date) -> None:
    first = _fingerprint()
    counts = seeding.seed_network(scale="demo", seed=2026, today=demo)
    assert _fingerprint() == first
    assert counts["champions"] == Champion.objects.count()
    other = seeding.seed_network(scale="demo", seed=7, today=demo)
    assert _fingerprint() != first and other["champions"] == Champion.objects.count()


def test_clearing_removes_the_pool_and_the_accounts_it_made() -> None:
    made = User.objects.filter(username__startswith="champion-").count()
    assert made > 50
    counts = seeding.clear_network_data()
    assert counts["champions"] > 100
    assert not Champion.objects.exists() and not Support.objects.exists() and not Activity.objects.exists()
    assert not User.objects.filter(username__startswith="champion-").exists()
    assert User.objects.filter(username="champion", is_demo=True).exists()  # the demo account stays
    assert Unit.objects.exists() and Staff.objects.exists()
