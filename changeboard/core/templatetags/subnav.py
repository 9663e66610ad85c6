"""`{% subnav "area" %}`: an area's sub-navigation, from the registry in
`core.navigation` (each app registers its items in `AppConfig.ready()`)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from ..navigation import subnav as area_items

register = template.Library()


@register.inclusion_tag("core/_subnav.html", takes_context=True)
def subnav(context: template.Context, area: str) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"items": []}
    match = getattr(request, "resolver_match", None)
    label, items = area_items(area, user, match.url_name if match else "")
    return {"label": label, "items": [{"text": item.text, "href": reverse(item.url_name), "active": active} for item, active in items]}
