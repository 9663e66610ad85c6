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


class FrameworkChildAddMixin:
    """Adding a competency or a role to the framework `pk` (in scope, else
    404): the page's title and crumbs say `adding` (e.g. "a competency")."""

    request: HttpRequest
    kwargs: dict[str, Any]
    adding = ""
    crumb = ""

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        self.framework: Framework | None = None
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]  # a mixin before ServiceFormView

    def get_object(self) -> Model | None:
        self.framework = get_object_or_404(Framework.objects.restrict(self.request.user), pk=id_or_404(self.kwargs["pk"]))
        return None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)  # type: ignore[misc]
        assert self.framework is not None
        context.update(page_title=f"Add {self.adding} to {self.framework.name}",
                       breadcrumbs=[framework_crumb(self.framework), (self.crumb, "")])
        return context

    def get_cancel_url(self) -> str:
        return self.framework.get_absolute_url() if self.framework else "/"


class FrameworkChildEditMixin:
    """Changing a competency or a role (`pk`, in scope, else 404); the page
    goes back to its framework."""

    kwargs: dict[str, Any]
    object: Model | None
    title = "Change {name}"

    def child(self) -> Competency | PractitionerRole:
        assert isinstance(self.object, Competency | PractitionerRole)
        return self.object

    def get_object(self) -> Model | None:
        return get_object_or_404(self.get_queryset().select_related("framework"), pk=id_or_404(self.kwargs["pk"]))  # type: ignore[attr-defined]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)  # type: ignore[misc]
        child = self.child()
        context.update(page_title=self.title.format(name=child.name), breadcrumbs=[framework_crumb(child.framework), (child.name, "")])
        return context

    def get_cancel_url(self) -> str:
        return self.child().framework.get_absolute_url()


class CompetencyAddView(FrameworkChildAddMixin, ServiceFormView):
    model = Competency
    action = ADD
    form_class = CompetencyForm
    template_name = "capability/competency_form.html"
    submit_label = "Add the competency"
    success_message = "Competency added."
    adding, crumb = "a competency", "Add a competency"

    def perform(self, form: CompetencyForm) -> Model:
        assert self.framework is not None
        services.competency_create(framework=self.framework, actor=self.request.user, **form.cleaned_data)
        return self.framework


class CompetencyEditView(FrameworkChildEditMixin, ServiceFormView):
    request: AuthenticatedHttpRequest
    model = Competency
    action = CHANGE
    form_class = CompetencyForm
    template_name = "capability/competency_form.html"
    success_message = "Competency saved."

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.object}

    def perform(self, form: CompetencyForm) -> Model:
        assert isinstance(self.object, Competency)
        data = dict(form.cleaned_data)
        if data.get("order") is None:
            data.pop("order")
        services.competency_update(competency=self.object, actor=self.request.user, **data)
        return self.object.framework


class PractitionerRoleAddView(FrameworkChildAddMixin, ServiceFormView):
    model = PractitionerRole
    action = ADD
    form_class = PractitionerRoleForm
    template_name = "capability/framework_form.html"
    submit_label = "Add the role"
    success_message = "Role added."
    adding, crumb = "a practitioner role", "Add a role"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "framework": self.framework}

    def perform(self, form: PractitionerRoleForm) -> Model:
        assert self.framework is not None
        requirements = {pk: level for pk, level in form.requirements().items() if level is not None}
        services.practitioner_role_create(framework=self.framework, name=form.cleaned_data["name"],
                                          description=form.cleaned_data["description"], requirements=requirements, actor=self.request.user)
        return self.framework


class PractitionerRoleEditView(FrameworkChildEditMixin, ServiceFormView):
    request: AuthenticatedHttpRequest
    model = PractitionerRole
    action = CHANGE
    form_class = PractitionerRoleForm
    template_name = "capability/framework_form.html"
    success_message = "Role saved."
    title = "Change the role {name}"

    def get_form_kwargs(self) -> dict[str, Any]:
        assert isinstance(self.object, PractitionerRole)
        return {**super().get_form_kwargs(), "framework": self.object.framework, "instance": self.object}

    def perform(self, form: PractitionerRoleForm) -> Model:
        assert isinstance(self.object, PractitionerRole)
        services.practitioner_role_update(role=self.object, name=form.cleaned_data["name"], description=form.cleaned_data["description"],
                                          requirements=form.requirements(), actor=self.request.user)
        return self.object.framework


def framework_url() -> str:
    return reverse("framework-detail-current")
