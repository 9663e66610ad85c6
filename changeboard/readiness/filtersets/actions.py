"""Filters for the action log, shared by the pages and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet

from changeboard.accounts.models import User
from changeboard.portfolio.filtersets import ProgrammeOwnedFilterSet

from ..models import Action
from ..services.actions import overdue_actions


def owners_in_scope(request: Any) -> QuerySet:
    """Only people who own an action the user may see: the filter must not
    list every account in the force."""
    if request is None:
        return User.objects.none()
    owned = Action.objects.restrict(request.user).exclude(owner=None).values("owner")
    return User.objects.filter(pk__in=owned).order_by("first_name", "last_name", "username")


class ActionFilterSet(ProgrammeOwnedFilterSet):
    status = django_filters.ChoiceFilter(choices=Action.Status.choices, empty_label="Any status")
    source = django_filters.ChoiceFilter(choices=Action.Source.choices, empty_label="Anywhere", label="Raised from")
    owner = django_filters.ModelChoiceFilter(queryset=owners_in_scope, empty_label="Anyone", label="Owner")  # type: ignore[arg-type]  # django-filter takes a callable of the request here (documented); its stubs allow only a QuerySet
    overdue = django_filters.BooleanFilter(method="only_overdue", label="Overdue only", widget=forms.CheckboxInput)

    class Meta:
        model = Action
        fields = ["q", "programme", "status", "source", "owner", "overdue"]

    def only_overdue(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        return overdue_actions(qs) if value else qs
