"""The iCalendar builder, parsed back with the library: REQUEST, an update
with a higher SEQUENCE and the same UID, CANCEL; times in UTC; hostile text."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone
from icalendar import Calendar

from changeboard.portfolio.models import Programme

from .. import ics
from ..models import Message


def message(**extra: object) -> Message:
    fields: dict[str, object] = {
        "programme": Programme(code="AAA", name="Shared Services"), "title": "Briefing", "subject": "Briefing on duties",
        "purpose": "Explain the new duty system", "channel": Message.Channel.EVENT, "planned_on": dt.date(2027, 7, 1),
        "starts_at": timezone.make_aware(dt.datetime(2027, 7, 1, 10, 0)), "ends_at": timezone.make_aware(dt.datetime(2027, 7, 1, 11, 30)),
        "location": "Room 4, Westminster", "uid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    }
    fields.update(extra)
    return Message(**fields)


def event(text: str) -> tuple[Calendar, object]:
    calendar = Calendar.from_ical(text)
    [vevent] = calendar.walk("VEVENT")
    return calendar, vevent


def test_a_request_carries_everything_a_calendar_needs(settings: object) -> None:
    text = ics.invitation(message(), "alex@example.police.uk", "Alex Inscope", "REQUEST", 0)
    calendar, vevent = event(text)
    assert str(calendar["method"]) == "REQUEST"
    assert str(calendar["prodid"]) == ics.PRODID and str(calendar["version"]) == "2.0"
    assert str(vevent["uid"]) == "12345678-1234-5678-1234-567812345678@changeboard.invitations"  # type: ignore[index]
    assert vevent["sequence"] == 0  # type: ignore[index]
    # British summer time: 10:00 in London is 09:00 UTC, written as UTC.
    assert vevent.decoded("dtstart") == dt.datetime(2027, 7, 1, 9, 0, tzinfo=dt.UTC)  # type: ignore[attr-defined]
    assert vevent.decoded("dtend") == dt.datetime(2027, 7, 1, 10, 30, tzinfo=dt.UTC)  # type: ignore[attr-defined]
    assert "DTSTART:20270701T090000Z" in text and "TZID" not in text
    assert vevent.decoded("dtstamp").tzinfo is not None  # type: ignore[attr-defined]
    assert str(vevent["summary"]) == "Briefing on duties"  # type: ignore[index]
    assert str(vevent["description"]) == "Explain the new duty system"  # type: ignore[index]
    assert str(vevent["location"]) == "Room 4, Westminster"  # type: ignore[index]
    assert str(vevent["status"]) == "CONFIRMED"  # type: ignore[index]
    organiser = vevent["organizer"]  # type: ignore[index]
    assert str(organiser) == "mailto:changeboard@localhost" and organiser.params["CN"] == "Shared Services"
    attendee = vevent["attendee"]  # type: ignore[index]
    assert str(attendee) == "mailto:alex@example.police.uk"
    assert (attendee.params["CN"], attendee.params["RSVP"], attendee.params["PARTSTAT"]) == ("Alex Inscope", "TRUE", "NEEDS-ACTION")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))  # folded by the library


def test_an_update_keeps_the_uid_and_raises_the_sequence_and_a_cancellation_cancels() -> None:
    first = event(ics.invitation(message(), "a@example.police.uk", "A", "REQUEST", 0))[1]
    moved = message(starts_at=timezone.make_aware(dt.datetime(2027, 7, 2, 14, 0)), ends_at=None, location="Room 9")
    update = event(ics.invitation(moved, "a@example.police.uk", "A", "REQUEST", 1))[1]
    calendar, cancel = event(ics.invitation(moved, "a@example.police.uk", "A", "CANCEL", 2))
    assert str(first["uid"]) == str(update["uid"]) == str(cancel["uid"])  # type: ignore[index]
    assert [first["sequence"], update["sequence"], cancel["sequence"]] == [0, 1, 2]  # type: ignore[index]
    assert update.decoded("dtstart") == dt.datetime(2027, 7, 2, 13, 0, tzinfo=dt.UTC)  # type: ignore[attr-defined]
    assert update.decoded("dtend") == dt.datetime(2027, 7, 2, 14, 0, tzinfo=dt.UTC)  # type: ignore[attr-defined]  # an hour by default
    assert str(update["location"]) == "Room 9"  # type: ignore[index]
    assert str(calendar["method"]) == "CANCEL" and str(cancel["status"]) == "CANCELLED"  # type: ignore[index]


def test_a_winter_event_without_a_time_starts_at_nine_london_time() -> None:
    vevent = event(ics.invitation(message(planned_on=dt.date(2027, 1, 12), starts_at=None, ends_at=None), "a@x.example", ""))[1]
    assert vevent.decoded("dtstart") == dt.datetime(2027, 1, 12, 9, 0, tzinfo=dt.UTC)  # type: ignore[attr-defined]
    assert "CN" not in vevent["attendee"].params  # type: ignore[index]


def test_hostile_text_is_escaped_not_injected() -> None:
    nasty = "Evil\r\nBEGIN:VEVENT\r\nUID:other;x=1,\\ \x00"
    text = ics.invitation(message(subject=nasty, location=nasty, purpose=nasty), "a@example.police.uk", 'Al "the" Pal; x\r\nY')
    calendar = Calendar.from_ical(text)
    assert len(calendar.walk("VEVENT")) == 1
    vevent = calendar.walk("VEVENT")[0]
    assert str(vevent["summary"]) == "Evil\nBEGIN:VEVENT\nUID:other;x=1,\\ "
    assert vevent["attendee"].params["CN"] == "Al the Pal; x Y"
    assert "\x00" not in text
    assert str(vevent["uid"]).endswith("@changeboard.invitations")


def test_only_request_and_cancel() -> None:
    with pytest.raises(ValueError, match="REQUEST or CANCEL"):
        ics.invitation(message(), "a@example.police.uk", "A", "PUBLISH", 0)  # type: ignore[arg-type]


def test_the_template_and_the_whole_invitation_agree() -> None:
    stamp = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    template = ics.InvitationTemplate(message(), "REQUEST", 3, stamp=stamp)
    assert template.for_attendee("a@example.police.uk", "A Person") == ics.invitation(
        message(), "a@example.police.uk", "A Person", "REQUEST", 3, stamp=stamp)
