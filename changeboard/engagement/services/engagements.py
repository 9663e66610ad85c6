"""The engagement plan and log: planning an engagement with a stakeholder
for a programme, changing or cancelling the plan, and logging what happened
(a planned engagement marked done, or one that was never planned).

Logging may move the stakeholder's position for the programme
(`position_after` becomes the assessment's `current_position`, audited on
the assessment), and each follow-up becomes a readiness action through
`readiness.services.actions.action_create` (source "Stakeholder
engagement", the assessment's programme). The action's description starts
with `follow_up_marker(engagement)`, which is how the engagement page finds
its follow-ups and how the action page says where it came from.

The reads every page and the API share live here too: `overdue_q` (planned,
not done, planned before today), `summary` (planned vs done and overdue per
owner and per programme) and `debt` (key stakeholders behind their target
with no engagement done for `EngagementPolicy.debt_days`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from changeboard.accounts.models import User
from changeboard.core import audit
from changeboard.readiness.models import Action
from changeboard.readiness.services.actions import action_create

from ..models import Engagement, EngagementPolicy, Position, StakeholderAssessment

Status = Engagement.Status
PLAN_FIELDS = ("purpose", "method", "planned_on", "owner")
LOG_FIELDS = ("attendees", "key_points", "concerns")
UPDATABLE = PLAN_FIELDS + LOG_FIELDS


@dataclass(frozen=True)
class FollowUp:
    """One follow-up line of a log: it becomes a readiness action."""

    text: str
    due_date: dt.date
    owner: User | None = None


# ---------------------------------------------------------------------------
# Reads shared by the pages and the API


def overdue_q(today: dt.date | None = None, prefix: str = "") -> Q:
    """Planned, not done (nor cancelled), and its planned day has passed."""
    return Q(**{f"{prefix}status": Status.PLANNED, f"{prefix}planned_on__lt": today or timezone.localdate()})


def follow_up_marker(engagement: Engagement) -> str:
    """The first words of each follow-up action's description."""
    return f"From engagement #{engagement.pk}:"


def follow_up_actions(engagement: Engagement) -> QuerySet[Action]:
    """The actions raised from this engagement's log (unscoped: restrict them to show them)."""
    return Action.objects.filter(source=Action.Source.ENGAGEMENT, programme_id=engagement.assessment.programme_id,
                                 description__startswith=follow_up_marker(engagement)).order_by("due_date", "pk")


@dataclass
class SummaryRow:
    key: Any
    label: str
    planned: int
    done: int
    overdue: int
    cancelled: int

    @property
    def total(self) -> int:
        return self.planned + self.done + self.cancelled


def _counts(today: dt.date) -> dict[str, Any]:
    return {
        "planned": Count("pk", filter=Q(status=Status.PLANNED)),
        "done": Count("pk", filter=Q(status=Status.DONE)),
        "overdue": Count("pk", filter=overdue_q(today)),
        "cancelled": Count("pk", filter=Q(status=Status.CANCELLED)),
    }


def summary(engagements: QuerySet[Engagement], today: dt.date | None = None) -> dict[str, list[SummaryRow]]:
    """Planned (still to do) vs done, and overdue, per owner and per
    programme, counted in the database (one query each)."""
    today = today or timezone.localdate()
    base = engagements.order_by()
    programme_rows: Any = base.values("assessment__programme", "assessment__programme__code", "assessment__programme__name").annotate(
        **_counts(today)).order_by("assessment__programme__code")
    by_programme = [
        SummaryRow(row["assessment__programme"], f"{row['assessment__programme__code']} – {row['assessment__programme__name']}",
                   row["planned"], row["done"], row["overdue"], row["cancelled"])
        for row in programme_rows
    ]
    owner_rows: Any = base.values("owner", "owner__first_name", "owner__last_name", "owner__username").annotate(**_counts(today)).order_by(
        F("owner__first_name").asc(nulls_last=True), "owner__last_name", "owner__username")
    by_owner = []
    for row in owner_rows:
        name = f"{row['owner__first_name'] or ''} {row['owner__last_name'] or ''}".strip() or row["owner__username"] or "No owner"
        by_owner.append(SummaryRow(row["owner"], name, row["planned"], row["done"], row["overdue"], row["cancelled"]))
    return {"programme": by_programme, "owner": by_owner}


