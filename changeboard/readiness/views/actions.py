"""Pages for the one action log: the log itself (filter, sort, page,
CSV/XLSX), raising an action (by hand, or pre-filled from a score, a
criterion, a hotspot or a review), one action and changing it.

What an action is raised from is read from the page's address on every
request, each object looked up within the user's scope (404 otherwise),
so a link to another programme's data can be neither shown nor saved.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.db.models import BooleanField, Case, Model, Q, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from changeboard.accounts.http import AuthenticatedHttpRequest
from changeboard.core import exports
from changeboard.core.params import date_or_404, id_or_404
from changeboard.core.scoping import ADD, CHANGE, can
from changeboard.core.views import ScopedDetailView, ScopedListView, ServiceFormView
from changeboard.organisation.models import Unit
from changeboard.portfolio.models import Programme
from changeboard.surveys.models import SurveyWave

from ..filtersets.actions import ActionFilterSet
from ..forms.actions import ActionEditForm, ActionForm
from ..models import Action, Criterion, Review
from ..services import actions as services
from ..tables.actions import ActionTable

DEFAULT_DAYS = 14


def with_overdue(queryset: QuerySet) -> QuerySet:
    """Annotate `is_overdue` in the database, the same rule as
    `services.actions.overdue_actions`, so the export can carry it."""
    late = Q(status__in=Action.OPEN_STATUSES, due_date__lt=timezone.localdate())
    return queryset.annotate(is_overdue=Case(When(late, then=Value(True)), default=Value(False), output_field=BooleanField()))


class ActionListView(ScopedListView):
    model = Action
    table_class = ActionTable
    filterset_class = ActionFilterSet
    template_name = "readiness/action_list.html"
    page_title = "Action log"
    export_name = "actions"
    export_columns = [
        ("Programme", "programme__code"), ("Action", "title"), ("Unit", "unit__name"), ("Owner (username)", "owner__username"),
        ("Due", "due_date"), ("Status", "status"), ("Overdue", "is_overdue"), ("Raised from", "source"),
        ("Description", "description"), ("Created", "created_at"), ("Closed", "closed_at"),
    ]

    def get_queryset(self) -> QuerySet:
        return with_overdue(super().get_queryset().select_related("programme", "unit", "owner"))

    def export(self, fmt: str, queryset: QuerySet) -> HttpResponse:
        paths = [p for _, p in self.export_columns]
        at_overdue, at_status, at_source = paths.index("is_overdue"), paths.index("status"), paths.index("source")
        statuses, sources = dict(Action.Status.choices), dict(Action.Source.choices)
        rows = []
        for values in queryset.values_list(*paths):
            row = list(values)
            row[at_overdue] = "Overdue" if row[at_overdue] else ""
            row[at_status], row[at_source] = statuses.get(row[at_status], row[at_status]), sources.get(row[at_source], row[at_source])
            rows.append(row)
        return cast(HttpResponse, exports.export_response(fmt, self.export_name, [label for label, _ in self.export_columns], rows))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["raise_for"] = Programme.objects.restrict(user).order_by("code") if can(user, Action, ADD) else []
        return context


def links_from(request: HttpRequest, programme: Programme) -> dict[str, Any]:
    """The source and linked objects named by `?source=...`, each in the
    user's scope and of this programme (404 otherwise)."""
    user = request.user
    params = request.GET
    source = params.get("source") or Action.Source.MANUAL
    if source not in Action.Source.values:
        raise Http404
    links: dict[str, Any] = {"source": source}
    if params.get("unit"):
        links["unit"] = get_object_or_404(Unit.objects.restrict(user), pk=id_or_404(params.get("unit")))
    if source == Action.Source.SCORE:
        links["survey_wave"] = get_object_or_404(SurveyWave.objects.restrict(user).filter(programme=programme),
                                                 pk=id_or_404(params.get("survey_wave")))
    elif source == Action.Source.CRITERION:
        links["criterion"] = get_object_or_404(Criterion.objects.restrict(user).filter(programme=programme), pk=id_or_404(params.get("criterion")))
    elif source == Action.Source.HOTSPOT:
        links["hotspot_week"] = date_or_404(params.get("week"))
        if "unit" not in links:
            raise Http404
    elif source == Action.Source.REVIEW:
        links["review"] = get_object_or_404(Review.objects.restrict(user).filter(programme=programme), pk=id_or_404(params.get("review")))
    return links


