"""Pages for user journeys: the list, creating and changing a journey, the
journey as a grid (stages as column groups, steps as columns; rows today,
tomorrow, touchpoints, pain points and the emotion lane) with the lane's
chart and data table, its XLSX and PDF, and the stage, step and touchpoint
forms with their delete confirmations. Every write goes through
`services.journeys`; the lane is read by `capability.lane`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.generic import TemplateView

from changeboard.accounts.http import AuthenticatedHttpRequest
from changeboard.core import exports
from changeboard.core.scoping import ADD, CHANGE, DELETE, VIEW, can
from changeboard.core.views import ScopedDetailView, ScopedListView, ScopedMixin, ServiceFormView
from changeboard.cutover.models import Task
from changeboard.engagement.models import Message
from changeboard.network.models import Activity
from changeboard.reports.packs import render_pdf

from ..filtersets.journeys import JourneyFilterSet
from ..forms.journeys import JourneyForm, StageForm, StepForm, TouchpointForm
from ..lane import Lane, StepLane, journey_lane, lane_chart
from ..models import Journey, Stage, Step, Touchpoint, TouchpointKind
from ..services import journeys as services
from ..tables.journeys import JourneyTable

FORM_TEMPLATE = "capability/journey_form.html"
DELETE_TEMPLATE = "capability/journey_confirm_delete.html"
LINKED: dict[str, tuple[type[Model], str, str]] = {
    TouchpointKind.MESSAGE: (Message, "message-detail", "programme_id"),
    TouchpointKind.ACTIVITY: (Activity, "activity-detail", "programme_id"),
    TouchpointKind.TASK: (Task, "task-detail", "runbook__programme_id"),
}


def _crumbs(*rest: tuple[str, str]) -> list[tuple[str, str]]:
    return [("Approach and capability", reverse("capability-dashboard")), ("User journeys", reverse("journey-list")), *rest]


def journey_crumbs(journey: Journey, *rest: tuple[str, str]) -> list[tuple[str, str]]:
    return _crumbs((journey.title, journey.get_absolute_url()), *rest)


class JourneyListView(ScopedListView):
    model = Journey
    table_class = JourneyTable
    filterset_class = JourneyFilterSet
    template_name = "capability/journey_list.html"
    page_title = "User journeys"
    export_name = "user-journeys"
    export_columns = [("Programme", "programme__code"), ("Journey", "title"), ("Persona", "persona"), ("Role group", "role_group"),
                      ("Emotion from survey", "fill_from_survey"), ("Updated", "updated_at")]

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("programme")

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return _crumbs()[:-1] + [("User journeys", "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_add"] = can(self.request.user, Journey, ADD)
        return context


class JourneyCreateView(ServiceFormView):
    request: AuthenticatedHttpRequest
    model = Journey
    action = ADD
    form_class = JourneyForm
    template_name = FORM_TEMPLATE
    page_title = "New user journey"
    submit_label = "Create journey"
    success_message = "Journey created. Now add its stages and steps."

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return _crumbs(("New journey", ""))

    def get_cancel_url(self) -> str:
        return reverse("journey-list")

    def perform(self, form: Any) -> Model:
        data = dict(form.cleaned_data)
        return services.journey_create(actor=self.request.user, **data)


class JourneyObjectMixin:
    """The journey named by `pk`, restricted for the view's action (404 out of scope)."""

    kwargs: dict[str, Any]
    request: Any
    action: ClassVar[str]

    def get_journey(self) -> Journey:
        if not hasattr(self, "_journey"):
            qs = Journey.objects.restrict(self.request.user, self.action).select_related("programme")
            self._journey = get_object_or_404(qs, pk=self.kwargs["pk"])
        return self._journey


class JourneyEditView(JourneyObjectMixin, ServiceFormView):
    request: AuthenticatedHttpRequest
    model = Journey
    action = CHANGE
    form_class = JourneyForm
    template_name = FORM_TEMPLATE
    page_title = "Change the journey"
    success_message = "Journey saved."

    def get_object(self) -> Model | None:
        return self.get_journey()

    def get_form_kwargs(self) -> dict[str, Any]:
        journey = self.get_journey()
        kwargs = {**super().get_form_kwargs(), "user": self.request.user, "editing": True}
        kwargs["initial"] = {"title": journey.title, "persona": journey.persona, "persona_description": journey.persona_description,
                             "units": list(journey.units.values_list("pk", flat=True)), "role_group": journey.role_group,
                             "fill_from_survey": journey.fill_from_survey}
        return kwargs

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return journey_crumbs(self.get_journey(), ("Change", ""))

    def perform(self, form: Any) -> Model:
        data = dict(form.cleaned_data)
        units = data.pop("units")
        return services.journey_update(journey=self.get_journey(), units=units, actor=self.request.user, **data)


