"""Filters for the engagement plan and log, shared by the list page, its
exports and the API: programme, owner, status, method, overdue, a date
range (the day it happened, or the planned day while not done), the
stakeholder and a text search."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from changeboard.accounts.models import User
from changeboard.core.params import IdChoiceFilter, IdFilter
from changeboard.portfolio.filtersets import programmes_in_scope

from ..models import Engagement
from ..services.engagements import overdue_q

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def owners_in_scope(request: Any) -> QuerySet:
    """Only people who own an engagement the user may see."""
    if request is None:
        return User.objects.none()
    owned = Engagement.objects.restrict(request.user).exclude(owner=None).values("owner")
    return User.objects.filter(pk__in=owned).order_by("first_name", "last_name", "username")


class EngagementFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Stakeholder or purpose")
    programme = IdChoiceFilter(field_name="assessment__programme", queryset=programmes_in_scope, label="Programme",  # type: ignore[arg-type]  # django-filter takes a callable of the request, as it documents
                               empty_label="Any programme")
    owner = IdChoiceFilter(queryset=owners_in_scope, label="Owner", empty_label="Anyone")  # type: ignore[arg-type]  # as above
    status = django_filters.ChoiceFilter(choices=Engagement.Status.choices, empty_label="Any status")
    method = django_filters.ChoiceFilter(choices=Engagement.Method.choices, empty_label="Any method")
    overdue = django_filters.BooleanFilter(method="only_overdue", label="Overdue only", widget=forms.CheckboxInput)
    date_from = django_filters.DateFilter(method="on_or_after", label="From", widget=DATE)
    date_to = django_filters.DateFilter(method="on_or_before", label="To", widget=DATE)
    stakeholder = IdFilter(field_name="assessment__stakeholder", label="Stakeholder id", widget=forms.HiddenInput)
    assessment = IdFilter(field_name="assessment", label="Assessment id", widget=forms.HiddenInput)

    class Meta:
        model = Engagement
        fields = ["q", "programme", "owner", "status", "method", "overdue", "date_from", "date_to", "stakeholder", "assessment"]

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return qs.filter(Q(purpose__icontains=value) | Q(assessment__stakeholder__name__icontains=value)) if value else qs

    def only_overdue(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        return qs.filter(overdue_q()) if value else qs

    def on_or_after(self, qs: QuerySet, name: str, value: Any) -> QuerySet:
        if not value:
            return qs
        return qs.filter(Q(happened_on__gte=value) | Q(happened_on__isnull=True, planned_on__gte=value))

    def on_or_before(self, qs: QuerySet, name: str, value: Any) -> QuerySet:
        if not value:
            return qs
        return qs.filter(Q(happened_on__lte=value) | Q(happened_on__isnull=True, planned_on__lte=value))
