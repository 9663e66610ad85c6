"""Business-readiness reviews: the checkpoints of a rollout wave (T-12,
T-6, T-2 weeks and go/no-go), the live blockers, and recording a decision.

A decision is evidence the Board is held to later, so `review_decide`
freezes what the decision rested on (`review_snapshot`: the criteria
statuses, the latest readiness scores and the open actions for the wave's
units) and a decided review never changes again. The scores are those of
surveys closed by the day the review was held (`as_of`); the criteria
statuses and actions have no history, so they are frozen as they stand
when the decision is recorded (`recorded_on`), which is why `held_on` may
be at most `HELD_ON_MAX_DAYS_AGO` days back.
A go while a critical criterion is at red needs an override reason recorded
by the Board (or a portfolio admin): a change manager may decide a review,
but not overrule a critical red on their own programme.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from changeboard.accounts.models import User
from changeboard.core import audit
from changeboard.core.scoping import is_admin
from changeboard.organisation.models import Unit, subtree_q
from changeboard.portfolio.models import Programme, RolloutWave

from .. import feeds
from ..models import Action, Criterion, CriterionStatus, Criticality, Rag, Review
from ..scores import latest_unit_scores
from ..signals import review_decided
from .actions import action_create

Checkpoint = Review.Checkpoint
Decision = Review.Decision

# Weeks before the go-live date of each default checkpoint.
DEFAULT_CHECKPOINTS: list[tuple[str, int]] = [(Checkpoint.T12, 12), (Checkpoint.T6, 6), (Checkpoint.T2, 2), (Checkpoint.GO_NO_GO, 0)]
EDITABLE = ("rollout_wave", "checkpoint", "title", "scheduled_on", "notes")
NOT_ENOUGH = "Not enough data"
NO_SCORE = "No survey results"
ELEMENTS = ("awareness", "desire", "knowledge", "ability", "reinforcement")
CRITICALITY_ORDER = {value: i for i, value in enumerate(Criticality.values)}
OVERRIDE_ROLES = {"board"}
# How far back a review's date may be recorded: the criteria and actions it
# freezes are today's, so an older date would misdescribe them.
HELD_ON_MAX_DAYS_AGO = 14


def can_override(actor: User | None) -> bool:
    """Board members and portfolio admins may record a go over a critical red."""
    return is_admin(actor) or getattr(actor, "role", None) in OVERRIDE_ROLES


# ---------------------------------------------------------------- checkpoints


def _audit_create(review: Review, actor: User | None) -> None:
    audit.record(actor=actor, action="create", obj=review, after=audit.snapshot(review))


@transaction.atomic
def reviews_add_defaults(*, rollout_wave: RolloutWave, actor: User | None) -> list[Review]:
    """Create the default checkpoints the wave does not have yet, dated back
    from its go-live date (each date can be changed afterwards). Running it
    twice adds nothing, so the button is safe to press again after adding a
    checkpoint by hand."""
    have = set(Review.objects.filter(rollout_wave=rollout_wave).values_list("checkpoint", flat=True))
    created = []
    for checkpoint, weeks in DEFAULT_CHECKPOINTS:
        if checkpoint in have:
            continue
        review = Review(programme_id=rollout_wave.programme_id, rollout_wave=rollout_wave, checkpoint=checkpoint,
                        scheduled_on=rollout_wave.go_live_date - dt.timedelta(weeks=weeks))
        review.full_clean()
        review.save()
        _audit_create(review, actor)
        created.append(review)
    return created


def _refuse_if_decided(review: Review) -> None:
    if Review.objects.filter(pk=review.pk).exclude(decision="").exists():
        raise ValidationError("This review has been decided: a decided review cannot be changed.")


@transaction.atomic
def review_save(*, programme: Programme, actor: User | None, review: Review | None = None, **fields: Any) -> Review:
    """Create a review, or change one not yet decided (its wave, checkpoint,
    title, date and notes; the decision has its own service)."""
    unknown = sorted(set(fields) - set(EDITABLE))
    if unknown:
        raise ValidationError(f"These are recorded with the decision, not here: {', '.join(unknown)}.")
    creating = review is None
    if review is not None:
        review = Review.objects.select_for_update().get(pk=review.pk)
        _refuse_if_decided(review)
        if review.programme_id != programme.pk:
            raise ValidationError("This review belongs to another programme.")
    review = review or Review(programme=programme)
    before = None if creating else audit.snapshot(review)
    wave = fields.get("rollout_wave") or (review.rollout_wave if review.rollout_wave_id else None)
    if wave is not None and wave.programme_id != programme.pk:
        raise ValidationError({"rollout_wave": "Choose a rollout wave of this programme."})
    for name, value in fields.items():
        setattr(review, name, value.strip() if isinstance(value, str) and name in ("title", "notes") else value)
    review.full_clean()
    review.save()
    after = audit.snapshot(review)
    if creating or before != after:
        audit.record(actor=actor, action="create" if creating else "update", obj=review, before=before, after=after)
    return review


# ---------------------------------------------------------------- evidence


def wave_units(review: Review) -> list[Unit]:
    return list(review.rollout_wave.units.order_by("path"))


def _unit_q(units: list[Unit], field: str = "unit__path") -> Q:
    # A unit goes live with everything below it, so a status recorded for a
    # team under a wave's command counts for the wave.
    return subtree_q([u.path for u in units], field)


def wave_statuses(review: Review) -> QuerySet[CriterionStatus]:
    """The statuses of the programme's criteria that apply to the wave (its
    own or the programme-wide ones) for the wave's units."""
    criteria = Criterion.objects.filter(programme_id=review.programme_id).filter(
        Q(rollout_wave_id=review.rollout_wave_id) | Q(rollout_wave__isnull=True))
    return (CriterionStatus.objects.filter(criterion__in=criteria).filter(_unit_q(wave_units(review)))
            .select_related("criterion", "unit"))


