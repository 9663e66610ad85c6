"""The permission matrix of every journey page and endpoint: journeys are
read by every role within their programmes (a change manager only their
own programmes'; a champion those of programmes reaching their units);
only admins and the programme's change managers add, change and delete
(another programme's is a 404; a role without the right, 403)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from changeboard.core.tests.test_permissions import API_LOGIN, HIDDEN, OK, PERSONAS, _check, _client, expect

from ..models import Journey, Stage, Step, Touchpoint
from ..services import journeys as services
from .journey_data import Data, build

COVERED_NAMES = {"journey-list", "journey-create", "journey-detail", "journey-edit", "journey-delete", "journey-xlsx", "journey-pdf",
                 "stage-add", "stage-edit", "stage-delete", "stage-move", "step-add", "step-edit", "step-delete", "step-move",
                 "touchpoint-add", "touchpoint-delete",
                 "api-journey-list", "api-journey-detail", "api-journey-stage-list", "api-journey-stage-detail", "api-journey-stage-move",
                 "api-journey-step-list", "api-journey-step-detail", "api-journey-step-move",
                 "api-journey-touchpoint-list", "api-journey-touchpoint-detail"}

MOVED = 302
READ = expect(admin=OK, board=OK, lead=OK, lead2=OK, champion=OK, auditor=OK)
READ_A = {**READ, "lead2": HIDDEN}
READ_B = {**READ, "lead": HIDDEN, "champion": HIDDEN}  # programme B's waves do not reach the champion's Westminster
ADDERS = expect(admin=OK, lead=OK, lead2=OK)
EDIT_A = expect(admin=OK, lead=OK, lead2=HIDDEN)


class P:
    def __init__(self, d: Data) -> None:
        self.d = d
        self.journey_b = services.journey_create(programme=d.world.programme_b, title="B journey", persona="Caseworker",
                                                 units=[d.world.camden], actor=None)
        self.tp = services.touchpoint_add(step=d.briefing, kind="message", ref=str(d.message_a.pk), actor=None)


@pytest.fixture
def p(world: Any) -> P:
    return P(build(world))


PAGES: list[tuple[str, Callable[[P], dict[str, Any]], dict[str, Any]]] = [
    ("journey-list", lambda p: {}, READ),
    ("journey-create", lambda p: {}, ADDERS),
    ("journey-detail", lambda p: {"pk": p.d.journey.pk}, READ_A),
    ("journey-detail", lambda p: {"pk": p.journey_b.pk}, READ_B),
    ("journey-detail", lambda p: {"pk": 999999}, expect(HIDDEN)),
    ("journey-xlsx", lambda p: {"pk": p.d.journey.pk}, READ_A),
    ("journey-pdf", lambda p: {"pk": p.d.journey.pk}, READ_A),
    ("journey-edit", lambda p: {"pk": p.d.journey.pk}, EDIT_A),
    ("journey-delete", lambda p: {"pk": p.d.journey.pk}, EDIT_A),
    ("journey-delete", lambda p: {"pk": p.journey_b.pk}, expect(admin=OK, lead=HIDDEN, lead2=OK)),
    ("stage-add", lambda p: {"pk": p.d.journey.pk}, EDIT_A),
    ("stage-edit", lambda p: {"pk": p.d.hearing.pk}, EDIT_A),
    ("stage-delete", lambda p: {"pk": p.d.hearing.pk}, EDIT_A),
    ("step-add", lambda p: {"pk": p.d.hearing.pk}, EDIT_A),
    ("step-edit", lambda p: {"pk": p.d.briefing.pk}, EDIT_A),
    ("step-delete", lambda p: {"pk": p.d.briefing.pk}, EDIT_A),
    ("touchpoint-add", lambda p: {"pk": p.d.briefing.pk}, EDIT_A),
    ("touchpoint-delete", lambda p: {"pk": p.tp.pk}, EDIT_A),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "expected"), PAGES, ids=[f"{p[0]}-{i}" for i, p in enumerate(PAGES)])
def test_page_matrix(client: Any, p: P, persona: str, name: str, kwargs: Any, expected: dict[str, Any]) -> None:
    _check(_client(client, p.d.world, persona).get(reverse(name, kwargs=kwargs(p))), expected[persona])


def _moved(table: dict[str, Any]) -> dict[str, Any]:
    return {k: (MOVED if v == OK else v) for k, v in table.items()}


POSTS: list[tuple[str, Callable[[P], dict[str, Any]], Callable[[P], dict[str, Any]], Callable[[P], bool], dict[str, Any]]] = [
    ("journey-create", lambda p: {}, lambda p: {"programme": p.d.world.programme_a.pk, "title": "New", "persona": "P", "units": [p.d.world.team.pk]},
     lambda p: Journey.objects.filter(title="New").exists(), expect(admin=MOVED, lead=MOVED, lead2=OK)),  # lead2: a form error
    ("journey-edit", lambda p: {"pk": p.d.journey.pk}, lambda p: {"title": "Changed", "persona": "P", "units": [p.d.world.team.pk]},
     lambda p: Journey.objects.filter(title="Changed").exists(), _moved(EDIT_A)),
    ("journey-delete", lambda p: {"pk": p.d.journey.pk}, lambda p: {}, lambda p: not Journey.objects.filter(pk=p.d.journey.pk).exists(),
     _moved(EDIT_A)),
    ("stage-add", lambda p: {"pk": p.d.journey.pk}, lambda p: {"name": "Added"}, lambda p: Stage.objects.filter(name="Added").exists(),
     _moved(EDIT_A)),
    ("stage-edit", lambda p: {"pk": p.d.hearing.pk}, lambda p: {"name": "Renamed"}, lambda p: Stage.objects.filter(name="Renamed").exists(),
     _moved(EDIT_A)),
    ("stage-delete", lambda p: {"pk": p.d.hearing.pk}, lambda p: {}, lambda p: not Stage.objects.filter(pk=p.d.hearing.pk).exists(),
     _moved(EDIT_A)),
    ("stage-move", lambda p: {"pk": p.d.golive.pk}, lambda p: {"direction": "up"},
     lambda p: Stage.objects.get(pk=p.d.golive.pk).order == 1, _moved(EDIT_A)),
    ("step-add", lambda p: {"pk": p.d.hearing.pk}, lambda p: {"name": "Added step"}, lambda p: Step.objects.filter(name="Added step").exists(),
     _moved(EDIT_A)),
    ("step-edit", lambda p: {"pk": p.d.briefing.pk}, lambda p: {"name": "Renamed step"},
     lambda p: Step.objects.filter(name="Renamed step").exists(), _moved(EDIT_A)),
    ("step-delete", lambda p: {"pk": p.d.briefing.pk}, lambda p: {}, lambda p: not Step.objects.filter(pk=p.d.briefing.pk).exists(),
     _moved(EDIT_A)),
    ("step-move", lambda p: {"pk": p.d.training.pk}, lambda p: {"direction": "up"},
     lambda p: Step.objects.get(pk=p.d.training.pk).order == 1, _moved(EDIT_A)),
    ("touchpoint-add", lambda p: {"pk": p.d.training.pk}, lambda p: {"kind": "course", "ref": "CUST-101"},
     lambda p: Touchpoint.objects.filter(step=p.d.training).exists(), _moved(EDIT_A)),
    ("touchpoint-delete", lambda p: {"pk": p.tp.pk}, lambda p: {}, lambda p: not Touchpoint.objects.filter(pk=p.tp.pk).exists(),
     _moved(EDIT_A)),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "body", "done", "expected"), POSTS, ids=[f"{p[0]}-{i}" for i, p in enumerate(POSTS)])
def test_post_matrix(client: Any, p: P, persona: str, name: str, kwargs: Any, body: Any, done: Any, expected: dict[str, Any]) -> None:
    _check(_client(client, p.d.world, persona).post(reverse(name, kwargs=kwargs(p)), body(p)), expected[persona])
    assert done(p) is (expected[persona] == MOVED)


def _api(table: dict[str, Any]) -> dict[str, Any]:
    return {**table, "anonymous": API_LOGIN}


def _ok(table: dict[str, Any], code: int) -> dict[str, Any]:
    return {k: (code if v == OK else v) for k, v in table.items()}


CREATED = _api(expect(admin=201, lead=201, lead2=400))  # lead2: programme A's parent reads as one that does not exist

API: list[tuple[str, str, Callable[[P], dict[str, Any]], Callable[[P], dict[str, Any]] | None, dict[str, Any]]] = [
    ("get", "api-journey-list", lambda p: {}, None, _api(READ)),
    ("get", "api-journey-detail", lambda p: {"pk": p.d.journey.pk}, None, _api(READ_A)),
    ("get", "api-journey-detail", lambda p: {"pk": p.journey_b.pk}, None, _api(READ_B)),
    ("post", "api-journey-list", lambda p: {}, lambda p: {"programme": p.d.world.programme_a.pk, "title": "T", "persona": "P",
                                                          "units": [p.d.world.team.pk]}, CREATED),
    ("patch", "api-journey-detail", lambda p: {"pk": p.d.journey.pk}, lambda p: {"title": "Changed"}, _api(EDIT_A)),
    ("delete", "api-journey-detail", lambda p: {"pk": p.d.journey.pk}, lambda p: {}, _api(_ok(EDIT_A, 204))),
    ("get", "api-journey-stage-list", lambda p: {}, None, _api(READ)),
    ("get", "api-journey-stage-detail", lambda p: {"pk": p.d.hearing.pk}, None, _api(READ_A)),
    ("post", "api-journey-stage-list", lambda p: {}, lambda p: {"journey": p.d.journey.pk, "name": "S"}, CREATED),
    ("patch", "api-journey-stage-detail", lambda p: {"pk": p.d.hearing.pk}, lambda p: {"name": "S2"}, _api(EDIT_A)),
    ("post", "api-journey-stage-move", lambda p: {"pk": p.d.golive.pk}, lambda p: {"direction": "up"}, _api(EDIT_A)),
    ("delete", "api-journey-stage-detail", lambda p: {"pk": p.d.hearing.pk}, lambda p: {}, _api(_ok(EDIT_A, 204))),
    ("get", "api-journey-step-list", lambda p: {}, None, _api(READ)),
    ("get", "api-journey-step-detail", lambda p: {"pk": p.d.briefing.pk}, None, _api(READ_A)),
    ("post", "api-journey-step-list", lambda p: {}, lambda p: {"stage": p.d.hearing.pk, "name": "S", "adkar": "desire"}, CREATED),
    ("patch", "api-journey-step-detail", lambda p: {"pk": p.d.briefing.pk}, lambda p: {"emotion": -2}, _api(EDIT_A)),
    ("post", "api-journey-step-move", lambda p: {"pk": p.d.training.pk}, lambda p: {"direction": "up"}, _api(EDIT_A)),
    ("delete", "api-journey-step-detail", lambda p: {"pk": p.d.briefing.pk}, lambda p: {}, _api(_ok(EDIT_A, 204))),
    ("get", "api-journey-touchpoint-list", lambda p: {}, None, _api(READ)),
    ("get", "api-journey-touchpoint-detail", lambda p: {"pk": p.tp.pk}, None, _api(READ_A)),
    ("post", "api-journey-touchpoint-list", lambda p: {}, lambda p: {"step": p.d.training.pk, "kind": "task", "ref": str(p.d.task_a.pk)}, CREATED),
    ("delete", "api-journey-touchpoint-detail", lambda p: {"pk": p.tp.pk}, lambda p: {}, _api(_ok(EDIT_A, 204))),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "name", "kwargs", "body", "expected"), API, ids=[f"{a[0]}-{a[1]}-{i}" for i, a in enumerate(API)])
def test_api_matrix(client: Any, p: P, persona: str, method: str, name: str, kwargs: Any, body: Any, expected: dict[str, Any]) -> None:
    c = _client(client, p.d.world, persona)
    url = reverse(name, kwargs=kwargs(p))
    response = c.get(url, HTTP_ACCEPT="application/json") if body is None else getattr(c, method)(url, body(p), content_type="application/json")
    assert response.status_code == expected[persona], (response.status_code, expected[persona], getattr(response, "data", None))


def test_lists_hold_only_what_is_in_scope(client: Any, p: P) -> None:
    client.force_login(p.d.world.users["lead2"])
    assert [j["title"] for j in client.get(reverse("api-journey-list")).json()["results"]] == ["B journey"]
    assert client.get(reverse("api-journey-step-list")).json()["count"] == 0
    assert client.get(reverse("api-journey-touchpoint-list")).json()["count"] == 0
