"""The recognition table: hours given and activities done per champion."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from ..models import Champion


class RecognitionTable(tables.Table):
    name = tables.Column(accessor="pk", verbose_name="Champion", order_by=("staff__last_name", "staff__first_name", "pk"), linkify=False)
    unit = tables.Column(accessor="staff__unit__name", verbose_name="Unit", order_by=("staff__unit__name", "pk"))
    status = tables.Column(verbose_name="Status")
    done = tables.Column(verbose_name="Activities done", order_by=("done", "pk"), attrs={"td": {"class": "govuk-table__cell--numeric"}})
    hours = tables.Column(verbose_name="Hours given", order_by=("minutes", "pk"), attrs={"td": {"class": "govuk-table__cell--numeric"}})
    thank = tables.Column(accessor="pk", verbose_name="Thank-you", orderable=False)

    class Meta:
        model = Champion
        fields = ["name", "unit", "status", "done", "hours", "thank"]
        empty_text = "No champions match these filters."

    def render_name(self, record: Champion) -> str:
        return str(record)

    thankable: frozenset[int] = frozenset()
    """The champions the viewer may thank (set by the view)."""

    def render_hours(self, value: float) -> str:
        return f"{value:.1f}"

    def render_thank(self, record: Champion) -> str:
        if record.pk not in self.thankable:
            return ""
        return format_html('<a class="govuk-link" href="{}">Thank<span class="govuk-visually-hidden"> {}</span></a>',
                           reverse("thanks-send", args=[record.pk]), record)