def review_blockers(review: Review) -> list[CriterionStatus]:
    """Critical criteria at red for the wave's units: each one blocks a go
    unless the Board records an override."""
    rows = wave_statuses(review).filter(criterion__criticality=Criticality.CRITICAL, rag=Rag.RED)
    return sorted(rows, key=lambda s: (s.criterion.title, s.unit.path))


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _round(value: float | None, places: int = 1) -> float | None:
    return round(value, places) if value is not None else None


def _score_row(unit: Unit, score: Any) -> dict[str, Any]:
    """One unit's latest score as plain data. A hidden figure keeps nothing
    but its wave: no index, interval, means or count, so the frozen record
    can never reveal what suppression hid."""
    if score is None:
        return {"unit": unit.name, "unit_id": unit.pk, "wave": None, "wave_id": None, "closes_on": None, "shown": False, "status": NO_SCORE}
    row: dict[str, Any] = {"unit": unit.name, "unit_id": unit.pk, "wave": score.wave.title, "wave_id": score.wave_id,
                           "closes_on": _iso(score.wave.closes_on), "shown": bool(score.shown)}
    if not score.shown:
        row["status"] = NOT_ENOUGH
        return row
    row.update(status="Shown", index=_round(score.index), ci_low=_round(score.ci_low), ci_high=_round(score.ci_high),
               responses=score.responses, response_rate=_round(score.response_rate),
               means={e: _round(getattr(score, e), 2) for e in ELEMENTS}, barrier=score.barrier or "", trend=_round(score.trend))
    return row


def review_snapshot(review: Review, as_of: dt.date) -> dict[str, Any]:
    """What a decision rests on, as JSON-ready data: the wave's criteria
    statuses (blockers marked), each unit's latest readiness score from a
    survey closed by `as_of`, and the programme's open actions for the
    wave's units. Criteria statuses and actions have no history: they are
    those of today, recorded as `recorded_on`. Also shown live on an
    undecided review's page, so the Board sees beforehand exactly what will
    be frozen."""
    units = wave_units(review)
    statuses = sorted(wave_statuses(review), key=lambda s: (CRITICALITY_ORDER.get(s.criterion.criticality, 99),
                                                           s.criterion.title, s.unit.path))
    criteria = [{
        "criterion": s.criterion.title, "criterion_id": s.criterion_id, "criticality": s.criterion.criticality,
        "criticality_label": s.criterion.get_criticality_display(), "unit": s.unit.name, "unit_id": s.unit_id, "rag": s.rag,
        "rag_label": s.get_rag_display(), "value": s.value, "as_of": _iso(s.as_of),
        "blocker": s.criterion.criticality == Criticality.CRITICAL and s.rag == Rag.RED,
    } for s in statuses]
    scores = latest_unit_scores(review.programme, units, as_of=as_of)
    actions = (Action.objects.filter(programme_id=review.programme_id, status__in=Action.OPEN_STATUSES)
               .filter(_unit_q(units) | Q(review__rollout_wave_id=review.rollout_wave_id))
               .select_related("unit", "owner").order_by("due_date", "pk"))
    return {
        "as_of": as_of.isoformat(),
        "recorded_on": timezone.localdate().isoformat(),
        "rollout_wave": {"id": review.rollout_wave_id, "name": review.rollout_wave.name,
                         "go_live_date": review.rollout_wave.go_live_date.isoformat()},
        "units": [{"id": u.pk, "name": u.name} for u in units],
        "criteria": criteria,
        "blockers": sum(1 for c in criteria if c["blocker"]),
        "scores": [_score_row(u, scores.get(u.pk)) for u in units],
        "actions": [{
            "id": a.pk, "title": a.title, "unit": a.unit.name if a.unit else "", "owner": str(a.owner) if a.owner else "",
            "due_date": a.due_date.isoformat(), "status": a.status, "status_label": a.get_status_display(),
            "overdue": a.due_date < as_of,
        } for a in actions],
        "training_gaps": feeds.training_gap_rows(review),
    }


