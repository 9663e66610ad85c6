"""One FilterSet per model, shared by the pages and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from changeboard.portfolio.models import Programme

from .models import ImpactAssessment, ImpactLine, Severity


def _programmes(request: Any) -> QuerySet:
    if request is None:
        return Programme.objects.none()
    return Programme.objects.restrict(request.user).order_by("code")


class AssessmentFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Title")
    programme = django_filters.ModelChoiceFilter(queryset=_programmes, label="Programme", empty_label="Any programme")
    status = django_filters.ChoiceFilter(choices=ImpactAssessment.Status.choices, empty_label="Any status")

    class Meta:
        model = ImpactAssessment
        fields = ["q", "programme", "status"]

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return qs.filter(Q(title__icontains=value) | Q(programme__code__iexact=value)) if value else qs


class ImpactLineFilterSet(django_filters.FilterSet):
    assessment = django_filters.NumberFilter(field_name="assessment", label="Assessment id")
    programme = django_filters.NumberFilter(field_name="assessment__programme", label="Programme id")
    status = django_filters.ChoiceFilter(field_name="assessment__status", choices=ImpactAssessment.Status.choices, label="Assessment status")
    severity = django_filters.ChoiceFilter(choices=Severity.choices)
    severity_min = django_filters.NumberFilter(field_name="severity", lookup_expr="gte", label="Severity at least")

    class Meta:
        model = ImpactLine
        fields = ["assessment", "programme", "status", "severity", "severity_min"]
