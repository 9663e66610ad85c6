"""The support queue's table. The table drives its page; its export uses
the same filtered rows. The tick boxes belong to the bulk-assign form
(`form="bulk-assign"`), which sits outside the table."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django_tables2.data import TableListData

from ..models import Query
from ..services.sla import SlaState, clock_text
from ..templatetags.hypercare_sla import TAG_COLOURS

STATUS_TAGS: dict[str, str] = {
    Query.Status.NEW: "govuk-tag--blue",
    Query.Status.ASSIGNED: "govuk-tag--light-blue",
    Query.Status.IN_PROGRESS: "govuk-tag--turquoise",
    Query.Status.WAITING: "govuk-tag--yellow",
    Query.Status.RESOLVED: "govuk-tag--green",
    Query.Status.CLOSED: "govuk-tag--grey",
    Query.Status.REOPENED: "govuk-tag--orange",
}
PRIORITY_TAGS = {"P1": "govuk-tag--red", "P2": "govuk-tag--orange", "P3": "govuk-tag--blue", "P4": "govuk-tag--grey"}


def status_tag(query: Query) -> str:
    return format_html('<strong class="govuk-tag {}">{}</strong>', STATUS_TAGS.get(query.status, ""), query.get_status_display())


def priority_tag(priority: str) -> str:
    return format_html('<strong class="govuk-tag {}">{}</strong>', PRIORITY_TAGS.get(priority, ""), priority)


def local_time(value: Any) -> str:
    """A stored (UTC) time in Europe/London, with its zone (GMT or BST)."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{local:%-d %b %Y %H:%M} {local.tzname()}"


class QueryTable(tables.Table):
    select = tables.Column(accessor="pk", verbose_name="Select", orderable=False, exclude_from_export=True)
    reference = tables.Column(linkify=True, verbose_name="Reference", order_by=("reference",))
    title = tables.Column(verbose_name="Query")
    period = tables.Column(accessor="period", verbose_name="Period", orderable=False)
    unit = tables.Column(accessor="unit__name", verbose_name="Unit", order_by=("unit__path",))
    category = tables.Column(accessor="category__name", verbose_name="Category", order_by=("category__name",))
    priority = tables.Column(verbose_name="Priority")
    status = tables.Column(verbose_name="Status")
    assignee = tables.Column(verbose_name="Assigned to", default="Unassigned", order_by=("assignee__first_name", "assignee__last_name"))
    created_at = tables.Column(verbose_name="Raised (Europe/London)")
    sla = tables.Column(accessor="pk", verbose_name="SLA", orderable=False, exclude_from_export=True)

    class Meta:
        model = Query
        fields = ["select", "reference", "title", "period", "unit", "category", "priority", "status", "assignee", "created_at", "sla"]
        order_by = ("priority", "created_at")
        empty_text = "No queries match these filters."

    def __init__(self, *args: Any, selectable: bool = False, show_period: bool = True, **kwargs: Any) -> None:
        exclude = list(kwargs.pop("exclude", []) or [])
        if not selectable:
            exclude.append("select")
        if not show_period:
            exclude.append("period")
        kwargs["exclude"] = exclude
        super().__init__(*args, **kwargs)
        self.sla_states: dict[int, SlaState] = {}  # the shown rows' SLA states, set by the view once paginated

    def render_select(self, record: Query) -> str:
        return format_html(
            '<div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes"><div class="govuk-checkboxes__item">'
            '<input class="govuk-checkboxes__input" type="checkbox" name="queries" value="{}" id="select-{}" form="bulk-assign">'
            '<label class="govuk-label govuk-checkboxes__label" for="select-{}"><span class="govuk-visually-hidden">Select {}</span></label>'
            "</div></div>", record.pk, record.pk, record.pk, record.reference)

    def render_period(self, record: Query) -> str:
        wave = record.period.rollout_wave
        return f"{wave.programme.code} {wave.name}"

    def render_priority(self, value: str) -> str:
        return priority_tag(value)

    def render_status(self, record: Query) -> str:
        return status_tag(record)

    def render_assignee(self, record: Query) -> str:
        return record.assignee.get_full_name() or record.assignee.username if record.assignee else "Unassigned"

    def render_created_at(self, value: Any) -> str:
        return local_time(value)

    def render_sla(self, record: Query) -> str:
        state = self.sla_states.get(record.pk)
        if state is None:
            return ""
        clock = state.current
        which = "Response" if clock is state.response else "Resolution"
        return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong> <span class="govuk-body-s">{}: {}</span>',
                           TAG_COLOURS[clock.state], clock.state_label, which, clock_text(clock))


class SlaOrderedRows:
    """The queue's rows in SLA order: the ids are sorted up front (the clocks
    come from each query's history), the queries of a page loaded when sliced."""

    def __init__(self, ids: list[int], queryset: Any) -> None:
        self.ids, self.queryset = ids, queryset

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, key: int | slice) -> Any:
        ids = self.ids[key] if isinstance(key, slice) else [self.ids[key]]
        found = self.queryset.in_bulk(ids)
        rows = [found[pk] for pk in ids if pk in found]
        return rows if isinstance(key, slice) else rows[0]

    def __iter__(self) -> Any:
        return iter(self[:])

    def sort(self, key: Any = None, reverse: bool = False) -> None:
        """Kept in SLA order: the table's own column sorting does not apply."""


class SlaOrderedData(TableListData):
    def order_by(self, aliases: Any) -> None:
        return None
