"""The network dashboard: per programme in view, gaps, over-committed
champions, activities this month, open themes and the latest pulse; a
portfolio row for those who see several programmes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from changeboard.network.models import Activity, Champion, Theme
from changeboard.network.services.champions import support_set
from changeboard.network.services.pulse import pulse_create
from changeboard.surveys.models import SurveyWave

from .mine_data import activity, nominate_persona, other_champion

pytestmark = pytest.mark.django_db


def _rows(response: Any) -> dict[str, Any]:
    return {row.programme.code: row for row in response.context["rows"]}


def test_programme_rows(client: Any, world: Any) -> None:
    champion = nominate_persona(world, accept=True, hours=2)
    other = other_champion(world)
    Champion.objects.filter(pk=champion.pk).update(hours_agreed=3)
    world.users["admin"].programmes.add(world.programme_b)
    support_set(champion=champion, programme=world.programme_b, hours_asked=2, actor=world.users["admin"])  # 4 of 3: over
    activity(champion, world.programme_a, world.team)
    activity(champion, world.programme_a, world.team, status=Activity.Status.PLANNED)
    activity(champion, world.programme_a, world.team, day=timezone.localdate().replace(day=1) - dt.timedelta(days=1))
    activity(other, world.programme_b, world.camden)
    Theme.objects.create(champion=champion, programme=world.programme_a, category=Theme.Category.TRAINING, unit=world.team, text="More time")
    Theme.objects.create(champion=champion, programme=world.programme_a, category=Theme.Category.PROCESS, unit=world.team, text="Done",
                         status=Theme.Status.CLOSED)
    wave = pulse_create(programme=world.programme_a, actor=world.users["lead"])
    SurveyWave.objects.filter(pk=wave.pk).update(status=SurveyWave.Status.CLOSED)
    client.force_login(world.users["admin"])
    response = client.get(reverse("network-dashboard"))
    assert response.status_code == 200
    rows = _rows(response)
    assert (rows["AAA"].over, rows["AAA"].activities, rows["AAA"].themes) == (1, 1, 1)
    assert (rows["BBB"].over, rows["BBB"].activities, rows["BBB"].themes) == (1, 1, 0)
    assert rows["AAA"].pulse is not None and rows["AAA"].pulse.wave == wave and rows["BBB"].pulse is None
    portfolio = response.context["portfolio"]
    assert (portfolio.over, portfolio.activities, portfolio.themes) == (1, 2, 1)
    page = response.content.decode()
    assert "not enough responses to show" in page and "Portfolio" in page
    assert reverse("network-pulse") in page and reverse("network-recognition") in page


def test_a_change_manager_sees_their_programme_only(client: Any, world: Any) -> None:
    nominate_persona(world, accept=True)
    other_champion(world)
    client.force_login(world.users["lead"])
    response = client.get(reverse("network-dashboard"))
    assert list(_rows(response)) == ["AAA"] and "portfolio" not in response.context


def test_a_champion_counts_only_their_units(client: Any, world: Any) -> None:
    champion = nominate_persona(world, accept=True)
    other = other_champion(world)
    activity(champion, world.programme_a, world.team)
    activity(other, world.programme_a, world.camden)
    client.force_login(world.users["champion"])
    rows = _rows(client.get(reverse("network-dashboard")))
    assert rows["AAA"].activities == 1
