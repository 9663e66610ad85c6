"""Background work shared by every app."""

from __future__ import annotations

from django.tasks import task


@task
def deliver_outbox() -> dict[str, int]:
    """Send the emails waiting in the outbox."""
    from .outbox import deliver_due

    return deliver_due()
