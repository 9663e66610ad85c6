"""The recognition page's filters: programme and period. Both decide what
is counted (the champions' done activities), so the filterset annotates."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet

from changeboard.core.params import IdChoiceFilter
from changeboard.portfolio.filtersets import programmes_in_scope

from ..models import Champion
from ..services.recognition import PERIODS, period_range, recognition


class RecognitionFilterSet(django_filters.FilterSet):
    programme = IdChoiceFilter(queryset=programmes_in_scope, label="Programme", empty_label="Every programme",  # type: ignore[arg-type]  # django-filter takes a callable of the request, as it documents
                               method="no_filter")
    period = django_filters.ChoiceFilter(choices=PERIODS, empty_label="This month", label="Period", method="no_filter")

    class Meta:
        model = Champion
        fields = ["programme", "period"]

    def no_filter(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return queryset  # applied together in filter_queryset

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        data = self.form.cleaned_data
        programme = data.get("programme")
        start, end = period_range(data.get("period") or "month")
        if programme is not None:
            queryset = queryset.filter(supports__programme=programme).distinct()
        return recognition(queryset, start, end, programme)
