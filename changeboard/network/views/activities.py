"""Pages for champion activities: the list (filter, sort, page, CSV/XLSX),
one activity, a champion's log (phone-friendly), a change manager's plan,
changing one, marking a planned one done, cancelling it, and the reach per
unit. Every write goes through `services.activities`."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from changeboard.accounts.http import AuthenticatedHttpRequest
from changeboard.core import exports
from changeboard.core.params import parse_date, parse_id
from changeboard.core.scoping import ADD, CHANGE, can
from changeboard.core.views import ScopedDetailView, ScopedListView, ScopedMixin, ServiceFormView
from changeboard.organisation.models import Unit
from changeboard.portfolio.models import Programme

from ..filtersets.activities import ActivityFilterSet
from ..forms.activities import ActivityCancelForm, ActivityCompleteForm, ActivityEditForm, ActivityLogForm, ActivityPlanForm
from ..models import Activity, Champion
from ..services import activities as services
from ..tables.activities import ActivityTable


def _crumbs(*rest: tuple[str, str]) -> list[tuple[str, str]]:
    return [("Activities", reverse("activity-list")), *rest]


class ActivityListView(ScopedListView):
    model = Activity
    table_class = ActivityTable
    filterset_class = ActivityFilterSet
    template_name = "network/activity_list.html"
    page_title = "Champion activities"
    export_name = "champion-activities"
    export_columns = [
        ("Date", "date"), ("Kind", "kind"), ("Status", "status"), ("Champion staff number", "champion__staff__staff_number"),
        ("Champion first name", "champion__staff__first_name"), ("Champion last name", "champion__staff__last_name"),
        ("Programme", "programme__code"), ("Unit", "unit__full_path"), ("People reached (contacts)", "people_reached"),
        ("Minutes", "minutes"), ("Notes", "notes"),
    ]

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("champion__staff", "programme", "unit")

    def export(self, fmt: str, queryset: QuerySet) -> HttpResponse:
        kinds, statuses = dict(Activity.Kind.choices), dict(Activity.Status.choices)
        rows = []
        for values in queryset.values_list(*[p for _, p in self.export_columns]):
            row = list(values)
            row[1], row[2] = kinds.get(row[1], row[1]), statuses.get(row[2], row[2])
            rows.append(row)
        return cast(HttpResponse, exports.export_response(fmt, self.export_name, [label for label, _ in self.export_columns], rows))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["own"] = services.champion_entry(user) if getattr(user, "role", None) == "champion" else None
        context["can_plan"] = can(user, Activity, ADD) and getattr(user, "role", None) in ("admin", "change_manager")
        return context


class ActivityDetailView(ScopedDetailView):
    model = Activity
    template_name = "network/activity_detail.html"
    context_object_name = "activity"

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("champion__staff", "programme", "unit", "planned_by", "created_by")

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return _crumbs((str(self.object), ""))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        activity: Activity = self.object
        changeable = services.changeable(self.request.user).filter(pk=activity.pk).exists()
        context.update(page_title=f"{activity.get_kind_display()}: {activity.programme.code}",
                       can_change=changeable and activity.status != Activity.Status.CANCELLED,
                       can_complete=changeable and activity.status == Activity.Status.PLANNED)
        return context


class ActivityLogView(ServiceFormView):
    """A champion logs what they did: one column, big radios, few fields,
    today and their own unit (and single programme) preselected. Someone
    with no place in the pool is told so, and nothing is saved."""

    request: AuthenticatedHttpRequest
    model = Activity
    action = ADD
    form_class = ActivityLogForm
    template_name = "network/activity_log.html"
    submit_label = "Log activity"
    success_message = "Activity logged. Thank you."
    page_title = "Log an activity"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.champion = services.champion_entry(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not self._can_log():
            return self.render_to_response(self.get_context_data(form=None))
        return super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not self._can_log():
            return self.render_to_response(self.get_context_data(form=None))
        return super().post(request, *args, **kwargs)

    def _can_log(self) -> bool:
        return self.champion is not None and Champion.objects.active().filter(pk=self.champion.pk).exists()

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = {**super().get_form_kwargs(), "champion": self.champion}
        champion = cast(Champion, self.champion)
        initial: dict[str, Any] = {"date": timezone.localdate(), "people_reached": 0, "minutes": 30}
        unit = services.default_unit(champion)
        if unit is not None:
            initial["unit"] = unit.pk
        programmes = list(services.supported(champion)[:2])
        if len(programmes) == 1:
            initial["programme"] = programmes[0].pk
        chosen = parse_id(self.request.GET.get("programme"))
        if chosen is not None and any(p.pk == chosen for p in services.supported(champion)):
            initial["programme"] = chosen
        kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["champion"] = self.champion
        context["can_log"] = self._can_log()
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return _crumbs(("Log an activity", ""))

    def get_cancel_url(self) -> str:
        return reverse("activity-list")

    def perform(self, form: ActivityLogForm) -> Model:
        data = form.cleaned_data
        return services.activity_log(champion=cast(Champion, self.champion), programme=data["programme"], kind=data["kind"], date=data["date"],
                                     unit=data["unit"], people_reached=data["people_reached"], minutes=data["minutes"],
                                     notes=data.get("notes") or "", actor=self.request.user)


class ActivityPlanView(ServiceFormView):
    """A change manager plans an activity for one of their programmes'
    champions (`?champion=&programme=` preselect them)."""

    request: AuthenticatedHttpRequest
    model = Activity
    action = ADD
    form_class = ActivityPlanForm
    template_name = "network/activity_form.html"
    submit_label = "Plan activity"
    success_message = "Activity planned. The champion has been told by email."
    page_title = "Plan an activity for a champion"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and getattr(request.user, "role", None) not in ("admin", "change_manager"):
            raise PermissionDenied  # champions log; only change managers plan
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = {**super().get_form_kwargs(), "user": self.request.user}
        initial: dict[str, Any] = {"date": timezone.localdate() + dt.timedelta(days=7), "people_reached": 0, "minutes": 30}
        for name in ("champion", "programme"):
            chosen = parse_id(self.request.GET.get(name))
            if chosen is not None:
                initial[name] = chosen
        kwargs["initial"] = initial
        return kwargs

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return _crumbs(("Plan an activity", ""))

    def get_cancel_url(self) -> str:
        return reverse("activity-list")

    def perform(self, form: ActivityPlanForm) -> Model:
        data = form.cleaned_data
        return services.activity_plan(champion=data["champion"], programme=data["programme"], kind=data["kind"], date=data["date"],
                                      unit=data.get("unit"), people_reached=data["people_reached"], minutes=data["minutes"],
                                      notes=data.get("notes") or "", actor=self.request.user)


class _OneActivity(ServiceFormView):
    request: AuthenticatedHttpRequest
    model = Activity
    action = CHANGE
    template_name = "network/activity_form.html"
    verb = ""

    def get_object(self) -> Model | None:
        return get_object_or_404(services.changeable(self.request.user).select_related("champion__staff", "programme", "unit"),
                                 pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page_title"] = f"{self.verb}: {self.object}"
        context["activity"] = self.object
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        activity = cast(Activity, self.object)
        return _crumbs((str(activity), activity.get_absolute_url()), (self.verb, ""))


class ActivityEditView(_OneActivity):
    form_class = ActivityEditForm
    success_message = "Activity saved."
    verb = "Change activity"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["activity"] = self.object
        return kwargs

    def perform(self, form: ActivityEditForm) -> Model:
        fields = {name: form.cleaned_data[name] for name in form.fields}
        fields["notes"] = fields.get("notes") or ""
        return services.activity_update(activity=cast(Activity, self.object), actor=self.request.user, **fields)


class ActivityCompleteView(_OneActivity):
    form_class = ActivityCompleteForm
    submit_label = "Mark as done"
    success_message = "Activity marked done."
    verb = "Mark done"

    def get_initial(self) -> dict[str, Any]:
        activity = cast(Activity, self.object)
        return {"date": min(activity.date, timezone.localdate()), "people_reached": activity.people_reached, "minutes": activity.minutes}

    def perform(self, form: ActivityCompleteForm) -> Model:
        data = form.cleaned_data
        return services.activity_complete(activity=cast(Activity, self.object), date=data["date"], people_reached=data["people_reached"],
                                          minutes=data["minutes"], notes=data.get("notes") or None, actor=self.request.user)


class ActivityCancelView(_OneActivity):
    form_class = ActivityCancelForm
    submit_label = "Cancel activity"
    success_message = "Activity cancelled."
    verb = "Cancel activity"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["intro"] = "The activity is kept, marked cancelled. It no longer counts as planned."
        return context

    def perform(self, form: ActivityCancelForm) -> Model:
        return services.activity_cancel(activity=cast(Activity, self.object), reason=form.cleaned_data["reason"], actor=self.request.user)


class ReachView(ScopedMixin, TemplateView):
    """Contacts made by done activities per unit (drill down the tree)
    against the impacted headcount, for one programme or all those the
    user may see, over a period (default the last 90 days)."""

    model = Activity
    template_name = "network/reach.html"
    page_title = "Reach"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        params = self.request.GET
        programmes = Programme.objects.restrict(user).exclude(status="closed").order_by("code")
        chosen = parse_id(params.get("programme"))
        programme = programmes.filter(pk=chosen).first() if chosen is not None else None
        units = Unit.objects.restrict(user)
        unit_id = parse_id(params.get("unit"))
        parent = units.filter(pk=unit_id).first() if unit_id is not None else None
        today = timezone.localdate()
        end = parse_date(params.get("date_to")) or today
        start = parse_date(params.get("date_from")) or end - dt.timedelta(days=services.REACH_DAYS)
        if start > end:
            start, end = end, start
        result = services.reach(self.get_queryset(), [programme] if programme is not None else list(programmes), units, parent=parent,
                                start=start, end=end, programme=programme)
        above = [parent.path[:end] for end in range(Unit.steplen, len(parent.path), Unit.steplen)] if parent is not None else []
        ancestors = list(units.filter(path__in=above).order_by("path"))
        context.update(reach=result, programmes=programmes, programme=programme, parent=parent, ancestors=ancestors,
                       start=start, end=end, default_days=services.REACH_DAYS)
        return context
