"""The permission matrix of the planning pages and API: change managers
edit their own programmes' runbooks (another programme's is 404), the
Board and auditors read all, champions read the runbooks of programmes going
live in their units, and anyone who owns a task in a runbook (here the
champion, in programme B's) may view it. Templates are read by everyone
who reads runbooks and changed by admins only; teams are changed by change
managers and admins."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from changeboard.core.tests.test_permissions import API_LOGIN, DENY, HIDDEN, OK, PERSONAS, _check, _client, expect

from ..models import Dependency, Runbook
from ..services import runbooks as services
from .plan_helpers import add, make_runbook, make_template, small_plan

COVERED_NAMES = {
    "runbook-list", "runbook-create", "runbook-template-create", "runbook-detail", "runbook-edit", "runbook-delete", "runbook-copy",
    "runbook-save-template", "runbook-history", "task-create", "task-detail", "task-edit", "task-delete",
    "team-list", "team-create", "team-detail", "team-edit",
    "api-runbook-list", "api-runbook-detail", "api-runbook-schedule", "api-task-list", "api-task-detail",
    "api-dependency-list", "api-dependency-detail", "api-team-list", "api-team-detail",
}

MOVED = 302
READ_ALL = expect(admin=OK, board=OK, lead=OK, lead2=OK, champion=OK, auditor=OK)
VIEW_A = expect(admin=OK, board=OK, lead=OK, lead2=HIDDEN, champion=OK, auditor=OK)
# Programme B's runbook with a task the champion owns: the champion reads it; programme A's lead does not.
VIEW_B_OWNED = expect(admin=OK, board=OK, lead=HIDDEN, lead2=OK, champion=OK, auditor=OK)
# Programme B's runbook without: the champion (of a unit in wave A) does not see it.
VIEW_B = expect(admin=OK, board=OK, lead=HIDDEN, lead2=OK, champion=HIDDEN, auditor=OK)
EDIT_A = expect(admin=OK, lead=OK, lead2=HIDDEN)
ADDERS = expect(admin=OK, lead=OK, lead2=OK)
ADMIN = expect(admin=OK)


class Plan:
    def __init__(self, world: Any) -> None:
        self.world = world
        self.a = make_runbook(world)
        self.tasks = small_plan(self.a)
        self.b = make_runbook(world, programme="b", title="Case files go-live")
        self.b_task = add(self.b, "B-1")
        self.b_owned = make_runbook(world, programme="b", title="Case files rehearsal weekend")
        self.owned_task = add(self.b_owned, "B-2", owner_user=world.users["champion"])
        self.template = make_template()
        self.team = services.team_save(name="Service desk", actor=None)
        self.link = Dependency.objects.get(successor=self.tasks["B"])


@pytest.fixture
def p(world: Any) -> Plan:
    return Plan(world)


PAGES: list[tuple[str, Callable[[Plan], dict[str, Any]], dict[str, Any]]] = [
    ("runbook-list", lambda p: {}, READ_ALL),
    ("runbook-create", lambda p: {}, ADDERS),
    ("runbook-template-create", lambda p: {}, ADMIN),
    ("runbook-detail", lambda p: {"pk": p.a.pk}, VIEW_A),
    ("runbook-detail", lambda p: {"pk": p.b.pk}, VIEW_B),
    ("runbook-detail", lambda p: {"pk": p.b_owned.pk}, VIEW_B_OWNED),
    ("runbook-detail", lambda p: {"pk": p.template.pk}, READ_ALL),
    ("runbook-history", lambda p: {"pk": p.a.pk}, VIEW_A),
    ("runbook-history", lambda p: {"pk": p.b_owned.pk}, VIEW_B_OWNED),
    ("runbook-edit", lambda p: {"pk": p.a.pk}, EDIT_A),
    ("runbook-edit", lambda p: {"pk": p.template.pk}, expect(admin=OK, lead=HIDDEN, lead2=HIDDEN)),
    ("runbook-delete", lambda p: {"pk": p.a.pk}, EDIT_A),
    ("runbook-copy", lambda p: {"pk": p.a.pk}, EDIT_A),
    ("runbook-copy", lambda p: {"pk": p.template.pk}, ADDERS),
    ("runbook-save-template", lambda p: {"pk": p.a.pk}, ADMIN),
    ("task-create", lambda p: {"runbook_pk": p.a.pk}, EDIT_A),
    ("task-create", lambda p: {"runbook_pk": p.b_owned.pk}, expect(admin=OK, lead=HIDDEN, lead2=OK)),
    ("task-detail", lambda p: {"pk": p.tasks["A"].pk}, VIEW_A),
    ("task-detail", lambda p: {"pk": p.owned_task.pk}, VIEW_B_OWNED),
    ("task-detail", lambda p: {"pk": p.b_task.pk}, VIEW_B),
    ("task-edit", lambda p: {"pk": p.tasks["A"].pk}, EDIT_A),
    ("task-edit", lambda p: {"pk": p.owned_task.pk}, expect(admin=OK, lead=HIDDEN, lead2=OK)),
    ("task-delete", lambda p: {"pk": p.tasks["A"].pk}, EDIT_A),
    ("team-list", lambda p: {}, READ_ALL),
    ("team-detail", lambda p: {"pk": p.team.pk}, READ_ALL),
    ("team-create", lambda p: {}, ADDERS),
    ("team-edit", lambda p: {"pk": p.team.pk}, ADDERS),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "expected"), PAGES, ids=[f"{page[0]}-{i}" for i, page in enumerate(PAGES)])
def test_page_matrix(client: Any, p: Plan, persona: str, name: str, kwargs: Any, expected: dict[str, Any]) -> None:
    _check(_client(client, p.world, persona).get(reverse(name, kwargs=kwargs(p))), expected[persona])


POSTS: list[tuple[str, Callable[[Plan], dict[str, Any]], Callable[[Plan], dict[str, Any]], dict[str, Any]]] = [
    ("runbook-edit", lambda p: {"pk": p.a.pk}, lambda p: {"title": "Changed", "planned_start": "2027-03-06T22:00", "late_threshold_minutes": "30"},
     expect(admin=MOVED, lead=MOVED, lead2=HIDDEN)),
    ("task-edit", lambda p: {"pk": p.tasks["C"].pk},
     lambda p: {"ref": "C", "title": "Changed", "stream": "Business", "kind": "normal", "duration_minutes": "20", "predecessors": "A"},
     expect(admin=MOVED, lead=MOVED, lead2=HIDDEN)),
    ("task-delete", lambda p: {"pk": p.tasks["C"].pk}, lambda p: {}, expect(admin=MOVED, lead=MOVED, lead2=HIDDEN)),
    ("runbook-delete", lambda p: {"pk": p.a.pk}, lambda p: {}, expect(admin=MOVED, lead=MOVED, lead2=HIDDEN)),
    ("runbook-save-template", lambda p: {"pk": p.a.pk}, lambda p: {"title": "Changed"}, expect(admin=MOVED)),
    ("runbook-edit", lambda p: {"pk": p.template.pk}, lambda p: {"title": "Changed", "planned_start": "2027-03-06T22:00",
                                                                   "late_threshold_minutes": "30"}, expect(admin=MOVED, lead=HIDDEN, lead2=HIDDEN)),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "body", "expected"), POSTS, ids=[f"{post[0]}-{i}" for i, post in enumerate(POSTS)])
def test_post_matrix(client: Any, p: Plan, persona: str, name: str, kwargs: Any, body: Any, expected: dict[str, Any]) -> None:
    response = _client(client, p.world, persona).post(reverse(name, kwargs=kwargs(p)), body(p))
    _check(response, expected[persona])
    changed = Runbook.objects.filter(title="Changed").exists() or p.a.tasks.filter(title="Changed").exists()
    gone = not p.a.tasks.filter(ref="C").exists() or not Runbook.objects.filter(pk=p.a.pk).exists()
    assert (changed or gone) is (expected[persona] == MOVED)


def _api(expected: dict[str, Any]) -> dict[str, Any]:
    return {**expected, "anonymous": API_LOGIN}


def _task_body(p: Plan) -> dict[str, Any]:
    return {"runbook": p.a.pk, "ref": "N-1", "title": "New", "duration_minutes": 10, "predecessors": "D"}


API: list[tuple[str, str, Callable[[Plan], dict[str, Any]], Callable[[Plan], dict[str, Any]] | None, dict[str, Any]]] = [
    ("get", "api-runbook-list", lambda p: {}, None, _api(READ_ALL)),
    ("get", "api-runbook-detail", lambda p: {"pk": p.a.pk}, None, _api(VIEW_A)),
    ("get", "api-runbook-detail", lambda p: {"pk": p.b_owned.pk}, None, _api(VIEW_B_OWNED)),
    ("get", "api-runbook-schedule", lambda p: {"pk": p.a.pk}, None, _api(VIEW_A)),
    ("get", "api-runbook-schedule", lambda p: {"pk": p.b.pk}, None, _api(VIEW_B)),
    ("patch", "api-runbook-detail", lambda p: {"pk": p.a.pk}, lambda p: {"title": "Changed"}, _api(EDIT_A)),
    ("patch", "api-runbook-detail", lambda p: {"pk": p.template.pk}, lambda p: {"title": "Changed"},
     _api(expect(admin=OK, lead=HIDDEN, lead2=HIDDEN))),
    # Another programme's wave reads as no such wave: a 400 on the field, never a 201.
    ("post", "api-runbook-list", lambda p: {}, lambda p: {"programme": p.world.programme_a.pk, "rollout_wave": p.world.wave_a.pk,
                                                          "title": "New", "planned_start": "2027-03-06T22:00:00Z"},
     _api(expect(admin=201, lead=201, lead2=400))),
    ("post", "api-runbook-list", lambda p: {}, lambda p: {"is_template": True, "title": "New", "planned_start": "2027-03-06T22:00:00Z"},
     _api(expect(admin=201))),
    ("delete", "api-runbook-detail", lambda p: {"pk": p.a.pk}, lambda p: {}, _api(expect(admin=204, lead=204, lead2=HIDDEN))),
    ("get", "api-task-list", lambda p: {}, None, _api(READ_ALL)),
    ("get", "api-task-detail", lambda p: {"pk": p.tasks["A"].pk}, None, _api(VIEW_A)),
    ("get", "api-task-detail", lambda p: {"pk": p.owned_task.pk}, None, _api(VIEW_B_OWNED)),
    ("post", "api-task-list", lambda p: {}, _task_body, _api(expect(admin=201, lead=201, lead2=400))),
    ("patch", "api-task-detail", lambda p: {"pk": p.tasks["C"].pk}, lambda p: {"title": "Changed"}, _api(EDIT_A)),
    ("delete", "api-task-detail", lambda p: {"pk": p.tasks["C"].pk}, lambda p: {}, _api(expect(admin=204, lead=204, lead2=HIDDEN))),
    ("get", "api-dependency-list", lambda p: {}, None, _api(READ_ALL)),
    ("get", "api-dependency-detail", lambda p: {"pk": p.link.pk}, None, _api(VIEW_A)),
    ("post", "api-dependency-list", lambda p: {}, lambda p: {"predecessor": p.tasks["C"].pk, "successor": p.tasks["B"].pk},
     _api(expect(admin=201, lead=201, lead2=400))),
    ("patch", "api-dependency-detail", lambda p: {"pk": p.link.pk}, lambda p: {"lag_minutes": 5}, _api(EDIT_A)),
    ("delete", "api-dependency-detail", lambda p: {"pk": p.link.pk}, lambda p: {}, _api(expect(admin=204, lead=204, lead2=HIDDEN))),
    ("get", "api-team-list", lambda p: {}, None, _api(READ_ALL)),
    ("get", "api-team-detail", lambda p: {"pk": p.team.pk}, None, _api(READ_ALL)),
    ("post", "api-team-list", lambda p: {}, lambda p: {"name": "Comms cell"}, _api(expect(admin=201, lead=201, lead2=201))),
    ("patch", "api-team-detail", lambda p: {"pk": p.team.pk}, lambda p: {"description": "First line"}, _api(ADDERS)),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "name", "kwargs", "body", "expected"), API, ids=[f"{a[0]}-{a[1]}-{i}" for i, a in enumerate(API)])
def test_api_matrix(client: Any, p: Plan, persona: str, method: str, name: str, kwargs: Any, body: Any, expected: dict[str, Any]) -> None:
    c = _client(client, p.world, persona)
    url = reverse(name, kwargs=kwargs(p))
    response = c.get(url, HTTP_ACCEPT="application/json") if body is None else getattr(c, method)(url, body(p), content_type="application/json")
    assert response.status_code == expected[persona], (response.status_code, expected[persona], getattr(response, "data", None))


def test_lists_show_only_what_is_in_scope(client: Any, p: Plan) -> None:
    champion = _client(client, p.world, "champion")
    titles = {r["title"] for r in champion.get(reverse("api-runbook-list"), HTTP_ACCEPT="application/json").json()["results"]}
    assert titles == {p.a.title, p.b_owned.title, p.template.title}
    page = champion.get(reverse("runbook-list")).content.decode()
    assert p.b_owned.title in page and "Case files go-live" not in page
    client.logout()
    lead2 = _client(client, p.world, "lead2")
    refs = {t["ref"] for t in lead2.get(reverse("api-task-list"), HTTP_ACCEPT="application/json").json()["results"]}
    assert refs == {"B-1", "B-2"}


def test_a_champion_never_changes_a_plan(client: Any, p: Plan) -> None:
    c = _client(client, p.world, "champion")
    assert c.post(reverse("task-edit", args=[p.owned_task.pk]), {"ref": "B-2", "title": "Mine now"}).status_code == DENY
    assert p.b_owned.tasks.get().title == "Task B-2"
