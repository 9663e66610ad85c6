"""One FilterSet per model, shared by the pages and the API."""

from __future__ import annotations

import django_filters

from changeboard.core.params import IdFilter
from changeboard.portfolio.filtersets import ProgrammeOwnedFilterSet

from .models import ImpactAssessment, ImpactLine, Severity


class AssessmentFilterSet(ProgrammeOwnedFilterSet):
    status = django_filters.ChoiceFilter(choices=ImpactAssessment.Status.choices, empty_label="Any status")

    class Meta:
        model = ImpactAssessment
        fields = ["q", "programme", "status"]


class ImpactLineFilterSet(django_filters.FilterSet):
    assessment = IdFilter(field_name="assessment", label="Assessment id")
    programme = IdFilter(field_name="assessment__programme", label="Programme id")
    status = django_filters.ChoiceFilter(field_name="assessment__status", choices=ImpactAssessment.Status.choices, label="Assessment status")
    severity = django_filters.ChoiceFilter(choices=Severity.choices)
    severity_min = django_filters.NumberFilter(field_name="severity", lookup_expr="gte", label="Severity at least")

    class Meta:
        model = ImpactLine
        fields = ["assessment", "programme", "status", "severity", "severity_min"]
