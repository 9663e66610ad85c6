"""Sending approved messages through the outbox, with calendar invitations.

- `message_send`: an approved email or event message goes to everyone its
  audience resolves to on the day (leavers out) and to its external
  contacts: one `Recipient` and one outbox message each, personalised
  ({first_name}, {last_name}, {unit}, {wave_date}), plain text with an
  internal footer (who sent it, for which programme, why the person receives
  it). No unsubscribe link, no tracking pixel, no tracked link: the outbox
  sends exactly the text written here. An event carries its invitation as a
  `text/calendar; method=REQUEST` alternative and as an `invitation.ics`
  attachment (for clients that ignore the alternative).
- `message_send_update`: a sent event whose time or place changed: SEQUENCE
  rises, METHOD:REQUEST again to every earlier recipient still in post.
- `message_cancel_invitation`: a sent event called off: SEQUENCE rises, METHOD:CANCEL
  to the same people, the message's status becomes cancelled.

Staff with no email address are written as recipients with no outbox
message, counted in the result and the audit row, and listed on the
deliveries page: never dropped silently.

Each outbox key is `eng-<message>-<kind>-<sequence>-<staff id | s<stakeholder id>>`,
so repeating a step never doubles an email. 45,000 people cost a bounded
number of queries: the audience is read with one streamed query (`iterator`
over `values_list`), written `CHUNK` people at a time with `bulk_create`,
and the invitation is built once per send and given each attendee's line
(`ics.InvitationTemplate`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import formats, timezone

from changeboard.core import audit
from changeboard.core.audit import Actor
from changeboard.core.models import OutboxMessage
from changeboard.core.outbox import outbox_add_many
from changeboard.core.scoping import CHANGE
from changeboard.organisation.models import Staff

from .. import ics
from ..models import Message, Recipient, Stakeholder
from . import audience

CHUNK = 1000
KIND = "engagement-message"
Kind = Recipient.Kind
PLACEHOLDER = re.compile(r"\{(first_name|last_name|unit|wave_date)\}")


@dataclass
class Sending:
    """What a send (or an update, or a cancellation) did."""

    message: Message
    kind: str
    sequence: int
    recipients: int = 0  # people written as recipients (with or without an address)
    queued: int = 0  # outbox messages added now
    without_email: int = 0  # staff with no address on their HR record
    contacts: int = 0  # external contacts among the recipients
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Person:
    staff_id: int | None
    stakeholder_id: int | None
    first_name: str
    last_name: str
    email: str
    unit_id: int | None
    unit_name: str

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


def can_send(user: Any, message: Message) -> bool:
    """Sending is a change to the message: its programme's change managers and admins."""
    return bool(user and user.is_authenticated) and Message.objects.restrict(user, CHANGE).filter(pk=message.pk).exists()


def _check_actor(actor: Actor | None, message: Message) -> None:
    if actor is not None and not can_send(actor, message):
        raise PermissionDenied("Only the programme's change managers may send its messages.")


def _locked(message: Message) -> Message:
    return Message.objects.select_for_update(of=("self",)).select_related("programme", "rollout_wave").get(pk=message.pk)


# ---------------------------------------------------------------- the text


def personalise(text: str, person: Person, wave_date: str) -> str:
    """Fill the four placeholders (and nothing else: a brace in the text is left alone)."""
    values = {"first_name": person.first_name, "last_name": person.last_name, "unit": person.unit_name, "wave_date": wave_date}
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def wave_date(message: Message) -> str:
    wave = message.rollout_wave
    return formats.date_format(wave.go_live_date, "j F Y") if wave and wave.go_live_date else "(date to be confirmed)"


def when_where(message: Message) -> str:
    start, end = ics.event_times(message)
    local_start, local_end = timezone.localtime(start), timezone.localtime(end)
    lines = [f"When: {formats.date_format(local_start, 'l j F Y, H:i')} to {formats.date_format(local_end, 'H:i')} (UK time)"]
    if message.location:
        lines.append(f"Where: {message.location}")
    return "\n".join(lines)


def footer(message: Message, person: Person, sender: str) -> str:
    """The internal footer: who sent it, the programme, why this person gets it."""
    programme = message.programme
    if person.staff_id is not None:
        why = (f"You are receiving this because you are in the audience the {programme.name} programme chose for this message"
               f"{f' (your unit: {person.unit_name})' if person.unit_name else ''}.")
    else:
        why = f"You are receiving this because you are listed as a stakeholder of the {programme.name} programme."
    return "\n".join([
        "--",
        f"Sent by {sender} for the {programme.name} programme ({programme.code}), through Changeboard.",
        why,
        "This is an internal message. To ask a question, reply to this email.",
    ])


def _sender(actor: Actor | None) -> str:
    if actor is None:
        return "the change team"
    full = getattr(actor, "get_full_name", lambda: "")() or ""
    return full.strip() or "the change team"


