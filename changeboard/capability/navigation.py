"""The capability area's sub-navigation (registered in `apps.py`)."""

from __future__ import annotations

from changeboard.core.navigation import SubNavItem

from .models import Approach, CoachingSession, Framework, HandoverItem, Journey, Practitioner

CAPABILITY_SUBNAV: list[SubNavItem] = [
    SubNavItem("Overview", "capability-dashboard", Approach),
    SubNavItem("Change approaches", "approach-list", Approach, ("approach-detail", "approach-edit", "approach-create", "approach-versions",
                                                                "approach-version", "approach-submit", "approach-approve", "approach-return",
                                                                "group-approach-add", "group-approach-edit", "group-approach-delete",
                                                                "promise-add", "promise-edit", "promise-delete")),
    SubNavItem("User journeys", "journey-list", Journey, ("journey-detail", "journey-create", "journey-edit", "journey-delete", "stage-add",
                                                          "stage-edit", "stage-delete", "stage-move", "step-add", "step-edit", "step-delete",
                                                          "step-move", "touchpoint-add", "touchpoint-delete")),
    SubNavItem("Framework", "framework-detail-current", Framework, ("framework-detail", "framework-edit", "competency-add", "competency-edit",
                                                                    "practitioner-role-add", "practitioner-role-edit")),
    SubNavItem("Practitioners", "practitioner-list", Practitioner, ("practitioner-detail", "practitioner-add", "practitioner-edit",
                                                                    "assessment-add")),
    SubNavItem("Skills matrix", "skills-matrix", Practitioner),
    SubNavItem("Coaching", "coaching-list", CoachingSession, ("coaching-detail", "coaching-add", "coaching-edit")),
    SubNavItem("Handover", "handover", HandoverItem, ("handover-item-add", "handover-item-edit", "handover-item-delete")),
]
