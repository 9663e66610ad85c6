"""Filters for runs and their tasks (the API's `?runbook=`, `?run=`)."""

from __future__ import annotations

import django_filters

from changeboard.core.params import IdFilter

from ..models import Run, RunTask


class RunFilterSet(django_filters.FilterSet):
    runbook = IdFilter(field_name="runbook", label="Runbook id")
    kind = django_filters.ChoiceFilter(choices=Run.Kind.choices)
    status = django_filters.ChoiceFilter(choices=Run.Status.choices)

    class Meta:
        model = Run
        fields = ["runbook", "kind", "status"]


class RunTaskFilterSet(django_filters.FilterSet):
    run = IdFilter(field_name="run", label="Run id")
    status = django_filters.ChoiceFilter(choices=RunTask.Status.choices)
    stream = django_filters.CharFilter(field_name="stream", lookup_expr="iexact")

    class Meta:
        model = RunTask
        fields = ["run", "status", "stream"]
