"""Keep derived reach current when the organisation changes."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import receiver

from changeboard.organisation.signals import staff_changed

from .services import refresh_all_reach


@receiver(staff_changed)
def refresh_reach_after_staff_change(sender: Any, **kwargs: Any) -> None:
    transaction.on_commit(lambda: refresh_all_reach.enqueue())
