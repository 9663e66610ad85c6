"""Filters for readiness criteria, their statuses and evidence, shared by
the pages and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from changeboard.core.params import IdFilter

from ..models import Criterion, CriterionStatus, Evidence, Rag


class CriterionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Criterion contains")
    programme = IdFilter(field_name="programme", label="Programme id")
    category = django_filters.ChoiceFilter(choices=Criterion.Category.choices, empty_label="Any category")
    criticality = django_filters.ChoiceFilter(choices=Criterion._meta.get_field("criticality").choices, empty_label="Any criticality")
    feed = django_filters.ChoiceFilter(choices=Criterion.Feed.choices, empty_label="Any way of assessing", label="Assessed by")

    class Meta:
        model = Criterion
        fields = ["q", "programme", "category", "criticality", "feed"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value)) if value else queryset


class CriterionStatusFilterSet(django_filters.FilterSet):
    criterion = IdFilter(field_name="criterion", label="Criterion id")
    programme = IdFilter(field_name="criterion__programme", label="Programme id")
    unit = IdFilter(field_name="unit", label="Unit id")
    rag = django_filters.ChoiceFilter(choices=Rag.choices, label="RAG")

    class Meta:
        model = CriterionStatus
        fields = ["criterion", "programme", "unit", "rag"]


class EvidenceFilterSet(django_filters.FilterSet):
    criterion = IdFilter(field_name="criterion", label="Criterion id")
    programme = IdFilter(field_name="criterion__programme", label="Programme id")
    unit = IdFilter(field_name="unit", label="Unit id")

    class Meta:
        model = Evidence
        fields = ["criterion", "programme", "unit"]
