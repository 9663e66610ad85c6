"""The persona x URL matrix of the engagement pages and API: change managers
plan, change and log their own programmes' engagements; the Board and
auditors read; champions have no access (403); out of scope is 404."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from changeboard.core.tests.test_permissions import API_LOGIN, DENY, HIDDEN, OK, PERSONAS, _check, _client, expect

from ..models import Engagement
from .engagements_data import Data

COVERED_NAMES = {"engagement-list", "engagement-summary", "engagement-plan", "engagement-record", "engagement-detail", "engagement-edit",
                 "engagement-log", "engagement-cancel", "engagement-debt", "stakeholder-timeline", "api-engagement-list",
                 "api-engagement-detail", "api-engagement-log", "api-engagement-cancel", "api-engagement-record"}

MOVED = 302
READ = expect(admin=OK, board=OK, lead=OK, lead2=OK, auditor=OK, champion=DENY)
READ_A = {**READ, "lead2": HIDDEN}
ADD = expect(admin=OK, lead=OK, lead2=OK)
CHANGE_A = expect(admin=OK, lead=OK, lead2=HIDDEN)


@pytest.fixture
def x(world: Any) -> Data:
    return Data(world)


def _soon() -> str:
    return (timezone.localdate() + dt.timedelta(days=3)).isoformat()


PAGES: list[tuple[str, Callable[[Data], dict[str, Any]], str, dict[str, Any]]] = [
    ("engagement-list", lambda x: {}, "", READ),
    ("engagement-list", lambda x: {}, "?export=csv", READ),
    ("engagement-list", lambda x: {}, "?export=xlsx&overdue=on", READ),
    ("engagement-summary", lambda x: {}, "", READ),
    ("engagement-debt", lambda x: {}, "", READ),
    ("engagement-plan", lambda x: {}, "", ADD),
    ("engagement-record", lambda x: {}, "", ADD),
    ("engagement-detail", lambda x: {"pk": x.eng_a.pk}, "", READ_A),
    ("engagement-detail", lambda x: {"pk": x.eng_b.pk}, "", {**READ, "lead": HIDDEN}),
    ("engagement-edit", lambda x: {"pk": x.eng_a.pk}, "", CHANGE_A),
    ("engagement-log", lambda x: {"pk": x.eng_a.pk}, "", CHANGE_A),
    ("engagement-cancel", lambda x: {"pk": x.eng_a.pk}, "", CHANGE_A),
    ("engagement-log", lambda x: {"pk": x.eng_b.pk}, "", expect(admin=OK, lead=HIDDEN, lead2=OK)),
    # The register is portfolio-wide: every reader sees a stakeholder's timeline (with only what they may see on it).
    ("stakeholder-timeline", lambda x: {"pk": x.sh_a.pk}, "", READ),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "query", "expected"), PAGES, ids=[f"{p[0]}-{i}" for i, p in enumerate(PAGES)])
def test_page_matrix(client: Any, x: Data, persona: str, name: str, kwargs: Any, query: str, expected: dict[str, Any]) -> None:
    _check(_client(client, x.world, persona).get(reverse(name, kwargs=kwargs(x)) + query), expected[persona])


POSTS: list[tuple[str, Callable[[Data], dict[str, Any]], Callable[[Data], dict[str, Any]], dict[str, Any], Callable[[Data], bool]]] = [
    ("engagement-plan", lambda x: {}, lambda x: {"assessment": x.map_a.pk, "purpose": "New", "method": "call", "planned_on": _soon()},
     expect(admin=MOVED, lead=MOVED, lead2=OK),  # lead2 cannot choose programme A's stakeholder: the form says so (200), nothing saved
     lambda x: Engagement.objects.filter(purpose="New").exists()),
    ("engagement-edit", lambda x: {"pk": x.eng_a.pk}, lambda x: {"purpose": "Changed", "method": "call", "planned_on": _soon()},
     expect(admin=MOVED, lead=MOVED, lead2=HIDDEN), lambda x: Engagement.objects.filter(purpose="Changed").exists()),
    ("engagement-log", lambda x: {"pk": x.eng_a.pk},
     lambda x: {"happened_on": timezone.localdate().isoformat(), "follow-TOTAL_FORMS": "0", "follow-INITIAL_FORMS": "0"},
     expect(admin=MOVED, lead=MOVED, lead2=HIDDEN), lambda x: Engagement.objects.filter(pk=x.eng_a.pk, status="done").exists()),
    ("engagement-cancel", lambda x: {"pk": x.eng_a.pk}, lambda x: {"reason": "No longer needed"},
     expect(admin=MOVED, lead=MOVED, lead2=HIDDEN), lambda x: Engagement.objects.filter(pk=x.eng_a.pk, status="cancelled").exists()),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "body", "expected", "changed"), POSTS, ids=[f"{p[0]}-{i}" for i, p in enumerate(POSTS)])
def test_post_matrix(client: Any, x: Data, persona: str, name: str, kwargs: Any, body: Any, expected: dict[str, Any], changed: Any) -> None:
    _check(_client(client, x.world, persona).post(reverse(name, kwargs=kwargs(x)), body(x)), expected[persona])
    assert changed(x) is (expected[persona] == MOVED)


def _api(expected: dict[str, Any]) -> dict[str, Any]:
    return {**expected, "anonymous": API_LOGIN}


def _log_body(x: Data) -> dict[str, Any]:
    return {"happened_on": timezone.localdate().isoformat()}


API: list[tuple[str, str, Callable[[Data], dict[str, Any]], Callable[[Data], dict[str, Any]] | None, dict[str, Any]]] = [
    ("get", "api-engagement-list", lambda x: {}, None, _api(READ)),
    ("get", "api-engagement-detail", lambda x: {"pk": x.eng_a.pk}, None, _api(READ_A)),
    ("post", "api-engagement-list", lambda x: {},
     lambda x: {"assessment": x.map_a.pk, "purpose": "New", "method": "call", "planned_on": _soon()},
     _api(expect(admin=201, lead=201, lead2=400))),
    ("patch", "api-engagement-detail", lambda x: {"pk": x.eng_a.pk}, lambda x: {"purpose": "Changed"}, _api(CHANGE_A)),
    ("post", "api-engagement-log", lambda x: {"pk": x.eng_a.pk}, _log_body, _api(CHANGE_A)),
    ("post", "api-engagement-cancel", lambda x: {"pk": x.eng_a.pk}, lambda x: {}, _api(CHANGE_A)),
    ("post", "api-engagement-record", lambda x: {},
     lambda x: {"assessment": x.map_a.pk, "purpose": "Chat", "method": "call", "happened_on": timezone.localdate().isoformat()},
     _api(expect(admin=201, lead=201, lead2=400))),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "name", "kwargs", "body", "expected"), API, ids=[f"{a[0]}-{a[1]}-{i}" for i, a in enumerate(API)])
def test_api_matrix(client: Any, x: Data, persona: str, method: str, name: str, kwargs: Any, body: Any, expected: dict[str, Any]) -> None:
    c = _client(client, x.world, persona)
    url = reverse(name, kwargs=kwargs(x))
    response = c.get(url, HTTP_ACCEPT="application/json") if body is None else getattr(c, method)(url, body(x), content_type="application/json")
    assert response.status_code == expected[persona], (response.status_code, expected[persona], getattr(response, "data", None))


@pytest.mark.parametrize(("persona", "purposes"), [("lead", {"Brief on the new rota"}), ("lead2", {"Case file walkthrough"}),
                                                   ("board", {"Brief on the new rota", "Case file walkthrough"}),
                                                   ("auditor", {"Brief on the new rota", "Case file walkthrough"})])
def test_lists_show_only_what_is_in_scope(client: Any, x: Data, persona: str, purposes: set[str]) -> None:
    c = _client(client, x.world, persona)
    assert {e["purpose"] for e in c.get(reverse("api-engagement-list")).json()["results"]} == purposes
    page = c.get(reverse("engagement-list")).content.decode()
    assert {p for p in ("Brief on the new rota", "Case file walkthrough") if p in page} == purposes
    timeline = c.get(reverse("stakeholder-timeline", args=[x.sh_a.pk])).content.decode()
    assert ("Brief on the new rota" in timeline) is ("Brief on the new rota" in purposes)
