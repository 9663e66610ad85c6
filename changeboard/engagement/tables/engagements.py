"""The engagement list's table (the page; its export uses the same filtered rows)."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html

from ..models import Engagement

STATUS_TAGS: dict[str, str] = {
    Engagement.Status.PLANNED: "govuk-tag--blue",
    Engagement.Status.DONE: "govuk-tag--green",
    Engagement.Status.CANCELLED: "govuk-tag--grey",
}


def is_overdue(engagement: Engagement) -> bool:
    return bool(engagement.status == Engagement.Status.PLANNED and engagement.planned_on and engagement.planned_on < timezone.localdate())


def status_tag(engagement: Engagement) -> str:
    tag = format_html('<strong class="govuk-tag {}">{}</strong>', STATUS_TAGS.get(engagement.status, ""), engagement.get_status_display())
    if is_overdue(engagement):
        # Overdue is said in words, not by colour alone.
        tag = format_html('{} <strong class="govuk-tag govuk-tag--red">Overdue</strong>', tag)
    return tag


class EngagementTable(tables.Table):
    purpose = tables.Column(linkify=True, verbose_name="Engagement")
    stakeholder = tables.Column(accessor="assessment__stakeholder__name", verbose_name="Stakeholder",
                                order_by=("assessment__stakeholder__name",))
    programme = tables.Column(accessor="assessment__programme__code", verbose_name="Programme", order_by=("assessment__programme__code",))
    method = tables.Column()
    owner = tables.Column(order_by=("owner__first_name", "owner__last_name"), default="No owner")
    when = tables.Column(empty_values=(), verbose_name="Date", order_by=("happened_on", "planned_on"))
    status = tables.Column()

    class Meta:
        model = Engagement
        fields = ["purpose", "stakeholder", "programme", "method", "owner", "when", "status"]
        empty_text = "No engagements match these filters."

    def render_stakeholder(self, record: Engagement, value: str) -> str:
        return format_html('<a class="govuk-link" href="{}">{}</a>', reverse("stakeholder-timeline", args=[record.assessment.stakeholder_id]),
                           record.assessment.stakeholder.display_name or value)

    def render_when(self, record: Engagement) -> str:
        if record.happened_on:
            return f"{dateformat.format(record.happened_on, 'j M Y')}"
        if record.planned_on:
            return f"Planned {dateformat.format(record.planned_on, 'j M Y')}"
        return "—"

    def render_status(self, record: Engagement) -> str:
        return status_tag(record)
