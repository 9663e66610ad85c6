"""Filters for readiness reviews (for the API: the page lists one
programme's reviews, split by decided)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet

from changeboard.portfolio.filtersets import programmes_in_scope
from changeboard.portfolio.models import RolloutWave

from ..models import Review


def waves_in_scope(request: Any) -> QuerySet:
    if request is None:
        return RolloutWave.objects.none()
    return RolloutWave.objects.restrict(request.user).select_related("programme").order_by("programme__code", "go_live_date")


class ReviewFilterSet(django_filters.FilterSet):
    """For the API: the page lists one programme's reviews, split by decided."""

    programme = django_filters.ModelChoiceFilter(queryset=programmes_in_scope, label="Programme", empty_label="Any programme")  # type: ignore[arg-type]  # django-filter takes a callable of the request here (documented); its stubs allow only a QuerySet
    rollout_wave = django_filters.ModelChoiceFilter(queryset=waves_in_scope, label="Rollout wave")  # type: ignore[arg-type]  # django-filter takes a callable of the request here (documented); its stubs allow only a QuerySet
    decided = django_filters.BooleanFilter(method="by_decided", label="Decided")

    class Meta:
        model = Review
        fields = ["programme", "rollout_wave", "decided"]

    def by_decided(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return qs
        return qs.exclude(decision="") if value else qs.filter(decision="")
