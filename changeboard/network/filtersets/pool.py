"""Filters for the champion pool, shared by the list page (and its export)
and the API: a name or staff number, programme supported, status, unit
(with everything below it), location, shift pattern, needs review and
over-committed. The queryset must carry `services.load.with_asked`'s
annotations for the over-committed filter."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from changeboard.core.params import IdChoiceFilter, IdFilter
from changeboard.organisation.models import Staff, Unit
from changeboard.portfolio.filtersets import programmes_in_scope

from ..models import Champion, Support

YES_NO_REVIEW = [("yes", "Needs review"), ("no", "Does not need review")]
YES_NO_OVER = [("yes", "Over-committed"), ("no", "Within the time agreed")]


def units(request: Any) -> QuerySet:
    if request is None:
        return Unit.objects.none()
    return Unit.objects.restrict(request.user).order_by("path")


def _distinct_staff_values(field: str) -> list[tuple[str, str]]:
    values = (Staff.objects.filter(champion__isnull=False).exclude(**{field: ""}).order_by(field)
              .values_list(field, flat=True).distinct())
    return [(value, value) for value in values[:500]]


def location_choices() -> list[tuple[str, str]]:
    return _distinct_staff_values("location")


def shift_choices() -> list[tuple[str, str]]:
    return _distinct_staff_values("shift_pattern")


class ChampionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Name or staff number", max_length=100)
    programme = IdChoiceFilter(queryset=programmes_in_scope, method="filter_programme", label="Programme supported",  # type: ignore[arg-type]  # django-filter takes a callable of the request, as it documents
                               empty_label="Any programme")
    status = django_filters.ChoiceFilter(choices=Champion.Status.choices, empty_label="Any status")
    unit = IdChoiceFilter(queryset=units, method="filter_unit", label="Unit (and below)", empty_label="Any unit")  # type: ignore[arg-type]  # django-filter takes a callable of the request, as it documents
    location = django_filters.ChoiceFilter(field_name="staff__location", choices=location_choices, label="Location",
                                           empty_label="Any location")
    shift_pattern = django_filters.ChoiceFilter(field_name="staff__shift_pattern", choices=shift_choices, label="Shift pattern",
                                                empty_label="Any shift pattern")
    needs_review = django_filters.ChoiceFilter(choices=YES_NO_REVIEW, method="filter_review", label="HR review", empty_label="Either")
    over_committed = django_filters.ChoiceFilter(choices=YES_NO_OVER, method="filter_over", label="Load", empty_label="Any load")

    class Meta:
        model = Champion
        fields = ["q", "programme", "status", "unit", "location", "shift_pattern", "needs_review", "over_committed"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        q = Q()
        for word in value.split()[:5]:
            q &= Q(staff__first_name__icontains=word) | Q(staff__last_name__icontains=word) | Q(staff__staff_number=word)
        return queryset.filter(q) if q else queryset

    def filter_programme(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(pk__in=Support.objects.filter(programme=value, active=True).values("champion_id"))

    def filter_unit(self, queryset: QuerySet, name: str, value: Unit | None) -> QuerySet:
        """Working in the unit's subtree, or looking after a unit in it."""
        if not value:
            return queryset
        inside = Champion.objects.filter(Q(staff__unit__path__startswith=value.path) | Q(units__path__startswith=value.path))
        return queryset.filter(pk__in=inside.values("pk"))

    def filter_review(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "yes":
            return queryset.exclude(needs_review="")
        if value == "no":
            return queryset.filter(needs_review="")
        return queryset

    def filter_over(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value in ("yes", "no"):
            return queryset.filter(over=value == "yes")
        return queryset


class SupportFilterSet(django_filters.FilterSet):
    champion = IdFilter(field_name="champion", label="Champion (id)")
    programme = IdChoiceFilter(queryset=programmes_in_scope, label="Programme", empty_label="Any programme")  # type: ignore[arg-type]  # django-filter takes a callable of the request, as it documents
    active = django_filters.BooleanFilter(label="Still asking")

    class Meta:
        model = Support
        fields = ["champion", "programme", "active"]