def _body(message: Message, kind: str, person: Person, sender: str, wave: str) -> str:
    parts: list[str] = []
    if kind == Kind.CANCEL:
        parts.append(f"Dear {person.first_name or person.name},\n\n\"{message.subject or message.title}\" has been cancelled. "
                     "Your calendar will remove it if you accept the cancellation.")
    else:
        if kind == Kind.UPDATE:
            parts.append("This invitation has been updated: please check the time and place.")
        parts.append(personalise(message.body, person, wave).strip())
    if message.channel == Message.Channel.EVENT:
        parts.append(when_where(message))
    parts.append(footer(message, person, sender))
    return "\n\n".join(p for p in parts if p) + "\n"


def _subject(message: Message, kind: str) -> str:
    subject = message.subject or message.title
    prefixes: dict[str, str] = {Kind.UPDATE: "Updated: ", Kind.CANCEL: "Cancelled: "}
    return f"{prefixes.get(kind, '')}{subject}"[:200]


# ---------------------------------------------------------------- the people


def _audience_people(message: Message) -> tuple[Iterator[Person], list[audience.Contact]]:
    """Staff in post the audience resolves to today (streamed), and external contacts."""
    day = timezone.localdate()
    rows = (audience.audience_staff(message, day).order_by("pk")
            .values_list("pk", "first_name", "last_name", "email", "unit_id", "unit__name").iterator(chunk_size=CHUNK))
    people = (Person(pk, None, first, last, email or "", unit_id, unit_name or "") for pk, first, last, email, unit_id, unit_name in rows)
    _, contacts = audience.audience_q(message, day)
    return people, contacts


def _contact_people(contacts: Iterable[audience.Contact]) -> Iterator[Person]:
    for contact in contacts:
        first, _, last = contact.name.partition(" ")
        yield Person(None, contact.stakeholder_id, first, last, contact.email, None, "")


def _earlier_people(message: Message) -> Iterator[Person]:
    """Everyone the message first went to who is still in post (staff, with
    their address today) or still an active contact (stakeholders)."""
    staff_ids = Recipient.objects.filter(message=message, kind=Kind.MESSAGE, staff__isnull=False).values("staff_id")
    rows = (Staff.objects.current(timezone.localdate()).filter(pk__in=staff_ids).order_by("pk")
            .values_list("pk", "first_name", "last_name", "email", "unit_id", "unit__name").iterator(chunk_size=CHUNK))
    for pk, first, last, email, unit_id, unit_name in rows:
        yield Person(pk, None, first, last, email or "", unit_id, unit_name or "")
    stakeholder_ids = Recipient.objects.filter(message=message, kind=Kind.MESSAGE, stakeholder__isnull=False).values("stakeholder_id")
    for stakeholder in Stakeholder.objects.filter(pk__in=stakeholder_ids, active=True).exclude(email="").order_by("pk"):
        first, _, last = stakeholder.display_name.partition(" ")
        yield Person(None, stakeholder.pk, first, last, stakeholder.email, None, "")


def _chunks(people: Iterable[Person]) -> Iterator[list[Person]]:
    chunk: list[Person] = []
    for person in people:
        chunk.append(person)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def outbox_key(message: Message, kind: str, sequence: int, person: Person) -> str:
    who = str(person.staff_id) if person.staff_id is not None else f"s{person.stakeholder_id}"
    return f"eng-{message.pk}-{kind}-{sequence}-{who}"


def _write(message: Message, kind: str, sequence: int, people: Iterable[Person], actor: Actor | None, result: Sending) -> None:
    """Recipients and their outbox messages, CHUNK people at a time."""
    sender = _sender(actor)
    wave = wave_date(message)
    subject = _subject(message, kind)
    template = None
    if message.channel == Message.Channel.EVENT:
        method: ics.Method = "CANCEL" if kind == Kind.CANCEL else "REQUEST"
        template = ics.InvitationTemplate(message, method, sequence, description=message.purpose)
    for chunk in _chunks(people):
        mails: list[OutboxMessage] = []
        recipients: list[Recipient] = []
        keys: list[str] = []
        for person in chunk:
            recipients.append(Recipient(message=message, staff_id=person.staff_id, stakeholder_id=person.stakeholder_id,
                                        unit_id=person.unit_id, kind=kind, sequence=sequence))
            if person.stakeholder_id is not None:
                result.contacts += 1
            if not person.email:
                result.without_email += 1
                keys.append("")
                continue
            key = outbox_key(message, kind, sequence, person)
            keys.append(key)
            alternatives: list[list[str]] = []
            attachments: list[list[str]] = []
            if template is not None:
                calendar = template.for_attendee(person.email, person.name)
                alternatives = [[calendar, f"text/calendar; method={template.method}"]]
                attachments = [["invitation.ics", calendar, "application/ics"]]
            mails.append(OutboxMessage(key=key, kind=KIND, to_address=person.email, subject=subject,
                                       body=_body(message, kind, person, sender, wave), alternatives=alternatives,
                                       attachments=attachments))
        result.queued += outbox_add_many(mails)
        ids = {m.key: m.pk for m in mails if m.pk}
        missing = [k for k in keys if k and k not in ids]
        if missing:  # queued by an earlier run (or bulk_create gave no ids back)
            ids.update(OutboxMessage.objects.filter(key__in=missing).values_list("key", "pk"))
        for recipient, key in zip(recipients, keys, strict=True):
            recipient.outbox_id = ids.get(key) if key else None
        Recipient.objects.bulk_create(recipients, batch_size=CHUNK, ignore_conflicts=True)
        result.recipients += len(recipients)


