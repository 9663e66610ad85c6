"""The capability framework's pages: the framework (its competencies with
their level descriptors, its roles with the level each needs), and, for
admins, changing the framework, its competencies and its roles. Every write
goes through `services.framework`; every other role reads only (the models'
`role_actions`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse

from changeboard.accounts.http import AuthenticatedHttpRequest
from changeboard.core.params import id_or_404
from changeboard.core.scoping import ADD, CHANGE, can
from changeboard.core.views import ScopedDetailView, ServiceFormView

from ..forms.framework import CompetencyForm, FrameworkForm, PractitionerRoleForm
from ..models import LEVELS, Competency, Framework, PractitionerRole
from ..services import framework as services


def framework_crumb(framework: Framework) -> tuple[str, str]:
    return (framework.name, framework.get_absolute_url())


class FrameworkDetailView(ScopedDetailView):
    """`framework-detail` (one framework) and `framework-detail-current`."""

    request: AuthenticatedHttpRequest
    model = Framework
    template_name = "capability/framework_detail.html"
    context_object_name = "framework"

    def get_object(self, queryset: QuerySet | None = None) -> Model:
        if "pk" in self.kwargs:
            return get_object_or_404(self.get_queryset(), pk=id_or_404(self.kwargs["pk"]))
        current = self.get_queryset().filter(is_current=True).order_by("pk").first()
        if current is None:
            raise Http404("No current framework")
        return current

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        framework: Framework = self.object
        competencies = list(framework.competencies.order_by("order", "name"))
        roles = list(framework.roles.prefetch_related("requirements").order_by("name"))
        needs = []
        for role in roles:
            levels = {r.competency_id: r.level for r in role.requirements.all()}
            needs.append((role, [levels.get(c.pk) for c in competencies]))
        user = self.request.user
        context.update(page_title=framework.name, competencies=competencies, roles=needs, levels=LEVELS,
                       descriptors=[(c, [c.descriptor(level) for level, _ in LEVELS]) for c in competencies],
                       can_edit=can(user, Framework, CHANGE), can_add_competency=can(user, Competency, ADD),
                       can_edit_competency=can(user, Competency, CHANGE), can_add_role=can(user, PractitionerRole, ADD),
                       can_edit_role=can(user, PractitionerRole, CHANGE), others=Framework.objects.exclude(pk=framework.pk).order_by("name"))
        return context


class FrameworkEditView(ServiceFormView):
    request: AuthenticatedHttpRequest
    model = Framework
    action = CHANGE
    form_class = FrameworkForm
    template_name = "capability/framework_form.html"
    success_message = "Framework saved."

    def get_object(self) -> Model | None:
        return get_object_or_404(self.get_queryset(), pk=id_or_404(self.kwargs["pk"]))

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.object}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assert isinstance(self.object, Framework)
        context.update(page_title=f"Change {self.object.name}", breadcrumbs=[framework_crumb(self.object), ("Change", "")])
        return context

    def perform(self, form: FrameworkForm) -> Model:
        assert isinstance(self.object, Framework)
        return services.framework_update(framework=self.object, actor=self.request.user, **form.cleaned_data)


class FrameworkChildMixin:
    """The framework a competency or role is added to (`pk`), in scope."""

    request: HttpRequest
    kwargs: dict[str, Any]

    def get_framework(self) -> Framework:
        return get_object_or_404(Framework.objects.restrict(self.request.user), pk=id_or_404(self.kwargs["pk"]))


class CompetencyAddView(FrameworkChildMixin, ServiceFormView):
    model = Competency
    action = ADD
    form_class = CompetencyForm
    template_name = "capability/competency_form.html"
    submit_label = "Add the competency"
    success_message = "Competency added."

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        self.framework: Framework | None = None
        return super().dispatch(request, *args, **kwargs)

    def get_object(self) -> Model | None:
        self.framework = self.get_framework()
        return None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assert self.framework is not None
        context.update(page_title=f"Add a competency to {self.framework.name}", breadcrumbs=[framework_crumb(self.framework), ("Add a competency", "")])
        return context

    def get_cancel_url(self) -> str:
        return self.framework.get_absolute_url() if self.framework else "/"

    def perform(self, form: CompetencyForm) -> Model:
        assert self.framework is not None
        data = dict(form.cleaned_data)
        services.competency_create(framework=self.framework, actor=self.request.user, **data)
        return self.framework


class CompetencyEditView(ServiceFormView):
    request: AuthenticatedHttpRequest
    model = Competency
    action = CHANGE
    form_class = CompetencyForm
    template_name = "capability/competency_form.html"
    success_message = "Competency saved."

    def get_object(self) -> Model | None:
        return get_object_or_404(self.get_queryset().select_related("framework"), pk=id_or_404(self.kwargs["pk"]))

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.object}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assert isinstance(self.object, Competency)
        context.update(page_title=f"Change {self.object.name}", breadcrumbs=[framework_crumb(self.object.framework), (self.object.name, "")])
        return context

    def get_cancel_url(self) -> str:
        assert isinstance(self.object, Competency)
        return self.object.framework.get_absolute_url()

    def perform(self, form: CompetencyForm) -> Model:
        assert isinstance(self.object, Competency)
        data = dict(form.cleaned_data)
        if data.get("order") is None:
            data.pop("order")
        services.competency_update(competency=self.object, actor=self.request.user, **data)
        return self.object.framework


class PractitionerRoleAddView(FrameworkChildMixin, ServiceFormView):
    model = PractitionerRole
    action = ADD
    form_class = PractitionerRoleForm
    template_name = "capability/framework_form.html"
    submit_label = "Add the role"
    success_message = "Role added."

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        self.framework: Framework | None = None
        return super().dispatch(request, *args, **kwargs)

    def get_object(self) -> Model | None:
        self.framework = self.get_framework()
        return None

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "framework": self.framework}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assert self.framework is not None
        context.update(page_title=f"Add a practitioner role to {self.framework.name}",
                       breadcrumbs=[framework_crumb(self.framework), ("Add a role", "")])
        return context

    def get_cancel_url(self) -> str:
        return self.framework.get_absolute_url() if self.framework else "/"

    def perform(self, form: PractitionerRoleForm) -> Model:
        assert self.framework is not None
        requirements = {pk: level for pk, level in form.requirements().items() if level is not None}
        services.practitioner_role_create(framework=self.framework, name=form.cleaned_data["name"],
                                          description=form.cleaned_data["description"], requirements=requirements, actor=self.request.user)
        return self.framework


class PractitionerRoleEditView(ServiceFormView):
    request: AuthenticatedHttpRequest
    model = PractitionerRole
    action = CHANGE
    form_class = PractitionerRoleForm
    template_name = "capability/framework_form.html"
    success_message = "Role saved."

    def get_object(self) -> Model | None:
        return get_object_or_404(self.get_queryset().select_related("framework"), pk=id_or_404(self.kwargs["pk"]))

    def get_form_kwargs(self) -> dict[str, Any]:
        assert isinstance(self.object, PractitionerRole)
        return {**super().get_form_kwargs(), "framework": self.object.framework, "instance": self.object}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assert isinstance(self.object, PractitionerRole)
        context.update(page_title=f"Change the role {self.object.name}", breadcrumbs=[framework_crumb(self.object.framework), (self.object.name, "")])
        return context

    def get_cancel_url(self) -> str:
        assert isinstance(self.object, PractitionerRole)
        return self.object.framework.get_absolute_url()

    def perform(self, form: PractitionerRoleForm) -> Model:
        assert isinstance(self.object, PractitionerRole)
        services.practitioner_role_update(role=self.object, name=form.cleaned_data["name"], description=form.cleaned_data["description"],
                                          requirements=form.requirements(), actor=self.request.user)
        return self.object.framework


def framework_url() -> str:
    return reverse("framework-detail-current")
