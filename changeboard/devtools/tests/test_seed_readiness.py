"""Issue 18: the demo seed is rich enough that most units going live in a
rollout wave have a real readiness figure, not "Not enough data", and
seeding stays quick."""

from __future__ import annotations

import time
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from changeboard.portfolio.models import RolloutWave
from changeboard.reports import summary

pytestmark = pytest.mark.django_db


def test_most_units_going_live_have_a_figure(django_capture_on_commit_callbacks: Any) -> None:
    started = time.perf_counter()
    with django_capture_on_commit_callbacks(execute=True):  # the worker's roll-ups, built here
        call_command("seed", "--scale", "demo", stdout=StringIO())
    elapsed = time.perf_counter() - started
    today = timezone.localdate()
    going = sum(w.units.count() for w in RolloutWave.objects.filter(go_live_date__gte=today))
    p = summary.portfolio(None, today)
    assert going > 20
    with_figure = going - len(p.no_data)
    print(f"demo seed and roll-ups: {elapsed:.1f} s; units going live {going}, with a figure {with_figure}")
    assert with_figure >= 0.6 * going, (with_figure, going, [(n.programme.code, n.unit.name) for n in p.no_data][:20])
