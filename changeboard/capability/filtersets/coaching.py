"""Filters for coaching sessions (the list page, its export and the API): the
coachee and the coach. Never the private text."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet

from changeboard.accounts.models import User
from changeboard.core.params import IdChoiceFilter

from ..models import CoachingSession, Practitioner


def coachees_in_scope(request: Any) -> QuerySet:
    if request is None:
        return Practitioner.objects.none()
    return Practitioner.objects.filter(pk__in=CoachingSession.objects.restrict(request.user).values("practitioner")).select_related("staff")


def coaches_in_scope(request: Any) -> QuerySet:
    if request is None:
        return User.objects.none()
    return User.objects.filter(pk__in=CoachingSession.objects.restrict(request.user).values("coach")).order_by("last_name", "first_name")


class CoachingSessionFilterSet(django_filters.FilterSet):
    practitioner = IdChoiceFilter(queryset=coachees_in_scope, label="Coachee", empty_label="Any coachee")  # type: ignore[arg-type]  # django-filter takes a callable of the request
    coach = IdChoiceFilter(queryset=coaches_in_scope, label="Coach", empty_label="Any coach")  # type: ignore[arg-type]  # as above

    class Meta:
        model = CoachingSession
        fields = ["practitioner", "coach"]
