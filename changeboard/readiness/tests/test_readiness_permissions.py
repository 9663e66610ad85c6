"""The permission matrix of the readiness scores page, its exports and the
scores API, with the helpers of core/tests/test_permissions.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from changeboard.core.tests.test_permissions import API_LOGIN, HIDDEN, PERSONAS, READERS, _check, _client

COVERED_NAMES = {"programme-scores", "api-scores"}

A_READERS = {**READERS, "lead2": HIDDEN}
B_READERS = {**READERS, "lead": HIDDEN, "champion": HIDDEN}

PAGES: list[tuple[Callable[[Any], dict[str, Any]], dict[str, Any], dict[str, Any]]] = [
    (lambda w: {"programme_pk": w.programme_a.pk}, {}, A_READERS),
    (lambda w: {"programme_pk": w.programme_b.pk}, {}, B_READERS),
    (lambda w: {"programme_pk": w.programme_a.pk}, {"format": "xlsx"}, A_READERS),
    (lambda w: {"programme_pk": w.programme_a.pk}, {"format": "csv"}, A_READERS),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("kwargs", "query", "expected"), PAGES, ids=[str(i) for i in range(len(PAGES))])
def test_page_matrix(client: Any, world: Any, persona: str, kwargs: Any, query: dict[str, Any], expected: dict[str, Any]) -> None:
    url = reverse("programme-scores", kwargs=kwargs(world))
    _check(_client(client, world, persona).get(url, query), expected[persona])


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_unit_outside_a_champions_scope_is_not_found(client: Any, world: Any, persona: str) -> None:
    url = reverse("programme-scores", kwargs={"programme_pk": world.programme_a.pk})
    expected = {**A_READERS, "champion": HIDDEN}
    _check(_client(client, world, persona).get(url, {"unit": world.camden.pk}), expected[persona])


API: list[tuple[Callable[[Any], dict[str, Any]], dict[str, Any]]] = [
    (lambda w: {"programme": w.programme_a.pk}, {**A_READERS, "anonymous": API_LOGIN}),
    (lambda w: {"programme": w.programme_b.pk}, {**B_READERS, "anonymous": API_LOGIN}),
    (lambda w: {"programme": w.programme_a.pk, "unit": w.camden.pk}, {**A_READERS, "champion": HIDDEN, "anonymous": API_LOGIN}),
    (lambda w: {"programme": w.programme_a.pk, "wave": 999999}, {**A_READERS, "admin": HIDDEN, "board": HIDDEN, "lead": HIDDEN,
                                                                 "champion": HIDDEN, "anonymous": API_LOGIN}),
    (lambda w: {}, {**READERS, "admin": 400, "board": 400, "lead": 400, "lead2": 400, "champion": 400, "anonymous": API_LOGIN}),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("query", "expected"), API, ids=[str(i) for i in range(len(API))])
def test_api_matrix(client: Any, world: Any, persona: str, query: Any, expected: dict[str, Any]) -> None:
    response = _client(client, world, persona).get(reverse("api-scores"), query(world), HTTP_ACCEPT="application/json")
    assert response.status_code == expected[persona], (response.status_code, expected[persona])
