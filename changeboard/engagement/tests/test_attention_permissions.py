"""The persona x URL matrix of the attention budget: the heatmap and its API
are read by everyone who reads the organisation's units (admins, the Board,
change managers of any programme, champions for their units; not auditors); a
drill-down outside a champion's units is hidden; the policy page is the
admins'."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from changeboard.core.tests.test_permissions import DENY, HIDDEN, OK, PERSONAS, _check, _client, expect

from .attention_data import W, message

COVERED_NAMES = {"attention-heatmap", "attention-cell", "attention-policy", "api-attention"}

READERS = expect(admin=OK, board=OK, lead=OK, lead2=OK, champion=OK, auditor=DENY)
OUTSIDE_CHAMPION = expect(admin=OK, board=OK, lead=OK, lead2=OK, champion=HIDDEN, auditor=DENY)
API_LOGIN = 401

PAGES: list[tuple[str, Callable[[Any], list[Any]], dict[str, Any]]] = [
    ("attention-heatmap", lambda w: [], READERS),
    ("attention-cell", lambda w: [w.westminster.pk, "2026-W49"], READERS),
    ("attention-cell", lambda w: [w.team.pk, "2026-W49"], READERS),
    ("attention-cell", lambda w: [w.camden.pk, "2026-W49"], OUTSIDE_CHAMPION),
    ("attention-cell", lambda w: [w.north.pk, "2026-12-01"], OUTSIDE_CHAMPION),
    ("attention-cell", lambda w: [w.camden.pk + 1000, "2026-W49"], expect(admin=HIDDEN, board=HIDDEN, lead=HIDDEN, lead2=HIDDEN,
                                                                      champion=HIDDEN, auditor=DENY)),
    ("attention-policy", lambda w: [], expect(admin=OK, board=DENY, lead=DENY, lead2=DENY, champion=DENY, auditor=DENY)),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "args", "expected"), PAGES, ids=[f"{p[0]}-{i}" for i, p in enumerate(PAGES)])
def test_page_matrix(client: Any, world: Any, persona: str, name: str, args: Any, expected: dict[str, Any]) -> None:
    message(world.programme_b, W, {world.camden: 4, world.team: 2})
    _check(_client(client, world, persona).get(reverse(name, args=args(world))), expected[persona])


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_export_follows_the_page(client: Any, world: Any, persona: str) -> None:
    response = _client(client, world, persona).get(reverse("attention-heatmap"), {"export": "csv"})
    _check(response, READERS[persona])
    if READERS[persona] == OK:
        assert response["Content-Type"].startswith("text/csv")


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_admins_post_the_policy(client: Any, world: Any, persona: str) -> None:
    from changeboard.engagement.models import EngagementPolicy

    response = _client(client, world, persona).post(reverse("attention-policy"), {"weekly_limit": "7"})
    if persona == "admin":
        assert response.status_code == 302
    else:
        _check(response, expect(admin=OK, board=DENY, lead=DENY, lead2=DENY, champion=DENY, auditor=DENY)[persona])
    assert EngagementPolicy.current().weekly_limit == (7 if persona == "admin" else 3)


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_matrix(client: Any, world: Any, persona: str) -> None:
    message(world.programme_b, W, {world.camden: 4, world.team: 2})
    response = _client(client, world, persona).get(reverse("api-attention"), {"level": "borough", "start": "2026-W49", "weeks": "1"},
                                                   HTTP_ACCEPT="application/json")
    if persona in {"anonymous", "auditor"}:
        assert response.status_code == (API_LOGIN if persona == "anonymous" else DENY)
        return
    assert response.status_code == 200
    names = [u["name"] for u in response.json()["units"]]
    assert names == (["Westminster"] if persona == "champion" else ["Westminster", "Camden"])


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_is_read_only(client: Any, world: Any, method: str) -> None:
    client.force_login(world.users["admin"])
    assert getattr(client, method)(reverse("api-attention")).status_code == 405