class ConfirmDeleteView(ScopedMixin, TemplateView):
    """A delete confirmation: GET asks, POST deletes through the service."""

    request: AuthenticatedHttpRequest
    action = DELETE
    template_name = DELETE_TEMPLATE
    noun: ClassVar[str] = ""
    note: ClassVar[str] = ""

    def get_target(self) -> Any:
        if not hasattr(self, "_target"):
            self._target = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        return self._target

    def journey(self) -> Journey:
        raise NotImplementedError

    def delete(self, target: Any) -> None:
        raise NotImplementedError

    def done_url(self) -> str:
        return self.journey().get_absolute_url()

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return journey_crumbs(self.journey(), ("Delete", ""))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        target = self.get_target()
        context.update(page_title=f"Delete the {self.noun} “{target}”?", noun=self.noun, note=self.note, journey=self.journey(),
                       cancel_url=self.journey().get_absolute_url())
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        target = self.get_target()
        url = self.done_url()
        try:
            self.delete(target)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(self.journey().get_absolute_url())
        messages.success(request, f"The {self.noun} is deleted.")
        return redirect(url)


class JourneyDeleteView(ConfirmDeleteView):
    model = Journey
    noun = "journey"
    note = "Its stages, steps and touchpoints are deleted with it. The records its touchpoints link to are kept."

    def journey(self) -> Journey:
        return cast(Journey, self.get_target())

    def done_url(self) -> str:
        return reverse("journey-list")

    def delete(self, target: Any) -> None:
        services.journey_delete(journey=target, actor=self.request.user)


# ---------------------------------------------------------------------------
# The journey as a grid


@dataclass
class Column:
    stage: Stage
    step: Step | None
    lane: StepLane | None = None
    touchpoints: list[tuple[Touchpoint, str | None]] = field(default_factory=list)
    first: bool = False
    last: bool = False


def touchpoint_urls(user: Any, touchpoints: list[Touchpoint], programme_id: int) -> dict[int, str | None]:
    """Each touchpoint's page, where the user may view its record."""
    urls: dict[int, str | None] = {t.pk: None for t in touchpoints}
    for kind, (model, name, programme_field) in LINKED.items():
        mine = [t for t in touchpoints if t.kind == kind and t.ref.isascii() and t.ref.isdigit()]
        if not mine:
            continue
        visible = set(model.objects.restrict(user, VIEW).filter(pk__in=[int(t.ref) for t in mine],  # type: ignore[attr-defined]
                                                                  **{programme_field: programme_id}).values_list("pk", flat=True))
        for t in mine:
            if int(t.ref) in visible:
                urls[t.pk] = reverse(name, args=[int(t.ref)])
    return urls


def journey_grid(journey: Journey, lane: Lane, user: Any) -> tuple[list[tuple[Stage, int]], list[Column]]:
    """The stages with the number of columns each spans, and the columns (a
    stage without steps has one empty column)."""
    by_step = {s.step.pk: s for s in lane.steps}
    stages = list(journey.stages.all().prefetch_related("steps__touchpoints"))
    touchpoints = [t for stage in stages for step in stage.steps.all() for t in step.touchpoints.all()]
    urls = touchpoint_urls(user, touchpoints, journey.programme_id)
    heads: list[tuple[Stage, int]] = []
    columns: list[Column] = []
    for stage in stages:
        steps = list(stage.steps.all())
        heads.append((stage, max(1, len(steps))))
        if not steps:
            columns.append(Column(stage, None, first=True, last=True))
            continue
        for i, step in enumerate(steps):
            columns.append(Column(stage, step, by_step.get(step.pk), [(t, urls.get(t.pk)) for t in step.touchpoints.all()],
                                  first=i == 0, last=i == len(steps) - 1))
    return heads, columns


