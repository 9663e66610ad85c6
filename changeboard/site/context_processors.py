"""Navigation per role: each area appears only for roles that may see it.

The areas are those the apps registered (`changeboard.core.navigation`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from changeboard.core.navigation import entries


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for entry in entries():
        if not entry.visible_to(user):
            continue
        href = reverse(entry.url_name)
        items.append({"text": entry.text, "href": href, "active": entry.is_active(request.path, href)})
    return {"nav_items": items}
