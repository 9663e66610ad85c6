"""The permission matrix of the register's pages and API: the register is
portfolio-wide (change managers, the Board and auditors read it; change
managers add and change), a programme's mapping follows its programme
(another programme's is a 404), champions never see the register (403)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from changeboard.core.models import PendingUpload
from changeboard.core.tests.test_permissions import API_LOGIN, HIDDEN, OK, PERSONAS, _check, _client, expect

from ..models import Stakeholder, StakeholderAssessment
from ..services import stakeholders as services

COVERED_NAMES = {"stakeholder-list", "stakeholder-create", "stakeholder-import", "stakeholder-import-preview", "stakeholder-detail",
                 "stakeholder-edit", "stakeholder-review", "stakeholder-active", "stakeholder-assessment-create",
                 "stakeholder-assessment-detail", "stakeholder-assessment-edit", "stakeholder-assessment-delete", "stakeholder-map",
                 "api-stakeholder-list", "api-stakeholder-detail", "api-stakeholder-assessment-list", "api-stakeholder-assessment-detail"}

MOVED = 302
READ = expect(admin=OK, board=OK, lead=OK, lead2=OK, auditor=OK)
WRITE = expect(admin=OK, lead=OK, lead2=OK)
VIEW_A = expect(admin=OK, board=OK, lead=OK, lead2=HIDDEN, auditor=OK)
EDIT_A = expect(admin=OK, lead=OK, lead2=HIDDEN)


class Register:
    def __init__(self, world: Any) -> None:
        self.world = world
        self.person = services.stakeholder_create(kind="person", staff=world.staff_in, actor=None)
        self.body = services.stakeholder_create(kind="group", group_kind="body", name="Police Federation", actor=None)
        self.a = services.assessment_create(stakeholder=self.person, programme=world.programme_a, influence=4, interest=4, actor=None)
        self.b = services.assessment_create(stakeholder=self.person, programme=world.programme_b, influence=2, interest=2, actor=None)


@pytest.fixture
def r(world: Any) -> Register:
    return Register(world)


PAGES: list[tuple[str, Callable[[Register], dict[str, Any]], dict[str, Any]]] = [
    ("stakeholder-list", lambda r: {}, READ),
    ("stakeholder-create", lambda r: {}, WRITE),
    ("stakeholder-import", lambda r: {}, WRITE),
    ("stakeholder-map", lambda r: {}, READ),
    ("stakeholder-detail", lambda r: {"pk": r.person.pk}, READ),
    ("stakeholder-detail", lambda r: {"pk": 999999}, expect(admin=HIDDEN, board=HIDDEN, lead=HIDDEN, lead2=HIDDEN, auditor=HIDDEN)),
    ("stakeholder-edit", lambda r: {"pk": r.person.pk}, WRITE),
    ("stakeholder-assessment-create", lambda r: {"pk": r.body.pk}, WRITE),
    ("stakeholder-assessment-detail", lambda r: {"pk": r.a.pk}, VIEW_A),
    ("stakeholder-assessment-detail", lambda r: {"pk": r.b.pk}, expect(admin=OK, board=OK, lead=HIDDEN, lead2=OK, auditor=OK)),
    ("stakeholder-assessment-edit", lambda r: {"pk": r.a.pk}, EDIT_A),
    ("stakeholder-assessment-edit", lambda r: {"pk": r.b.pk}, expect(admin=OK, lead=HIDDEN, lead2=OK)),
    ("stakeholder-assessment-delete", lambda r: {"pk": r.a.pk}, EDIT_A),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "expected"), PAGES, ids=[f"{p[0]}-{i}" for i, p in enumerate(PAGES)])
def test_page_matrix(client: Any, r: Register, persona: str, name: str, kwargs: Any, expected: dict[str, Any]) -> None:
    _check(_client(client, r.world, persona).get(reverse(name, kwargs=kwargs(r))), expected[persona])


POSTS: list[tuple[str, Callable[[Register], dict[str, Any]], dict[str, Any], dict[str, Any]]] = [
    ("stakeholder-review", lambda r: {"pk": r.person.pk}, {}, expect(admin=MOVED, lead=MOVED, lead2=MOVED)),
    ("stakeholder-active", lambda r: {"pk": r.body.pk}, {"active": "0"}, expect(admin=MOVED, lead=MOVED, lead2=MOVED)),
    ("stakeholder-assessment-delete", lambda r: {"pk": r.a.pk}, {}, expect(admin=MOVED, lead=MOVED, lead2=HIDDEN)),
    ("stakeholder-assessment-edit", lambda r: {"pk": r.a.pk},
     {"influence": "1", "interest": "1", "current_position": "3", "target_position": "4"}, expect(admin=MOVED, lead=MOVED, lead2=HIDDEN)),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "body", "expected"), POSTS, ids=[f"{p[0]}-{i}" for i, p in enumerate(POSTS)])
def test_post_matrix(client: Any, r: Register, persona: str, name: str, kwargs: Any, body: dict[str, Any], expected: dict[str, Any]) -> None:
    _check(_client(client, r.world, persona).post(reverse(name, kwargs=kwargs(r)), body), expected[persona])
    done = expected[persona] == MOVED
    if name == "stakeholder-active":
        assert Stakeholder.objects.get(pk=r.body.pk).active is not done
    elif name == "stakeholder-assessment-delete":
        assert StakeholderAssessment.objects.filter(pk=r.a.pk).exists() is not done
    elif name == "stakeholder-assessment-edit":
        assert (StakeholderAssessment.objects.get(pk=r.a.pk).influence == 1) is done


@pytest.mark.parametrize("persona", PERSONAS)
def test_an_import_preview_is_its_uploaders_alone(client: Any, r: Register, persona: str) -> None:
    pending = PendingUpload.objects.create(kind=PendingUpload.Kind.STAKEHOLDERS, uploaded_by=r.world.users["lead"],
                                           original_filename="s.csv", file=ContentFile(b"kind\r\nexternal\r\n", name="s.csv"))
    expected = expect(admin=HIDDEN, lead=OK, lead2=HIDDEN)[persona]
    response = _client(client, r.world, persona).get(reverse("stakeholder-import-preview", kwargs={"token": pending.token}))
    _check(response, expected)


def _api(expected: dict[str, Any]) -> dict[str, Any]:
    return {**expected, "anonymous": API_LOGIN}


API: list[tuple[str, str, Callable[[Register], dict[str, Any]], Callable[[Register], dict[str, Any]] | None, dict[str, Any]]] = [
    ("get", "api-stakeholder-list", lambda r: {}, None, _api(READ)),
    ("get", "api-stakeholder-detail", lambda r: {"pk": r.person.pk}, None, _api(READ)),
    ("post", "api-stakeholder-list", lambda r: {}, lambda r: {"kind": "external", "name": "Jo Bloggs"}, _api(expect(admin=201, lead=201, lead2=201))),
    ("patch", "api-stakeholder-detail", lambda r: {"pk": r.body.pk}, lambda r: {"notes": "Met in May"}, _api(WRITE)),
    ("get", "api-stakeholder-assessment-list", lambda r: {}, None, _api(READ)),
    ("get", "api-stakeholder-assessment-detail", lambda r: {"pk": r.a.pk}, None, _api(VIEW_A)),
    ("patch", "api-stakeholder-assessment-detail", lambda r: {"pk": r.a.pk}, lambda r: {"interest": 5}, _api(EDIT_A)),
    # Programme B is out of a lead's scope: it reads as no such programme (400), never a 201.
    ("post", "api-stakeholder-assessment-list", lambda r: {},
     lambda r: {"stakeholder": r.body.pk, "programme": r.world.programme_b.pk, "influence": 3, "interest": 3},
     _api(expect(admin=201, lead=400, lead2=201))),
    ("delete", "api-stakeholder-assessment-detail", lambda r: {"pk": r.a.pk}, lambda r: {}, _api(expect(admin=204, lead=204, lead2=HIDDEN))),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "name", "kwargs", "body", "expected"), API, ids=[f"{a[0]}-{a[1]}-{i}" for i, a in enumerate(API)])
def test_api_matrix(client: Any, r: Register, persona: str, method: str, name: str, kwargs: Any, body: Any, expected: dict[str, Any]) -> None:
    c = _client(client, r.world, persona)
    url = reverse(name, kwargs=kwargs(r))
    response = c.get(url, HTTP_ACCEPT="application/json") if body is None else getattr(c, method)(url, body(r), content_type="application/json")
    assert response.status_code == expected[persona], (response.status_code, expected[persona], getattr(response, "data", None))


def test_lists_show_only_what_is_in_scope(client: Any, r: Register) -> None:
    c = _client(client, r.world, "lead")
    rows = c.get(reverse("api-stakeholder-assessment-list"), HTTP_ACCEPT="application/json").json()["results"]
    assert [row["programme_code"] for row in rows] == ["AAA"]
    page = c.get(reverse("stakeholder-detail", args=[r.person.pk]))
    assert b"AAA" in page.content and b"BBB" not in page.content
    grid = c.get(reverse("stakeholder-map"))
    assert b"(BBB)" not in grid.content
