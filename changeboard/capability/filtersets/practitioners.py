"""Filters for practitioners (the list page, its exports and the API):
programme, role, and whether still active; and for assessments (API)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet

from changeboard.core.params import IdChoiceFilter, IdFilter
from changeboard.portfolio.filtersets import programmes_in_scope

from ..models import Assessment, AssessmentKind, Framework, Practitioner, PractitionerRole


def roles(request: Any) -> QuerySet:
    framework = Framework.current()
    return PractitionerRole.objects.filter(framework=framework).order_by("name") if framework else PractitionerRole.objects.none()


class PractitionerFilterSet(django_filters.FilterSet):
    programme = IdChoiceFilter(field_name="programmes", queryset=programmes_in_scope, label="Programme", empty_label="Any programme")  # type: ignore[arg-type]  # django-filter takes a callable of the request, as it documents
    role = IdChoiceFilter(queryset=roles, label="Role", empty_label="Any role")  # type: ignore[arg-type]  # as above
    active = django_filters.BooleanFilter(label="Active")

    class Meta:
        model = Practitioner
        fields = ["programme", "role", "active"]


class AssessmentFilterSet(django_filters.FilterSet):
    practitioner = IdFilter(field_name="practitioner")
    kind = django_filters.ChoiceFilter(choices=AssessmentKind.choices)

    class Meta:
        model = Assessment
        fields = ["practitioner", "kind"]
