"""Tables for readiness reviews (django-tables2)."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html

from ..models import Review

DECISION_TAGS: dict[str, str] = {
    Review.Decision.GO: "govuk-tag--green",
    Review.Decision.CONDITIONS: "govuk-tag--yellow",
    Review.Decision.NO_GO: "govuk-tag--red",
}


def decision_tag(review: Review) -> str:
    if not review.decided:
        return format_html('<strong class="govuk-tag govuk-tag--grey">{}</strong>', "Not decided")
    return format_html('<strong class="govuk-tag {}">{}</strong>', DECISION_TAGS.get(review.decision, ""), review.get_decision_display())


class ReviewTable(tables.Table):
    """A programme's reviews; the page shows upcoming and decided ones in two
    instances of this table, so neither is sortable on its own."""

    name = tables.Column(accessor="pk", verbose_name="Review", orderable=False)
    rollout_wave = tables.Column(accessor="rollout_wave__name", verbose_name="Rollout wave", orderable=False)
    scheduled_on = tables.DateColumn(format="j M Y", verbose_name="Scheduled", orderable=False)
    held_on = tables.DateColumn(format="j M Y", verbose_name="Held", orderable=False, default="Not yet")
    decision = tables.Column(orderable=False, empty_values=())

    class Meta:
        model = Review
        fields = ["name", "rollout_wave", "scheduled_on", "held_on", "decision"]
        empty_text = "None."

    def render_name(self, record: Review) -> str:
        return format_html('<a class="govuk-link" href="{}">{}</a>', record.get_absolute_url(), record.title or record.get_checkpoint_display())

    def render_decision(self, record: Review) -> str:
        return decision_tag(record)
