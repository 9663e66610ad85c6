"""Cutover's listeners on the apps below it."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from changeboard.readiness.signals import review_decided


@receiver(review_decided, dispatch_uid="cutover_pause_on_no_go")
def _pause_on_no_go(sender: Any, review_id: int, **kwargs: Any) -> None:
    from .services.runs import runs_pause_on_no_go

    runs_pause_on_no_go(review_id=review_id)
