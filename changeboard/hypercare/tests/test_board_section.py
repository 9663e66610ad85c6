"""Hypercare on the Board's programme dashboard and in the board pack: the
periods begun by the as-of date and the exit decision recorded by then."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from changeboard.core.tests.test_permissions import _client
from changeboard.reports import summary

from ..services.board import hypercare_section
from ..services.exits import exit_decide
from ..services.periods import period_create


def test_no_period_no_section(world: Any) -> None:
    assert hypercare_section(world.programme_a, dt.date(2027, 6, 1)) is None


def test_a_decision_shows_from_its_date_only(world: Any) -> None:
    today = timezone.localdate()
    period = period_create(rollout_wave=world.wave_a, actor=None, starts_on=today - dt.timedelta(days=50), ends_on=today - dt.timedelta(days=8))
    before = hypercare_section(world.programme_a, today - dt.timedelta(days=1))
    assert before is not None and before.rows[0]["decision"] == "" and before.rows[0]["status"] == "Ended, no exit decision"
    exit_decide(period=period, decision="exit", reason="All criteria met.", new_end=None, actor=world.users["board"])
    after = hypercare_section(world.programme_a, today)
    assert after is not None
    row = after.rows[0]
    assert row["status"] == "Exited" and row["decision"] == "Exit hypercare" and row["decided_on"] == today
    assert row["passed"] is not None and row["passed"] + row["failed"] == len(row["criteria"]) > 0
    # Yesterday's view is unchanged by today's decision.
    again = hypercare_section(world.programme_a, today - dt.timedelta(days=1))
    assert again is not None and again.rows[0]["decision"] == ""
    # Another programme's summary has no hypercare section.
    assert not summary.programme(world.programme_b, None, today).sections


def test_the_programme_dashboard_shows_it(client: Any, world: Any) -> None:
    today = timezone.localdate()
    period_create(rollout_wave=world.wave_a, actor=None, starts_on=today - dt.timedelta(days=3))
    page = _client(client, world, "board").get(reverse("programme-dashboard", args=[world.programme_a.pk]))
    assert page.status_code == 200
    assert "Hypercare and exit decisions" in page.content.decode() and world.wave_a.name in page.content.decode()
    assert summary.programme(world.programme_a, None, today).as_dict()["sections"][0]["key"] == "hypercare"
