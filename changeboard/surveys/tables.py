"""Tables for the survey list pages."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html

from .models import Deferral, SurveyWave

STATUS_TAGS: dict[str, str] = {
    SurveyWave.Status.DRAFT: "govuk-tag--grey",
    SurveyWave.Status.SCHEDULED: "govuk-tag--blue",
    SurveyWave.Status.OPEN: "govuk-tag--green",
    SurveyWave.Status.CLOSED: "govuk-tag--yellow",
    SurveyWave.Status.CANCELLED: "govuk-tag--red",
}


def status_tag(wave: SurveyWave) -> str:
    return format_html('<strong class="govuk-tag {}">{}</strong>', STATUS_TAGS.get(wave.status, ""), wave.get_status_display())


class WaveTable(tables.Table):
    title = tables.Column(linkify=True)
    programme = tables.Column(accessor="programme__code", order_by=("programme__code",))
    round_number = tables.Column(verbose_name="Round")
    opens_on = tables.DateColumn(format="j M Y", verbose_name="Opens")
    closes_on = tables.DateColumn(format="j M Y", verbose_name="Closes")
    status = tables.Column()
    invited_total = tables.Column(verbose_name="Invited", orderable=False, default=0)
    responded_total = tables.Column(verbose_name="Responded", orderable=False, default=0)

    class Meta:
        model = SurveyWave
        fields = ["title", "programme", "round_number", "opens_on", "closes_on", "status", "invited_total", "responded_total"]
        empty_text = "No survey waves match these filters."

    def render_status(self, record: SurveyWave) -> str:
        return status_tag(record)

    def render_responded_total(self, record: SurveyWave, value: int) -> str:
        # The same rule as the wave's own page: a small audience shows no count.
        return "Too few to show" if record.invited_total < record.min_responses else str(value)  # type: ignore[attr-defined]  # annotated by the list's queryset


class DeferralTable(tables.Table):
    person = tables.Column(accessor="staff__last_name", verbose_name="Person", order_by=("staff__last_name", "staff__first_name"))
    staff_number = tables.Column(accessor="staff__staff_number", verbose_name="Staff number")
    reason = tables.Column()
    last_contacted_on = tables.DateColumn(format="j M Y", verbose_name="Last invited", default="")
    eligible_from = tables.DateColumn(format="j M Y", verbose_name="Can be asked from", default="")
    next_round_on = tables.DateColumn(format="j M Y", verbose_name="Next round", default="No later round")

    class Meta:
        model = Deferral
        fields = ["person", "staff_number", "reason", "last_contacted_on", "eligible_from", "next_round_on"]
        empty_text = "Nobody was deferred."

    def render_person(self, record: Deferral) -> str:
        return f"{record.staff.first_name} {record.staff.last_name}"
