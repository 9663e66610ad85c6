"""The demo and scale data: `seed`, `demo_accounts`, `remove_demo_accounts`."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Q
from django.test import RequestFactory

from changeboard.accounts.models import Role, User
from changeboard.core import audit
from changeboard.core.models import AuditEntry
from changeboard.devtools.seeding import BCUS, DEMO_PASSWORD, FORCE_NAME, _allocate, _step
from changeboard.organisation.models import Staff, Unit
from changeboard.portfolio.models import Programme, RolloutWave

pytestmark = pytest.mark.django_db

ALL_BOROUGHS = {borough for _, _, boroughs in BCUS for borough, _, _ in boroughs}
CENTRAL_WEST = f"{FORCE_NAME} > Frontline Policing > Central West BCU"


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def staff_fingerprint() -> list[tuple[Any, ...]]:
    return list(
        Staff.objects.order_by("staff_number").values_list(
            "staff_number", "first_name", "last_name", "email", "unit__full_path", "role", "rank_grade__code", "location",
            "shift_pattern", "start_date", "leave_date", "line_manager__staff_number",
        )
    )


@pytest.fixture(autouse=True)
def fast_hashing(settings: Any) -> None:
    """Argon2 takes ~0.4 s per demo account here; these tests are about the data."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo() -> str:
    return run("seed", "--scale", "demo")


@pytest.fixture
def tiny() -> str:
    """The same skeleton (groups, BCUs, boroughs, commands, programmes, demo
    accounts) with one team per borough and 150 staff: quick to build."""
    return run("seed", "--scale", "tiny")


def test_the_real_bcus_cover_each_london_borough_once() -> None:
    boroughs = [borough for _, _, bs in BCUS for borough, _, _ in bs]
    assert len(BCUS) == 12
    assert len(boroughs) == 32 == len(set(boroughs))
    assert {"Westminster", "Kensington and Chelsea", "Hammersmith and Fulham"} == {b for b, _, _ in BCUS[0][2]}


def test_demo_seed_builds_the_force(demo: str) -> None:
    assert re.search(r"Seeded scale demo \(seed 2026\) in [\d.]+ s: .*2,000 staff.*12 programmes", demo)
    assert Staff.objects.count() == 2000
    assert 200 <= Unit.objects.count() <= 400
    root = Unit.objects.get(depth=1)
    assert (root.name, root.level) == (FORCE_NAME, Unit.Level.FORCE)
    groups = set(Unit.objects.filter(depth=2).values_list("name", flat=True))
    assert groups == {"Frontline Policing", "Met Operations", "Specialist Operations", "Professionalism", "Met HQ", "Shared Support Services"}
    assert Unit.objects.filter(level=Unit.Level.COMMAND, name__endswith=" BCU").count() == 12
    boroughs = list(Unit.objects.filter(level=Unit.Level.BOROUGH).values_list("name", flat=True))
    assert len(boroughs) == 32 and set(boroughs) == ALL_BOROUGHS
    assert Unit.objects.filter(name="Counter Terrorism Command", level=Unit.Level.COMMAND).exists()

    numbers = list(Staff.objects.values_list("staff_number", flat=True))
    assert all(re.fullmatch(r"MP\d{6}", n) for n in numbers)
    emails = list(Staff.objects.values_list("email", flat=True))
    assert len(set(emails)) == len(emails)
    assert all(re.fullmatch(r"[a-z]+\.[a-z]+\d{2,}@met\.example\.police\.uk", e) for e in emails)
    leavers = Staff.objects.filter(leave_date__lt=dt.date(2026, 1, 5)).count()
    assert 10 <= leavers <= 80  # about 2%
    assert Staff.objects.filter(line_manager__isnull=True).count() == 1  # the Commissioner
    # Sergeants manage constables; sergeants report to an inspector or above.
    response = Staff.objects.filter(role="Response officer")
    assert response.exists() and not response.exclude(line_manager__rank_grade__code="PS").exists()
    assert not Staff.objects.filter(rank_grade__code="PS").filter(line_manager__rank_grade__code__in=["PC", "PS"]).exists()
    assert Staff.objects.filter(rank_grade__code="PC").count() > Staff.objects.filter(rank_grade__code="PS").count() * 3

    assert Programme.objects.count() == 12
    for programme in Programme.objects.all():
        assert 3 <= programme.milestones.count() <= 6, programme
        assert 2 <= programme.waves.count() <= 5, programme
        assert programme.description
    years = {d.year for d in RolloutWave.objects.values_list("go_live_date", flat=True)}
    assert years == {2026, 2027}
    assert not RolloutWave.objects.filter(units__isnull=True).exists()

    entry = AuditEntry.objects.get(object_type="core.seed")
    assert entry.after is not None
    assert entry.action == "create" and entry.after["staff"] == 2000 and entry.after["scale"] == "demo"


