"""Tables for the Programme Board's list pages."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html

from .models import BoardPack

STATUS_TAGS: dict[str, str] = {
    BoardPack.Status.QUEUED: "govuk-tag--grey",
    BoardPack.Status.BUILDING: "govuk-tag--blue",
    BoardPack.Status.READY: "govuk-tag--green",
    BoardPack.Status.FAILED: "govuk-tag--red",
}


def status_tag(pack: BoardPack) -> str:
    return format_html('<strong class="govuk-tag {}">{}</strong>', STATUS_TAGS.get(pack.status, ""), pack.get_status_display())


class BoardPackTable(tables.Table):
    """The packs, newest as-of date first. `files` is annotated by the view
    from the stored files' lengths, so the list never loads the files."""

    as_of = tables.DateColumn(verbose_name="As of", format="j M Y", linkify=True)
    title = tables.Column(linkify=True, orderable=False)
    status = tables.Column()
    generated_at = tables.DateTimeColumn(verbose_name="Generated", format="j M Y H:i", default="Not yet")
    requested_by = tables.Column(verbose_name="Requested by", orderable=False, empty_values=())
    files = tables.Column(verbose_name="Size", orderable=False, empty_values=())

    class Meta:
        model = BoardPack
        fields = ["as_of", "title", "status", "generated_at", "requested_by", "files"]
        order_by = "-as_of"
        empty_text = "No board pack has been generated yet."

    def render_status(self, record: BoardPack) -> str:
        return status_tag(record)

    def render_requested_by(self, record: BoardPack) -> str:
        if record.scheduled:
            return "Monthly schedule"
        return record.requested_by.get_full_name() or record.requested_by.get_username() if record.requested_by else "Not known"

    def render_files(self, record: Any) -> str:
        size = getattr(record, "files", None)
        return filesizeformat(size) if size else "None"
