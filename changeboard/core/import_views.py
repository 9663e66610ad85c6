"""The pages every spreadsheet import shares: upload -> (column mapping) ->
preview (every problem by row and column) -> commit.

An import's pages are thin subclasses naming the importer
(`core.importing.Importer`), the target the file goes into (looked up among
those the user may change, so anything else is a 404), the URL names and
the words that are the import's own. Templates: `core/import_upload.html`,
`core/import_preview.html` and `core/import_mapping.html`, which each
import's own templates extend with its introduction and preview tables.

Query parameters: the upload page's `?sample=1` (or the name in
`sample_param`) downloads a sample file; the preview's `?errors=csv`
downloads every problem and `?remap=1` shows the mapping step again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import cached_property
from typing import Any, ClassVar

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from .exports import csv_response
from .forms import ImportCommitForm, SpreadsheetUploadForm
from .importing import Importer
from .models import PendingUpload
from .tabular import PROBLEM_HEADERS, PROBLEMS_SHOWN, ImportFileError, ImportRefusedBase, ImportReportBase, problem_rows
from .views import ScopedMixin

__all__ = ["ImportPreviewView", "ImportUploadView", "ImportViewMixin"]

REASONS_SHOWN = 10


class ImportViewMixin(ScopedMixin):
    """What both steps share: the importer, the target and the URLs."""

    importer_class: ClassVar[type[Importer[Any]]]
    upload_url_name: ClassVar[str]
    preview_url_name: ClassVar[str]
    # The name the target has in the templates ("assessment", "wave").
    target_name: ClassVar[str] = "target"
    # The breadcrumb of the upload step; the steps' pages put theirs after
    # the section's own (`get_breadcrumbs` of the import's mixin), so a page
    # class lists the generic view first: `class X(ImportUploadView, XMixin)`.
    import_label: ClassVar[str] = "Import"
    kwargs: dict[str, Any]
    request: HttpRequest

    def get_target(self) -> Model | None:
        """What the file is imported into, among what the user may change
        (a 404 otherwise); None for an import into the whole organisation."""
        return None

    @cached_property
    def target(self) -> Model | None:
        return self.get_target()

    def refuse_target(self) -> HttpResponse | None:
        """A response when the target takes no imports now (a draft no
        longer a draft, a wave not sent), else None."""
        return None

    @cached_property
    def importer(self) -> Importer[Any]:
        return self.importer_class(self.target)

    def url_kwargs(self) -> dict[str, Any]:
        return {} if self.target is None else {"pk": self.target.pk}

    def get_upload_url(self) -> str:
        return reverse(self.upload_url_name, kwargs=self.url_kwargs())

    def get_preview_url(self, pending: PendingUpload) -> str:
        return reverse(self.preview_url_name, kwargs={**self.url_kwargs(), "token": pending.token})

    def get_done_url(self) -> str:
        """Where a commit (or a refused second commit) goes."""
        return self.target.get_absolute_url() if self.target is not None else self.get_upload_url()  # type: ignore[attr-defined]  # a target is a model with its own page

    def get_cancel_url(self) -> str:
        """Where the upload page's Cancel goes."""
        return self.get_done_url()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(upload_url=self.get_upload_url(), cancel_url=self.get_cancel_url())
        if self.target is not None:
            context[self.target_name] = self.target
        return context


class ImportUploadView(ImportViewMixin, FormView):
    """Upload a file. It is kept for its uploader only, and nothing is
    written until its preview is committed."""

    form_class = SpreadsheetUploadForm
    # The file field's label, hint and error when no file is chosen.
    file_text: ClassVar[tuple[str, str, str]] = ("", "", "")
    sample_param: ClassVar[str] = "sample"
    sample_name: ClassVar[str] = "sample"

    def get_sample_name(self) -> str:
        return self.sample_name

    def get_page_title(self) -> str:
        return self.page_title

    def get_form_kwargs(self) -> dict[str, Any]:
        label, help_text, missing = self.file_text
        return {**super().get_form_kwargs(), "file_label": label, "file_help": help_text, "file_missing": missing}

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [*super().get_breadcrumbs(), (self.import_label, "")]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:  # type: ignore[override]  # a CSV download streams; Django's stubs type get() as HttpResponse
        refused = self.refuse_target()
        if refused:
            return refused
        if request.GET.get(self.sample_param):
            headers, rows = self.importer.sample_rows()
            return csv_response(self.get_sample_name(), headers, rows)
        return super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.refuse_target() or super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(columns=self.importer.column_help(), max_mb=settings.IMPORT_MAX_UPLOAD_MB, page_title=self.get_page_title())
        return context

    def form_valid(self, form: SpreadsheetUploadForm) -> HttpResponse:
        upload = form.cleaned_data["file"]
        pending = self.importer.stage(data=form.data_bytes, filename=upload.name, actor=self.request.user, sheet=form.sheet)
        return redirect(self.get_preview_url(pending))


