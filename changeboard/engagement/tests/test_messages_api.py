"""The comms plan's API: messages with their audience size, status and
delivery summary, the workflow actions through the services (errors as
400s, self-approval 403), and audience rules refreshing the size."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from changeboard.core.models import OutboxMessage

from ..models import Message, Recipient
from ..services import messages as svc
from .messages_data import Comms


@pytest.fixture
def c(world: Any) -> Comms:
    return Comms(world)


def api(client: Any, user: Any) -> Any:
    client.force_login(user)
    return client


def test_create_add_rules_submit_and_approve(client: Any, c: Comms) -> None:
    lead = api(client, c.world.users["lead"])
    response = lead.post(reverse("api-message-list"), {
        "programme": c.world.programme_a.pk, "title": "Briefing", "channel": "event", "planned_on": "2027-02-10",
        "starts_at": "2027-02-10T09:00:00Z", "ends_at": "2027-02-10T10:00:00Z", "subject": "S", "body": "Hi {first_name}"},
        content_type="application/json")
    assert response.status_code == 201, response.data
    pk = response.data["id"]
    assert response.data["status"] == "draft" and response.data["delivery"] == {"pending": 0, "sent": 0, "failed": 0}
    response = lead.post(reverse("api-message-audience-rule-list"), {"message": pk, "kind": "impact_line", "impact_line": c.custody.pk},
                         content_type="application/json")
    assert response.status_code == 201
    assert lead.get(reverse("api-message-detail", args=[pk])).data["audience_size"] == 2
    assert lead.post(reverse("api-message-submit", args=[pk])).data["status"] == "for_approval"
    assert lead.post(reverse("api-message-approve", args=[pk])).status_code == 403
    client.force_login(c.lead_a2)
    response = client.post(reverse("api-message-approve", args=[pk]))
    assert response.status_code == 200 and response.data["status"] == "approved"


def test_service_errors_are_400s_with_the_message(client: Any, c: Comms) -> None:
    lead = api(client, c.world.users["lead"])
    response = lead.post(reverse("api-message-list"), {"programme": c.world.programme_a.pk, "title": "B", "channel": "email",
                                                       "planned_on": "2027-02-10", "subject": "S", "body": "{oops}"},
                         content_type="application/json")
    assert response.status_code == 400 and "body" in response.data
    m = c.event()
    response = lead.post(reverse("api-message-submit", args=[m.pk]))
    assert response.status_code == 400 and svc.EMPTY_AUDIENCE in str(response.data)
    response = lead.post(reverse("api-message-audience-rule-list"), {"message": m.pk, "kind": "impact_line", "impact_line": c.line_b.pk},
                         content_type="application/json")
    assert response.status_code == 400 and "impact_line" in response.data
    assert not m.audience_rules.exists()


def test_return_needs_a_reason(client: Any, c: Comms) -> None:
    m = svc.message_submit(message=c.with_line(c.event()), actor=c.world.users["lead"])
    approver = api(client, c.lead_a2)
    assert approver.post(reverse("api-message-return", args=[m.pk]), {}, content_type="application/json").status_code == 400
    response = approver.post(reverse("api-message-return", args=[m.pk]), {"reason": "Later"}, content_type="application/json")
    assert response.status_code == 200 and response.data["status"] == "draft"


def test_delivery_counts_the_outbox_states_of_its_recipients(client: Any, c: Comms) -> None:
    m = c.with_line(c.event())
    for n, (staff, status) in enumerate([(c.west_pc, "sent"), (c.west_band, "failed"), (c.world.staff_in, "pending")]):
        outbox = OutboxMessage.objects.create(key=f"test-{n}", kind="engagement-message", to_address=f"{n}@example.org", subject="S",
                                              body="B", status=status, next_attempt_at=timezone.now())
        Recipient.objects.create(message=m, staff=staff, outbox=outbox)
    lead = api(client, c.world.users["lead"])
    assert lead.get(reverse("api-message-detail", args=[m.pk])).data["delivery"] == {"pending": 1, "sent": 1, "failed": 1}
    rows = lead.get(reverse("api-message-list")).data["results"]
    assert [r["delivery"] for r in rows if r["id"] == m.pk] == [{"pending": 1, "sent": 1, "failed": 1}]


def test_filters(client: Any, c: Comms) -> None:
    c.event()
    c.message(title="Note", channel="cascade", planned_on=__import__("datetime").date(2027, 5, 1))
    lead = api(client, c.world.users["lead"])
    titles = [r["title"] for r in lead.get(reverse("api-message-list"), {"channel": "cascade"}).data["results"]]
    assert titles == ["Note"]
    titles = [r["title"] for r in lead.get(reverse("api-message-list"), {"planned_to": "2027-03-01"}).data["results"]]
    assert titles == ["Custody briefing"]
    assert lead.get(reverse("api-message-list"), {"programme": "²"}).status_code == 400


def test_removing_a_rule_through_the_api_refreshes_the_size(client: Any, c: Comms) -> None:
    m = c.with_line(c.event())
    rule = m.audience_rules.get()
    lead = api(client, c.world.users["lead"])
    assert lead.delete(reverse("api-message-audience-rule-detail", args=[rule.pk])).status_code == 204
    assert Message.objects.get(pk=m.pk).audience_size == 0
