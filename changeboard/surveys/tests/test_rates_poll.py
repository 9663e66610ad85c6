"""The live response-rate poll marks itself as background, so it does not
keep a session alive (changeboard.core.middleware.SessionLifetimeMiddleware)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from changeboard.surveys.tests.test_pages import Surveys, s  # noqa: F401  (the fixture)


def test_the_rates_poll_sends_the_background_header(client: Any, s: Surveys) -> None:  # noqa: F811
    client.force_login(s.world.users["admin"])
    page = client.get(reverse("wave-rates", args=[s.open.pk])).content.decode()
    poll = page.split('id="rates-summary"', 1)[1].split(">", 1)[0]
    assert 'hx-trigger="every 30s"' in poll and """hx-headers='{"X-Background-Poll": "1"}'""" in poll
