"""The navigation bar: each app registers its own areas (core.navigation);
the site renders them in one order, each only for the roles that may see it."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from changeboard.core.navigation import entries
from changeboard.site.context_processors import navigation

ALL = ["Home", "Board", "Board packs", "Programmes", "Actions", "Cutover", "Hypercare", "Engagement", "Champions", "Impacts", "Change load", "Capability", "Surveys", "Units", "Staff", "Users", "Claim rules",
       "Audit trail", "Outbox"]


def nav(user: Any, path: str = "/") -> list[dict[str, Any]]:
    request = RequestFactory().get(path)
    request.user = user or AnonymousUser()
    return navigation(request)["nav_items"]


def test_every_app_registers_its_areas_in_one_order() -> None:
    assert [entry.text for entry in entries()] == ALL


def test_an_administrator_sees_every_area_in_order(world: Any) -> None:
    items = nav(world.users["admin"])
    assert [item["text"] for item in items] == ALL
    assert items[0] == {"text": "Home", "href": reverse("home"), "active": True}
    assert [item["href"] for item in items[1:]] == [reverse(entry.url_name) for entry in entries()[1:]]


@pytest.mark.parametrize(("persona", "hidden"), [
    ("board", {"Users", "Claim rules", "Audit trail", "Outbox"}),
    ("champion", {"Board", "Board packs", "Engagement", "Users", "Claim rules", "Audit trail", "Outbox"}),
    ("auditor", set(ALL) - {"Home", "Users", "Claim rules", "Audit trail", "Cutover", "Hypercare", "Engagement", "Champions", "Capability"}),
])
def test_each_role_sees_only_the_areas_it_may(world: Any, persona: str, hidden: set[str]) -> None:
    visible = [item["text"] for item in nav(world.users[persona])]
    assert visible == [text for text in ALL if text in set(visible)]
    assert not hidden & set(visible)
    assert "Home" in visible


def test_nobody_signed_in_sees_no_navigation(db: Any) -> None:
    assert nav(None) == []


@pytest.mark.parametrize(("path", "active"), [
    ("/", "Home"),
    ("/impacts/", "Impacts"),
    ("/impacts/load/", "Change load"),
    ("/impacts/hotspots/", None),
    ("/impacts/proposals/", None),
    ("/staff/1/", "Staff"),
    ("/network/coverage/", "Champions"),
    ("/capability/journeys/", "Capability"),
])
def test_the_active_area_follows_the_path(world: Any, path: str, active: str | None) -> None:
    marked = [item["text"] for item in nav(world.users["admin"], path) if item["active"]]
    assert marked == ([active] if active else [])