def debt(assessments: QuerySet[StakeholderAssessment], today: dt.date | None = None,
         policy: EngagementPolicy | None = None) -> QuerySet[StakeholderAssessment]:
    """Engagement debt among `assessments` (already scoped): key
    stakeholders (influence or judged impact at or above the policy's
    `key_threshold`) short of their target position, whose last engagement
    done was `debt_days` or more days ago, or who never had one. Annotated
    with `last_contact` and `next_planned`; ordered by influence (highest
    first), then the longest without contact (never first). One query."""
    today = today or timezone.localdate()
    policy = policy or EngagementPolicy.current()
    cutoff = today - dt.timedelta(days=policy.debt_days)
    done = Engagement.objects.filter(assessment=OuterRef("pk"), status=Status.DONE, happened_on__isnull=False)
    planned = Engagement.objects.filter(assessment=OuterRef("pk"), status=Status.PLANNED, planned_on__gte=today)
    key = Q(influence__gte=policy.key_threshold) | Q(impact_judgement__gte=policy.key_threshold)
    return (
        assessments.filter(key, current_position__lt=F("target_position"), stakeholder__active=True)
        .annotate(last_contact=Subquery(done.order_by("-happened_on").values("happened_on")[:1]),
                  next_planned=Subquery(planned.order_by("planned_on").values("planned_on")[:1]))
        .filter(Q(last_contact__isnull=True) | Q(last_contact__lte=cutoff))
        .select_related("stakeholder__staff", "programme", "owner")
        .order_by("-influence", F("last_contact").asc(nulls_first=True), "programme__code", "pk")
    )


# ---------------------------------------------------------------------------
# Writes


def _actor(actor: Any) -> User | None:
    return actor if getattr(actor, "is_authenticated", False) else None


def _check_owner(owner: Any) -> None:
    if owner is not None and not owner.is_active:
        raise ValidationError({"owner": "The owner's account is disabled: choose someone else."})


def _locked(engagement: Engagement) -> Engagement:
    return Engagement.objects.select_for_update(of=("self",)).select_related("assessment__programme").get(pk=engagement.pk)


@transaction.atomic
def engagement_plan(*, assessment: StakeholderAssessment, purpose: str, method: str, planned_on: dt.date, actor: User | None,
                    owner: User | None = None) -> Engagement:
    """Plan an engagement with the assessment's stakeholder for its
    programme. A new plan cannot already be late (a day in the past would
    make it overdue the moment it is made: log it instead)."""
    _check_owner(owner)
    if planned_on is None:
        raise ValidationError({"planned_on": "Enter the day it is planned for."})
    if planned_on < timezone.localdate():
        raise ValidationError({"planned_on": "The planned day must be today or in the future: log an engagement that already happened."})
    engagement = Engagement(assessment=assessment, purpose=(purpose or "").strip(), method=method, planned_on=planned_on,
                            owner=owner if owner is not None else assessment.owner, status=Status.PLANNED, created_by=_actor(actor))
    engagement.full_clean(exclude=["assessment", "owner", "created_by"])
    engagement.save()
    audit.record(actor=actor, action="create", obj=engagement, after=audit.snapshot(engagement))
    return engagement


@transaction.atomic
def engagement_update(*, engagement: Engagement, actor: User | None, **fields: Any) -> Engagement:
    """Change a plan (purpose, method, day, owner) or, once logged, the
    log's words (attendees, key points, concerns). A cancelled engagement
    is a record and is not changed; moving a done engagement's position or
    date is a new log, not an edit."""
    unknown = sorted(set(fields) - set(UPDATABLE))
    if unknown:
        raise ValidationError(f"These cannot be changed on an engagement: {', '.join(unknown)}.")
    engagement = _locked(engagement)
    if engagement.status == Status.CANCELLED:
        raise ValidationError("This engagement was cancelled: plan a new one.")
    if "owner" in fields and fields["owner"] is not None and fields["owner"].pk != engagement.owner_id:
        _check_owner(fields["owner"])
    if engagement.status == Status.PLANNED and "planned_on" in fields and fields["planned_on"] is None:
        raise ValidationError({"planned_on": "Enter the day it is planned for."})
    before = audit.snapshot(engagement)
    for name, value in fields.items():
        setattr(engagement, name, value.strip() if isinstance(value, str) else value)
    engagement.full_clean(exclude=["assessment", "owner", "created_by"])
    engagement.save()
    after = audit.snapshot(engagement)
    if before != after:
        audit.record(actor=actor, action="update", obj=engagement, before=before, after=after)
    return engagement


