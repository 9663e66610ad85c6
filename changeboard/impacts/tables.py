"""Tables for the impact list pages."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html

from .models import ImpactAssessment

STATUS_TAGS: dict[str, str] = {
    ImpactAssessment.Status.DRAFT: "govuk-tag--grey",
    ImpactAssessment.Status.SUBMITTED: "govuk-tag--blue",
    ImpactAssessment.Status.APPROVED: "govuk-tag--green",
    ImpactAssessment.Status.SUPERSEDED: "govuk-tag--yellow",
}


class AssessmentTable(tables.Table):
    title = tables.Column(linkify=True)
    programme = tables.Column(order_by=("programme__code",), accessor="programme__code")
    version = tables.Column(verbose_name="Version")
    status = tables.Column()
    line_count = tables.Column(verbose_name="Lines", orderable=True)
    approved_at = tables.DateTimeColumn(verbose_name="Approved", format="j M Y", default="Not approved")

    class Meta:
        model = ImpactAssessment
        fields = ["title", "programme", "version", "status", "line_count", "approved_at"]
        empty_text = "No impact assessments match these filters."

    def render_version(self, value: int) -> str:
        return f"v{value}"

    def render_status(self, record: ImpactAssessment) -> str:
        return format_html('<strong class="govuk-tag {}">{}</strong>', STATUS_TAGS.get(record.status, ""), record.get_status_display())

