"""The approaches list: programme, status, version, and whether the promises hold."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ..evidence import Shared, promises_summary
from ..models import Approach

STATUS_TAGS: dict[str, str] = {Approach.Status.DRAFT: "govuk-tag--grey", Approach.Status.SUBMITTED: "govuk-tag--blue",
               Approach.Status.APPROVED: "govuk-tag--green"}
EXPORT_COLUMNS = [("Programme", "programme__code"), ("Programme name", "programme__name"), ("Status", "status"),
                  ("Version", "version"), ("Approved at", "approved_at"), ("Updated at", "updated_at")]


def status_tag(approach: Approach) -> SafeString:
    return format_html('<strong class="govuk-tag {}">{}</strong>', STATUS_TAGS.get(approach.status, ""), approach.get_status_display())


class ApproachTable(tables.Table):
    programme = tables.Column(accessor="programme__code", verbose_name="Programme", order_by=("programme__code",))
    status = tables.Column()
    version = tables.Column(verbose_name="Approved version")
    promises = tables.Column(empty_values=(), verbose_name="Promises holding", orderable=False)

    class Meta:
        model = Approach
        fields = ["programme", "status", "version", "promises"]
        empty_text = "No change approach matches these filters."

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.shared = Shared()  # the staff in post read once for every row's champion coverage

    def render_programme(self, record: Approach) -> SafeString:
        return format_html('<a class="govuk-link" href="{}">{}: {}</a>', record.get_absolute_url(), record.programme.code, record.programme.name)

    def render_status(self, record: Approach) -> SafeString:
        return status_tag(record)

    def render_version(self, value: int) -> str:
        return f"v{value}" if value else "Not yet approved"

    def render_promises(self, record: Approach) -> str:
        held, total, no_data = promises_summary(record, shared=self.shared)
        if not total:
            return "No promises yet"
        return f"{held} of {total}" + (f" ({no_data} without data yet)" if no_data else "")
