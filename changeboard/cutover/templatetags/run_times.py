"""Times in a run as people read them, always with the zone (Europe/London)."""

from __future__ import annotations

import datetime as dt

from django import template

from ..models import RUNBOOK_TZ
from ..services import runs

register = template.Library()


@register.filter
def clock(moment: dt.datetime | None) -> str:
    """"14:30 BST"."""
    return runs.clock(moment)


@register.filter
def day_clock(moment: dt.datetime | None) -> str:
    """"Sat 14:30 BST"."""
    if moment is None:
        return ""
    shown = moment.astimezone(RUNBOOK_TZ)
    return f"{shown:%a %H:%M} {shown.tzname()}"


@register.filter
def when(moment: dt.datetime | None) -> str:
    """"Sat 27 Feb 2027 14:30 GMT"."""
    return runs.when(moment)


@register.filter
def minutes(value: int | None) -> str:
    """"1 h 35 min"."""
    return runs.duration_text(value) if value is not None else ""
