"""Keeping `ElementTally` current: one grouped aggregate per batch of waves,
computed in the database and written with one bulk insert."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField, Count, ExpressionWrapper, F, Sum
from django.dispatch import receiver

from changeboard.surveys.models import Answer, Question
from changeboard.surveys.signals import responses_changed

from .models import ElementTally

BATCH = 50


def rebuild(wave_ids: Iterable[int]) -> int:
    """Replace the tallies of these waves; returns the rows written."""
    ids = sorted({int(pk) for pk in wave_ids})
    written = 0
    for start in range(0, len(ids), BATCH):
        batch = ids[start:start + BATCH]
        grouped = _likert(Answer.objects.filter(response__wave_id__in=batch))
        rows = [ElementTally(wave_id=g["response__wave_id"], unit_id=g["response__unit_id"], role_group=g["response__role_group"],
                             element=g["question__adkar"], source=g["response__source"], responses=g["n"], answers=g["a"],
                             total=g["t"] or 0, total_sq=g["q"] or 0) for g in grouped.iterator(chunk_size=5000)]
        with transaction.atomic():
            ElementTally.objects.filter(wave_id__in=batch).delete()
            ElementTally.objects.bulk_create(rows, batch_size=2000)
        written += len(rows)
    return written


def _likert(answers: Any) -> Any:
    square = ExpressionWrapper(F("value") * F("value"), output_field=BigIntegerField())
    return (answers.filter(question__kind=Question.Kind.LIKERT, value__isnull=False).exclude(question__adkar="")
            .values("response__wave_id", "response__unit_id", "response__role_group", "question__adkar", "response__source")
            .annotate(n=Count("response_id", distinct=True), a=Count("id"), t=Sum("value"), q=Sum(square))
            .order_by())


def add(response_ids: Iterable[int | str]) -> int:
    """Add newly stored responses to the tallies: a few atomic increments,
    whatever the size of the wave (a submission must not re-read its wave)."""
    changed = 0
    for g in _likert(Answer.objects.filter(response_id__in=list(response_ids))):
        key = {"wave_id": g["response__wave_id"], "unit_id": g["response__unit_id"], "role_group": g["response__role_group"],
               "element": g["question__adkar"], "source": g["response__source"]}
        deltas = {"responses": F("responses") + g["n"], "answers": F("answers") + g["a"],
                  "total": F("total") + (g["t"] or 0), "total_sq": F("total_sq") + (g["q"] or 0)}
        with transaction.atomic():
            if not ElementTally.objects.filter(**key).update(**deltas):
                try:
                    with transaction.atomic():
                        ElementTally.objects.create(**key, responses=g["n"], answers=g["a"], total=g["t"] or 0, total_sq=g["q"] or 0)
                except IntegrityError:  # created meanwhile by a concurrent submission
                    ElementTally.objects.filter(**key).update(**deltas)
        changed += 1
    return changed


@receiver(responses_changed, dispatch_uid="readiness-rebuild-tallies")
def _on_responses_changed(sender: Any, wave_ids: Iterable[int] = (), response_ids: Iterable[Any] | None = None,
                          background: bool = False, **kwargs: Any) -> None:
    """One submission: add its responses. A bulk load (the seed): rebuild
    in the worker. An import: rebuild its wave now."""
    if response_ids is not None:
        add(response_ids)
    elif background:
        from .tasks import rebuild_tallies

        ids = [int(pk) for pk in wave_ids]
        transaction.on_commit(lambda: rebuild_tallies.enqueue(ids))
    else:
        rebuild(wave_ids)
