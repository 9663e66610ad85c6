"""Hypercare period pages: the list, opening a period for a rollout wave,
one period (its summary, its links and, for the support side, the public
raise link), changing it, and its settings (categories, SLA targets)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import TemplateView

from changeboard.accounts.http import AuthenticatedHttpRequest
from changeboard.core.forms import add_service_errors
from changeboard.core.params import id_or_404
from changeboard.core.scoping import ADD, CHANGE, VIEW, can
from changeboard.core.times import minutes_text
from changeboard.core.views import ScopedDetailView, ScopedListView, ScopedMixin, ServiceFormView

from ..filtersets.periods import PeriodFilterSet
from ..forms.periods import CategoryAddForm, CategoryEditForm, PeriodCreateForm, PeriodEditForm, SlaTargetsForm
from ..forms.queries import works_period
from ..models import Category, Period, Query, SlaTarget
from ..services import periods as services
from ..tables.periods import PeriodTable


class PeriodListView(ScopedListView):
    model = Period
    table_class = PeriodTable
    filterset_class = PeriodFilterSet
    template_name = "hypercare/period_list.html"
    page_title = "Hypercare periods"
    export_name = "hypercare-periods"
    export_columns = [("Programme", "rollout_wave__programme__code"), ("Rollout wave", "rollout_wave__name"),
                      ("Go-live", "starts_on"), ("Ends", "ends_on"), ("Status", "status")]

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("rollout_wave__programme")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_add"] = can(user, Period, ADD)
        context["can_queue"] = can(user, Query, VIEW)
        return context


class PeriodMixin:
    """Pages about one period (`pk`), found within the user's scope for the view's action."""

    request: HttpRequest
    kwargs: dict[str, Any]

    def get_period(self, action: str = VIEW) -> Period:
        return get_object_or_404(Period.objects.restrict(self.request.user, action).select_related("rollout_wave__programme", "support_team"),
                                 pk=id_or_404(self.kwargs["pk"]))


class PeriodCreateView(ServiceFormView):
    request: AuthenticatedHttpRequest
    model = Period
    action = ADD
    form_class = PeriodCreateForm
    template_name = "hypercare/period_form.html"
    page_title = "Open hypercare for a rollout wave"
    submit_label = "Open hypercare"
    success_message = "Hypercare opened with the default categories, SLA targets and exit criteria."

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = {**super().get_form_kwargs(), "user": self.request.user}
        wave = self.request.GET.get("rollout_wave")
        if wave:
            kwargs["initial"] = {"rollout_wave": wave}
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["intro"] = ("Support starts at the wave's go-live and runs for six weeks unless you say otherwise. The period starts with "
                            "the default categories, SLA targets and exit criteria; change them on its settings pages.")
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Hypercare", reverse("period-list")), ("Open hypercare", "")]

    def get_cancel_url(self) -> str:
        return reverse("period-list")

    def perform(self, form: PeriodCreateForm) -> Model:
        return services.period_create(actor=self.request.user, **form.cleaned_data)


class PeriodDetailView(ScopedDetailView):
    model = Period
    template_name = "hypercare/period_detail.html"
    context_object_name = "period"

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("rollout_wave__programme", "support_team")

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Hypercare", reverse("period-list")), (str(self.object), "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        period: Period = self.object
        counts = period.queries.aggregate(
            total=Count("pk"), open=Count("pk", filter=Q(status__in=Query.OPEN_STATUSES)),
            unassigned=Count("pk", filter=Q(status__in=Query.OPEN_STATUSES, assignee=None)),
            open_p1=Count("pk", filter=Q(status__in=Query.OPEN_STATUSES, priority="P1")),
            resolved=Count("pk", filter=Q(status__in=[Query.Status.RESOLVED, Query.Status.CLOSED])),
            training_gaps=Count("pk", filter=Q(status__in=Query.OPEN_STATUSES, category__is_training_gap=True)))
        supporting = works_period(user, period)
        can_change = Period.objects.restrict(user, CHANGE).filter(pk=period.pk).exists()
        context.update(
            page_title=str(period), counts=counts, supporting=supporting, can_change=can_change,
            can_queue=can(user, Query, VIEW), can_raise=can(user, Query, ADD) and period.status != Period.Status.EXITED,
            raise_url=self.request.build_absolute_uri(reverse("public-raise", kwargs={"token": period.public_token})) if supporting else "",
            categories=period.categories.annotate(n=Count("queries")).order_by("-active", "name"),
            targets=[(t, minutes_text(t.response_minutes), minutes_text(t.resolution_minutes)) for t in period.sla_targets.order_by("priority")],
            weekdays=", ".join(name for day, name in PeriodEditForm.base_fields["working_days"].choices if day in period.working_days),  # type: ignore[attr-defined]  # a ChoiceField
            team_members=list(period.support_team.members.order_by("first_name", "last_name")) if period.support_team else [],
            decisions=list(period.decisions.select_related("decided_by")[:3]),
        )
        return context


class PeriodEditView(PeriodMixin, ServiceFormView):
    request: AuthenticatedHttpRequest  # signed in (LoginRequiredMixin)
    model = Period
    action = CHANGE
    form_class = PeriodEditForm
    template_name = "hypercare/period_form.html"
    success_message = "Hypercare period saved."

    def get_object(self) -> Model | None:
        return self.get_period(CHANGE)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page_title"] = f"Change {self.object}"
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        period = cast(Period, self.object)
        return [("Hypercare", reverse("period-list")), (str(period), period.get_absolute_url()), ("Change", "")]

    def form_invalid(self, form: Any) -> HttpResponse:
        # The form wrote the typed values onto the instance: show the stored period's name.
        self.object = self.get_period(CHANGE)
        return super().form_invalid(form)

    def perform(self, form: PeriodEditForm) -> Model:
        return services.period_update(period=cast(Period, self.object), actor=self.request.user, **form.cleaned_data)


class PeriodCategoriesView(PeriodMixin, ScopedMixin, TemplateView):
    """A period's categories: add one, rename, mark as a training gap, deactivate."""

    request: AuthenticatedHttpRequest  # signed in (LoginRequiredMixin)
    model = Category
    action = VIEW
    template_name = "hypercare/period_categories.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST" and request.user.is_authenticated and not can(request.user, Category, CHANGE):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        period = self.get_period()
        context = super().get_context_data(**kwargs)
        can_change = can(self.request.user, Category, CHANGE) and Period.objects.restrict(self.request.user, CHANGE).filter(pk=period.pk).exists()
        context.update(page_title=f"Categories: {period}", period=period, can_change=can_change,
                       categories=period.categories.annotate(n=Count("queries")).order_by("-active", "name"),
                       form=kwargs.get("form") or CategoryAddForm())
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        period = self.get_period()
        return [("Hypercare", reverse("period-list")), (str(period), period.get_absolute_url()), ("Categories", "")]

    def post(self, request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        period = self.get_period(CHANGE)
        form = CategoryAddForm(request.POST)
        if form.is_valid():
            try:
                category = services.category_add(period=period, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Category “{category.name}” added.")
                return redirect(reverse("period-categories", args=[period.pk]))
        return self.render_to_response(self.get_context_data(form=form))


class CategoryEditView(ServiceFormView):
    request: AuthenticatedHttpRequest
    model = Category
    action = CHANGE
    form_class = CategoryEditForm
    success_message = "Category saved."

    def get_object(self) -> Model | None:
        return get_object_or_404(self.get_queryset().select_related("period__rollout_wave__programme").filter(period=id_or_404(self.kwargs["pk"])),
                                 pk=id_or_404(self.kwargs["category_pk"]))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        category = cast(Category, self.object)
        context["page_title"] = f"Change the category {Category.objects.get(pk=category.pk).name}"
        context["intro"] = "A category no longer in use keeps its queries; new queries cannot choose it."
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        period = cast(Category, self.object).period
        return [("Hypercare", reverse("period-list")), (str(period), period.get_absolute_url()),
                ("Categories", reverse("period-categories", args=[period.pk])), ("Change", "")]

    def get_cancel_url(self) -> str:
        return reverse("period-categories", args=[cast(Category, self.object).period_id])

    def perform(self, form: CategoryEditForm) -> Model:
        services.category_update(category=cast(Category, self.object), actor=self.request.user, **form.cleaned_data)
        return cast(Category, self.object).period

    def get_success_url(self, saved: Model) -> str:  # type: ignore[override]  # back to the period's categories
        return reverse("period-categories", args=[saved.pk])


class PeriodSlaView(PeriodMixin, ServiceFormView):
    """SLA targets per priority, in hours and minutes of working time."""

    request: AuthenticatedHttpRequest  # signed in (LoginRequiredMixin)
    model = SlaTarget
    action = CHANGE
    form_class = SlaTargetsForm
    template_name = "hypercare/period_sla.html"
    submit_label = "Save the targets"
    success_message = "SLA targets saved: every query's SLA now follows them."

    def get_object(self) -> Model | None:
        return self.get_period(CHANGE)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance", None)
        period = cast(Period, self.object)
        return {**kwargs, "targets": {t.priority: t for t in period.sla_targets.all()}}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        period = cast(Period, self.object)
        context.update(page_title=f"SLA targets: {period}", period=period,
                       hours_text=f"{period.day_starts:%H:%M} to {period.day_ends:%H:%M} (Europe/London)")
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        period = cast(Period, self.object)
        return [("Hypercare", reverse("period-list")), (str(period), period.get_absolute_url()), ("SLA targets", "")]

    def perform(self, form: SlaTargetsForm) -> Model:
        period = cast(Period, self.object)
        services.sla_targets_update(period=period, targets=form.targets(), actor=self.request.user)
        return period
