"""The champion network's sub-navigation (registered in `apps.py`): one
item per part of the area, shown to those who may read its model."""

from __future__ import annotations

from changeboard.core.navigation import SubNavItem
from changeboard.surveys.models import SurveyWave

from .models import Champion

NETWORK_SUBNAV: list[SubNavItem] = [
    SubNavItem("Overview", "network-dashboard", Champion),
    SubNavItem("My champion page", "network-mine", Champion),
    SubNavItem("Recognition", "network-recognition", Champion, ("thanks-send",)),
    SubNavItem("Pulse", "network-pulse", SurveyWave),
]
