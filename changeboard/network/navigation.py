"""The champion network's sub-navigation (registered in `apps.py`): one
item per part of the area, shown to those who may read its model."""

from __future__ import annotations

from changeboard.core.navigation import SubNavItem
from changeboard.portfolio.models import Programme
from changeboard.surveys.models import SurveyWave

from .models import Activity, Champion, Theme

NETWORK_SUBNAV: list[SubNavItem] = [
    SubNavItem("Overview", "network-dashboard", Champion),
    SubNavItem("Coverage", "network-coverage", Programme, ("network-coverage-map", "network-gap", "coverage-target", "network-policy")),
    SubNavItem("Champions", "champion-list", Champion, ("champion-detail", "champion-nominate", "champion-edit", "champion-end", "champion-review",
                                                        "support-edit", "support-end")),
    SubNavItem("Load", "network-load", Champion),
    SubNavItem("Activities", "activity-list", Activity, ("activity-detail", "activity-log", "activity-plan", "activity-edit", "activity-complete",
                                                         "activity-cancel")),
    SubNavItem("Reach", "network-reach", Activity),
    SubNavItem("Feedback", "theme-list", Theme, ("theme-detail", "theme-record", "theme-summary", "theme-action", "theme-link", "theme-close")),
    SubNavItem("Recognition", "network-recognition", Champion, ("thanks-send",)),
    SubNavItem("Pulse", "network-pulse", SurveyWave),
    SubNavItem("My champion page", "network-mine", Champion),
]