class JourneyDetailView(ScopedDetailView):
    model = Journey
    template_name = "capability/journey_detail.html"
    context_object_name = "journey"

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("programme")

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return _crumbs((self.object.title, ""))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        journey: Journey = self.object
        lane = journey_lane(journey)
        heads, columns = journey_grid(journey, lane, self.request.user)
        may_change = Journey.objects.restrict(self.request.user, CHANGE).filter(pk=journey.pk).exists()
        context.update(page_title=journey.title, lane=lane, chart=lane_chart(lane) if lane.steps else None, heads=heads, columns=columns,
                       units=list(journey.units.order_by("path")), can_change=may_change,
                       can_delete=may_change and can(self.request.user, Journey, DELETE))
        return context


def xlsx_rows(journey: Journey, lane: Lane) -> tuple[list[str], list[list[Any]]]:
    headers = ["Stage", "Step", "ADKAR element", "Today", "Tomorrow", "Touchpoints", "Pain points", "Emotion (judgement)",
               "Emotion (survey)", "Emotion shown", "Source", "Responses", "Evidence", "Dip"]
    touchpoints: dict[int, list[str]] = {}
    for t in Touchpoint.objects.filter(step__stage__journey=journey).order_by("step", "kind", "id"):
        touchpoints.setdefault(t.step_id, []).append(str(t))
    rows = [[s.stage, s.step.name, s.element_label, s.step.today, s.step.tomorrow, "; ".join(touchpoints.get(s.step.pk, [])),
             s.step.pain_points, s.manual, s.survey, s.shown, s.source or "", s.responses_text, s.evidence, "Lowest point" if s.dip else ""]
            for s in lane.steps]
    return headers, rows


class JourneyXlsxView(ScopedDetailView):
    """One row per step with all its lanes."""

    model = Journey

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        journey = cast(Journey, self.get_object())
        headers, rows = xlsx_rows(journey, journey_lane(journey))
        return exports.xlsx_response(f"journey-{journey.pk}", headers, rows)


