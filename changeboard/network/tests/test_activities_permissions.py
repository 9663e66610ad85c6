"""The persona x URL matrix of the activity pages and API: champions log and
change their own, change managers plan and change their programmes'; the
Board and auditors read; out of scope is 404, out of role 403."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from changeboard.core.tests.test_permissions import API_LOGIN, HIDDEN, OK, PERSONAS, _check, _client, expect

from ..models import Activity
from .activities_data import Data, days

COVERED_NAMES = {"activity-list", "activity-detail", "activity-log", "activity-plan", "activity-edit", "activity-complete", "activity-cancel",
                 "network-reach", "api-champion-activity-list", "api-champion-activity-detail", "api-champion-activity-complete",
                 "api-champion-activity-cancel"}

MOVED = 302
READ = expect(OK)
READ_A = {**READ, "lead2": HIDDEN}
READ_B = {**READ, "lead": HIDDEN, "champion": HIDDEN}
ADD = expect(admin=OK, lead=OK, lead2=OK, champion=OK)
PLAN = expect(admin=OK, lead=OK, lead2=OK)
CHANGE_MINE = expect(admin=OK, lead=OK, lead2=HIDDEN, champion=OK)
CHANGE_OTHERS = expect(admin=OK, lead=OK, lead2=HIDDEN, champion=HIDDEN)


@pytest.fixture
def x(world: Any) -> Data:
    return Data(world)


PAGES: list[tuple[str, Callable[[Data], dict[str, Any]], str, dict[str, Any]]] = [
    ("activity-list", lambda x: {}, "", READ),
    ("activity-list", lambda x: {}, "?export=csv", READ),
    ("activity-list", lambda x: {}, "?export=xlsx&status=done", READ),
    ("network-reach", lambda x: {}, "", READ),
    ("activity-log", lambda x: {}, "", ADD),  # only a champion gets the form; others are told why (nothing to save)
    ("activity-plan", lambda x: {}, "", PLAN),
    ("activity-detail", lambda x: {"pk": x.done_a.pk}, "", READ_A),
    ("activity-detail", lambda x: {"pk": x.others_a.pk}, "", READ_A),  # a colleague's, in the champion's units: seen
    ("activity-detail", lambda x: {"pk": x.done_b.pk}, "", READ_B),
    ("activity-edit", lambda x: {"pk": x.done_a.pk}, "", CHANGE_MINE),
    ("activity-edit", lambda x: {"pk": x.others_a.pk}, "", CHANGE_OTHERS),  # a colleague's: not theirs to change
    ("activity-complete", lambda x: {"pk": x.planned_a.pk}, "", CHANGE_MINE),
    ("activity-cancel", lambda x: {"pk": x.planned_a.pk}, "", CHANGE_MINE),
    ("activity-cancel", lambda x: {"pk": x.others_a.pk}, "", CHANGE_OTHERS),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "query", "expected"), PAGES, ids=[f"{p[0]}-{i}" for i, p in enumerate(PAGES)])
def test_page_matrix(client: Any, x: Data, persona: str, name: str, kwargs: Any, query: str, expected: dict[str, Any]) -> None:
    _check(_client(client, x.world, persona).get(reverse(name, kwargs=kwargs(x)) + query), expected[persona])


POSTS: list[tuple[str, Callable[[Data], dict[str, Any]], Callable[[Data], dict[str, Any]], dict[str, Any], Callable[[Data], bool]]] = [
    ("activity-log", lambda x: {},
     lambda x: {"kind": "floor_walk", "programme": x.world.programme_a.pk, "date": days(0).isoformat(), "unit": x.world.team.pk,
                "people_reached": "9", "minutes": "40", "notes": "Matrix log"},
     expect(admin=OK, lead=OK, lead2=OK, champion=MOVED),  # the others are told only champions log: nothing saved
     lambda x: Activity.objects.filter(notes="Matrix log").exists()),
    ("activity-plan", lambda x: {},
     lambda x: {"champion": x.mine.pk, "programme": x.world.programme_a.pk, "kind": "briefing", "date": days(4).isoformat(),
                "people_reached": "10", "minutes": "30", "notes": "Matrix plan"},
     expect(admin=MOVED, lead=MOVED, lead2=OK),  # lead2 cannot choose programme A's champion: the form says so, nothing saved
     lambda x: Activity.objects.filter(notes="Matrix plan").exists()),
    ("activity-edit", lambda x: {"pk": x.done_a.pk},
     lambda x: {"kind": "briefing", "date": days(-3).isoformat(), "unit": x.world.team.pk, "people_reached": "13", "minutes": "30",
                "notes": "Matrix edit"},
     expect(admin=MOVED, lead=MOVED, lead2=HIDDEN, champion=MOVED), lambda x: Activity.objects.filter(notes="Matrix edit").exists()),
    ("activity-complete", lambda x: {"pk": x.planned_a.pk},
     lambda x: {"date": days(0).isoformat(), "people_reached": "8", "minutes": "25"},
     expect(admin=MOVED, lead=MOVED, lead2=HIDDEN, champion=MOVED),
     lambda x: Activity.objects.filter(pk=x.planned_a.pk, status="done", people_reached=8).exists()),
    ("activity-cancel", lambda x: {"pk": x.planned_a.pk}, lambda x: {"reason": "Rota changed"},
     expect(admin=MOVED, lead=MOVED, lead2=HIDDEN, champion=MOVED),
     lambda x: Activity.objects.filter(pk=x.planned_a.pk, status="cancelled").exists()),
    ("activity-cancel", lambda x: {"pk": x.others_a.pk}, lambda x: {"reason": "Not mine"},
     expect(admin=MOVED, lead=MOVED, lead2=HIDDEN, champion=HIDDEN),
     lambda x: Activity.objects.filter(pk=x.others_a.pk, status="cancelled").exists()),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "body", "expected", "changed"), POSTS, ids=[f"{p[0]}-{i}" for i, p in enumerate(POSTS)])
def test_post_matrix(client: Any, x: Data, persona: str, name: str, kwargs: Any, body: Any, expected: dict[str, Any], changed: Any) -> None:
    _check(_client(client, x.world, persona).post(reverse(name, kwargs=kwargs(x)), body(x)), expected[persona])
    assert changed(x) is (expected[persona] == MOVED)


def _api(expected: dict[str, Any]) -> dict[str, Any]:
    return {**expected, "anonymous": API_LOGIN}


def _plan_body(x: Data) -> dict[str, Any]:
    return {"champion": x.mine.pk, "programme": x.world.programme_a.pk, "kind": "briefing", "date": days(4).isoformat()}


def _log_body(x: Data) -> dict[str, Any]:
    return {"programme": x.world.programme_a.pk, "kind": "floor_walk", "date": days(0).isoformat(), "people_reached": 6, "minutes": 20}


API: list[tuple[str, str, Callable[[Data], dict[str, Any]], Callable[[Data], dict[str, Any]] | None, dict[str, Any]]] = [
    ("get", "api-champion-activity-list", lambda x: {}, None, _api(READ)),
    ("get", "api-champion-activity-detail", lambda x: {"pk": x.done_a.pk}, None, _api(READ_A)),
    ("get", "api-champion-activity-detail", lambda x: {"pk": x.done_b.pk}, None, _api(READ_B)),
    # Planning: a change manager of the programme (a champion's create logs, and a done day cannot be in the future).
    ("post", "api-champion-activity-list", lambda x: {}, _plan_body, _api(expect(admin=201, lead=201, lead2=400, champion=400))),
    # Logging: a champion's own (the others must name a champion to plan for).
    ("post", "api-champion-activity-list", lambda x: {}, _log_body, _api(expect(admin=400, lead=400, lead2=400, champion=201))),
    ("patch", "api-champion-activity-detail", lambda x: {"pk": x.done_a.pk}, lambda x: {"minutes": 40}, _api(CHANGE_MINE)),
    ("patch", "api-champion-activity-detail", lambda x: {"pk": x.others_a.pk}, lambda x: {"minutes": 40}, _api(CHANGE_OTHERS)),
    ("post", "api-champion-activity-complete", lambda x: {"pk": x.planned_a.pk}, lambda x: {"people_reached": 5, "minutes": 30},
     _api(CHANGE_MINE)),
    ("post", "api-champion-activity-cancel", lambda x: {"pk": x.planned_a.pk}, lambda x: {}, _api(CHANGE_MINE)),
    ("post", "api-champion-activity-cancel", lambda x: {"pk": x.others_a.pk}, lambda x: {}, _api(CHANGE_OTHERS)),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "name", "kwargs", "body", "expected"), API, ids=[f"{a[0]}-{a[1]}-{i}" for i, a in enumerate(API)])
def test_api_matrix(client: Any, x: Data, persona: str, method: str, name: str, kwargs: Any, body: Any, expected: dict[str, Any]) -> None:
    c = _client(client, x.world, persona)
    url = reverse(name, kwargs=kwargs(x))
    response = c.get(url, HTTP_ACCEPT="application/json") if body is None else getattr(c, method)(url, body(x), content_type="application/json")
    assert response.status_code == expected[persona], (response.status_code, expected[persona], getattr(response, "data", None))


@pytest.mark.parametrize(("persona", "seen"), [("lead", {"done_a", "planned_a", "others_a"}), ("lead2", {"done_b"}),
                                               ("champion", {"done_a", "planned_a", "others_a"}),
                                               ("board", {"done_a", "planned_a", "others_a", "done_b"}),
                                               ("auditor", {"done_a", "planned_a", "others_a", "done_b"})])
def test_lists_show_only_what_is_in_scope(client: Any, x: Data, persona: str, seen: set[str]) -> None:
    c = _client(client, x.world, persona)
    ids = {getattr(x, name).pk: name for name in ("done_a", "planned_a", "others_a", "done_b")}
    assert {ids[row["id"]] for row in c.get(reverse("api-champion-activity-list")).json()["results"]} == seen
    page = c.get(reverse("activity-list")).content.decode()
    assert {name for pk, name in ids.items() if f'href="/network/activities/{pk}/"' in page} == seen
