"""The cutover calendar's filters: programme and a date range. The dates
narrow the computed windows (not a database column), so the FilterSet only
validates them (`core.params`-strict: a bad date is a form error)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet

from changeboard.core.params import IdChoiceFilter
from changeboard.portfolio.filtersets import programmes_in_scope

from ..models import Runbook

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CalendarFilterSet(django_filters.FilterSet):
    programme = IdChoiceFilter(queryset=programmes_in_scope, label="Programme", empty_label="Any programme")  # type: ignore[arg-type]  # django-filter takes a callable of the request, as it documents
    start = django_filters.DateFilter(method="by_window", label="From", widget=DATE,
                                      help_text="Windows that end on or after this day.")
    end = django_filters.DateFilter(method="by_window", label="To", widget=DATE,
                                    help_text="Windows that start on or before this day.")

    class Meta:
        model = Runbook
        fields = ["programme", "start", "end"]

    def by_window(self, qs: QuerySet, name: str, value: object) -> QuerySet:
        return qs  # a window is computed from the schedule: the view narrows by it (`services.calendar.within`)
