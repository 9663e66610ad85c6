"""The client's address behind TRUSTED_PROXY_COUNT proxies: the entry the
outermost trusted proxy appended, never one the client wrote; and the
sign-in throttle and hypercare limits count by it."""

from __future__ import annotations

from typing import Any

import pytest
from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.test import RequestFactory

from changeboard.conftest import PASSWORD
from changeboard.core.clientip import client_ip


def request(remote: str = "10.0.0.5", forwarded: str | None = None) -> Any:
    made = RequestFactory().get("/", REMOTE_ADDR=remote)
    if forwarded is not None:
        made.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return made


@pytest.mark.parametrize(("count", "forwarded", "expected"), [
    (0, None, "10.0.0.5"),
    (0, "203.0.113.9", "10.0.0.5"),  # no proxies trusted: the header is the client's own words
    (1, None, "10.0.0.5"),  # not through the balancer: nothing to read
    (1, "", "10.0.0.5"),
    (1, "203.0.113.9", "203.0.113.9"),
    (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # a forged first entry is ignored
    (1, "198.51.100.1,203.0.113.9 ", "203.0.113.9"),
    (2, "203.0.113.9, 172.16.0.2", "203.0.113.9"),  # a CDN, then the balancer
    (2, "198.51.100.1, 203.0.113.9, 172.16.0.2", "203.0.113.9"),
    (2, "203.0.113.9", "10.0.0.5"),  # fewer hops than proxies: not trusted
    (1, "not-an-address", "10.0.0.5"),
    (1, "2001:db8::1", "2001:db8::1"),
    (1, "203.0.113.9, unknown", "10.0.0.5"),
])
def test_the_client_address(settings: Any, count: int, forwarded: str | None, expected: str) -> None:
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(request(forwarded=forwarded)) == expected
    assert get_client_ip_address(request(forwarded=forwarded)) == expected  # django-axes asks the same function


def test_sign_in_failures_are_counted_per_client_behind_the_balancer(client: Any, world: Any, settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    for address in ("203.0.113.9", "203.0.113.10"):
        client.post("/login/", {"username": "lead", "password": "wrong-" + PASSWORD}, REMOTE_ADDR="10.0.0.5",
                    HTTP_X_FORWARDED_FOR=f"198.51.100.1, {address}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9", "203.0.113.10"}
