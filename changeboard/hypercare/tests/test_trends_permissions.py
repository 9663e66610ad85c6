"""The permission matrix of the trend pages: a period's dashboard follows
the period's scope (404 outside it), a programme's trends show the periods
of it the user may view, the portfolio's trends are the Board's, admins'
and change managers' (champions and auditors 403)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from changeboard.core.tests.test_permissions import DENY, HIDDEN, OK, PERSONAS, _check, _client, expect

from ..services import periods as period_services

COVERED_NAMES = {"period-dashboard", "hypercare-programme", "hypercare-portfolio"}


class Periods:
    def __init__(self, world: Any) -> None:
        self.world = world
        self.a = period_services.period_create(rollout_wave=world.wave_a, actor=None)
        self.b = period_services.period_create(rollout_wave=world.wave_b, actor=None)


@pytest.fixture
def p(world: Any) -> Periods:
    return Periods(world)


A = expect(admin=OK, board=OK, lead=OK, lead2=HIDDEN, champion=OK, auditor=OK)
B = expect(admin=OK, board=OK, lead=HIDDEN, lead2=OK, champion=HIDDEN, auditor=OK)

PAGES: list[tuple[str, Callable[[Periods], dict[str, Any]], dict[str, Any]]] = [
    ("period-dashboard", lambda p: {"pk": p.a.pk}, A),
    ("period-dashboard", lambda p: {"pk": p.b.pk}, B),
    ("period-dashboard", lambda p: {"pk": p.b.pk + 100}, expect(admin=HIDDEN, board=HIDDEN, lead=HIDDEN, lead2=HIDDEN, champion=HIDDEN,
                                                                auditor=HIDDEN)),
    ("hypercare-programme", lambda p: {"programme_pk": p.world.programme_a.pk}, A),
    ("hypercare-programme", lambda p: {"programme_pk": p.world.programme_b.pk}, B),
    ("hypercare-portfolio", lambda p: {}, expect(admin=OK, board=OK, lead=OK, lead2=OK, champion=DENY, auditor=DENY)),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "expected"), PAGES, ids=[f"{p[0]}-{i}" for i, p in enumerate(PAGES)])
def test_page_matrix(client: Any, p: Periods, persona: str, name: str, kwargs: Any, expected: dict[str, Any]) -> None:
    _check(_client(client, p.world, persona).get(reverse(name, kwargs=kwargs(p))), expected[persona])


@pytest.mark.parametrize("persona", PERSONAS)
def test_downloads_follow_the_page(client: Any, p: Periods, persona: str) -> None:
    expected = B[persona]
    response = _client(client, p.world, persona).get(reverse("period-dashboard", args=[p.b.pk]), {"table": "daily", "format": "csv"})
    _check(response, expected)
    if expected == OK:
        assert response["Content-Type"].startswith("text/csv")


def test_the_portfolio_counts_only_a_change_managers_programmes(client: Any, p: Periods) -> None:
    c = _client(client, p.world, "lead")
    response = c.get(reverse("hypercare-portfolio"))
    assert [period.pk for period in response.context["t"].periods] == [p.a.pk]
