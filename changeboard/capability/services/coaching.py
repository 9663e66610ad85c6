"""Coaching sessions: recorded by the practitioner's coach, an admin, or a
change manager of one of the practitioner's programmes (who becomes their
coach if they have none); changed by the session's coach only.

Goals, agreed actions and notes are private to the coach and the coachee
(`CoachingSession.private_to`), so the audit trail, which auditors and
admins read, never carries their text: only ids, dates, areas and, for each
private field, whether it is filled and its length."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from changeboard.core import audit

from ..models import CoachingSession, Competency, Practitioner

PRIVATE_FIELDS = ("goals", "agreed_actions", "notes")
MAX_TEXT = 5000


def _role(user: Any) -> str | None:
    return getattr(user, "role", None)


def manages(user: Any, practitioner: Practitioner) -> bool:
    """A change manager of one of the practitioner's programmes."""
    if _role(user) != "change_manager":
        return False
    return practitioner.programmes.filter(pk__in=user.programmes.values("pk")).exists()


def may_record(user: Any, practitioner: Practitioner) -> bool:
    """The practitioner's coach, an admin, or a change manager of one of their programmes."""
    if not getattr(user, "is_authenticated", False):
        return False
    if _role(user) == "admin" or (practitioner.coach_id is not None and practitioner.coach_id == user.pk):
        return True
    return manages(user, practitioner)


def may_update(user: Any, session: CoachingSession) -> bool:
    """The session's coach only."""
    return bool(getattr(user, "is_authenticated", False) and session.coach_id == user.pk)


def coachable(user: Any) -> QuerySet[Practitioner]:
    """Active practitioners the user may record a session for."""
    qs = Practitioner.objects.filter(active=True).select_related("staff")
    role = _role(user)
    if role == "admin":
        return qs
    if role == "change_manager":
        return qs.filter(Q(coach=user) | Q(programmes__in=user.programmes.all())).distinct()
    return qs.filter(coach=user)


def session_snapshot(session: CoachingSession) -> dict[str, Any]:
    """What the audit trail keeps: never the private text."""
    data: dict[str, Any] = {
        "practitioner": session.practitioner_id, "coach": session.coach_id, "held_on": session.held_on.isoformat(),
        "areas": sorted(session.areas.values_list("pk", flat=True)) if session.pk else [],
        "next_session": session.next_session.isoformat() if session.next_session else None,
    }
    for name in PRIVATE_FIELDS:
        text = getattr(session, name) or ""
        data[f"{name}_length"] = len(text)
    return data


def _check(held_on: dt.date | None, next_session: dt.date | None, areas: list[Competency], texts: dict[str, str]) -> None:
    errors: dict[str, str] = {}
    if held_on is None:
        errors["held_on"] = "Enter the date the session was held."
    elif held_on > timezone.localdate():
        errors["held_on"] = "A session cannot be recorded before it is held: the date is in the future."
    if next_session is not None and held_on is not None and next_session <= held_on:
        errors["next_session"] = "The next session must be after this one."
    if not areas:
        errors["areas"] = "Choose at least one area the session worked on."
    for name, text in texts.items():
        if len(text) > MAX_TEXT:
            errors[name] = f"Keep it to {MAX_TEXT:,} characters."
    if errors:
        raise ValidationError(errors)


def _clean(value: str | None) -> str:
    return (value or "").replace("\r\n", "\n").strip()


@transaction.atomic
def session_record(*, practitioner: Practitioner, held_on: dt.date, areas: Iterable[Competency], goals: str = "", agreed_actions: str = "",
                   notes: str = "", next_session: dt.date | None = None, actor: Any) -> CoachingSession:
    """Record a session held by `actor` (the coach) with `practitioner`."""
    practitioner = Practitioner.objects.select_for_update().get(pk=practitioner.pk)
    if not may_record(actor, practitioner):
        raise PermissionDenied("Only the practitioner's coach, or a change manager of one of their programmes, may record a session.")
    if practitioner.user_id is not None and practitioner.user_id == actor.pk:
        raise ValidationError("You cannot coach yourself: your coach records your sessions.")
    if not practitioner.active:
        raise ValidationError("This practitioner is no longer active.")
    area_list = list(areas)
    texts = {"goals": _clean(goals), "agreed_actions": _clean(agreed_actions), "notes": _clean(notes)}
    _check(held_on, next_session, area_list, texts)
    if practitioner.coach_id is None:
        before = {"coach": None}
        practitioner.coach = actor
        practitioner.save(update_fields=["coach"])
        audit.record(actor=actor, action="update", obj=practitioner, before=before, after={"coach": actor.pk})
    session = CoachingSession.objects.create(practitioner=practitioner, coach=actor, held_on=held_on, next_session=next_session, **texts)
    session.areas.set(area_list)
    audit.record(actor=actor, action="create", obj=session, after=session_snapshot(session))
    return session


@transaction.atomic
def session_update(*, session: CoachingSession, actor: Any, **fields: Any) -> CoachingSession:
    """Change a session (its coach only): held_on, areas, goals, agreed_actions, notes, next_session."""
    session = CoachingSession.objects.select_for_update().get(pk=session.pk)
    if not may_update(actor, session):
        raise PermissionDenied("Only the session's coach may change it.")
    allowed = {"held_on", "areas", "next_session", *PRIVATE_FIELDS}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Unknown session fields: {sorted(unknown)}")
    before = session_snapshot(session)
    area_list = list(fields.pop("areas")) if "areas" in fields else list(session.areas.all())
    for name in PRIVATE_FIELDS:
        if name in fields:
            fields[name] = _clean(fields[name])
    for name, value in fields.items():
        setattr(session, name, value)
    _check(session.held_on, session.next_session, area_list, {name: getattr(session, name) for name in PRIVATE_FIELDS})
    session.save()
    session.areas.set(area_list)
    audit.record(actor=actor, action="update", obj=session, before=before, after=session_snapshot(session))
    return session
