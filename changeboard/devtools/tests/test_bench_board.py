"""A smoke test of `bench board` on the small test world: the dashboards are
timed, a pack is built, and the responses are doubled in SQL (a new random id
per copy, on SQLite and PostgreSQL alike) with the roll-ups rebuilt."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from changeboard.devtools.bench import board as bench
from changeboard.devtools.bench.common import BenchError
from changeboard.readiness.models import ElementTally
from changeboard.readiness.tests.helpers import closed_wave, respond
from changeboard.surveys.models import Answer, Response


def test_bench_board_at_a_tiny_size(world: Any) -> None:
    wave = closed_wave(world.programme_a, "Pulse 1", dt.date(2026, 10, 2))
    respond(wave, world.team, [4, 3, 4, 5, 4, 4, 3, 4, 5, 4], invited=12)
    before = ElementTally.objects.filter(wave=wave, element="awareness").get()
    figures = bench.run(runs=2, force=True)
    assert figures["pack_status"] == "ready" and figures["pack_pdf_bytes"] > 1000
    assert figures["doubled_responses"] == 10 and figures["doubled_answers"] == 50
    assert Response.objects.count() == 20 and Answer.objects.count() == 100
    assert len(set(Response.objects.values_list("pk", flat=True))) == 20
    after = ElementTally.objects.filter(wave=wave, element="awareness").get()
    assert (after.responses, after.answers, after.total) == (2 * before.responses, 2 * before.answers, 2 * before.total)
    for key in ("portfolio_ms_p95", "programme_ms_p95", "portfolio_ms_p95_after", "programme_ms_p95_after", "growth_ratio", "pack_pdf_seconds"):
        assert figures[key] > 0, key


def test_bench_board_refuses_a_database_that_is_not_scratch(world: Any, settings: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr("changeboard.devtools.bench.common.looks_like_scratch", lambda: False)
    with pytest.raises(BenchError):
        bench.run(runs=1)