@transaction.atomic
def engagement_log(*, actor: User | None, happened_on: dt.date, engagement: Engagement | None = None,
                   assessment: StakeholderAssessment | None = None, purpose: str = "", method: str = "", owner: User | None = None,
                   attendees: str = "", key_points: str = "", concerns: str = "", position_after: int | None = None,
                   follow_ups: Sequence[FollowUp] = ()) -> Engagement:
    """Log what happened: mark a planned `engagement` done, or (with
    `assessment`, `purpose` and `method`) log one that was never planned.
    `position_after` becomes the stakeholder's current position for the
    programme; each follow-up becomes a readiness action. All or nothing:
    a follow-up refused (a past due date, a disabled owner) leaves
    nothing logged."""
    if happened_on is None:
        raise ValidationError({"happened_on": "Enter the day it happened."})
    if happened_on > timezone.localdate():
        raise ValidationError({"happened_on": "The day it happened cannot be in the future: plan it instead."})
    if position_after is not None and position_after not in Position.values:
        raise ValidationError({"position_after": "Choose a position from the list."})
    if engagement is not None:
        engagement = _locked(engagement)
        if engagement.status != Status.PLANNED:
            raise ValidationError(f"This engagement is {engagement.get_status_display().lower()}: only a planned one can be logged.")
        before = audit.snapshot(engagement)
        if owner is not None:
            _check_owner(owner)
            engagement.owner = owner
        action = "update"
    else:
        if assessment is None:
            raise ValidationError("Choose the stakeholder and programme the engagement was with.")
        _check_owner(owner)
        engagement = Engagement(assessment=assessment, purpose=(purpose or "").strip(), method=method, planned_on=None,
                                owner=owner, created_by=_actor(actor))
        before = None
        action = "create"
    engagement.status = Status.DONE
    engagement.happened_on = happened_on
    engagement.attendees = attendees.strip()
    engagement.key_points = key_points.strip()
    engagement.concerns = concerns.strip()
    engagement.position_after = position_after
    engagement.full_clean(exclude=["assessment", "owner", "created_by"])
    engagement.save()
    audit.record(actor=actor, action=action, obj=engagement, before=before, after=audit.snapshot(engagement))

    mapping = StakeholderAssessment.objects.select_for_update(of=("self",)).select_related("stakeholder", "programme").get(
        pk=engagement.assessment_id)
    if position_after is not None and position_after != mapping.current_position:
        was = audit.snapshot(mapping)
        mapping.current_position = position_after
        mapping.save(update_fields=["current_position", "updated_at"])
        audit.record(actor=actor, action="update", obj=mapping, before=was, after=audit.snapshot(mapping))

    link = reverse("engagement-detail", args=[engagement.pk])
    for number, follow_up in enumerate(follow_ups, start=1):
        try:
            action_create(
                programme=mapping.programme, title=follow_up.text.strip()[:200], due_date=follow_up.due_date, owner=follow_up.owner,
                source=Action.Source.ENGAGEMENT, actor=actor,
                description=(f"{follow_up_marker(engagement)} {engagement.get_method_display().lower()} with {mapping.stakeholder} "
                             f"on {happened_on:%d %B %Y} ({engagement.purpose}). See {link}"))
        except ValidationError as exc:
            messages = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            raise ValidationError(
                {"follow_ups": [f"Follow-up {number}: {m}" for errors in messages.values() for m in errors]}) from exc
    return engagement


@transaction.atomic
def engagement_cancel(*, engagement: Engagement, actor: User | None, reason: str = "") -> Engagement:
    """Cancel a planned engagement (kept, with the reason in the audit trail)."""
    engagement = _locked(engagement)
    if engagement.status != Status.PLANNED:
        raise ValidationError(f"This engagement is {engagement.get_status_display().lower()}: only a planned one can be cancelled.")
    before = audit.snapshot(engagement)
    engagement.status = Status.CANCELLED
    engagement.save(update_fields=["status"])
    after = {**(audit.snapshot(engagement) or {}), "reason": reason.strip()}
    audit.record(actor=actor, action="update", obj=engagement, before=before, after=after)
    return engagement
