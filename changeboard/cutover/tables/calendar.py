"""The cutover calendar as a table: the accessible primary view of the
windows (the month grid is a second view of the same rows)."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.html import format_html


class CalendarTable(tables.Table):
    programme = tables.Column(accessor="programme_code", verbose_name="Programme", orderable=False)
    runbook = tables.Column(accessor="runbook__title", verbose_name="Runbook", orderable=False)
    label = tables.Column(verbose_name="Window", orderable=False)
    status = tables.Column(verbose_name="Status", orderable=False)
    start = tables.Column(accessor="start_text", verbose_name="Start (Europe/London)", orderable=False)
    finish = tables.Column(accessor="finish_text", verbose_name="Finish (Europe/London)", orderable=False)
    conflicts = tables.Column(verbose_name="Conflicts", orderable=False, attrs={"td": {"class": "govuk-table__cell--numeric"},
                                                                               "th": {"class": "govuk-table__header--numeric"}})

    class Meta:
        empty_text = "No cutover windows match these filters."
        attrs = {"class": "govuk-table"}

    def render_runbook(self, value: str, record: Any) -> str:
        return format_html('<a class="govuk-link" href="{}">{}</a>', record.runbook_url, value)

    def render_label(self, value: str, record: Any) -> str:
        if record.run is not None:
            return format_html('<a class="govuk-link" href="{}">{}</a>', record.url, value)
        return value

    def render_finish(self, value: str, record: Any) -> str:
        basis = {"projected": "projected", "planned": "as planned", "scheduled": "scheduled"}.get(record.finish_basis)
        return format_html("{} <span class=\"cb-muted govuk-body-s\">({})</span>", value, basis) if basis else value
