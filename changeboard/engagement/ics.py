"""Calendar invitations (iCalendar, RFC 5545 with iTIP methods, RFC 5546),
built with the `icalendar` library. Pure: no database, no settings beyond the
organiser's address.

- One invitation per attendee, so each person's copy names them alone (the
  other recipients' addresses are personal data).
- The UID is `<message.uid>@changeboard.invitations`: the message's UUID,
  fixed when it was created, on a constant domain (not the site's host name,
  which may change with a move and would turn every later update into a new
  event in people's calendars).
- An update is METHOD:REQUEST with the same UID and a higher SEQUENCE; a
  cancellation is METHOD:CANCEL with STATUS:CANCELLED and a higher SEQUENCE
  again. Clients apply the one with the highest SEQUENCE.
- Times are written in UTC (`DTSTART:20270301T090000Z`), not with a TZID and
  a VTIMEZONE: a UTC time is unambiguous across the clocks changing, needs no
  time zone definition that each client (Outlook above all) must match, and
  every client shows it in the attendee's own zone.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText
from icalendar.parser import Contentline

if TYPE_CHECKING:
    from .models import Message

Method = Literal["REQUEST", "CANCEL"]
UID_DOMAIN = "changeboard.invitations"
PRODID = "-//Changeboard//Engagement invitations//EN"
DEFAULT_LENGTH = dt.timedelta(hours=1)


def uid(message: Message) -> str:
    """The event's identity for ever: the same on the invitation, every update and the cancellation."""
    return f"{message.uid}@{UID_DOMAIN}"


def event_times(message: Message) -> tuple[dt.datetime, dt.datetime]:
    """Start and end in UTC. An event with no start time starts at 09:00 on
    its planned day (London time); with no end, it lasts an hour."""
    start = message.starts_at
    if start is None:
        start = dt.datetime.combine(message.planned_on, dt.time(9, 0), tzinfo=timezone.get_default_timezone())
    end = message.ends_at if message.ends_at and message.ends_at > start else start + DEFAULT_LENGTH
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def _clean(text: str) -> str:
    # NUL and other control characters are not allowed in iCalendar text (tabs and new lines are).
    return "".join(ch for ch in text if ch in "\t\n" or ord(ch) >= 32)


def _clean_param(text: str) -> str:
    # A parameter value (a name) is one line and may not hold a double quote.
    return " ".join("".join(ch if ord(ch) >= 32 and ch != '"' else " " for ch in text).split())


class InvitationTemplate:
    """One message's invitation, built once with the library; each
    attendee's copy adds their ATTENDEE line (also built by the library, and
    folded by it). Building a whole calendar per person costs about 5 ms, so
    45,000 invitations would take minutes; this takes a fraction of that."""

    def __init__(self, message: Message, method: Method = "REQUEST", sequence: int = 0, *, description: str = "",
                 stamp: dt.datetime | None = None) -> None:
        if method not in ("REQUEST", "CANCEL"):
            raise ValueError(f"Unknown iTIP method {method!r}: REQUEST or CANCEL.")
        self.method = method
        start, end = event_times(message)
        calendar = Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", method)
        event = Event()
        event.add("uid", uid(message))
        event.add("sequence", sequence)
        event.add("dtstamp", (stamp or timezone.now()).astimezone(dt.UTC))
        event.add("dtstart", start)
        event.add("dtend", end)
        event.add("summary", _clean(message.subject or message.title))
        event.add("description", _clean(description or message.purpose))
        if message.location:
            event.add("location", _clean(message.location))
        organiser = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL}")
        organiser.params["cn"] = vText(_clean_param(message.programme.name))
        event.add("organizer", organiser)
        if method == "CANCEL":
            event.add("status", "CANCELLED")
        else:
            event.add("status", "CONFIRMED")
            event.add("transp", "OPAQUE")
        calendar.add_component(event)
        text = calendar.to_ical().decode()
        end_marker = "END:VEVENT\r\n"
        cut = text.index(end_marker)
        self.head, self.tail = text[:cut], text[cut:]

    def for_attendee(self, email: str, name: str = "") -> str:
        attendee = vCalAddress(f"mailto:{email}")
        if name:
            attendee.params["cn"] = vText(_clean_param(name))
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("NEEDS-ACTION")
        attendee.params["rsvp"] = vText("TRUE")
        line = Contentline.from_parts("ATTENDEE", attendee.params, attendee.to_ical().decode())
        return f"{self.head}{line.to_ical().decode()}\r\n{self.tail}"


def invitation(message: Message, attendee_email: str, attendee_name: str, method: Method = "REQUEST", sequence: int = 0,
               *, description: str = "", stamp: dt.datetime | None = None) -> str:
    """The VCALENDAR text of one attendee's invitation (or cancellation)."""
    return InvitationTemplate(message, method, sequence, description=description, stamp=stamp).for_attendee(attendee_email, attendee_name)
