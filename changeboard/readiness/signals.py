"""Keeps criterion statuses in step with the rollout waves' units.

A criterion assesses the units of its programme's rollout waves (or of one
wave), with one `CriterionStatus` per unit. When a wave's units change (a
unit added, removed or the list cleared, from either side of the relation)
or a wave is deleted, the programme's criteria are re-evaluated once the
transaction commits, so a unit added gets its status row (and a fed RAG)
before the next review, and `review_blockers` sees it.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete
from django.dispatch import Signal, receiver

from changeboard.portfolio.models import Programme, RolloutWave

WaveUnits = RolloutWave.units.through

# Sent once a review's decision has committed, with `review_id`: apps above
# readiness (cutover pauses a live run on a no-go) connect to it.
review_decided = Signal()
_CLEARING = "_readiness_clearing_programmes"


def _evaluate_later(programme_ids: Iterable[int]) -> None:
    for programme_id in sorted(set(programme_ids)):
        transaction.on_commit(partial(_evaluate, programme_id))


def _evaluate(programme_id: int) -> None:
    from .services.criteria import criteria_evaluate_programme

    programme = Programme.objects.filter(pk=programme_id).first()
    if programme is not None:
        criteria_evaluate_programme(programme)


@receiver(m2m_changed, sender=WaveUnits, dispatch_uid="readiness_wave_units_changed")
def wave_units_changed(sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any) -> None:
    if not reverse:
        # instance is the wave.
        if action in ("post_add", "post_remove", "post_clear"):
            _evaluate_later([instance.programme_id])
        return
    # instance is a unit; pk_set names waves (None on clear, so note them first).
    if action == "pre_clear":
        setattr(instance, _CLEARING, list(RolloutWave.objects.filter(units=instance).values_list("programme_id", flat=True)))
    elif action == "post_clear":
        _evaluate_later(getattr(instance, _CLEARING, []))
    elif action in ("post_add", "post_remove") and pk_set:
        _evaluate_later(RolloutWave.objects.filter(pk__in=pk_set).values_list("programme_id", flat=True))


@receiver(post_delete, sender=RolloutWave, dispatch_uid="readiness_wave_deleted")
def wave_deleted(sender: Any, instance: RolloutWave, **kwargs: Any) -> None:
    # Deleting a wave removes its unit rows without m2m_changed.
    _evaluate_later([instance.programme_id])
