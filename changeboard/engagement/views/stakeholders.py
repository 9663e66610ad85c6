"""The stakeholder register's pages: the register (filters, CSV/XLSX), a
stakeholder's page with their mappings for the programmes you can see,
adding and changing stakeholders, flag clearing and taking one off the
register; a programme's mapping (detail, add, change, remove); the map
(power/interest grid and current vs target positions, each with its
table); and the stakeholder list import. Every write goes through
`services.stakeholders` (the import through `importing`).

Scoping: the register is portfolio-wide (change managers, the Board and
auditors read it; change managers add and change entries); a mapping
follows its programme (a change manager changes only their programmes'
mappings; another programme's is a 404)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from changeboard.accounts.http import AuthenticatedHttpRequest
from changeboard.core import exports
from changeboard.core.forms import govuk_style
from changeboard.core.import_views import ImportPreviewView, ImportUploadView, ImportViewMixin
from changeboard.core.params import id_or_404
from changeboard.core.scoping import ADD, CHANGE, DELETE, VIEW, can
from changeboard.core.views import ScopedDetailView, ScopedListView, ScopedMixin, ServiceFormView

from .. import charts, importing
from ..filtersets.stakeholders import StakeholderAssessmentFilterSet, StakeholderFilterSet
from ..forms.stakeholders import AssessmentForm, StakeholderForm, programmes_to_map
from ..models import Stakeholder, StakeholderAssessment
from ..services import stakeholders as services
from ..tables.stakeholders import StakeholderTable, detail_text, kind_text

REGISTER = ("Stakeholders", "stakeholder-list")
MAP_EXPORT_HEADERS = ["Stakeholder", "Kind", "Programme", "Influence", "Interest", "Quadrant", "Judged impact", "Derived impact",
                      "Headcount reached", "Current position", "Target position", "Target met", "Owner (username)"]


def _register_crumb() -> tuple[str, str]:
    return (REGISTER[0], reverse(REGISTER[1]))


class StakeholderListView(ScopedListView):
    request: AuthenticatedHttpRequest
    model = Stakeholder
    table_class = StakeholderTable
    filterset_class = StakeholderFilterSet
    template_name = "engagement/stakeholder_list.html"
    page_title = "Stakeholder register"
    export_name = "stakeholders"
    export_columns = [("Stakeholder", "name"), ("Kind", "kind"), ("Staff number", "staff__staff_number"), ("Unit", "staff__unit__name"),
                      ("Organisation", "organisation"), ("Role", "role_title"), ("Email", "email"), ("Group kind", "group_kind"),
                      ("Group unit", "unit__name"), ("Role group", "role_group"), ("Notes", "notes"), ("Needs review", "needs_review"),
                      ("On the register", "active")]

    def get_queryset(self) -> QuerySet:
        seen = StakeholderAssessment.objects.restrict(self.request.user).values("pk")
        return (super().get_queryset().select_related("staff__unit", "unit")
                .annotate(mapped=Count("assessments", filter=Q(assessments__in=seen), distinct=True)).order_by("name", "pk"))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(can_add=can(user, Stakeholder, ADD), can_map=can(user, StakeholderAssessment, VIEW),
                       review_count=Stakeholder.objects.restrict(user).exclude(needs_review="").filter(active=True).count())
        return context


class StakeholderDetailView(ScopedDetailView):
    request: AuthenticatedHttpRequest
    model = Stakeholder
    template_name = "engagement/stakeholder_detail.html"
    context_object_name = "stakeholder"

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("staff__unit", "staff__rank_grade", "unit", "known_unit")

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [_register_crumb(), (self.object.display_name, "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        stakeholder: Stakeholder = self.object
        rows = services.with_derived(StakeholderAssessment.objects.restrict(user).filter(stakeholder=stakeholder)
                                     .select_related(*services.ASSESSMENT_RELATED).order_by("programme__code"))
        can_change = can(user, Stakeholder, CHANGE)
        context.update(
            page_title=stakeholder.display_name, kind=kind_text(stakeholder), detail=detail_text(stakeholder),
            assessments=rows, can_change=can_change,
            can_map=stakeholder.active and can(user, StakeholderAssessment, ADD) and programmes_to_map(user, stakeholder).exists(),
        )
        return context


class StakeholderCreateView(ServiceFormView):
    request: AuthenticatedHttpRequest
    model = Stakeholder
    action = ADD
    form_class = StakeholderForm
    template_name = "engagement/stakeholder_form.html"
    page_title = "Add a stakeholder"
    submit_label = "Add the stakeholder"
    success_message = "Stakeholder added."

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["intro"] = ("A person in the organisation is found by their staff number (find it on the staff list); their name, unit and "
                            "role follow the HR record. An external person needs a name; a group is a unit, a role group or a body.")
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [_register_crumb(), ("Add a stakeholder", "")]

    def get_cancel_url(self) -> str:
        return reverse("stakeholder-list")

    def perform(self, form: StakeholderForm) -> Model:
        return services.stakeholder_create(actor=self.request.user, **form.service_kwargs())


class StakeholderMixin:
    request: HttpRequest
    kwargs: dict[str, Any]

    def get_stakeholder(self, action: str = VIEW) -> Stakeholder:
        queryset = Stakeholder.objects.restrict(self.request.user, action).select_related("staff__unit", "unit")
        return get_object_or_404(queryset, pk=id_or_404(self.kwargs["pk"]))


class StakeholderEditView(StakeholderMixin, ServiceFormView):
    request: AuthenticatedHttpRequest
    model = Stakeholder
    action = CHANGE
    form_class = StakeholderForm
    template_name = "engagement/stakeholder_form.html"
    success_message = "Stakeholder saved."

    def get_object(self) -> Model | None:
        return self.get_stakeholder(CHANGE)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page_title"] = f"Change {self.object}"
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        assert isinstance(self.object, Stakeholder)
        return [_register_crumb(), (self.object.display_name, self.object.get_absolute_url()), ("Change", "")]

    def perform(self, form: StakeholderForm) -> Model:
        assert isinstance(self.object, Stakeholder)
        return services.stakeholder_update(stakeholder=self.object, actor=self.request.user, **form.service_kwargs())


class StakeholderReviewView(StakeholderMixin, ScopedMixin, View):
    """Clear the HR sync's flag (posted from the stakeholder's page)."""

    request: AuthenticatedHttpRequest
    model = Stakeholder
    action = CHANGE
    http_method_names = ["post"]

    def post(self, request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        stakeholder = self.get_stakeholder(CHANGE)
        services.stakeholder_review(stakeholder=stakeholder, actor=request.user)
        messages.success(request, "Marked as reviewed.")
        return redirect(stakeholder.get_absolute_url())


class StakeholderActiveView(StakeholderMixin, ScopedMixin, View):
    """Take a stakeholder off the register (`active=0`) or put them back (`active=1`)."""

    request: AuthenticatedHttpRequest
    model = Stakeholder
    action = CHANGE
    http_method_names = ["post"]

    def post(self, request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        stakeholder = self.get_stakeholder(CHANGE)
        active = request.POST.get("active") == "1"
        services.stakeholder_deactivate(stakeholder=stakeholder, active=active, actor=request.user)
        messages.success(request, "Put back on the register." if active else "Taken off the register (kept, with its history).")
        return redirect(stakeholder.get_absolute_url())


# ---------------------------------------------------------------------------
# A programme's mapping


class AssessmentCreateView(StakeholderMixin, ServiceFormView):
    request: AuthenticatedHttpRequest
    model = StakeholderAssessment
    action = ADD
    form_class = AssessmentForm
    template_name = "engagement/assessment_form.html"
    submit_label = "Save the mapping"
    success_message = "Stakeholder mapped."

    def get_object(self) -> Model | None:
        self.stakeholder = self.get_stakeholder(VIEW)
        return None

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = {**super().get_form_kwargs(), "user": self.request.user, "stakeholder": self.stakeholder}
        programme = self.request.GET.get("programme")
        if programme:
            kwargs["initial"] = {"programme": programme}
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(page_title=f"Map {self.stakeholder.display_name} for a programme", stakeholder=self.stakeholder)
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [_register_crumb(), (self.stakeholder.display_name, self.stakeholder.get_absolute_url()), ("Map for a programme", "")]

    def get_cancel_url(self) -> str:
        return self.stakeholder.get_absolute_url()

    def perform(self, form: AssessmentForm) -> Model:
        return services.assessment_create(stakeholder=self.stakeholder, actor=self.request.user, **form.cleaned_data)


class AssessmentMixin:
    request: HttpRequest
    kwargs: dict[str, Any]

    def get_assessment(self, action: str = VIEW) -> StakeholderAssessment:
        queryset = StakeholderAssessment.objects.restrict(self.request.user, action).select_related(*services.ASSESSMENT_RELATED)
        return get_object_or_404(queryset, pk=id_or_404(self.kwargs["pk"]))


def _assessment_crumbs(assessment: StakeholderAssessment) -> list[tuple[str, str]]:
    return [_register_crumb(), (assessment.stakeholder.display_name, assessment.stakeholder.get_absolute_url()),
            (assessment.programme.code, assessment.get_absolute_url())]


class AssessmentDetailView(ScopedDetailView):
    request: AuthenticatedHttpRequest
    model = StakeholderAssessment
    template_name = "engagement/assessment_detail.html"
    context_object_name = "assessment"

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related(*services.ASSESSMENT_RELATED)

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return _assessment_crumbs(self.object)[:-1] + [(self.object.programme.code, "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assessment: StakeholderAssessment = self.object
        user = self.request.user
        context.update(
            page_title=f"{assessment.stakeholder.display_name}: {assessment.programme.code}",
            derived=services.derived_impact(assessment), quadrant=charts.quadrant(assessment.influence, assessment.interest),
            can_change=StakeholderAssessment.objects.restrict(user, CHANGE).filter(pk=assessment.pk).exists(),
            can_delete=StakeholderAssessment.objects.restrict(user, DELETE).filter(pk=assessment.pk).exists(),
        )
        return context


class AssessmentEditView(AssessmentMixin, ServiceFormView):
    request: AuthenticatedHttpRequest
    model = StakeholderAssessment
    action = CHANGE
    form_class = AssessmentForm
    template_name = "engagement/assessment_form.html"
    success_message = "Mapping saved."

    def get_object(self) -> Model | None:
        return self.get_assessment(CHANGE)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance", None)
        return {**kwargs, "user": self.request.user, "instance": self.object}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assert isinstance(self.object, StakeholderAssessment)
        context.update(page_title=f"Change the mapping: {self.object}", stakeholder=self.object.stakeholder,
                       derived=services.derived_impact(self.object))
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        assert isinstance(self.object, StakeholderAssessment)
        return [*_assessment_crumbs(self.object), ("Change", "")]

    def perform(self, form: AssessmentForm) -> Model:
        assert isinstance(self.object, StakeholderAssessment)
        return services.assessment_update(assessment=self.object, actor=self.request.user, **form.cleaned_data)


class AssessmentDeleteView(AssessmentMixin, ScopedMixin, TemplateView):
    """Confirm, then remove a programme's mapping."""

    request: AuthenticatedHttpRequest
    model = StakeholderAssessment
    action = DELETE
    template_name = "engagement/assessment_delete.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assessment = self.get_assessment(DELETE)
        context.update(assessment=assessment, page_title=f"Remove the mapping: {assessment}",
                       engagements=assessment.engagements.count(), breadcrumbs=[*_assessment_crumbs(assessment), ("Remove", "")])
        return context

    def post(self, request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        assessment = self.get_assessment(DELETE)
        stakeholder = assessment.stakeholder
        services.assessment_delete(assessment=assessment, actor=request.user)
        messages.success(request, f"Mapping for {assessment.programme.code} removed.")
        return redirect(stakeholder.get_absolute_url())


# ---------------------------------------------------------------------------
# The map: the power/interest grid and the positions


class StakeholderMapView(ScopedMixin, TemplateView):
    """The mappings you can see, filtered (programme, kind, position, owner,
    needs review, text), drawn as the power/interest grid and the current vs
    target chart, each with its table; `?export=csv|xlsx` downloads them
    with the derived impact."""

    request: AuthenticatedHttpRequest
    model = StakeholderAssessment
    template_name = "engagement/grid.html"
    page_title = "Stakeholder map"

    def filtered(self) -> tuple[StakeholderAssessmentFilterSet, QuerySet]:
        queryset = (StakeholderAssessment.objects.restrict(self.request.user).filter(stakeholder__active=True)
                    .select_related(*services.ASSESSMENT_RELATED).order_by("programme__code", "stakeholder__name", "pk"))
        filterset = StakeholderAssessmentFilterSet(self.request.GET or None, queryset=queryset, request=self.request)
        govuk_style(filterset.form)
        rows = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
        return filterset, rows

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        fmt = request.GET.get("export")
        if fmt in {"csv", "xlsx"}:
            _, rows = self.filtered()
            return self.export(fmt, services.with_derived(rows))
        return super().get(request, *args, **kwargs)

    def export(self, fmt: str, rows: list[StakeholderAssessment]) -> HttpResponse:
        data = [[a.stakeholder.display_name, kind_text(a.stakeholder), a.programme.code, a.influence, a.interest,
                 charts.quadrant(a.influence, a.interest), "" if a.impact_judgement is None else a.impact_judgement,
                 "" if a.derived.severity is None else a.derived.severity, a.derived.headcount,  # type: ignore[attr-defined]
                 a.get_current_position_display(), a.get_target_position_display(), "Yes" if a.target_met else "No",
                 a.owner.username if a.owner else ""] for a in rows]
        return exports.export_response(fmt, "stakeholder-map", MAP_EXPORT_HEADERS, data)  # type: ignore[return-value]  # a CSV export streams

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [_register_crumb(), ("Map", "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        filterset, rows = self.filtered()
        assessments = list(rows)
        context.update(filter=filterset, grid=charts.power_interest_chart(assessments), positions=charts.position_chart(assessments),
                       total=len(assessments), query=self.request.GET.urlencode())
        return context


# ---------------------------------------------------------------------------
# Importing a stakeholder list


class StakeholderImportMixin(ImportViewMixin):
    model = Stakeholder
    action = ADD
    importer_class = importing.StakeholderImporter
    upload_url_name = "stakeholder-import"
    preview_url_name = "stakeholder-import-preview"
    import_label = "Import stakeholders"

    def get_done_url(self) -> str:
        return reverse("stakeholder-list")

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [_register_crumb()]


class StakeholderImportView(ImportUploadView, StakeholderImportMixin):
    """Upload a stakeholder list. Nothing is written until the preview is
    committed. `?template=1` downloads a template."""

    template_name = "engagement/stakeholder_import_upload.html"
    page_title = "Import stakeholders"
    file_text = ("Upload the stakeholder list", "A CSV or Excel (XLSX) file with one stakeholder (and mapping) per row.",
                 "Select the stakeholder list")
    sample_param = "template"
    sample_name = "stakeholders"


class StakeholderImportPreviewView(ImportPreviewView, StakeholderImportMixin):
    template_name = "engagement/stakeholder_import_preview.html"
    problems_name = "stakeholder-import-problems"
    preview_title = "Check the stakeholder import"
    errors_reason = "The file has rows with errors. Choose to import the valid rows only, or correct the file and upload it again"
    valid_only_label = "Import the valid rows only and skip the rest"
    preview_heading = "Rows that would be imported"
    preview_caption = "Valid rows of the file"

    def preview_table(self, report: Any) -> tuple[Any, str]:
        return self.first_of(report.records, importing.PREVIEW_ROWS, "rows")
