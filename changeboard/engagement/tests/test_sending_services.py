"""Sending through the outbox: who gets it (leavers out, no address
reported), personalisation, the footer, no tracking, invitations, updates
and cancellations, idempotent keys, refusals, and the query budget."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from icalendar import Calendar

from changeboard.conftest import make_staff
from changeboard.core.models import AuditEntry, OutboxMessage

from ..models import AudienceRule, Message, Recipient
from ..services import sending
from .sending_data import add_people, approved_message

pytestmark = pytest.mark.django_db


def outbox_by_staff(message: Message, kind: str = "message") -> dict[int | None, OutboxMessage]:
    return {r.staff_id if r.staff_id else -r.stakeholder_id: r.outbox  # type: ignore[operator, misc]
            for r in Recipient.objects.filter(message=message, kind=kind).select_related("outbox")}


def test_send_reaches_the_audience_in_post_reports_no_address_and_leaves_out_leavers(world: Any) -> None:
    people = add_people(world)
    message = approved_message(world)
    AudienceRule.objects.create(message=message, kind=AudienceRule.Kind.STAKEHOLDER, stakeholder=people["external"])
    lead = world.users["lead"]

    result = sending.message_send(message=message, actor=lead)

    assert (result.recipients, result.queued, result.without_email, result.contacts) == (4, 3, 1, 1)
    rows = Recipient.objects.filter(message=message)
    assert {r.staff_id for r in rows if r.staff_id} == {world.staff_in.pk, people["colleague"].pk, people["no_email"].pk}
    assert {r.stakeholder_id for r in rows if r.stakeholder_id} == {people["external"].pk}
    assert rows.get(staff=people["no_email"]).outbox is None  # counted and listed, not lost
    assert not rows.filter(staff__in=[people["leaver"], people["gone"]]).exists()
    assert {r.unit_id for r in rows if r.staff_id == world.staff_in.pk} == {world.team.pk}
    assert set(rows.values_list("kind", "sequence")) == {("message", 0)}
    mail = rows.get(staff=world.staff_in).outbox
    assert mail is not None and mail.key == f"eng-{message.pk}-message-0-{world.staff_in.pk}"
    assert rows.get(stakeholder=people["external"]).outbox.key == f"eng-{message.pk}-message-0-s{people['external'].pk}"  # type: ignore[union-attr]

    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.sent_at is not None
    assert message.audience_size == 4
    entry = AuditEntry.objects.get(object_type="engagement.message", object_id=str(message.pk))
    assert entry.actor == lead and entry.before == {"status": "approved"}
    assert entry.after is not None and entry.after["recipients"] == 4 and entry.after["without_email"] == 1 and entry.after["queued"] == 3
    assert sending.delivery_counts(message) == {"pending": 3, "sent": 0, "failed": 0, "no_email": 1}


def test_the_email_is_personalised_plain_text_with_the_internal_footer_and_no_tracking(world: Any) -> None:
    message = approved_message(world, channel=Message.Channel.EMAIL, body="Hi {first_name} {last_name} of {unit}: live on {wave_date}. "
                               "{not_a_field} {first_name.__class__} stays as written.")
    sending.message_send(message=message, actor=world.users["lead"])
    mail = Recipient.objects.get(message=message, staff=world.staff_in).outbox
    assert mail is not None
    assert mail.to_address == world.staff_in.email and mail.subject == "Briefing on the new duty system"
    assert mail.body.startswith("Hi Alex Inscope of Response Team 1: live on 1 March 2027. {not_a_field} {first_name.__class__} stays")
    assert "Sent by Lead Tester for the Shared Services programme (AAA), through Changeboard." in mail.body
    assert "You are receiving this because you are in the audience the Shared Services programme chose" in mail.body
    assert "(your unit: Response Team 1)" in mail.body
    lowered = mail.body.lower()
    assert "unsubscribe" not in lowered and "http" not in lowered and "<img" not in lowered
    assert mail.alternatives == [] and mail.attachments == []  # an email is plain text only
    assert mail.kind == sending.KIND


def test_an_event_carries_its_invitation_as_a_calendar_alternative_and_an_ics_file(world: Any) -> None:
    message = approved_message(world)
    sending.message_send(message=message, actor=world.users["lead"])
    mail = Recipient.objects.get(message=message, staff=world.staff_in).outbox
    assert mail is not None
    [[content, mimetype]] = mail.alternatives
    assert mimetype == "text/calendar; method=REQUEST"
    [[filename, attached, attached_type]] = mail.attachments
    assert (filename, attached, attached_type) == ("invitation.ics", content, "application/ics")
    vevent = Calendar.from_ical(content).walk("VEVENT")[0]
    assert str(vevent["attendee"]) == f"mailto:{world.staff_in.email}" and vevent["attendee"].params["CN"] == "Alex Inscope"
    assert str(vevent["uid"]) == f"{message.uid}@changeboard.invitations" and vevent["sequence"] == 0
    assert "When: Monday 15 February 2027, 10:00 to 11:00 (UK time)" in mail.body
    assert "Where: Westminster briefing room" in mail.body


def test_an_update_goes_to_earlier_recipients_still_in_post_with_a_higher_sequence(world: Any) -> None:
    people = add_people(world)
    message = approved_message(world)
    sending.message_send(message=message, actor=world.users["lead"])
    # After the invitation: the colleague leaves, a newcomer joins (not an earlier recipient).
    people["colleague"].is_leaver = True
    people["colleague"].save()
    make_staff("100009", world.team, first_name="Nia", last_name="Newcomer")
    message.refresh_from_db()
    message.location = "Room 2"
    message.save()

    result = sending.message_send_update(message=message, actor=world.users["lead"])

    assert (result.kind, result.sequence, result.queued, result.without_email) == ("update", 1, 1, 1)
    update = outbox_by_staff(message, "update")
    assert set(update) == {world.staff_in.pk, people["no_email"].pk}
    mail = update[world.staff_in.pk]
    assert mail is not None and mail.subject == "Updated: Briefing on the new duty system"
    assert mail.key == f"eng-{message.pk}-update-1-{world.staff_in.pk}"
    vevent = Calendar.from_ical(mail.alternatives[0][0]).walk("VEVENT")[0]
    first = Calendar.from_ical(outbox_by_staff(message)[world.staff_in.pk].alternatives[0][0]).walk("VEVENT")[0]
    assert str(vevent["uid"]) == str(first["uid"]) and (first["sequence"], vevent["sequence"]) == (0, 1)
    assert str(vevent["location"]) == "Room 2"
    message.refresh_from_db()
    assert (message.status, message.sequence) == (Message.Status.SENT, 1)


def test_a_cancellation_sends_method_cancel_and_cancels_the_message(world: Any) -> None:
    message = approved_message(world)
    sending.message_send(message=message, actor=world.users["lead"])
    sending.message_send_update(message=message, actor=world.users["lead"])
    result = sending.message_cancel_invitation(message=message, actor=world.users["lead"])
    assert (result.kind, result.sequence, result.queued) == ("cancel", 2, 1)
    mail = outbox_by_staff(message, "cancel")[world.staff_in.pk]
    assert mail is not None and mail.subject.startswith("Cancelled: ")
    assert mail.alternatives[0][1] == "text/calendar; method=CANCEL"
    calendar = Calendar.from_ical(mail.alternatives[0][0])
    assert str(calendar["method"]) == "CANCEL"
    vevent = calendar.walk("VEVENT")[0]
    assert (vevent["sequence"], str(vevent["status"])) == (2, "CANCELLED")
    assert "has been cancelled" in mail.body
    message.refresh_from_db()
    assert (message.status, message.sequence) == (Message.Status.CANCELLED, 2)
    with pytest.raises(ValidationError, match="Only a sent invitation"):
        sending.message_cancel_invitation(message=message, actor=world.users["lead"])
    assert Counter(Recipient.objects.filter(message=message).values_list("kind", flat=True)) == {"message": 1, "update": 1, "cancel": 1}


@pytest.mark.parametrize("channel", [Message.Channel.INTRANET, Message.Channel.BRIEFING, Message.Channel.CASCADE])
def test_non_email_channels_are_refused_clearly(world: Any, channel: str) -> None:
    message = approved_message(world, channel=channel)
    with pytest.raises(ValidationError, match="is not sent by email"):
        sending.message_send(message=message, actor=world.users["lead"])
    assert not OutboxMessage.objects.exists() and not Recipient.objects.exists()
    message.refresh_from_db()
    assert message.status == Message.Status.APPROVED


@pytest.mark.parametrize("status", [Message.Status.DRAFT, Message.Status.FOR_APPROVAL, Message.Status.SENT, Message.Status.CANCELLED])
def test_only_approved_messages_are_sent_and_a_second_send_doubles_nothing(world: Any, status: str) -> None:
    message = approved_message(world, status=status)
    with pytest.raises(ValidationError, match="Only an approved message"):
        sending.message_send(message=message, actor=world.users["lead"])
    assert not OutboxMessage.objects.exists()


def test_a_repeat_of_the_same_step_never_doubles_an_email(world: Any) -> None:
    message = approved_message(world)
    sending.message_send(message=message, actor=world.users["lead"])
    assert OutboxMessage.objects.count() == 1
    # The same step again (as after a crash between commit and status): same keys, nothing new.
    Message.objects.filter(pk=message.pk).update(status=Message.Status.APPROVED)
    again = sending.message_send(message=message, actor=world.users["lead"])
    assert (again.queued, OutboxMessage.objects.count(), Recipient.objects.count()) == (0, 1, 1)


def test_updates_and_cancellations_are_for_sent_events_only(world: Any) -> None:
    email = approved_message(world, channel=Message.Channel.EMAIL)
    sending.message_send(message=email, actor=world.users["lead"])
    with pytest.raises(ValidationError, match="Only an event's invitation can be updated"):
        sending.message_send_update(message=email, actor=world.users["lead"])
    event = approved_message(world)
    with pytest.raises(ValidationError, match="Only a sent invitation can be cancelled"):
        sending.message_cancel_invitation(message=event, actor=world.users["lead"])


def test_an_audience_of_nobody_or_an_empty_body_is_refused(world: Any) -> None:
    world.staff_out.is_leaver = True  # North BCU's only person
    world.staff_out.save()
    nobody = approved_message(world, unit=world.north)
    with pytest.raises(ValidationError, match="resolves to nobody"):
        sending.message_send(message=nobody, actor=world.users["lead"])
    blank = approved_message(world, body="  ")
    with pytest.raises(ValidationError, match="needs a subject and a body"):
        sending.message_send(message=blank, actor=world.users["lead"])
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize("persona", ["lead2", "board", "champion", "auditor"])
def test_only_the_programmes_change_managers_and_admins_send(world: Any, persona: str) -> None:
    message = approved_message(world)
    with pytest.raises(PermissionDenied):
        sending.message_send(message=message, actor=world.users[persona])
    sending.message_send(message=message, actor=world.users["admin"])
    assert Recipient.objects.filter(message=message).count() == 1


def test_queries_do_not_grow_with_the_audience(world: Any, django_assert_max_num_queries: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sending, "CHUNK", 50)
    for n in range(120):
        make_staff(f"3{n:05d}", world.team, first_name=f"P{n}")
    message = approved_message(world)
    with django_assert_max_num_queries(40):  # 3 chunks of 50: a handful each, never one per person
        result = sending.message_send(message=message, actor=world.users["lead"])
    assert result.queued == 121 and OutboxMessage.objects.count() == 121
    assert Recipient.objects.filter(message=message, outbox__isnull=False).count() == 121
