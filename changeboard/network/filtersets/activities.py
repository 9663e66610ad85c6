"""Filters for champion activities, shared by the list page, its exports and
the API: programme, champion, kind, status, a unit (with everything below
it) and a date range."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet

from changeboard.core.params import IdChoiceFilter
from changeboard.organisation.models import Unit
from changeboard.portfolio.filtersets import programmes_in_scope

from ..models import Activity, Champion

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def champions_in_scope(request: Any) -> QuerySet:
    """Only champions with an activity the user may see."""
    if request is None:
        return Champion.objects.none()
    return Champion.objects.filter(pk__in=Activity.objects.restrict(request.user).values("champion")).select_related("staff")


def units_in_scope(request: Any) -> QuerySet:
    """The units the user may see, in tree order."""
    if request is None:
        return Unit.objects.none()
    return Unit.objects.restrict(request.user).order_by("path")


class ActivityFilterSet(django_filters.FilterSet):
    programme = IdChoiceFilter(queryset=programmes_in_scope, label="Programme", empty_label="Any programme")  # type: ignore[arg-type]  # django-filter takes a callable of the request, as it documents
    champion = IdChoiceFilter(queryset=champions_in_scope, label="Champion", empty_label="Any champion")  # type: ignore[arg-type]  # as above
    kind = django_filters.ChoiceFilter(choices=Activity.Kind.choices, empty_label="Any kind")
    status = django_filters.ChoiceFilter(choices=Activity.Status.choices, empty_label="Any status")
    unit = IdChoiceFilter(queryset=units_in_scope, method="in_subtree", label="Unit (and below)", empty_label="Any unit")  # type: ignore[arg-type]  # as above
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label="From", widget=DATE)
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label="To", widget=DATE)

    class Meta:
        model = Activity
        fields = ["programme", "champion", "kind", "status", "unit", "date_from", "date_to"]

    def in_subtree(self, qs: QuerySet, name: str, value: Unit | None) -> QuerySet:
        return qs.filter(unit__path__startswith=value.path) if value is not None else qs
