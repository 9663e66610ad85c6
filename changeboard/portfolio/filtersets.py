from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from changeboard.core.params import IdChoiceFilter

from .models import Programme


def programmes_in_scope(request: Any) -> QuerySet:
    """The programmes the user may see, by code: the choices of a filter on
    programme (django-filter passes the request, None outside a view)."""
    if request is None:
        return Programme.objects.none()
    return Programme.objects.restrict(request.user).order_by("code")


class ProgrammeOwnedFilterSet(django_filters.FilterSet):
    """Filters for what belongs to a programme (survey waves, impact
    assessments): a title or programme code, and the programme among those
    the user may see. Subclasses add their own filters and Meta."""

    q = django_filters.CharFilter(method="search", label="Title")
    programme = IdChoiceFilter(queryset=programmes_in_scope, label="Programme", empty_label="Any programme")  # type: ignore[arg-type]  # django-filter takes a callable of the request, as it documents

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return qs.filter(Q(title__icontains=value) | Q(programme__code__iexact=value)) if value else qs


class ProgrammeFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Code or name")
    status = django_filters.ChoiceFilter(choices=Programme.Status.choices, empty_label="Any status")
    phase = django_filters.ChoiceFilter(choices=Programme.Phase.choices, empty_label="Any phase")

    class Meta:
        model = Programme
        fields = ["q", "status", "phase"]

    def search(self, qs, name, value):  # noqa: ANN001, ANN201
        from django.db.models import Q

        return qs.filter(Q(code__icontains=value) | Q(name__icontains=value)) if value else qs
