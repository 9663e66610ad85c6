"""Recognition: hours given per champion in a period, and thank-you messages
queued once, only by a change manager of a programme the champion supports."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from changeboard.core.models import AuditEntry, OutboxMessage
from changeboard.core.outbox import outbox_add
from changeboard.network.models import Activity, Champion, Thanks
from changeboard.network.services.recognition import default_message, may_thank, period_range, recognition, thanks_send

from .mine_data import activity, nominate_persona, other_champion

pytestmark = pytest.mark.django_db


def test_thanks_is_recorded_and_queued_once(world: Any) -> None:
    champion = nominate_persona(world, accept=True)
    before = OutboxMessage.objects.count()
    thanks = thanks_send(champion=champion, programme=world.programme_a, message="  Thank you for the floor-walks. ",
                         actor=world.users["lead"])
    assert thanks.message == "Thank you for the floor-walks."
    assert thanks.outbox_key == f"net-thanks-{thanks.pk}"
    queued = OutboxMessage.objects.filter(key=thanks.outbox_key)
    assert queued.count() == 1 and OutboxMessage.objects.count() == before + 1
    message = queued.get()
    assert message.to_address == world.staff_in.email
    assert "Thank you for the floor-walks." in message.body and world.programme_a.name in message.subject
    # Repeating the step never doubles the email.
    assert outbox_add(key=thanks.outbox_key, kind="network", to_address="x@example.org", subject="again", body="again") is False
    assert OutboxMessage.objects.filter(key=thanks.outbox_key).count() == 1
    assert AuditEntry.objects.filter(object_type="network.thanks", object_id=str(thanks.pk), action="create").exists()


@pytest.mark.parametrize("persona", ["lead2", "board", "auditor", "champion"])
def test_only_a_change_manager_of_a_supported_programme_thanks(world: Any, persona: str) -> None:
    champion = nominate_persona(world, accept=True)
    programme = world.programme_b if persona == "lead2" else world.programme_a
    with pytest.raises(PermissionDenied):
        thanks_send(champion=champion, programme=programme, message="Thanks", actor=world.users[persona])
    assert not may_thank(world.users[persona], champion)
    assert not Thanks.objects.exists()


def test_not_for_a_programme_they_do_not_support(world: Any) -> None:
    champion = nominate_persona(world, accept=True)
    world.users["lead"].programmes.add(world.programme_b)
    with pytest.raises(PermissionDenied):
        thanks_send(champion=champion, programme=world.programme_b, message="Thanks", actor=world.users["lead"])
    # An admin thanks on behalf of any programme the champion supports.
    assert thanks_send(champion=champion, programme=world.programme_a, message="Thanks", actor=world.users["admin"]).pk


def test_an_empty_message_is_refused(world: Any) -> None:
    champion = nominate_persona(world, accept=True)
    with pytest.raises(ValidationError):
        thanks_send(champion=champion, programme=world.programme_a, message="   ", actor=world.users["lead"])
    assert champion.staff.first_name in default_message(champion, world.programme_a)


def test_hours_given_count_done_activities_in_the_period(world: Any) -> None:
    mine = nominate_persona(world, accept=True)
    other = other_champion(world)
    today = timezone.localdate()
    first = today.replace(day=1)
    activity(mine, world.programme_a, world.team, minutes=90)
    activity(mine, world.programme_a, world.team, minutes=30, day=first)
    activity(mine, world.programme_b, world.team, minutes=60)
    activity(mine, world.programme_a, world.team, minutes=600, status=Activity.Status.PLANNED)
    activity(mine, world.programme_a, world.team, minutes=45, day=first - dt.timedelta(days=1))  # last month
    activity(other, world.programme_b, world.camden, minutes=120)
    start, end = period_range("month", today)
    assert (start, end) == (first, today)
    rows: dict[int, Any] = {c.pk: c for c in recognition(Champion.objects.all(), start, end)}
    assert (rows[mine.pk].done, rows[mine.pk].minutes, rows[mine.pk].hours) == (3, 180, 3.0)
    assert (rows[other.pk].done, rows[other.pk].hours) == (1, 2.0)
    only_a: dict[int, Any] = {c.pk: c for c in recognition(Champion.objects.all(), start, end, world.programme_a)}
    assert (only_a[mine.pk].done, only_a[mine.pk].minutes) == (2, 120)
    last_start, last_end = period_range("last_month", today)
    assert last_end == first - dt.timedelta(days=1) and last_start.day == 1
    last: dict[int, Any] = {c.pk: c for c in recognition(Champion.objects.all(), last_start, last_end)}
    assert (last[mine.pk].done, last[mine.pk].minutes) == (1, 45)