class JourneyPdfView(ScopedDetailView):
    model = Journey

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        journey = cast(Journey, self.get_object())
        lane = journey_lane(journey)
        heads, columns = journey_grid(journey, lane, request.user)
        html = render_to_string("capability/journey_pdf.html", {"journey": journey, "lane": lane, "heads": heads, "columns": columns,
                                                                 "chart": lane_chart(lane) if lane.steps else None,
                                                                 "units": list(journey.units.order_by("path"))})
        response = HttpResponse(render_pdf(html), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="journey-{journey.pk}.pdf"'
        return response


# ---------------------------------------------------------------------------
# Stages


class ParentFormView(ServiceFormView):
    """A form on a part of a journey: the parent (for adding) or the object
    (for changing) is looked up restricted to what the user may change."""

    request: AuthenticatedHttpRequest
    template_name = FORM_TEMPLATE
    parent_model: ClassVar[type[Model]]
    editing: ClassVar[bool] = False

    def get_parent(self) -> Any:
        if not hasattr(self, "_parent"):
            model: Any = self.parent_model
            self._parent = get_object_or_404(model.objects.restrict(self.request.user, CHANGE), pk=self.kwargs["pk"])
        return self._parent

    def get_object(self) -> Model | None:
        return self.get_parent() if self.editing else None

    def journey(self) -> Journey:
        raise NotImplementedError

    def get_cancel_url(self) -> str:
        return self.journey().get_absolute_url()

    def get_success_url(self, saved: Model) -> str:  # type: ignore[override]  # ServiceFormView's: the saved object's page
        return self.journey().get_absolute_url()

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return journey_crumbs(self.journey(), (str(self.page_title), ""))


class StageAddView(ParentFormView):
    model = Stage
    action = ADD
    parent_model = Journey
    form_class = StageForm
    page_title = "Add a stage"
    submit_label = "Add stage"
    success_message = "Stage added."

    def journey(self) -> Journey:
        return cast(Journey, self.get_parent())

    def perform(self, form: Any) -> Model:
        return services.stage_add(journey=self.journey(), name=form.cleaned_data["name"], actor=self.request.user)


class StageEditView(ParentFormView):
    model = Stage
    action = CHANGE
    parent_model = Stage
    editing = True
    form_class = StageForm
    page_title = "Change the stage"
    success_message = "Stage saved."

    def journey(self) -> Journey:
        return cast(Stage, self.get_parent()).journey

    def get_initial(self) -> dict[str, Any]:
        return {"name": self.get_parent().name}

    def perform(self, form: Any) -> Model:
        return services.stage_update(stage=self.get_parent(), name=form.cleaned_data["name"], actor=self.request.user)


class StageDeleteView(ConfirmDeleteView):
    model = Stage
    noun = "stage"
    note = "Its steps and their touchpoints are deleted with it."

    def journey(self) -> Journey:
        return cast(Stage, self.get_target()).journey

    def delete(self, target: Any) -> None:
        services.stage_delete(stage=target, actor=self.request.user)


class MoveView(ScopedMixin, TemplateView):
    """POST `direction=up|down`: move a stage or step one place (no page of its own)."""

    request: AuthenticatedHttpRequest
    action = CHANGE
    http_method_names = ["post"]

    def move(self, target: Any, direction: str) -> Journey:
        raise NotImplementedError

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        target = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        direction = request.POST.get("direction", "")
        try:
            journey = self.move(target, direction)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(reverse("journey-detail", args=[self.journey_id(target)]))
        return redirect(f"{journey.get_absolute_url()}#{type(target).__name__.lower()}-{target.pk}")

    def journey_id(self, target: Any) -> int:
        raise NotImplementedError


class StageMoveView(MoveView):
    model = Stage

    def move(self, target: Any, direction: str) -> Journey:
        return services.stage_move(stage=target, direction=direction, actor=self.request.user).journey

    def journey_id(self, target: Any) -> int:
        return int(target.journey_id)


# ---------------------------------------------------------------------------
# Steps


class StepAddView(ParentFormView):
    model = Step
    action = ADD
    parent_model = Stage
    form_class = StepForm
    page_title = "Add a step"
    submit_label = "Add step"
    success_message = "Step added."

    def journey(self) -> Journey:
        return cast(Stage, self.get_parent()).journey

    def perform(self, form: Any) -> Model:
        return services.step_add(stage=self.get_parent(), actor=self.request.user, **form.cleaned_data)


class StepEditView(ParentFormView):
    model = Step
    action = CHANGE
    parent_model = Step
    editing = True
    form_class = StepForm
    page_title = "Change the step"
    success_message = "Step saved."

    def journey(self) -> Journey:
        return cast(Step, self.get_parent()).stage.journey

    def get_initial(self) -> dict[str, Any]:
        step = cast(Step, self.get_parent())
        return {f: getattr(step, f) for f in services.STEP_FIELDS}

    def perform(self, form: Any) -> Model:
        return services.step_update(step=self.get_parent(), actor=self.request.user, **form.cleaned_data)


class StepDeleteView(ConfirmDeleteView):
    model = Step
    noun = "step"
    note = "Its touchpoints are deleted with it. The records they link to are kept."

    def journey(self) -> Journey:
        return cast(Step, self.get_target()).stage.journey

    def delete(self, target: Any) -> None:
        services.step_delete(step=target, actor=self.request.user)


class StepMoveView(MoveView):
    model = Step

    def move(self, target: Any, direction: str) -> Journey:
        return services.step_move(step=target, direction=direction, actor=self.request.user).stage.journey

    def journey_id(self, target: Any) -> int:
        return int(target.stage.journey_id)


# ---------------------------------------------------------------------------
# Touchpoints


class TouchpointAddView(ParentFormView):
    model = Touchpoint
    action = ADD
    parent_model = Step
    form_class = TouchpointForm
    page_title = "Add a touchpoint"
    submit_label = "Add touchpoint"
    success_message = "Touchpoint added."

    def journey(self) -> Journey:
        return cast(Step, self.get_parent()).stage.journey

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        step = cast(Step, self.get_parent())
        context["intro"] = f"For the step “{step.name}”: link a communication, champion activity or cutover task of {self.journey().programme.code} by its id, or a training course by its code."
        context["courses"] = services.courses(self.journey().programme)[:50]
        return context

    def perform(self, form: Any) -> Model:
        return services.touchpoint_add(step=self.get_parent(), kind=form.cleaned_data["kind"], ref=form.cleaned_data["ref"], actor=self.request.user)


class TouchpointDeleteView(ConfirmDeleteView):
    model = Touchpoint
    noun = "touchpoint"
    note = "Only the link is removed: the record it points to is kept."

    def journey(self) -> Journey:
        return cast(Touchpoint, self.get_target()).step.stage.journey

    def delete(self, target: Any) -> None:
        services.touchpoint_delete(touchpoint=target, actor=self.request.user)
