"""The parts wired together: the attention warning on the message and
approval pages (a warning, never a block), sending from the message page
and through `api-message`, one `message_cancel` for every state, the
sub-navigation and the links between the register, timeline, engagements,
debt, the comms calendar and the heatmap."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from changeboard.core.models import AuditEntry, OutboxMessage
from changeboard.portfolio.models import Programme

from ..models import Message, Recipient
from ..services import messages as comms
from ..services import sending
from .attention_data import message as reaching
from .engagements_data import mapping, stakeholder
from .sending_data import approved_message

pytestmark = pytest.mark.django_db
# The sending actions on api-message: out of scope 404, out of role 403, sender 200 (below).
COVERED_NAMES = {"api-message-send", "api-message-send-update", "api-message-cancel-invitation", "api-message-deliveries"}
DAY = dt.date(2027, 2, 10)


def crowd_westminster(world: Any, n: int = 3) -> None:
    """`n` other programmes' approved briefings reaching Response Team 1 (Westminster) in DAY's week."""
    programmes = [world.programme_b, *(Programme.objects.create(code=f"P{i}", name=f"Programme {i}", status="active", phase="build")
                                       for i in range(n - 1))]
    for programme in programmes:
        reaching(programme, DAY, {world.team: 10}, title=f"{programme.code} roadshow")


def test_the_message_and_approval_pages_warn_and_approval_still_goes_through(client: Any, world: Any) -> None:
    crowd_westminster(world)
    message = approved_message(world, planned_on=DAY, status=Message.Status.FOR_APPROVAL, submitted_by=world.users["admin"],
                               approved_by=None, approved_at=None)
    client.force_login(world.users["lead"])
    for name in ("message-detail", "message-approve"):
        html = client.get(reverse(name, args=[message.pk])).content.decode()
        assert 'id="attention-warning"' in html and "over the portfolio's limit of 3 items a week" in html, name
        assert "Central West BCU &gt; Westminster" in html and "BBB: BBB roadshow" in html
        assert 'id="attention-suggestions"' in html  # other programmes' messages to the same people that week
    response = client.post(reverse("message-approve", args=[message.pk]), {"decision": "approve"})
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == Message.Status.APPROVED


def test_no_warning_under_the_limit_nor_once_sent(client: Any, world: Any) -> None:
    crowd_westminster(world, n=2)
    message = approved_message(world, planned_on=DAY)
    client.force_login(world.users["lead"])
    assert 'id="attention-warning"' not in client.get(reverse("message-detail", args=[message.pk])).content.decode()
    crowd_westminster_more = reaching(world.programme_b, DAY, {world.team: 5}, title="One more")
    assert crowd_westminster_more.pk
    assert 'id="attention-warning"' in client.get(reverse("message-detail", args=[message.pk])).content.decode()
    sending.message_send(message=message, actor=world.users["lead"])
    assert 'id="attention-warning"' not in client.get(reverse("message-detail", args=[message.pk])).content.decode()


def test_the_message_page_offers_sending_by_state_and_role(client: Any, world: Any) -> None:
    message = approved_message(world)
    client.force_login(world.users["lead"])
    html = client.get(reverse("message-detail", args=[message.pk])).content.decode()
    assert reverse("message-send", args=[message.pk]) in html and reverse("message-cancel-invitation", args=[message.pk]) not in html
    assert 'id="deliveries-link"' not in html
    client.force_login(world.users["board"])  # reads, never sends
    assert reverse("message-send", args=[message.pk]) not in client.get(reverse("message-detail", args=[message.pk])).content.decode()

    sending.message_send(message=message, actor=world.users["lead"])
    client.force_login(world.users["lead"])
    html = client.get(reverse("message-detail", args=[message.pk])).content.decode()
    assert reverse("message-send", args=[message.pk]) not in html
    assert reverse("message-send-update", args=[message.pk]) in html and reverse("message-cancel-invitation", args=[message.pk]) in html
    assert 'id="deliveries-link"' in html and reverse("message-deliveries", args=[message.pk]) in html
    assert reverse("message-cancel", args=[message.pk]) not in html  # a sent event is cancelled by a cancellation


def test_one_cancel_for_every_state(world: Any) -> None:
    lead = world.users["lead"]
    planned = approved_message(world, title="Not yet sent")
    assert comms.message_cancel(message=planned, actor=lead).status == Message.Status.CANCELLED
    assert not OutboxMessage.objects.exists()  # nothing was sent, nothing to call off

    event = approved_message(world, title="Sent event")
    sending.message_send(message=event, actor=lead)
    cancelled = comms.message_cancel(message=event, actor=lead)
    assert (cancelled.status, cancelled.sequence) == (Message.Status.CANCELLED, 1)
    assert Recipient.objects.filter(message=event, kind=Recipient.Kind.CANCEL).count() == 1  # METHOD:CANCEL to who had it
    assert AuditEntry.objects.filter(object_id=str(event.pk), after__sending="cancel").count() == 1

    email = approved_message(world, title="Sent email", channel=Message.Channel.EMAIL)
    sending.message_send(message=email, actor=lead)
    with pytest.raises(ValidationError, match="cannot be taken back"):
        comms.message_cancel(message=email, actor=lead)
    with pytest.raises(ValidationError, match="already cancelled"):
        comms.message_cancel(message=event, actor=lead)


def test_the_api_sends_cancels_a_sent_event_and_lists_deliveries(client: Any, world: Any) -> None:
    message = approved_message(world)
    client.force_login(world.users["lead2"])  # another programme's change manager: not in scope
    assert client.post(reverse("api-message-send", args=[message.pk])).status_code == 404
    client.force_login(world.users["board"])  # in scope, not a sender
    assert client.post(reverse("api-message-send", args=[message.pk])).status_code == 403
    client.force_login(world.users["lead"])
    response = client.post(reverse("api-message-send", args=[message.pk]))
    assert response.status_code == 200 and (response.data["queued"], response.data["status"]) == (1, "sent")
    assert client.post(reverse("api-message-send", args=[message.pk])).status_code == 400  # not twice
    deliveries = client.get(reverse("api-message-deliveries", args=[message.pk])).data
    assert deliveries["counts"]["pending"] == 1 and deliveries["results"][0]["address"] == world.staff_in.email
    assert client.post(reverse("api-message-send-update", args=[message.pk])).data["sequence"] == 1
    response = client.post(reverse("api-message-cancel", args=[message.pk]))  # the one cancel: a sent event is called off
    assert response.status_code == 200 and response.data["status"] == "cancelled"
    assert client.post(reverse("api-message-cancel-invitation", args=[message.pk])).status_code == 400


def test_the_sub_navigation_and_the_links_between_the_parts(client: Any, world: Any) -> None:
    person = stakeholder("Chief Superintendent West")
    mapping(person, world.programme_a, influence=5)
    client.force_login(world.users["lead"])
    for name, args in (("stakeholder-list", []), ("stakeholder-detail", [person.pk]), ("stakeholder-timeline", [person.pk]),
                       ("engagement-list", []), ("engagement-debt", []), ("message-list", []), ("attention-heatmap", [])):
        html = client.get(reverse(name, args=args)).content.decode()
        assert 'aria-label="Engagement"' in html, name
        for target in ("stakeholder-list", "stakeholder-map", "engagement-list", "engagement-debt", "message-list", "attention-heatmap"):
            assert f'href="{reverse(target)}"' in html, (name, target)
        assert html.count('aria-current="page"') == 1, name
    detail = client.get(reverse("stakeholder-detail", args=[person.pk])).content.decode()
    assert reverse("stakeholder-timeline", args=[person.pk]) in detail and f"{reverse('engagement-list')}?stakeholder={person.pk}" in detail
    timeline = client.get(reverse("stakeholder-timeline", args=[person.pk])).content.decode()
    assert reverse("stakeholder-detail", args=[person.pk]) in timeline and reverse("engagement-debt") in timeline
    debt = client.get(reverse("engagement-debt")).content.decode()
    assert reverse("stakeholder-detail", args=[person.pk]) in debt
    calendar = client.get(reverse("message-list") + "?month=2027-02").content.decode()
    assert f"{reverse('attention-heatmap')}?start=2027-02-08&amp;weeks=1" in calendar
    # The heatmap link lands on a working page for that week.
    assert client.get(reverse("attention-heatmap"), {"start": "2027-02-08", "weeks": 1}).status_code == 200
    # The top navigation's "Engagement" is current on every engagement page.
    assert 'aria-current="true"><strong class="govuk-service-navigation__active-fallback">Engagement' in calendar
