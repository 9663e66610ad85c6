"""The champion network's sub-navigation (registered in `apps.py`): one
item per part of the area, shown to those who may read its model."""

from __future__ import annotations

from changeboard.core.navigation import SubNavItem
from changeboard.portfolio.models import Programme

from .models import Champion

NETWORK_SUBNAV: list[SubNavItem] = [
    SubNavItem("Overview", "network-dashboard", Champion),
    SubNavItem("Coverage", "network-coverage", Programme, ("network-coverage-map", "network-gap", "coverage-target", "network-policy")),
]
