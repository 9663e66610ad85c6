"""The recipients of a message on its deliveries page (the email's state is the outbox's)."""

from __future__ import annotations

import django_tables2 as tables

from ..models import Recipient

STATUS_LABELS = {"pending": "Waiting to send", "sent": "Sent", "failed": "Failed"}


class RecipientTable(tables.Table):
    name = tables.Column(accessor="pk", verbose_name="Name", orderable=False)
    unit = tables.Column(accessor="unit__name", verbose_name="Unit", default="–", orderable=False)
    address = tables.Column(accessor="outbox__to_address", verbose_name="Email address", default="–", orderable=False)
    kind = tables.Column(verbose_name="Sent as", orderable=False)
    sequence = tables.Column(verbose_name="Invitation version", orderable=False)
    status = tables.Column(accessor="outbox__status", verbose_name="Delivery", default="No email address", orderable=False)
    last_error = tables.Column(accessor="outbox__last_error", verbose_name="Last error", default="–", orderable=False)

    class Meta:
        model = Recipient
        fields = ["name", "unit", "address", "kind", "sequence", "status", "last_error"]
        empty_text = "Nobody yet: the message has not been sent."

    def render_name(self, record: Recipient) -> str:
        if record.staff_id and record.staff is not None:
            return f"{record.staff.first_name} {record.staff.last_name}"
        if record.stakeholder_id and record.stakeholder is not None:
            return record.stakeholder.display_name
        return "(no longer on record)"

    def render_status(self, value: str) -> str:
        return STATUS_LABELS.get(value, value)

    def render_sequence(self, value: int) -> str:
        return str(value + 1)
