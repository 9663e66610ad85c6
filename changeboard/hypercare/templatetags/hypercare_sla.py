"""Template helpers for SLA clocks (`services.sla`): what a clock says in
words ("2 h 15 min left (due Tue 14:30 GMT)", "Breached by 40 min"), its
state as a GOV.UK tag, and a time in Europe/London with its zone.

    {% load hypercare_sla %}
    {% sla_tag state.current %} {{ state.current|sla_text }}
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ..services.sla import Clock, ClockState, clock_text, local_time_text, minutes_text

register = template.Library()

TAG_COLOURS = {ClockState.BREACHED: "red", ClockState.AT_RISK: "orange", ClockState.MET: "green", ClockState.RUNNING: "blue",
               ClockState.PAUSED: "grey", ClockState.NO_TARGET: "grey"}


@register.filter
def sla_text(clock: Clock | None) -> str:
    """'2 h 15 min left (due Tue 14:30 GMT)', 'Breached by 40 min', 'Paused: 2 h left', 'Met (1 h of 2 h)'."""
    return clock_text(clock) if clock is not None else ""


@register.filter
def working_minutes_text(minutes: Any) -> str:
    """'2 h 15 min' from a number of minutes."""
    if minutes in (None, ""):
        return ""
    return minutes_text(int(minutes))


@register.filter
def london_time(value: dt.datetime | None) -> str:
    """'Tue 14:30 GMT' within the coming week, else 'Tue 8 Jun 2027 14:30 BST'."""
    return local_time_text(value) if value is not None else ""


@register.simple_tag
def sla_tag(clock: Clock | None) -> SafeString | str:
    """The clock's state as a GOV.UK tag (the colour never carries the meaning alone: the word is there)."""
    if clock is None:
        return ""
    return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', TAG_COLOURS[clock.state], clock.state_label)
