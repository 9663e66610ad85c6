"""The persona x URL matrix of the coverage pages and API.

Whoever may view a programme reads its coverage (admins, the Board, change
managers, champions; auditors are refused); a programme out of view is 404
(lead2 for A; lead and the champion for B); a champion's map stops at their
units. A programme's own target is its change managers'; the portfolio
policy is the admins'."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from changeboard.core.tests.test_permissions import HIDDEN, OK, PERSONAS, _check, _client, expect

from ..models import CoverageTarget, NetworkPolicy
from .coverage_data import build

COVERED_NAMES = {"network-coverage", "network-coverage-map", "network-gap", "coverage-target", "network-policy",
                 "api-network-coverage", "api-network-gaps"}

READERS = expect(admin=OK, board=OK, lead=OK, lead2=OK, champion=OK)
PROGRAMME_A = {**READERS, "lead2": HIDDEN}
PROGRAMME_B = {**READERS, "lead": HIDDEN, "champion": HIDDEN}
NOBODY_FINDS = expect(admin=HIDDEN, board=HIDDEN, lead=HIDDEN, lead2=HIDDEN, champion=HIDDEN)
EDIT_A = expect(admin=OK, lead=OK, lead2=HIDDEN)
ADMIN_ONLY = expect(admin=OK)
API_LOGIN = 401

# (url name, path args, query, expectations)
PAGES: list[tuple[str, Callable[[Any], list[Any]], Callable[[Any], dict[str, Any]], dict[str, Any]]] = [
    ("network-coverage", lambda w: [], lambda w: {}, READERS),
    ("network-coverage", lambda w: [], lambda w: {"programme": w.programme_a.pk}, PROGRAMME_A),
    ("network-coverage", lambda w: [], lambda w: {"programme": w.programme_b.pk}, PROGRAMME_B),
    ("network-coverage", lambda w: [], lambda w: {"programme": w.programme_b.pk + 1000}, NOBODY_FINDS),
    ("network-coverage", lambda w: [], lambda w: {"programme": w.programme_a.pk, "export": "csv"}, PROGRAMME_A),
    ("network-coverage-map", lambda w: [], lambda w: {}, READERS),
    ("network-coverage-map", lambda w: [], lambda w: {"programme": w.programme_a.pk, "unit": w.westminster.pk}, PROGRAMME_A),
    ("network-coverage-map", lambda w: [], lambda w: {"unit": w.north.pk}, {**READERS, "champion": HIDDEN}),
    ("network-gap", lambda w: [], lambda w: {"programme": w.programme_a.pk, "cell": "Charing Cross|Night"}, PROGRAMME_A),
    ("network-gap", lambda w: [], lambda w: {"programme": w.programme_b.pk, "cell": "Holborn|Day"}, PROGRAMME_B),
    ("network-gap", lambda w: [], lambda w: {"programme": w.programme_a.pk, "cell": "Nowhere|Night"}, NOBODY_FINDS),
    ("network-gap", lambda w: [], lambda w: {"programme": w.programme_a.pk, "cell": "no bar"}, NOBODY_FINDS),
    ("network-gap", lambda w: [], lambda w: {"cell": "Charing Cross|Night"}, NOBODY_FINDS),
    ("coverage-target", lambda w: [w.programme_a.pk], lambda w: {}, EDIT_A),
    ("coverage-target", lambda w: [w.programme_b.pk], lambda w: {}, expect(admin=OK, lead=HIDDEN, lead2=OK)),
    ("network-policy", lambda w: [], lambda w: {}, ADMIN_ONLY),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "args", "query", "expected"), PAGES, ids=[f"{p[0]}-{i}" for i, p in enumerate(PAGES)])
def test_page_matrix(client: Any, world: Any, persona: str, name: str, args: Any, query: Any, expected: dict[str, Any]) -> None:
    build(world)
    _check(_client(client, world, persona).get(reverse(name, args=args(world)), query(world)), expected[persona])


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_a_programme_s_change_managers_set_its_target(client: Any, world: Any, persona: str) -> None:
    response = _client(client, world, persona).post(reverse("coverage-target", args=[world.programme_a.pk]), {"target_ratio": "7"})
    if persona in {"admin", "lead"}:
        assert response.status_code == 302
    else:
        _check(response, EDIT_A[persona])
    assert CoverageTarget.objects.filter(programme=world.programme_a, target_ratio=7).exists() == (persona in {"admin", "lead"})


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_admins_post_the_policy(client: Any, world: Any, persona: str) -> None:
    response = _client(client, world, persona).post(reverse("network-policy"), {"target_ratio": "30", "default_hours": "5"})
    if persona == "admin":
        assert response.status_code == 302
    else:
        _check(response, ADMIN_ONLY[persona])
    assert NetworkPolicy.current().target_ratio == (30 if persona == "admin" else 25)


API: list[tuple[str, Callable[[Any], dict[str, Any]], dict[str, Any]]] = [
    ("api-network-coverage", lambda w: {}, READERS),
    ("api-network-coverage", lambda w: {"programme": w.programme_a.pk}, PROGRAMME_A),
    ("api-network-coverage", lambda w: {"programme": w.programme_b.pk}, PROGRAMME_B),
    ("api-network-gaps", lambda w: {}, READERS),
    ("api-network-gaps", lambda w: {"programme": w.programme_a.pk}, PROGRAMME_A),
    ("api-network-gaps", lambda w: {"programme": w.programme_b.pk}, PROGRAMME_B),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "query", "expected"), API, ids=[f"{a[0]}-{i}" for i, a in enumerate(API)])
def test_api_matrix(client: Any, world: Any, persona: str, name: str, query: Any, expected: dict[str, Any]) -> None:
    build(world)
    response = _client(client, world, persona).get(reverse(name), query(world), HTTP_ACCEPT="application/json")
    if persona == "anonymous":
        assert response.status_code == API_LOGIN
        return
    assert response.status_code == expected[persona]


@pytest.mark.parametrize("name", ["api-network-coverage", "api-network-gaps"])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_is_read_only(client: Any, world: Any, name: str, method: str) -> None:
    client.force_login(world.users["admin"])
    assert getattr(client, method)(reverse(name)).status_code == 405
