"""Shared test fixtures: a small force, two programmes and the named personas
(admin, board, lead, lead2 out of scope, champion, auditor, anonymous)."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from importlib import import_module
from typing import Any

import pytest

from changeboard.accounts.models import Role, User
from changeboard.organisation.models import RankGrade, Staff, Unit
from changeboard.organisation.services import unit_ensure_path
from changeboard.portfolio.models import Milestone, Programme, RolloutWave

# Browser fixtures (`browser`, `page`) for the journeys in any app; real task
# workers' fixtures (`redis_url`, `task_queue`, `worker_database`); the shared
# file storage on both backends (`file_storage`, `s3_bucket`).
pytest_plugins = ["changeboard.core.tests.browser", "changeboard.core.tests.workers", "changeboard.core.tests.storage"]

# Playwright's sync API runs an event loop in the test thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "a-Long-test-passw0rd"


@dataclass
class World:
    root: Unit
    frontline: Unit
    central_west: Unit
    westminster: Unit
    team: Unit
    north: Unit
    camden: Unit
    programme_a: Programme
    programme_b: Programme
    wave_a: RolloutWave
    wave_b: RolloutWave
    milestone_a: Milestone
    staff_in: Staff
    staff_out: Staff
    users: dict[str, Any]


def make_staff(number: str, unit: Unit, **extra: Any) -> Staff:
    defaults = {"first_name": "Sam", "last_name": f"Person{number}", "email": f"p{number}@example.police.uk", "role": "Response officer",
                "rank_grade": RankGrade.objects.get(code="PC")}
    defaults.update(extra)
    return Staff.objects.create(staff_number=number, unit=unit, **defaults)


def make_user(username: str, role: str, **scope: Any) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, role=role, first_name=username.title(), last_name="Tester")
    if scope.get("programmes"):
        user.programmes.set(scope["programmes"])
    if scope.get("units"):
        user.units.set(scope["units"])
    return user


def ensure_ranks() -> None:
    """Transactional (browser) tests flush the tables the data migration filled."""
    if not RankGrade.objects.exists():
        from django.apps import apps

        import_module("changeboard.organisation.migrations.0002_ranks_and_grades").add(apps, None)


@pytest.fixture
def world(db: Any) -> World:
    ensure_ranks()
    known: dict[str, Unit] = {}
    team = unit_ensure_path(full_path="Test Force > Frontline Policing > Central West BCU > Westminster > Response Team 1", actor=None, known=known)
    camden = unit_ensure_path(full_path="Test Force > Frontline Policing > North BCU > Camden", actor=None, known=known)
    root = known["Test Force"]
    frontline = known["Test Force > Frontline Policing"]
    central_west = known["Test Force > Frontline Policing > Central West BCU"]
    westminster = known["Test Force > Frontline Policing > Central West BCU > Westminster"]
    north = known["Test Force > Frontline Policing > North BCU"]
    programme_a = Programme.objects.create(code="AAA", name="Shared Services", status="active", phase="build")
    programme_b = Programme.objects.create(code="BBB", name="Case Files", status="active", phase="design")
    wave_a = RolloutWave.objects.create(programme=programme_a, name="Wave 1", go_live_date=dt.date(2027, 3, 1))
    wave_a.units.set([central_west])
    wave_b = RolloutWave.objects.create(programme=programme_b, name="Wave 1", go_live_date=dt.date(2027, 4, 1))
    wave_b.units.set([north])
    milestone_a = Milestone.objects.create(programme=programme_a, name="Design signed off", due_date=dt.date(2027, 1, 10))
    staff_in = make_staff("100001", team, first_name="Alex", last_name="Inscope")
    staff_out = make_staff("200001", camden, first_name="Blair", last_name="Outscope")
    users = {
        "admin": make_user("admin", Role.ADMIN),
        "board": make_user("board", Role.BOARD),
        "lead": make_user("lead", Role.CHANGE_MANAGER, programmes=[programme_a]),
        "lead2": make_user("lead2", Role.CHANGE_MANAGER, programmes=[programme_b]),
        "champion": make_user("champion", Role.CHAMPION, units=[westminster]),
        "auditor": make_user("auditor", Role.AUDITOR),
        "anonymous": None,
    }
    programme_a.change_lead = users["lead"]
    programme_a.save()
    return World(root, frontline, central_west, westminster, team, north, camden, programme_a, programme_b, wave_a, wave_b, milestone_a, staff_in, staff_out, users)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Argon2 is deliberately slow; tests hash hundreds of passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with an empty cache: cached trends, rate-limit
    counters and throttles from one test must not leak into the next (the
    test cache is the per-process local-memory one)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _own_media_root(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each test stores files (evidence, attachments, staged imports, board
    packs) in a directory of its own, never in the checkout's var/media and
    never where a parallel test would see them."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _tasks_run_immediately(settings: Any) -> None:
    """Background tasks run inline in tests, so their effects can be asserted."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
