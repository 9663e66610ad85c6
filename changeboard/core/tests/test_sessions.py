"""Session lifetimes: an idle timeout, an absolute lifetime, and background
polls that do not count as activity."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from changeboard.conftest import PASSWORD
from changeboard.core import middleware

T0 = 1_900_000_000
MINUTE = 60
POLL = {"X-Background-Poll": "1"}


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = T0
        monkeypatch.setattr(middleware, "_now", lambda: self.now)

    def at(self, seconds: int) -> None:
        self.now = T0 + seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def _signed_in(world: Any) -> Client:
    client = Client()
    assert client.post("/login/", {"username": "board", "password": PASSWORD}).status_code == 302
    return client


def _page(client: Client, headers: dict[str, str] | None = None) -> Any:
    return client.get("/programmes/", headers=headers)


def _is_signed_in(response: Any) -> bool:
    return response.status_code == 200


def test_the_settings_default_to_thirty_minutes_idle_and_twelve_hours_in_all() -> None:
    assert settings.SESSION_IDLE_SECONDS == 30 * MINUTE and settings.SESSION_ABSOLUTE_SECONDS == 12 * 60 * MINUTE


def test_a_session_ends_after_the_idle_timeout(world: Any, clock: Clock) -> None:
    client = _signed_in(world)
    clock.at(29 * MINUTE)
    assert _is_signed_in(_page(client))
    clock.at(58 * MINUTE)
    assert _is_signed_in(_page(client))  # active 29 minutes ago
    clock.at(88 * MINUTE)
    response = _page(client)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not _is_signed_in(_page(client))  # signed out for good, not only for one request


def test_a_session_ends_after_its_absolute_lifetime_however_active(world: Any, clock: Clock) -> None:
    client = _signed_in(world)
    lifetime = settings.SESSION_ABSOLUTE_SECONDS
    for seconds in range(20 * MINUTE, lifetime, 20 * MINUTE):
        clock.at(seconds)
        assert _is_signed_in(_page(client)), seconds
    clock.at(lifetime - 1)
    assert _is_signed_in(_page(client))
    clock.at(lifetime)
    response = _page(client)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_signing_in_again_starts_a_new_lifetime(world: Any, clock: Clock) -> None:
    client = _signed_in(world)
    clock.at(settings.SESSION_ABSOLUTE_SECONDS)
    assert not _is_signed_in(_page(client))
    client = _signed_in(world)
    assert _is_signed_in(_page(client))


def test_a_background_poll_does_not_extend_the_idle_timer(world: Any, clock: Clock) -> None:
    client = _signed_in(world)
    key = client.session.session_key
    expiry = Session.objects.get(session_key=key).expire_date
    for minutes in (10, 20, 29):
        clock.at(minutes * MINUTE)
        assert _is_signed_in(_page(client, POLL))  # the poll itself is answered while the session lasts
    assert Session.objects.get(session_key=key).expire_date == expiry  # nor is the stored session's expiry moved on
    clock.at(31 * MINUTE)
    assert not _is_signed_in(_page(client))


def test_without_the_poll_header_the_same_request_is_activity(world: Any, clock: Clock) -> None:
    client = _signed_in(world)
    clock.at(29 * MINUTE)
    assert _is_signed_in(_page(client))
    clock.at(31 * MINUTE)
    assert _is_signed_in(_page(client))


def test_a_poll_after_the_idle_timeout_is_signed_out(world: Any, clock: Clock) -> None:
    client = _signed_in(world)
    clock.at(30 * MINUTE)
    assert not _is_signed_in(_page(client, POLL))
    assert not _is_signed_in(_page(client))
