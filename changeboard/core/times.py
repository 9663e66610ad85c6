"""Times as people read them: Europe/London, always with the zone (GMT or
BST), so a reader never has to guess which hour a clock change left them.
One place for every app's pages, emails and charts."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

LONDON = ZoneInfo("Europe/London")


def minutes_text(minutes: int) -> str:
    """`95` -> "1 h 35 min", `40` -> "40 min", `120` -> "2 h"; negative values read "-1 h 35 min"."""
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(int(minutes)), 60)
    if hours and rest:
        return f"{sign}{hours} h {rest} min"
    return f"{sign}{hours} h" if hours else f"{sign}{rest} min"


def clock(moment: dt.datetime | None) -> str:
    """"14:30 BST"."""
    if moment is None:
        return ""
    shown = moment.astimezone(LONDON)
    return f"{shown:%H:%M} {shown.tzname()}"


def day_clock(moment: dt.datetime | None) -> str:
    """"Sat 14:30 BST"."""
    if moment is None:
        return ""
    shown = moment.astimezone(LONDON)
    return f"{shown:%a %H:%M} {shown.tzname()}"


def when(moment: dt.datetime | None) -> str:
    """"Sat 6 Mar 2027 14:30 GMT"."""
    if moment is None:
        return ""
    shown = moment.astimezone(LONDON)
    return f"{shown:%a} {shown.day} {shown:%b %Y} {shown:%H:%M} {shown.tzname()}"


def day_and_time(moment: dt.datetime | str | None) -> str:
    """"3 Mar 2027 14:30 GMT", from an aware datetime or an ISO string (a frozen snapshot's)."""
    if moment in (None, ""):
        return ""
    instant = dt.datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    assert isinstance(instant, dt.datetime)
    shown = instant.astimezone(LONDON)
    return f"{shown.day} {shown:%b %Y %H:%M} {shown.tzname()}"


def soon(moment: dt.datetime, now: dt.datetime | None = None) -> str:
    """"today 14:30 GMT" or "Tue 14:30 GMT" within the coming week, else the full `when`."""
    shown = moment.astimezone(LONDON)
    today = (now or timezone.now()).astimezone(LONDON).date()
    days_ahead = (shown.date() - today).days
    if 0 <= days_ahead < 7:
        day = "today" if days_ahead == 0 else f"{shown:%a}"
        return f"{day} {shown:%H:%M} {shown.tzname()}"
    return when(moment)
