"""Filters of the approaches list and API."""

from __future__ import annotations

import django_filters

from changeboard.core.params import IdChoiceFilter, IdFilter
from changeboard.portfolio.filtersets import programmes_in_scope

from ..models import Approach, ApproachVersion


class ApproachFilterSet(django_filters.FilterSet):
    # django-filter takes a callable of the request, as it documents
    programme = IdChoiceFilter(queryset=programmes_in_scope, label="Programme", empty_label="Any programme")  # type: ignore[arg-type]
    status = django_filters.ChoiceFilter(choices=Approach.Status.choices, empty_label="Any status")

    class Meta:
        model = Approach
        fields = ["programme", "status"]


class ApproachVersionFilterSet(django_filters.FilterSet):
    approach = IdFilter(field_name="approach_id")

    class Meta:
        model = ApproachVersion
        fields = ["approach"]
