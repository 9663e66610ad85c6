"""The activity list's table (the page; its export uses the same filtered rows)."""

from __future__ import annotations

import django_tables2 as tables
from django.utils import dateformat
from django.utils.html import format_html

from ..models import Activity

STATUS_TAGS: dict[str, str] = {
    Activity.Status.PLANNED: "govuk-tag--blue",
    Activity.Status.DONE: "govuk-tag--green",
    Activity.Status.CANCELLED: "govuk-tag--grey",
}


def status_tag(activity: Activity) -> str:
    return format_html('<strong class="govuk-tag {}">{}</strong>', STATUS_TAGS.get(activity.status, ""), activity.get_status_display())


class ActivityTable(tables.Table):
    kind = tables.Column(linkify=True, verbose_name="Activity")
    date = tables.Column()
    champion = tables.Column(order_by=("champion__staff__last_name", "champion__staff__first_name"))
    programme = tables.Column(accessor="programme__code", verbose_name="Programme")
    unit = tables.Column(accessor="unit__name", verbose_name="Where")
    people_reached = tables.Column(verbose_name="People reached", attrs={"td": {"class": "govuk-table__cell--numeric"},
                                                                         "th": {"class": "govuk-table__header--numeric"}})
    minutes = tables.Column(verbose_name="Minutes", attrs={"td": {"class": "govuk-table__cell--numeric"},
                                                           "th": {"class": "govuk-table__header--numeric"}})
    status = tables.Column()

    class Meta:
        model = Activity
        fields = ["kind", "date", "champion", "programme", "unit", "people_reached", "minutes", "status"]
        empty_text = "No activities match these filters."

    def render_kind(self, record: Activity) -> str:
        return record.get_kind_display()

    def render_date(self, record: Activity) -> str:
        return dateformat.format(record.date, "j M Y")

    def render_status(self, record: Activity) -> str:
        return status_tag(record)
