"""The pool's table (the list page; its export writes the same rows with
`export_row`). Rows carry `services.load.with_asked`'s `asked` and `over`,
and their active supports prefetched as `live_supports`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_tables2 as tables
from django.utils.html import format_html, format_html_join

from changeboard.surveys.models import RoleGroup, role_group_for

from ..models import Champion

EXPORT_HEADERS = ["Champion", "Staff number", "Unit", "Location", "Shift pattern", "Role group", "Status", "Programmes supported",
                  "Hours agreed", "Hours asked", "Over-committed", "Start", "End", "Needs review"]


def role_group_label(champion: Champion) -> str:
    grade = champion.staff.rank_grade
    return str(RoleGroup(role_group_for(grade.kind if grade else None)).label)


def hours(value: Any) -> str:
    """Hours as typed: 4, 2.5 (never 4.0)."""
    return f"{Decimal(value or 0).normalize():f}"


def programmes_text(champion: Any) -> str:
    return ", ".join(f"{s.programme.code} ({hours(s.hours_asked)}h)" for s in getattr(champion, "live_supports", []))


def export_row(champion: Any) -> list[Any]:
    staff = champion.staff
    return [str(champion), staff.staff_number, staff.unit.name, staff.location, staff.shift_pattern, role_group_label(champion),
            champion.get_status_display(), programmes_text(champion), champion.hours_agreed, Decimal(champion.asked).quantize(Decimal("0.1")),
            "Yes" if champion.over else "No", champion.start_date, champion.end_date or "", champion.needs_review]


class ChampionTable(tables.Table):
    name = tables.Column(accessor="pk", verbose_name="Champion", order_by=("staff__last_name", "staff__first_name", "pk"))
    staff_number = tables.Column(accessor="staff__staff_number", verbose_name="Staff number")
    unit = tables.Column(accessor="staff__unit__name", verbose_name="Unit")
    location = tables.Column(accessor="staff__location", verbose_name="Location", default="Not recorded")
    shift_pattern = tables.Column(accessor="staff__shift_pattern", verbose_name="Shift pattern", default="Not recorded")
    role_group = tables.Column(accessor="pk", verbose_name="Role group", orderable=False)
    status = tables.Column(verbose_name="Status")
    programmes = tables.Column(accessor="pk", verbose_name="Programmes supported", orderable=False)
    load = tables.Column(accessor="asked", verbose_name="Hours a month: asked of agreed", order_by=("asked", "pk"))
    dates = tables.Column(accessor="start_date", verbose_name="Start to end")
    needs_review = tables.Column(verbose_name="HR review", default="")

    class Meta:
        model = Champion
        fields = ["name", "staff_number", "unit", "location", "shift_pattern", "role_group", "status", "programmes", "load", "dates",
                  "needs_review"]
        empty_text = "No champions match these filters."

    def render_name(self, record: Champion) -> str:
        return format_html('<a class="govuk-link" href="{}">{}</a>', record.get_absolute_url(), str(record))

    def render_role_group(self, record: Champion) -> str:
        return role_group_label(record)

    def render_status(self, record: Champion) -> str:
        return str(record.get_status_display())

    def render_programmes(self, record: Champion) -> str:
        supports = getattr(record, "live_supports", [])
        if not supports:
            return "None now"
        return format_html_join(", ", "{} ({}h)", ((s.programme.code, hours(s.hours_asked)) for s in supports))

    def render_load(self, record: Any) -> str:
        text = f"{hours(record.asked)} of {hours(record.hours_agreed)}"
        if record.over:
            return format_html('{} <strong class="govuk-tag govuk-tag--red">Over-committed</strong>', text)
        return text

    def render_dates(self, record: Champion) -> str:
        end = f"{record.end_date:%d %b %Y}" if record.end_date else "open-ended"
        return f"{record.start_date:%d %b %Y} to {end}"

    def render_needs_review(self, value: str) -> str:
        return format_html('<strong class="govuk-tag govuk-tag--orange">{}</strong>', value) if value else ""
