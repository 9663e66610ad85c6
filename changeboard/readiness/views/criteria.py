"""Readiness criteria pages: a programme's criteria with the criteria x
units matrix (and its CSV/XLSX export), one criterion with its units'
statuses and evidence, the forms that change them, the scoped evidence
download and the training-completion import.

Scoping is the core machinery's: `can()` answers 403 for a role that never
may, `restrict(user, action)` 404 for an object out of scope. The models
declare that a champion sees the statuses and unit evidence of the units at,
below or above their own only (a sibling borough's results are not theirs to
see), so the matrix, the detail page, the export and the API all follow it. Every
write goes through `readiness.services.criteria` or `readiness.importing`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.views import View
from django.views.generic import TemplateView

from changeboard.accounts.http import AuthenticatedHttpRequest
from changeboard.accounts.models import User
from changeboard.core import exports
from changeboard.core.files import attachment_response, open_or_404
from changeboard.core.import_views import ImportPreviewView, ImportUploadView, ImportViewMixin
from changeboard.core.scoping import ADD, CHANGE, DELETE, VIEW, can
from changeboard.core.views import ScopedDetailView, ScopedListView, ScopedMixin, ServiceFormView
from changeboard.organisation.models import Unit
from changeboard.portfolio.models import Programme

from .. import importing
from ..filtersets.criteria import CriterionFilterSet
from ..forms.criteria import CriterionForm, EvidenceForm, StatusForm
from ..models import Action, Criterion, CriterionQuerySet, CriterionStatus, Evidence, Rag, TrainingRecord
from ..services import criteria as services
from ..tables.criteria import RAG_TAGS, CriterionTable


def action_url(programme_pk: int, criterion_pk: int, unit_pk: int) -> str | None:
    """The "Raise an action" link for a red unit, or None while the action
    pages are not installed."""
    try:
        base = reverse("action-create", args=[programme_pk])
    except NoReverseMatch:
        return None
    return f"{base}?source=criterion&criterion={criterion_pk}&unit={unit_pk}"


# --------------------------------------------------------------------------
# The matrix


class Matrix:
    """Units (rows, in tree order) x criteria (columns): each cell the
    unit's status, or None where the criterion does not assess the unit."""

    def __init__(self, criteria: list[Criterion], user: User | AnonymousUser) -> None:
        self.criteria = criteria
        statuses = (CriterionStatus.objects.restrict(user, VIEW).filter(criterion__in=[c.pk for c in criteria])
                    .select_related("unit").order_by("unit__path"))
        cells: dict[int, dict[int, CriterionStatus]] = defaultdict(dict)
        units: dict[int, Unit] = {}
        for status in statuses:
            units[status.unit_id] = status.unit
            cells[status.unit_id][status.criterion_id] = status
        self.rows = [(unit, [cells[unit.pk].get(c.pk) for c in criteria]) for unit in units.values()]

    def headers(self) -> list[str]:
        return ["Unit", "Unit code", *[f"{c.title} ({c.get_criticality_display().lower()})" for c in self.criteria]]

    def export_rows(self) -> list[list[Any]]:
        """The page's cells in words: the RAG, with the value where there is one."""
        out: list[list[Any]] = []
        for unit, cells in self.rows:
            row: list[Any] = [unit.full_path, unit.code]
            for status in cells:
                if status is None:
                    row.append("Not assessed for this unit")
                else:
                    label = status.get_rag_display()
                    row.append(f"{label}: {status.value}" if status.value else label)
            out.append(row)
        return out


def _programme_breadcrumbs(programme: Programme) -> list[tuple[str, str]]:
    return [("Programmes", reverse("programme-list")), (programme.code, programme.get_absolute_url())]


def _criterion_breadcrumbs(criterion: Criterion) -> list[tuple[str, str]]:
    return [*_programme_breadcrumbs(criterion.programme), ("Readiness criteria", reverse("criteria-list", args=[criterion.programme_id])),
            (criterion.title, criterion.get_absolute_url())]


class ProgrammeCriterionFilterSet(CriterionFilterSet):
    """The page is already one programme's: no programme filter on it."""

    programme = None  # type: ignore[assignment]  # django-filter: None removes the inherited filter

    class Meta(CriterionFilterSet.Meta):
        fields = ["q", "category", "criticality", "feed"]


# --------------------------------------------------------------------------
# Criteria


