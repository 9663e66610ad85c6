"""The permission matrix of the approach's pages and API: everyone with a
role reads the approaches of the programmes they reach (a change manager
their own programmes'; lead2 sees programme A's as not there); a change
manager of the programme (or an admin) writes; the Board, champions and
auditors only read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from changeboard.core.tests.test_permissions import API_LOGIN, HIDDEN, OK, PERSONAS, _check, _client, expect

from ..models import Approach, Measure, Promise
from ..services import approach as services
from .approach_data import Data, approve, build

COVERED_NAMES = {"approach-list", "approach-create", "approach-detail", "approach-edit", "approach-submit", "approach-approve",
                 "approach-return", "approach-versions", "approach-version", "approach-pdf", "group-approach-add", "group-approach-edit",
                 "group-approach-delete", "promise-add", "promise-edit", "promise-delete",
                 "api-approach-list", "api-approach-detail", "api-approach-submit", "api-approach-approve", "api-approach-return",
                 "api-approach-groups", "api-approach-promises", "api-approach-evidence",
                 "api-approach-version-list", "api-approach-version-detail", "api-approach-group-list", "api-approach-group-detail",
                 "api-approach-promise-list", "api-approach-promise-detail"}

MOVED = 302
READ = expect(admin=OK, board=OK, lead=OK, lead2=OK, champion=OK, auditor=OK)
READ_A = {**READ, "lead2": HIDDEN}  # lead2 leads programme B only
ADDERS = expect(admin=OK, lead=OK, lead2=OK)
EDIT_A = expect(admin=OK, lead=OK, lead2=HIDDEN)


@pytest.fixture
def d(world: Any) -> Data:
    data = build(world)
    approve(data, note="First")
    return data


PAGES: list[tuple[str, Callable[[Data], dict[str, Any]], dict[str, Any]]] = [
    ("approach-list", lambda d: {}, READ),
    ("approach-create", lambda d: {}, ADDERS),
    ("approach-detail", lambda d: {"pk": d.approach.pk}, READ_A),
    ("approach-detail", lambda d: {"pk": 999999}, expect(HIDDEN)),
    ("approach-edit", lambda d: {"pk": d.approach.pk}, EDIT_A),
    ("approach-submit", lambda d: {"pk": d.approach.pk}, EDIT_A),
    ("approach-approve", lambda d: {"pk": d.approach.pk}, EDIT_A),
    ("approach-return", lambda d: {"pk": d.approach.pk}, EDIT_A),
    ("approach-versions", lambda d: {"pk": d.approach.pk}, READ_A),
    ("approach-version", lambda d: {"pk": d.approach.pk, "number": 1}, READ_A),
    ("approach-version", lambda d: {"pk": d.approach.pk, "number": 7}, expect(HIDDEN)),
    ("group-approach-add", lambda d: {"pk": d.approach.pk}, EDIT_A),
    ("group-approach-edit", lambda d: {"pk": d.group.pk}, EDIT_A),
    ("group-approach-delete", lambda d: {"pk": d.group.pk}, EDIT_A),
    ("promise-add", lambda d: {"pk": d.approach.pk}, EDIT_A),
    ("promise-edit", lambda d: {"pk": d.promise.pk}, EDIT_A),
    ("promise-delete", lambda d: {"pk": d.promise.pk}, EDIT_A),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "expected"), PAGES, ids=[f"{p[0]}-{i}" for i, p in enumerate(PAGES)])
def test_page_matrix(client: Any, d: Data, persona: str, name: str, kwargs: Any, expected: dict[str, Any]) -> None:
    expected = {**expected, "anonymous": "login"}
    _check(_client(client, d.world, persona).get(reverse(name, kwargs=kwargs(d))), expected[persona])


@pytest.mark.parametrize("persona", PERSONAS)
def test_pdf_matrix(client: Any, d: Data, persona: str) -> None:
    response = _client(client, d.world, persona).get(reverse("approach-pdf", kwargs={"pk": d.approach.pk}) + "?format=html")
    expected = {**READ_A, "anonymous": "login"}[persona]
    if expected == OK:
        assert response.status_code == OK and response["Content-Disposition"] == 'attachment; filename="change-approach-aaa.html"'
    else:
        _check(response, expected)


def _moved(table: dict[str, Any]) -> dict[str, Any]:
    return {k: (MOVED if v == OK else v) for k, v in table.items()}


POSTS: list[tuple[str, Callable[[Data], dict[str, Any]], Callable[[Data], dict[str, Any]], dict[str, Any]]] = [
    ("approach-edit", lambda d: {"pk": d.approach.pk}, lambda d: {"objectives": "Changed", "change_note": "New objectives"}, _moved(EDIT_A)),
    ("approach-create", lambda d: {}, lambda d: {"programme": d.world.programme_b.pk}, expect(admin=MOVED, lead=OK, lead2=MOVED)),
    ("promise-add", lambda d: {"pk": d.approach.pk}, lambda d: {"section": "communications", "measure": "comms_sent", "target": "3"},
     _moved(EDIT_A)),
    ("promise-edit", lambda d: {"pk": d.promise.pk}, lambda d: {"section": "champions", "measure": "champion_ratio", "target": "40"},
     _moved(EDIT_A)),
    ("promise-delete", lambda d: {"pk": d.promise.pk}, lambda d: {}, _moved(EDIT_A)),
    ("group-approach-delete", lambda d: {"pk": d.group.pk}, lambda d: {}, _moved(EDIT_A)),
    ("approach-return", lambda d: {"pk": d.approach.pk}, lambda d: {"reason": "More risks"}, _moved(EDIT_A)),
    ("approach-approve", lambda d: {"pk": d.approach.pk}, lambda d: {}, {**_moved(EDIT_A), "lead": OK}),  # lead submitted: a form error
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "body", "expected"), POSTS, ids=[f"{p[0]}-{i}" for i, p in enumerate(POSTS)])
def test_post_matrix(client: Any, d: Data, persona: str, name: str, kwargs: Any, body: Any, expected: dict[str, Any]) -> None:
    if name in ("approach-return", "approach-approve"):
        services.approach_update(approach=d.approach, actor=d.world.users["lead"], risks="New risk")
        services.approach_submit(approach=d.approach, actor=d.world.users["lead"], note="Risks")
    expected = {**expected, "anonymous": "login"}
    _check(_client(client, d.world, persona).post(reverse(name, kwargs=kwargs(d)), body(d)), expected[persona])
    done = expected[persona] == MOVED
    approach = Approach.objects.get(pk=d.approach.pk)
    if name == "approach-edit":
        assert (approach.objectives == "Changed") is done
    elif name == "approach-create":
        assert Approach.objects.filter(programme=d.world.programme_b).exists() is done
    elif name == "promise-add":
        assert Promise.objects.filter(approach=approach, measure=Measure.COMMS_SENT).exists() is done
    elif name == "promise-edit":
        assert (Promise.objects.get(pk=d.promise.pk).target == 40) is done
    elif name == "promise-delete":
        assert (not Promise.objects.filter(pk=d.promise.pk).exists()) is done
    elif name == "group-approach-delete":
        assert (not approach.groups.exists()) is done
    elif name == "approach-return":
        assert (approach.status == Approach.Status.DRAFT) is done
    elif name == "approach-approve":
        assert (approach.version == 2) is done


def _api(table: dict[str, Any]) -> dict[str, Any]:
    return {**table, "anonymous": API_LOGIN}


def _ok(table: dict[str, Any], code: int) -> dict[str, Any]:
    return {k: (code if v == OK else v) for k, v in table.items()}


API: list[tuple[str, str, Callable[[Data], dict[str, Any]], Callable[[Data], dict[str, Any]] | None, dict[str, Any]]] = [
    ("get", "api-approach-list", lambda d: {}, None, _api(READ)),
    ("get", "api-approach-detail", lambda d: {"pk": d.approach.pk}, None, _api(READ_A)),
    ("get", "api-approach-evidence", lambda d: {"pk": d.approach.pk}, None, _api(READ_A)),
    ("get", "api-approach-groups", lambda d: {"pk": d.approach.pk}, None, _api(READ_A)),
    ("get", "api-approach-promises", lambda d: {"pk": d.approach.pk}, None, _api(READ_A)),
    ("post", "api-approach-list", lambda d: {}, lambda d: {"programme": d.world.programme_b.pk}, _api(expect(admin=201, lead=400, lead2=201))),
    ("patch", "api-approach-detail", lambda d: {"pk": d.approach.pk}, lambda d: {"risks": "API risk"}, _api(EDIT_A)),
    ("post", "api-approach-submit", lambda d: {"pk": d.approach.pk}, lambda d: {"note": "x"}, _api(_ok(EDIT_A, 400))),  # approved: not a draft
    ("post", "api-approach-approve", lambda d: {"pk": d.approach.pk}, lambda d: {}, _api(_ok(EDIT_A, 400))),
    ("post", "api-approach-return", lambda d: {"pk": d.approach.pk}, lambda d: {"reason": "x"}, _api(_ok(EDIT_A, 400))),
    ("post", "api-approach-groups", lambda d: {"pk": d.approach.pk}, lambda d: {"unit": d.world.camden.pk, "training": "t"},
     _api(_ok(EDIT_A, 201))),
    ("post", "api-approach-promises", lambda d: {"pk": d.approach.pk},
     lambda d: {"section": "training", "measure": "response_rate", "target": "50"}, _api(_ok(EDIT_A, 201))),
    ("get", "api-approach-group-list", lambda d: {}, None, _api(READ)),
    ("get", "api-approach-group-detail", lambda d: {"pk": d.group.pk}, None, _api(READ_A)),
    ("patch", "api-approach-group-detail", lambda d: {"pk": d.group.pk}, lambda d: {"training": "API training"}, _api(EDIT_A)),
    ("delete", "api-approach-group-detail", lambda d: {"pk": d.group.pk}, lambda d: {}, _api(_ok(EDIT_A, 204))),
    ("get", "api-approach-promise-list", lambda d: {}, None, _api(READ)),
    ("get", "api-approach-promise-detail", lambda d: {"pk": d.promise.pk}, None, _api(READ_A)),
    ("patch", "api-approach-promise-detail", lambda d: {"pk": d.promise.pk}, lambda d: {"target": "30"}, _api(EDIT_A)),
    ("delete", "api-approach-promise-detail", lambda d: {"pk": d.promise.pk}, lambda d: {}, _api(_ok(EDIT_A, 204))),
    ("get", "api-approach-version-list", lambda d: {}, None, _api(READ)),
    ("get", "api-approach-version-detail", lambda d: {"pk": d.approach.versions.get().pk}, None, _api(READ_A)),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "name", "kwargs", "body", "expected"), API, ids=[f"{a[0]}-{a[1]}-{i}" for i, a in enumerate(API)])
def test_api_matrix(client: Any, d: Data, persona: str, method: str, name: str, kwargs: Any, body: Any, expected: dict[str, Any]) -> None:
    c = _client(client, d.world, persona)
    url = reverse(name, kwargs=kwargs(d))
    response = c.get(url, HTTP_ACCEPT="application/json") if body is None else getattr(c, method)(url, body(d), content_type="application/json")
    assert response.status_code == expected[persona], (response.status_code, expected[persona], getattr(response, "data", None))


def test_lists_show_only_what_is_in_scope(client: Any, d: Data) -> None:
    client.force_login(d.world.users["lead2"])
    assert "AAA" not in client.get(reverse("approach-list")).content.decode()
    assert client.get(reverse("api-approach-list"), HTTP_ACCEPT="application/json").json()["count"] == 0
    client.force_login(d.world.users["board"])
    assert "AAA" in client.get(reverse("approach-list")).content.decode()

