"""Tables for readiness reviews and the action log (the criteria tables are
in `tables.py`). The action log's table drives its page; its export uses
the same filtered rows."""

from __future__ import annotations

import django_tables2 as tables
from django.utils import dateformat, timezone
from django.utils.html import format_html

from .models import Action, Review

DECISION_TAGS = {
    Review.Decision.GO: "govuk-tag--green",
    Review.Decision.CONDITIONS: "govuk-tag--yellow",
    Review.Decision.NO_GO: "govuk-tag--red",
}
ACTION_TAGS = {
    Action.Status.OPEN: "govuk-tag--blue",
    Action.Status.IN_PROGRESS: "govuk-tag--light-blue",
    Action.Status.DONE: "govuk-tag--green",
    Action.Status.CANCELLED: "govuk-tag--grey",
}


def decision_tag(review: Review) -> str:
    if not review.decided:
        return format_html('<strong class="govuk-tag govuk-tag--grey">{}</strong>', "Not decided")
    return format_html('<strong class="govuk-tag {}">{}</strong>', DECISION_TAGS.get(review.decision, ""), review.get_decision_display())


def action_status_tag(action: Action) -> str:
    return format_html('<strong class="govuk-tag {}">{}</strong>', ACTION_TAGS.get(action.status, ""), action.get_status_display())


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


class ActionTable(tables.Table):
    title = tables.Column(linkify=True, verbose_name="Action")
    programme = tables.Column(accessor="programme__code", order_by=("programme__code",))
    unit = tables.Column(accessor="unit__name", verbose_name="Unit", default="Whole programme")
    owner = tables.Column(order_by=("owner__first_name", "owner__last_name"), default="No owner")
    due_date = tables.DateColumn(format="j M Y", verbose_name="Due")
    status = tables.Column()
    source = tables.Column(verbose_name="Raised from")

    class Meta:
        model = Action
        fields = ["title", "programme", "unit", "owner", "due_date", "status", "source"]
        order_by = "due_date"
        empty_text = "No actions match these filters."

    def render_due_date(self, record: Action) -> str:
        # Overdue is said in words, not shown by colour alone.
        if record.status in Action.OPEN_STATUSES and record.due_date < timezone.localdate():
            return format_html('{} <strong class="govuk-tag govuk-tag--red">Overdue</strong>', dateformat.format(record.due_date, "j M Y"))
        return dateformat.format(record.due_date, "j M Y")

    def render_status(self, record: Action) -> str:
        return action_status_tag(record)