class ImportPreviewView(ImportViewMixin, TemplateView):
    """The preview of a pending upload and its commit. Only its uploader
    sees it: anyone else's token answers 404."""

    commit_form_class: ClassVar[type[ImportCommitForm]] = ImportCommitForm
    # The commit form's second choice and its hint.
    valid_only_label: ClassVar[str] = ""
    mode_help: ClassVar[str] = ""
    problems_name: ClassVar[str] = "import-problems"
    preview_title: ClassVar[str] = "Check the import"
    reason_format: ClassVar[str] = "{reason}: {count}"
    # The refusal when rows have errors and the uploader chose "all or nothing".
    errors_reason: ClassVar[str] = (
        "The file has rows with errors. Choose to import the valid rows only, or correct the file and upload it again"
    )
    # The optional column-mapping step: a form taking `headers` (and
    # `initial_mapping`), shown while the report `needs_mapping`.
    mapping_form_class: ClassVar[type[Form] | None] = None
    mapping_template_name: ClassVar[str] = "core/import_mapping.html"
    # Errors of the commit an import answers with `commit_failed`.
    commit_errors: ClassVar[tuple[type[Exception], ...]] = ()

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [*super().get_breadcrumbs(), (self.import_label, self.get_upload_url()), ("Check", "")]

    def commit_form(self, data: Any = None) -> ImportCommitForm:
        return self.commit_form_class(data, valid_only_label=self.valid_only_label, mode_help=self.mode_help)

    def get_pending(self) -> PendingUpload:
        return self.importer.fetch(token=self.kwargs["token"], user=self.request.user)

    def file_unreadable(self, exc: ImportFileError) -> HttpResponse:
        messages.error(self.request, f"{exc} Upload the file again.")
        return redirect(self.get_upload_url())

    def preview_options(self, pending: PendingUpload) -> dict[str, Any]:
        return self.importer.commit_options(pending)

    def preview(self, pending: PendingUpload) -> ImportReportBase | None:
        try:
            return self.importer.preview_pending(pending, **self.preview_options(pending))
        except ImportFileError as exc:
            messages.error(self.request, f"{exc} Upload the file again.")
            return None

    def needs_mapping(self, report: ImportReportBase) -> bool:
        return self.mapping_form_class is not None and (bool(getattr(report, "needs_mapping", False)) or bool(self.request.GET.get("remap")))

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:  # type: ignore[override]  # a CSV download streams; Django's stubs type get() as HttpResponse
        refused = self.refuse_target()
        if refused:
            return refused
        pending = self.get_pending()
        report = self.preview(pending)
        if report is None:
            return redirect(self.get_upload_url())
        if request.GET.get("errors") == "csv":
            return csv_response(self.problems_name, PROBLEM_HEADERS, problem_rows(report.problems))
        if self.needs_mapping(report):
            return self.render_mapping(pending, report, self.mapping_form(headers=report.headers, initial_mapping=getattr(report, "mapping", {})))
        return self.render_preview(pending, report, self.commit_form())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        refused = self.refuse_target()
        if refused:
            return refused
        pending = self.get_pending()
        if self.mapping_form_class is not None and request.POST.get("step") == "mapping":
            return self.post_mapping(pending)
        form = self.commit_form(request.POST)
        if not form.is_valid():
            report = self.preview(pending)
            return self.render_preview(pending, report, form) if report else redirect(self.get_upload_url())
        try:
            report = self.importer.commit_pending(pending=pending, actor=request.user, skip_invalid=form.skip_invalid,
                                                  **self.commit_choices(form))
        except ImportFileError as exc:
            return self.file_unreadable(exc)
        except ImportRefusedBase as exc:
            form.add_error(self.refusal_field(exc), self.refusal_reason(exc.report))
            return self.render_preview(pending, exc.report, form)
        except self.commit_errors as exc:
            return self.commit_failed(exc, pending)
        except ValidationError as exc:  # committed already (a second click), or the target takes no imports now
            messages.error(request, " ".join(exc.messages))
            return redirect(self.get_done_url())
        messages.success(request, report.summary())
        return redirect(self.get_done_url())

    def commit_failed(self, exc: Exception, pending: PendingUpload) -> HttpResponse:
        raise exc

    def commit_choices(self, form: ImportCommitForm) -> dict[str, Any]:
        """The import's own commit choices from the valid commit form
        (keyword arguments of its importer's `commit`)."""
        return {}

    def refusal_field(self, exc: ImportRefusedBase) -> str:
        """The commit form's field a refusal is shown on."""
        return "mode"

    def refusal_reason(self, report: ImportReportBase) -> str:
        if report.missing_columns:
            return "The file is missing required columns. Correct it and upload it again"
        if not report.rows or not report.valid:
            return "There are no valid rows to import"
        return self.errors_reason

    # ----------------------------------------------------------------------
    # Rendering

    def reason(self, column: str, reason: str) -> str:
        """A problem as the error summary groups it: column and kind of problem."""
        return f"{column}: {reason.split(':')[0]}"

    def reason_counts(self, report: ImportReportBase) -> list[tuple[str, int]]:
        reasons = Counter(self.reason(p.column, p.reason) for p in report.problems)
        return reasons.most_common(REASONS_SHOWN)

    def reason_items(self, report: ImportReportBase) -> list[str]:
        """The error summary's lines after `report.error_summary()`: the problems by kind."""
        if report.missing_columns:
            return []
        return [self.reason_format.format(reason=reason, count=count) for reason, count in self.reason_counts(report)]

    # The table of what the valid rows would add, below the problems.
    preview_heading: ClassVar[str] = ""
    preview_caption: ClassVar[str] = ""

    def preview_table(self, report: ImportReportBase) -> tuple[Sequence[Any], str]:
        """The rows the table shows (the template's `preview_row` block
        renders each) and a note when it shows only the first of them."""
        return [], ""

    @staticmethod
    def first_of(rows: Sequence[Any], limit: int, what: str) -> tuple[Sequence[Any], str]:
        """The first `limit` rows, and a note naming how many more there are."""
        more = max(0, len(rows) - limit)
        return rows[:limit], f"Showing the first {limit} {what}; {more} more are not listed." if more else ""

    def preview_context(self, report: ImportReportBase) -> dict[str, Any]:
        """What the import's own preview template shows besides the shared parts."""
        return {}

    def render_preview(self, pending: PendingUpload, report: ImportReportBase, form: ImportCommitForm) -> HttpResponse:
        shown = report.problems[:PROBLEMS_SHOWN]
        rows, note = self.preview_table(report)
        context = self.get_context_data(
            preview_rows=rows, preview_note=note, preview_heading=self.preview_heading, preview_caption=self.preview_caption,
            pending=pending, report=report, form=form, problems=shown, more_problems=len(report.problems) - len(shown),
            reason_items=self.reason_items(report), page_title=self.preview_title,
            **self.preview_context(report),
        )
        return self.response_class(self.request, self.get_template_names(), context)

    # ----------------------------------------------------------------------
    # The column-mapping step

    def mapping_form(self, *args: Any, **kwargs: Any) -> Form:
        assert self.mapping_form_class is not None
        return self.mapping_form_class(*args, **kwargs)

    def post_mapping(self, pending: PendingUpload) -> HttpResponse:
        try:
            sheet = self.importer.sheet_of(pending)
        except ImportFileError as exc:
            return self.file_unreadable(exc)
        form = self.mapping_form(self.request.POST, headers=sheet.headers)
        if not form.is_valid():
            report = self.preview(pending) or self.importer.report_class(headers=sheet.headers)
            return self.render_mapping(pending, report, form)
        # Remembered now, so the next file with these headers maps itself.
        self.importer.remember_mapping(pending=pending, headers=sheet.headers, mapping=form.mapping(), actor=self.request.user)  # type: ignore[attr-defined]  # the mapping form's
        return redirect(self.get_preview_url(pending))

    def render_mapping(self, pending: PendingUpload, report: ImportReportBase, form: Form) -> HttpResponse:
        labels = self.importer.column_labels
        context = self.get_context_data(
            pending=pending, report=report, form=form, page_title="Match the file's columns",
            missing_labels=[labels.get(c, c) for c in report.missing_columns],
        )
        return self.response_class(self.request, self.mapping_template_name, context)