# ---------------------------------------------------------------- deciding


def _text(value: str) -> str:
    return value.replace("\r\n", "\n").strip()


def condition_lines(conditions: str) -> list[str]:
    """One condition per non-blank line, without list bullets."""
    return [line.strip().lstrip("-*•").strip() for line in conditions.splitlines() if line.strip().lstrip("-*•").strip()]


def _check_decision(review: Review, decision: str, conditions: str, override_reason: str, held_on: dt.date | None,
                    actor: User | None) -> bool:
    """Validate a decision; True when it overrides a critical red."""
    if decision not in Decision.values:
        raise ValidationError({"decision": "Choose go, go with conditions or no-go."})
    if held_on is None:
        raise ValidationError({"held_on": "Enter the date the review was held."})
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "The date the review was held must be today or in the past."})
    if held_on < timezone.localdate() - dt.timedelta(days=HELD_ON_MAX_DAYS_AGO):
        raise ValidationError({"held_on": f"The date the review was held must be within the last {HELD_ON_MAX_DAYS_AGO} days: "
                                          "the criteria and actions are recorded as they stand today. Record a review held "
                                          "earlier with today's evidence and note the date it was held in the notes."})
    if decision == Decision.CONDITIONS and not conditions:
        raise ValidationError({"conditions": "Enter the conditions of a go with conditions, one per line."})
    if decision == Decision.NO_GO:
        return False
    blockers = review_blockers(review)
    if not blockers:
        return False
    count = f"{len(blockers)} critical criteri{'on is' if len(blockers) == 1 else 'a are'} at red for this wave's units"
    if not can_override(actor):
        raise ValidationError({"override_reason": f"{count}. Only the Programme Board can record a go over a critical red: "
                                                  "ask a Board member to record this decision, or record a no-go."})
    if not override_reason:
        raise ValidationError({"override_reason": f"{count}. To decide go, enter why the Board is overriding them; "
                                                  "otherwise record a no-go."})
    return True


@transaction.atomic
def review_decide(*, review: Review, decision: str, conditions: str, notes: str, override_reason: str, held_on: dt.date | None,
                  actor: User | None, raise_actions: bool = False, action_owner: User | None = None, action_due_date: dt.date | None = None) -> Review:
    """Record the decision once, freeze its evidence and audit it. With
    `raise_actions`, each condition line also becomes an action on the log
    (source review), in the same transaction, so a decision is never
    recorded without the actions it promised."""
    review = Review.objects.select_for_update().select_related("rollout_wave", "programme").get(pk=review.pk)
    if review.decided:
        raise ValidationError("This review has already been decided: a decided review cannot be changed.")
    # Browsers send textarea line ends as CRLF; the record keeps one kind.
    conditions, notes, override_reason = (_text(v) for v in (conditions, notes, override_reason))
    overriding = _check_decision(review, decision, conditions, override_reason, held_on, actor)
    lines = condition_lines(conditions)
    if raise_actions:
        if not lines:
            raise ValidationError({"conditions": "Enter the conditions to raise an action for each, one per line."})
        if action_due_date is None:
            raise ValidationError({"action_due_date": "Enter the date the condition actions are due."})
    assert held_on is not None  # checked above
    before = audit.snapshot(review)
    review.decision = decision
    review.conditions = conditions
    review.notes = notes
    review.override_reason = override_reason if overriding else ""
    review.held_on = held_on
    review.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    review.decided_at = timezone.now()
    review.snapshot = review_snapshot(review, held_on)
    review.full_clean()
    review.save()
    audit.record(actor=actor, action="update", obj=review, before=before, after=audit.snapshot(review))
    review_id = review.pk
    transaction.on_commit(lambda: review_decided.send(sender=Review, review_id=review_id))
    if raise_actions:
        assert action_due_date is not None
        for line in lines:
            action_create(programme=review.programme, title=line[:200], description=f"A condition of {review}.",
                          due_date=action_due_date, owner=action_owner, source=Action.Source.REVIEW, review=review, actor=actor)
    return review
