import django_filters

from changeboard.core.params import IdChoiceFilter
from changeboard.portfolio.filtersets import programmes_in_scope

from ..models import Period


class PeriodFilterSet(django_filters.FilterSet):
    programme = IdChoiceFilter(field_name="rollout_wave__programme", queryset=programmes_in_scope, label="Programme",  # type: ignore[arg-type]  # django-filter takes a callable of the request, as it documents
                               empty_label="Any programme")
    status = django_filters.ChoiceFilter(choices=Period.Status.choices, empty_label="Any status")

    class Meta:
        model = Period
        fields = ["programme", "status"]
