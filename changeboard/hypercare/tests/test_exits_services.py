"""Exit criteria at their thresholds (just under, at, over), evaluated live
with their figures; the exit decision's rules and its frozen snapshot.

Default policy: Monday to Friday 08:00-18:00 Europe/London; P2 resolves in
1200 working minutes. Wave A goes live on Monday 1 March 2027.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from changeboard.core.models import AuditEntry
from changeboard.hypercare.models import Category, ExitCriterion, ExitDecision, Period, Query
from changeboard.hypercare.services import exits
from changeboard.hypercare.services import periods as period_services
from changeboard.hypercare.services import queries as query_services

UTC = dt.UTC
Status = Query.Status


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


class Desk:
    def __init__(self, world: Any) -> None:
        self.world = world
        self.period = period_services.period_create(rollout_wave=world.wave_a, actor=None)
        self.defect = Category.objects.get(period=self.period, code="defect")
        self.gap = Category.objects.get(period=self.period, code="training_gap")
        self.actor = world.users["lead"]

    def raise_(self, at: dt.datetime, priority: str = "P3", category: Category | None = None, unit: Any = None) -> Query:
        extra: dict[str, Any] = {"unit": unit} if unit is not None else {"staff": self.world.staff_in}
        return query_services.query_create(period=self.period, category=category or self.defect, title="Help", actor=self.actor,
                                           source=Query.Source.SUPPORT, priority=priority, created_at=at, **extra)

    def move(self, query: Query, status: str, at: dt.datetime) -> Query:
        return query_services.query_transition(query=query, status=status, actor=self.actor, at=at)

    def threshold(self, kind: str, value: str) -> None:
        ExitCriterion.objects.filter(period=self.period, kind=kind).update(threshold=Decimal(value))

    def row(self, kind: str, now: dt.datetime) -> dict[str, Any]:
        self.period.refresh_from_db()
        return next(r for r in exits.exit_rows(self.period, now=now) if r["kind"] == kind)


@pytest.fixture
def desk(world: Any) -> Desk:
    return Desk(world)


def test_rows_in_order_with_rules_and_time(desk: Desk) -> None:
    now = utc(2027, 3, 10, 12)
    rows = exits.exit_rows(desk.period, now=now)
    assert [r["kind"] for r in rows] == ["no_open_p1", "sla_met", "new_per_day", "training_gaps"]
    assert all(r["evaluated_at"] == now for r in rows)
    assert rows[1]["rule"] == "At least 90% of P1 and P2 queries resolved in the last 14 days met the resolution SLA"
    assert rows[2]["rule"] == "At most 10 new queries a day on each of the last 5 working days"
    assert rows[3]["rule"] == "No unit with more than 5 open training-gap queries"


def test_no_open_p1(desk: Desk) -> None:
    now = utc(2027, 3, 3, 12)
    desk.raise_(utc(2027, 3, 1, 9), priority="P2")
    assert desk.row("no_open_p1", now)["passed"] is True
    p1 = desk.raise_(utc(2027, 3, 1, 10), priority="P1")
    row = desk.row("no_open_p1", now)
    assert (row["passed"], row["figure"], row["figure_text"]) == (False, "1", "1 open P1")
    desk.move(p1, Status.WAITING, utc(2027, 3, 1, 11))  # waiting is still open
    assert desk.row("no_open_p1", now)["passed"] is False
    desk.move(p1, Status.RESOLVED, utc(2027, 3, 2, 9))
    assert desk.row("no_open_p1", now)["passed"] is True


def _p2(desk: Desk, met: int, breached: int, resolved_on: dt.datetime) -> None:
    """P2 queries resolved on one day: `met` within 1200 working minutes, `breached` after 1201."""
    for _ in range(met):
        query = desk.raise_(resolved_on - dt.timedelta(hours=1), priority="P2")
        desk.move(query, Status.RESOLVED, resolved_on)
    for _ in range(breached):
        # Raised Monday 09:00, resolved Wednesday 09:01: 540 + 600 + 61 = 1201.
        start = resolved_on - dt.timedelta(days=2, minutes=1)
        query = desk.raise_(start, priority="P2")
        desk.move(query, Status.RESOLVED, resolved_on)


@pytest.mark.parametrize(("threshold", "passed"), [("89.9", True), ("90", True), ("90.1", False)])
def test_sla_met_at_threshold(desk: Desk, threshold: str, passed: bool) -> None:
    _p2(desk, met=9, breached=1, resolved_on=utc(2027, 3, 10, 9, 1))  # a Wednesday
    # Not counted: a P3, a P2 resolved more than 14 days before, a P2 still open.
    other = desk.raise_(utc(2027, 3, 1, 9), priority="P3")
    desk.move(other, Status.RESOLVED, utc(2027, 3, 9, 9))
    _p2(desk, met=0, breached=1, resolved_on=utc(2027, 3, 3, 9, 1))
    desk.raise_(utc(2027, 3, 15, 9), priority="P2")
    desk.threshold("sla_met", threshold)
    row = desk.row("sla_met", utc(2027, 3, 17, 12))
    assert (row["passed"], row["figure"], row["figure_text"]) == (passed, "90.0", "90%")
    assert row["counts"] == {"resolved": 10, "met": 9, "breached": 1, "response_met": 9}


def test_sla_met_counts_priority_at_resolution_and_the_window(desk: Desk) -> None:
    upgraded = desk.raise_(utc(2027, 3, 8, 9), priority="P4")
    query_services.query_update(query=upgraded, actor=desk.actor, priority="P1", at=utc(2027, 3, 8, 10))
    desk.move(upgraded, Status.RESOLVED, utc(2027, 3, 9, 10))  # 660 > 600 for P1
    row = desk.row("sla_met", utc(2027, 3, 10, 12))
    assert (row["passed"], row["figure"], row["counts"]["breached"]) == (False, "0.0", 1)
    # Fourteen days on (plus a minute) it has left the window: nothing resolved, nothing missed.
    late = desk.row("sla_met", utc(2027, 3, 23, 10, 1))
    assert (late["passed"], late["figure"], late["figure_text"]) == (True, None, "None resolved")


def _raise_on(desk: Desk, day: dt.date, count: int) -> None:
    for i in range(count):
        desk.raise_(dt.datetime.combine(day, dt.time(9, i), tzinfo=UTC))


def test_run_window_ends_today_only_after_the_working_day(desk: Desk) -> None:
    days = exits.run_window(desk.period, utc(2027, 3, 8, 12))  # Monday midday: ends Friday
    assert days == [dt.date(2027, 3, d) for d in (1, 2, 3, 4, 5)]
    days = exits.run_window(desk.period, utc(2027, 3, 8, 18))  # Monday 18:00 GMT: today is done
    assert days == [dt.date(2027, 3, d) for d in (2, 3, 4, 5, 8)]
    days = exits.run_window(desk.period, utc(2027, 3, 13, 12))  # a Saturday
    assert days == [dt.date(2027, 3, d) for d in (8, 9, 10, 11, 12)]
    # Over Easter: Good Friday 26 March and Easter Monday 29 March are not working days.
    days = exits.run_window(desk.period, utc(2027, 3, 31, 12))
    assert days == [dt.date(2027, 3, 22), dt.date(2027, 3, 23), dt.date(2027, 3, 24), dt.date(2027, 3, 25), dt.date(2027, 3, 30)]


@pytest.mark.parametrize(("threshold", "passed"), [("3", False), ("4", True), ("5", True)])
def test_new_per_day_at_threshold(desk: Desk, threshold: str, passed: bool) -> None:
    for day, count in zip((1, 2, 3, 4, 5), (2, 4, 1, 0, 3), strict=True):
        _raise_on(desk, dt.date(2027, 3, day), count)
    _raise_on(desk, dt.date(2027, 3, 6), 9)  # a Saturday: not in the run
    _raise_on(desk, dt.date(2027, 3, 8), 9)  # today, not over yet: not in the run
    desk.threshold("new_per_day", threshold)
    row = desk.row("new_per_day", utc(2027, 3, 8, 12))
    assert (row["passed"], row["figure"], row["figure_text"]) == (passed, "4", "At most 4 a day")
    assert row["counts"]["days"] == {"2027-03-01": 2, "2027-03-02": 4, "2027-03-03": 1, "2027-03-04": 0, "2027-03-05": 3}
    assert row["detail"].startswith("Mon 1 Mar: 2; Tue 2 Mar: 4")


def test_new_per_day_counts_local_days(desk: Desk) -> None:
    """In summer a query raised at 23:30 UTC belongs to the next local (BST) day."""
    period_services.period_update(period=desk.period, actor=None, starts_on=dt.date(2027, 6, 1), ends_on=dt.date(2027, 7, 30))
    desk.raise_(utc(2027, 6, 7, 23, 30))  # Tue 8 June 00:30 BST
    row = desk.row("new_per_day", utc(2027, 6, 14, 12))  # window Mon 7 - Fri 11
    assert row["counts"]["days"]["2027-06-07"] == 0
    assert row["counts"]["days"]["2027-06-08"] == 1


def test_new_per_day_too_early(desk: Desk) -> None:
    row = desk.row("new_per_day", utc(2027, 3, 5, 12))  # four full working days since go-live
    assert (row["passed"], row["figure_text"]) == (False, "Too early to tell")
    assert desk.row("new_per_day", utc(2027, 3, 5, 18))["passed"] is True  # Friday's day is over: five days, none raised


@pytest.mark.parametrize(("threshold", "passed"), [("2", False), ("3", True), ("4", True)])
def test_training_gaps_at_threshold(desk: Desk, threshold: str, passed: bool) -> None:
    world = desk.world
    for _ in range(3):
        desk.raise_(utc(2027, 3, 2, 9), category=desk.gap)  # Response Team 1 (staff_in)
    closed = desk.raise_(utc(2027, 3, 2, 9), category=desk.gap)
    desk.move(closed, Status.RESOLVED, utc(2027, 3, 2, 10))  # resolved: not open
    desk.raise_(utc(2027, 3, 2, 9))  # a defect, not a training gap
    for _ in range(2):
        desk.raise_(utc(2027, 3, 2, 9), category=desk.gap, unit=world.westminster)
    desk.threshold("training_gaps", threshold)
    row = desk.row("training_gaps", utc(2027, 3, 3, 12))
    assert (row["passed"], row["figure"]) == (passed, "3")
    assert row["counts"] == {"open_training_gaps": 5, "units_over": 0 if passed else 1, "most_in_a_unit": 3}
    if not passed:
        assert row["detail"] == "Over: Response Team 1 (3)."


# ---------------------------------------------------------------- the decision


@pytest.mark.parametrize("persona", ["admin", "board", "lead"])
def test_who_may_decide(desk: Desk, persona: str) -> None:
    decision = exits.exit_decide(period=desk.period, decision="extend", reason="Still busy", new_end=dt.date(2027, 5, 1),
                                 actor=desk.world.users[persona])
    assert decision.decided_by == desk.world.users[persona]


@pytest.mark.parametrize("persona", ["lead2", "champion", "auditor"])
def test_who_may_not_decide(desk: Desk, persona: str) -> None:
    with pytest.raises(PermissionDenied):
        exits.exit_decide(period=desk.period, decision="exit", reason="Done", new_end=None, actor=desk.world.users[persona])
    assert not ExitDecision.objects.exists()


def test_decision_rules(desk: Desk) -> None:
    lead = desk.actor
    ends = desk.period.ends_on
    with pytest.raises(ValidationError) as caught:
        exits.exit_decide(period=desk.period, decision="extend", reason=" ", new_end=None, actor=lead)
    assert set(caught.value.message_dict) == {"reason", "new_end"}
    with pytest.raises(ValidationError) as caught:
        exits.exit_decide(period=desk.period, decision="extend", reason="More", new_end=ends, actor=lead)
    assert "after the current end" in caught.value.message_dict["new_end"][0]
    with pytest.raises(ValidationError):
        exits.exit_decide(period=desk.period, decision="pause", reason="More", new_end=None, actor=lead)
    with pytest.raises(ValidationError):
        exits.exit_decide(period=desk.period, decision="exit", reason="Done", new_end=ends + dt.timedelta(days=3), actor=lead)
    extended = exits.exit_decide(period=desk.period, decision="extend", reason="Training gaps still high",
                                 new_end=ends + dt.timedelta(days=1), actor=lead)
    desk.period.refresh_from_db()
    assert (desk.period.ends_on, desk.period.status, extended.new_end) == (ends + dt.timedelta(days=1), Period.Status.ACTIVE,
                                                                          ends + dt.timedelta(days=1))
    exited = exits.exit_decide(period=desk.period, decision="exit", reason="All criteria hold", new_end=None, actor=lead)
    desk.period.refresh_from_db()
    assert desk.period.status == Period.Status.EXITED and exited.new_end is None
    with pytest.raises(ValidationError, match="already ended"):
        exits.exit_decide(period=desk.period, decision="extend", reason="Again", new_end=ends + dt.timedelta(days=30), actor=lead)
    assert AuditEntry.objects.filter(object_type__contains="exitdecision", action="create").count() == 2


def test_exit_ends_the_period_today_when_earlier(desk: Desk, monkeypatch: Any) -> None:
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: utc(2027, 3, 20, 12))
    exits.exit_decide(period=desk.period, decision="exit", reason="Quiet", new_end=None, actor=desk.actor)
    desk.period.refresh_from_db()
    assert desk.period.ends_on == dt.date(2027, 3, 20)


def test_snapshot_is_frozen(desk: Desk, monkeypatch: Any) -> None:
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: utc(2027, 3, 10, 12))
    p1 = desk.raise_(utc(2027, 3, 9, 9), priority="P1")
    decision = exits.exit_decide(period=desk.period, decision="extend", reason="A P1 is open", new_end=dt.date(2027, 5, 1),
                                 actor=desk.actor)
    frozen = ExitDecision.objects.get(pk=decision.pk).snapshot
    assert frozen["evaluated_at"] == "2027-03-10T12:00:00+00:00"
    assert [(c["kind"], c["passed"], c["figure"]) for c in frozen["criteria"]][0] == ("no_open_p1", False, "1")
    assert (frozen["passed"], frozen["failed"], frozen["all_passed"]) == (3, 1, False)
    assert frozen["counts"]["open"] == 1 and frozen["counts"]["raised"] == 1
    # Later events change the live figures, never the frozen ones.
    desk.move(p1, Status.RESOLVED, utc(2027, 3, 10, 13))
    desk.threshold("sla_met", "100")
    ExitCriterion.objects.filter(period=desk.period, kind="training_gaps").delete()
    assert exits.exit_rows(desk.period, now=utc(2027, 3, 11, 12))[0]["passed"] is True
    assert ExitDecision.objects.get(pk=decision.pk).snapshot == frozen


def test_threshold_update(desk: Desk) -> None:
    sla = ExitCriterion.objects.get(period=desk.period, kind="sla_met")
    assert exits.exit_criterion_update(criterion=sla, threshold="92.5", actor=desk.actor).threshold == Decimal("92.5")
    for bad in ("101", "-1", "abc", "NaN", ""):
        with pytest.raises(ValidationError):
            exits.exit_criterion_update(criterion=sla, threshold=bad, actor=desk.actor)
    per_day = ExitCriterion.objects.get(period=desk.period, kind="new_per_day")
    with pytest.raises(ValidationError, match="whole number"):
        exits.exit_criterion_update(criterion=per_day, threshold="2.5", actor=desk.actor)
    assert exits.exit_criterion_update(criterion=per_day, threshold=12, actor=desk.actor).threshold == Decimal("12")
    with pytest.raises(ValidationError):
        exits.exit_criterion_update(criterion=ExitCriterion.objects.get(period=desk.period, kind="no_open_p1"), threshold=1,
                                    actor=desk.actor)
