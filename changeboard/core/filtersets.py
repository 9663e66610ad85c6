import django_filters

from .models import AuditEntry, OutboxMessage


class AuditEntryFilterSet(django_filters.FilterSet):
    actor_name = django_filters.CharFilter(label="Who (username)", lookup_expr="iexact")
    action = django_filters.ChoiceFilter(choices=AuditEntry.Action.choices, empty_label="Any action")
    object_type = django_filters.CharFilter(label="Object type (for example organisation.staff)", lookup_expr="iexact")
    object_id = django_filters.CharFilter(label="Object id")
    request_id = django_filters.CharFilter(label="Request id")
    since = django_filters.DateFilter(field_name="timestamp", lookup_expr="date__gte", label="From (yyyy-mm-dd)")
    until = django_filters.DateFilter(field_name="timestamp", lookup_expr="date__lte", label="To (yyyy-mm-dd)")

    class Meta:
        model = AuditEntry
        fields = ["actor_name", "action", "object_type", "object_id", "request_id", "since", "until"]


class OutboxFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=OutboxMessage.Status.choices, empty_label="Any status")
    kind = django_filters.CharFilter(label="Kind (for example survey-invitation)", lookup_expr="iexact")

    class Meta:
        model = OutboxMessage
        fields = ["status", "kind"]
