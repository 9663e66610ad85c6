import django_filters

from changeboard.core.params import IdFilter

from ..models import Dependency, Task


class TaskFilterSet(django_filters.FilterSet):
    runbook = IdFilter(field_name="runbook", label="Runbook (id)")
    stream = django_filters.CharFilter(field_name="stream", lookup_expr="iexact")
    kind = django_filters.ChoiceFilter(choices=Task.Kind.choices, label="Type")

    class Meta:
        model = Task
        fields = ["runbook", "stream", "kind"]


class DependencyFilterSet(django_filters.FilterSet):
    runbook = IdFilter(field_name="successor__runbook", label="Runbook (id)")
    successor = IdFilter(field_name="successor", label="Successor task (id)")
    predecessor = IdFilter(field_name="predecessor", label="Predecessor task (id)")

    class Meta:
        model = Dependency
        fields = ["runbook", "successor", "predecessor"]
