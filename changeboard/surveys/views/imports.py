"""Importing responses collected in another survey tool into a wave:
upload -> preview (every problem by row and column) -> commit.

The wave must be one the user may change (404 otherwise; a role that never
may change a wave gets 403), and open or closed (a clear message
otherwise). A pending upload is its uploader's alone. Every write goes
through `surveys.importing`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from changeboard.core import exports, uploads
from changeboard.core.forms import ImportCommitForm, SpreadsheetUploadForm
from changeboard.core.models import PendingUpload
from changeboard.core.scoping import CHANGE
from changeboard.core.views import ScopedMixin

from .. import importing
from ..models import SurveyWave
from .waves import changeable_waves


class ResponseImportUploadForm(SpreadsheetUploadForm):
    file_label = "Upload the responses"
    file_help = "A CSV or Excel (XLSX) file with one response per row."
    file_missing = "Select the file of responses"


class ResponseImportCommitForm(ImportCommitForm):
    """Step 2: commit, refusing a file with errors unless the user chooses
    to import only its valid rows."""

    valid_only_label = "Import the valid rows only, skip the rest and ignore unknown columns"


class WaveImportMixin(ScopedMixin):
    """The wave from the URL, among those the user may change."""

    model = SurveyWave
    action = CHANGE
    kwargs: dict[str, Any]
    request: HttpRequest

    @property
    def wave(self) -> SurveyWave:
        if not hasattr(self, "_wave"):
            queryset = changeable_waves(self.request.user).select_related("programme", "instrument")
            self._wave = get_object_or_404(queryset, pk=self.kwargs["pk"])
        return self._wave

    def not_importable(self) -> HttpResponse | None:
        if self.wave.status not in importing.IMPORTABLE:
            messages.error(self.request, importing.NOT_IMPORTABLE.format(status=self.wave.get_status_display().lower()))
            return redirect(self.wave.get_absolute_url())
        return None

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Readiness surveys", reverse("wave-list")), (str(self.wave), self.wave.get_absolute_url())]


class ResponseImportView(WaveImportMixin, FormView):
    """Upload a file of responses. Nothing is written until the preview is
    committed. `?template=1` downloads a template with this wave's columns."""

    template_name = "surveys/import_upload.html"
    form_class = ResponseImportUploadForm

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        refused = self.not_importable()
        if refused:
            return refused
        if request.GET.get("template"):
            headers, rows = importing.sample_rows(self.wave)
            return exports.csv_response(f"responses-{self.wave.pk}", headers, rows)
        return super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.not_importable() or super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(wave=self.wave, page_title=f"Import responses into {self.wave.title}", columns=importing.column_help(self.wave),
                       max_mb=settings.IMPORT_MAX_UPLOAD_MB)
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [*super().get_breadcrumbs(), ("Import responses", "")]

    def form_valid(self, form: ResponseImportUploadForm) -> HttpResponse:
        upload = form.cleaned_data["file"]
        pending = importing.response_import_stage(wave=self.wave, data=form.data_bytes, filename=upload.name, actor=self.request.user)
        return redirect("response-import-preview", pk=self.wave.pk, token=pending.token)


class ResponseImportPreviewView(WaveImportMixin, TemplateView):
    """The preview of a pending upload and its commit. Only its uploader
    sees it: anyone else's token answers 404. `?errors=csv` downloads every
    problem."""

    template_name = "surveys/import_preview.html"

    def get_pending(self) -> PendingUpload:
        kind = PendingUpload.Kind.SURVEY_RESPONSES
        return uploads.fetch(kind=kind, token=self.kwargs["token"], user=self.request.user, target_id=self.wave.pk)

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [*super().get_breadcrumbs(), ("Import responses", reverse("response-import", args=[self.wave.pk])), ("Check", "")]

    def preview(self, pending: PendingUpload) -> importing.ResponseImportReport | None:
        try:
            return importing.preview(bytes(pending.content), pending.original_filename, wave=self.wave)
        except importing.ImportFileError as exc:
            messages.error(self.request, f"{exc} Upload the file again.")
            return None

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        refused = self.not_importable()
        if refused:
            return refused
        pending = self.get_pending()
        report = self.preview(pending)
        if report is None:
            return redirect("response-import", pk=self.wave.pk)
        if request.GET.get("errors") == "csv":
            return exports.csv_response("response-import-problems", importing.PROBLEM_HEADERS, importing.problem_rows(report.problems))
        return self.render_preview(pending, report, ResponseImportCommitForm())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        refused = self.not_importable()
        if refused:
            return refused
        pending = self.get_pending()
        form = ResponseImportCommitForm(request.POST)
        if not form.is_valid():
            report = self.preview(pending)
            return self.render_preview(pending, report, form) if report else redirect("response-import", pk=self.wave.pk)
        try:
            report = importing.response_import_commit(pending=pending, actor=request.user, skip_invalid=form.skip_invalid)
        except importing.ImportFileError as exc:
            messages.error(request, f"{exc} Upload the file again.")
            return redirect("response-import", pk=self.wave.pk)
        except importing.ResponseImportRefused as exc:
            form.add_error("mode", self.refusal_reason(exc.report))
            return self.render_preview(pending, exc.report, form)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(self.wave.get_absolute_url())
        messages.success(request, report.summary())
        return redirect(self.wave.get_absolute_url())

    @staticmethod
    def refusal_reason(report: importing.ResponseImportReport) -> str:
        if report.missing_columns:
            return "The file is missing required columns. Correct it and upload it again"
        if report.duplicate_columns:
            return "The file has columns that appear more than once. Correct it and upload it again"
        if not report.rows or not report.valid:
            return "There are no valid rows to import"
        return ("The file has errors. Choose to import the valid rows only (ignoring unknown columns), "
                "or correct the file and upload it again")

    def render_preview(self, pending: PendingUpload, report: importing.ResponseImportReport,
                       form: ResponseImportCommitForm) -> HttpResponse:
        shown = report.problems[: importing.PROBLEMS_SHOWN]
        reasons: dict[str, int] = defaultdict(int)
        for problem in report.problems:
            reasons[f"{problem.column}: {problem.reason.split(':')[0]}"] += 1
        cells = report.cells()
        context = self.get_context_data(
            pending=pending, report=report, form=form, problems=shown, more_problems=len(report.problems) - len(shown),
            reason_counts=sorted(reasons.items(), key=lambda item: -item[1])[:10], wave=self.wave,
            cells=cells[: importing.PREVIEW_CELLS], more_cells=max(0, len(cells) - importing.PREVIEW_CELLS),
            page_title="Check the responses import",
        )
        return self.response_class(self.request, self.template_name, context)
