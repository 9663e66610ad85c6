"""Template filters for times in Europe/London with their zone (`core.times`).

    {% load london %}
    {{ task.starts_at|when }}  {{ run.finish|clock }}  {{ 95|minutes }}
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from .. import times

register = template.Library()

register.filter("clock", times.clock)
register.filter("day_clock", times.day_clock)
register.filter("when", times.when)
register.filter("london_datetime", times.day_and_time)


@register.filter
def london_time(moment: dt.datetime | None) -> str:
    """"Tue 14:30 GMT" within the coming week, else "Tue 8 Jun 2027 14:30 BST"."""
    return times.soon(moment) if moment is not None else ""


@register.filter
def minutes(value: Any) -> str:
    """"1 h 35 min" from a number of minutes."""
    if value in (None, ""):
        return ""
    return times.minutes_text(int(value))
