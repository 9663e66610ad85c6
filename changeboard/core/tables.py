import django_tables2 as tables

from .models import AuditEntry


class AuditEntryTable(tables.Table):
    timestamp = tables.DateTimeColumn(verbose_name="When", format="j M Y H:i:s", linkify=True)
    actor_name = tables.Column(verbose_name="Who")
    action = tables.Column()
    object_type = tables.Column(verbose_name="Object type")
    object_repr = tables.Column(verbose_name="Object")

    class Meta:
        model = AuditEntry
        fields = ["timestamp", "actor_name", "action", "object_type", "object_repr"]
        order_by = "-timestamp"
