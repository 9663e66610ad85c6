"""The permission matrix of the framework, practitioner, assessment and
skills pages and their API: everyone who may view reads the framework and
only admins change it; change managers see every practitioner and change
those in their programmes or whom they coach (another's is a 404); a
champion sees only their own record. A self-assessment is the
practitioner's own (anyone else: 403), a coach's is their coach's or an
admin's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from changeboard.conftest import make_staff
from changeboard.core.tests.test_permissions import API_LOGIN, HIDDEN, OK, PERSONAS, _check, _client, expect

from ..models import Assessment, Competency, Framework, Practitioner, PractitionerRole
from .capability_data import Data, build
from .factories import ratings_for

COVERED_NAMES = {"framework-detail-current", "framework-detail", "framework-edit", "competency-add", "competency-edit",
                 "practitioner-role-add", "practitioner-role-edit", "practitioner-list", "practitioner-add", "practitioner-detail",
                 "practitioner-edit", "assessment-add", "skills-matrix",
                 "api-capability-framework-list", "api-capability-framework-detail", "api-practitioner-list", "api-practitioner-detail",
                 "api-capability-assessment-list", "api-capability-assessment-detail"}

MOVED = 302
READ = expect(admin=OK, board=OK, lead=OK, lead2=OK, champion=OK, auditor=OK)
ADMIN = expect(admin=OK)
ADDERS = expect(admin=OK, lead=OK, lead2=OK)
EDIT_ALEX = expect(admin=OK, lead=OK, lead2=HIDDEN)
EDIT_BLAIR = expect(admin=OK, lead=HIDDEN, lead2=OK)
NOT_CHAMPION = {**READ, "champion": HIDDEN}


@pytest.fixture
def d(world: Any) -> Data:
    return build(world)


def _url(name: str, kwargs: dict[str, Any], query: str = "") -> str:
    return reverse(name, kwargs=kwargs) + query


PAGES: list[tuple[str, Callable[[Data], dict[str, Any]], str, dict[str, Any]]] = [
    ("framework-detail-current", lambda d: {}, "", READ),
    ("framework-detail", lambda d: {"pk": d.framework.pk}, "", READ),
    ("framework-detail", lambda d: {"pk": 999999}, "", expect(HIDDEN)),
    ("framework-edit", lambda d: {"pk": d.framework.pk}, "", ADMIN),
    ("competency-add", lambda d: {"pk": d.framework.pk}, "", ADMIN),
    ("competency-edit", lambda d: {"pk": d.competency.pk}, "", ADMIN),
    ("practitioner-role-add", lambda d: {"pk": d.framework.pk}, "", ADMIN),
    ("practitioner-role-edit", lambda d: {"pk": d.role.pk}, "", ADMIN),
    ("practitioner-list", lambda d: {}, "", READ),
    ("practitioner-list", lambda d: {}, "?export=csv", READ),
    ("practitioner-add", lambda d: {}, "", ADDERS),
    ("practitioner-detail", lambda d: {"pk": d.alex.pk}, "", READ),
    ("practitioner-detail", lambda d: {"pk": d.blair.pk}, "", NOT_CHAMPION),
    ("practitioner-detail", lambda d: {"pk": 999999}, "", expect(HIDDEN)),
    ("practitioner-edit", lambda d: {"pk": d.alex.pk}, "", EDIT_ALEX),
    ("practitioner-edit", lambda d: {"pk": d.blair.pk}, "", EDIT_BLAIR),
    ("assessment-add", lambda d: {"pk": d.alex.pk}, "?kind=self", expect(champion=OK)),
    ("assessment-add", lambda d: {"pk": d.alex.pk}, "", expect(champion=OK, admin=OK, lead=OK)),  # their own kind: self, or coach
    ("assessment-add", lambda d: {"pk": d.alex.pk}, "?kind=coach", expect(admin=OK, lead=OK)),
    ("assessment-add", lambda d: {"pk": d.blair.pk}, "?kind=coach", expect(admin=OK, lead2=OK, champion=HIDDEN)),
    ("assessment-add", lambda d: {"pk": d.alex.pk}, "?kind=peer", expect(HIDDEN, board=403, auditor=403)),
    ("skills-matrix", lambda d: {}, "", READ),
    ("skills-matrix", lambda d: {}, "?format=xlsx", READ),
    ("skills-matrix", lambda d: {}, "?programme={b}", {**NOT_CHAMPION, "lead": HIDDEN, "auditor": HIDDEN}),  # auditors see no programmes
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "query", "expected"), PAGES, ids=[f"{p[0]}-{i}" for i, p in enumerate(PAGES)])
def test_page_matrix(client: Any, d: Data, persona: str, name: str, kwargs: Any, query: str, expected: dict[str, Any]) -> None:
    url = _url(name, kwargs(d), query.format(b=d.world.programme_b.pk))
    _check(_client(client, d.world, persona).get(url), expected[persona])


def _moved(ok: dict[str, Any]) -> dict[str, Any]:
    return {k: (MOVED if v == OK else v) for k, v in ok.items()}


def _levels(d: Data, level: int) -> dict[str, Any]:
    return {f"c{pk}": str(value) for pk, value in ratings_for(level).items()}


POSTS: list[tuple[str, Callable[[Data], dict[str, Any]], str, Callable[[Data], dict[str, Any]], dict[str, Any]]] = [
    ("framework-edit", lambda d: {"pk": d.framework.pk}, "", lambda d: {"name": "Renamed framework", "description": ""}, _moved(ADMIN)),
    ("competency-add", lambda d: {"pk": d.framework.pk}, "", lambda d: {"name": "Benefits"}, _moved(ADMIN)),
    ("competency-edit", lambda d: {"pk": d.competency.pk}, "", lambda d: {"name": "Coaching others", "code": "coaching"}, _moved(ADMIN)),
    ("practitioner-role-add", lambda d: {"pk": d.framework.pk}, "", lambda d: {"name": "Trainer"}, _moved(ADMIN)),
    ("practitioner-role-edit", lambda d: {"pk": d.role.pk}, "", lambda d: {"name": "Champion"}, _moved(ADMIN)),
    ("practitioner-add", lambda d: {}, "", lambda d: {"staff_number": "100090", "role": d.role.pk}, _moved(ADDERS)),
    ("practitioner-edit", lambda d: {"pk": d.alex.pk}, "", lambda d: {"role": d.role.pk, "coach": d.world.users["lead2"].pk,
                                                                                     "user": d.world.users["champion"].pk, "active": "on"},
     _moved(EDIT_ALEX)),
    ("assessment-add", lambda d: {"pk": d.alex.pk}, "?kind=self", lambda d: _levels(d, 2), _moved(expect(champion=OK))),
    ("assessment-add", lambda d: {"pk": d.alex.pk}, "?kind=coach", lambda d: _levels(d, 3), _moved(expect(admin=OK, lead=OK))),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "query", "body", "expected"), POSTS, ids=[f"{p[0]}-{i}" for i, p in enumerate(POSTS)])
def test_post_matrix(client: Any, d: Data, persona: str, name: str, kwargs: Any, query: str, body: Any, expected: dict[str, Any]) -> None:
    make_staff("100090", d.world.team, first_name="Dana", last_name="New")
    _check(_client(client, d.world, persona).post(_url(name, kwargs(d), query), body(d)), expected[persona])
    done = expected[persona] == MOVED
    if name == "framework-edit":
        assert Framework.objects.filter(name="Renamed framework").exists() is done
    elif name == "competency-add":
        assert Competency.objects.filter(name="Benefits").exists() is done
    elif name == "competency-edit":
        assert Competency.objects.filter(name="Coaching others").exists() is done
    elif name == "practitioner-role-add":
        assert PractitionerRole.objects.filter(name="Trainer").exists() is done
    elif name == "practitioner-role-edit":
        assert PractitionerRole.objects.filter(name="Champion").exists() is done
    elif name == "practitioner-add":
        assert Practitioner.objects.filter(staff__staff_number="100090").exists() is done
    elif name == "practitioner-edit":
        alex = Practitioner.objects.get(pk=d.alex.pk)
        assert (alex.coach == d.world.users["lead2"]) is done
        assert alex.user == d.world.users["champion"] and alex.active
    elif name == "assessment-add":
        kind = "self" if "self" in query else "coach"
        assert Assessment.objects.filter(practitioner=d.alex, kind=kind, ratings__level=2 if kind == "self" else 3).exists() is done


def _api(expected: dict[str, Any]) -> dict[str, Any]:
    return {**expected, "anonymous": API_LOGIN}


def _ok(table: dict[str, Any], code: int) -> dict[str, Any]:
    return {k: (code if v == OK else v) for k, v in table.items()}


def _ratings(level: int) -> list[dict[str, int]]:
    return [{"competency": pk, "level": level} for pk in ratings_for(level)]


API: list[tuple[str, str, Callable[[Data], dict[str, Any]], Callable[[Data], dict[str, Any]] | None, dict[str, Any]]] = [
    ("get", "api-capability-framework-list", lambda d: {}, None, _api(READ)),
    ("get", "api-capability-framework-detail", lambda d: {"pk": d.framework.pk}, None, _api(READ)),
    ("get", "api-practitioner-list", lambda d: {}, None, _api(READ)),
    ("get", "api-practitioner-detail", lambda d: {"pk": d.alex.pk}, None, _api(READ)),
    ("get", "api-practitioner-detail", lambda d: {"pk": d.blair.pk}, None, _api(NOT_CHAMPION)),
    ("post", "api-practitioner-list", lambda d: {}, lambda d: {"staff_number": "100090", "role": d.role.pk}, _api(_ok(ADDERS, 201))),
    ("patch", "api-practitioner-detail", lambda d: {"pk": d.alex.pk}, lambda d: {"active": True}, _api(EDIT_ALEX)),
    ("patch", "api-practitioner-detail", lambda d: {"pk": d.blair.pk}, lambda d: {"active": True}, _api(EDIT_BLAIR)),
    ("get", "api-capability-assessment-list", lambda d: {}, None, _api(READ)),
    ("get", "api-capability-assessment-detail", lambda d: {"pk": d.alex_self.pk}, None, _api(READ)),
    ("get", "api-capability-assessment-detail", lambda d: {"pk": d.blair_coach.pk}, None, _api(NOT_CHAMPION)),
    ("post", "api-capability-assessment-list", lambda d: {}, lambda d: {"practitioner": d.alex.pk, "kind": "self", "ratings": _ratings(2)},
     _api(expect(champion=201))),
    ("post", "api-capability-assessment-list", lambda d: {}, lambda d: {"practitioner": d.alex.pk, "kind": "coach", "ratings": _ratings(3)},
     _api(expect(admin=201, lead=201))),
    ("post", "api-capability-assessment-list", lambda d: {}, lambda d: {"practitioner": d.blair.pk, "kind": "coach", "ratings": _ratings(3)},
     _api(expect(admin=201, lead2=201, champion=400))),  # Blair reads as no such practitioner to the champion
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "name", "kwargs", "body", "expected"), API, ids=[f"{a[0]}-{a[1]}-{i}" for i, a in enumerate(API)])
def test_api_matrix(client: Any, d: Data, persona: str, method: str, name: str, kwargs: Any, body: Any, expected: dict[str, Any]) -> None:
    make_staff("100090", d.world.team, first_name="Dana", last_name="New")
    c = _client(client, d.world, persona)
    call = getattr(c, method)
    extra: dict[str, Any] = {"HTTP_ACCEPT": "application/json"}
    if body is not None:
        extra.update(data=body(d), content_type="application/json")
    response = call(reverse(name, kwargs=kwargs(d)), **extra)
    assert response.status_code == expected[persona], (response.status_code, expected[persona], response.content[:300])
