"""Keep the register in step with the HR record: after an HR import commits,
person stakeholders who left are flagged, and movers are flagged with the
move (their unit follows the staff record by itself)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import receiver

from changeboard.organisation.signals import staff_changed


@receiver(staff_changed, dispatch_uid="engagement-stakeholder-hr-sync")
def flag_stakeholders_after_staff_change(sender: Any, **kwargs: Any) -> None:
    from .services.stakeholders import sync_from_staff

    transaction.on_commit(sync_from_staff)
