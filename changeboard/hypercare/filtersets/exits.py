"""Filters for exit decisions (the API: by period and decision)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet

from changeboard.core.params import IdChoiceFilter

from ..models import ExitDecision, Period


def periods_in_scope(request: Any) -> QuerySet:
    if request is None:
        return Period.objects.none()
    return Period.objects.restrict(request.user).order_by("-starts_on", "pk")


class ExitDecisionFilterSet(django_filters.FilterSet):
    period = IdChoiceFilter(queryset=periods_in_scope, label="Hypercare period", empty_label="Any period")  # type: ignore[arg-type]  # django-filter takes a callable of the request, as it documents
    decision = django_filters.ChoiceFilter(choices=ExitDecision.Decision.choices, empty_label="Any decision")

    class Meta:
        model = ExitDecision
        fields = ["period", "decision"]