# ---------------------------------------------------------------- the services


@transaction.atomic
def message_send(*, message: Message, actor: Actor | None) -> Sending:
    """Send an approved email or event message to its audience as it stands today."""
    _check_actor(actor, message)
    message = _locked(message)
    if not message.sends_email:
        raise ValidationError(f"A {message.get_channel_display().lower()} message is not sent by email: mark it done instead.")
    if message.status != Message.Status.APPROVED:
        raise ValidationError(f"Only an approved message can be sent; this one is {message.get_status_display().lower()}.")
    if not (message.subject or message.title) or not message.body.strip():
        raise ValidationError("The message needs a subject and a body before it can be sent.")
    result = Sending(message=message, kind=Kind.MESSAGE, sequence=message.sequence)
    audience.reach_refresh(message)  # the size on the day, for the heatmap and the page
    people, contacts = _audience_people(message)
    _write(message, Kind.MESSAGE, message.sequence, people, actor, result)
    _write(message, Kind.MESSAGE, message.sequence, _contact_people(contacts), actor, result)
    if result.recipients == 0:
        raise ValidationError("The audience resolves to nobody today: check its rules before sending.")
    message.status = Message.Status.SENT
    message.sent_at = timezone.now()
    message.save(update_fields=["status", "sent_at", "audience_size", "updated_at"])
    _audit(actor, message, result, before={"status": Message.Status.APPROVED})
    return result


@transaction.atomic
def message_send_update(*, message: Message, actor: Actor | None) -> Sending:
    """Send the changed time or place of a sent event to everyone who had it (SEQUENCE + 1)."""
    _check_actor(actor, message)
    message = _locked(message)
    _sent_event(message, "updated")
    return _resend(message, Kind.UPDATE, actor)


@transaction.atomic
def message_cancel_invitation(*, message: Message, actor: Actor | None) -> Sending:
    """Call off a sent event: METHOD:CANCEL to everyone who had it (SEQUENCE + 1).
    Pages and API reach it through `messages.message_cancel`, the one entry
    point for cancelling a message in any state (or the confirmation page and
    `cancel_invitation` action, which report the emails queued)."""
    _check_actor(actor, message)
    message = _locked(message)
    _sent_event(message, "cancelled")
    return _resend(message, Kind.CANCEL, actor)


def _sent_event(message: Message, verb: str) -> None:
    if message.channel != Message.Channel.EVENT:
        raise ValidationError(f"Only an event's invitation can be {verb}; this message is a {message.get_channel_display().lower()}.")
    if message.status != Message.Status.SENT:
        raise ValidationError(f"Only a sent invitation can be {verb}; this one is {message.get_status_display().lower()}.")


def _resend(message: Message, kind: str, actor: Actor | None) -> Sending:
    before = {"status": message.status, "sequence": message.sequence}
    message.sequence += 1
    result = Sending(message=message, kind=kind, sequence=message.sequence)
    _write(message, kind, message.sequence, _earlier_people(message), actor, result)
    if kind == Kind.CANCEL:
        message.status = Message.Status.CANCELLED
    message.save(update_fields=["sequence", "status", "updated_at"])
    _audit(actor, message, result, before=before)
    return result


def _audit(actor: Actor | None, message: Message, result: Sending, *, before: dict[str, Any]) -> None:
    audit.record(actor=actor, action="update", obj=message, object_repr=str(message)[:200], before=before, after={
        "status": message.status, "sending": result.kind, "sequence": result.sequence, "recipients": result.recipients,
        "queued": result.queued, "without_email": result.without_email, "contacts": result.contacts,
    })


def delivery_counts(message: Message) -> dict[str, int]:
    """Recipients by the state of their email: pending, sent, failed, and no_email (no address on record)."""
    counts = {"pending": 0, "sent": 0, "failed": 0, "no_email": 0}
    rows = Recipient.objects.filter(message=message).values_list("outbox__status").annotate(n=Count("pk")).order_by()
    for status, n in rows:
        name = status or "no_email"
        counts[name] = counts.get(name, 0) + n
    return counts
