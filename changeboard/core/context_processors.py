"""Navigation per role: each area appears only for roles that may see it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from .scoping import can


def _areas() -> list[tuple[str, str, Any]]:
    from changeboard.accounts.models import User
    from changeboard.core.models import AuditEntry, OutboxMessage
    from changeboard.impacts.models import ImpactAssessment
    from changeboard.organisation.models import Staff, Unit
    from changeboard.portfolio.models import Programme
    from changeboard.readiness.models import Action
    from changeboard.reports.models import BoardPack, Dashboard
    from changeboard.surveys.models import SurveyWave

    return [
        ("Home", "home", None),
        ("Board", "portfolio-dashboard", Dashboard),
        ("Board packs", "pack-list", BoardPack),
        ("Programmes", "programme-list", Programme),
        ("Actions", "action-list", Action),
        ("Impacts", "assessment-list", ImpactAssessment),
        ("Change load", "heatmap", ImpactAssessment),
        ("Surveys", "wave-list", SurveyWave),
        ("Units", "unit-tree", Unit),
        ("Staff", "staff-list", Staff),
        ("Users", "user-list", User),
        ("Audit trail", "audit-list", AuditEntry),
        ("Outbox", "outbox-list", OutboxMessage),
    ]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for text, name, model in _areas():
        if model is not None and not can(user, model):
            continue
        href = reverse(name)
        active = request.path == href if name in {"home", "assessment-list"} else request.path.startswith(href)
        if name == "assessment-list":
            # /impacts/ holds the load pages too; those belong to "Change load".
            active = request.path.startswith(href) and not request.path.startswith(("/impacts/load", "/impacts/hotspots", "/impacts/proposals"))
        items.append({"text": text, "href": href, "active": active})
    return {"nav_items": items}
