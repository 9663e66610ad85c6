"""Programme pages."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import TemplateView

from changeboard.accounts.http import AuthenticatedHttpRequest
from changeboard.core.scoping import ADD, CHANGE, DELETE, can
from changeboard.core.views import ScopedDetailView, ScopedListView, ScopedMixin, ServiceFormView

from . import services
from .filtersets import ProgrammeFilterSet
from .forms import MilestoneForm, ProgrammeForm, WaveForm
from .models import Milestone, Programme, ProgrammeQuerySet, RolloutWave
from .tables import ProgrammeTable


class ProgrammeListView(ScopedListView):
    model = Programme
    table_class = ProgrammeTable
    filterset_class = ProgrammeFilterSet
    page_title = "Programmes"
    template_name = "portfolio/programme_list.html"
    export_name = "programmes"
    export_columns = [
        ("Code", "code"), ("Name", "name"), ("Status", "status"), ("Phase", "phase"),
        ("SRO", "sro__username"), ("Change lead", "change_lead__username"), ("Next go-live", "next_go_live"),
    ]

    def get_queryset(self):  # noqa: ANN201
        return cast(ProgrammeQuerySet, super().get_queryset()).select_related("change_lead").with_next_go_live().order_by("code")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_add"] = can(self.request.user, Programme, ADD)
        return context


class ProgrammeDetailView(ScopedDetailView):
    model = Programme
    template_name = "portfolio/programme_detail.html"
    context_object_name = "programme"

    def get_queryset(self):  # noqa: ANN201
        return super().get_queryset().select_related("sro", "change_lead")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        programme: Programme = self.object
        user = self.request.user
        context.update(
            page_title=programme.name,
            can_edit=Programme.objects.restrict(user, CHANGE).filter(pk=programme.pk).exists(),
            milestones=programme.milestones.all(),
            waves=programme.waves.prefetch_related("units"),
        )
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Programmes", "/programmes/"), (self.object.code, "")]


class ProgrammeCreateView(ServiceFormView):
    model = Programme
    action = ADD
    form_class = ProgrammeForm
    page_title = "New programme"
    submit_label = "Create programme"
    success_message = "Programme created."
    request: AuthenticatedHttpRequest  # signed in (LoginRequiredMixin)

    def get_cancel_url(self) -> str:
        return "/programmes/"

    def perform(self, form: ProgrammeForm) -> Model:
        return services.programme_create(actor=self.request.user, **form.cleaned_data)


class ProgrammeEditView(ServiceFormView):
    model = Programme
    action = CHANGE
    form_class = ProgrammeForm
    page_title = "Edit programme"
    success_message = "Programme saved."
    request: AuthenticatedHttpRequest  # signed in (LoginRequiredMixin)
    object: Programme  # set in dispatch, from get_object()

    def get_object(self) -> Programme:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def perform(self, form: ProgrammeForm) -> Model:
        # The form has already written cleaned values onto the instance; the
        # service compares against the stored row for the audit.
        fresh = Programme.objects.get(pk=self.object.pk)
        return services.programme_update(programme=fresh, actor=self.request.user, **form.cleaned_data)


class ProgrammeChildMixin:
    """Milestone and wave pages: the programme must be editable by the user."""

    kwargs: dict[str, Any]
    request: HttpRequest

    @property
    def programme(self) -> Programme:
        if not hasattr(self, "_programme"):
            self._programme = get_object_or_404(Programme.objects.restrict(self.request.user, CHANGE), pk=self.kwargs["programme_pk"])
        return self._programme

    def get_child[M: Milestone | RolloutWave](self, model: type[M]) -> M | None:
        if "pk" not in self.kwargs:
            return None
        return cast(M, get_object_or_404(model.objects.restrict(self.request.user, CHANGE).filter(programme=self.programme), pk=self.kwargs["pk"]))

    def get_cancel_url(self) -> str:
        return self.programme.get_absolute_url()

    def get_success_url(self, saved: Model) -> str:
        return self.programme.get_absolute_url()


class MilestoneFormView(ProgrammeChildMixin, ServiceFormView):  # type: ignore[misc]  # ServiceFormView's get_success_url takes the saved object
    model = Milestone
    form_class = MilestoneForm
    success_message = "Milestone saved."
    request: AuthenticatedHttpRequest  # signed in (LoginRequiredMixin)
    object: Milestone | None  # set in dispatch, from get_object()

    @property
    def action(self) -> str:  # type: ignore[override]
        return CHANGE if "pk" in self.kwargs else ADD

    def get_object(self) -> Model | None:
        self.programme  # noqa: B018  (404 before anything else when out of scope)
        return self.get_child(Milestone)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page_title"] = f"{'Edit' if self.object else 'Add'} a milestone: {self.programme.code}"
        return context

    def perform(self, form: MilestoneForm) -> Model:
        return services.milestone_save(programme=self.programme, milestone=self.object, actor=self.request.user, **form.cleaned_data)


class WaveFormView(ProgrammeChildMixin, ServiceFormView):  # type: ignore[misc]  # ServiceFormView's get_success_url takes the saved object
    model = RolloutWave
    form_class = WaveForm
    success_message = "Rollout wave saved."
    request: AuthenticatedHttpRequest  # signed in (LoginRequiredMixin)
    object: RolloutWave | None  # set in dispatch, from get_object()

    @property
    def action(self) -> str:  # type: ignore[override]
        return CHANGE if "pk" in self.kwargs else ADD

    def get_object(self) -> Model | None:
        self.programme  # noqa: B018
        return self.get_child(RolloutWave)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page_title"] = f"{'Edit' if self.object else 'Add'} a rollout wave: {self.programme.code}"
        return context

    def perform(self, form: WaveForm) -> Model:
        data = dict(form.cleaned_data)
        units = data.pop("units")
        return services.wave_save(programme=self.programme, wave=self.object, units=units, actor=self.request.user, **data)


class ChildDeleteView(ProgrammeChildMixin, ScopedMixin, TemplateView):
    """Confirm, then delete a milestone or a wave through its service."""

    template_name = "portfolio/confirm_delete.html"
    action = DELETE
    child_model: type[Milestone] | type[RolloutWave]
    request: AuthenticatedHttpRequest  # signed in (LoginRequiredMixin)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["object"] = self.get_child(self.child_model)
        context["page_title"] = f"Delete {context['object']}"
        context["cancel_url"] = self.programme.get_absolute_url()
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        child = self.get_child(self.child_model)
        try:
            if isinstance(child, Milestone):
                services.milestone_delete(milestone=child, actor=self.request.user)
            else:
                assert child is not None  # a delete page names its child (pk)
                services.wave_delete(wave=child, actor=self.request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(self.programme.get_absolute_url())
        messages.success(request, "Deleted.")
        return redirect(self.programme.get_absolute_url())


class MilestoneDeleteView(ChildDeleteView):
    model = Milestone
    child_model = Milestone


class WaveDeleteView(ChildDeleteView):
    model = RolloutWave
    child_model = RolloutWave
