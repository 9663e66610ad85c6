"""Filters for the stakeholder register and its assessments, shared by the
pages and the API (one FilterSet per model): programme, kind, position,
owner, needs review and text. On the register, the programme, position and
owner filters ask for one assessment that matches them all, among the
assessments the user may see."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django_filters.widgets import BooleanWidget

from changeboard.accounts.models import Role, User
from changeboard.core.params import IdChoiceFilter, IdFilter
from changeboard.portfolio.filtersets import programmes_in_scope

from ..models import Position, Stakeholder, StakeholderAssessment

YES_NO = [("yes", "Needs review"), ("no", "Does not need review")]


def owners(request: Any) -> QuerySet:
    """Who may own a relationship: active administrators and change managers."""
    if request is None:
        return User.objects.none()
    return User.objects.filter(is_active=True, role__in=[Role.ADMIN, Role.CHANGE_MANAGER]).order_by("first_name", "last_name", "username")


def _search(prefix: str, value: str) -> Q:
    value = value.strip()
    q = Q()
    for word in value.split()[:5]:
        q &= (Q(**{f"{prefix}name__icontains": word}) | Q(**{f"{prefix}organisation__icontains": word})
              | Q(**{f"{prefix}role_title__icontains": word}) | Q(**{f"{prefix}staff__staff_number": word}))
    return q


class StakeholderFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Name, organisation, role or staff number", max_length=100)
    programme = IdChoiceFilter(queryset=programmes_in_scope, method="keep", label="Mapped for programme", empty_label="Any programme")  # type: ignore[arg-type]  # django-filter takes a callable of the request, as it documents
    kind = django_filters.ChoiceFilter(choices=Stakeholder.Kind.choices, empty_label="Any kind")
    position = django_filters.ChoiceFilter(choices=Position.choices, method="keep", label="Current position",
                                                empty_label="Any position")
    owner = IdChoiceFilter(queryset=owners, method="keep", label="Owner", empty_label="Anyone")  # type: ignore[arg-type]  # django-filter takes a callable of the request, as it documents
    needs_review = django_filters.ChoiceFilter(choices=YES_NO, method="filter_review", label="Needs review", empty_label="Either")
    active = django_filters.BooleanFilter(label="On the register", widget=BooleanWidget())

    class Meta:
        model = Stakeholder
        fields = ["q", "programme", "kind", "position", "owner", "needs_review", "active"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(_search("", value)) if value.strip() else queryset

    def keep(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return queryset  # applied together in filter_queryset

    def filter_review(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "yes":
            return queryset.exclude(needs_review="")
        if value == "no":
            return queryset.filter(needs_review="")
        return queryset

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        q = Q()
        if data.get("programme"):
            q &= Q(programme=data["programme"])
        if data.get("position"):
            q &= Q(current_position=data["position"])
        if data.get("owner"):
            q &= Q(owner=data["owner"])
        if q:
            user = getattr(self.request, "user", None)
            seen = StakeholderAssessment.objects.restrict(user).filter(q)
            queryset = queryset.filter(pk__in=seen.values("stakeholder_id"))
        return queryset


class StakeholderAssessmentFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Name, organisation, role or staff number", max_length=100)
    programme = IdChoiceFilter(queryset=programmes_in_scope, label="Programme", empty_label="Any programme")  # type: ignore[arg-type]  # django-filter takes a callable of the request, as it documents
    stakeholder = IdFilter(field_name="stakeholder", label="Stakeholder (id)", widget=forms.HiddenInput)
    kind = django_filters.ChoiceFilter(field_name="stakeholder__kind", choices=Stakeholder.Kind.choices, empty_label="Any kind")
    position = django_filters.ChoiceFilter(field_name="current_position", choices=Position.choices,
                                                label="Current position", empty_label="Any position")
    owner = IdChoiceFilter(queryset=owners, label="Owner", empty_label="Anyone")  # type: ignore[arg-type]  # django-filter takes a callable of the request, as it documents
    needs_review = django_filters.ChoiceFilter(choices=YES_NO, method="filter_review", label="Needs review", empty_label="Either")

    class Meta:
        model = StakeholderAssessment
        fields = ["q", "programme", "stakeholder", "kind", "position", "owner", "needs_review"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(_search("stakeholder__", value)) if value.strip() else queryset

    def filter_review(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "yes":
            return queryset.exclude(stakeholder__needs_review="")
        if value == "no":
            return queryset.filter(stakeholder__needs_review="")
        return queryset
