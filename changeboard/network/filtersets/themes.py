"""Filters for feedback from the floor, shared by the list page, its
exports and the API: programme, category, sentiment, status, unit (and
everything below it), champion, and the day it was heard."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet

from changeboard.core.params import IdChoiceFilter
from changeboard.organisation.filtersets import UnitChoiceFilter
from changeboard.organisation.models import Unit
from changeboard.portfolio.filtersets import programmes_in_scope

from ..models import Champion, Theme

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def units_in_scope(request: Any) -> QuerySet:
    """The units the user may see (each filters its subtree)."""
    if request is None:
        return Unit.objects.none()
    return Unit.objects.restrict(request.user).order_by("path")


def champions_in_scope(request: Any) -> QuerySet:
    """Only champions who recorded a theme the user may see."""
    if request is None:
        return Champion.objects.none()
    heard = Theme.objects.restrict(request.user).exclude(champion=None).values("champion")
    return Champion.objects.filter(pk__in=heard).select_related("staff")


class ThemeFilterSet(django_filters.FilterSet):
    programme = IdChoiceFilter(queryset=programmes_in_scope, label="Programme", empty_label="Any programme")  # type: ignore[arg-type]  # django-filter takes a callable of the request, as it documents
    category = django_filters.ChoiceFilter(choices=Theme.Category.choices, empty_label="Any category")
    sentiment = django_filters.ChoiceFilter(choices=Theme.Sentiment.choices, empty_label="Any sentiment")
    status = django_filters.ChoiceFilter(choices=Theme.Status.choices, empty_label="Any status")
    unit = UnitChoiceFilter(field_name="unit", queryset=units_in_scope, label="Unit (and the units below it)", empty_label="Any unit")  # type: ignore[arg-type]  # as above
    champion = IdChoiceFilter(queryset=champions_in_scope, label="Champion", empty_label="Anyone")  # type: ignore[arg-type]  # as above
    heard_from = django_filters.DateFilter(field_name="heard_on", lookup_expr="gte", label="Heard from", widget=DATE)
    heard_to = django_filters.DateFilter(field_name="heard_on", lookup_expr="lte", label="Heard to", widget=DATE)

    class Meta:
        model = Theme
        fields = ["programme", "category", "sentiment", "status", "unit", "champion", "heard_from", "heard_to"]
