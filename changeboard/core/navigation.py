"""The navigation registry: each app registers the areas it adds to the
top navigation (in its AppConfig.ready()); the site app renders them.

An entry is shown to users who may view its model (`scoping.can`), or to
every signed-in user when it has none. `order` places it in the bar.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Model

from .scoping import can

if TYPE_CHECKING:
    from .audit import Actor


@dataclass(frozen=True)
class NavEntry:
    text: str
    url_name: str
    order: int
    model: type[Model] | None = None
    exact: bool = False
    """Active only on the page itself, not on the pages under it."""
    not_under: tuple[str, ...] = ()
    """Paths under the entry's page that belong to another entry."""
    under: str = ""
    """A path prefix whose pages all belong to the entry (an area whose first page sits below it)."""

    def visible_to(self, user: Actor) -> bool:
        return self.model is None or can(user, self.model)

    def is_active(self, path: str, href: str) -> bool:
        if self.exact:
            return path == href
        if self.under and path.startswith(self.under):
            return True
        return path.startswith(href) and not path.startswith(self.not_under)


_entries: dict[str, NavEntry] = {}


def register(*entries: NavEntry) -> None:
    """Add entries (an entry registered again under its URL name replaces the old one)."""
    for entry in entries:
        _entries[entry.url_name] = entry


def entries() -> list[NavEntry]:
    """Every registered entry, in navigation order."""
    return sorted(_entries.values(), key=lambda entry: entry.order)


# ---------------------------------------------------------------------------
# An area's own sub-navigation (Engagement: Stakeholders, Map, ...), shown
# above its pages by `{% subnav "area" %}` (core/templatetags/subnav.py).


@dataclass(frozen=True)
class SubNavItem:
    text: str
    url_name: str
    model: type[Model] | None
    """Shown to those who may view this model (every signed-in user with None)."""
    url_names: tuple[str, ...] = ()
    """The pages that belong to the item (it is marked current on them)."""


_areas: dict[str, tuple[str, tuple[SubNavItem, ...]]] = {}


def register_subnav(area: str, label: str, *items: SubNavItem) -> None:
    _areas[area] = (label, items)


def subnav(area: str, user: Actor, current: str) -> tuple[str, list[tuple[SubNavItem, bool]]]:
    """(label, [(item, is current)]) of the items the user may see; an area
    with one visible item has no sub-navigation."""
    label, items = _areas.get(area, ("", ()))
    visible = [(item, current == item.url_name or current in item.url_names) for item in items
               if item.model is None or can(user, item.model)]
    return label, visible if len(visible) > 1 else []
