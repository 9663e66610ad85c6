import django_filters
from django.db.models import QuerySet

from ..models import Team


class TeamFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Name")

    class Meta:
        model = Team
        fields = ["q"]

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return qs.filter(name__icontains=value) if value else qs
