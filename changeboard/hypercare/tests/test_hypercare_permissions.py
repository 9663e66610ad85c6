"""The permission matrix of the support team's pages and the hypercare API:
periods follow their programme (the Board, champions and auditors read;
change managers of the programme change), queries are worked by the
programme's change managers and the period's support team, champions see
and raise their units' queries, auditors read, the Board never sees a query
(403), and another programme's period or query is 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from changeboard.accounts.models import Role
from changeboard.conftest import make_user
from changeboard.core.tests.test_permissions import API_LOGIN, DENY, HIDDEN, OK, PERSONAS, _check, _client, expect
from changeboard.cutover.models import Team

from ..models import Attachment, Query
from ..services.periods import period_create
from ..services.queries import query_create

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

COVERED_NAMES = {"period-list", "period-create", "period-detail", "period-edit", "period-categories", "period-category-edit", "period-sla",
                 "period-queries", "query-create", "query-list", "query-bulk-assign", "query-detail", "query-transition", "query-assign",
                 "query-comment", "query-edit", "query-attach",
                 "api-hypercare-period-list", "api-hypercare-period-detail", "api-query-list", "api-query-detail", "api-query-transition",
                 "api-query-assign", "api-query-comment", "api-query-sla"}

MOVED, NOT_ALLOWED = 302, 405
READ_PERIOD_A = expect(admin=OK, board=OK, lead=OK, lead2=HIDDEN, champion=OK, auditor=OK)
CHANGE_PERIOD_A = expect(admin=OK, lead=OK, lead2=HIDDEN)
READ_QUERY_A = expect(admin=OK, lead=OK, lead2=HIDDEN, champion=OK, auditor=OK)
READ_QUERY_OUT = {**READ_QUERY_A, "champion": HIDDEN}


class Hypercare:
    """Programme A's period (support team: the support lead and a champion
    of Camden) with a query from Westminster (the champion's units) and one
    from Camden; programme B's period with one query."""

    def __init__(self, world: Any) -> None:
        self.world = world
        self.support_lead = make_user("supportlead", Role.CHANGE_MANAGER)
        self.support_champion = make_user("supportchamp", Role.CHAMPION, units=[world.camden])
        self.team = Team.objects.create(name="Shared Services hypercare")
        self.team.members.set([self.support_lead, self.support_champion])
        self.a = period_create(rollout_wave=world.wave_a, actor=None, support_team=self.team)
        self.b = period_create(rollout_wave=world.wave_b, actor=None)
        category = self.a.categories.get(code="training_gap")
        self.q_in = query_create(period=self.a, category=category, title="Cannot find the custody screen", actor=None,
                                 source=Query.Source.PUBLIC, staff=world.staff_in)
        self.q_out = query_create(period=self.a, category=self.a.categories.get(code="defect"), title="Error saving a file", actor=None,
                                  source=Query.Source.PUBLIC, staff=world.staff_out)
        self.q_b = query_create(period=self.b, category=self.b.categories.get(code="access"), title="No access", actor=None,
                                source=Query.Source.PUBLIC, staff=world.staff_out)


@pytest.fixture
def hc(world: Any) -> Hypercare:
    return Hypercare(world)


PAGES: list[tuple[str, Callable[[Hypercare], dict[str, Any]], dict[str, Any]]] = [
    ("period-list", lambda h: {}, expect(admin=OK, board=OK, lead=OK, lead2=OK, champion=OK, auditor=OK)),
    ("period-create", lambda h: {}, expect(admin=OK, lead=OK, lead2=OK)),
    ("period-detail", lambda h: {"pk": h.a.pk}, READ_PERIOD_A),
    ("period-detail", lambda h: {"pk": h.b.pk}, expect(admin=OK, board=OK, lead=HIDDEN, lead2=OK, champion=HIDDEN, auditor=OK)),
    ("period-edit", lambda h: {"pk": h.a.pk}, CHANGE_PERIOD_A),
    ("period-categories", lambda h: {"pk": h.a.pk}, READ_PERIOD_A),
    ("period-category-edit", lambda h: {"pk": h.a.pk, "category_pk": h.a.categories.get(code="other").pk}, CHANGE_PERIOD_A),
    # A category of period B through period A's address is not found.
    ("period-category-edit", lambda h: {"pk": h.a.pk, "category_pk": h.b.categories.get(code="other").pk}, {**CHANGE_PERIOD_A, "admin": HIDDEN, "lead": HIDDEN}),
    ("period-sla", lambda h: {"pk": h.a.pk}, CHANGE_PERIOD_A),
    ("query-list", lambda h: {}, expect(admin=OK, lead=OK, lead2=OK, champion=OK, auditor=OK)),
    ("period-queries", lambda h: {"pk": h.a.pk}, READ_QUERY_A),
    ("period-queries", lambda h: {"pk": h.b.pk}, expect(admin=OK, lead=HIDDEN, lead2=OK, champion=HIDDEN, auditor=OK)),
    ("query-create", lambda h: {"pk": h.a.pk}, expect(admin=OK, lead=OK, lead2=HIDDEN, champion=OK)),
    ("query-detail", lambda h: {"pk": h.q_in.pk}, READ_QUERY_A),
    ("query-detail", lambda h: {"pk": h.q_out.pk}, READ_QUERY_OUT),
    ("query-detail", lambda h: {"pk": h.q_b.pk}, expect(admin=OK, lead=HIDDEN, lead2=OK, champion=HIDDEN, auditor=OK)),
    # Actions are POST only: the methods answer 405 to those who may work queries at all.
    ("query-bulk-assign", lambda h: {}, expect(admin=NOT_ALLOWED, lead=NOT_ALLOWED, lead2=NOT_ALLOWED, champion=NOT_ALLOWED)),
    ("query-transition", lambda h: {"pk": h.q_in.pk}, expect(admin=NOT_ALLOWED, lead=NOT_ALLOWED, lead2=NOT_ALLOWED, champion=NOT_ALLOWED)),
    ("query-assign", lambda h: {"pk": h.q_in.pk}, expect(admin=NOT_ALLOWED, lead=NOT_ALLOWED, lead2=NOT_ALLOWED, champion=NOT_ALLOWED)),
    ("query-comment", lambda h: {"pk": h.q_in.pk}, expect(admin=NOT_ALLOWED, lead=NOT_ALLOWED, lead2=NOT_ALLOWED, champion=NOT_ALLOWED)),
    ("query-edit", lambda h: {"pk": h.q_in.pk}, expect(admin=NOT_ALLOWED, lead=NOT_ALLOWED, lead2=NOT_ALLOWED, champion=NOT_ALLOWED)),
    ("query-attach", lambda h: {"pk": h.q_in.pk}, expect(admin=NOT_ALLOWED, lead=NOT_ALLOWED, lead2=NOT_ALLOWED, champion=NOT_ALLOWED)),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "expected"), PAGES, ids=[f"{p[0]}-{i}" for i, p in enumerate(PAGES)])
