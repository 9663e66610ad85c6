"""The persona x URL matrix of the deliveries page and the send, update and
cancel confirmations (GET and POST), and who sees the addresses.

Deliveries follow the `Recipient` rule (the Board, change managers and
auditors read; champions may not: 403) within the message's scope (another
programme's message: 404). Sending is a change to the message: its
programme's change managers and admins."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from changeboard.core.models import OutboxMessage
from changeboard.core.tests.test_permissions import DENY, HIDDEN, OK, PERSONAS, _check, _client, expect

from ..models import Message
from ..services import sending
from .sending_data import approved_message

COVERED_NAMES = {"message-deliveries", "message-send", "message-send-update", "message-cancel-invitation"}
MOVED = 302


class Msgs:
    def __init__(self, world: Any) -> None:
        self.world = world
        self.approved = approved_message(world)
        self.sent = approved_message(world, title="Sent event")
        sending.message_send(message=self.sent, actor=None)
        self.other = approved_message(world, programme=world.programme_b, title="Case files briefing", rollout_wave=world.wave_b)


@pytest.fixture
def m(world: Any) -> Msgs:
    return Msgs(world)


READ_A = expect(admin=OK, board=OK, lead=OK, lead2=HIDDEN, champion=DENY, auditor=OK)
READ_B = expect(admin=OK, board=OK, lead=HIDDEN, lead2=OK, champion=DENY, auditor=OK)
SEND_A = expect(admin=OK, lead=OK, lead2=HIDDEN)
SEND_B = expect(admin=OK, lead=HIDDEN, lead2=OK)

PAGES: list[tuple[str, Callable[[Msgs], int], dict[str, Any]]] = [
    ("message-deliveries", lambda m: m.approved.pk, READ_A),
    ("message-deliveries", lambda m: m.sent.pk, READ_A),
    ("message-deliveries", lambda m: m.other.pk, READ_B),
    ("message-send", lambda m: m.approved.pk, SEND_A),
    ("message-send", lambda m: m.other.pk, SEND_B),
    ("message-send-update", lambda m: m.sent.pk, SEND_A),
    ("message-cancel-invitation", lambda m: m.sent.pk, SEND_A),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "pk", "expected"), PAGES, ids=[f"{p[0]}-{i}" for i, p in enumerate(PAGES)])
def test_page_matrix(client: Any, m: Msgs, persona: str, name: str, pk: Any, expected: dict[str, Any]) -> None:
    _check(_client(client, m.world, persona).get(reverse(name, args=[pk(m)])), expected[persona])


def test_a_missing_message_is_404(client: Any, m: Msgs) -> None:
    c = _client(client, m.world, "admin")
    for name in COVERED_NAMES:
        assert c.get(reverse(name, args=[999999])).status_code == HIDDEN


POSTS: list[tuple[str, Callable[[Msgs], Message], dict[str, Any], Callable[[Message], bool]]] = [
    ("message-send", lambda m: m.approved, expect(admin=MOVED, lead=MOVED, lead2=HIDDEN),
     lambda msg: msg.status == Message.Status.SENT),
    ("message-send-update", lambda m: m.sent, expect(admin=MOVED, lead=MOVED, lead2=HIDDEN), lambda msg: msg.sequence == 1),
    ("message-cancel-invitation", lambda m: m.sent, expect(admin=MOVED, lead=MOVED, lead2=HIDDEN),
     lambda msg: msg.status == Message.Status.CANCELLED),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "target", "expected", "changed"), POSTS, ids=[p[0] for p in POSTS])
def test_post_matrix(client: Any, m: Msgs, persona: str, name: str, target: Any, expected: dict[str, Any], changed: Any) -> None:
    message = target(m)
    before = OutboxMessage.objects.count()
    response = _client(client, m.world, persona).post(reverse(name, args=[message.pk]))
    _check(response, expected[persona])
    message.refresh_from_db()
    assert changed(message) == (expected[persona] == MOVED)
    assert (OutboxMessage.objects.count() > before) == (expected[persona] == MOVED)
    if expected[persona] == MOVED:
        assert response["Location"] == reverse("message-deliveries", args=[message.pk])


@pytest.mark.parametrize(("persona", "shown"), [("admin", True), ("lead", True), ("board", False), ("auditor", False)])
def test_addresses_are_shown_to_the_senders_only(client: Any, m: Msgs, persona: str, shown: bool) -> None:
    page = _client(client, m.world, persona).get(reverse("message-deliveries", args=[m.sent.pk])).content.decode()
    assert "Alex Inscope" in page  # names are shown to every reader
    assert (m.world.staff_in.email in page) == shown
    assert ("Email addresses are shown to the programme" in page) != shown
