"""Importing a service desk's ticket export into a hypercare period:
upload -> preview (every problem by row and column) -> commit.

For the programme's change managers and administrators: the period is
looked up among those the user may change (another programme's is a 404;
a role that never may change a period, the Board or a champion, gets 403).
A pending upload is its uploader's alone. Every write goes through
`hypercare.importing`; the pages are `core.import_views`.
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import reverse

from changeboard.core.import_views import ImportPreviewView, ImportUploadView, ImportViewMixin
from changeboard.core.scoping import CHANGE

from .. import importing
from ..models import Period


class PeriodImportMixin(ImportViewMixin):
    model = Period
    action = CHANGE
    importer_class = importing.QueryImporter
    upload_url_name = "query-import"
    preview_url_name = "query-import-preview"
    target_name = "period"
    import_label = "Import tickets"

    @property
    def period(self) -> Period:
        if not hasattr(self, "_period"):
            queryset = Period.objects.restrict(self.request.user, CHANGE).select_related("rollout_wave__programme")
            self._period = get_object_or_404(queryset, pk=self.kwargs["pk"])
        return self._period

    def get_target(self) -> Period:
        return self.period

    def get_done_url(self) -> str:
        return reverse("period-detail", args=[self.period.pk])

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Hypercare periods", reverse("period-list")), (str(self.period), reverse("period-detail", args=[self.period.pk]))]


class QueryImportView(ImportUploadView, PeriodImportMixin):
    """Upload the service desk's export for this period. Nothing is written
    until the preview is committed. `?template=1` downloads a template."""

    template_name = "hypercare/import_upload.html"
    file_text = ("Upload the ticket export", "A CSV or Excel (XLSX) file with one ticket per row.", "Select the ticket export")
    sample_param = "template"
    sample_name = "hypercare-tickets"

    def get_page_title(self) -> str:
        return f"Import tickets: {self.period}"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["categories"] = self.period.categories.filter(active=True).order_by("name")
        return context


class QueryImportPreviewView(ImportPreviewView, PeriodImportMixin):
    """Check a staged ticket export (what it would add and update), then commit it."""

    template_name = "hypercare/import_preview.html"
    problems_name = "hypercare-ticket-problems"
    preview_title = "Check the ticket import"
    errors_reason = "The file has tickets with errors. Choose to import the valid tickets only, or correct the file and upload it again"
    valid_only_label = "Import the valid tickets only and skip the rest"

    preview_heading = "Tickets that would be imported"
    preview_caption = "Valid rows of the file, as queries"

    def preview_table(self, report: Any) -> tuple[Any, str]:
        return self.first_of(report.records, importing.PREVIEW_ROWS, "tickets")

    def preview_context(self, report: Any) -> dict[str, Any]:
        return {"existing": report.existing}
