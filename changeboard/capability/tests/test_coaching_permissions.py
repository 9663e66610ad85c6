"""The permission matrix of the coaching, handover and dashboard pages and
API, and coaching privacy for every persona on every surface: the session
page, the list and its export, the API and the audit entry."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from changeboard.core.models import AuditEntry
from changeboard.core.tests.test_permissions import API_LOGIN, HIDDEN, OK, PERSONAS, _check, _client, expect

from ..models import CoachingSession, HandoverItem
from .coaching_data import ACTIONS, GOALS, NOTES, Coaching, build

COVERED_NAMES = {"capability-dashboard", "coaching-list", "coaching-add", "coaching-detail", "coaching-edit", "handover", "handover-item-add",
                 "handover-item-edit", "handover-item-delete", "api-coaching-session-list", "api-coaching-session-detail",
                 "api-handover-item-list", "api-handover-item-detail", "api-capability-handover"}

READ = expect(admin=OK, board=OK, lead=OK, lead2=OK, champion=OK, auditor=OK)
ADDERS = expect(admin=OK, lead=OK, lead2=OK, champion=OK)
PLAN_A = expect(admin=OK, lead=OK, lead2=HIDDEN)
MOVED = 302


@pytest.fixture
def c(world: Any) -> Coaching:
    return build(world)


PAGES: list[tuple[str, Callable[[Coaching], dict[str, Any]], str, dict[str, Any]]] = [
    ("capability-dashboard", lambda c: {}, "", READ),
    ("coaching-list", lambda c: {}, "", READ),
    ("coaching-list", lambda c: {}, "?export=csv", READ),
    ("coaching-add", lambda c: {}, "", ADDERS),
    ("coaching-add", lambda c: {}, "?practitioner=1", ADDERS),
    ("coaching-detail", lambda c: {"pk": c.session.pk}, "", READ),
    ("coaching-detail", lambda c: {"pk": c.session_b.pk}, "", {**READ, "champion": HIDDEN}),  # Blair is not the champion's
    ("coaching-detail", lambda c: {"pk": 999999}, "", expect(HIDDEN)),
    ("coaching-edit", lambda c: {"pk": c.session.pk}, "", expect(admin=403, lead=OK, lead2=HIDDEN, champion=HIDDEN)),  # the coach only
    ("coaching-edit", lambda c: {"pk": c.session_b.pk}, "", expect(admin=403, lead=HIDDEN, lead2=OK, champion=HIDDEN)),
    ("handover", lambda c: {}, "", READ),
    ("handover", lambda c: {}, "?programme={b}", {**READ, "lead": HIDDEN, "champion": HIDDEN}),
    ("handover-item-add", lambda c: {}, "?programme={a}", PLAN_A),
    ("handover-item-add", lambda c: {}, "", expect(admin=HIDDEN, lead=HIDDEN, lead2=HIDDEN)),
    ("handover-item-edit", lambda c: {"pk": c.item_a.pk}, "", PLAN_A),
    ("handover-item-delete", lambda c: {"pk": c.item_a.pk}, "", PLAN_A),
]


def _query(c: Coaching, query: str) -> str:
    return query.format(a=c.world.programme_a.pk, b=c.world.programme_b.pk)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "query", "expected"), PAGES, ids=[f"{p[0]}-{i}" for i, p in enumerate(PAGES)])
def test_page_matrix(client: Any, c: Coaching, persona: str, name: str, kwargs: Any, query: str, expected: dict[str, Any]) -> None:
    _check(_client(client, c.world, persona).get(reverse(name, kwargs=kwargs(c)) + _query(c, query)), expected[persona])


def _moved(table: dict[str, Any]) -> dict[str, Any]:
    return {k: (MOVED if v == OK else v) for k, v in table.items()}


def _session_body(c: Coaching) -> dict[str, Any]:
    return {"practitioner": c.alex.pk, "held_on": timezone.localdate().isoformat(), "areas": [c.comms.pk], "goals": "posted goal"}


POSTS: list[tuple[str, Callable[[Coaching], dict[str, Any]], str, Callable[[Coaching], dict[str, Any]], dict[str, Any]]] = [
    # lead2 and the champion (the coachee) are offered nobody: the choice is refused on the form (200), nothing saved.
    ("coaching-add", lambda c: {}, "", _session_body, expect(admin=MOVED, lead=MOVED, lead2=OK, champion=OK)),
    ("coaching-edit", lambda c: {"pk": c.session.pk}, "", lambda c: {**_session_body(c), "notes": "edited"},
     expect(admin=403, lead=MOVED, lead2=HIDDEN, champion=HIDDEN)),
    ("handover-item-add", lambda c: {}, "?programme={a}", lambda c: {"activity": "comms", "times_required": "2"}, _moved(PLAN_A)),
    ("handover-item-edit", lambda c: {"pk": c.item_a.pk}, "", lambda c: {"times_required": "5"}, _moved(PLAN_A)),
    ("handover-item-delete", lambda c: {"pk": c.item_a.pk}, "", lambda c: {}, _moved(PLAN_A)),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "query", "body", "expected"), POSTS, ids=[f"{p[0]}-{i}" for i, p in enumerate(POSTS)])
def test_post_matrix(client: Any, c: Coaching, persona: str, name: str, kwargs: Any, query: str, body: Any, expected: dict[str, Any]) -> None:
    url = reverse(name, kwargs=kwargs(c)) + _query(c, query)
    _check(_client(client, c.world, persona).post(url, body(c)), expected[persona])
    done = expected[persona] == MOVED
    if name == "coaching-add":
        assert CoachingSession.objects.filter(goals="posted goal").exists() is done
    elif name == "coaching-edit":
        assert (CoachingSession.objects.get(pk=c.session.pk).notes == "edited") is done
    elif name == "handover-item-add":
        assert HandoverItem.objects.filter(activity="comms").exists() is done
    elif name == "handover-item-edit":
        assert (HandoverItem.objects.get(pk=c.item_a.pk).times_required == 5) is done
    elif name == "handover-item-delete":
        assert HandoverItem.objects.filter(pk=c.item_a.pk).exists() is not done


def _api(expected: dict[str, Any]) -> dict[str, Any]:
    return {**expected, "anonymous": API_LOGIN}


def _code(table: dict[str, Any], code: int) -> dict[str, Any]:
    return {k: (code if v == OK else v) for k, v in table.items()}


API: list[tuple[str, str, Callable[[Coaching], dict[str, Any]], str, Callable[[Coaching], dict[str, Any]] | None, dict[str, Any]]] = [
    ("get", "api-coaching-session-list", lambda c: {}, "", None, _api(READ)),
    ("get", "api-coaching-session-detail", lambda c: {"pk": c.session.pk}, "", None, _api(READ)),
    ("get", "api-coaching-session-detail", lambda c: {"pk": c.session_b.pk}, "", None, _api({**READ, "champion": HIDDEN})),
    ("post", "api-coaching-session-list", lambda c: {}, "", _session_body, _api(expect(admin=201, lead=201, lead2=403, champion=403))),
    ("patch", "api-coaching-session-detail", lambda c: {"pk": c.session.pk}, "", lambda c: {"notes": "edited"},
     _api(expect(admin=403, lead=OK, lead2=HIDDEN, champion=HIDDEN))),
    ("get", "api-capability-handover", lambda c: {}, "?programme={a}", None, _api({**READ, "lead2": HIDDEN})),
    ("get", "api-capability-handover", lambda c: {}, "?programme={b}", None, _api({**READ, "lead": HIDDEN, "champion": HIDDEN})),
    ("get", "api-capability-handover", lambda c: {}, "", None, _api(expect(HIDDEN))),
    ("get", "api-handover-item-list", lambda c: {}, "", None, _api(READ)),
    ("get", "api-handover-item-detail", lambda c: {"pk": c.item_a.pk}, "", None, _api({**READ, "lead2": HIDDEN})),
    ("post", "api-handover-item-list", lambda c: {}, "", lambda c: {"programme": c.world.programme_a.pk, "activity": "comms"},
     _api(expect(admin=201, lead=201, lead2=400))),
    ("patch", "api-handover-item-detail", lambda c: {"pk": c.item_a.pk}, "", lambda c: {"times_required": 4}, _api(PLAN_A)),
    ("delete", "api-handover-item-detail", lambda c: {"pk": c.item_a.pk}, "", lambda c: {}, _api(_code(PLAN_A, 204))),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "name", "kwargs", "query", "body", "expected"), API, ids=[f"{a[0]}-{a[1]}-{i}" for i, a in enumerate(API)])
def test_api_matrix(client: Any, c: Coaching, persona: str, method: str, name: str, kwargs: Any, query: str, body: Any,
                    expected: dict[str, Any]) -> None:
    url = reverse(name, kwargs=kwargs(c)) + _query(c, query)
    api = _client(client, c.world, persona)
    if method == "get":
        response = api.get(url, HTTP_ACCEPT="application/json")
    else:
        response = getattr(api, method)(url, body(c) if body else {}, content_type="application/json")
    assert response.status_code == expected[persona], (response.status_code, expected[persona], getattr(response, "data", None))


# ---------------------------------------------------------------- privacy on every surface

SEES_PRIVATE = {"lead", "champion"}  # the coach and the coachee


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
def test_privacy_on_the_session_page(client: Any, c: Coaching, persona: str) -> None:
    html = _client(client, c.world, persona).get(reverse("coaching-detail", args=[c.session.pk])).content.decode()
    shows = persona in SEES_PRIVATE
    for secret in (GOALS, ACTIONS, NOTES):
        assert (secret in html) is shows
    assert ("private to the coach and the coachee, so they are not shown to you" in html) is not shows
    assert "Stakeholder engagement" in html and c.session.next_session is not None


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
def test_privacy_in_the_list_and_its_exports(client: Any, c: Coaching, persona: str) -> None:
    api = _client(client, c.world, persona)
    for suffix in ("", "?export=csv", "?export=xlsx"):
        response = api.get(reverse("coaching-list") + suffix)
        assert response.status_code == 200
        body = response.getvalue()
        if suffix.endswith("xlsx"):  # zipped: read its cells
            sheet = openpyxl.load_workbook(io.BytesIO(body)).active
            assert sheet is not None
            body = " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row).encode()
            assert b"Stakeholder engagement; Communications" in body
        for secret in (GOALS, ACTIONS, NOTES):
            assert secret.encode() not in body
    csv = api.get(reverse("coaching-list") + "?export=csv").getvalue()
    assert b"Stakeholder engagement; Communications" in csv  # the public part is there


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
def test_privacy_in_the_api(client: Any, c: Coaching, persona: str) -> None:
    api = _client(client, c.world, persona)
    detail = api.get(reverse("api-coaching-session-detail", args=[c.session.pk]), HTTP_ACCEPT="application/json").json()
    listed = next(s for s in api.get(reverse("api-coaching-session-list"), HTTP_ACCEPT="application/json").json()["results"]
                  if s["id"] == c.session.pk)
    for data in (detail, listed):
        assert set(data["areas"]) == {c.engagement.pk, c.comms.pk}
        if persona in SEES_PRIVATE:
            assert (data["goals"], data["agreed_actions"], data["notes"]) == (GOALS, ACTIONS, NOTES)
        else:
            assert not {"goals", "agreed_actions", "notes"} & set(data)


@pytest.mark.parametrize("persona", ["admin", "auditor"])
def test_privacy_in_the_audit_trail(client: Any, c: Coaching, persona: str) -> None:
    api = _client(client, c.world, persona)
    entry = AuditEntry.objects.get(object_type="capability.coachingsession", object_id=str(c.session.pk), action="create")
    pages = [api.get(reverse("audit-detail", args=[entry.pk])).content, api.get(reverse("audit-list") + "?export=csv").getvalue(),
             api.get(reverse("api-audit-detail", args=[entry.pk]), HTTP_ACCEPT="application/json").content]
    for body in pages:
        for secret in (GOALS, ACTIONS, NOTES):
            assert secret.encode() not in body
    assert entry.after is not None and entry.after["held_on"] == (timezone.localdate() - dt.timedelta(days=3)).isoformat()
