"""Keeping `ElementTally` current: one grouped aggregate per batch of waves,
computed in the database and written with one bulk insert."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.dispatch import receiver
from django.tasks import task

from changeboard.core.tasks import enqueue_or_call
from changeboard.surveys.models import Answer, SurveyWave
from changeboard.surveys.signals import responses_changed

from .models import ElementTally
from .scores import likert_sums, store_waves

BATCH = 50


def rebuild(wave_ids: Iterable[int]) -> int:
    """Replace the tallies of these waves and the unit scores stored from
    them (`scores.store_waves`); returns the tally rows written."""
    ids = sorted({int(pk) for pk in wave_ids})
    written = 0
    for start in range(0, len(ids), BATCH):
        batch = ids[start:start + BATCH]
        grouped = likert_sums(Answer.objects.filter(response__wave_id__in=batch))
        rows = [ElementTally(wave_id=g["response__wave_id"], unit_id=g["response__unit_id"], role_group=g["response__role_group"],
                             element=g["question__adkar"], source=g["response__source"], responses=g["n"], answers=g["a"],
                             total=g["t"] or 0, total_sq=g["q"] or 0) for g in grouped.iterator(chunk_size=5000)]
        with transaction.atomic():
            ElementTally.objects.filter(wave_id__in=batch).delete()
            ElementTally.objects.bulk_create(rows, batch_size=2000)
        store_waves(batch)
        written += len(rows)
    _evaluate_score_criteria(ids)
    return written


def _evaluate_score_criteria(wave_ids: list[int]) -> None:
    """Criteria fed from the scores follow them: re-evaluate those of the
    programmes whose waves were rebuilt."""
    from .models import Criterion
    from .services.criteria import criterion_evaluate

    programmes = SurveyWave.objects.filter(pk__in=wave_ids).values("programme_id")
    for criterion in Criterion.objects.filter(feed=Criterion.Feed.SCORE, programme_id__in=programmes).select_related("programme"):
        criterion_evaluate(criterion=criterion)


@receiver(responses_changed, dispatch_uid="readiness-rebuild-tallies")
def _on_responses_changed(sender: Any, wave_ids: Iterable[int] = (), background: bool = False, **kwargs: Any) -> None:
    """A wave closing or a bulk load (the seed): rebuild in the worker. An
    import: rebuild its wave now. Submissions to an open wave send nothing:
    scores are shown only for closed waves, so a hot roll-up row is never
    locked by every submission."""
    if background:
        ids = [int(pk) for pk in wave_ids]
        transaction.on_commit(lambda: enqueue_or_call(rebuild_tallies, ids))  # nothing else would rebuild them
    else:
        rebuild(wave_ids)


@task
def rebuild_tallies(wave_ids: list[int]) -> int:
    """Rebuild the element tallies of these waves (after a bulk load)."""
    return rebuild(wave_ids)
