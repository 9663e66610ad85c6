"""Practitioners, their assessments and the skills matrix.

- The list (filter by programme, role; CSV/XLSX), adding someone by staff
  number, changing their role, account, coach and programmes.
- A practitioner's page: their latest levels against what their role
  needs, the history of their assessments, their level over time (SVG and
  its table), and their coaching sessions.
- The assessment form (`?kind=self|coach`): a self-assessment only by the
  practitioner's own account, a coach's only by their coach or an admin
  (anyone else: 403).
- The skills matrix (`?programme=`, `?format=csv|xlsx`): levels, needs and
  gaps with heat colours and text, per competency the average and the
  number short, and the change over time.

Scoping is the models' (`PractitionerQuerySet`): out of scope is a 404."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Max, Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.views.generic import TemplateView

from changeboard.accounts.http import AuthenticatedHttpRequest
from changeboard.core import exports
from changeboard.core.params import id_or_404, parse_page
from changeboard.core.scoping import ADD, CHANGE, VIEW, can
from changeboard.core.views import ScopedDetailView, ScopedListView, ScopedMixin, ServiceFormView
from changeboard.portfolio.models import Programme

from ..filtersets.practitioners import PractitionerFilterSet
from ..forms.practitioners import AssessmentForm, PractitionerForm, programmes_to_join
from ..models import Assessment, AssessmentKind, CoachingSession, Framework, Practitioner
from ..services import practitioners as services
from ..skills import Matrix, export_table, level_chart, practitioner_history, skills_matrix
from ..tables.practitioners import EXPORT_HEADERS, PractitionerTable, coach_name

MATRIX_PER_PAGE = 100


def _list_crumb() -> tuple[str, str]:
    return ("Practitioners", reverse("practitioner-list"))


def _url(name: str, practitioner: Practitioner) -> str:
    try:
        return f"{reverse(name)}?practitioner={practitioner.pk}"
    except NoReverseMatch:  # the coaching part's pages, until they are merged
        return ""


class PractitionerListView(ScopedListView):
    request: AuthenticatedHttpRequest
    model = Practitioner
    table_class = PractitionerTable
    filterset_class = PractitionerFilterSet
    template_name = "capability/practitioner_list.html"
    page_title = "Practitioners"
    export_name = "practitioners"
    export_columns = [(header, "") for header in EXPORT_HEADERS]

    def get_queryset(self) -> QuerySet:
        return (super().get_queryset().select_related("staff", "role", "coach").prefetch_related("programmes")
                .annotate(latest=Max("assessments__assessed_on")).order_by("staff__last_name", "staff__first_name", "pk"))

    def export(self, fmt: str, queryset: QuerySet) -> HttpResponse:
        people = list(queryset)
        gaps = {row.practitioner.pk: row.gaps for row in skills_matrix(people, Framework.current()).rows}
        rows = [[str(p), p.staff.staff_number, p.role.name, coach_name(p), ", ".join(x.code for x in p.programmes.all()),
                 p.latest or "", gaps.get(p.pk, 0), "yes" if p.active else "no"] for p in people]
        return exports.export_response(fmt, self.export_name, EXPORT_HEADERS, rows)  # type: ignore[return-value]  # a CSV export streams

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_add"] = can(self.request.user, Practitioner, ADD)
        return context


class PractitionerAddView(ServiceFormView):
    request: AuthenticatedHttpRequest
    model = Practitioner
    action = ADD
    form_class = PractitionerForm
    template_name = "capability/practitioner_form.html"
    page_title = "Add a practitioner"
    submit_label = "Add the practitioner"
    success_message = "Practitioner added."

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["breadcrumbs"] = [_list_crumb(), ("Add", "")]
        return context

    def get_cancel_url(self) -> str:
        return reverse("practitioner-list")

    def perform(self, form: PractitionerForm) -> Model:
        data = form.cleaned_data
        return services.practitioner_add(staff=data["staff_number"], role=data["role"], user=data.get("user"), coach=data.get("coach"),
                                         programmes=list(data.get("programmes") or []), actor=self.request.user)


class PractitionerEditView(ServiceFormView):
    request: AuthenticatedHttpRequest
    model = Practitioner
    action = CHANGE
    form_class = PractitionerForm
    template_name = "capability/practitioner_form.html"
    success_message = "Practitioner saved."

    def get_object(self) -> Model | None:
        return get_object_or_404(self.get_queryset().select_related("staff"), pk=id_or_404(self.kwargs["pk"]))

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user, "instance": self.object}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assert isinstance(self.object, Practitioner)
        context.update(page_title=f"Change {self.object}", breadcrumbs=[_list_crumb(), (str(self.object), self.object.get_absolute_url()),
                                                                          ("Change", "")])
        return context

    def perform(self, form: PractitionerForm) -> Model:
        assert isinstance(self.object, Practitioner)
        data = form.cleaned_data
        # Programmes the user may not change stay as they were.
        theirs = set(programmes_to_join(self.request.user).values_list("pk", flat=True))
        kept = [p for p in self.object.programmes.all() if p.pk not in theirs]
        return services.practitioner_update(practitioner=self.object, role=data["role"], user=data.get("user"), coach=data.get("coach"),
                                            programmes=[*kept, *data.get("programmes", [])], active=data.get("active", False),
                                            actor=self.request.user)


class PractitionerDetailView(ScopedDetailView):
    request: AuthenticatedHttpRequest
    model = Practitioner
    template_name = "capability/practitioner_detail.html"
    context_object_name = "practitioner"

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("staff__unit", "role", "user", "coach")

    def get_object(self, queryset: QuerySet | None = None) -> Model:
        return get_object_or_404(self.get_queryset(), pk=id_or_404(self.kwargs["pk"]))

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [_list_crumb(), (str(self.object), "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        practitioner: Practitioner = self.object
        user = self.request.user
        framework = Framework.current()
        matrix = skills_matrix([practitioner], framework)
        history = practitioner_history(practitioner, framework)
        chart = None
        if history and framework is not None:
            competencies = matrix.competencies
            chart = level_chart(f"{practitioner}'s levels over time", [day.strftime("%d %b %Y") for day, _ in history],
                                [(c.name, [levels.get(c.pk) for _, levels in history]) for c in competencies],
                                alt=(f"Line chart of {practitioner}'s level (1 to 4) in each of {len(competencies)} competencies over "
                                     f"{len(history)} assessment days. The same figures are in the table below it."),
                                first_header="Assessed on", key="levels")
        assessments = list(practitioner.assessments.select_related("assessor").prefetch_related("ratings__competency")
                           .order_by("-assessed_on", "-pk"))
        active = practitioner.active
        context.update(
            page_title=str(practitioner), row=matrix.rows[0] if matrix.rows else None, framework=framework, chart=chart,
            assessments=assessments, coach=coach_name(practitioner),
            can_change=Practitioner.objects.restrict(user, CHANGE).filter(pk=practitioner.pk).exists(),
            can_self=active and services.may_assess(user, practitioner, AssessmentKind.SELF),
            can_coach=active and services.may_assess(user, practitioner, AssessmentKind.COACH),
            programmes=practitioner.programmes.order_by("code"),
            coaching_url=_url("coaching-list", practitioner) if can(user, CoachingSession, VIEW) else "",
            coaching_add_url=_url("coaching-add", practitioner) if can(user, CoachingSession, ADD) else "",
        )
        return context


class AssessmentAddView(ServiceFormView):
    """`?kind=self|coach` (default: self for the practitioner, else coach)."""

    request: AuthenticatedHttpRequest
    model = Assessment
    action = ADD
    form_class = AssessmentForm
    template_name = "capability/assessment_form.html"
    submit_label = "Record the assessment"
    success_message = "Assessment recorded."

    def get_object(self) -> Model | None:
        queryset = Practitioner.objects.restrict(self.request.user, VIEW).select_related("staff", "role", "user", "coach")
        practitioner = get_object_or_404(queryset, pk=id_or_404(self.kwargs["pk"]))
        kind = self.request.GET.get("kind")
        if kind is None:
            kind = AssessmentKind.SELF if practitioner.user_id == self.request.user.pk else AssessmentKind.COACH
        if kind not in AssessmentKind.values:
            raise Http404("No such kind of assessment")
        if not practitioner.active or not services.may_assess(self.request.user, practitioner, kind):
            raise PermissionDenied
        self.kind = kind
        self.framework = Framework.current()
        if self.framework is None:
            raise Http404("No current framework")
        return practitioner

    def get_form_kwargs(self) -> dict[str, Any]:
        assert self.framework is not None
        return {**super().get_form_kwargs(), "competencies": list(self.framework.competencies.order_by("order", "name"))}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assert isinstance(self.object, Practitioner)
        mine = self.kind == AssessmentKind.SELF
        title = "Assess yourself" if mine else f"Record a coach's assessment of {self.object}"
        context.update(page_title=title, kind=self.kind, practitioner=self.object, self_assessment=mine,
                       breadcrumbs=[_list_crumb(), (str(self.object), self.object.get_absolute_url()), ("Assessment", "")])
        return context

    def perform(self, form: AssessmentForm) -> Model:
        assert isinstance(self.object, Practitioner)
        services.assessment_record(practitioner=self.object, kind=self.kind, ratings=form.ratings(), actor=self.request.user,
                                   assessed_on=form.cleaned_data.get("assessed_on"), note=form.cleaned_data.get("note", ""))
        return self.object


class SkillsMatrixView(ScopedMixin, TemplateView):
    """The skills matrix of the practitioners in view (`?programme=`: that
    programme's); `?format=csv|xlsx` downloads it."""

    request: AuthenticatedHttpRequest
    model = Practitioner
    template_name = "capability/skills_matrix.html"
    page_title = "Skills matrix"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.programme: Programme | None = None
        if "programme" in request.GET and request.GET["programme"] != "":
            self.programme = get_object_or_404(Programme.objects.restrict(request.user), pk=id_or_404(request.GET["programme"]))
        people = self.get_queryset().filter(active=True).select_related("staff", "role", "coach")
        if self.programme is not None:
            people = people.filter(programmes=self.programme)
        self.matrix = skills_matrix(people.order_by("staff__last_name", "staff__first_name", "pk"), Framework.current())
        fmt = request.GET.get("format")
        if fmt in {"csv", "xlsx"}:
            headers, rows = export_table(self.matrix)
            name = f"skills-matrix-{self.programme.code}" if self.programme else "skills-matrix"
            return exports.export_response(fmt, name, headers, rows)  # type: ignore[return-value]  # a CSV export streams
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        matrix: Matrix = self.matrix
        where = self.programme.code if self.programme else "the portfolio"
        page = Paginator(matrix.rows, MATRIX_PER_PAGE).get_page(parse_page(self.request.GET.get("page")) or 1)
        chart = None
        if matrix.quarters:
            chart = level_chart(f"Average level per quarter, {where}", [label for label, _ in matrix.quarters],
                                [("Average level", [value for _, value in matrix.quarters])],
                                alt=(f"Line chart of the average level (1 to 4) across the skills matrix of {where}, over {len(matrix.quarters)} "
                                     "quarters. The same figures are in the table below it."), first_header="Quarter", key="quarters")
        query = f"programme={self.programme.pk}&" if self.programme else ""
        context.update(matrix=matrix, page_obj=page, rows=page.object_list, programme=self.programme, chart=chart, where=where,
                       programmes=Programme.objects.restrict(self.request.user).order_by("code"), query=query,
                       page_title=f"Skills matrix, {where}")
        return context


def assessment_url(practitioner: Practitioner, kind: str) -> str:
    return f"{reverse('assessment-add', args=[practitioner.pk])}?kind={kind}"
