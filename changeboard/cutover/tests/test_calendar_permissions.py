"""The permission matrix of the cutover calendar page and its API: every
role that may read runbooks opens the calendar (each sees only what is in
their scope, tested in test_calendar_pages); one runbook's conflicts through
the API answer 404 out of scope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from changeboard.core.tests.test_permissions import API_LOGIN, HIDDEN, OK, PERSONAS, _check, _client, expect

from .test_calendar_conflicts import make_runbook

COVERED_NAMES = {"cutover-calendar", "api-cutover-calendar"}

EVERY_READER = expect(admin=OK, board=OK, lead=OK, lead2=OK, champion=OK, auditor=OK)


class Books:
    def __init__(self, world: Any) -> None:
        self.world = world
        self.a = make_runbook(world.programme_a, world.wave_a, "AAA cutover", tasks=[{"ref": "A-1", "duration": 60}])
        self.b = make_runbook(world.programme_b, world.wave_b, "BBB cutover", tasks=[{"ref": "B-1", "duration": 60}])


@pytest.fixture
def books(world: Any) -> Books:
    return Books(world)


PAGES: list[tuple[str, Callable[[Books], dict[str, Any]], dict[str, Any]]] = [
    ("cutover-calendar", lambda b: {}, EVERY_READER),
    ("cutover-calendar", lambda b: {"programme": b.world.programme_b.pk, "start": "2027-01-01", "end": "2027-12-31"}, EVERY_READER),
    ("cutover-calendar", lambda b: {"export": "csv"}, EVERY_READER),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "query", "expected"), PAGES, ids=[f"{p[0]}-{i}" for i, p in enumerate(PAGES)])
def test_page_matrix(client: Any, books: Books, persona: str, name: str, query: Any, expected: dict[str, Any]) -> None:
    _check(_client(client, books.world, persona).get(reverse(name), query(books)), expected[persona])


def _api(expected: dict[str, Any]) -> dict[str, Any]:
    return {**expected, "anonymous": API_LOGIN}


API: list[tuple[str, Callable[[Books], dict[str, Any]], dict[str, Any]]] = [
    ("api-cutover-calendar", lambda b: {}, _api(EVERY_READER)),
    ("api-cutover-calendar", lambda b: {"runbook": b.a.pk}, _api(expect(admin=OK, board=OK, lead=OK, lead2=HIDDEN, champion=OK, auditor=OK))),
    ("api-cutover-calendar", lambda b: {"runbook": b.b.pk}, _api(expect(admin=OK, board=OK, lead=HIDDEN, lead2=OK, champion=HIDDEN, auditor=OK))),
    ("api-cutover-calendar", lambda b: {"runbook": "²"}, _api(expect(admin=400, board=400, lead=400, lead2=400, champion=400, auditor=400))),
    ("api-cutover-calendar", lambda b: {"start": "2027-13-01"}, _api(expect(admin=400, board=400, lead=400, lead2=400, champion=400, auditor=400))),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "query", "expected"), API, ids=[f"{a[0]}-{i}" for i, a in enumerate(API)])
def test_api_matrix(client: Any, books: Books, persona: str, name: str, query: Any, expected: dict[str, Any]) -> None:
    response = _client(client, books.world, persona).get(reverse(name), query(books), HTTP_ACCEPT="application/json")
    assert response.status_code == expected[persona], (response.status_code, expected[persona], getattr(response, "data", None))


def test_writes_are_refused(client: Any, books: Books) -> None:
    c = _client(client, books.world, "admin")
    assert c.post(reverse("api-cutover-calendar"), {}, content_type="application/json").status_code == 405
    assert c.post(reverse("cutover-calendar"), {}).status_code == 405
