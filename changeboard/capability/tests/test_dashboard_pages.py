"""The capability overview: per programme the user may view (auditors:
every one), the approach, journeys, practitioners, coaching in the last 90
days and the activities the force runs alone, with a portfolio row."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from changeboard.core.tests.test_permissions import _client
from changeboard.reports.packs import pack_request

from ..models import Approach, Measure, Promise, Section
from .coaching_data import Coaching, build


@pytest.fixture
def c(world: Any) -> Coaching:
    c = build(world)
    pack_request(as_of=timezone.localdate(), actor=world.users["champion"], notify=False)  # Alex prepared a board pack
    return c


def test_dashboard(client: Any, c: Coaching) -> None:
    html = _client(client, c.world, "board").get(reverse("capability-dashboard")).content.decode()
    assert "AAA – Shared Services" in html and "BBB – Case Files" in html
    assert f"{reverse('handover')}?programme={c.world.programme_a.pk}" in html
    assert ">1 of 6<" in html  # A: board pack alone (times required 1); B: needs 2
    assert "Portfolio" in html and "None yet" in html
    lead = _client(client, c.world, "lead").get(reverse("capability-dashboard")).content.decode()
    assert "BBB – Case Files" not in lead
    auditor = _client(client, c.world, "auditor").get(reverse("capability-dashboard")).content.decode()
    assert "AAA – Shared Services" in auditor


def test_dashboard_approach_and_counts(client: Any, c: Coaching) -> None:
    approach = Approach.objects.create(programme=c.world.programme_a, status=Approach.Status.APPROVED, version=2)
    html = _client(client, c.world, "board").get(reverse("capability-dashboard")).content.decode()
    assert reverse("approach-detail", args=[approach.pk]) in html and "Approved, version 2" in html
    assert "1 approved" in html
    assert f"{reverse('journey-list')}?programme={c.world.programme_a.pk}" in html


def test_dashboard_says_how_many_promises_hold(client: Any, c: Coaching) -> None:
    approach = Approach.objects.create(programme=c.world.programme_a, status=Approach.Status.APPROVED, version=1)
    board = _client(client, c.world, "board")
    assert "No promises yet" in board.get(reverse("capability-dashboard")).content.decode()
    Promise.objects.create(approach=approach, section=Section.CHAMPIONS, measure=Measure.CHAMPION_RATIO, target=Decimal("25"))
    html = board.get(reverse("capability-dashboard")).content.decode()
    assert ">0 of 1<" in html and "(1 with no data yet)" in html  # nobody impacted yet: no data, not holding