def test_central_west_bcu_is_a_hotspot_in_the_first_quarter_of_2027(tiny: str) -> None:
    bcu = Unit.objects.get(full_path=CENTRAL_WEST)
    ancestors = [bcu.path[:i] for i in range(Unit.steplen, len(bcu.path) + 1, Unit.steplen)]
    touching = Unit.objects.filter(Q(path__startswith=bcu.path) | Q(path__in=ancestors))
    quarter = RolloutWave.objects.filter(units__in=touching, go_live_date__range=(dt.date(2027, 1, 1), dt.date(2027, 3, 31)))
    assert quarter.values("programme").distinct().count() >= 4


def test_demo_accounts_can_log_in_with_the_demo_password(tiny: str) -> None:
    users = {u.username: u for u in User.objects.filter(is_demo=True)}
    # The six personas, and capability's business change leads (as many as the scale has: one at tiny).
    assert set(users) == {"admin", "board", "lead", "lead2", "champion", "auditor", "bcl1"}
    for username in users:
        request = RequestFactory().post("/")
        assert authenticate(request=request, username=username, password=DEMO_PASSWORD) is not None, username
    assert users["admin"].role == Role.ADMIN and users["admin"].is_staff
    assert users["auditor"].role == Role.AUDITOR
    assert [u.name for u in users["champion"].units.all()] == ["Westminster"]
    lead_programmes = list(users["lead"].programmes.all())
    lead2_programmes = list(users["lead2"].programmes.all())
    assert len(lead_programmes) == 1 and len(lead2_programmes) == 1 and lead_programmes != lead2_programmes
    for user, [programme] in ((users["lead"], lead_programmes), (users["lead2"], lead2_programmes)):
        assert programme.change_lead == user and programme.sro == users["board"]


def test_same_seed_gives_the_same_data_and_another_seed_does_not() -> None:
    run("seed", "--scale", "demo", "--seed", "7")
    first = staff_fingerprint()
    units = list(Unit.objects.values_list("path", "code", "full_path", "numchild"))
    assert len(first) == 2000
    run("seed", "--scale", "demo", "--seed", "7", "--replace")
    assert staff_fingerprint() == first
    assert list(Unit.objects.values_list("path", "code", "full_path", "numchild")) == units
    assert User.objects.filter(is_demo=True).count() == 8  # the six personas and capability's two business change leads
    run("seed", "--scale", "tiny", "--seed", "8", "--replace")
    assert Staff.objects.count() == 150
    assert staff_fingerprint() != first[:150]


def test_seed_refuses_existing_data_without_replace(tiny: str) -> None:
    with pytest.raises(CommandError, match="--replace"):
        run("seed", "--scale", "demo")
    assert Staff.objects.count() == 150


def test_if_empty_does_nothing_when_units_exist(tiny: str) -> None:
    before = (Unit.objects.count(), Staff.objects.count(), AuditEntry.objects.count())
    out = run("seed", "--scale", "demo", "--if-empty")
    assert "nothing seeded" in out
    assert (Unit.objects.count(), Staff.objects.count(), AuditEntry.objects.count()) == before


