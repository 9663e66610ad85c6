"""Template helpers for SLA clocks (`services.sla`): what a clock says in
words ("2 h 15 min left (due Tue 14:30 GMT)", "Breached by 40 min"), its
state as a GOV.UK tag. Times in Europe/London: `{% load london %}` (core).

    {% load hypercare_sla %}
    {% sla_tag state.current %} {{ state.current|sla_text }}
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ..services.sla import Clock, ClockState, clock_text

register = template.Library()

TAG_COLOURS = {ClockState.BREACHED: "red", ClockState.AT_RISK: "orange", ClockState.MET: "green", ClockState.RUNNING: "blue",
               ClockState.PAUSED: "grey", ClockState.NO_TARGET: "grey"}


@register.filter
def sla_text(clock: Clock | None) -> str:
    """'2 h 15 min left (due Tue 14:30 GMT)', 'Breached by 40 min', 'Paused: 2 h left', 'Met (1 h of 2 h)'."""
    return clock_text(clock) if clock is not None else ""


@register.simple_tag
def sla_tag(clock: Clock | None) -> SafeString | str:
    """The clock's state as a GOV.UK tag (the colour never carries the meaning alone: the word is there)."""
    if clock is None:
        return ""
    return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', TAG_COLOURS[clock.state], clock.state_label)


