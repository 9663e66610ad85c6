"""Sent messages delivered through the outbox to a real local SMTP server
(aiosmtpd on 127.0.0.1): the invitation arrives with its text/calendar part
and .ics file; a server that refuses some recipients and drops the
connection loses and doubles nothing after retries."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from icalendar import Calendar

from changeboard.conftest import make_staff
from changeboard.core import outbox
from changeboard.core.models import OutboxMessage
from changeboard.core.tests.test_outbox import Clock, Sink, clock, mail, sink  # noqa: F401  (fixtures)

from ..models import Recipient
from ..services import sending
from .sending_data import approved_message

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_outbox(db: Any) -> None:
    """`deliver_due` sends every due row, so these tests count on an outbox
    holding only their own. Rows committed by a module-scoped fixture of
    another module on the same xdist worker (the demo seed's hypercare
    spikes once did: this test then failed only under `-n 2`) are removed
    inside this test's transaction, so rolled back with it."""
    OutboxMessage.objects.all().delete()


def payload(part: Any) -> bytes:
    data = part.get_payload(decode=True)
    assert isinstance(data, bytes)
    return data


def test_the_invitation_lands_in_the_smtp_sink_with_a_calendar_part(world: Any, mail: Sink) -> None:  # noqa: F811  (fixtures)
    message = approved_message(world)
    sending.message_send(message=message, actor=world.users["lead"])
    assert outbox.deliver_due()["sent"] == 1

    [received] = mail.received
    assert received["To"] == world.staff_in.email and received["Subject"] == "Briefing on the new duty system"
    row = Recipient.objects.get(message=message).outbox
    assert row is not None and received["Message-ID"] == row.message_id
    parts = {part.get_content_type(): part for part in received.walk()}
    assert "text/plain" in parts and "text/calendar" in parts
    assert parts["text/calendar"].get_param("method") == "REQUEST"
    plain = payload(parts["text/plain"]).decode()
    assert "Dear Alex Inscope" in plain and "You are receiving this because" in plain
    calendar = Calendar.from_ical(payload(parts["text/calendar"]))
    vevent = calendar.walk("VEVENT")[0]
    assert str(calendar["method"]) == "REQUEST" and str(vevent["uid"]) == f"{message.uid}@changeboard.invitations"
    attachments = [part for part in received.walk() if part.get_filename() == "invitation.ics"]
    assert len(attachments) == 1
    assert Calendar.from_ical(payload(attachments[0])).walk("VEVENT")[0]["sequence"] == 0
    # No tracking: no HTML part, no image, no link.
    assert "text/html" not in parts and not any(t.startswith("image/") for t in parts)

    sending.message_cancel_invitation(message=message, actor=world.users["lead"])
    assert outbox.deliver_due()["sent"] == 1
    cancel = mail.received[1]
    part = next(p for p in cancel.walk() if p.get_content_type() == "text/calendar")
    assert part.get_param("method") == "CANCEL"
    assert Calendar.from_ical(payload(part)).walk("VEVENT")[0]["sequence"] == 1


def test_a_failing_server_loses_and_doubles_nothing(world: Any, mail: Sink, clock: Clock) -> None:  # noqa: F811  (fixtures)
    people = [make_staff(f"4{n:05d}", world.team, first_name=f"P{n}", last_name="Person") for n in range(9)]
    message = approved_message(world, channel="email")
    sending.message_send(message=message, actor=world.users["lead"])
    rows = list(OutboxMessage.objects.order_by("id"))
    assert len(rows) == 10
    mail.refuse = {people[2].email, people[6].email}  # refused at RCPT
    mail.hang_up_on = {people[4].email}  # the server drops the connection at DATA

    first = outbox.deliver_due()
    assert (first["sent"], first["failed"]) == (7, 3)
    mail.refuse = set()
    clock.advance(minutes=1)
    assert outbox.deliver_due() == {"claimed": 3, "sent": 3, "failed": 0, "postponed": 0}
    assert Counter(mail.message_ids()) == Counter(row.message_id for row in rows)  # each exactly once
    assert sending.delivery_counts(message) == {"pending": 0, "sent": 10, "failed": 0, "no_email": 0}
