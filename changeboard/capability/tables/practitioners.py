"""The practitioners list: name, role, coach, latest assessment and the
number of competencies where they are short of their role's level (worked
out by `skills.skills_matrix` for the rows on the page only)."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils import dateformat
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ..models import Framework, Practitioner
from ..skills import skills_matrix

EXPORT_HEADERS = ["Practitioner", "Staff number", "Role", "Coach", "Programmes", "Latest assessment", "Competencies short", "Active"]


class PractitionerTable(tables.Table):
    name = tables.Column(empty_values=(), verbose_name="Name", order_by=("staff__last_name", "staff__first_name"))
    role = tables.Column(accessor="role__name", verbose_name="Role")
    coach = tables.Column(empty_values=(), verbose_name="Coach", order_by=("coach__last_name", "coach__first_name"))
    latest = tables.Column(empty_values=(), verbose_name="Latest assessment")
    gaps = tables.Column(empty_values=(), verbose_name="Competencies short", orderable=False)

    class Meta:
        model = Practitioner
        fields = ["name", "role", "coach", "latest", "gaps"]
        empty_text = "No practitioners match these filters."

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._gaps: dict[int, int] | None = None

    def render_name(self, record: Practitioner) -> SafeString:
        return format_html('<a class="govuk-link" href="{}">{}</a>', record.get_absolute_url(), str(record))

    def render_coach(self, record: Practitioner) -> str:
        return coach_name(record)

    def render_latest(self, value: Any) -> str:
        return dateformat.format(value, "j M Y") if value else "Not yet assessed"

    def render_gaps(self, record: Practitioner) -> int:
        if self._gaps is None:
            page = getattr(self, "page", None)
            people = [row.record for row in page.object_list] if page is not None else [row.record for row in self.rows]
            self._gaps = {row.practitioner.pk: row.gaps for row in skills_matrix(people, Framework.current()).rows}
        return self._gaps.get(record.pk, 0)


def coach_name(practitioner: Practitioner) -> str:
    coach = practitioner.coach
    return (coach.get_full_name() or coach.get_username()) if coach is not None else "No coach"
