"""Writes to the one action log: raising an action (by hand or from a
score, a criterion, a hotspot or a review) and tracking it to done.

The link an action carries is evidence of why it exists, so it must belong
to the action's programme and agree with the declared `source`: an action
"from a criterion" without one, or pointing at another programme's review,
would put a false trail into board packs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from changeboard.accounts.models import User
from changeboard.core import audit
from changeboard.organisation.models import Unit
from changeboard.portfolio.models import Programme
from changeboard.surveys.models import SurveyWave

from ..models import Action, Criterion, Review

Source = Action.Source
Status = Action.Status

# Which link each source needs; every other link must be empty.
SOURCE_LINKS: dict[str, tuple[str, ...]] = {
    Source.MANUAL: (),
    Source.SCORE: ("survey_wave",),
    Source.CRITERION: ("criterion",),
    Source.HOTSPOT: ("hotspot_week", "unit"),
    Source.REVIEW: ("review",),
    Source.CUTOVER: (),  # the cutover run's task links back to the action it raised
    Source.HYPERCARE: ("unit",),  # a training-gap spike in one unit
    Source.ENGAGEMENT: (),  # an engagement's follow-up: its description names the engagement
    Source.NETWORK: (),  # a champion's theme from the floor: the theme links back to the action
}
LINK_FIELDS = ("criterion", "review", "survey_wave", "hotspot_week")
LINK_LABELS = {"criterion": "a readiness criterion", "review": "a readiness review", "survey_wave": "a survey wave",
               "hotspot_week": "the hotspot's week", "unit": "a unit"}
UPDATABLE = ("title", "description", "owner", "due_date", "status", "unit")


def overdue_actions(queryset: QuerySet[Action], today: dt.date | None = None) -> QuerySet[Action]:
    """Open or in-progress actions whose due date has passed: the rule the
    action log, dashboards and board packs all share (`Action.overdue` is
    the same test for one row)."""
    return queryset.filter(status__in=Action.OPEN_STATUSES, due_date__lt=today or timezone.localdate())


def _check_links(programme: Programme, source: str, links: dict[str, Any]) -> None:
    if source not in SOURCE_LINKS:
        raise ValidationError({"source": "Choose where the action comes from."})
    errors: dict[str, str] = {}
    for name in SOURCE_LINKS[source]:
        if not links.get(name):
            errors[name] = f"An action from {Source(source).label.lower()} needs {LINK_LABELS[name]}."
    for name in LINK_FIELDS:
        if links.get(name) and name not in SOURCE_LINKS[source]:
            errors[name] = f"An action {Source(source).label.lower()} cannot link to {LINK_LABELS[name]}."
    for name in ("criterion", "review", "survey_wave"):
        linked = links.get(name)
        if linked is not None and linked.programme_id != programme.pk:
            errors[name] = f"That {LINK_LABELS[name].removeprefix('a ')} belongs to another programme."
    if errors:
        raise ValidationError(errors)


def _check_owner(owner: Any) -> None:
    if owner is not None and not owner.is_active:
        raise ValidationError({"owner": "The owner's account is disabled: choose someone else."})


@transaction.atomic
def action_create(*, programme: Programme, title: str, due_date: dt.date, actor: User | None, owner: Any = None,
                  unit: Unit | None = None, description: str = "", source: str = Source.MANUAL,
                  criterion: Criterion | None = None, review: Review | None = None, survey_wave: SurveyWave | None = None,
                  hotspot_week: dt.date | None = None) -> Action:
    """Raise an action. A new action cannot already be late: a due date in
    the past would make it overdue the moment it is raised."""
    _check_links(programme, source, {"criterion": criterion, "review": review, "survey_wave": survey_wave,
                                     "hotspot_week": hotspot_week, "unit": unit})
    _check_owner(owner)
    if due_date < timezone.localdate():
        raise ValidationError({"due_date": "The due date must be today or in the future."})
    action = Action(programme=programme, title=title.strip(), description=description.strip(), due_date=due_date, owner=owner,
                    unit=unit, source=source, criterion=criterion, review=review, survey_wave=survey_wave,
                    hotspot_week=hotspot_week, created_by=actor if getattr(actor, "is_authenticated", False) else None)
    action.full_clean()
    action.save()
    audit.record(actor=actor, action="create", obj=action, after=audit.snapshot(action))
    return action


@transaction.atomic
def action_update(*, action: Action, actor: User | None, **fields: Any) -> Action:
    """Change an action's wording, owner, unit, due date or status. Its
    programme and the link it was raised from are fixed: they are the
    record of why it exists. Closing it (done or cancelled) stamps
    `closed_at`; reopening clears it."""
    unknown = sorted(set(fields) - set(UPDATABLE))
    if unknown:
        raise ValidationError(f"These cannot be changed on an action: {', '.join(unknown)}.")
    if "owner" in fields and fields["owner"] is not None and fields["owner"].pk != action.owner_id:
        _check_owner(fields["owner"])
    action = Action.objects.select_for_update().get(pk=action.pk)
    before = audit.snapshot(action)
    for name, value in fields.items():
        setattr(action, name, value.strip() if isinstance(value, str) and name in ("title", "description") else value)
    if action.source == Source.HOTSPOT and action.unit_id is None:
        raise ValidationError({"unit": "An action from a saturation hotspot needs a unit."})
    if action.status in Action.OPEN_STATUSES:
        action.closed_at = None
    elif action.closed_at is None:
        action.closed_at = timezone.now()
    action.full_clean()
    action.save()
    after = audit.snapshot(action)
    if before != after:
        audit.record(actor=actor, action="update", obj=action, before=before, after=after)
    return action
