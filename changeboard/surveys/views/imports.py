"""Importing responses collected in another survey tool into a wave:
upload -> preview (every problem by row and column) -> commit.

The wave must be one the user may change (404 otherwise; a role that never
may change a wave gets 403), and open or closed (a clear message
otherwise). A pending upload is its uploader's alone. Every write goes
through `surveys.importing`; the pages are `core.import_views`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from changeboard.core.import_views import ImportPreviewView, ImportUploadView, ImportViewMixin
from changeboard.core.scoping import CHANGE

from .. import importing
from ..models import SurveyWave
from .waves import changeable_waves


class WaveImportMixin(ImportViewMixin):
    """The wave from the URL, among those the user may change (404
    otherwise); only an open or closed wave takes responses (a message
    otherwise)."""

    model = SurveyWave
    action = CHANGE
    importer_class = importing.ResponseImporter
    upload_url_name = "response-import"
    preview_url_name = "response-import-preview"
    target_name = "wave"
    import_label = "Import responses"

    @property
    def wave(self) -> SurveyWave:
        if not hasattr(self, "_wave"):
            queryset = changeable_waves(self.request.user).select_related("programme", "instrument")
            self._wave = get_object_or_404(queryset, pk=self.kwargs["pk"])
        return self._wave

    def get_target(self) -> SurveyWave:
        return self.wave

    def refuse_target(self) -> HttpResponse | None:
        if self.wave.status not in importing.IMPORTABLE:
            messages.error(self.request, importing.NOT_IMPORTABLE.format(status=self.wave.get_status_display().lower()))
            return redirect(self.wave.get_absolute_url())
        return None

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Readiness surveys", reverse("wave-list")), (str(self.wave), self.wave.get_absolute_url())]


class ResponseImportView(ImportUploadView, WaveImportMixin):
    """Upload a file of responses. Nothing is written until the preview is
    committed. `?template=1` downloads a template with this wave's columns."""

    template_name = "surveys/import_upload.html"
    file_text = ("Upload the responses", "A CSV or Excel (XLSX) file with one response per row.", "Select the file of responses")
    sample_param = "template"

    def get_sample_name(self) -> str:
        return f"responses-{self.wave.pk}"

    def get_page_title(self) -> str:
        return f"Import responses into {self.wave.title}"


class ResponseImportPreviewView(ImportPreviewView, WaveImportMixin):
    """Check a staged file of responses (counts by unit and role group), then commit it."""

    template_name = "surveys/import_preview.html"
    valid_only_label = "Import the valid rows only, skip the rest and ignore unknown columns"
    problems_name = "response-import-problems"
    preview_title = "Check the responses import"
    errors_reason = ("The file has errors. Choose to import the valid rows only (ignoring unknown columns), "
                     "or correct the file and upload it again")

    def refusal_reason(self, report: Any) -> str:
        if not report.missing_columns and report.duplicate_columns:
            return "The file has columns that appear more than once. Correct it and upload it again"
        return super().refusal_reason(report)

    preview_heading = "Responses that would be added"
    preview_caption = "Valid rows of the file, counted by unit and role group"

    def preview_table(self, report: Any) -> tuple[Any, str]:
        return self.first_of(report.cells(), importing.PREVIEW_CELLS, "units and role groups")
