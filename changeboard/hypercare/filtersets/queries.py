"""Filters for the support queue, shared by the pages and the API: period,
status (open ones by default), priority, category, unit (with everything
below it), assignee ("me", "unassigned" or a person) and text."""

from __future__ import annotations

from typing import Any, cast

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.http import QueryDict

from changeboard.accounts.models import User
from changeboard.core.params import IdChoiceFilter, parse_id
from changeboard.core.scoping import subtree_q
from changeboard.organisation.models import Unit

from ..models import Category, Period, Priority, Query
from ..services.sla import ClockState, sla_states

OPEN, ALL = "open", "all"
SLA_CHOICES = [(ClockState.BREACHED, "Breached"), (ClockState.AT_RISK, "At risk (80% used)"), (ClockState.RUNNING, "Running"),
               (ClockState.PAUSED, "Paused (waiting on the requester)"), (ClockState.MET, "Met")]
BY_PRIORITY, NEWEST, OLDEST, BY_SLA = "priority", "newest", "oldest", "sla"
ORDER_CHOICES = [(BY_PRIORITY, "Priority, then oldest"), (BY_SLA, "SLA time remaining, least first"), (NEWEST, "Newest first"),
                 (OLDEST, "Oldest first")]
ORDERINGS = {BY_PRIORITY: ("priority", "created_at", "pk"), NEWEST: ("-created_at", "-pk"), OLDEST: ("created_at", "pk")}
ME, UNASSIGNED = "me", "none"


def periods_in_scope(request: Any) -> QuerySet:
    if request is None:
        return Period.objects.none()
    return Period.objects.restrict(request.user).select_related("rollout_wave__programme").order_by("-starts_on", "pk")


def categories_in_scope(request: Any) -> QuerySet:
    if request is None:
        return Category.objects.none()
    return Category.objects.restrict(request.user).select_related("period__rollout_wave__programme").order_by("name", "period")


def units_in_scope(request: Any) -> QuerySet:
    if request is None:
        return Unit.objects.none()
    return Unit.objects.restrict(request.user).order_by("path")


class QueryFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Reference, title or tag")
    period = IdChoiceFilter(queryset=periods_in_scope, label="Period", empty_label="Any period")  # type: ignore[arg-type]  # django-filter takes a callable of the request, as it documents
    status = django_filters.ChoiceFilter(choices=[(OPEN, "Open (any open status)"), (ALL, "Any status"), *Query.Status.choices],
                                         method="filter_status", empty_label=None, label="Status")
    priority = django_filters.ChoiceFilter(choices=Priority.choices, empty_label="Any priority")
    category = IdChoiceFilter(queryset=categories_in_scope, label="Category", empty_label="Any category")  # type: ignore[arg-type]  # django-filter takes a callable of the request, as it documents
    unit = IdChoiceFilter(queryset=units_in_scope, method="filter_unit", label="Unit (and below)", empty_label="Any unit")  # type: ignore[arg-type]  # django-filter takes a callable of the request, as it documents
    assignee = django_filters.ChoiceFilter(choices=[(ME, "Me"), (UNASSIGNED, "Unassigned")], method="filter_assignee", empty_label="Anyone",
                                           label="Assigned to")
    # Computed from each query's history (services.sla), so applied last, on the rows the other filters leave.
    sla = django_filters.ChoiceFilter(choices=SLA_CHOICES, method="filter_sla", empty_label="Any SLA state", label="SLA state")
    order = django_filters.ChoiceFilter(choices=ORDER_CHOICES, method="keep", empty_label=None, label="Sort by")

    class Meta:
        model = Query
        fields = ["q", "period", "status", "priority", "category", "unit", "assignee", "sla", "order"]

    def __init__(self, data: Any = None, *args: Any, period: Period | None = None, **kwargs: Any) -> None:
        # Open queries unless told otherwise.
        data = data.copy() if data is not None else QueryDict(mutable=True)
        if not data.get("status"):
            data["status"] = OPEN
        if not data.get("order"):
            data["order"] = BY_PRIORITY
        super().__init__(data, *args, **kwargs)
        self.only_period = period
        request = kwargs.get("request")
        if period is not None:
            del self.filters["period"]
        # Narrow the choices on this form's own fields: a filter may carry a
        # form field built earlier (django-filter caches it on the filter, and
        # copies it with the class's filters), so changing the filter would not
        # reach the form.
        fields = self.form.fields
        if period is not None:
            cast(forms.ModelChoiceField, fields["category"]).queryset = period.categories.order_by("name")
        people = self.assignee_people(request, period)
        cast(forms.ChoiceField, fields["assignee"]).choices = [(ME, "Me"), (UNASSIGNED, "Unassigned"),
                                                               *((str(u.pk), u.get_full_name() or u.username) for u in people)]
        fields["unit"].label_from_instance = lambda u: "— " * max(u.depth - 1, 0) + u.name  # type: ignore[attr-defined]  # Django's documented per-instance hook
        if period is None:
            fields["category"].label_from_instance = lambda c: f"{c.name} ({c.period.rollout_wave.programme.code} {c.period.rollout_wave.name})"  # type: ignore[attr-defined]  # Django's documented per-instance hook

    @staticmethod
    def assignee_people(request: Any, period: Period | None) -> QuerySet:
        """People holding a query the user may see (never every account)."""
        if request is None:
            return User.objects.none()
        held = Query.objects.restrict(request.user).exclude(assignee=None)
        if period is not None:
            held = held.filter(period=period)
        return User.objects.filter(pk__in=held.values("assignee")).order_by("first_name", "last_name", "username")

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return qs
        return qs.filter(Q(reference__iexact=value) | Q(title__icontains=value) | Q(tags__icontains=value) | Q(external_ref__iexact=value))

    def filter_status(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        if value == OPEN:
            return qs.filter(status__in=Query.OPEN_STATUSES)
        if value == ALL or not value:
            return qs
        return qs.filter(status=value)

    def filter_unit(self, qs: QuerySet, name: str, value: Unit | None) -> QuerySet:
        return qs.filter(subtree_q([value.path], "unit__path")) if value is not None else qs

    def keep(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        """The order: by priority, age (in the database) or by SLA time remaining (`sla_order`)."""
        return qs.order_by(*ORDERINGS[value]) if value in ORDERINGS else qs

    def filter_sla(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        """Queries whose current clock (response until answered, then resolution) is in this state."""
        if not value:
            return qs
        states = sla_states(qs)
        return qs.filter(pk__in=[pk for pk, state in states.items() if state.current.state == value])

    def filter_assignee(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        if value == ME:
            user = getattr(self.request, "user", None)
            return qs.filter(assignee=user.pk) if user is not None and user.is_authenticated else qs.none()
        if value == UNASSIGNED:
            return qs.filter(assignee=None)
        pk = parse_id(value)
        return qs.filter(assignee=pk) if pk is not None else qs


def sla_order(queryset: QuerySet) -> list[int]:
    """The ids of `queryset` by SLA time remaining, least first: breached
    (most overdue first), then running or paused clocks by minutes left,
    then met and those without a target."""
    states = sla_states(queryset)

    def key(pk: int) -> tuple[int, float]:
        clock = states[pk].current
        if clock.remaining_minutes is None or clock.state in (ClockState.MET, ClockState.NO_TARGET):
            return (1, float(pk))
        return (0, float(clock.remaining_minutes))

    return sorted(states, key=key)
