"""Sign-in throttling per account as well as per account and address."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.test import Client

from changeboard.conftest import PASSWORD


def _sign_in(address: str, password: str, username: str = "board") -> Any:
    return Client(REMOTE_ADDR=address).post("/login/", {"username": username, "password": password})


def test_a_seventeenth_wrong_password_from_a_fifth_address_is_locked_out(world: Any) -> None:
    per_address = settings.AXES_FAILURE_LIMIT - 1  # one short of each address's own limit
    for n in range(4):
        for _ in range(per_address):
            _sign_in(f"10.0.0.{n + 1}", "wrong-password")
    locked = _sign_in("10.0.0.5", "wrong-password")
    assert locked.status_code == 429
    assert b"Too many sign-in attempts" in locked.content


def test_a_locked_out_user_cannot_sign_in_from_another_address(world: Any) -> None:
    for n in range(settings.LOGIN_ACCOUNT_FAILURE_LIMIT):
        _sign_in(f"10.0.1.{n + 1}", "wrong-password")  # each address well under its own limit
    locked = _sign_in("10.0.2.1", PASSWORD)
    assert locked.status_code == 429
    assert b"Too many sign-in attempts" in locked.content
    assert b"This account is locked for a short time after repeated failed sign-ins." in locked.content


def test_another_account_is_not_locked_by_a_neighbours_failures(world: Any) -> None:
    for n in range(settings.LOGIN_ACCOUNT_FAILURE_LIMIT):
        _sign_in(f"10.0.1.{n + 1}", "wrong-password")
    assert _sign_in("10.0.1.1", PASSWORD, username="lead").status_code == 302


def test_failures_under_both_limits_still_sign_in(world: Any) -> None:
    for n in range(settings.LOGIN_ACCOUNT_FAILURE_LIMIT - 1):
        _sign_in(f"10.0.1.{n % 2 + 1}", "wrong-password")
    assert _sign_in("10.0.1.3", PASSWORD).status_code == 302


def test_one_address_is_still_locked_at_its_own_limit(world: Any) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in("10.0.3.1", "wrong-password")
    assert _sign_in("10.0.3.1", PASSWORD).status_code == 429
