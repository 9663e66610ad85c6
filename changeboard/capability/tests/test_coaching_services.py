"""Coaching services: who may record and change a session, the coach taken on
by a change manager, the checks, and the audit trail that never carries the
private text."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from changeboard.conftest import make_staff, make_user
from changeboard.core.models import AuditEntry

from ..models import CoachingSession
from ..services.coaching import session_record, session_update
from .coaching_data import ACTIONS, GOALS, NOTES, Coaching, build
from .factories import make_practitioner


@pytest.fixture
def c(world: Any) -> Coaching:
    return build(world)


def _record(c: Coaching, actor: Any, practitioner: Any = None, **extra: Any) -> CoachingSession:
    fields: dict[str, Any] = {"held_on": timezone.localdate(), "areas": [c.comms], "goals": "g", "agreed_actions": "a", "notes": "n", "next_session": None}
    fields.update(extra)
    return session_record(practitioner=practitioner or c.alex, actor=actor, **fields)


def test_the_coach_records_a_session(c: Coaching) -> None:
    assert c.session.coach == c.world.users["lead"]
    assert set(c.session.areas.all()) == {c.engagement, c.comms}
    assert (c.session.goals, c.session.agreed_actions, c.session.notes) == (GOALS, ACTIONS, NOTES)


def test_the_audit_entry_carries_no_private_text(c: Coaching) -> None:
    entry = AuditEntry.objects.get(object_type="capability.coachingsession", object_id=str(c.session.pk), action="create")
    text = str(entry.after) + str(entry.before) + entry.object_repr
    assert entry.after is not None
    for secret in (GOALS, ACTIONS, NOTES):
        assert secret not in text
    assert entry.after["goals_length"] == len(GOALS) and entry.after["areas"] == sorted([c.engagement.pk, c.comms.pk])
    session_update(session=c.session, actor=c.world.users["lead"], notes="A new secret note")
    update = AuditEntry.objects.get(object_type="capability.coachingsession", object_id=str(c.session.pk), action="update")
    assert update.after is not None
    assert "A new secret note" not in str(update.after) and NOTES not in str(update.before)
    assert update.after["notes_length"] == len("A new secret note")


@pytest.mark.parametrize("persona", ["board", "auditor", "champion"])
def test_others_may_not_record(c: Coaching, persona: str) -> None:
    with pytest.raises(PermissionDenied):
        _record(c, c.world.users[persona])


def test_a_change_manager_of_another_programme_may_not_record(c: Coaching) -> None:
    with pytest.raises(PermissionDenied):
        _record(c, c.world.users["lead2"])


def test_an_admin_may_record(c: Coaching) -> None:
    session = _record(c, c.world.users["admin"])
    assert session.coach == c.world.users["admin"]


def test_a_change_manager_of_the_programme_becomes_coach_when_there_is_none(c: Coaching) -> None:
    other = make_user("lead3", "change_manager", programmes=[c.world.programme_a])
    dana = make_practitioner(make_staff("100007", c.world.team), programmes=[c.world.programme_a])
    _record(c, other, practitioner=dana)
    dana.refresh_from_db()
    assert dana.coach == other
    # Alex already has a coach (lead): another change manager records, Alex keeps their coach.
    _record(c, other)
    c.alex.refresh_from_db()
    assert c.alex.coach == c.world.users["lead"]


def test_a_champion_who_coaches_may_record(c: Coaching) -> None:
    coach = make_user("coachchamp", "champion", units=[c.world.westminster])
    dana = make_practitioner(make_staff("100008", c.world.team), coach=coach)
    assert _record(c, coach, practitioner=dana).coach == coach


def test_checks(c: Coaching) -> None:
    lead = c.world.users["lead"]
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        _record(c, lead, held_on=today + dt.timedelta(days=1), areas=[], next_session=today - dt.timedelta(days=3))
    assert set(error.value.message_dict) == {"held_on", "areas", "next_session"}
    with pytest.raises(ValidationError) as error:
        _record(c, lead, next_session=today)
    assert set(error.value.message_dict) == {"next_session"}


def test_nobody_coaches_themselves(c: Coaching) -> None:
    lead = c.world.users["lead"]
    own = make_practitioner(make_staff("100006", c.world.team), user=lead, coach=lead, programmes=[c.world.programme_a])
    with pytest.raises(ValidationError):
        _record(c, lead, practitioner=own)


def test_only_the_coach_updates(c: Coaching) -> None:
    for persona in ("admin", "lead2", "champion", "board"):
        with pytest.raises(PermissionDenied):
            session_update(session=c.session, actor=c.world.users[persona], notes="x")
    updated = session_update(session=c.session, actor=c.world.users["lead"], areas=[c.comms], goals="  New goal  ")
    assert updated.goals == "New goal" and list(updated.areas.all()) == [c.comms]
    assert updated.notes == NOTES
