"""The permission matrix of the pool's pages and API: the pool is
force-wide (change managers, the Board and auditors read every entry; a
champion reads the champions in their units); a change manager nominates
for their programmes and changes only the champions their programmes ask
(another's is a 404), and only their programmes' asks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from changeboard.conftest import make_staff
from changeboard.core.tests.test_permissions import API_LOGIN, HIDDEN, OK, PERSONAS, _check, _client, expect
from changeboard.organisation.models import Staff

from ..models import Champion, Support
from ..services import champions as services
from .pool_data import Pool, build_pool

COVERED_NAMES = {"champion-list", "champion-detail", "champion-nominate", "champion-edit", "champion-end", "champion-review",
                 "support-edit", "support-end", "network-load",
                 "api-champion-list", "api-champion-detail", "api-champion-end", "api-champion-review",
                 "api-champion-support-list", "api-champion-support-detail", "api-champion-support-end", "api-network-load"}

MOVED = 302
READ = expect(admin=OK, board=OK, lead=OK, lead2=OK, champion=OK, auditor=OK)
ADDERS = expect(admin=OK, lead=OK, lead2=OK)
EDIT_ALEX = expect(admin=OK, lead=OK, lead2=HIDDEN)  # only programme A asks Alex
EDIT_B = expect(admin=OK, lead=HIDDEN, lead2=OK)


@pytest.fixture
def p(world: Any) -> Pool:
    return build_pool(world)


PAGES: list[tuple[str, Callable[[Pool], dict[str, Any]], dict[str, Any]]] = [
    ("champion-list", lambda p: {}, READ),
    ("network-load", lambda p: {}, READ),
    ("champion-nominate", lambda p: {}, ADDERS),
    ("champion-detail", lambda p: {"pk": p.alex.pk}, READ),
    ("champion-detail", lambda p: {"pk": p.blair.pk}, {**READ, "champion": HIDDEN}),  # Camden is outside the champion's units
    ("champion-detail", lambda p: {"pk": 999999}, expect(HIDDEN)),
    ("champion-edit", lambda p: {"pk": p.alex.pk}, EDIT_ALEX),
    ("champion-edit", lambda p: {"pk": p.casey.pk}, expect(admin=OK, lead=OK, lead2=OK)),  # asked by A and B
    ("champion-end", lambda p: {"pk": p.alex.pk}, EDIT_ALEX),
    ("champion-review", lambda p: {"pk": p.alex.pk}, EDIT_ALEX),
    ("champion-review", lambda p: {"pk": p.blair.pk}, EDIT_B),
    ("support-edit", lambda p: {"pk": p.support_a.pk}, EDIT_ALEX),
    ("support-edit", lambda p: {"pk": p.casey_b.pk}, EDIT_B),
    ("support-end", lambda p: {"pk": p.support_a.pk}, EDIT_ALEX),
    ("support-end", lambda p: {"pk": p.casey_b.pk}, EDIT_B),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "expected"), PAGES, ids=[f"{p[0]}-{i}" for i, p in enumerate(PAGES)])
def test_page_matrix(client: Any, p: Pool, persona: str, name: str, kwargs: Any, expected: dict[str, Any]) -> None:
    _check(_client(client, p.world, persona).get(reverse(name, kwargs=kwargs(p))), expected[persona])


def _moved(ok: dict[str, Any]) -> dict[str, Any]:
    return {k: (MOVED if v == OK else v) for k, v in ok.items()}


POSTS: list[tuple[str, Callable[[Pool], dict[str, Any]], Callable[[Pool], dict[str, Any]], dict[str, Any]]] = [
    ("champion-nominate", lambda p: {}, lambda p: {"programme": p.world.programme_a.pk, "staff_number": "100009", "hours_asked": "2",
                                                   "hours_agreed": "4", "nominated_as": "change_manager"},
     expect(admin=MOVED, lead=MOVED, lead2=OK)),  # lead2: programme A is not theirs (a form error)
    ("champion-edit", lambda p: {"pk": p.alex.pk}, lambda p: {"hours_agreed": "9", "units": [p.world.westminster.pk], "start_date": "2026-01-05"},
     _moved(EDIT_ALEX)),
    ("champion-end", lambda p: {"pk": p.alex.pk}, lambda p: {}, _moved(EDIT_ALEX)),
    ("champion-review", lambda p: {"pk": p.alex.pk}, lambda p: {"follow_move": "1"}, _moved(EDIT_ALEX)),
    ("support-edit", lambda p: {"pk": p.support_a.pk}, lambda p: {"hours_asked": "1"}, _moved(EDIT_ALEX)),
    ("support-end", lambda p: {"pk": p.support_a.pk}, lambda p: {}, _moved(EDIT_ALEX)),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "body", "expected"), POSTS, ids=[f"{p[0]}-{i}" for i, p in enumerate(POSTS)])
def test_post_matrix(client: Any, p: Pool, persona: str, name: str, kwargs: Any, body: Any, expected: dict[str, Any]) -> None:
    make_staff("100009", p.world.team, first_name="Dana", last_name="New")
    Staff.objects.filter(pk=p.world.staff_in.pk).update(unit=p.world.camden)
    services.sync_from_staff()  # Alex moved: their entry needs a review
    _check(_client(client, p.world, persona).post(reverse(name, kwargs=kwargs(p)), body(p)), expected[persona])
    done = expected[persona] == MOVED
    alex = Champion.objects.get(pk=p.alex.pk)
    if name == "champion-nominate":
        assert Champion.objects.filter(staff__staff_number="100009").exists() is done
    elif name == "champion-edit":
        assert (alex.hours_agreed == 9) is done
    elif name == "champion-end":
        assert (alex.status == Champion.Status.ENDED) is done
    elif name == "champion-review":
        assert (alex.needs_review == "") is done
    elif name == "support-edit":
        assert (Support.objects.get(pk=p.support_a.pk).hours_asked == 1) is done
    elif name == "support-end":
        assert Support.objects.get(pk=p.support_a.pk).active is not done


def _api(expected: dict[str, Any]) -> dict[str, Any]:
    return {**expected, "anonymous": API_LOGIN}


def _ok(table: dict[str, Any], code: int) -> dict[str, Any]:
    return {k: (code if v == OK else v) for k, v in table.items()}


API: list[tuple[str, str, Callable[[Pool], dict[str, Any]], Callable[[Pool], dict[str, Any]] | None, dict[str, Any]]] = [
    ("get", "api-champion-list", lambda p: {}, None, _api(READ)),
    ("get", "api-champion-detail", lambda p: {"pk": p.alex.pk}, None, _api(READ)),
    ("get", "api-champion-detail", lambda p: {"pk": p.blair.pk}, None, _api({**READ, "champion": HIDDEN})),
    ("post", "api-champion-list", lambda p: {}, lambda p: {"staff_number": "200001", "programme": p.world.programme_a.pk, "hours_asked": 2},
     _api(expect(admin=201, lead=201, lead2=400))),  # lead2: programme A reads as no such programme
    ("patch", "api-champion-detail", lambda p: {"pk": p.alex.pk}, lambda p: {"hours_agreed": "5"}, _api(EDIT_ALEX)),
    ("post", "api-champion-end", lambda p: {"pk": p.alex.pk}, lambda p: {}, _api(EDIT_ALEX)),
    ("post", "api-champion-review", lambda p: {"pk": p.alex.pk}, lambda p: {}, _api(_ok(EDIT_ALEX, 400))),  # nothing to review
    ("get", "api-champion-support-list", lambda p: {}, None, _api(READ)),
    ("get", "api-champion-support-detail", lambda p: {"pk": p.casey_b.pk}, None, _api(READ)),
    ("post", "api-champion-support-list", lambda p: {}, lambda p: {"champion": p.alex.pk, "programme": p.world.programme_b.pk, "hours_asked": 1},
     _api(expect(admin=201, lead=400, lead2=201))),
    ("patch", "api-champion-support-detail", lambda p: {"pk": p.support_a.pk}, lambda p: {"hours_asked": "2"}, _api(EDIT_ALEX)),
    ("post", "api-champion-support-end", lambda p: {"pk": p.support_a.pk}, lambda p: {}, _api(EDIT_ALEX)),
    ("get", "api-network-load", lambda p: {}, None, _api(READ)),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "name", "kwargs", "body", "expected"), API, ids=[f"{a[0]}-{a[1]}-{i}" for i, a in enumerate(API)])
def test_api_matrix(client: Any, p: Pool, persona: str, method: str, name: str, kwargs: Any, body: Any, expected: dict[str, Any]) -> None:
    c = _client(client, p.world, persona)
    url = reverse(name, kwargs=kwargs(p))
    response = c.get(url, HTTP_ACCEPT="application/json") if body is None else getattr(c, method)(url, body(p), content_type="application/json")
    assert response.status_code == expected[persona], (response.status_code, expected[persona], getattr(response, "data", None))
