"""The hypercare API: periods (create with defaults, update, the raise link
for the support side only) and queries (filters, contact fields only for
the support side, raising with the champion's unit rule, partial update,
transition, assign, comment, SLA), service errors as 400s."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from changeboard.core.models import OutboxMessage

from ..models import Period, Query
from ..services.queries import query_assign
from .test_hypercare_permissions import Hypercare


@pytest.fixture
def hc(world: Any) -> Hypercare:
    return Hypercare(world)


def get(client: Any, name: str, **kwargs: Any) -> Any:
    params = kwargs.pop("params", None)
    return client.get(reverse(name, kwargs=kwargs or None), params, HTTP_ACCEPT="application/json")


def post(client: Any, name: str, body: dict[str, Any], **kwargs: Any) -> Any:
    return client.post(reverse(name, kwargs=kwargs or None), body, content_type="application/json")


def test_create_and_update_a_period(client: Any, world: Any) -> None:
    client.force_login(world.users["lead"])
    response = post(client, "api-hypercare-period-list", {"rollout_wave": world.wave_a.pk})
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["starts_on"] == "2027-03-01" and data["ends_on"] == "2027-04-12" and len(data["categories"]) == 7
    assert {t["priority"] for t in data["sla_targets"]} == {"P1", "P2", "P3", "P4"}
    url = reverse("api-hypercare-period-detail", args=[data["id"]])
    bad = client.patch(url, {"day_starts": "18:00", "day_ends": "08:00"}, content_type="application/json")
    assert bad.status_code == 400 and "day_ends" in bad.json()
    ok = client.patch(url, {"working_days": [1, 2, 3, 4, 5, 6], "rollout_wave": world.wave_b.pk}, content_type="application/json")
    assert ok.status_code == 200
    period = Period.objects.get(pk=data["id"])
    assert period.working_days == [1, 2, 3, 4, 5, 6] and period.rollout_wave == world.wave_a  # the wave is fixed once opened


def test_raise_link_only_for_the_support_side(client: Any, hc: Hypercare) -> None:
    for user, sees in ((hc.world.users["lead"], True), (hc.support_champion, True), (hc.world.users["board"], False),
                       (hc.world.users["auditor"], False)):
        client.force_login(user)
        data = get(client, "api-hypercare-period-detail", pk=hc.a.pk).json()
        assert "public_raise_url" in data
        if not sees:
            assert data["public_raise_url"] is None, user
        elif data["public_raise_url"] is not None:  # once hc-public's `public-raise` is installed
            assert hc.a.public_token in data["public_raise_url"]


def test_contact_fields_only_for_the_support_side(client: Any, hc: Hypercare) -> None:
    client.force_login(hc.world.users["lead"])
    data = get(client, "api-query-detail", pk=hc.q_in.pk).json()
    assert data["contact_email"] == "p100001@example.police.uk" and data["contact_name"] == "Alex Inscope"
    for persona in ("auditor", "champion", "admin"):
        client.force_login(hc.world.users[persona])
        data = get(client, "api-query-detail", pk=hc.q_in.pk).json()
        assert "contact_email" not in data and "contact_name" not in data, persona
        assert data["unit_name"] == "Response Team 1" and data["role"] == "Response officer"
        listed = get(client, "api-query-list", params={"status": "all"}).json()["results"]
        assert listed and all("contact_email" not in row for row in listed)


def test_list_filters(client: Any, hc: Hypercare) -> None:
    query_assign(query=hc.q_in, assignee=hc.support_lead, actor=None)
    client.force_login(hc.support_lead)
    refs = lambda params: {r["reference"] for r in get(client, "api-query-list", params=params).json()["results"]}  # noqa: E731
    assert refs({}) == {hc.q_in.reference, hc.q_out.reference}
    assert refs({"assignee": "me"}) == {hc.q_in.reference}
    assert refs({"assignee": "none"}) == {hc.q_out.reference}
    assert refs({"unit": hc.world.westminster.pk}) == {hc.q_in.reference}
    assert refs({"sla": "running"}) | refs({"sla": "at_risk"}) | refs({"sla": "breached"}) == {hc.q_in.reference, hc.q_out.reference}
    assert get(client, "api-query-list", params={"unit": "²"}).status_code == 400


def test_raise_through_the_api(client: Any, hc: Hypercare) -> None:
    client.force_login(hc.world.users["champion"])
    body = {"period": hc.a.pk, "category": hc.a.categories.get(code="training_gap").pk, "title": "Rota screen",
            "person": hc.world.staff_out.staff_number}
    refused = post(client, "api-query-list", body)
    assert refused.status_code == 400 and "person" in refused.json()
    made = post(client, "api-query-list", {**body, "person": hc.world.staff_in.staff_number, "source": "support"})
    assert made.status_code == 201, made.json()
    query = Query.objects.get(reference=made.json()["reference"])
    assert query.source == "on_behalf" and query.unit == hc.world.team and query.raised_by == hc.world.users["champion"]
    client.force_login(hc.support_lead)
    made = post(client, "api-query-list", {**body, "source": "support", "tags": "rota, custody"})
    assert made.status_code == 201 and made.json()["contact_email"] == "p200001@example.police.uk"
    assert Query.objects.get(reference=made.json()["reference"]).tags == "rota, custody"
    no_period = post(client, "api-query-list", {**body, "period": hc.b.pk, "category": hc.b.categories.get(code="other").pk})
    assert no_period.status_code == 400 and "period" in no_period.json()


def test_update_and_actions(client: Any, hc: Hypercare) -> None:
    client.force_login(hc.world.users["lead"])
    url = reverse("api-query-detail", args=[hc.q_in.pk])
    response = client.patch(url, {"priority": "P1", "title": "Custody screen missing", "status": "closed"}, content_type="application/json")
    assert response.status_code == 200
    query = Query.objects.get(pk=hc.q_in.pk)
    assert query.priority == "P1" and query.title == "Custody screen missing" and query.status == "new"  # status only by transition
    bad = client.patch(url, {"category": hc.b.categories.get(code="other").pk}, content_type="application/json")
    assert bad.status_code == 400
    assigned = post(client, "api-query-assign", {"assignee": hc.support_champion.pk}, pk=hc.q_in.pk)
    assert assigned.status_code == 200 and assigned.json()["status"] == "assigned" and assigned.json()["assignee"] == hc.support_champion.pk
    outsider = post(client, "api-query-assign", {"assignee": hc.world.users["lead2"].pk}, pk=hc.q_in.pk)
    assert outsider.status_code == 400 and "assignee" in outsider.json()
    sent = OutboxMessage.objects.count()
    assert post(client, "api-query-comment", {"text": "Try the Custody tab", "to_requester": True}, pk=hc.q_in.pk).status_code == 200
    assert OutboxMessage.objects.count() == sent + 1
    assert post(client, "api-query-comment", {"text": " "}, pk=hc.q_in.pk).status_code == 400
    wrong = post(client, "api-query-transition", {"status": "reopened"}, pk=hc.q_in.pk)
    assert wrong.status_code == 400 and "cannot become reopened" in str(wrong.json())
    done = post(client, "api-query-transition", {"status": "resolved", "comment": "Fixed"}, pk=hc.q_in.pk)
    assert done.status_code == 200 and done.json()["status"] == "resolved" and done.json()["resolved_at"]


def test_sla_action(client: Any, hc: Hypercare) -> None:
    client.force_login(hc.world.users["auditor"])
    data = get(client, "api-query-sla", pk=hc.q_in.pk).json()
    assert data["query"] == hc.q_in.pk and data["priority"] == "P3"
    assert data["response"]["target_minutes"] == 600 and data["resolution"]["target_minutes"] == 3000
    assert data["response"]["state"] in {"running", "at_risk", "breached"}
    created = dt.datetime.fromisoformat(get(client, "api-query-detail", pk=hc.q_in.pk).json()["created_at"].replace("Z", "+00:00"))
    assert data["response"]["stopped_at"] is None and created.tzinfo is not None
