"""One FilterSet per model, shared by the pages and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from changeboard.portfolio.models import Programme

from .models import Deferral, SurveyWave


def _programmes(request: Any) -> QuerySet:
    if request is None:
        return Programme.objects.none()
    return Programme.objects.restrict(request.user).order_by("code")


class WaveFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Title")
    programme = django_filters.ModelChoiceFilter(queryset=_programmes, label="Programme", empty_label="Any programme")
    status = django_filters.ChoiceFilter(choices=SurveyWave.Status.choices, empty_label="Any status")

    class Meta:
        model = SurveyWave
        fields = ["q", "programme", "status"]

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return qs.filter(Q(title__icontains=value) | Q(programme__code__iexact=value)) if value else qs


class DeferralFilterSet(django_filters.FilterSet):
    reason = django_filters.ChoiceFilter(choices=Deferral.Reason.choices, empty_label="Any reason")

    class Meta:
        model = Deferral
        fields = ["reason"]