def test_if_empty_seeds_an_empty_database() -> None:
    out = run("seed", "--scale", "tiny", "--if-empty")
    assert "Seeded scale tiny" in out
    assert Staff.objects.count() == 150


def test_the_tree_is_consistent_for_treebeard(tiny: str) -> None:
    assert Unit.objects.find_problems() == ([], [], [], [], [])
    bcu = Unit.objects.get(full_path=CENTRAL_WEST)
    descendants = list(Unit.objects.get_descendants(bcu))
    assert descendants and all(u.full_path.startswith(f"{CENTRAL_WEST} > ") for u in descendants)
    assert {u.name for u in descendants if u.level == Unit.Level.BOROUGH} == {"Westminster", "Kensington and Chelsea", "Hammersmith and Fulham"}
    assert len(descendants) == Unit.objects.filter(full_path__startswith=f"{CENTRAL_WEST} > ").count()
    westminster = Unit.objects.get(full_path=f"{CENTRAL_WEST} > Westminster")
    assert [u.name for u in Unit.objects.get_children(westminster)] == ["Response Team 1"]
    assert Unit.objects.get_parent(westminster) == bcu
    # Treebeard can carry on from the seeded paths.
    added = Unit.objects.add_child(westminster, {"name": "Test Team", "code": "TEST", "level": Unit.Level.TEAM,
                                                 "full_path": f"{westminster.full_path} > Test Team"})
    assert added.path == westminster.path + _step(2)
    assert Unit.objects.find_problems() == ([], [], [], [], [])


def test_path_steps_and_allocation_helpers() -> None:
    assert [_step(n) for n in (1, 9, 10, 35, 36, 37)] == ["0001", "0009", "000A", "000Z", "0010", "0011"]
    assert all(Unit._get_path("", 1, n) == _step(n) for n in (1, 36, 1295, 1296))
    shares = _allocate(100, [3, 1, 1])
    assert sum(shares) == 100 and shares[0] > shares[1]
    assert _allocate(2, [5, 5, 5]) == [1, 1, 0]


def test_demo_accounts_lists_the_accounts_and_password(tiny: str) -> None:
    out = run("demo_accounts")
    assert DEMO_PASSWORD in out
    for username in ("admin", "board", "lead", "lead2", "champion", "auditor"):
        assert re.search(rf"^{username}\s", out, re.MULTILINE), username
    assert "Westminster" in out and "CMS" in out


def test_demo_accounts_with_none_says_so() -> None:
    out = run("demo_accounts")
    assert "no demo accounts" in out
    assert DEMO_PASSWORD not in out


def test_met_scale_makes_no_demo_accounts(monkeypatch: pytest.MonkeyPatch) -> None:
    from changeboard.devtools import seeding

    small_met = seeding.Scale("met", 300, ("Response Team 1",), 1, "full", False)
    monkeypatch.setitem(seeding.SCALES, "met", small_met)
    run("seed", "--scale", "met")
    assert not User.objects.filter(is_demo=True).exists()
    assert Staff.objects.count() == 300


def test_remove_demo_accounts_deletes_them_and_keeps_audit_names(tiny: str) -> None:
    admin = User.objects.get(username="admin")
    entry = audit.record(actor=admin, action="update", object_type="test.thing", object_id="1")
    keeper = User.objects.create_user(username="realperson", password="x" * 16, role=Role.BOARD)
    out = run("remove_demo_accounts")
    assert "Removed 7 demo accounts" in out  # the six personas and capability's one business change lead at tiny
    assert not User.objects.filter(is_demo=True).exists()
    assert User.objects.filter(pk=keeper.pk).exists()
    entry.refresh_from_db()
    assert entry.actor is None and entry.actor_name == "admin"
    assert AuditEntry.objects.filter(action="delete", object_type="accounts.user").count() == 7
    assert not Programme.objects.filter(change_lead__isnull=False).exists()
    assert "Removed 0 demo accounts" in run("remove_demo_accounts")
