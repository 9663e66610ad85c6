"""django-filter FilterSets for cutover pages and the API, one module per area."""
import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django_filters.widgets import BooleanWidget

from changeboard.core.params import IdChoiceFilter, IdFilter
from changeboard.portfolio.filtersets import programmes_in_scope

from ..models import Runbook


class RunbookFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Title")
    programme = IdChoiceFilter(queryset=programmes_in_scope, label="Programme", empty_label="Any programme")  # type: ignore[arg-type]  # django-filter takes a callable of the request, as it documents
    rollout_wave = IdFilter(field_name="rollout_wave", label="Rollout wave (id)", widget=forms.HiddenInput)
    mode = django_filters.ChoiceFilter(choices=Runbook.Mode.choices, empty_label="Any mode")
    is_template = django_filters.BooleanFilter(label="Templates only", widget=BooleanWidget())

    class Meta:
        model = Runbook
        fields = ["q", "programme", "rollout_wave", "mode", "is_template"]

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return qs.filter(Q(title__icontains=value) | Q(programme__code__iexact=value)) if value else qs
