"""Tables for the action log. The table drives its page; its export uses the
same filtered rows."""

from __future__ import annotations

import django_tables2 as tables
from django.utils import dateformat, timezone
from django.utils.html import format_html

from ..models import Action

ACTION_TAGS: dict[str, str] = {
    Action.Status.OPEN: "govuk-tag--blue",
    Action.Status.IN_PROGRESS: "govuk-tag--light-blue",
    Action.Status.DONE: "govuk-tag--green",
    Action.Status.CANCELLED: "govuk-tag--grey",
}


def action_status_tag(action: Action) -> str:
    return format_html('<strong class="govuk-tag {}">{}</strong>', ACTION_TAGS.get(action.status, ""), action.get_status_display())


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
