"""The permission matrix of the action log pages and the actions API:
Board members and change managers raise and update actions (change managers
their own programmes'), champions read those of programmes touching their
units, auditors nothing (403); out of scope is 404."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from changeboard.core.tests.test_permissions import API_LOGIN, HIDDEN, OK, PERSONAS, READERS, _check, _client, expect

from ..models import Action, Criterion
from ..services.actions import action_create
from ..services.reviews import reviews_add_defaults

COVERED_NAMES = {"action-list", "action-create", "action-detail", "action-edit", "api-action-list", "api-action-detail"}

MOVED = 302
READ_A = {**READERS, "lead2": HIDDEN}
READ_B = {**READERS, "lead": HIDDEN, "champion": HIDDEN}
WRITE_A = expect(admin=OK, board=OK, lead=OK, lead2=HIDDEN)


class Actions:
    def __init__(self, world: Any) -> None:
        self.world = world
        due = timezone.localdate() + dt.timedelta(days=7)
        self.a = action_create(programme=world.programme_a, title="Brief the night shift", due_date=due, unit=world.westminster, actor=None)
        self.b = action_create(programme=world.programme_b, title="Case file training", due_date=due, actor=None)
        self.criterion_a = Criterion.objects.create(programme=world.programme_a, title="Rotas ready")
        self.criterion_b = Criterion.objects.create(programme=world.programme_b, title="Case files migrated")
        self.review_b = reviews_add_defaults(rollout_wave=world.wave_b, actor=None)[0]

    def due(self) -> str:
        return (timezone.localdate() + dt.timedelta(days=5)).isoformat()


@pytest.fixture
def x(world: Any) -> Actions:
    return Actions(world)


PAGES: list[tuple[str, Callable[[Actions], dict[str, Any]], str, dict[str, Any]]] = [
    ("action-list", lambda x: {}, "", READERS),
    ("action-list", lambda x: {}, "?export=csv", READERS),
    ("action-list", lambda x: {}, "?export=xlsx&overdue=on", READERS),
    ("action-detail", lambda x: {"pk": x.a.pk}, "", READ_A),
    ("action-detail", lambda x: {"pk": x.b.pk}, "", READ_B),
    ("action-edit", lambda x: {"pk": x.a.pk}, "", WRITE_A),
    ("action-edit", lambda x: {"pk": x.b.pk}, "", expect(admin=OK, board=OK, lead=HIDDEN, lead2=OK)),
    ("action-create", lambda x: {"programme_pk": x.world.programme_a.pk}, "", WRITE_A),
    ("action-create", lambda x: {"programme_pk": x.world.programme_a.pk}, "?source=criterion&criterion={criterion_a}", WRITE_A),
    # Programme B's criterion or review through programme A's page: not found for everyone.
    ("action-create", lambda x: {"programme_pk": x.world.programme_a.pk}, "?source=criterion&criterion={criterion_b}",
     expect(admin=HIDDEN, board=HIDDEN, lead=HIDDEN, lead2=HIDDEN)),
    ("action-create", lambda x: {"programme_pk": x.world.programme_b.pk}, "?source=review&review={review_b}",
     expect(admin=OK, board=OK, lead=HIDDEN, lead2=OK)),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "query", "expected"), PAGES, ids=[f"{p[0]}-{i}" for i, p in enumerate(PAGES)])
def test_page_matrix(client: Any, x: Actions, persona: str, name: str, kwargs: Any, query: str, expected: dict[str, Any]) -> None:
    url = reverse(name, kwargs=kwargs(x)) + query.format(criterion_a=x.criterion_a.pk, criterion_b=x.criterion_b.pk, review_b=x.review_b.pk)
    _check(_client(client, x.world, persona).get(url), expected[persona])


POSTS: list[tuple[str, Callable[[Actions], dict[str, Any]], Callable[[Actions], dict[str, Any]], dict[str, Any]]] = [
    ("action-create", lambda x: {"programme_pk": x.world.programme_a.pk}, lambda x: {"title": "New", "due_date": x.due()},
     expect(admin=MOVED, board=MOVED, lead=MOVED, lead2=HIDDEN)),
    ("action-edit", lambda x: {"pk": x.a.pk}, lambda x: {"title": "Changed", "due_date": x.due(), "status": "in_progress"},
     expect(admin=MOVED, board=MOVED, lead=MOVED, lead2=HIDDEN)),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "body", "expected"), POSTS, ids=[f"{p[0]}-{i}" for i, p in enumerate(POSTS)])
def test_post_matrix(client: Any, x: Actions, persona: str, name: str, kwargs: Any, body: Any, expected: dict[str, Any]) -> None:
    _check(_client(client, x.world, persona).post(reverse(name, kwargs=kwargs(x)), body(x)), expected[persona])
    changed = Action.objects.filter(title__in=["New", "Changed"]).exists()
    assert changed is (expected[persona] == MOVED)


def _api(expected: dict[str, Any]) -> dict[str, Any]:
    return {**expected, "anonymous": API_LOGIN}


API: list[tuple[str, str, Callable[[Actions], dict[str, Any]], Callable[[Actions], dict[str, Any]] | None, dict[str, Any]]] = [
    ("get", "api-action-list", lambda x: {}, None, _api(READERS)),
    ("get", "api-action-detail", lambda x: {"pk": x.a.pk}, None, _api(READ_A)),
    ("get", "api-action-detail", lambda x: {"pk": x.b.pk}, None, _api(READ_B)),
    ("post", "api-action-list", lambda x: {}, lambda x: {"programme": x.world.programme_a.pk, "title": "New", "due_date": x.due()},
     _api(expect(admin=201, board=201, lead=201, lead2=400))),
    ("patch", "api-action-detail", lambda x: {"pk": x.a.pk}, lambda x: {"status": "done"}, _api(WRITE_A)),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "name", "kwargs", "body", "expected"), API, ids=[f"{a[0]}-{a[1]}-{i}" for i, a in enumerate(API)])
def test_api_matrix(client: Any, x: Actions, persona: str, method: str, name: str, kwargs: Any, body: Any, expected: dict[str, Any]) -> None:
    c = _client(client, x.world, persona)
    url = reverse(name, kwargs=kwargs(x))
    response = c.get(url, HTTP_ACCEPT="application/json") if body is None else getattr(c, method)(url, body(x), content_type="application/json")
    assert response.status_code == expected[persona], (response.status_code, expected[persona], getattr(response, "data", None))


@pytest.mark.parametrize(("persona", "titles"), [("champion", {"Brief the night shift"}), ("lead2", {"Case file training"}),
                                                 ("board", {"Brief the night shift", "Case file training"})])
def test_lists_show_only_what_is_in_scope(client: Any, x: Actions, persona: str, titles: set[str]) -> None:
    c = _client(client, x.world, persona)
    assert {a["title"] for a in c.get(reverse("api-action-list")).json()["results"]} == titles
    page = c.get(reverse("action-list")).content.decode()
    assert {t for t in ("Brief the night shift", "Case file training") if t in page} == titles
