"""A pack's progress poll marks itself as background, so it does not keep a
session alive (changeboard.core.middleware.SessionLifetimeMiddleware)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from changeboard.reports.models import BoardPack


def test_the_pack_status_poll_sends_the_background_header(client: Any, world: Any) -> None:
    client.force_login(world.users["board"])
    pack = BoardPack.objects.create(as_of=dt.date(2026, 10, 31), title="Board pack, as of 31 October 2026")
    text = client.get(pack.get_absolute_url()).content.decode()
    poll = text.split('id="pack-status"', 1)[1].split(">", 1)[0]
    assert 'hx-trigger="every 3s"' in poll and """hx-headers='{"X-Background-Poll": "1"}'""" in poll
