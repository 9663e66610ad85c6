"""The permission matrix of the exit pages, the exit-decisions API and the
SLA-states API, and what they show.

Exit pages follow the period (its programme's change managers, the Board,
champions of units going live, auditors, the support team); recording the
decision is the programme's change managers', the Board's and admins';
thresholds are the change managers'. The SLA states follow the queries
(the Board reads trends, not queries: 403)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from changeboard.core.tests.test_permissions import API_LOGIN, DENY, HIDDEN, OK, PERSONAS, _check, _client, expect
from changeboard.cutover.models import Team

from ..models import Category, ExitCriterion, ExitDecision, Period, Query
from ..services import exits
from ..services import periods as period_services
from ..services import queries as query_services

COVERED_NAMES = {"period-exit", "period-exit-decide", "exit-criterion-edit", "exit-decision-detail",
                 "api-sla-state-list", "api-exit-decision-list", "api-exit-decision-detail"}

MOVED = 302
VIEW_A = expect(admin=OK, board=OK, lead=OK, lead2=HIDDEN, champion=OK, auditor=OK)
VIEW_B = expect(admin=OK, board=OK, lead=HIDDEN, lead2=OK, champion=HIDDEN, auditor=OK)
DECIDE_A = expect(admin=OK, board=OK, lead=OK, lead2=HIDDEN)
EDIT_A = expect(admin=OK, lead=OK, lead2=HIDDEN)


class Exits:
    def __init__(self, world: Any) -> None:
        self.world = world
        self.a = period_services.period_create(rollout_wave=world.wave_a, actor=None)
        self.b = period_services.period_create(rollout_wave=world.wave_b, actor=None)
        self.sla_a = ExitCriterion.objects.get(period=self.a, kind="sla_met")
        self.p1_a = ExitCriterion.objects.get(period=self.a, kind="no_open_p1")
        self.decision_a = exits.exit_decide(period=self.a, decision="extend", reason="Busy", new_end=self.a.ends_on + dt.timedelta(days=7),
                                            actor=world.users["admin"])
        self.a.refresh_from_db()
        self.query_a = query_services.query_create(period=self.a, category=Category.objects.get(period=self.a, code="defect"),
                                                   title="Cannot log in", actor=None, source=Query.Source.PUBLIC, staff=world.staff_in,
                                                   priority="P1", created_at=timezone.now() - dt.timedelta(minutes=10))


@pytest.fixture
def e(world: Any) -> Exits:
    return Exits(world)


PAGES: list[tuple[str, Callable[[Exits], dict[str, Any]], dict[str, Any]]] = [
    ("period-exit", lambda e: {"pk": e.a.pk}, VIEW_A),
    ("period-exit", lambda e: {"pk": e.b.pk}, VIEW_B),
    ("period-exit-decide", lambda e: {"pk": e.a.pk}, DECIDE_A),
    ("period-exit-decide", lambda e: {"pk": e.b.pk}, expect(admin=OK, board=OK, lead=HIDDEN, lead2=OK)),
    ("exit-criterion-edit", lambda e: {"pk": e.sla_a.pk}, EDIT_A),
    ("exit-criterion-edit", lambda e: {"pk": e.p1_a.pk}, expect(admin=HIDDEN, lead=HIDDEN, lead2=HIDDEN)),  # no threshold
    ("exit-decision-detail", lambda e: {"pk": e.decision_a.pk}, VIEW_A),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "expected"), PAGES, ids=[f"{p[0]}-{i}" for i, p in enumerate(PAGES)])
def test_page_matrix(client: Any, e: Exits, persona: str, name: str, kwargs: Any, expected: dict[str, Any]) -> None:
    _check(_client(client, e.world, persona).get(reverse(name, kwargs=kwargs(e))), expected[persona])


POSTS: list[tuple[str, Callable[[Exits], dict[str, Any]], Callable[[Exits], dict[str, Any]], dict[str, Any]]] = [
    ("period-exit-decide", lambda e: {"pk": e.a.pk},
     lambda e: {"decision": "extend", "new_end": (e.a.ends_on + dt.timedelta(days=7)).isoformat(), "reason": "Still busy"},
     expect(admin=MOVED, board=MOVED, lead=MOVED, lead2=HIDDEN)),
    ("exit-criterion-edit", lambda e: {"pk": e.sla_a.pk}, lambda e: {"threshold": "95"}, expect(admin=MOVED, lead=MOVED, lead2=HIDDEN)),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "body", "expected"), POSTS, ids=[f"{p[0]}-{i}" for i, p in enumerate(POSTS)])
def test_post_matrix(client: Any, e: Exits, persona: str, name: str, kwargs: Any, body: Any, expected: dict[str, Any]) -> None:
    response = _client(client, e.world, persona).post(reverse(name, kwargs=kwargs(e)), body(e))
    _check(response, expected[persona])
    if name == "period-exit-decide":
        assert ExitDecision.objects.filter(period=e.a).count() == (2 if expected[persona] == MOVED else 1)
    else:
        assert str(ExitCriterion.objects.get(pk=e.sla_a.pk).threshold) == ("95.0" if expected[persona] == MOVED else "90.0")


def _api(expected: dict[str, Any]) -> dict[str, Any]:
    return {**expected, "anonymous": API_LOGIN}


API: list[tuple[str, str, Callable[[Exits], dict[str, Any]], str, Callable[[Exits], dict[str, Any]] | None, dict[str, Any]]] = [
    ("get", "api-sla-state-list", lambda e: {}, "?period={a}", None,
     _api(expect(admin=OK, board=DENY, lead=OK, lead2=HIDDEN, champion=OK, auditor=OK))),
    ("get", "api-sla-state-list", lambda e: {}, "?period={b}", None,
     _api(expect(admin=OK, board=DENY, lead=HIDDEN, lead2=OK, champion=HIDDEN, auditor=OK))),
    ("get", "api-sla-state-list", lambda e: {}, "?period=²", None,
     _api(expect(admin=400, board=DENY, lead=400, lead2=400, champion=400, auditor=400))),
    ("get", "api-exit-decision-list", lambda e: {}, "", None, _api(expect(admin=OK, board=OK, lead=OK, lead2=OK, champion=OK, auditor=OK))),
    ("get", "api-exit-decision-detail", lambda e: {"pk": e.decision_a.pk}, "", None, _api(VIEW_A)),
    # A period out of scope reads as no such period: a 400 on the field, never a 201.
    ("post", "api-exit-decision-list", lambda e: {}, "",
     lambda e: {"period": e.a.pk, "decision": "extend", "new_end": (e.a.ends_on + dt.timedelta(days=3)).isoformat(), "reason": "More"},
     _api(expect(admin=201, board=201, lead=201, lead2=400))),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "name", "kwargs", "query", "body", "expected"), API, ids=[f"{a[0]}-{a[1]}-{i}" for i, a in enumerate(API)])
def test_api_matrix(client: Any, e: Exits, persona: str, method: str, name: str, kwargs: Any, query: str, body: Any,
                    expected: dict[str, Any]) -> None:
    c = _client(client, e.world, persona)
    url = reverse(name, kwargs=kwargs(e)) + query.format(a=e.a.pk, b=e.b.pk)
    response = c.get(url, HTTP_ACCEPT="application/json") if body is None else getattr(c, method)(url, body(e), content_type="application/json")
    assert response.status_code == expected[persona], (response.status_code, expected[persona], getattr(response, "data", None))


def test_exit_decision_list_is_scoped(client: Any, e: Exits) -> None:
    exits.exit_decide(period=e.b, decision="exit", reason="Quiet", new_end=None, actor=e.world.users["admin"])
    seen = {p: {d["period"] for d in _client(client, e.world, p).get(reverse("api-exit-decision-list")).json()["results"]}
            for p in ("lead", "lead2")}
    assert seen == {"lead": {e.a.pk}, "lead2": {e.b.pk}}


def test_sla_states_content(client: Any, e: Exits) -> None:
    resolved = query_services.query_create(period=e.a, category=Category.objects.get(period=e.a, code="defect"), title="Fixed", actor=None,
                                           source=Query.Source.PUBLIC, staff=e.world.staff_in)
    query_services.query_transition(query=resolved, status=Query.Status.RESOLVED, actor=e.world.users["lead"])
    data = _client(client, e.world, "lead").get(reverse("api-sla-state-list") + f"?period={e.a.pk}").json()
    assert data["count"] == 1
    row = data["results"][0]
    assert (row["query"], row["reference"], row["priority"], row["status"], row["current"]) == (
        e.query_a.pk, e.query_a.reference, "P1", "new", "response")
    assert row["response"]["target_minutes"] == 30 and row["resolution"]["target_minutes"] == 600
    assert row["response"]["state"] in {"running", "at_risk", "breached"}


def test_exit_page_shows_live_figures_and_history(client: Any, e: Exits) -> None:
    page = _client(client, e.world, "lead").get(reverse("period-exit", args=[e.a.pk])).content.decode()
    assert "1 open P1" in page and "Does not hold" in page
    assert reverse("exit-decision-detail", args=[e.decision_a.pk]) in page
    assert reverse("period-exit-decide", args=[e.a.pk]) in page
    assert reverse("exit-criterion-edit", args=[e.sla_a.pk]) in page and reverse("exit-criterion-edit", args=[e.p1_a.pk]) not in page
    board = _client(client, e.world, "board").get(reverse("period-exit", args=[e.a.pk])).content.decode()
    assert reverse("period-exit-decide", args=[e.a.pk]) in board and reverse("exit-criterion-edit", args=[e.sla_a.pk]) not in board
    auditor = _client(client, e.world, "auditor").get(reverse("period-exit", args=[e.a.pk])).content.decode()
    assert reverse("period-exit-decide", args=[e.a.pk]) not in auditor


def test_frozen_decision_page(client: Any, e: Exits) -> None:
    page = _client(client, e.world, "champion").get(reverse("exit-decision-detail", args=[e.decision_a.pk])).content.decode()
    assert "0 open P1" in page and "Frozen when the decision was recorded" in page  # the P1 came after the decision


def test_decide_page_records_and_exits(client: Any, e: Exits) -> None:
    c = _client(client, e.world, "lead")
    url = reverse("period-exit-decide", args=[e.a.pk])
    refused = c.post(url, {"decision": "extend", "reason": "More"})
    assert refused.status_code == 200 and "Enter the new end date" in refused.content.decode()
    done = c.post(url, {"decision": "exit", "reason": "All hold but one P1, accepted"})
    decision = ExitDecision.objects.filter(period=e.a).latest("decided_at")
    assert done["Location"] == reverse("exit-decision-detail", args=[decision.pk])
    assert Period.objects.get(pk=e.a.pk).status == Period.Status.EXITED
    again = c.get(url)
    assert again.status_code == MOVED and again["Location"] == reverse("period-exit", args=[e.a.pk])


def test_support_team_member_sees_but_does_not_decide(client: Any, e: Exits) -> None:
    team = Team.objects.create(name="Service desk")
    team.members.add(e.world.users["lead2"])
    period_services.period_update(period=e.a, actor=None, support_team=team)
    c = _client(client, e.world, "lead2")
    assert c.get(reverse("period-exit", args=[e.a.pk])).status_code == OK
    assert c.get(reverse("period-exit-decide", args=[e.a.pk])).status_code == HIDDEN
    assert c.get(reverse("api-sla-state-list") + f"?period={e.a.pk}").json()["count"] == 1
