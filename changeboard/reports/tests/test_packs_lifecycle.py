"""Board packs that go wrong: a failure while storing, a build that never
ends, a failed monthly pack asked for again (once per as-of date live, in
the database too), as-of dates out of range, overdue counts beyond the
listed rows, and building without emailing the Board (the bench)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from changeboard.core.models import AuditEntry, OutboxMessage
from changeboard.core.tests.test_permissions import _client
from changeboard.readiness.models import Action
from changeboard.reports import packs, summary
from changeboard.reports.forms import PackRequestForm
from changeboard.reports.models import BoardPack
from changeboard.reports.tests.test_packs import AS_OF, LATER, add_board_data, raised_before_the_packs, request_and_build, sheet_rows

Status = BoardPack.Status


@pytest.fixture
def data(world: Any) -> dict[str, Any]:
    return add_board_data(world)


def a_pack(as_of: dt.date = dt.date(2026, 10, 1), *, status: str = Status.QUEUED, scheduled: bool = False,
           requested_ago: dt.timedelta = dt.timedelta(0), started_ago: dt.timedelta | None = None) -> BoardPack:
    """A pack row in a given state, its timestamps set back (`requested_at`
    is `auto_now_add`, so it is moved after the insert)."""
    now = timezone.now()
    pack = BoardPack.objects.create(as_of=as_of, title=packs.pack_title(as_of), status=status, scheduled=scheduled,
                                    started_at=None if started_ago is None else now - started_ago)
    BoardPack.objects.filter(pk=pack.pk).update(requested_at=now - requested_ago)
    pack.refresh_from_db()
    return pack


# ---------------------------------------------------------------- 1. never stuck building


def test_a_failure_while_storing_marks_the_pack_failed(world: Any, data: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    with mock.patch.object(packs, "notify_ready", side_effect=RuntimeError("outbox\nunavailable")):
        pack = request_and_build(AS_OF, world.users["admin"], django_capture_on_commit_callbacks)
    assert pack.status == Status.FAILED
    assert pack.error == "RuntimeError: outbox unavailable"
    # The store rolled back whole: no figures, no files, no emails.
    assert not pack.content and not pack.pdf and not pack.html and pack.generated_at is None
    assert not OutboxMessage.objects.filter(kind="board-pack-ready").exists()
    after = AuditEntry.objects.filter(object_type="reports.boardpack", object_id=str(pack.pk), action="update").get().after
    assert after is not None and after["status"] == "failed"
    assert packs.pack_build(pack.pk) == "skipped"


def test_a_pack_building_for_too_long_is_failed_and_can_be_asked_for_again(world: Any) -> None:
    stuck = a_pack(status=Status.BUILDING, requested_ago=dt.timedelta(minutes=45), started_ago=dt.timedelta(minutes=31))
    # Begun before `started_at` was recorded: its request time stands in.
    old = a_pack(dt.date(2026, 9, 1), status=Status.BUILDING, requested_ago=dt.timedelta(hours=2))
    # Waited long in the queue but only just begun: still working.
    working = a_pack(dt.date(2026, 8, 1), status=Status.BUILDING, requested_ago=dt.timedelta(hours=3), started_ago=dt.timedelta(minutes=5))
    queued = a_pack(dt.date(2026, 7, 1), requested_ago=dt.timedelta(hours=3))
    assert packs.fail_stuck_packs() == 2
    statuses = dict(BoardPack.objects.values_list("pk", "status"))
    assert statuses == {stuck.pk: Status.FAILED, old.pk: Status.FAILED, working.pk: Status.BUILDING, queued.pk: Status.QUEUED}
    stuck.refresh_from_db()
    assert stuck.error == packs.STUCK_ERROR and stuck.seconds == pytest.approx(31 * 60, abs=5)
    stuck_after = AuditEntry.objects.filter(object_type="reports.boardpack", object_id=str(stuck.pk), action="update").get().after
    assert stuck_after is not None and stuck_after["status"] == "failed"
    assert packs.fail_stuck_packs() == 0  # once
    # The page lets the Board ask again, and the new pack builds.
    packs.pack_request(as_of=stuck.as_of, actor=world.users["board"])
    assert BoardPack.objects.filter(as_of=stuck.as_of).count() == 2


def test_every_scheduler_pass_fails_stuck_packs_and_the_schedule_asks_again(world: Any,
                                                                             django_capture_on_commit_callbacks: Any) -> None:
    stuck = a_pack(dt.date(2026, 11, 1), status=Status.BUILDING, scheduled=True, requested_ago=dt.timedelta(minutes=40),
                   started_ago=dt.timedelta(minutes=35))
    other = a_pack(dt.date(2026, 5, 1), status=Status.BUILDING, requested_ago=dt.timedelta(hours=1), started_ago=dt.timedelta(hours=1))
    # Late in the month, past the catch-up days: the stuck packs are failed anyway.
    assert packs.packs_due(dt.date(2026, 11, 20)) is None
    assert BoardPack.objects.get(pk=other.pk).status == Status.FAILED
    with django_capture_on_commit_callbacks(execute=True):
        again = packs.packs_due(dt.date(2026, 11, 2))
    assert again is not None and again.pk != stuck.pk and again.scheduled
    assert BoardPack.objects.get(pk=stuck.pk).status == Status.FAILED
    assert BoardPack.objects.get(pk=again.pk).status == Status.READY


def test_a_build_that_finishes_after_being_failed_as_stuck_is_not_stored(world: Any) -> None:
    pack = a_pack()
    real_gather = packs.gather

    def slow_gather(as_of: dt.date, generated_at: dt.datetime) -> dict[str, Any]:
        # The scheduler gives up on it while it is still working.
        assert packs.fail_stuck_packs(timezone.now() + packs.BUILD_TIMEOUT + dt.timedelta(minutes=1)) == 1
        return real_gather(as_of, generated_at)

    with mock.patch.object(packs, "gather", side_effect=slow_gather):
        assert packs.pack_build(pack.pk) == Status.FAILED
    pack.refresh_from_db()
    assert pack.status == Status.FAILED and pack.error == packs.STUCK_ERROR and not pack.pdf
    assert not OutboxMessage.objects.filter(kind="board-pack-ready").exists()


def test_claiming_records_when_the_build_began(world: Any) -> None:
    pack = a_pack()
    before = timezone.now()
    with mock.patch.object(packs, "gather", side_effect=RuntimeError("stop")):
        assert packs.pack_build(pack.pk) == Status.FAILED
    pack.refresh_from_db()
    assert pack.started_at is not None and pack.started_at >= before
    assert pack.error == "RuntimeError: stop"


# ---------------------------------------------------------------- 2. the schedule after a failure


def test_a_failed_monthly_pack_is_asked_for_again(world: Any) -> None:
    first = dt.date(2026, 10, 1)
    failed = a_pack(first, status=Status.FAILED, scheduled=True, requested_ago=dt.timedelta(minutes=5))
    # Not straight away: a fault that fails every build must not make a pack a minute.
    assert packs.packs_due(dt.date(2026, 10, 1)) is None
    BoardPack.objects.filter(pk=failed.pk).update(requested_at=timezone.now() - packs.SCHEDULE_RETRY_AFTER - dt.timedelta(minutes=1))
    again = packs.packs_due(dt.date(2026, 10, 1))
    assert again is not None and again.pk != failed.pk and again.scheduled and again.status == Status.QUEUED
    # While the new one is live, nothing more is asked for.
    assert packs.packs_due(dt.date(2026, 10, 2)) is None
    assert BoardPack.objects.filter(scheduled=True, as_of=first).count() == 2


def test_the_schedule_gives_up_after_its_attempts(world: Any) -> None:
    first = dt.date(2026, 10, 1)
    for _ in range(packs.SCHEDULE_ATTEMPTS):
        a_pack(first, status=Status.FAILED, scheduled=True, requested_ago=dt.timedelta(hours=2))
    assert packs.packs_due(dt.date(2026, 10, 3)) is None
    assert BoardPack.objects.filter(as_of=first).count() == packs.SCHEDULE_ATTEMPTS


def test_one_live_scheduled_pack_per_as_of_date_in_the_database(world: Any) -> None:
    first = dt.date(2026, 10, 1)
    a_pack(first, status=Status.FAILED, scheduled=True)
    a_pack(first, status=Status.FAILED, scheduled=True)  # failed ones do not count
    live = a_pack(first, scheduled=True)
    a_pack(first)  # nor do packs asked for by hand
    a_pack(dt.date(2026, 11, 1), scheduled=True)  # another date
    for status in (Status.QUEUED, Status.BUILDING, Status.READY):
        with pytest.raises(IntegrityError), transaction.atomic():
            BoardPack.objects.create(as_of=first, title="Again", scheduled=True, status=status)
    # A live one may still fail (and then another may be asked for).
    packs._fail(live, "RuntimeError: stop", 1.0)
    assert a_pack(first, scheduled=True).status == Status.QUEUED


def test_two_schedulers_racing_make_one_pack(world: Any) -> None:
    first = dt.date(2026, 10, 1)
    winner = a_pack(first, scheduled=True)
    # The loser checked before the winner's insert was visible to it.
    with mock.patch.object(packs, "_schedule_wants", return_value=True):
        assert packs.packs_due(dt.date(2026, 10, 1)) is None
    assert list(BoardPack.objects.values_list("pk", flat=True)) == [winner.pk]
    assert not AuditEntry.objects.filter(object_type="reports.boardpack", action="create").exists()


# ---------------------------------------------------------------- 3. as-of dates


@pytest.mark.parametrize(("as_of", "message"), [
    (dt.date(1, 1, 1), "The as-of date must be on or after 1 January 2000"),
    (dt.date(1999, 12, 31), "The as-of date must be on or after 1 January 2000"),
])
def test_as_of_dates_before_2000_are_refused(world: Any, client: Any, as_of: dt.date, message: str) -> None:
    with pytest.raises(ValidationError) as raised:
        packs.pack_request(as_of=as_of, actor=world.users["board"])
    assert raised.value.message_dict == {"as_of": [message]}
    form = PackRequestForm(data={"as_of": as_of.isoformat()})
    assert not form.is_valid() and form.errors["as_of"] == [message]
    c = _client(client, world, "board")
    page = c.post(reverse("pack-list"), {"as_of": as_of.isoformat()})
    assert page.status_code == 200 and message in page.content.decode()
    refused = c.post(reverse("api-pack-list"), {"as_of": as_of.isoformat()}, content_type="application/json")
    assert refused.status_code == 400 and refused.json() == {"as_of": [message]}
    assert not BoardPack.objects.exists()


def test_the_as_of_bounds_are_inclusive(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    assert packs.as_of_error(packs.EARLIEST_AS_OF) is None
    assert packs.as_of_error(timezone.localdate()) is None
    assert PackRequestForm(data={"as_of": "2000-01-01"}).is_valid()
    # The earliest date builds (no overflow working back from it).
    pack = request_and_build(packs.EARLIEST_AS_OF, world.users["board"], django_capture_on_commit_callbacks)
    assert pack.status == Status.READY, pack.error


# ---------------------------------------------------------------- 4. overdue counts beyond the listed rows


def test_overdue_counts_are_not_capped_by_the_listed_rows(world: Any, data: dict[str, Any],
                                                           django_capture_on_commit_callbacks: Any) -> None:
    more = [Action.objects.create(programme=world.programme_a, title=f"Chase return {i}", due_date=dt.date(2026, 9, 10 + i))
            for i in range(3)]
    raised_before_the_packs(*more)
    with mock.patch.object(summary, "OVERDUE_LISTED", 2):
        pack = request_and_build(AS_OF, world.users["admin"], django_capture_on_commit_callbacks)
    assert pack.status == Status.READY, pack.error
    assert pack.content is not None
    portfolio = pack.content["portfolio"]
    assert len(portfolio["overdue"]) == 2 and portfolio["overdue_count"] == 4
    assert pack.content["exceptions"]["overdue_actions"] == 4
    exceptions = sheet_rows(pack, "Exceptions")
    assert [r[0] for r in exceptions].count("Overdue action") == len(packs.overdue_actions(pack.content))
    note = next(r for r in exceptions if r[0] == "Overdue actions not listed")
    assert note[3] == f"4 actions were overdue; the {len(packs.overdue_actions(pack.content))} longest overdue are listed"
    line = next(line for line in packs.exception_lines(packs.revive(pack.content)) if line["key"] == "overdue_actions")
    assert line["count"] == 4


def test_exceptions_and_changes_count_every_overdue_action() -> None:
    def row(pk: int, due: str) -> dict[str, Any]:
        return {"id": pk, "title": f"Action {pk}", "programme": "AAA", "unit": "", "due_date": due, "days_overdue": 1}

    def content(as_of: str, overdue: list[dict[str, Any]], count: int | None) -> dict[str, Any]:
        p = {"programmes": [], "not_ready": [], "hotspots": [], "critical": [], "overdue": overdue, "barriers": [], "saturated_units": 0}
        if count is not None:
            p["overdue_count"] = count
        return {"as_of": as_of, "portfolio": p, "programmes": [], "exceptions": packs.exceptions_of(p)}

    # A pack stored before the uncapped count existed counts its rows.
    legacy = content("2026-10-01", [row(1, "2026-09-01"), row(2, "2026-09-02")], None)
    assert legacy["exceptions"]["overdue_actions"] == 2
    # The previous list was capped: action 3 (due before its as-of date) may
    # have been overdue then, unlisted; action 4 fell due since.
    before = content("2026-10-01", [row(1, "2026-09-01"), row(2, "2026-09-02")], 70)
    after = content("2026-11-01", [row(1, "2026-09-01"), row(3, "2026-09-03"), row(4, "2026-10-15")], 90)
    changes = packs.compare(before, after)
    overdue = next(c for c in changes["counts"] if c["label"] == "Overdue actions")
    assert (overdue["from"], overdue["to"]) == (70, 90)
    assert [a["id"] for a in changes["overdue_new"]] == [4]
    # Complete lists: anything not listed before is new.
    complete = packs.compare(content("2026-10-01", [row(1, "2026-09-01")], 1), after)
    assert [a["id"] for a in complete["overdue_new"]] == [3, 4]
    assert ["Exceptions: overdue actions", "", "", 70, 90] in packs.change_rows(packs.to_plain({**changes, "previous": {"id": 1}}))


# ---------------------------------------------------------------- 5. building without emailing the Board


def test_a_pack_can_be_built_without_emailing_the_board(world: Any, data: dict[str, Any],
                                                         django_capture_on_commit_callbacks: Any) -> None:
    # Through the task (as the bench's request enqueues it) ...
    with django_capture_on_commit_callbacks(execute=True):
        queued = packs.pack_request(as_of=AS_OF, actor=world.users["admin"], notify=False)
    queued.refresh_from_db()
    assert queued.status == Status.READY, queued.error
    # ... and directly (as the bench builds it).
    with django_capture_on_commit_callbacks(execute=False):
        direct = packs.pack_request(as_of=LATER, actor=world.users["admin"], notify=False)
    assert packs.pack_build(direct.pk, notify=False) == Status.READY
    assert not OutboxMessage.objects.filter(kind="board-pack-ready").exists()
    after = AuditEntry.objects.filter(object_type="reports.boardpack", object_id=str(direct.pk), action="update").get().after
    assert after is not None and after["status"] == "ready" and after["notified"] == 0
    # By default the Board is told.
    told = request_and_build(dt.date(2026, 11, 25), world.users["admin"], django_capture_on_commit_callbacks)
    assert OutboxMessage.objects.filter(kind="board-pack-ready").count() == 1
    told_after = AuditEntry.objects.filter(object_id=str(told.pk), action="update").get().after
    assert told_after is not None and told_after["notified"] == 1
