"""The champion network's sub-navigation (registered in `apps.py`): one
item per part of the area, shown to those who may read its model."""

from __future__ import annotations

from changeboard.core.navigation import SubNavItem

from .models import Champion
from .models import Theme as ThemeModel

NETWORK_SUBNAV: list[SubNavItem] = [
    SubNavItem("Overview", "network-dashboard", Champion),
    SubNavItem("Feedback", "theme-list", ThemeModel, ("theme-detail", "theme-record", "theme-summary", "theme-action", "theme-link", "theme-close")),
]
