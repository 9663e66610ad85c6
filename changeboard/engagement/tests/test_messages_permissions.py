"""The permission matrix of the comms plan's pages and API: messages follow
their programme (change managers of the programme change them, the Board and
auditors read), approving is a change manager's of the programme or an
admin's, champions see only the messages whose audience reaches their units,
and another programme's message is 404."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from changeboard.accounts.models import Role
from changeboard.conftest import make_user
from changeboard.core.tests.test_permissions import API_LOGIN, DENY, HIDDEN, OK, PERSONAS, _check, _client, expect

from ..models import Message
from ..services.messages import audience_rule_add, message_create, message_submit

COVERED_NAMES = {"message-list", "message-create", "message-detail", "message-edit", "message-rule-add", "message-rule-remove",
                 "message-submit", "message-approve", "message-done", "message-cancel",
                 "api-message-list", "api-message-detail", "api-message-submit", "api-message-approve", "api-message-return",
                 "api-message-mark-done", "api-message-cancel", "api-message-audience-rule-list", "api-message-audience-rule-detail"}

MOVED, NOT_ALLOWED = 302, 405
READ_A = expect(admin=OK, board=OK, lead=OK, lead2=HIDDEN, champion=OK, auditor=OK)
READ_A_ELSEWHERE = {**READ_A, "champion": HIDDEN}
CHANGE_A = expect(admin=OK, lead=OK, lead2=HIDDEN)
POST_ONLY = expect(admin=NOT_ALLOWED, lead=NOT_ALLOWED, lead2=NOT_ALLOWED)


class Plan:
    """Programme A: a draft reaching Westminster (the champion's unit), a
    draft reaching Camden only, an intranet post for approval (submitted by
    a second change manager of A); programme B: a draft reaching Camden."""

    def __init__(self, world: Any) -> None:
        self.world = w = world
        self.lead_a2 = make_user("lead_a2", Role.CHANGE_MANAGER, programmes=[w.programme_a])
        day = dt.date(2027, 2, 10)
        self.a = message_create(programme=w.programme_a, title="Westminster post", channel="intranet", planned_on=day, actor=None)
        audience_rule_add(message=self.a, kind="unit", unit=w.westminster, actor=None)
        self.rule = self.a.audience_rules.get()
        self.camden = message_create(programme=w.programme_a, title="Camden post", channel="intranet", planned_on=day, actor=None)
        audience_rule_add(message=self.camden, kind="unit", unit=w.camden, actor=None)
        self.pending = message_create(programme=w.programme_a, title="For approval", channel="cascade", planned_on=day, actor=None)
        audience_rule_add(message=self.pending, kind="unit", unit=w.westminster, actor=None)
        message_submit(message=self.pending, actor=self.lead_a2)
        self.b = message_create(programme=w.programme_b, title="B post", channel="intranet", planned_on=day, actor=None)
        audience_rule_add(message=self.b, kind="unit", unit=w.camden, actor=None)


@pytest.fixture
def plan(world: Any) -> Plan:
    return Plan(world)


PAGES: list[tuple[str, Callable[[Plan], dict[str, Any]], dict[str, Any]]] = [
    ("message-list", lambda p: {}, expect(admin=OK, board=OK, lead=OK, lead2=OK, champion=OK, auditor=OK)),
    ("message-create", lambda p: {}, expect(admin=OK, lead=OK, lead2=OK)),
    ("message-detail", lambda p: {"pk": p.a.pk}, READ_A),
    ("message-detail", lambda p: {"pk": p.camden.pk}, READ_A_ELSEWHERE),
    ("message-detail", lambda p: {"pk": p.b.pk}, expect(admin=OK, board=OK, lead=HIDDEN, lead2=OK, champion=HIDDEN, auditor=OK)),
    ("message-edit", lambda p: {"pk": p.a.pk}, CHANGE_A),
    ("message-approve", lambda p: {"pk": p.pending.pk}, CHANGE_A),
    ("message-rule-add", lambda p: {"pk": p.a.pk}, POST_ONLY),
    ("message-rule-remove", lambda p: {"pk": p.a.pk, "rule_pk": p.rule.pk}, POST_ONLY),
    ("message-submit", lambda p: {"pk": p.a.pk}, POST_ONLY),
    ("message-done", lambda p: {"pk": p.a.pk}, POST_ONLY),
    ("message-cancel", lambda p: {"pk": p.a.pk}, POST_ONLY),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "expected"), PAGES, ids=[f"{p[0]}-{i}" for i, p in enumerate(PAGES)])
def test_page_matrix(client: Any, plan: Plan, persona: str, name: str, kwargs: Any, expected: dict[str, Any]) -> None:
    _check(_client(client, plan.world, persona).get(reverse(name, kwargs=kwargs(plan))), expected[persona])


WRITE_A = expect(admin=MOVED, lead=MOVED, lead2=HIDDEN)

POSTS: list[tuple[str, Callable[[Plan], dict[str, Any]], Callable[[Plan], dict[str, Any]], dict[str, Any], Callable[[Plan], bool]]] = [
    ("message-submit", lambda p: {"pk": p.a.pk}, lambda p: {}, WRITE_A,
     lambda p: Message.objects.get(pk=p.a.pk).status == "for_approval"),
    ("message-approve", lambda p: {"pk": p.pending.pk}, lambda p: {"decision": "approve"}, WRITE_A,
     lambda p: Message.objects.get(pk=p.pending.pk).status == "approved"),
    ("message-approve", lambda p: {"pk": p.pending.pk}, lambda p: {"decision": "return", "return-reason": "Wrong week"}, WRITE_A,
     lambda p: Message.objects.get(pk=p.pending.pk).status == "draft"),
    ("message-cancel", lambda p: {"pk": p.a.pk}, lambda p: {}, WRITE_A, lambda p: Message.objects.get(pk=p.a.pk).status == "cancelled"),
    ("message-rule-add", lambda p: {"pk": p.a.pk}, lambda p: {"rule-kind": "unit", "rule-unit": p.world.camden.pk}, WRITE_A,
     lambda p: Message.objects.get(pk=p.a.pk).audience_rules.count() == 2),
    ("message-rule-remove", lambda p: {"pk": p.a.pk, "rule_pk": p.rule.pk}, lambda p: {}, WRITE_A,
     lambda p: not Message.objects.get(pk=p.a.pk).audience_rules.exists()),
    # A rule of another message through this message's address is not found.
    ("message-rule-remove", lambda p: {"pk": p.a.pk, "rule_pk": p.b.audience_rules.get().pk}, lambda p: {},
     expect(admin=HIDDEN, lead=HIDDEN, lead2=HIDDEN), lambda p: False),
    ("message-edit", lambda p: {"pk": p.a.pk},
     lambda p: {"title": "Renamed", "channel": "intranet", "planned_on": "2027-02-11"}, WRITE_A,
     lambda p: Message.objects.get(pk=p.a.pk).title == "Renamed"),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "body", "expected", "happened"), POSTS, ids=[f"{p[0]}-{i}" for i, p in enumerate(POSTS)])
def test_post_matrix(client: Any, plan: Plan, persona: str, name: str, kwargs: Any, body: Any, expected: dict[str, Any],
                     happened: Callable[[Plan], bool]) -> None:
    response = _client(client, plan.world, persona).post(reverse(name, kwargs=kwargs(plan)), body(plan))
    _check(response, expected[persona])
    assert happened(plan) is (expected[persona] == MOVED)


def _api(expected: dict[str, Any]) -> dict[str, Any]:
    return {**expected, "anonymous": API_LOGIN}


API: list[tuple[str, str, Callable[[Plan], dict[str, Any]], Callable[[Plan], dict[str, Any]] | None, dict[str, Any]]] = [
    ("get", "api-message-list", lambda p: {}, None, _api(expect(admin=OK, board=OK, lead=OK, lead2=OK, champion=OK, auditor=OK))),
    ("get", "api-message-detail", lambda p: {"pk": p.a.pk}, None, _api(READ_A)),
    ("get", "api-message-detail", lambda p: {"pk": p.camden.pk}, None, _api(READ_A_ELSEWHERE)),
    ("post", "api-message-list", lambda p: {}, lambda p: {"programme": p.world.programme_a.pk, "title": "New", "channel": "intranet",
                                                          "planned_on": "2027-02-12"}, _api(expect(admin=201, lead=201, lead2=400))),
    ("patch", "api-message-detail", lambda p: {"pk": p.a.pk}, lambda p: {"title": "Patched"}, _api(CHANGE_A)),
    ("post", "api-message-submit", lambda p: {"pk": p.a.pk}, lambda p: {}, _api(CHANGE_A)),
    ("post", "api-message-approve", lambda p: {"pk": p.pending.pk}, lambda p: {}, _api(CHANGE_A)),
    ("post", "api-message-return", lambda p: {"pk": p.pending.pk}, lambda p: {"reason": "Not yet"}, _api(CHANGE_A)),
    ("post", "api-message-mark-done", lambda p: {"pk": p.a.pk}, lambda p: {}, _api(expect(admin=400, lead=400, lead2=HIDDEN))),
    ("post", "api-message-cancel", lambda p: {"pk": p.a.pk}, lambda p: {}, _api(CHANGE_A)),
    ("get", "api-message-audience-rule-list", lambda p: {}, None, _api(expect(admin=OK, board=OK, lead=OK, lead2=OK, champion=OK, auditor=OK))),
    ("get", "api-message-audience-rule-detail", lambda p: {"pk": p.rule.pk}, None, _api(READ_A)),
    ("post", "api-message-audience-rule-list", lambda p: {}, lambda p: {"message": p.a.pk, "kind": "unit", "unit": p.world.camden.pk},
     _api(expect(admin=201, lead=201, lead2=400))),
    ("delete", "api-message-audience-rule-detail", lambda p: {"pk": p.rule.pk}, lambda p: {}, _api(expect(admin=204, lead=204, lead2=HIDDEN))),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "name", "kwargs", "body", "expected"), API, ids=[f"{a[0]}-{a[1]}-{i}" for i, a in enumerate(API)])
def test_api_matrix(client: Any, plan: Plan, persona: str, method: str, name: str, kwargs: Any, body: Any, expected: dict[str, Any]) -> None:
    c = _client(client, plan.world, persona)
    url = reverse(name, kwargs=kwargs(plan))
    response = c.get(url, HTTP_ACCEPT="application/json") if body is None else getattr(c, method)(url, body(plan), content_type="application/json")
    assert response.status_code == expected[persona], (response.status_code, expected[persona], getattr(response, "data", None))


def test_champions_list_only_the_messages_reaching_their_units(client: Any, plan: Plan) -> None:
    client.force_login(plan.world.users["champion"])
    ids = {row["id"] for row in client.get(reverse("api-message-list"), HTTP_ACCEPT="application/json").json()["results"]}
    assert ids == {plan.a.pk, plan.pending.pk}
    page = client.get(reverse("message-list") + "?view=list").content.decode()
    assert "Westminster post" in page and "Camden post" not in page and "B post" not in page
    # The audience moves to Camden: the champion no longer sees it.
    from ..services.messages import audience_rule_remove

    audience_rule_remove(rule=plan.rule, actor=None)
    assert client.get(reverse("message-detail", args=[plan.a.pk])).status_code == HIDDEN


def test_the_submitter_cannot_approve_their_own_message(client: Any, plan: Plan) -> None:
    client.force_login(plan.lead_a2)
    response = client.post(reverse("message-approve", args=[plan.pending.pk]), {"decision": "approve"})
    assert response.status_code == MOVED
    assert Message.objects.get(pk=plan.pending.pk).status == "for_approval"
    assert client.post(reverse("api-message-approve", args=[plan.pending.pk]), {}, content_type="application/json").status_code == DENY
    assert Message.objects.get(pk=plan.pending.pk).status == "for_approval"
