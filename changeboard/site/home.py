"""What each role sees on its home page."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from changeboard.accounts.models import User
from changeboard.core.models import AuditEntry
from changeboard.core.scoping import can
from changeboard.organisation.models import Staff, Unit
from changeboard.portfolio.models import Programme
from changeboard.surveys.models import SurveyWave


def home_context(user: Any) -> dict[str, Any]:
    cards: list[dict[str, Any]] = []
    programmes = Programme.objects.restrict(user).with_next_go_live() if can(user, Programme) else Programme.objects.none()
    if can(user, Programme):
        cards.append({"title": "Programmes", "href": reverse("programme-list"), "figure": programmes.count(),
                      "text": "Programmes you can see, with their milestones and rollout waves."})
    if can(user, SurveyWave):
        waves = SurveyWave.objects.restrict(user)
        cards.append({"title": "Readiness surveys", "href": reverse("wave-list"), "figure": waves.filter(status=SurveyWave.Status.OPEN).count(),
                      "text": "Open survey waves: build a wave, launch it and watch response rates."})
    if can(user, Unit):
        cards.append({"title": "Units", "href": reverse("unit-tree"), "figure": Unit.objects.restrict(user).count(),
                      "text": "The organisation tree: business groups, commands, boroughs and teams."})
    if can(user, Staff):
        cards.append({"title": "Staff", "href": reverse("staff-list"), "figure": Staff.objects.restrict(user).current().count(),
                      "text": "Search and export staff in post."})
    if can(user, Staff, "add"):
        cards.append({"title": "Import staff", "href": reverse("staff-import"), "figure": None,
                      "text": "Load the HR system's export (CSV or XLSX), preview every problem, then commit."})
    if can(user, User):
        cards.append({"title": "Users and scopes", "href": reverse("user-list"), "figure": User.objects.restrict(user).count(),
                      "text": "Who can sign in and what each may see."})
    if can(user, AuditEntry):
        cards.append({"title": "Audit trail", "href": reverse("audit-list"), "figure": None,
                      "text": "Every change: who, when, what, before and after."})

    scope_summary = ""
    if user.role == "change_manager":
        scope_summary = ", ".join(p.code for p in user.programmes.all()) or "no programmes assigned"
    elif user.role == "champion":
        scope_summary = ", ".join(u.name for u in user.units.all()) or "no units assigned"
    heading = "Your programmes" if user.role in {"change_manager", "champion"} else "Portfolio"
    return {"cards": cards, "programmes": list(programmes[:12]), "programmes_heading": heading, "scope_summary": scope_summary}
