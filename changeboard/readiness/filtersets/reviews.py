"""Filters for readiness reviews and the action log, shared by the pages and
the API (the criteria filters are in `filtersets.py`)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet

from changeboard.accounts.models import User
from changeboard.portfolio.filtersets import ProgrammeOwnedFilterSet, programmes_in_scope
from changeboard.portfolio.models import RolloutWave

from .models import Action, Review
from .services.actions import overdue_actions


def owners_in_scope(request: Any) -> QuerySet:
    """Only people who own an action the user may see: the filter must not
    list every account in the force."""
    if request is None:
        return User.objects.none()
    owned = Action.objects.restrict(request.user).exclude(owner=None).values("owner")
    return User.objects.filter(pk__in=owned).order_by("first_name", "last_name", "username")


def waves_in_scope(request: Any) -> QuerySet:
    if request is None:
        return RolloutWave.objects.none()
    return RolloutWave.objects.restrict(request.user).select_related("programme").order_by("programme__code", "go_live_date")


class ActionFilterSet(ProgrammeOwnedFilterSet):
    status = django_filters.ChoiceFilter(choices=Action.Status.choices, empty_label="Any status")
    source = django_filters.ChoiceFilter(choices=Action.Source.choices, empty_label="Anywhere", label="Raised from")
    owner = django_filters.ModelChoiceFilter(queryset=owners_in_scope, empty_label="Anyone", label="Owner")
    overdue = django_filters.BooleanFilter(method="only_overdue", label="Overdue only", widget=forms.CheckboxInput)

    class Meta:
        model = Action
        fields = ["q", "programme", "status", "source", "owner", "overdue"]

    def only_overdue(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        return overdue_actions(qs) if value else qs


class ReviewFilterSet(django_filters.FilterSet):
    """For the API: the page lists one programme's reviews, split by decided."""

    programme = django_filters.ModelChoiceFilter(queryset=programmes_in_scope, label="Programme", empty_label="Any programme")
    rollout_wave = django_filters.ModelChoiceFilter(queryset=waves_in_scope, label="Rollout wave")
    decided = django_filters.BooleanFilter(method="by_decided", label="Decided")

    class Meta:
        model = Review
        fields = ["programme", "rollout_wave", "decided"]

    def by_decided(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return qs
        return qs.exclude(decision="") if value else qs.filter(decision="")