def test_page_matrix(client: Any, hc: Hypercare, persona: str, name: str, kwargs: Any, expected: dict[str, Any]) -> None:
    _check(_client(client, hc.world, persona).get(reverse(name, kwargs=kwargs(hc))), expected[persona])


POSTS: list[tuple[str, Callable[[Hypercare], dict[str, Any]], Callable[[Hypercare], dict[str, Any]], dict[str, Any]]] = [
    ("period-edit", lambda h: {"pk": h.a.pk},
     lambda h: {"starts_on": "2027-03-01", "ends_on": "2027-04-30", "working_days": ["1", "2", "3", "4", "5"], "day_starts": "08:00",
                "day_ends": "18:00", "bank_holidays": "on", "reopen_days": "10", "support_team": h.team.pk},
     expect(admin=MOVED, lead=MOVED, lead2=HIDDEN)),
    ("period-categories", lambda h: {"pk": h.a.pk}, lambda h: {"name": "Printing"}, expect(admin=MOVED, lead=MOVED, lead2=HIDDEN)),
    # A champion (even on the support team) comments only as the team: one outside it finds Camden's query hidden.
    ("query-comment", lambda h: {"pk": h.q_in.pk}, lambda h: {"comment-text": "Looking", "comment-to_requester": "0"},
     expect(admin=MOVED, lead=MOVED, lead2=HIDDEN, champion=HIDDEN)),
    ("query-transition", lambda h: {"pk": h.q_in.pk}, lambda h: {"transition-status": "in_progress"},
     expect(admin=MOVED, lead=MOVED, lead2=HIDDEN, champion=HIDDEN)),
    ("query-attach", lambda h: {"pk": h.q_in.pk}, lambda h: {"attach-file": SimpleUploadedFile("steps.pdf", PDF, "application/pdf")},
     expect(admin=MOVED, lead=MOVED, lead2=HIDDEN, champion=HIDDEN)),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "body", "expected"), POSTS, ids=[f"{p[0]}-{i}" for i, p in enumerate(POSTS)])
