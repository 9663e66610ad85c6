"""The feedback list's table. The text column asks the anonymity rule
(`services.themes.TextPolicy`), passed in as `text_policy`."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils import dateformat
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from ..models import Theme
from ..services.themes import TextPolicy

STATUS_TAGS: dict[str, str] = {
    Theme.Status.OPEN: "govuk-tag--blue",
    Theme.Status.ACTIONED: "govuk-tag--green",
    Theme.Status.LINKED: "govuk-tag--turquoise",
    Theme.Status.CLOSED: "govuk-tag--grey",
}


def status_tag(theme: Theme) -> SafeString:
    return format_html('<strong class="govuk-tag {}">{}</strong>', STATUS_TAGS.get(theme.status, ""), theme.get_status_display())


class ThemeTable(tables.Table):
    text = tables.Column(empty_values=(), verbose_name="What was heard", orderable=False)
    programme = tables.Column(accessor="programme__code", verbose_name="Programme", order_by=("programme__code",))
    category = tables.Column()
    sentiment = tables.Column()
    unit = tables.Column(accessor="unit__name", verbose_name="Unit", order_by=("unit__path",))
    heard_on = tables.Column(verbose_name="Heard on")
    status = tables.Column()

    class Meta:
        model = Theme
        fields = ["text", "programme", "category", "sentiment", "unit", "heard_on", "status"]
        empty_text = "No themes match these filters."

    def __init__(self, *args: Any, text_policy: TextPolicy | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.text_policy = text_policy or TextPolicy(None)

    def render_text(self, record: Theme) -> SafeString:
        shown = Truncator(self.text_policy.text(record)).chars(90)
        return format_html('<a class="govuk-link" href="{}">{}</a>', record.get_absolute_url(), shown)

    def render_heard_on(self, value: Any) -> str:
        return dateformat.format(value, "j M Y")

    def render_status(self, record: Theme) -> SafeString:
        return status_tag(record)
