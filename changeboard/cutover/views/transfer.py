"""A runbook's import and export pages: the "Import and export" page,
downloads (CSV, XLSX, MS Project XML: anyone who may view the runbook), and
the task imports (spreadsheet, MS Project XML: upload -> preview -> commit,
for those who may change the runbook, while it is in planning or rehearsal)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from changeboard.core.import_views import ImportPreviewView, ImportUploadView, ImportViewMixin
from changeboard.core.scoping import CHANGE, VIEW
from changeboard.core.views import ScopedDetailView

from .. import exporting, importing
from ..forms.transfer import MspdiUploadForm, TaskImportCommitForm
from ..models import Runbook
from ..services.transfer import IMPORT_MODES


def runbook_crumbs(runbook: Runbook) -> list[tuple[str, str]]:
    return [("Cutover runbooks", reverse("runbook-list")), (runbook.title, runbook.get_absolute_url()),
            ("Import and export", reverse("runbook-transfer", args=[runbook.pk]))]


class RunbookTransferView(ScopedDetailView):
    """What can be downloaded, and (for those who may change the runbook)
    imported."""

    model = Runbook
    template_name = "cutover/transfer_runbook.html"
    context_object_name = "runbook"

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Cutover runbooks", reverse("runbook-list")), (self.object.title, self.object.get_absolute_url()),
                ("Import and export", "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        runbook: Runbook = self.object
        context.update(
            page_title=f"Import and export: {runbook.title}",
            can_import=Runbook.objects.restrict(self.request.user, CHANGE).filter(pk=runbook.pk).exists(),
            importable=runbook.mode in IMPORT_MODES, tasks=runbook.tasks.count(),
        )
        return context


class RunbookExportView(ScopedDetailView):
    """`?format=csv|xlsx|xml`: the runbook as a file."""

    model = Runbook
    action = VIEW

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:  # type: ignore[override]  # a CSV download streams
        runbook = self.get_object()
        fmt = request.GET.get("format", "csv")
        if fmt not in exporting.FORMATS:
            return HttpResponseBadRequest("Choose the format: csv, xlsx or xml.")
        return exporting.export_response(runbook, fmt)


class RunbookImportMixin(ImportViewMixin):
    """The runbook (among those the user may change: 404 otherwise) the tasks
    go into; one not in planning or rehearsal is refused with a message.
    After an import (or a refusal, or Cancel) the user lands on the runbook
    page (the base's `get_done_url`: the target's own page), where the
    imported plan shows scheduled."""

    model = Runbook
    action = CHANGE
    target_name = "runbook"
    import_label = "Import tasks"
    importer_class: ClassVar[type[importing.TaskImporter]] = importing.TaskImporter

    def get_target(self) -> Runbook:
        return get_object_or_404(Runbook.objects.restrict(self.request.user, CHANGE), pk=self.kwargs["pk"])

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return runbook_crumbs(self.target)  # type: ignore[arg-type]  # the target is a runbook

    def refuse_target(self) -> HttpResponse | None:
        reason = importing.check_importable(self.target)  # type: ignore[arg-type]  # the target is a runbook
        if reason:
            messages.error(self.request, reason)
            return redirect(self.get_done_url())
        return None



class RunbookImportView(ImportUploadView, RunbookImportMixin):
    """Upload a spreadsheet of tasks (`?sample=1`: a sample file)."""

    template_name = "cutover/transfer_upload.html"
    upload_url_name, preview_url_name = "runbook-import", "runbook-import-preview"
    file_text = ("Upload the runbook spreadsheet", "A CSV or Excel (XLSX) file with one task per row.", "Select the runbook spreadsheet")
    sample_name = "runbook-tasks-sample"

    def get_page_title(self) -> str:
        return f"Import tasks into {self.target}"


class RunbookImportPreviewView(ImportPreviewView, RunbookImportMixin):
    """Check a staged spreadsheet (the tasks it would add, update and remove), then commit it."""

    template_name = "cutover/transfer_preview.html"
    upload_url_name, preview_url_name = "runbook-import", "runbook-import-preview"
    commit_form_class = TaskImportCommitForm
    problems_name = "runbook-import-problems"
    preview_title = "Check the runbook import"
    errors_reason = "The file has errors: correct them and upload it again"

    def preview_context(self, report: Any) -> dict[str, Any]:
        shown, note = self.first_of(report.tasks, importing.PREVIEW_TASKS, "tasks")
        return {"tasks_shown": shown, "tasks_note": note}


class MspdiImportMixin(RunbookImportMixin):
    importer_class = importing.MspdiImporter
    upload_url_name, preview_url_name = "runbook-import-mspdi", "runbook-import-mspdi-preview"
    import_label = "Import from MS Project"


class MspdiImportView(ImportUploadView, MspdiImportMixin):
    """Upload an MS Project XML file."""

    template_name = "cutover/transfer_upload_mspdi.html"
    form_class = MspdiUploadForm
    file_text = ("", "", "")

    def get_page_title(self) -> str:
        return f"Import an MS Project file into {self.target}"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:  # type: ignore[override]  # as the base's
        if request.GET.get(self.sample_param):
            return HttpResponseBadRequest("There is no sample MS Project file: export a runbook as MS Project XML instead.")
        return super().get(request, *args, **kwargs)


class MspdiImportPreviewView(ImportPreviewView, MspdiImportMixin):
    """Check a staged MS Project file, then commit it."""

    template_name = "cutover/transfer_preview.html"
    commit_form_class = TaskImportCommitForm
    problems_name = "ms-project-import-problems"
    preview_title = "Check the MS Project import"
    errors_reason = RunbookImportPreviewView.errors_reason
    preview_context = RunbookImportPreviewView.preview_context
