"""Organisation pages: the unit tree, units, staff and the HR import."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.db import IntegrityError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView

from changeboard.core.forms import govuk_style
from changeboard.core.import_views import ImportPreviewView, ImportUploadView, ImportViewMixin
from changeboard.core.models import PendingUpload
from changeboard.core.scoping import can
from changeboard.core.views import ScopedDetailView, ScopedListView, ScopedMixin

from . import importing
from .filtersets import StaffFilterSet
from .forms import ColumnMappingForm, StaffImportCommitForm
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


class StaffImportMixin(ImportViewMixin):
    """The HR import is into the whole organisation: no target."""

    model = Staff
    action = "add"
    importer_class = importing.StaffImporter
    upload_url_name = "staff-import"
    preview_url_name = "staff-import-preview"

    def get_done_url(self) -> str:
        return reverse("staff-list")

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Staff", reverse("staff-list"))]


class StaffImportView(ImportUploadView, StaffImportMixin):
    """Upload the HR file. It is kept (for its uploader only) until committed;
    nothing about staff is written until then. `?sample=1` downloads a
    sample file in the expected format."""

    template_name = "organisation/import_upload.html"
    file_text = ("Upload the HR staff file", "A CSV or Excel (XLSX) file exported from the HR system.", "Select the HR staff file")
    page_title = "Import the HR staff file"
    sample_name = "sample-staff"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(max_depth=importing.MAX_UNIT_DEPTH)
        return context


class StaffImportPreviewView(ImportPreviewView, StaffImportMixin):
    """The preview of a pending upload, the column mapping step when its
    headers are not the standard ones, and the commit. Only its uploader
    can see it: anyone else's token answers 404.

    `?errors=csv` downloads every problem; `?remap=1` shows the mapping step
    again."""

    template_name = "organisation/import_preview.html"
    page_title = preview_title = "Check the staff import"
    mode_help = "Rows with errors are never imported. People in rows with errors are not marked as leavers."
    mapping_form_class = ColumnMappingForm
    commit_form_class = StaffImportCommitForm
    problems_name = "staff-import-problems"
    reason_format = "{reason} ({count})"
    commit_errors = (IntegrityError,)

    def commit_failed(self, exc: Exception, pending: PendingUpload) -> HttpResponse:
        # Someone else changed the staff table mid-commit (a concurrent
        # import); everything was rolled back.
        messages.error(self.request, "The staff records changed while this import was being saved, so nothing was saved. Check the preview and commit again.")
        return redirect(self.get_preview_url(pending))

    def commit_choices(self, form: Any) -> dict[str, Any]:
        return dict(form.commit_options())

    def refusal_field(self, exc: Exception) -> str:
        return "confirm_leavers" if isinstance(exc, importing.LeaversNotConfirmed) else "mode"

    def refusal_reason(self, report: Any) -> str:
        if not report.refused and report.confirmation_needed:
            return (f"Type {report.would_leave} to confirm that {report.would_leave} people are marked as leavers, "
                    "or choose add and update only")
        if report.needs_mapping:
            return "Choose which columns hold the required values before importing"
        return super().refusal_reason(report)

    def reason(self, column: str, reason: str) -> str:
        # The error summary groups problems by column and kind ("Start date:
        # Not a real date"), dropping per-row detail after a colon or bracket.
        return f"{importing.COLUMN_LABELS.get(column, column)}: {reason.split(':')[0].split(' (')[0]}"

    def preview_context(self, report: Any) -> dict[str, Any]:
        return {"mapping_rows": [(importing.COLUMN_LABELS[c], report.mapping.get(c, "")) for c in importing.ALL_COLUMNS]}

    def render_preview(self, pending: PendingUpload, report: Any, form: Any) -> HttpResponse:
        if report.would_leave:
            label = f"To mark {report.would_leave} people as leavers, type {report.would_leave}"
            form.fields["confirm_leavers"].label = label
            form["confirm_leavers"].label = label  # the bound field, cached once the form was validated
        govuk_style(form)  # a refusal added after validation gets its error styling and description too
        return super().render_preview(pending, report, form)