def test_post_matrix(client: Any, hc: Hypercare, persona: str, name: str, kwargs: Any, body: Any, expected: dict[str, Any],
                     settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    response = _client(client, hc.world, persona).post(reverse(name, kwargs=kwargs(hc)), body(hc))
    _check(response, expected[persona])
    if name == "query-transition":
        assert (Query.objects.get(pk=hc.q_in.pk).status == "in_progress") is (expected[persona] == MOVED)
    if name == "query-attach":
        assert Attachment.objects.filter(query=hc.q_in).exists() is (expected[persona] == MOVED)


def _api(expected: dict[str, Any]) -> dict[str, Any]:
    return {**expected, "anonymous": API_LOGIN}


API: list[tuple[str, str, Callable[[Hypercare], dict[str, Any]], Callable[[Hypercare], dict[str, Any]] | None, dict[str, Any]]] = [
    ("get", "api-hypercare-period-list", lambda h: {}, None, _api(expect(admin=OK, board=OK, lead=OK, lead2=OK, champion=OK, auditor=OK))),
    ("get", "api-hypercare-period-detail", lambda h: {"pk": h.a.pk}, None, _api(READ_PERIOD_A)),
    ("patch", "api-hypercare-period-detail", lambda h: {"pk": h.a.pk}, lambda h: {"reopen_days": 5}, _api(CHANGE_PERIOD_A)),
    # Another programme's wave reads as no such wave: a 400 on the field, never a 201.
    ("post", "api-hypercare-period-list", lambda h: {}, lambda h: {"rollout_wave": h.world.wave_a.pk, "ends_on": "2027-05-01"},
     _api(expect(admin=201, lead=201, lead2=400))),
    ("get", "api-query-list", lambda h: {}, None, _api(expect(admin=OK, lead=OK, lead2=OK, champion=OK, auditor=OK))),
    ("get", "api-query-detail", lambda h: {"pk": h.q_in.pk}, None, _api(READ_QUERY_A)),
    ("get", "api-query-detail", lambda h: {"pk": h.q_out.pk}, None, _api(READ_QUERY_OUT)),
    ("patch", "api-query-detail", lambda h: {"pk": h.q_in.pk}, lambda h: {"priority": "P2"}, _api(expect(admin=OK, lead=OK, lead2=HIDDEN, champion=HIDDEN))),
    ("post", "api-query-list", lambda h: {}, lambda h: {"period": h.a.pk, "category": h.a.categories.get(code="other").pk, "title": "Help",
                                                         "person": h.world.staff_in.staff_number},
     _api(expect(admin=201, lead=201, lead2=400, champion=201))),
    ("post", "api-query-transition", lambda h: {"pk": h.q_in.pk}, lambda h: {"status": "in_progress"},
     _api(expect(admin=OK, lead=OK, lead2=HIDDEN, champion=HIDDEN))),
    ("post", "api-query-assign", lambda h: {"pk": h.q_in.pk}, lambda h: {"assignee": h.support_lead.pk},
     _api(expect(admin=OK, lead=OK, lead2=HIDDEN, champion=HIDDEN))),
    ("post", "api-query-comment", lambda h: {"pk": h.q_in.pk}, lambda h: {"text": "Noted"}, _api(expect(admin=OK, lead=OK, lead2=HIDDEN, champion=HIDDEN))),
    ("get", "api-query-sla", lambda h: {"pk": h.q_in.pk}, None, _api(READ_QUERY_A)),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "name", "kwargs", "body", "expected"), API, ids=[f"{a[0]}-{a[1]}-{i}" for i, a in enumerate(API)])
def test_api_matrix(client: Any, hc: Hypercare, persona: str, method: str, name: str, kwargs: Any, body: Any, expected: dict[str, Any]) -> None:
    c = _client(client, hc.world, persona)
    url = reverse(name, kwargs=kwargs(hc))
    response = c.get(url, HTTP_ACCEPT="application/json") if body is None else getattr(c, method)(url, body(hc), content_type="application/json")
    assert response.status_code == expected[persona], (response.status_code, expected[persona], getattr(response, "data", None))


@pytest.mark.parametrize("who", ["supportlead", "supportchamp"])
def test_the_support_team_works_every_query_of_its_period(client: Any, hc: Hypercare, who: str) -> None:
    """A member of the team (a change manager of no programme, or a champion
    of another unit) sees and works all of the period's queries, and no other period's."""
    user = hc.support_lead if who == "supportlead" else hc.support_champion
    client.force_login(user)
    for query in (hc.q_in, hc.q_out):
        assert client.get(reverse("query-detail", args=[query.pk])).status_code == OK
    # Programme B's query: the support lead has no part in it; the champion of
    # Camden sees it as Camden's champion, but does not work it.
    assert client.get(reverse("query-detail", args=[hc.q_b.pk])).status_code == (HIDDEN if who == "supportlead" else OK)
    assert client.post(reverse("query-transition", args=[hc.q_b.pk]), {"transition-status": "in_progress"}).status_code == HIDDEN
    response = client.post(reverse("query-transition", args=[hc.q_in.pk]), {"transition-status": "in_progress"})
    assert response.status_code == MOVED
    assert Query.objects.get(pk=hc.q_in.pk).status == "in_progress"
    assert client.get(reverse("period-detail", args=[hc.a.pk])).status_code == OK
    assert client.get(reverse("period-edit", args=[hc.a.pk])).status_code in (DENY, HIDDEN)


def test_board_reads_periods_but_never_a_query(client: Any, hc: Hypercare) -> None:
    client.force_login(hc.world.users["board"])
    assert client.get(reverse("period-detail", args=[hc.a.pk])).status_code == OK
    assert client.get(reverse("query-list")).status_code == DENY
    assert client.get(reverse("api-query-list"), HTTP_ACCEPT="application/json").status_code == DENY
