"""One FilterSet for the comms plan's pages and API: programme, channel,
status, owner, a date range and the rollout wave."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from changeboard.accounts.models import User
from changeboard.core.params import IdChoiceFilter
from changeboard.portfolio.filtersets import programmes_in_scope
from changeboard.portfolio.models import RolloutWave

from ..models import Message


def owners_in_scope(request: Any) -> QuerySet:
    """People who may own a message: admins and change managers (the owner
    filter's choices)."""
    if request is None:
        return User.objects.none()
    return User.objects.filter(Q(role="admin") | Q(role="change_manager"), is_active=True).order_by("first_name", "last_name", "pk")


def waves_in_scope(request: Any) -> QuerySet:
    if request is None:
        return RolloutWave.objects.none()
    return RolloutWave.objects.restrict(request.user).select_related("programme").order_by("programme__code", "go_live_date", "pk")


class MessageFilterSet(django_filters.FilterSet):
    programme = IdChoiceFilter(queryset=programmes_in_scope, label="Programme", empty_label="Any programme")  # type: ignore[arg-type]  # django-filter takes a callable of the request, as it documents
    channel = django_filters.ChoiceFilter(choices=Message.Channel.choices, empty_label="Any channel")
    status = django_filters.ChoiceFilter(choices=Message.Status.choices, empty_label="Any status")
    owner = IdChoiceFilter(queryset=owners_in_scope, label="Owner", empty_label="Anyone")  # type: ignore[arg-type]  # as above
    rollout_wave = IdChoiceFilter(queryset=waves_in_scope, label="Rollout wave", empty_label="Any wave")  # type: ignore[arg-type]  # as above
    planned_from = django_filters.DateFilter(field_name="planned_on", lookup_expr="gte", label="Planned from",
                                             help_text="For example 2027-02-01")
    planned_to = django_filters.DateFilter(field_name="planned_on", lookup_expr="lte", label="Planned to", help_text="For example 2027-02-28")

    class Meta:
        model = Message
        fields = ["programme", "channel", "status", "owner", "rollout_wave", "planned_from", "planned_to"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["owner"].field.label_from_instance = lambda u: u.get_full_name() or u.username  # type: ignore[attr-defined]
        self.filters["rollout_wave"].field.label_from_instance = lambda w: f"{w.programme.code} – {w.name}"  # type: ignore[attr-defined]
        for name in ("planned_from", "planned_to"):
            self.filters[name].field.widget.input_type = "date"
