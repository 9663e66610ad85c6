"""Template helpers for the Board's dashboards and packs, whose data may hold
dates as `date` objects (a page) or ISO strings (a pack's stored JSON), and
whose links may point at pages that another part of the product provides."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import NoReverseMatch, reverse

from changeboard.reports import charts

register = template.Library()


@register.filter
def day(value: Any) -> str:
    """'3 March 2027' from a date or an ISO string; '' without one."""
    return charts.day(value)


@register.filter
def short_day(value: Any) -> str:
    """'3 Mar 2027' from a date or an ISO string; '' without one."""
    return charts.short_day(value)


@register.simple_tag
def optional_url(name: str, *args: Any, **query: Any) -> str:
    """The URL of a named page, with an optional query string; '' when the
    page does not exist (yet), so a template can leave the link out instead
    of failing."""
    try:
        url = reverse(name, args=[a for a in args if a is not None])
    except NoReverseMatch:
        return ""
    pairs = [(k, v) for k, v in query.items() if v not in (None, "")]
    if pairs:
        url += "?" + urlencode(pairs)
    return url


@register.filter
def signed(value: Any) -> str:
    """A change with its sign: '+3.5', '-1.0'; 'No earlier figure' without one."""
    if value is None:
        return "No earlier figure"
    number = float(value)
    return f"{number:+.1f}" if number else "0.0"


@register.filter
def whole(value: Any) -> str:
    """A figure rounded to a whole number for display."""
    return "" if value is None else f"{float(value):.0f}"


@register.simple_tag
def raise_action_url(programme_id: int, not_ready: dict[str, Any]) -> str:
    """'Raise an action' for a unit not ready, linked to what makes it so:
    its survey score when it has one, else its first critical criterion at
    red, else by hand for the unit. '' when the action pages are missing."""
    score = not_ready.get("score") or {}
    unit = not_ready.get("unit_id")
    if score.get("wave_id"):
        return optional_url("action-create", programme_id, source="score", survey_wave=score["wave_id"], unit=unit)
    if not_ready.get("reds"):
        return optional_url("action-create", programme_id, source="criterion", criterion=not_ready["reds"][0]["id"], unit=unit)
    return optional_url("action-create", programme_id, source="manual", unit=unit)
