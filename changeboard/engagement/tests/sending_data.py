"""Shared set-up for the sending tests: approved messages made with the ORM
(the comms plan's services belong to another part), their audience resolved
with `audience.reach_refresh`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from changeboard.conftest import make_staff

from ..models import AudienceRule, Message, Stakeholder
from ..services import audience


def approved_message(world: Any, *, channel: str = Message.Channel.EVENT, unit: Any = None, **extra: Any) -> Message:
    start = timezone.make_aware(dt.datetime(2027, 2, 15, 10, 0))
    fields: dict[str, Any] = {
        "programme": world.programme_a, "title": "Briefing: the new duty system", "purpose": "Explain the new duty system",
        "channel": channel, "planned_on": start.date(), "starts_at": start, "ends_at": start + dt.timedelta(hours=1),
        "location": "Westminster briefing room", "status": Message.Status.APPROVED, "rollout_wave": world.wave_a,
        "subject": "Briefing on the new duty system",
        "body": "Dear {first_name} {last_name},\n\n{unit} goes live on {wave_date}. Come to the briefing.",
        "approved_by": world.users["lead"], "approved_at": timezone.now(),
    }
    fields.update(extra)
    message = Message.objects.create(**fields)
    AudienceRule.objects.create(message=message, kind=AudienceRule.Kind.UNIT, unit=unit or world.westminster)
    audience.reach_refresh(message)
    return message


def add_people(world: Any) -> dict[str, Any]:
    """Beside `staff_in` (Westminster's response team): a colleague, one with
    no email, a leaver, and an external contact."""
    colleague = make_staff("100002", world.team, first_name="Casey", last_name="Colleague")
    no_email = make_staff("100003", world.westminster, first_name="Dana", last_name="Noaddress", email="")
    leaver = make_staff("100004", world.team, first_name="Eli", last_name="Leaver", is_leaver=True)
    gone = make_staff("100005", world.team, first_name="Fran", last_name="Gone", leave_date=dt.date(2020, 1, 1))
    external = Stakeholder.objects.create(kind=Stakeholder.Kind.EXTERNAL, name="Pat Federation", organisation="Police Federation",
                                          email="pat@federation.example")
    return {"colleague": colleague, "no_email": no_email, "leaver": leaver, "gone": gone, "external": external}
