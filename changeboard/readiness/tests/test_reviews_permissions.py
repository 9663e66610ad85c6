"""The permission matrix of the review pages and the reviews API: Board
members view and decide, change managers their own programmes' reviews,
champions and auditors nothing (403), another programme's review 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from changeboard.core.tests.test_permissions import API_LOGIN, DENY, HIDDEN, OK, PERSONAS, _check, _client, expect

from ..models import Review
from ..services import reviews as services

COVERED_NAMES = {"review-list", "review-defaults", "review-create", "review-edit", "review-detail", "review-decide",
                 "api-review-list", "api-review-detail", "api-review-decide"}

MOVED = 302
VIEW_A = expect(admin=OK, board=OK, lead=OK, lead2=HIDDEN)
VIEW_B = expect(admin=OK, board=OK, lead=HIDDEN, lead2=OK)
EDIT_A = expect(admin=OK, lead=OK, lead2=HIDDEN)


class Reviews:
    def __init__(self, world: Any) -> None:
        self.world = world
        services.reviews_add_defaults(rollout_wave=world.wave_a, actor=None)
        services.reviews_add_defaults(rollout_wave=world.wave_b, actor=None)
        self.a = Review.objects.get(rollout_wave=world.wave_a, checkpoint="go_no_go")
        self.b = Review.objects.get(rollout_wave=world.wave_b, checkpoint="go_no_go")


@pytest.fixture
def r(world: Any) -> Reviews:
    return Reviews(world)


PAGES: list[tuple[str, Callable[[Reviews], dict[str, Any]], dict[str, Any]]] = [
    ("review-list", lambda r: {"programme_pk": r.world.programme_a.pk}, VIEW_A),
    ("review-list", lambda r: {"programme_pk": r.world.programme_b.pk}, VIEW_B),
    ("review-defaults", lambda r: {"programme_pk": r.world.programme_a.pk}, expect(admin=405, lead=405, lead2=405)),
    ("review-create", lambda r: {"programme_pk": r.world.programme_a.pk}, EDIT_A),
    ("review-edit", lambda r: {"pk": r.a.pk}, EDIT_A),
    ("review-edit", lambda r: {"pk": r.b.pk}, expect(admin=OK, lead=HIDDEN, lead2=OK)),
    ("review-detail", lambda r: {"pk": r.a.pk}, VIEW_A),
    ("review-detail", lambda r: {"pk": r.b.pk}, VIEW_B),
    ("review-decide", lambda r: {"pk": r.a.pk}, VIEW_A),
    ("review-decide", lambda r: {"pk": r.b.pk}, VIEW_B),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "expected"), PAGES, ids=[f"{p[0]}-{i}" for i, p in enumerate(PAGES)])
def test_page_matrix(client: Any, r: Reviews, persona: str, name: str, kwargs: Any, expected: dict[str, Any]) -> None:
    _check(_client(client, r.world, persona).get(reverse(name, kwargs=kwargs(r))), expected[persona])


def _decision() -> dict[str, Any]:
    return {"decision": "no_go", "held_on": timezone.localdate().isoformat(), "conditions": "Retrain"}


POSTS: list[tuple[str, Callable[[Reviews], dict[str, Any]], Callable[[Reviews], dict[str, Any]], dict[str, Any]]] = [
    ("review-defaults", lambda r: {"programme_pk": r.world.programme_a.pk}, lambda r: {"rollout_wave": r.world.wave_a.pk},
     expect(admin=MOVED, lead=MOVED, lead2=HIDDEN)),
    ("review-create", lambda r: {"programme_pk": r.world.programme_a.pk},
     lambda r: {"rollout_wave": r.world.wave_a.pk, "checkpoint": "other", "scheduled_on": "2027-02-01"}, expect(admin=MOVED, lead=MOVED, lead2=HIDDEN)),
    ("review-edit", lambda r: {"pk": r.a.pk},
     lambda r: {"rollout_wave": r.world.wave_a.pk, "checkpoint": "go_no_go", "scheduled_on": "2027-02-27"}, expect(admin=MOVED, lead=MOVED, lead2=HIDDEN)),
    ("review-decide", lambda r: {"pk": r.a.pk}, lambda r: _decision(), expect(admin=MOVED, board=MOVED, lead=MOVED, lead2=HIDDEN)),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "body", "expected"), POSTS, ids=[f"{p[0]}-{i}" for i, p in enumerate(POSTS)])
def test_post_matrix(client: Any, r: Reviews, persona: str, name: str, kwargs: Any, body: Any, expected: dict[str, Any]) -> None:
    response = _client(client, r.world, persona).post(reverse(name, kwargs=kwargs(r)), body(r))
    _check(response, expected[persona])
    if name == "review-decide":
        assert Review.objects.get(pk=r.a.pk).decided is (expected[persona] == MOVED)


def _api(expected: dict[str, Any]) -> dict[str, Any]:
    return {**expected, "anonymous": API_LOGIN}


API: list[tuple[str, str, Callable[[Reviews], dict[str, Any]], Callable[[Reviews], dict[str, Any]] | None, dict[str, Any]]] = [
    ("get", "api-review-list", lambda r: {}, None, _api(expect(admin=OK, board=OK, lead=OK, lead2=OK))),
    ("get", "api-review-detail", lambda r: {"pk": r.a.pk}, None, _api(VIEW_A)),
    ("get", "api-review-detail", lambda r: {"pk": r.b.pk}, None, _api(VIEW_B)),
    # Another programme reads as no such programme: a 400 on the field, never a 201.
    ("post", "api-review-list", lambda r: {}, lambda r: {"programme": r.world.programme_a.pk, "rollout_wave": r.world.wave_a.pk,
                                                           "checkpoint": "other", "scheduled_on": "2027-02-01"},
     _api(expect(admin=201, lead=201, lead2=400))),
    ("patch", "api-review-detail", lambda r: {"pk": r.a.pk}, lambda r: {"title": "Final check"}, _api(EDIT_A)),
    ("post", "api-review-decide", lambda r: {"pk": r.a.pk}, lambda r: _decision(), _api(VIEW_A)),
    ("post", "api-review-decide", lambda r: {"pk": r.b.pk}, lambda r: _decision(), _api(VIEW_B)),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "name", "kwargs", "body", "expected"), API, ids=[f"{a[0]}-{a[1]}-{i}" for i, a in enumerate(API)])
def test_api_matrix(client: Any, r: Reviews, persona: str, method: str, name: str, kwargs: Any, body: Any, expected: dict[str, Any]) -> None:
    c = _client(client, r.world, persona)
    url = reverse(name, kwargs=kwargs(r))
    response = c.get(url, HTTP_ACCEPT="application/json") if body is None else getattr(c, method)(url, body(r), content_type="application/json")
    assert response.status_code == expected[persona], (response.status_code, expected[persona], getattr(response, "data", None))


def test_champions_and_auditors_never_reach_reviews(client: Any, r: Reviews) -> None:
    for persona in ("champion", "auditor"):
        c = _client(client, r.world, persona)
        assert c.get(reverse("review-detail", args=[r.a.pk])).status_code == DENY
        c.logout()