def suggested_title(links: dict[str, Any]) -> str:
    unit = links.get("unit")
    where = f" in {unit.name}" if unit is not None else ""
    if "survey_wave" in links:
        return f"Raise readiness{where} (from {links['survey_wave'].title})"
    if "criterion" in links:
        return f"{links['criterion'].title}{where}"
    if "hotspot_week" in links:
        return f"Reduce the change load{where}, week of {links['hotspot_week']:%d %b %Y}"
    if "review" in links:
        return f"Follow up: {links['review']}"
    return ""


class ActionCreateView(ServiceFormView):
    request: AuthenticatedHttpRequest  # signed in (LoginRequiredMixin)
    model = Action
    action = ADD
    form_class = ActionForm
    template_name = "readiness/action_form.html"
    submit_label = "Raise action"
    success_message = "Action raised."

    def get_object(self) -> Model | None:
        self.programme = get_object_or_404(Programme.objects.restrict(self.request.user), pk=self.kwargs["programme_pk"])
        self.links = links_from(self.request, self.programme)
        return None

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = {**super().get_form_kwargs(), "user": self.request.user}
        kwargs["initial"] = {"title": suggested_title(self.links), "unit": self.links.get("unit"),
                             "due_date": timezone.localdate() + dt.timedelta(days=DEFAULT_DAYS)}
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(page_title=f"Raise an action: {self.programme.code}", programme=self.programme, links=self.links,
                       source_label=Action.Source(self.links["source"]).label)
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Action log", reverse("action-list")), ("New action", "")]

    def get_cancel_url(self) -> str:
        review = self.links.get("review")
        return review.get_absolute_url() if review is not None else f"{reverse('action-list')}?programme={self.programme.pk}"

    def perform(self, form: ActionForm) -> Model:
        links = {k: v for k, v in self.links.items() if k != "unit"}
        data = dict(form.cleaned_data)
        return services.action_create(programme=self.programme, actor=self.request.user, **links, **data)


class ActionDetailView(ScopedDetailView):
    model = Action
    template_name = "readiness/action_detail.html"
    context_object_name = "action_item"  # `action` would shadow the view's scoping action in templates

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("programme", "unit", "owner", "created_by", "criterion", "review", "survey_wave")

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Action log", reverse("action-list")), (self.object.title, "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        item: Action = self.object
        context.update(
            page_title=item.title,
            can_change=Action.objects.restrict(user, CHANGE).filter(pk=item.pk).exists(),
            # Links shown only when the reader may open them.
            review_link=Review.objects.restrict(user).filter(pk=item.review_id).first() if item.review_id else None,
            criterion_link=Criterion.objects.restrict(user).filter(pk=item.criterion_id).first() if item.criterion_id else None,
            wave_link=SurveyWave.objects.restrict(user).filter(pk=item.survey_wave_id).first() if item.survey_wave_id else None,
        )
        return context


class ActionEditView(ServiceFormView):
    model = Action
    action = CHANGE
    form_class = ActionEditForm
    success_message = "Action saved."

    def get_object(self) -> Model | None:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page_title"] = f"Change action: {self.object}"
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Action log", reverse("action-list")), (str(self.object), cast(Action, self.object).get_absolute_url()), ("Change", "")]

    def perform(self, form: ActionEditForm) -> Model:
        # The form has written its values onto the instance; the service
        # reads the stored row again for the audit.
        return services.action_update(action=self.object, actor=self.request.user, **form.cleaned_data)  # type: ignore[arg-type]
