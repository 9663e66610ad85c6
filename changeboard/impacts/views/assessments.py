"""Impact assessment pages: the list, one assessment with its lines and
versions, the workflow actions, what changed between versions, the XLSX
export, the line form, the impacted staff and the spreadsheet import.

Scoping is the core machinery's: reads go through `restrict(user, action)`
(out of scope is 404) and `can()` (a role that never may is 403). Pages
that change an assessment also need its programme among those the user may
change, and every write goes through `impacts.services`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Model, Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.text import slugify
from django.views import View
from django.views.generic import TemplateView

from changeboard.core import exports
from changeboard.core.import_views import ImportPreviewView, ImportUploadView, ImportViewMixin
from changeboard.core.params import StrictTableMixin, parse_id
from changeboard.core.scoping import ADD, CHANGE, DELETE, VIEW, can
from changeboard.core.views import ScopedDetailView, ScopedListView, ScopedMixin, ServiceFormView
from changeboard.organisation.models import Staff
from changeboard.organisation.tables import StaffTable
from changeboard.portfolio.models import Programme

from .. import importing, services
from ..filtersets import AssessmentFilterSet
from ..forms import AssessmentCreateForm, AssessmentEditForm, LineForm
from ..models import Dimension, ImpactAssessment, ImpactLine, ImpactReach
from ..tables import AssessmentTable

Status = ImpactAssessment.Status
NOT_DRAFT = "Only a draft can be changed. This version is {status}: start a new version to change it."


def _editable_programmes(user: Any) -> QuerySet:
    return Programme.objects.restrict(user, CHANGE)


def _in_change_scope(user: Any, assessment: ImpactAssessment) -> bool:
    return (
        ImpactAssessment.objects.restrict(user, CHANGE).filter(pk=assessment.pk).exists()
        and _editable_programmes(user).filter(pk=assessment.programme_id).exists()
    )


def decorate_lines(lines: list[ImpactLine]) -> list[ImpactLine]:
    """Headcount (from the derived reach, never typed in), period in words
    and the dimensions in the defined order, for the pages and export."""
    order = {code: i for i, code in enumerate(Dimension.values)}
    for line in lines:
        line.headcount = services.line_headcount(line)
        line.period_label = services.line_period_text(line)
        line.dimension_rows = sorted(line.dimensions.all(), key=lambda d: order.get(d.dimension, 99))
    return lines


def total_reach() -> Prefetch:
    """Only the reach rows `services.line_headcount` needs: every impacted
    person sits under the root unit, so its row is the total (a line over a
    whole business group has hundreds of reach rows otherwise)."""
    return Prefetch("reach", queryset=ImpactReach.objects.filter(unit__depth=1))


def assessment_lines(assessment: ImpactAssessment) -> list[ImpactLine]:
    lines = assessment.lines.select_related("wave").prefetch_related("units", "rank_grades", "dimensions", total_reach()).order_by("id")
    return decorate_lines(list(lines))


# --------------------------------------------------------------------------
# Assessments


class AssessmentListView(ScopedListView):
    model = ImpactAssessment
    table_class = AssessmentTable
    filterset_class = AssessmentFilterSet
    page_title = "Impact assessments"
    template_name = "impacts/assessment_list.html"
    export_name = "impact-assessments"
    export_columns = [
        ("programme", "programme__code"), ("title", "title"), ("version", "version"), ("status", "status"), ("lines", "line_count"),
        ("created_at", "created_at"), ("submitted_at", "submitted_at"), ("approved_by", "approved_by__username"), ("approved_at", "approved_at"),
    ]

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("programme").annotate(line_count=Count("lines")).order_by("programme__code", "title", "-version")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_add"] = can(user, ImpactAssessment, ADD) and _editable_programmes(user).exists()
        return context


class AssessmentDetailView(ScopedDetailView):
    model = ImpactAssessment
    template_name = "impacts/assessment_detail.html"
    context_object_name = "assessment"

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("programme", "approved_by", "created_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assessment: ImpactAssessment = self.object
        user = self.request.user
        in_scope = _in_change_scope(user, assessment)
        versions = list(ImpactAssessment.objects.restrict(user).filter(lineage=assessment.lineage).select_related("approved_by").order_by("-version"))
        open_version = next((v for v in versions if v.status in {Status.DRAFT, Status.SUBMITTED} and v.pk != assessment.pk), None)
        editable = in_scope and assessment.editable
        context.update(
            page_title=f"{assessment.title} (version {assessment.version})",
            lines=assessment_lines(assessment),
            versions=versions,
            open_version=open_version,
            can_edit=editable,
            can_submit=editable,
            can_return=in_scope and assessment.status == Status.SUBMITTED,
            can_approve=in_scope and assessment.status == Status.SUBMITTED and services.can_approve(assessment, user),
            own_submission=assessment.status == Status.SUBMITTED and services.is_own_submission(assessment, user),
            can_new_version=in_scope and assessment.status == Status.APPROVED and open_version is None
            and not ImpactAssessment.objects.filter(lineage=assessment.lineage, status__in=[Status.DRAFT, Status.SUBMITTED]).exists(),
            can_see_staff=can(user, Staff, VIEW),
            has_previous=any(v.version < assessment.version for v in versions),
        )
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Impact assessments", reverse("assessment-list")), (f"{self.object.programme.code} v{self.object.version}", "")]


class AssessmentCreateView(ServiceFormView):
    model = ImpactAssessment
    action = ADD
    form_class = AssessmentCreateForm
    page_title = "New impact assessment"
    submit_label = "Create assessment"
    success_message = "Impact assessment created. Add its impact lines."

    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()
        programme = self.request.GET.get("programme")
        if programme:
            # Starting from a programme the user may not change answers 404.
            initial["programme"] = get_object_or_404(_editable_programmes(self.request.user), pk=parse_id(programme) or 0)
        return initial

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["programmes"] = _editable_programmes(self.request.user).order_by("code")
        return kwargs

    def get_cancel_url(self) -> str:
        return reverse("assessment-list")

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Impact assessments", reverse("assessment-list")), ("New", "")]

    def perform(self, form: AssessmentCreateForm) -> Model:
        return services.assessment_create(programme=form.cleaned_data["programme"], title=form.cleaned_data["title"], actor=self.request.user)


class AssessmentEditView(ServiceFormView):
    model = ImpactAssessment
    action = CHANGE
    form_class = AssessmentEditForm
    page_title = "Edit impact assessment"
    success_message = "Impact assessment saved."
    object: ImpactAssessment  # set in dispatch, from get_object()

    def get_object(self) -> ImpactAssessment:
        queryset = self.get_queryset().select_related("programme").filter(programme__in=_editable_programmes(self.request.user))
        return get_object_or_404(queryset, pk=self.kwargs["pk"])

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return _refuse_unless_draft(request, self.object) or super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return _refuse_unless_draft(request, self.object) or super().post(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        return {"title": self.object.title}

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Impact assessments", reverse("assessment-list")), (str(self.object), self.object.get_absolute_url()), ("Edit", "")]

    def perform(self, form: AssessmentEditForm) -> Model:
        return services.assessment_update(assessment=self.object, title=form.cleaned_data["title"], actor=self.request.user)


def _refuse_unless_draft(request: HttpRequest, assessment: Any) -> HttpResponse | None:
    if assessment is not None and not assessment.editable:
        messages.error(request, NOT_DRAFT.format(status=assessment.get_status_display().lower()))
        return redirect(assessment.get_absolute_url())
    return None


class AssessmentActionView(ScopedMixin, View):
    """POST only: submit, approve, return (to draft) or new-version."""

    model = ImpactAssessment
    action = CHANGE
    http_method_names = ["post"]
    DONE = {
        "submit": "Submitted for approval.",
        "approve": "Approved. This version is now the one in force.",
        "return": "Returned to draft.",
        "new-version": "A new draft version has been started from the approved one.",
    }

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        name = kwargs["action"]
        if name not in self.DONE:
            raise Http404
        queryset = self.get_queryset().select_related("programme").filter(programme__in=_editable_programmes(request.user))
        assessment = get_object_or_404(queryset, pk=kwargs["pk"])
        if name == "approve" and services.is_own_submission(assessment, request.user):
            messages.error(request, services.SELF_APPROVAL)
            return redirect(assessment.get_absolute_url())
        if name == "approve" and not services.can_approve(assessment, request.user):
            raise PermissionDenied("Only the programme's change lead can approve its impact assessment.")
        try:
            if name == "submit":
                result = services.assessment_submit(assessment=assessment, actor=request.user)
            elif name == "approve":
                result = services.assessment_approve(assessment=assessment, actor=request.user)
            elif name == "return":
                result = services.assessment_return(assessment=assessment, actor=request.user)
            else:
                result = services.assessment_new_version(assessment=assessment, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(assessment.get_absolute_url())
        messages.success(request, self.DONE[name])
        return redirect(result.get_absolute_url())


class AssessmentChangesView(ScopedDetailView):
    """What changed since the previous version the user may see."""

    model = ImpactAssessment
    template_name = "impacts/assessment_changes.html"
    context_object_name = "assessment"

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("programme")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assessment: ImpactAssessment = self.object
        previous = (
            ImpactAssessment.objects.restrict(self.request.user)
            .filter(lineage=assessment.lineage, version__lt=assessment.version).order_by("-version").first()
        )
        changes = services.assessment_changes(previous, assessment)
        for line in (*changes["added"], *changes["removed"]):
            line.period_label = services.line_period_text(line)
        context.update(page_title=f"What changed in version {assessment.version}: {assessment.title}", changes=changes, previous=previous)
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        a = self.object
        return [("Impact assessments", reverse("assessment-list")), (f"{a.programme.code} v{a.version}", a.get_absolute_url()), ("Changes", "")]


EXPORT_HEADERS = [
    "title", "unit_codes", "unit_paths", "roles", "ranks_or_grades", "dimensions", "severity", "severity_label", "start_date", "end_date",
    "wave", "weeks_before_go_live", "weeks_after_go_live", "period_start", "period_end", "hours_per_person", "headcount", "mitigations", "owner",
    *importing.DIMENSION_COLUMNS,
]


class AssessmentExportView(ScopedDetailView):
    """The assessment's lines as XLSX, in the import's own columns (so an
    export can be edited and imported into a new draft), plus the derived
    headcount and period. Text cells are guarded against formulas."""

    model = ImpactAssessment

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        assessment: ImpactAssessment = self.get_object()
        rows = []
        for line in assessment_lines(assessment):
            units = sorted(line.units.all(), key=lambda u: u.path)
            period = line.period()
            dims = {d.dimension: d for d in line.dimension_rows}
            row: list[Any] = [
                line.title, ";".join(u.code for u in units), ";".join(u.full_path for u in units), ";".join(line.roles or []),
                ";".join(r.name for r in line.rank_grades.all()), ";".join(dims), line.severity, line.get_severity_display(),
                line.start_date, line.end_date, line.wave.name if line.wave is not None else None,
                line.weeks_before_go_live if line.wave_id else None, line.weeks_after_go_live if line.wave_id else None,
                period[0] if period else None, period[1] if period else None, line.hours_per_person, line.headcount,
                line.mitigations, line.owner,
            ]
            for code in Dimension.values:
                d = dims.get(code)
                row += [d.current_state, d.future_state, d.gap] if d else [None, None, None]
            rows.append(row)
        filename = slugify(f"impact-assessment-{assessment.programme.code}-{assessment.title}-v{assessment.version}")[:120]
        response = HttpResponse(exports.xlsx_bytes("Impact lines", EXPORT_HEADERS, rows),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response


# --------------------------------------------------------------------------
# Lines


class DraftAssessmentMixin:
    """Line and import pages: the assessment must be one the user may change
    (404 otherwise), and only a draft is changed (a clear message otherwise)."""

    kwargs: dict[str, Any]
    request: HttpRequest

    @property
    def assessment(self) -> ImpactAssessment:
        if not hasattr(self, "_assessment"):
            user = self.request.user
            queryset = ImpactAssessment.objects.restrict(user, CHANGE).select_related("programme").filter(programme__in=_editable_programmes(user))
            self._assessment = get_object_or_404(queryset, pk=self.kwargs["pk"])
        return self._assessment

    def not_draft(self) -> HttpResponse | None:
        return _refuse_unless_draft(self.request, self.assessment)

    def get_cancel_url(self) -> str:
        return self.assessment.get_absolute_url()

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        a = self.assessment
        return [("Impact assessments", reverse("assessment-list")), (f"{a.programme.code} v{a.version}", a.get_absolute_url())]


class LineFormView(DraftAssessmentMixin, ServiceFormView):
    model = ImpactLine
    form_class = LineForm
    template_name = "impacts/line_form.html"
    success_message = "Impact line saved."
    object: ImpactLine | None  # set in dispatch, from get_object()

    @property
    def action(self) -> str:  # type: ignore[override]
        return CHANGE if "line_pk" in self.kwargs else ADD

    def get_object(self) -> Model | None:
        assessment = self.assessment  # 404 before anything else when out of scope
        if "line_pk" not in self.kwargs:
            return None
        lines = ImpactLine.objects.restrict(self.request.user, CHANGE).filter(assessment=assessment)
        return get_object_or_404(lines.prefetch_related("units", "rank_grades", "dimensions"), pk=self.kwargs["line_pk"])

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.not_draft() or super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.not_draft() or super().post(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["assessment"] = self.assessment
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        return LineForm.initial_for(self.object) if isinstance(self.object, ImpactLine) else super().get_initial()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page_title"] = f"{'Edit' if self.object else 'Add'} an impact line"
        context["assessment"] = self.assessment
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [*super().get_breadcrumbs(), ("Edit line" if self.object else "Add a line", "")]

    def perform(self, form: LineForm) -> Model:
        return services.line_save(assessment=self.assessment, line=self.object, actor=self.request.user, **form.service_kwargs())

    def get_success_url(self, saved: Model) -> str:  # type: ignore[override]
        return f"{self.assessment.get_absolute_url()}#line-{saved.pk}"


class LineDeleteView(DraftAssessmentMixin, ScopedMixin, TemplateView):
    model = ImpactLine
    action = DELETE
    template_name = "impacts/line_confirm_delete.html"

    def get_line(self) -> ImpactLine:
        # A line may be deleted by whoever may change its assessment (the
        # role's right to delete lines is checked by ScopedMixin); the line
        # queryset passes its action on to assessments, which have no delete.
        lines = ImpactLine.objects.restrict(self.request.user, CHANGE).filter(assessment=self.assessment)
        return get_object_or_404(lines, pk=self.kwargs["line_pk"])

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.not_draft() or super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        line = self.get_line()
        context.update(line=line, assessment=self.assessment, page_title=f"Delete the impact line “{line.title}”?",
                       cancel_url=f"{self.assessment.get_absolute_url()}#line-{line.pk}")
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [*super().get_breadcrumbs(), ("Delete line", "")]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refused = self.not_draft()
        if refused:
            return refused
        try:
            services.line_delete(line=self.get_line(), actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Impact line deleted.")
        return redirect(self.assessment.get_absolute_url())


class LineStaffView(ScopedMixin, StrictTableMixin, TemplateView):
    """The people in post a line impacts, as the organisation model has them
    now, narrowed to the staff the user may see."""

    model = Staff
    action = VIEW
    template_name = "impacts/line_staff.html"
    table_class = StaffTable  # type: ignore[assignment]  # django-tables2 is untyped: its mixin's None default types it as None
    table_pagination = {"per_page": 50}  # type: ignore[assignment]  # django-tables2 is untyped: its mixin's None default types it as None

    @property
    def line(self) -> ImpactLine:
        if not hasattr(self, "_line"):
            lines = ImpactLine.objects.restrict(self.request.user).filter(assessment_id=self.kwargs["pk"])
            self._line = get_object_or_404(
                lines.select_related("assessment__programme", "wave").prefetch_related("units", "rank_grades", total_reach()), pk=self.kwargs["line_pk"]
            )
        return self._line

    def get_table_data(self) -> QuerySet:
        return Staff.objects.restrict(self.request.user).current().filter(self.line.staff_q()).select_related("unit", "rank_grade")

    def get_table_kwargs(self) -> dict[str, Any]:
        return {"request": self.request}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        line = self.line
        context.update(
            line=line, assessment=line.assessment, headcount=services.line_headcount(line),
            everyone=Staff.objects.current().filter(line.staff_q()).count(),
            period_label=services.line_period_text(line), page_title=f"People impacted: {line.title}",
            table_caption=f"People in post impacted by {line.title}",
        )
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        a = self.line.assessment
        return [("Impact assessments", reverse("assessment-list")), (f"{a.programme.code} v{a.version}", f"{a.get_absolute_url()}#line-{self.line.pk}"),
                ("People impacted", "")]


# --------------------------------------------------------------------------
# Spreadsheet import: upload -> preview -> commit


class ImpactImportMixin(DraftAssessmentMixin, ImportViewMixin):
    """The draft (among those the user may change, 404 otherwise) that the
    lines are imported into; anything but a draft is refused with a message."""

    model = ImpactLine
    action = ADD
    importer_class = importing.ImpactImporter
    upload_url_name = "impact-import"
    preview_url_name = "impact-import-preview"
    target_name = "assessment"

    def get_target(self) -> ImpactAssessment:
        return self.assessment

    def refuse_target(self) -> HttpResponse | None:
        return self.not_draft()


class ImpactImportView(ImportUploadView, ImpactImportMixin):
    """Upload an impact spreadsheet for a draft. Nothing is written until
    the preview is committed. `?sample=1` downloads a sample file built from
    this force's own units, roles and this programme's waves."""

    template_name = "impacts/import_upload.html"
    file_text = ("Upload the impact spreadsheet", "A CSV or Excel (XLSX) file with one impact line per row.", "Select the impact spreadsheet")
    sample_name = "sample-impact-lines"

    def get_page_title(self) -> str:
        return f"Import impact lines into {self.assessment.title}"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from ..models import Severity

        return {**super().get_context_data(**kwargs), "severities": Severity.choices, "dimensions": Dimension.choices}


class ImpactImportPreviewView(ImportPreviewView, ImpactImportMixin):
    """Check a staged impact spreadsheet (the lines it would add), then commit it."""

    template_name = "impacts/import_preview.html"
    problems_name = "impact-import-problems"
    preview_title = "Check the impact lines import"

    preview_heading = "Lines that would be added"
    preview_caption = "Valid rows of the file, as impact lines"

    def preview_table(self, report: Any) -> tuple[Any, str]:
        shown = report.lines[: importing.PREVIEW_LINES]
        return shown, f"Showing the first {len(shown)} of {report.valid}." if report.valid > len(shown) else ""
