"""Pages for the engagement plan and log: the list (filter, sort, page,
CSV/XLSX), planning one, changing or cancelling a plan, logging what
happened (a planned one, or one never planned) with its follow-ups, one
engagement's page, the planned-vs-done summary per owner and programme,
the engagement-debt list and a stakeholder's timeline. Every write goes
through `services.engagements`."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Model, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from changeboard.accounts.http import AuthenticatedHttpRequest
from changeboard.core import exports
from changeboard.core.forms import add_service_errors
from changeboard.core.params import parse_id, parse_page
from changeboard.core.scoping import ADD, CHANGE, can
from changeboard.core.views import ScopedDetailView, ScopedListView, ScopedMixin, ServiceFormView
from changeboard.portfolio.models import Programme
from changeboard.readiness.models import Action

from ..filtersets.engagements import EngagementFilterSet
from ..forms.engagements import (
    EngagementCancelForm,
    EngagementEditForm,
    EngagementLogForm,
    EngagementPlanForm,
    assessments_for,
    follow_up_formset,
)
from ..models import Engagement, EngagementPolicy, Message, Position, Recipient, Stakeholder, StakeholderAssessment
from ..services import engagements as services
from ..tables.engagements import EngagementTable, is_overdue

PER_PAGE = 50


def _crumbs(*rest: tuple[str, str]) -> list[tuple[str, str]]:
    return [("Engagements", reverse("engagement-list")), *rest]


class EngagementListView(ScopedListView):
    model = Engagement
    table_class = EngagementTable
    filterset_class = EngagementFilterSet
    template_name = "engagement/engagement_list.html"
    page_title = "Engagements"
    export_name = "engagements"
    export_columns = [
        ("Programme", "assessment__programme__code"), ("Stakeholder", "assessment__stakeholder__name"), ("Purpose", "purpose"),
        ("Method", "method"), ("Owner (username)", "owner__username"), ("Planned for", "planned_on"), ("Happened on", "happened_on"),
        ("Status", "status"), ("Overdue", "status"), ("Attendees", "attendees"), ("Key points", "key_points"), ("Concerns raised", "concerns"),
        ("Position afterwards", "position_after"),
    ]

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("assessment__stakeholder__staff", "assessment__programme", "owner").order_by(
            F("happened_on").desc(nulls_first=True), F("planned_on").desc(nulls_last=True), "-pk")

    def export(self, fmt: str, queryset: QuerySet) -> HttpResponse:
        paths = [p for _, p in self.export_columns][:8] + ["attendees", "key_points", "concerns", "position_after"]
        methods, statuses = dict(Engagement.Method.choices), dict(Engagement.Status.choices)
        positions = dict(Position.choices)
        today = timezone.localdate()
        rows = []
        for values in queryset.values_list(*paths):
            row = list(values)
            overdue = row[7] == Engagement.Status.PLANNED and row[5] is not None and row[5] < today
            row[3], row[7] = methods.get(row[3], row[3]), statuses.get(row[7], row[7])
            row[-1] = positions.get(row[-1], "") if row[-1] is not None else ""
            rows.append([*row[:8], "Overdue" if overdue else "", *row[8:]])
        return cast(HttpResponse, exports.export_response(fmt, self.export_name, [label for label, _ in self.export_columns], rows))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_add"] = can(self.request.user, Engagement, ADD)
        return context


class EngagementDetailView(ScopedDetailView):
    model = Engagement
    template_name = "engagement/engagement_detail.html"
    context_object_name = "engagement"

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("assessment__stakeholder__staff", "assessment__programme", "owner", "created_by")

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return _crumbs((str(self.object), ""))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        engagement: Engagement = self.object
        user = self.request.user
        changeable = Engagement.objects.restrict(user, CHANGE).filter(pk=engagement.pk).exists()
        context.update(
            page_title=str(engagement),
            overdue=is_overdue(engagement),
            can_change=changeable and engagement.status != Engagement.Status.CANCELLED,
            can_log=changeable and engagement.status == Engagement.Status.PLANNED,
            follow_ups=services.follow_up_actions(engagement).filter(pk__in=Action.objects.restrict(user).values("pk")),
        )
        return context


class EngagementPlanView(ServiceFormView):
    """Plan an engagement; `?assessment=<id>` chooses the stakeholder (the
    engagement-debt list links here)."""

    request: AuthenticatedHttpRequest
    model = Engagement
    action = ADD
    form_class = EngagementPlanForm
    template_name = "engagement/engagement_form.html"
    submit_label = "Plan engagement"
    success_message = "Engagement planned."
    page_title = "Plan an engagement"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = {**super().get_form_kwargs(), "user": self.request.user}
        chosen = parse_id(self.request.GET.get("assessment"))
        if chosen is not None:
            assessment = assessments_for(self.request.user).filter(pk=chosen).first()
            if assessment is not None:
                kwargs["initial"] = {**kwargs.get("initial", {}), "assessment": assessment.pk}
        return kwargs

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return _crumbs(("Plan an engagement", ""))

    def get_cancel_url(self) -> str:
        return reverse("engagement-list")

    def perform(self, form: EngagementPlanForm) -> Model:
        data = form.cleaned_data
        return services.engagement_plan(assessment=data["assessment"], purpose=data["purpose"], method=data["method"],
                                        planned_on=data["planned_on"], owner=data.get("owner"), actor=self.request.user)


class EngagementEditView(ServiceFormView):
    request: AuthenticatedHttpRequest
    model = Engagement
    action = CHANGE
    form_class = EngagementEditForm
    template_name = "engagement/engagement_form.html"
    success_message = "Engagement saved."

    def get_object(self) -> Model | None:
        return get_object_or_404(self.get_queryset().select_related("assessment__stakeholder__staff", "assessment__programme"),
                                 pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page_title"] = f"Change engagement: {self.object}"
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        engagement = cast(Engagement, self.object)
        return _crumbs((str(engagement), engagement.get_absolute_url()), ("Change", ""))

    def perform(self, form: EngagementEditForm) -> Model:
        fields = {name: form.cleaned_data[name] for name in form.fields}
        return services.engagement_update(engagement=cast(Engagement, self.object), actor=self.request.user, **fields)


class EngagementLogView(ServiceFormView):
    """Log what happened, with follow-up rows (a formset: three blank rows,
    "Add another follow-up" adds one without JavaScript). With `pk`, a
    planned engagement is marked done; without, one never planned is
    logged (`engagement-record`)."""

    request: AuthenticatedHttpRequest
    model = Engagement
    action = CHANGE
    form_class = EngagementLogForm
    template_name = "engagement/engagement_log.html"
    submit_label = "Log engagement"
    success_message = "Engagement logged."

    def get_object(self) -> Model | None:
        engagement = get_object_or_404(self.get_queryset().select_related("assessment__stakeholder__staff", "assessment__programme"),
                                       pk=self.kwargs["pk"])
        return engagement

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = {**super().get_form_kwargs(), "user": self.request.user}
        kwargs.pop("instance", None)
        kwargs["initial"] = {"happened_on": timezone.localdate()}
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if "follow_ups" not in context:
            context["follow_ups"] = follow_up_formset(self.request.POST if self.request.method == "POST" else None)
        engagement = cast(Engagement | None, self.object)
        context["engagement"] = engagement
        context["page_title"] = f"Log engagement: {engagement}" if engagement is not None else "Log an engagement"
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        if self.object is None:
            return _crumbs(("Log an engagement", ""))
        engagement = cast(Engagement, self.object)
        return _crumbs((str(engagement), engagement.get_absolute_url()), ("Log", ""))

    def get_cancel_url(self) -> str:
        return self.object.get_absolute_url() if self.object is not None else reverse("engagement-list")  # type: ignore[attr-defined]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.get_form()
        if "add_follow_up" in request.POST:
            # No JavaScript needed: the page comes back with one more blank row, nothing saved.
            return self.render_to_response(self.get_context_data(form=form, follow_ups=follow_up_formset(request.POST, more=True)))
        follow_ups = follow_up_formset(request.POST)
        form_ok, rows_ok = form.is_valid(), follow_ups.is_valid()
        if not (form_ok and rows_ok):
            return self.render_to_response(self.get_context_data(form=form, follow_ups=follow_ups))
        data = form.cleaned_data
        lines = [line for line in (row.follow_up() for row in follow_ups.forms) if line is not None]
        extra: dict[str, Any] = {}
        if self.object is None:
            extra = {"assessment": data["assessment"], "purpose": data["purpose"], "method": data["method"],
                     "owner": data.get("owner") or self.request.user}
        try:
            saved = services.engagement_log(
                engagement=cast(Engagement | None, self.object), happened_on=data["happened_on"], attendees=data["attendees"],
                key_points=data["key_points"], concerns=data["concerns"], position_after=data["position_after"], follow_ups=lines,
                actor=self.request.user, **extra)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.render_to_response(self.get_context_data(form=form, follow_ups=follow_ups))
        count = len(lines)
        messages.success(request, self.success_message + (f" {count} follow-up action{'s' if count != 1 else ''} raised." if count else ""))
        return redirect(saved.get_absolute_url())


class EngagementRecordView(EngagementLogView):
    """Log an engagement that was never planned."""

    action = ADD

    def get_object(self) -> Model | None:
        return None

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = {**super().get_form_kwargs(), "unplanned": True}
        chosen = parse_id(self.request.GET.get("assessment"))
        if chosen is not None and assessments_for(self.request.user).filter(pk=chosen).exists():
            kwargs["initial"] = {**kwargs["initial"], "assessment": chosen}
        return kwargs


class EngagementCancelView(ServiceFormView):
    request: AuthenticatedHttpRequest
    model = Engagement
    action = CHANGE
    form_class = EngagementCancelForm
    template_name = "engagement/engagement_form.html"
    submit_label = "Cancel engagement"
    success_message = "Engagement cancelled."

    def get_object(self) -> Model | None:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance", None)
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page_title"] = f"Cancel engagement: {self.object}"
        context["intro"] = "The engagement is kept, marked cancelled. It no longer counts as planned or overdue."
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        engagement = cast(Engagement, self.object)
        return _crumbs((str(engagement), engagement.get_absolute_url()), ("Cancel", ""))

    def perform(self, form: EngagementCancelForm) -> Model:
        return services.engagement_cancel(engagement=cast(Engagement, self.object), reason=form.cleaned_data["reason"],
                                          actor=self.request.user)


class EngagementSummaryView(ScopedMixin, TemplateView):
    """Planned vs done and overdue, per programme and per owner, over the
    engagements the user may see (optionally one programme's)."""

    model = Engagement
    template_name = "engagement/engagement_summary.html"
    page_title = "Planned and done engagements"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        programmes = Programme.objects.restrict(user).order_by("code")
        chosen = parse_id(self.request.GET.get("programme"))
        programme = programmes.filter(pk=chosen).first() if chosen is not None else None
        engagements = self.get_queryset()
        if programme is not None:
            engagements = engagements.filter(assessment__programme=programme)
        today = timezone.localdate()
        rows = services.summary(engagements, today)
        totals = {name: sum(getattr(r, name) for r in rows["programme"]) for name in ("planned", "done", "overdue", "cancelled")}
        context.update(by_programme=rows["programme"], by_owner=rows["owner"], totals=totals, programmes=programmes,
                       programme=programme, today=today)
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return _crumbs(("Planned and done", ""))


class EngagementDebtView(ScopedMixin, TemplateView):
    """Key stakeholders behind their target position and overdue for contact
    (see `services.engagements.debt`), per programme in the user's scope."""

    model = StakeholderAssessment
    template_name = "engagement/debt.html"
    page_title = "Engagement debt"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        policy = EngagementPolicy.current()
        programmes = Programme.objects.restrict(user).order_by("code")
        chosen = parse_id(self.request.GET.get("programme"))
        programme = programmes.filter(pk=chosen).first() if chosen is not None else None
        assessments = self.get_queryset()
        if programme is not None:
            assessments = assessments.filter(programme=programme)
        today = timezone.localdate()
        page = Paginator(services.debt(assessments, today, policy), PER_PAGE).get_page(parse_page(self.request.GET.get("page")) or 1)
        plannable = set(StakeholderAssessment.objects.restrict(user, CHANGE).filter(pk__in=[a.pk for a in page.object_list])
                        .values_list("pk", flat=True)) if can(user, Engagement, ADD) else set()
        rows = [{"assessment": a, "days": (today - a.last_contact).days if a.last_contact else None, "can_plan": a.pk in plannable}  # type: ignore[attr-defined]  # annotated by services.engagements.debt
                for a in page.object_list]
        context.update(policy=policy, page=page, rows=rows, programmes=programmes, programme=programme, today=today)
        return context


class StakeholderTimelineView(ScopedDetailView):
    """Everything that happened with one stakeholder across the programmes
    the user may see: engagements planned and logged, newest first, with
    their position changes, and the messages they received."""

    model = Stakeholder
    template_name = "engagement/timeline.html"
    context_object_name = "stakeholder"

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("staff__unit", "unit")

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Engagements", reverse("engagement-list")), (f"Timeline: {self.object}", "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        stakeholder: Stakeholder = self.object
        engagements = (Engagement.objects.restrict(user).filter(assessment__stakeholder=stakeholder)
                       .select_related("assessment__programme", "owner")
                       .annotate(day=Coalesce("happened_on", "planned_on")).order_by(F("day").desc(nulls_last=True), "-pk"))
        page = Paginator(engagements, PER_PAGE).get_page(parse_page(self.request.GET.get("page")) or 1)
        mappings = StakeholderAssessment.objects.restrict(user).filter(stakeholder=stakeholder).select_related("programme").order_by(
            "programme__code")
        received = Q(stakeholder=stakeholder)
        if stakeholder.staff_id:
            received |= Q(staff_id=stakeholder.staff_id)
        received_messages = (Message.objects.restrict(user).filter(pk__in=Recipient.objects.restrict(user).filter(received).values("message"))
                    .select_related("programme").order_by("-planned_on", "-pk")[:PER_PAGE]) if can(user, Recipient) else Message.objects.none()
        context.update(page_title=f"Timeline: {stakeholder.display_name}", page=page, engagements=page.object_list, mappings=mappings,
                       messages_received=received_messages, today=timezone.localdate(),
                       can_plan=can(user, Engagement, ADD) and assessments_for(user).filter(stakeholder=stakeholder).exists())
        return context
