"""`/api/v1/hypercare-trends/`: the permission matrix (the pages' scopes:
a period outside your scope or a programme none of whose periods you may
see is a 404), bad parameters, the figures, and the Board's aggregates-only
rule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from changeboard.core.tests.test_permissions import API_LOGIN, HIDDEN, OK, PERSONAS, _client, expect

from ..services import queries as query_services
from . import trends_data as data
from .test_trends_permissions import Periods

COVERED_NAMES = {"api-hypercare-trend-list"}

BAD = 400
A = {**expect(admin=OK, board=OK, lead=OK, lead2=HIDDEN, champion=OK, auditor=OK), "anonymous": API_LOGIN}
B = {**expect(admin=OK, board=OK, lead=HIDDEN, lead2=OK, champion=HIDDEN, auditor=OK), "anonymous": API_LOGIN}
NOWHERE = {**expect(admin=HIDDEN, board=HIDDEN, lead=HIDDEN, lead2=HIDDEN, champion=HIDDEN, auditor=HIDDEN), "anonymous": API_LOGIN}


@pytest.fixture
def p(world: Any) -> Periods:
    return Periods(world)


def url(**params: Any) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("api-hypercare-trend-list") + (f"?{query}" if query else "")


CASES: list[tuple[Callable[[Periods], str], dict[str, Any]]] = [
    (lambda p: url(period=p.a.pk), A),
    (lambda p: url(period=p.b.pk), B),
    (lambda p: url(period=p.b.pk + 100), NOWHERE),
    (lambda p: url(programme=p.world.programme_a.pk), A),
    (lambda p: url(programme=p.world.programme_b.pk), B),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("make_url", "expected"), CASES, ids=[str(i) for i in range(len(CASES))])
def test_api_matrix(client: Any, p: Periods, persona: str, make_url: Any, expected: dict[str, Any]) -> None:
    response = _client(client, p.world, persona).get(make_url(p), HTTP_ACCEPT="application/json")
    assert response.status_code == expected[persona], (response.status_code, expected[persona])


@pytest.mark.parametrize("params", [{}, {"period": "x"}, {"period": "0"}, {"programme": "-1"}, {"period": "1", "programme": "1"},
                                    {"period": "1", "unit": "abc"}])
def test_bad_parameters_are_400(client: Any, p: Periods, params: dict[str, str]) -> None:
    client.force_login(p.world.users["admin"])
    params = {k: (str(p.a.pk) if v == "1" else v) for k, v in params.items()}
    assert client.get(url(**params), HTTP_ACCEPT="application/json").status_code == BAD


def test_an_unknown_unit_is_404(client: Any, p: Periods) -> None:
    client.force_login(p.world.users["admin"])
    assert client.get(url(period=p.a.pk, unit=999999), HTTP_ACCEPT="application/json").status_code == HIDDEN


def test_the_figures_match_the_service(client: Any, world: Any) -> None:
    small = data.build(world)
    client.force_login(world.users["lead"])
    body = client.get(url(period=small.period.pk), HTTP_ACCEPT="application/json").json()
    assert (body["raised"], body["open"], body["resolved"], body["aggregates_only"]) == (4, 1, 3, False)
    assert [d["raised"] for d in body["days"][:5]] == [2, 1, 0, 1, 0]
    assert {c["key"]: c["raised"] for c in body["categories"]}["training_gap"] == 2
    assert body["time_to_resolve"]["basis"] == "working hours" and body["time_to_resolve"]["resolved"] == 3
    assert body["sla"]["available"] is True
    assert {t["title"] for t in body["titles"]} == {"Can't find the custody screen", "Login fails"}
    # The programme's trends hold the same single period here.
    programme = client.get(url(programme=world.programme_a.pk), HTTP_ACCEPT="application/json").json()
    assert [q["id"] for q in programme["periods"]] == [small.period.pk] and programme["raised"] == 4


def test_the_board_gets_aggregates_and_only_well_recurring_titles(client: Any, world: Any) -> None:
    small = data.build(world)
    client.force_login(world.users["board"])
    body = client.get(url(period=small.period.pk), HTTP_ACCEPT="application/json").json()
    assert body["aggregates_only"] is True and body["raised"] == 4 and body["titles"] == [] and body["title_threshold"] == 5
    category = small.period.categories.get(code="defect")
    for n in range(3):
        query_services.query_create(period=small.period, category=category, title="Login fails", actor=None, source="support",
                                    unit=world.team, created_at=data.at(4, 10 + n))
    body = client.get(url(period=small.period.pk), HTTP_ACCEPT="application/json").json()
    assert body["titles"] == [{"title": "Login fails", "count": 5}]
    # And no query itself: the query API stays closed to the Board.
    assert client.get(reverse("api-query-list"), HTTP_ACCEPT="application/json").status_code == 403


def test_a_champion_gets_their_units_figures(client: Any, world: Any) -> None:
    small = data.build(world)
    client.force_login(world.users["champion"])
    body = client.get(url(period=small.period.pk), HTTP_ACCEPT="application/json").json()
    assert (body["raised"], body["open"]) == (3, 1) and body["units"]["parent"] == world.westminster.pk
