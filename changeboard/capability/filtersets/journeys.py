"""Filters for user journeys, shared by the list page and the API:
programme, and words in the title or persona."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from changeboard.core.params import IdChoiceFilter
from changeboard.portfolio.filtersets import programmes_in_scope

from ..models import Journey


class JourneyFilterSet(django_filters.FilterSet):
    programme = IdChoiceFilter(queryset=programmes_in_scope, label="Programme", empty_label="Any programme")  # type: ignore[arg-type]  # django-filter takes a callable of the request, as it documents
    q = django_filters.CharFilter(method="search", label="Title or persona contains")

    class Meta:
        model = Journey
        fields = ["programme"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(title__icontains=value) | Q(persona__icontains=value)) if value else queryset
