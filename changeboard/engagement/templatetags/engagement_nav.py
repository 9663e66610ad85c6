"""The engagement area's sub-navigation: Stakeholders, Map, Engagements,
Debt, Comms and Attention, each shown to those who may read its model."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from changeboard.core.scoping import can

from ..models import Engagement, Message, StakeholderAssessment

register = template.Library()

# (text, URL name, the model one must be able to read, URL names that belong to it)
SECTIONS: list[tuple[str, str, Any, tuple[str, ...]]] = [
    ("Stakeholders", "stakeholder-list", StakeholderAssessment,
     ("stakeholder-list", "stakeholder-detail", "stakeholder-create", "stakeholder-edit", "stakeholder-import", "stakeholder-import-preview",
      "stakeholder-review", "stakeholder-assessment-detail", "stakeholder-assessment-create", "stakeholder-assessment-edit",
      "stakeholder-assessment-delete", "stakeholder-timeline")),
    ("Map", "stakeholder-map", StakeholderAssessment, ("stakeholder-map",)),
    ("Engagements", "engagement-list", Engagement,
     ("engagement-list", "engagement-summary", "engagement-plan", "engagement-record", "engagement-detail", "engagement-edit",
      "engagement-log", "engagement-cancel")),
    ("Debt", "engagement-debt", Engagement, ("engagement-debt",)),
    ("Comms", "message-list", Message,
     ("message-list", "message-create", "message-detail", "message-edit", "message-approve", "message-deliveries", "message-send",
      "message-send-update", "message-cancel-invitation")),
    ("Attention", "attention-heatmap", Message, ("attention-heatmap", "attention-cell", "attention-policy")),
]


@register.inclusion_tag("engagement/_subnav.html", takes_context=True)
def engagement_subnav(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"items": []}
    match = getattr(request, "resolver_match", None)
    current = match.url_name if match else ""
    items = [{"text": text, "href": reverse(name), "active": current in names}
             for text, name, model, names in SECTIONS if can(user, model)]
    return {"items": items if len(items) > 1 else []}
