import django_filters

from .models import Programme


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
