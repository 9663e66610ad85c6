"""Fixtures for the impact tests: the hand-worked scenario of test_load."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from changeboard.conftest import make_staff
from changeboard.impacts import services

JAN4 = dt.date(2027, 1, 4)


@pytest.fixture
def scenario(world: Any) -> Any:
    make_staff("100002", world.team, role="Response officer")
    make_staff("100003", world.team, role="Detective")
    make_staff("100004", world.team, role="Detective")
    make_staff("200002", world.camden, role="Response officer")
    admin = world.users["admin"]
    a = services.assessment_create(programme=world.programme_a, title="AAA impacts", actor=admin)
    b = services.assessment_create(programme=world.programme_b, title="BBB impacts", actor=admin)
    world.line1 = services.line_save(assessment=a, actor=admin, units=[world.central_west], title="New finance system", severity=3,
                                     start_date=JAN4, end_date=dt.date(2027, 1, 17), hours_per_person=Decimal("4"),
                                     dimensions={"technology": {"current": "Paper", "future": "Online", "gap": "Training"}})
    world.line2 = services.line_save(assessment=b, actor=admin, units=[world.frontline], roles=["Response officer"], title="New case file",
                                     severity=4, start_date=dt.date(2027, 1, 11), end_date=dt.date(2027, 1, 24), hours_per_person=Decimal("2"),
                                     dimensions={"process": {}})
    for assessment in (a, b):
        services.assessment_submit(assessment=assessment, actor=None)  # the system: admin may then approve (never their own)
        services.assessment_approve(assessment=assessment, actor=admin)
    world.assessments = (a, b)
    return world
