"""One FilterSet per model, shared by the pages and the API."""

from __future__ import annotations

from typing import cast

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone

from changeboard.core.params import IdChoiceFilter

from .models import RankGrade, Staff, StaffQuerySet, Unit


class UnitChoiceFilter(IdChoiceFilter):
    """Filters by a unit and everything below it."""

    def filter(self, qs: QuerySet, value: Unit | None) -> QuerySet:
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__path__startswith": value.path})


def _units(request):  # noqa: ANN001, ANN202
    if request is None:
        return Unit.objects.none()
    return Unit.objects.restrict(request.user).filter(depth__lte=4)


class StaffFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Name, staff number or email")
    unit = UnitChoiceFilter(field_name="unit", queryset=_units, label="Unit (and the units below it)", empty_label="Any unit")  # type: ignore[arg-type]  # django-filter takes a callable of the request here (documented); its stubs allow only a QuerySet
    rank_grade = IdChoiceFilter(queryset=RankGrade.objects.all(), label="Rank or grade", empty_label="Any rank or grade")
    role = django_filters.CharFilter(lookup_expr="icontains", label="Role")
    status = django_filters.ChoiceFilter(
        method="by_status", label="Status", empty_label="In post",
        choices=[("leavers", "Leavers"), ("all", "Everyone")],
    )

    class Meta:
        model = Staff
        fields = ["q", "unit", "rank_grade", "role", "status"]

    @property
    def qs(self) -> QuerySet:
        qs = cast(StaffQuerySet, super().qs)
        if not getattr(self.form, "cleaned_data", {}).get("status"):
            qs = qs.current()
        return qs

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return qs
        query = Q(staff_number__iexact=value) | Q(email__iexact=value)
        for word in value.split():
            query |= Q(first_name__istartswith=word) | Q(last_name__istartswith=word)
        words = value.split()
        if len(words) > 1:
            query |= Q(first_name__istartswith=words[0], last_name__istartswith=words[-1])
        return qs.filter(query)

    def by_status(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        if value == "leavers":
            today = timezone.localdate()
            return qs.filter(Q(is_leaver=True) | Q(leave_date__lte=today))
        return qs


class UnitFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Name")
    level = django_filters.ChoiceFilter(choices=Unit.Level.choices)
    code = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Unit
        fields = ["q", "level", "code"]
