"""Pages for the exit of a hypercare period: the exit criteria with their
live figures and the decisions so far (`period-exit`), recording a decision
(`period-exit-decide`: the programme's change managers, the Board and
admins), a decision with its frozen snapshot, and changing a criterion's
threshold (change managers). Writes go through `services.exits`."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.views.generic import TemplateView

from changeboard.accounts.http import AuthenticatedHttpRequest
from changeboard.core.scoping import CHANGE, can
from changeboard.core.views import ScopedDetailView, ScopedMixin, ServiceFormView

from ..forms.exits import ExitCriterionForm, ExitDecideForm
from ..models import ExitCriterion, ExitDecision, Period
from ..services import exits as services

DECIDE = services.DECIDE


def period_url(period: Period) -> str:
    """The period's page, or the list while no period page is installed."""
    try:
        return period.get_absolute_url()
    except NoReverseMatch:
        return reverse("period-list")


def period_crumbs(period: Period) -> list[tuple[str, str]]:
    return [("Hypercare", reverse("period-list")), (str(period), period_url(period))]


def exit_context(period: Period, user: Any) -> dict[str, Any]:
    """What the exit criteria partial needs, for this page and the dashboard."""
    return {"exit_rows": services.exit_rows(period),
            "can_edit_exit": can(user, ExitCriterion, CHANGE) and Period.objects.restrict(user, CHANGE).filter(pk=period.pk).exists()}


class PeriodExitView(ScopedMixin, TemplateView):
    model = Period
    template_name = "hypercare/exit_detail.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.period = get_object_or_404(self.get_queryset().select_related("rollout_wave__programme"), pk=kwargs["pk"])
        return super().get(request, *args, **kwargs)

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [*period_crumbs(self.period), ("Exit", "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(exit_context(self.period, user))
        context.update(
            page_title=f"Exit criteria: {self.period}", period=self.period,
            decisions=self.period.decisions.select_related("decided_by").order_by("-decided_at", "-pk"),
            can_decide=self.period.status != Period.Status.EXITED and services.can_decide(user, self.period),  # type: ignore[arg-type]
        )
        return context


class PeriodExitDecideView(ServiceFormView):
    """Record the exit or an extension; the live criteria are shown above the form."""

    request: AuthenticatedHttpRequest  # signed in (LoginRequiredMixin)
    model = Period
    action = DECIDE
    form_class = ExitDecideForm
    template_name = "hypercare/exit_decide.html"
    submit_label = "Record the decision"
    success_message = "Decision recorded. The exit criteria as they stood have been frozen with it."

    def get_object(self) -> Model | None:
        return get_object_or_404(self.get_queryset().select_related("rollout_wave__programme"), pk=self.kwargs["pk"])

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._refuse_exited() or super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._refuse_exited() or super().post(request, *args, **kwargs)

    def _refuse_exited(self) -> HttpResponse | None:
        period = cast(Period, self.object)
        if period.status == Period.Status.EXITED:
            messages.error(self.request, "Hypercare for this wave has already ended.")
            return redirect(reverse("period-exit", args=[period.pk]))
        return None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        period = cast(Period, self.object)
        context.update(exit_context(period, self.request.user))
        context.update(page_title=f"Record the exit decision: {period}", period=period, can_edit_exit=False)
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        period = cast(Period, self.object)
        return [*period_crumbs(period), ("Exit", reverse("period-exit", args=[period.pk])), ("Decision", "")]

    def get_cancel_url(self) -> str:
        return reverse("period-exit", args=[cast(Period, self.object).pk])

    def get_success_url(self, saved: Model) -> str:  # type: ignore[override]  # ServiceFormView passes the saved object
        return reverse("exit-decision-detail", args=[saved.pk])

    def perform(self, form: ExitDecideForm) -> Model:
        data = form.cleaned_data
        return services.exit_decide(period=cast(Period, self.object), decision=data["decision"], reason=data["reason"],
                                    new_end=data.get("new_end"), actor=self.request.user)


class ExitDecisionDetailView(ScopedDetailView):
    """A decision and the criteria as they stood when it was recorded."""

    model = ExitDecision
    template_name = "hypercare/exit_decision_detail.html"
    context_object_name = "decision"

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("period__rollout_wave__programme", "decided_by")

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        period = self.object.period
        return [*period_crumbs(period), ("Exit", reverse("period-exit", args=[period.pk])), (str(self.object), "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        snapshot = self.object.snapshot or {}
        context.update(page_title=f"Exit decision: {self.object.period}", period=self.object.period, snapshot=snapshot,
                       exit_rows=snapshot.get("criteria", []), frozen=True, can_edit_exit=False)
        return context


class ExitCriterionEditView(ServiceFormView):
    """Change a criterion's threshold (change managers of the programme)."""

    request: AuthenticatedHttpRequest  # signed in (LoginRequiredMixin)
    model = ExitCriterion
    action = CHANGE
    form_class = ExitCriterionForm
    submit_label = "Save threshold"
    success_message = "Threshold saved."

    def get_object(self) -> Model | None:
        criterion = get_object_or_404(self.get_queryset().select_related("period__rollout_wave__programme"), pk=self.kwargs["pk"])
        if criterion.kind == ExitCriterion.Kind.NO_OPEN_P1:
            raise Http404("No open P1 has no threshold to change.")
        return criterion

    def get_form_kwargs(self) -> dict[str, Any]:
        criterion = cast(ExitCriterion, self.object)
        kwargs = {**super().get_form_kwargs(), "criterion": criterion}
        if self.request.method == "GET":
            kwargs["initial"] = {"threshold": criterion.threshold}
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        criterion = cast(ExitCriterion, self.object)
        context.update(page_title=f"Change the threshold: {criterion.get_kind_display()}",
                       intro=services.rule_text(criterion.kind, criterion.threshold))
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        period = cast(ExitCriterion, self.object).period
        return [*period_crumbs(period), ("Exit", reverse("period-exit", args=[period.pk])), ("Threshold", "")]

    def get_cancel_url(self) -> str:
        return reverse("period-exit", args=[cast(ExitCriterion, self.object).period_id])

    def get_success_url(self, saved: Model) -> str:  # type: ignore[override]  # ServiceFormView passes the saved object
        return self.get_cancel_url()

    def perform(self, form: ExitCriterionForm) -> Model:
        return services.exit_criterion_update(criterion=cast(ExitCriterion, self.object), threshold=form.cleaned_data["threshold"],
                                              actor=self.request.user)
