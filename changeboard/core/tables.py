import django_tables2 as tables

from .models import AuditEntry, OutboxMessage


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


class OutboxTable(tables.Table):
    created_at = tables.DateTimeColumn(verbose_name="Queued", format="j M Y H:i:s", linkify=True)
    kind = tables.Column(verbose_name="Kind")
    to_address = tables.Column(verbose_name="To")
    subject = tables.Column()
    status = tables.Column()
    attempts = tables.Column()
    next_attempt_at = tables.DateTimeColumn(verbose_name="Next attempt", format="j M Y H:i", default="")
    last_error = tables.Column(verbose_name="Last error", default="")

    class Meta:
        model = OutboxMessage
        fields = ["created_at", "kind", "to_address", "subject", "status", "attempts", "next_attempt_at", "last_error"]
        order_by = "-created_at"
        empty_text = "The outbox is empty."
