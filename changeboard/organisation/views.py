"""Organisation pages: the unit tree, units, staff and the HR import."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from changeboard.core import uploads
from changeboard.core.exports import csv_response
from changeboard.core.models import PendingUpload
from changeboard.core.scoping import can
from changeboard.core.views import ScopedDetailView, ScopedListView, ScopedMixin

from . import importing
from .filtersets import StaffFilterSet
from .forms import ColumnMappingForm, StaffImportCommitForm, StaffImportUploadForm
from .models import Staff, Unit, subtree_headcounts
from .tables import StaffTable


class UnitTreeView(ScopedMixin, TemplateView):
    """The whole visible tree as nested, expandable lists."""

    model = Unit
    template_name = "organisation/unit_tree.html"
    page_title = "Units"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        units = list(self.get_queryset().order_by("path"))
        counts = subtree_headcounts(units)
        children: dict[str, list[Unit]] = defaultdict(list)
        visible = {u.path for u in units}
        roots = []
        for unit in units:
            unit.headcount = counts.get(unit.pk, 0)
            parent = unit.path[: -Unit.steplen]
            if parent in visible:
                children[parent].append(unit)
            else:
                roots.append(unit)
        for unit in units:
            unit.child_list = children.get(unit.path, [])
        context["roots"] = roots
        context["unit_count"] = len(units)
        return context


class UnitDetailView(ScopedDetailView):
    model = Unit
    template_name = "organisation/unit_detail.html"
    context_object_name = "unit"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        unit: Unit = self.object
        visible = self.get_queryset()
        children = list(visible.filter(path__startswith=unit.path, depth=unit.depth + 1).order_by("path"))
        counts = subtree_headcounts([unit, *visible.filter(path__startswith=unit.path, depth__gt=unit.depth)])
        for child in children:
            child.headcount = counts.get(child.pk, 0)
        context.update(
            page_title=unit.name,
            children=children,
            headcount=counts.get(unit.pk, 0),
            direct_staff=Staff.objects.restrict(self.request.user).current().filter(unit=unit).select_related("rank_grade")[:25],
            direct_count=Staff.objects.restrict(self.request.user).current().filter(unit=unit).count(),
            # The rollout waves (portfolio) through the reverse relation: organisation sits below portfolio.
            waves=unit.rollout_waves.restrict(self.request.user).select_related("programme").order_by("go_live_date"),
        )
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        unit: Unit = self.object
        visible = set(self.get_queryset().filter(path__in=[unit.path[:i] for i in range(Unit.steplen, len(unit.path), Unit.steplen)]).values_list("path", flat=True))
        crumbs = [("Units", "/units/")]
        for ancestor in Unit.objects.get_ancestors(unit):
            if ancestor.path in visible:
                crumbs.append((ancestor.name, ancestor.get_absolute_url()))
        crumbs.append((unit.name, ""))
        return crumbs


class StaffListView(ScopedListView):
    model = Staff
    table_class = StaffTable
    filterset_class = StaffFilterSet
    page_title = "Staff"
    template_name = "organisation/staff_list.html"
    export_name = "staff"
    export_columns = [
        ("staff_number", "staff_number"),
        ("first_name", "first_name"),
        ("last_name", "last_name"),
        ("email", "email"),
        ("unit_path", "unit__full_path"),
        ("role", "role"),
        ("rank_or_grade", "rank_grade__name"),
        ("location", "location"),
        ("shift_pattern", "shift_pattern"),
        ("line_manager_staff_number", "line_manager__staff_number"),
        ("start_date", "start_date"),
        ("leave_date", "leave_date"),
    ]

    def get_queryset(self):  # noqa: ANN201
        return super().get_queryset().select_related("unit", "rank_grade")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["perms_import"] = can(self.request.user, Staff, "add")
        return context


class StaffDetailView(ScopedDetailView):
    model = Staff
    template_name = "organisation/staff_detail.html"
    context_object_name = "person"

    def get_queryset(self):  # noqa: ANN201
        return super().get_queryset().select_related("unit", "rank_grade", "line_manager")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page_title"] = self.object.full_name
        context["reports"] = Staff.objects.restrict(self.request.user).current().filter(line_manager=self.object)[:50]
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Staff", "/staff/"), (self.object.full_name, "")]


# --------------------------------------------------------------------------
# HR staff import: upload -> (column mapping) -> preview -> commit.


class StaffImportView(ScopedMixin, FormView):
    """Upload the HR file. It is kept (for its uploader only) until committed;
    nothing about staff is written until then. `?sample=1` downloads a
    sample file in the expected format."""

    model = Staff
    action = "add"
    template_name = "organisation/import_upload.html"
    form_class = StaffImportUploadForm
    page_title = "Import the HR staff file"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.GET.get("sample"):
            return csv_response("sample-staff", *importing.sample_rows())
        return super().get(request, *args, **kwargs)

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Staff", reverse("staff-list")), ("Import", "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            columns=[(c, importing.COLUMN_LABELS[c], "Yes" if c in importing.REQUIRED_COLUMNS else "No") for c in importing.ALL_COLUMNS],
            max_depth=importing.MAX_UNIT_DEPTH,
            max_mb=settings.IMPORT_MAX_UPLOAD_MB,
        )
        return context

    def form_valid(self, form: StaffImportUploadForm) -> HttpResponse:
        upload = form.cleaned_data["file"]
        pending = importing.staff_import_stage(data=form.data_bytes, filename=upload.name, actor=self.request.user)
        return redirect("staff-import-preview", token=pending.token)


class StaffImportPreviewView(ScopedMixin, TemplateView):
    """The preview of a pending upload, the column mapping step when its
    headers are not the standard ones, and the commit. Only its uploader
    can see it: anyone else's token answers 404.

    `?errors=csv` downloads every problem; `?remap=1` shows the mapping step
    again."""

    model = Staff
    action = "add"
    template_name = "organisation/import_preview.html"
    page_title = "Check the staff import"

    def get_pending(self) -> PendingUpload:
        return uploads.fetch(kind=PendingUpload.Kind.STAFF, token=self.kwargs["token"], user=self.request.user)

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Staff", reverse("staff-list")), ("Import", reverse("staff-import")), ("Check", "")]

    def preview(self, pending: PendingUpload) -> importing.ImportReport | None:
        try:
            return importing.preview(bytes(pending.content), pending.original_filename, mapping=pending.mapping or None)
        except importing.ImportFileError as exc:
            messages.error(self.request, f"{exc} Upload the file again.")
            return None

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        pending = self.get_pending()
        report = self.preview(pending)
        if report is None:
            return redirect("staff-import")
        if request.GET.get("errors") == "csv":
            return csv_response("staff-import-problems", importing.PROBLEM_HEADERS, importing.problem_rows(report.problems))
        if report.needs_mapping or request.GET.get("remap"):
            return self.render_mapping(pending, report, ColumnMappingForm(headers=report.headers, initial_mapping=report.mapping))
        return self.render_preview(pending, report, StaffImportCommitForm())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        pending = self.get_pending()
        if request.POST.get("step") == "mapping":
            return self.post_mapping(pending)
        form = StaffImportCommitForm(request.POST)
        if not form.is_valid():
            report = self.preview(pending)
            return self.render_preview(pending, report, form) if report else redirect("staff-import")
        try:
            report = importing.staff_import_commit(pending=pending, actor=request.user, skip_invalid=form.skip_invalid)
        except importing.ImportFileError as exc:
            messages.error(request, f"{exc} Upload the file again.")
            return redirect("staff-import")
        except importing.ImportRefused as exc:
            form.add_error("mode", self.refusal_reason(exc.report))
            return self.render_preview(pending, exc.report, form)
        except IntegrityError:
            # Someone else changed the staff table mid-commit (a concurrent
            # import); everything was rolled back.
            messages.error(request, "The staff records changed while this import was being saved, so nothing was saved. Check the preview and commit again.")
            return redirect("staff-import-preview", token=pending.token)
        except ValidationError as exc:  # committed already: a second click
            messages.error(request, " ".join(exc.messages))
            return redirect("staff-list")
        messages.success(request, report.summary())
        return redirect("staff-list")

    @staticmethod
    def refusal_reason(report: importing.ImportReport) -> str:
        if report.needs_mapping:
            return "Choose which columns hold the required values before importing"
        if not report.rows or not report.valid:
            return "There are no valid rows to import"
        return "The file has rows with errors. Choose to import the valid rows only, or correct the file and upload it again"

    def post_mapping(self, pending: PendingUpload) -> HttpResponse:
        try:
            sheet = importing.read_sheet(bytes(pending.content), pending.original_filename)
        except importing.ImportFileError as exc:
            messages.error(self.request, f"{exc} Upload the file again.")
            return redirect("staff-import")
        form = ColumnMappingForm(self.request.POST, headers=sheet.headers)
        if not form.is_valid():
            report = self.preview(pending) or importing.ImportReport(headers=sheet.headers)
            return self.render_mapping(pending, report, form)
        # Remembered now, so the next file with these headers maps itself.
        importing.staff_import_set_mapping(pending=pending, headers=sheet.headers, mapping=form.mapping(), actor=self.request.user)
        return redirect("staff-import-preview", token=pending.token)

    def render_mapping(self, pending: PendingUpload, report: importing.ImportReport, form: ColumnMappingForm) -> HttpResponse:
        context = self.get_context_data(
            pending=pending, report=report, form=form, page_title="Match the file's columns",
            missing_labels=[importing.COLUMN_LABELS[c] for c in report.missing_columns],
        )
        return self.response_class(self.request, "organisation/import_mapping.html", context)

    def render_preview(self, pending: PendingUpload, report: importing.ImportReport, form: StaffImportCommitForm) -> HttpResponse:
        shown = report.problems[: importing.PROBLEMS_SHOWN]
        # The error summary groups problems by column and kind ("Start date:
        # Not a real date"), dropping per-row detail after a colon or bracket.
        reasons: Counter[str] = Counter()
        for problem in report.problems:
            kind = problem.reason.split(":")[0].split(" (")[0]
            reasons[f"{importing.COLUMN_LABELS.get(problem.column, problem.column)}: {kind}"] += 1
        context = self.get_context_data(
            pending=pending,
            report=report,
            form=form,
            problems=shown,
            more_problems=len(report.problems) - len(shown),
            reason_counts=reasons.most_common(10),
            mapping_rows=[(importing.COLUMN_LABELS[c], report.mapping.get(c, "")) for c in importing.ALL_COLUMNS],
        )
        return self.response_class(self.request, self.template_name, context)