class CriteriaListView(ScopedListView):
    """A programme's criteria with their RAG counts, and the matrix of
    units x criteria (`?export=csv|xlsx` downloads the matrix of the
    filtered criteria)."""

    model = Criterion
    table_class = CriterionTable
    filterset_class = ProgrammeCriterionFilterSet
    template_name = "readiness/criteria_list.html"
    page_title = "Readiness criteria"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.programme = get_object_or_404(Programme.objects.restrict(request.user), pk=kwargs["programme_pk"])
        fmt = request.GET.get("export")
        if fmt in {"csv", "xlsx"}:
            filterset = self.get_filterset(self.get_filterset_class())
            criteria = filterset.qs if filterset.is_bound and filterset.is_valid() else self.get_queryset()
            matrix = Matrix(list(criteria.order_by("category", "title", "pk")), request.user)
            return cast(HttpResponse, exports.export_response(fmt, f"readiness-criteria-{self.programme.code}", matrix.headers(), matrix.export_rows()))
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset().filter(programme=self.programme).select_related("owner", "programme")
        return cast(CriterionQuerySet, queryset).with_rag_counts(self.request.user).order_by("category", "title", "pk")

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [*_programme_breadcrumbs(self.programme), ("Readiness criteria", "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        filtered = context["filter"].qs if context.get("filter") is not None else self.get_queryset()
        criteria = list(filtered)
        context.update(
            page_title=f"Readiness criteria: {self.programme.name}", programme=self.programme,
            matrix=Matrix(criteria, user), any_criteria=Criterion.objects.filter(programme=self.programme).exists(),
            can_add=can(user, Criterion, ADD) and Programme.objects.restrict(user, CHANGE).filter(pk=self.programme.pk).exists(),
            can_import_training=can(user, TrainingRecord, ADD), rag_tags=RAG_TAGS,
            table_caption=f"Readiness criteria of {self.programme.code}, with the number of units at each status",
        )
        return context


class CriterionDetailView(ScopedDetailView):
    model = Criterion
    template_name = "readiness/criterion_detail.html"
    context_object_name = "criterion"

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("programme", "rollout_wave", "owner")

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return _criterion_breadcrumbs(self.object)[:-1] + [(self.object.title, "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        criterion: Criterion = self.object
        user = self.request.user
        can_change = Criterion.objects.restrict(user, CHANGE).filter(pk=criterion.pk).exists()
        statuses = list(CriterionStatus.objects.restrict(user, VIEW).filter(criterion=criterion).select_related("unit", "updated_by").order_by("unit__path"))
        raise_actions = can(user, Action, ADD)
        for status in statuses:
            status.action_link = action_url(criterion.programme_id, criterion.pk, status.unit_id) if raise_actions and status.rag == Rag.RED else None  # type: ignore[attr-defined]  # for the template only
        counts = {rag: 0 for rag in Rag.values}
        for status in statuses:
            counts[status.rag] += 1
        evidence = list(Evidence.objects.restrict(user, VIEW).filter(criterion=criterion).select_related("unit", "added_by"))
        context.update(
            page_title=criterion.title, statuses=statuses, evidence=evidence,
            rag_counts=[(label, counts[value], value) for value, label in Rag.choices], rag_tags=RAG_TAGS,
            can_change=can_change, can_delete=can(user, Criterion, DELETE) and can_change,
            can_set_status=can_change and criterion.feed == Criterion.Feed.MANUAL and can(user, CriterionStatus, CHANGE),
            can_evaluate=can_change, is_fed=criterion.feed != Criterion.Feed.MANUAL,
            can_add_evidence=can_change and can(user, Evidence, ADD),
            can_delete_evidence=can_change and can(user, Evidence, DELETE),
        )
        return context


class CriterionFormMixin:
    """Create and edit share the form, the template and the service."""

    request: AuthenticatedHttpRequest
    kwargs: dict[str, Any]
    programme: Programme
    object: Model | None

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()  # type: ignore[misc]
        kwargs["programme"] = self.programme
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["intro"] = ("A criterion is assessed by hand for each unit, or fed: from the survey scores (an ADKAR element's mean "
                            "against a pass mark of 1 to 5) or from training completion (the share of a unit's staff who completed a "
                            "course, against a percentage; amber within 10 points below it).")
        return context

    def perform(self, form: CriterionForm) -> Model:
        return services.criterion_save(programme=self.programme, criterion=cast(Criterion | None, self.object), actor=self.request.user, **form.service_kwargs())


class CriterionCreateView(CriterionFormMixin, ServiceFormView):
    request: AuthenticatedHttpRequest  # signed in (LoginRequiredMixin)
    model = Criterion
    action = ADD
    form_class = CriterionForm
    page_title = "Add a readiness criterion"
    submit_label = "Add criterion"
    success_message = "Criterion added."

    def get_object(self) -> Model | None:
        # Only reached when the role may add criteria: another programme is 404.
        self.programme = get_object_or_404(Programme.objects.restrict(self.request.user, CHANGE), pk=self.kwargs["programme_pk"])
        return None

    def get_cancel_url(self) -> str:
        return reverse("criteria-list", args=[self.programme.pk])

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [*_programme_breadcrumbs(self.programme), ("Readiness criteria", self.get_cancel_url()), ("Add", "")]


class CriterionEditView(CriterionFormMixin, ServiceFormView):
    request: AuthenticatedHttpRequest  # signed in (LoginRequiredMixin)
    model = Criterion
    action = CHANGE
    form_class = CriterionForm
    page_title = "Edit the readiness criterion"
    success_message = "Criterion saved."

    def get_object(self) -> Criterion:
        criterion = get_object_or_404(self.get_queryset().select_related("programme"), pk=self.kwargs["pk"])
        self.programme = criterion.programme
        return criterion

    def get_initial(self) -> dict[str, Any]:
        assert isinstance(self.object, Criterion)
        return CriterionForm.initial_for(self.object)

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        assert isinstance(self.object, Criterion)
        return [*_criterion_breadcrumbs(self.object), ("Edit", "")]


class CriterionDeleteView(ScopedMixin, TemplateView):
    request: AuthenticatedHttpRequest  # signed in (LoginRequiredMixin)
    model = Criterion
    action = DELETE
    template_name = "readiness/criterion_confirm_delete.html"

    def get_criterion(self) -> Criterion:
        if not hasattr(self, "_criterion"):
            self._criterion = get_object_or_404(self.get_queryset().select_related("programme"), pk=self.kwargs["pk"])
        return self._criterion

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [*_criterion_breadcrumbs(self.get_criterion()), ("Delete", "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        criterion = self.get_criterion()
        context.update(criterion=criterion, page_title=f"Delete the criterion “{criterion.title}”?",
                       evidence_count=criterion.evidence.count(), status_count=criterion.statuses.count())
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        criterion = self.get_criterion()
        programme_pk = criterion.programme_id
        services.criterion_delete(criterion=criterion, actor=self.request.user)
        messages.success(request, "Criterion deleted.")
        return redirect("criteria-list", programme_pk=programme_pk)


class CriterionEvaluateView(ScopedMixin, View):
    """POST only: work the criterion's statuses out again now (a fed
    criterion from the latest scores or training records; any criterion's
    units from its rollout waves as they are now)."""

    request: AuthenticatedHttpRequest  # signed in (LoginRequiredMixin)
    model = Criterion
    action = CHANGE
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        criterion = get_object_or_404(self.get_queryset().select_related("programme"), pk=kwargs["pk"])
        summary = services.criterion_evaluate(criterion=criterion, actor=self.request.user)
        words = ", ".join(f"{label.lower()} {summary[value]}" for value, label in Rag.choices if summary[value])
        messages.success(request, f"Re-evaluated: {words or 'no units to assess'}.")
        return redirect(criterion.get_absolute_url())


# --------------------------------------------------------------------------
# Manual statuses


class StatusEditView(ServiceFormView):
    """Set one unit's RAG for a manual criterion. A fed criterion's status
    is worked out, so its page says so and goes back."""

    request: AuthenticatedHttpRequest  # signed in (LoginRequiredMixin)
    model = CriterionStatus
    action = CHANGE
    form_class = StatusForm
    page_title = "Update the unit's status"
    success_message = "Status saved."

    def get_object(self) -> CriterionStatus:
        statuses = self.get_queryset().select_related("criterion__programme", "unit")
        return get_object_or_404(statuses, pk=self.kwargs["pk"])

    def _fed(self) -> HttpResponse | None:
        assert isinstance(self.object, CriterionStatus)
        criterion = self.object.criterion
        if criterion.feed != Criterion.Feed.MANUAL:
            messages.error(self.request, services.FED_REFUSED.format(feed=criterion.get_feed_display().lower()))
            return redirect(criterion.get_absolute_url())
        return None

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._fed() or super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._fed() or super().post(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        assert isinstance(self.object, CriterionStatus)
        return StatusForm.initial_for(self.object)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assert isinstance(self.object, CriterionStatus)
        context.update(page_title=f"{self.object.criterion.title}: {self.object.unit.name}",
                       intro=f"Record where {self.object.unit.full_path} stands on this criterion today.")
        return context

    def get_cancel_url(self) -> str:
        assert isinstance(self.object, CriterionStatus)
        return self.object.criterion.get_absolute_url()

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        assert isinstance(self.object, CriterionStatus)
        return [*_criterion_breadcrumbs(self.object.criterion), (self.object.unit.name, "")]

    def perform(self, form: StatusForm) -> Model:
        assert isinstance(self.object, CriterionStatus)
        return services.status_set(status=self.object, rag=form.cleaned_data["rag"], note=form.cleaned_data["note"], actor=self.request.user)

    def get_success_url(self, saved: Model) -> str:  # type: ignore[override]
        assert isinstance(saved, CriterionStatus)
        return f"{saved.criterion.get_absolute_url()}#status-{saved.pk}"


# --------------------------------------------------------------------------
# Evidence


class EvidenceAddView(ServiceFormView):
    request: AuthenticatedHttpRequest  # signed in (LoginRequiredMixin)
    model = Evidence
    action = ADD
    form_class = EvidenceForm
    page_title = "Add evidence"
    submit_label = "Add evidence"
    success_message = "Evidence added."

    def get_object(self) -> Model | None:
        criteria = Criterion.objects.restrict(self.request.user, CHANGE).select_related("programme")
        self.criterion = get_object_or_404(criteria, pk=self.kwargs["pk"])
        return None

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["units"] = services.criterion_units(self.criterion)
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(page_title=f"Add evidence: {self.criterion.title}",
                       intro="Give a link to where the evidence is kept, or upload a file. Files are kept inside Changeboard and "
                             "only people who may see this criterion can download them.")
        return context

    def get_cancel_url(self) -> str:
        return self.criterion.get_absolute_url()

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [*_criterion_breadcrumbs(self.criterion), ("Add evidence", "")]

    def perform(self, form: EvidenceForm) -> Model:
        data = form.cleaned_data
        return services.evidence_add(criterion=self.criterion, title=data["title"], url=data.get("url") or "", file=data.get("file"),
                                     unit=data.get("unit"), actor=self.request.user)

    def get_success_url(self, saved: Model) -> str:  # type: ignore[override]
        return f"{self.criterion.get_absolute_url()}#evidence"


class EvidenceDeleteView(ScopedMixin, TemplateView):
    request: AuthenticatedHttpRequest  # signed in (LoginRequiredMixin)
    model = Evidence
    action = DELETE
    template_name = "readiness/evidence_confirm_delete.html"

    def get_evidence(self) -> Evidence:
        if not hasattr(self, "_evidence"):
            self._evidence = get_object_or_404(self.get_queryset().select_related("criterion__programme"), pk=self.kwargs["pk"])
        return self._evidence

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [*_criterion_breadcrumbs(self.get_evidence().criterion), ("Delete evidence", "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        evidence = self.get_evidence()
        context.update(evidence=evidence, page_title=f"Delete the evidence “{evidence.title}”?")
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        evidence = self.get_evidence()
        criterion = evidence.criterion
        services.evidence_delete(evidence=evidence, actor=self.request.user)
        messages.success(request, "Evidence deleted.")
        return redirect(f"{criterion.get_absolute_url()}#evidence")


class EvidenceDownloadView(ScopedMixin, View):
    """A file of evidence, only after the scope check, as an attachment that
    the browser must not sniff or cache; never a public media URL."""

    model = Evidence
    action = VIEW
    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        evidence = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        return attachment_response(open_or_404(evidence.file), filename=evidence.file_name or "evidence",
                                   content_type=evidence.content_type or "application/octet-stream")


# --------------------------------------------------------------------------
# Training import: upload -> preview -> commit


class TrainingImportMixin(ImportViewMixin):
    """Training records are HR data: portfolio administrators only (every
    other role is 403, from `TrainingRecord.role_actions`)."""

    model = TrainingRecord
    action = ADD
    importer_class = importing.TrainingImporter
    upload_url_name = "training-import"
    preview_url_name = "training-import-preview"
    import_label = "Import training completions"

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Programmes", reverse("programme-list"))]


class TrainingImportView(ImportUploadView, TrainingImportMixin):
    """Upload the training system's export. Nothing is written until the
    preview is committed. `?template=1` downloads a template file."""

    template_name = "readiness/training_import_upload.html"
    page_title = "Import training completions"
    file_text = ("Upload the training completions", "A CSV or Excel (XLSX) file with one completed course per row.", "Select the training file")
    sample_param = "template"
    sample_name = "training-completions"

    def get_cancel_url(self) -> str:
        return reverse("programme-list")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(training_criteria=Criterion.objects.filter(feed=Criterion.Feed.TRAINING).count())
        return context


class TrainingImportPreviewView(ImportPreviewView, TrainingImportMixin):
    """Check a staged training file (completions by course), then commit it."""

    template_name = "readiness/training_import_preview.html"
    problems_name = "training-import-problems"
    preview_title = "Check the training import"
    errors_reason = "The file has errors. Choose to import the valid rows only, or correct the file and upload it again"

    preview_heading = "Completions by course"
    preview_caption = "Valid rows of the file, counted by course"

    def preview_table(self, report: Any) -> tuple[Any, str]:
        return self.first_of(report.courses(), importing.PREVIEW_COURSES, "courses")
