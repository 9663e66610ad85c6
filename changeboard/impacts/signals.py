"""Keep derived reach current when the organisation changes."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import receiver

from changeboard.core.tasks import enqueue_or_call
from changeboard.organisation.signals import staff_changed

from .services import refresh_all_reach


@receiver(staff_changed)
def refresh_reach_after_staff_change(sender: Any, **kwargs: Any) -> None:
    transaction.on_commit(lambda: enqueue_or_call(refresh_all_reach))  # nothing else would refresh it
