"""The permission matrix of the run pages and the runs API: the programme's
change managers control runs; the Board, auditors and champions of the
units going live read them; task owners act on their own tasks only (403 on
another's, 404 on a run they cannot see); another programme's run is 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from changeboard.core.tests.test_permissions import API_LOGIN, DENY, HIDDEN, OK, PERSONAS, _check, _client, expect

from ..models import Run, RunTask
from ..services import runbooks as plan
from ..services import runs as services
from .test_runs_services import START, Book, rt

COVERED_NAMES = {"run-start", "run-detail", "run-pause", "run-resume", "run-abandon", "run-reestimate", "run-summary", "run-log",
                 "run-task-start", "run-task-finish", "api-run-list", "api-run-detail", "api-run-pause", "api-run-resume",
                 "api-run-abandon", "api-run-projection", "api-run-task-list", "api-run-task-detail", "api-run-task-start",
                 "api-run-task-finish"}

MOVED = 302
READ_A = expect(admin=OK, board=OK, lead=OK, lead2=HIDDEN, champion=OK, auditor=OK)
EDIT_A = expect(admin=OK, lead=OK, lead2=HIDDEN)
NOT_ALLOWED = expect(405, lead2=405)


class Runs:
    def __init__(self, world: Any) -> None:
        self.world = world
        self.book = Book(world)
        self.run = self.book.live()
        self.a = rt(self.run, "A")
        self.spare = plan.runbook_create(title="Spare", planned_start=START, actor=None, programme=world.programme_a,
                                         rollout_wave=world.wave_a)
        plan.task_save(runbook=self.spare, actor=None, ref="S1", title="Only", duration_minutes=5)


@pytest.fixture
def r(world: Any) -> Runs:
    return Runs(world)


PAGES: list[tuple[str, Callable[[Runs], dict[str, Any]], dict[str, Any]]] = [
    ("run-detail", lambda r: {"pk": r.run.pk}, READ_A),
    ("run-summary", lambda r: {"pk": r.run.pk}, READ_A),
    ("run-log", lambda r: {"pk": r.run.pk}, READ_A),
    ("run-start", lambda r: {"runbook_pk": r.spare.pk}, EDIT_A),
    ("run-pause", lambda r: {"pk": r.run.pk}, EDIT_A),
    ("run-resume", lambda r: {"pk": r.run.pk}, EDIT_A),
    ("run-abandon", lambda r: {"pk": r.run.pk}, EDIT_A),
    ("run-reestimate", lambda r: {"pk": r.run.pk}, EDIT_A),
    ("run-task-start", lambda r: {"pk": r.a.pk}, NOT_ALLOWED),
    ("run-task-finish", lambda r: {"pk": r.a.pk}, NOT_ALLOWED),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "expected"), PAGES, ids=[f"{p[0]}-{i}" for i, p in enumerate(PAGES)])
def test_page_matrix(client: Any, r: Runs, persona: str, name: str, kwargs: Any, expected: dict[str, Any]) -> None:
    _check(_client(client, r.world, persona).get(reverse(name, kwargs=kwargs(r))), expected[persona])


POSTS: list[tuple[str, Callable[[Runs], dict[str, Any]], dict[str, Any], dict[str, Any]]] = [
    # Acting on a task: the programme's change managers and admins; anyone else who sees the run is refused.
    ("run-task-start", lambda r: {"pk": r.a.pk}, {}, expect(admin=MOVED, lead=MOVED, lead2=HIDDEN)),
    ("run-task-finish", lambda r: {"pk": r.a.pk}, {}, expect(admin=MOVED, lead=MOVED, lead2=HIDDEN)),
    ("run-pause", lambda r: {"pk": r.run.pk}, {"reason": "Hold"}, expect(admin=MOVED, lead=MOVED, lead2=HIDDEN)),
    ("run-abandon", lambda r: {"pk": r.run.pk}, {"reason": "Stop"}, expect(admin=MOVED, lead=MOVED, lead2=HIDDEN)),
    ("run-start", lambda r: {"runbook_pk": r.spare.pk}, {"kind": "rehearsal"}, expect(admin=MOVED, lead=MOVED, lead2=HIDDEN)),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "body", "expected"), POSTS, ids=[f"{p[0]}-{i}" for i, p in enumerate(POSTS)])
def test_post_matrix(client: Any, r: Runs, persona: str, name: str, kwargs: Any, body: dict[str, Any], expected: dict[str, Any]) -> None:
    _check(_client(client, r.world, persona).post(reverse(name, kwargs=kwargs(r)), body), expected[persona])
    if name == "run-task-start":
        assert (rt(r.run, "A").status == RunTask.Status.IN_PROGRESS) is (expected[persona] == MOVED)


def _api(expected: dict[str, Any]) -> dict[str, Any]:
    return {**expected, "anonymous": API_LOGIN}


READERS = expect(OK)
API: list[tuple[str, str, Callable[[Runs], dict[str, Any]], Callable[[Runs], dict[str, Any]] | None, dict[str, Any]]] = [
    ("get", "api-run-list", lambda r: {}, None, _api(READERS)),
    ("get", "api-run-detail", lambda r: {"pk": r.run.pk}, None, _api(READ_A)),
    ("get", "api-run-projection", lambda r: {"pk": r.run.pk}, None, _api(READ_A)),
    ("post", "api-run-list", lambda r: {}, lambda r: {"runbook": r.spare.pk, "kind": "rehearsal"}, _api(expect(admin=201, lead=201, lead2=400))),
    ("post", "api-run-pause", lambda r: {"pk": r.run.pk}, lambda r: {"reason": "Hold"}, _api(EDIT_A)),
    ("post", "api-run-abandon", lambda r: {"pk": r.run.pk}, lambda r: {"reason": "Stop"}, _api(EDIT_A)),
    # Resuming a running run is refused by the service (400) for those who may control it.
    ("post", "api-run-resume", lambda r: {"pk": r.run.pk}, lambda r: {}, _api(expect(admin=400, lead=400, lead2=HIDDEN))),
    ("get", "api-run-task-list", lambda r: {}, None, _api(READERS)),
    ("get", "api-run-task-detail", lambda r: {"pk": r.a.pk}, None, _api(READ_A)),
    ("post", "api-run-task-start", lambda r: {"pk": r.a.pk}, lambda r: {}, _api(expect(admin=OK, lead=OK, lead2=HIDDEN))),
    ("post", "api-run-task-finish", lambda r: {"pk": r.a.pk}, lambda r: {}, _api(expect(admin=OK, lead=OK, lead2=HIDDEN))),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "name", "kwargs", "body", "expected"), API, ids=[f"{a[0]}-{a[1]}-{i}" for i, a in enumerate(API)])
def test_api_matrix(client: Any, r: Runs, persona: str, method: str, name: str, kwargs: Any, body: Any, expected: dict[str, Any]) -> None:
    c = _client(client, r.world, persona)
    url = reverse(name, kwargs=kwargs(r))
    response = c.get(url, HTTP_ACCEPT="application/json") if body is None else getattr(c, method)(url, body(r), content_type="application/json")
    assert response.status_code == expected[persona], (response.status_code, expected[persona], getattr(response, "data", None))


def test_an_operator_acts_on_their_own_tasks_only(client: Any, r: Runs, world: Any) -> None:
    client.force_login(r.book.operator)
    assert client.get(reverse("run-detail", args=[r.run.pk])).status_code == OK  # through owning a task
    assert client.post(reverse("run-task-start", args=[r.a.pk])).status_code == MOVED
    b = rt(r.run, "B")
    assert client.post(reverse("run-task-start", args=[b.pk])).status_code == DENY
    assert client.post(reverse("api-run-task-finish", args=[r.a.pk]), {}, content_type="application/json").status_code == OK
    assert client.post(reverse("api-run-task-start", args=[b.pk]), {}, content_type="application/json").status_code == DENY
    assert client.get(reverse("run-pause", args=[r.run.pk])).status_code == DENY
    # The team's member acts on the team's task.
    client.force_login(r.book.operator2)
    assert client.post(reverse("api-run-task-start", args=[b.pk]), {}, content_type="application/json").status_code == OK
    # A run of another programme's runbook is not found for them.
    other = plan.runbook_create(title="Other", planned_start=START, actor=None, programme=world.programme_b, rollout_wave=world.wave_b)
    plan.task_save(runbook=other, actor=None, ref="X", title="X", duration_minutes=5)
    elsewhere = services.run_start(runbook=other, kind=Run.Kind.LIVE, actor=None)
    assert client.get(reverse("run-detail", args=[elsewhere.pk])).status_code == HIDDEN
    assert client.post(reverse("run-task-start", args=[rt(elsewhere, "X").pk])).status_code == HIDDEN


def test_the_api_answers_409_to_the_second_finisher(client: Any, r: Runs, world: Any) -> None:
    client.force_login(world.users["lead"])
    url = reverse("api-run-task-finish", args=[r.a.pk])
    assert client.post(url, {}, content_type="application/json").status_code == OK
    response = client.post(url, {}, content_type="application/json")
    assert response.status_code == 409 and "A was already finished by Lead Tester at" in response.json()["detail"]
    response = client.post(reverse("api-run-task-start", args=[rt(r.run, "V").pk]), {}, content_type="application/json")
    assert response.status_code == 400 and "cannot start yet" in str(response.json())


def test_the_api_starts_a_run_and_returns_the_projection(client: Any, r: Runs, world: Any) -> None:
    client.force_login(world.users["lead"])
    response = client.post(reverse("api-run-list"), {"runbook": r.spare.pk, "kind": "rehearsal"}, content_type="application/json")
    assert response.status_code == 201 and response.json()["status"] == "running" and response.json()["number"] == 1
    response = client.post(reverse("api-run-list"), {"runbook": r.spare.pk, "kind": "rehearsal"}, content_type="application/json")
    assert response.status_code == 400 and "still running" in str(response.json())
    data = client.get(reverse("api-run-projection", args=[r.run.pk])).json()
    assert data["planned_finish"].startswith("2027-02-27T21:55")
    assert [t["ref"] for t in data["tasks"]] == ["A", "B", "C", "D", "M", "V"] and data["rollback_points"][0]["ref"] == "M"
    listed = client.get(reverse("api-run-task-list"), {"run": r.run.pk}).json()
    assert {t["ref"] for t in listed["results"]} == {"A", "B", "C", "D", "M", "V"}
