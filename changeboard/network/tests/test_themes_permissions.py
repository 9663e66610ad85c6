"""The persona x URL matrix of feedback from the floor, pages and API:
champions record and read the themes of their units (the champion
persona looks after Westminster and supports programme A); change managers
record and act on their own programmes' (out of scope is 404); the Board
and auditors read; nobody but an admin or the programme's change manager
makes a theme an action, links or closes it (403 out of role)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from changeboard.core.tests.test_permissions import API_LOGIN, DENY, HIDDEN, OK, PERSONAS, _check, _client, expect
from changeboard.readiness.models import Criterion

from ..models import Theme
from .themes_data import Data

COVERED_NAMES = {"theme-list", "theme-detail", "theme-record", "theme-summary", "theme-action", "theme-link", "theme-close",
                 "api-champion-theme-list", "api-champion-theme-detail", "api-champion-theme-to-action", "api-champion-theme-link",
                 "api-champion-theme-close"}

MOVED = 302
READ = expect(OK)
READ_A = {**READ, "lead2": HIDDEN}
READ_B = {**READ, "lead": HIDDEN, "champion": HIDDEN}
RECORD = expect(admin=OK, lead=OK, lead2=OK, champion=OK)
CHANGE_A = expect(admin=OK, lead=OK, lead2=HIDDEN)


@pytest.fixture
def x(world: Any) -> Data:
    data = Data(world)
    data.criterion = Criterion.objects.create(programme=world.programme_a, title="Radios tested")  # type: ignore[attr-defined]
    return data


def _soon() -> str:
    return (timezone.localdate() + dt.timedelta(days=7)).isoformat()


PAGES: list[tuple[str, Callable[[Data], dict[str, Any]], str, dict[str, Any]]] = [
    ("theme-list", lambda x: {}, "", READ),
    ("theme-list", lambda x: {}, "?export=csv", READ),
    ("theme-list", lambda x: {}, "?export=xlsx&sentiment=-1", READ),
    ("theme-summary", lambda x: {}, "", READ),
    ("theme-summary", lambda x: {}, "?programme=1", READ),
    ("theme-record", lambda x: {}, "", RECORD),
    ("theme-detail", lambda x: {"pk": x.open.pk}, "", READ_A),
    ("theme-detail", lambda x: {"pk": x.small.pk}, "", READ_A),
    ("theme-detail", lambda x: {"pk": x.b.pk}, "", READ_B),
    ("theme-action", lambda x: {"pk": x.open.pk}, "", CHANGE_A),
    ("theme-link", lambda x: {"pk": x.open.pk}, "", CHANGE_A),
    ("theme-close", lambda x: {"pk": x.open.pk}, "", CHANGE_A),
    ("theme-close", lambda x: {"pk": x.b.pk}, "", expect(admin=OK, lead=HIDDEN, lead2=OK)),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "query", "expected"), PAGES, ids=[f"{p[0]}-{i}" for i, p in enumerate(PAGES)])
def test_page_matrix(client: Any, x: Data, persona: str, name: str, kwargs: Any, query: str, expected: dict[str, Any]) -> None:
    _check(_client(client, x.world, persona).get(reverse(name, kwargs=kwargs(x)) + query), expected[persona])


def _record_body(x: Data) -> dict[str, Any]:
    return {"programme": x.world.programme_a.pk, "category": "training", "unit": x.world.team.pk, "role_group": "", "sentiment": "-1",
            "text": "New theme", "heard_on": timezone.localdate().isoformat()}


POSTS: list[tuple[str, Callable[[Data], dict[str, Any]], Callable[[Data], dict[str, Any]], dict[str, Any], Callable[[Data], bool]]] = [
    # lead2 cannot choose programme A: the form says so (200), nothing saved.
    ("theme-record", lambda x: {}, _record_body, expect(admin=MOVED, lead=MOVED, lead2=OK, champion=MOVED),
     lambda x: Theme.objects.filter(text="New theme").exists()),
    ("theme-action", lambda x: {"pk": x.open.pk}, lambda x: {"title": "Fix the radios", "due_date": _soon()},
     expect(admin=MOVED, lead=MOVED, lead2=HIDDEN), lambda x: Theme.objects.filter(pk=x.open.pk, status="actioned").exists()),
    ("theme-link", lambda x: {"pk": x.open.pk}, lambda x: {"criterion": x.criterion.pk},  # type: ignore[attr-defined]
     expect(admin=MOVED, lead=MOVED, lead2=HIDDEN), lambda x: Theme.objects.filter(pk=x.open.pk, status="linked").exists()),
    ("theme-close", lambda x: {"pk": x.open.pk}, lambda x: {"reason": "Done"},
     expect(admin=MOVED, lead=MOVED, lead2=HIDDEN), lambda x: Theme.objects.filter(pk=x.open.pk, status="closed").exists()),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "body", "expected", "changed"), POSTS, ids=[f"{p[0]}-{i}" for i, p in enumerate(POSTS)])
def test_post_matrix(client: Any, x: Data, persona: str, name: str, kwargs: Any, body: Any, expected: dict[str, Any], changed: Any) -> None:
    _check(_client(client, x.world, persona).post(reverse(name, kwargs=kwargs(x)), body(x)), expected[persona])
    assert changed(x) is (expected[persona] == MOVED)


def _api(expected: dict[str, Any]) -> dict[str, Any]:
    return {**expected, "anonymous": API_LOGIN}


API: list[tuple[str, str, Callable[[Data], dict[str, Any]], Callable[[Data], dict[str, Any]] | None, dict[str, Any]]] = [
    ("get", "api-champion-theme-list", lambda x: {}, None, _api(READ)),
    ("get", "api-champion-theme-detail", lambda x: {"pk": x.open.pk}, None, _api(READ_A)),
    ("get", "api-champion-theme-detail", lambda x: {"pk": x.b.pk}, None, _api(READ_B)),
    ("post", "api-champion-theme-list", lambda x: {},
     lambda x: {k: v for k, v in _record_body(x).items() if k != "role_group"},
     _api(expect(admin=201, lead=201, lead2=400, champion=201))),
    ("post", "api-champion-theme-to-action", lambda x: {"pk": x.open.pk}, lambda x: {"due_date": _soon()}, _api(CHANGE_A)),
    ("post", "api-champion-theme-link", lambda x: {"pk": x.open.pk}, lambda x: {"criterion": x.criterion.pk},  # type: ignore[attr-defined]
     _api(CHANGE_A)),
    ("post", "api-champion-theme-close", lambda x: {"pk": x.open.pk}, lambda x: {}, _api(CHANGE_A)),
    ("put", "api-champion-theme-detail", lambda x: {"pk": x.open.pk}, lambda x: {}, _api(expect(405, champion=DENY, board=DENY,
                                                                                                   auditor=DENY))),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "name", "kwargs", "body", "expected"), API, ids=[f"{a[0]}-{a[1]}-{i}" for i, a in enumerate(API)])
def test_api_matrix(client: Any, x: Data, persona: str, method: str, name: str, kwargs: Any, body: Any, expected: dict[str, Any]) -> None:
    c = _client(client, x.world, persona)
    url = reverse(name, kwargs=kwargs(x))
    response = c.get(url, HTTP_ACCEPT="application/json") if body is None else getattr(c, method)(url, body(x), content_type="application/json")
    assert response.status_code == expected[persona], (response.status_code, expected[persona], getattr(response, "data", None))


@pytest.mark.parametrize(("persona", "texts"), [
    ("lead", {"Radios drop out"}), ("lead2", {"Case file templates"}), ("champion", {"Radios drop out"}),
    ("board", {"Radios drop out", "Case file templates"}), ("auditor", {"Radios drop out", "Case file templates"})])
def test_lists_show_only_what_is_in_scope(client: Any, x: Data, persona: str, texts: set[str]) -> None:
    c = _client(client, x.world, persona)
    found = " ".join(t["text"] for t in c.get(reverse("api-champion-theme-list")).json()["results"])
    assert {t for t in ("Radios drop out", "Case file templates") if t in found} == texts
    page = c.get(reverse("theme-list")).content.decode()
    assert {t for t in ("Radios drop out", "Case file templates") if t in page} == texts
