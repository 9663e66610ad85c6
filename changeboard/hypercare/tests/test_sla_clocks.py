"""SLA clocks against hand-worked cases: working hours Monday to Friday
08:00-18:00 Europe/London, England and Wales bank holidays, the 2027 clock
changes (28 March, 31 October), pauses while waiting on the requester,
priority changes and reopening; at risk at 80%, breach past the target; the
bulk computation equals the single one.

Calendar notes for the hand-worked figures: 2027-03-01 is a Monday; Good
Friday 2027-03-26 and Easter Monday 2027-03-29 are bank holidays; British
Summer Time starts on Sunday 2027-03-28; 2027-05-03 is the Early May bank
holiday. Times below are UTC unless marked BST.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from changeboard.hypercare.models import Category, Period, Query, SlaTarget
from changeboard.hypercare.services import periods as period_services
from changeboard.hypercare.services import queries as query_services
from changeboard.hypercare.services.sla import (
    ClockState,
    WorkingCalendar,
    add_working_minutes,
    clock_text,
    minutes_text,
    query_sla,
    sla_states,
    working_minutes,
)

UTC = dt.UTC
Status = Query.Status


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


def office(**extra: Any) -> Period:
    """An unsaved period with the default working week (enough for the calendar)."""
    fields = {"working_days": [1, 2, 3, 4, 5], "day_starts": dt.time(8), "day_ends": dt.time(18), "bank_holidays": True}
    fields.update(extra)
    return Period(**fields)


# ---------------------------------------------------------------- working minutes


@pytest.mark.parametrize(("start", "end", "minutes"), [
    (utc(2027, 3, 1, 9), utc(2027, 3, 1, 11, 30), 150),  # within one day
    (utc(2027, 3, 1, 17), utc(2027, 3, 2, 9, 30), 150),  # across a night: 60 + 90
    (utc(2027, 3, 1, 6), utc(2027, 3, 1, 8, 30), 30),  # starts before the day does
    (utc(2027, 3, 1, 19), utc(2027, 3, 2, 8), 0),  # all outside working hours
    (utc(2027, 3, 5, 17), utc(2027, 3, 8, 9), 120),  # across a weekend: Fri 60 + Mon 60
    (utc(2027, 3, 6, 10), utc(2027, 3, 7, 15), 0),  # a weekend alone
    (utc(2027, 3, 1, 8), utc(2027, 3, 8, 8), 3000),  # a whole week: 5 x 600
    # Thu 25 Mar 17:00 GMT to Tue 30 Mar 09:00 BST (08:00 UTC): Good Friday, the weekend with the
    # clock change and Easter Monday are not worked: Thu 60 + Tue 60.
    (utc(2027, 3, 25, 17), utc(2027, 3, 30, 8), 120),
    # Fri 30 Apr 17:00 BST to Tue 4 May 09:00 BST, over the Early May bank holiday: 60 + 60.
    (utc(2027, 4, 30, 16), utc(2027, 5, 4, 8), 120),
    # Five weeks from Mon 1 Mar to Mon 5 Apr: 25 working days less Good Friday and Easter Monday.
    (utc(2027, 3, 1, 8), utc(2027, 4, 5, 7), 23 * 600),
    (utc(2027, 3, 2, 10), utc(2027, 3, 1, 10), 0),  # backwards: nothing
])
def test_working_minutes_hand_worked(start: dt.datetime, end: dt.datetime, minutes: int) -> None:
    assert working_minutes(office(), start, end) == minutes


def test_bank_holidays_off_counts_the_holiday() -> None:
    assert working_minutes(office(bank_holidays=False), utc(2027, 4, 30, 16), utc(2027, 5, 4, 8)) == 60 + 600 + 60


def test_working_days_are_the_periods() -> None:
    seven_days = office(working_days=[1, 2, 3, 4, 5, 6, 7], bank_holidays=False)
    assert working_minutes(seven_days, utc(2027, 3, 5, 17), utc(2027, 3, 8, 9)) == 60 + 600 + 600 + 60


def test_clock_changes_count_the_hours_that_pass() -> None:
    """A window over the clock change: 00:30 to 03:30 local is two real hours
    on 28 March 2027 (01:00 GMT jumps to 02:00 BST) and four on 31 October."""
    night = office(working_days=[7], day_starts=dt.time(0, 30), day_ends=dt.time(3, 30), bank_holidays=False)
    assert working_minutes(night, utc(2027, 3, 21), utc(2027, 3, 22)) == 180  # an ordinary Sunday
    assert working_minutes(night, utc(2027, 3, 28), utc(2027, 3, 29)) == 120
    assert working_minutes(night, utc(2027, 10, 30, 12), utc(2027, 11, 1)) == 240
    # The working day in summer is 08:00-18:00 BST, 07:00-17:00 UTC.
    assert working_minutes(office(), utc(2027, 6, 1, 6), utc(2027, 6, 1, 8)) == 60
    assert working_minutes(office(), utc(2027, 6, 1, 16, 30), utc(2027, 6, 1, 18)) == 30


@pytest.mark.parametrize(("start", "minutes", "due"), [
    (utc(2027, 3, 1, 9), 90, utc(2027, 3, 1, 10, 30)),
    (utc(2027, 3, 5, 17), 120, utc(2027, 3, 8, 9)),  # Friday to Monday
    (utc(2027, 3, 8, 9), 540, utc(2027, 3, 8, 18)),  # due at the close of the day, not the next morning
    (utc(2027, 3, 6, 12), 30, utc(2027, 3, 8, 8, 30)),  # raised on a Saturday
    (utc(2027, 3, 25, 17), 120, utc(2027, 3, 30, 8)),  # over Easter and the clock change: Tue 09:00 BST
    (utc(2027, 4, 30, 16), 120, utc(2027, 5, 4, 8)),  # over the Early May bank holiday
    (utc(2027, 3, 1, 8), 23 * 600, utc(2027, 4, 2, 17)),  # Fri 2 Apr 18:00 BST
    (utc(2027, 3, 1, 9), 0, utc(2027, 3, 1, 9)),
])
def test_add_working_minutes_hand_worked(start: dt.datetime, minutes: int, due: dt.datetime) -> None:
    assert add_working_minutes(office(), start, minutes) == due


def test_calendar_extends_both_ways() -> None:
    calendar = WorkingCalendar.for_period(office())
    assert calendar.minutes(utc(2027, 3, 1, 9), utc(2027, 3, 1, 10)) == 60
    # Far later (extends forward) and far earlier (rebuilds from an earlier origin), same answers.
    assert calendar.minutes(utc(2028, 3, 6, 9), utc(2028, 3, 6, 10)) == 60
    assert calendar.minutes(utc(2026, 3, 2, 9), utc(2026, 3, 2, 10)) == 60
    assert calendar.minutes(utc(2026, 3, 2, 8), utc(2027, 3, 1, 8)) == working_minutes(office(), utc(2026, 3, 2, 8), utc(2027, 3, 1, 8))
    assert calendar.add_minutes(utc(2026, 12, 24, 17), 120) == utc(2026, 12, 29, 9)  # Christmas, Boxing Day (observed Mon 28)


# ---------------------------------------------------------------- query clocks


class Desk:
    """A period (wave_a, default policy) and helpers to write a query's history."""

    def __init__(self, world: Any) -> None:
        self.world = world
        self.period = period_services.period_create(rollout_wave=world.wave_a, actor=None)
        self.category = Category.objects.get(period=self.period, code="defect")
        self.actor = world.users["lead"]

    def raise_(self, at: dt.datetime, priority: str = "P3") -> Query:
        return query_services.query_create(period=self.period, category=self.category, title="Cannot log in", actor=self.actor,
                                           source=Query.Source.SUPPORT, staff=self.world.staff_in, priority=priority, created_at=at)

    def move(self, query: Query, status: str, at: dt.datetime, **extra: Any) -> Query:
        return query_services.query_transition(query=query, status=status, actor=self.actor, at=at, **extra)

    def state(self, query: Query, now: dt.datetime) -> Any:
        query.refresh_from_db()
        return query_sla(query, now=now)


@pytest.fixture
def desk(world: Any) -> Desk:
    return Desk(world)


def test_response_met_and_resolution_running(desk: Desk) -> None:
    query = desk.raise_(utc(2027, 3, 1, 9))
    desk.move(query, Status.ASSIGNED, utc(2027, 3, 1, 10))
    state = desk.state(query, now=utc(2027, 3, 2, 12))
    assert (state.response.state, state.response.elapsed_minutes, state.response.target_minutes) == (ClockState.MET, 60, 600)
    assert state.response.stopped_at == utc(2027, 3, 1, 10)
    resolution = state.resolution
    assert (resolution.state, resolution.elapsed_minutes, resolution.remaining_minutes) == (ClockState.RUNNING, 540 + 240, 3000 - 780)
    # 3000 from Mon 09:00: Mon 540, Tue-Fri 4 x 600, then 60 on Monday 8 March.
    assert resolution.due_at == utc(2027, 3, 8, 9)
    assert state.current is resolution


def test_response_clock_before_any_response(desk: Desk) -> None:
    query = desk.raise_(utc(2027, 3, 1, 9), priority="P1")
    state = desk.state(query, now=utc(2027, 3, 1, 9, 20))
    assert (state.response.state, state.response.elapsed_minutes, state.response.remaining_minutes) == (ClockState.RUNNING, 20, 10)
    assert state.response.due_at == utc(2027, 3, 1, 9, 30)
    assert state.current is state.response
    assert desk.state(query, now=utc(2027, 3, 1, 9, 24)).response.state == ClockState.AT_RISK  # 24 of 30 = 80%
    late = desk.state(query, now=utc(2027, 3, 1, 9, 40)).response
    assert (late.state, late.remaining_minutes) == (ClockState.BREACHED, -10)


def test_comment_to_requester_is_the_response(desk: Desk) -> None:
    query = desk.raise_(utc(2027, 3, 1, 9))
    query_services.query_comment(query=query, text="Internal note", actor=desk.actor, at=utc(2027, 3, 1, 9, 30))
    assert desk.state(query, now=utc(2027, 3, 1, 10)).response.is_open
    query_services.query_comment(query=query, text="Try again now", actor=desk.actor, to_requester=True, at=utc(2027, 3, 1, 10))
    response = desk.state(query, now=utc(2027, 3, 1, 12)).response
    assert (response.state, response.elapsed_minutes) == (ClockState.MET, 60)


def test_resolution_pauses_while_waiting(desk: Desk) -> None:
    query = desk.raise_(utc(2027, 3, 1, 9))
    desk.move(query, Status.IN_PROGRESS, utc(2027, 3, 1, 10))
    desk.move(query, Status.WAITING, utc(2027, 3, 1, 12))
    paused = desk.state(query, now=utc(2027, 3, 2, 10)).resolution
    assert (paused.state, paused.elapsed_minutes, paused.remaining_minutes, paused.due_at) == (ClockState.PAUSED, 180, 2820, None)
    desk.move(query, Status.IN_PROGRESS, utc(2027, 3, 2, 12))
    running = desk.state(query, now=utc(2027, 3, 2, 14)).resolution
    assert (running.state, running.elapsed_minutes) == (ClockState.RUNNING, 180 + 120)
    # 2820 left from Tue 12:00: Tue 360, Wed-Fri 3 x 600, Mon 600, then 60 on Tuesday 9 March.
    assert running.due_at == utc(2027, 3, 9, 9)


def test_waiting_does_not_pause_the_response_clock_once_answered(desk: Desk) -> None:
    """Asking the requester something is itself the first response."""
    query = desk.raise_(utc(2027, 3, 1, 9))
    desk.move(query, Status.WAITING, utc(2027, 3, 1, 9, 45), comment="Which screen?")
    state = desk.state(query, now=utc(2027, 3, 3, 9))
    assert (state.response.state, state.response.elapsed_minutes) == (ClockState.MET, 45)
    assert (state.resolution.state, state.resolution.elapsed_minutes) == (ClockState.PAUSED, 45)


def test_priority_change_keeps_elapsed_and_applies_new_target(desk: Desk) -> None:
    query = desk.raise_(utc(2027, 3, 1, 9))  # P3: respond 600, resolve 3000
    desk.move(query, Status.IN_PROGRESS, utc(2027, 3, 1, 9, 10))
    query_services.query_update(query=query, actor=desk.actor, priority="P1", at=utc(2027, 3, 1, 14))  # P1: resolve 600
    state = desk.state(query, now=utc(2027, 3, 1, 16))
    assert (state.priority, state.resolution.priority, state.resolution.target_minutes) == ("P1", "P1", 600)
    assert (state.resolution.state, state.resolution.elapsed_minutes) == (ClockState.RUNNING, 420)
    assert state.resolution.due_at == utc(2027, 3, 2, 9)
    assert desk.state(query, now=utc(2027, 3, 1, 17)).resolution.state == ClockState.AT_RISK  # 480 of 600
    breached = desk.state(query, now=utc(2027, 3, 2, 9, 1)).resolution
    assert (breached.state, breached.remaining_minutes) == (ClockState.BREACHED, -1)
    # The response was given under P3, so its P3 target still judges it.
    assert (state.response.priority, state.response.target_minutes, state.response.state) == ("P3", 600, ClockState.MET)
    # Before the change, the same history judged at 10:00 reads P3.
    assert desk.state(query, now=utc(2027, 3, 1, 10)).resolution.target_minutes == 3000


def test_priority_raised_before_response_breaches_response(desk: Desk) -> None:
    query = desk.raise_(utc(2027, 3, 1, 9))
    query_services.query_update(query=query, actor=desk.actor, priority="P1", at=utc(2027, 3, 1, 9, 10))
    response = desk.state(query, now=utc(2027, 3, 1, 9, 40)).response
    assert (response.target_minutes, response.state, response.remaining_minutes) == (30, ClockState.BREACHED, -10)


def test_priority_lowered_after_resolution_does_not_rejudge(desk: Desk) -> None:
    query = desk.raise_(utc(2027, 3, 1, 9), priority="P1")
    desk.move(query, Status.IN_PROGRESS, utc(2027, 3, 1, 9, 5))
    desk.move(query, Status.RESOLVED, utc(2027, 3, 2, 10))  # 540 + 120 = 660 > 600
    desk.move(query, Status.CLOSED, utc(2027, 3, 2, 11))
    query_services.query_update(query=query, actor=desk.actor, priority="P4", at=utc(2027, 3, 3, 9))
    resolution = desk.state(query, now=utc(2027, 3, 4, 9)).resolution
    assert (resolution.priority, resolution.elapsed_minutes, resolution.state) == ("P1", 660, ClockState.BREACHED)
    assert resolution.stopped_at == utc(2027, 3, 2, 10)  # closing a resolved query does not move the stop


def test_reopen_resumes_the_resolution_clock(desk: Desk) -> None:
    query = desk.raise_(utc(2027, 3, 1, 9))
    desk.move(query, Status.IN_PROGRESS, utc(2027, 3, 1, 9, 30))
    desk.move(query, Status.RESOLVED, utc(2027, 3, 1, 11))
    resolved = desk.state(query, now=utc(2027, 3, 2, 9)).resolution
    assert (resolved.state, resolved.elapsed_minutes, resolved.stopped_at) == (ClockState.MET, 120, utc(2027, 3, 1, 11))
    query_services.query_transition(query=query, status=Status.REOPENED, actor=None, by_requester=True, at=utc(2027, 3, 3, 10))
    reopened = desk.state(query, now=utc(2027, 3, 3, 12)).resolution
    assert (reopened.state, reopened.elapsed_minutes, reopened.stopped_at) == (ClockState.RUNNING, 240, None)
    desk.move(query, Status.RESOLVED, utc(2027, 3, 3, 13))
    again = desk.state(query, now=utc(2027, 3, 4, 9))
    assert (again.resolution.state, again.resolution.elapsed_minutes) == (ClockState.MET, 300)
    assert again.response.elapsed_minutes == 30  # the first response stands


def test_at_risk_at_eighty_percent_and_breach_past_target(desk: Desk) -> None:
    query = desk.raise_(utc(2027, 3, 1, 9), priority="P2")  # resolve 1200
    desk.move(query, Status.IN_PROGRESS, utc(2027, 3, 1, 9, 5))
    assert desk.state(query, now=utc(2027, 3, 2, 14, 59)).resolution.state == ClockState.RUNNING  # 959
    assert desk.state(query, now=utc(2027, 3, 2, 15)).resolution.state == ClockState.AT_RISK  # 960 = 80%
    at_target = desk.state(query, now=utc(2027, 3, 3, 9)).resolution  # 540 + 600 + 60 = 1200
    assert (at_target.state, at_target.remaining_minutes) == (ClockState.AT_RISK, 0)
    past = desk.state(query, now=utc(2027, 3, 3, 9, 1)).resolution
    assert (past.state, past.remaining_minutes) == (ClockState.BREACHED, -1)
    assert at_target.due_at == past.due_at == utc(2027, 3, 3, 9)


def test_resolved_exactly_at_target_is_met(desk: Desk) -> None:
    query = desk.raise_(utc(2027, 3, 1, 9), priority="P2")
    desk.move(query, Status.RESOLVED, utc(2027, 3, 3, 9))
    resolution = desk.state(query, now=utc(2027, 3, 10, 9)).resolution
    assert (resolution.state, resolution.elapsed_minutes) == (ClockState.MET, 1200)


def test_closed_without_response_stops_the_response_clock(desk: Desk) -> None:
    query = desk.raise_(utc(2027, 3, 1, 9), priority="P1")
    desk.move(query, Status.CLOSED, utc(2027, 3, 1, 9, 50))
    state = desk.state(query, now=utc(2027, 3, 2, 9))
    assert (state.response.state, state.response.elapsed_minutes, state.response.stopped_at) == (
        ClockState.BREACHED, 50, utc(2027, 3, 1, 9, 50))
    assert (state.resolution.state, state.resolution.elapsed_minutes) == (ClockState.MET, 50)


def test_clock_over_bank_holiday_and_clock_change(desk: Desk) -> None:
    query = desk.raise_(utc(2027, 3, 25, 17), priority="P1")  # Thu 17:00 GMT, resolve 600
    desk.move(query, Status.IN_PROGRESS, utc(2027, 3, 25, 17, 10))
    state = desk.state(query, now=utc(2027, 3, 30, 8))  # Tue 09:00 BST
    assert state.resolution.elapsed_minutes == 120
    assert state.resolution.due_at == utc(2027, 3, 30, 16)  # Thu 60 + Tue 540: 17:00 BST


def test_policy_change_recomputes(desk: Desk) -> None:
    query = desk.raise_(utc(2027, 3, 1, 9))
    now = utc(2027, 3, 1, 17)
    assert desk.state(query, now=now).resolution.elapsed_minutes == 480
    period_services.period_update(period=desk.period, actor=None, day_starts=dt.time(9), day_ends=dt.time(17))
    assert desk.state(query, now=now).resolution.elapsed_minutes == 480  # 09:00-17:00 exactly
    period_services.period_update(period=desk.period, actor=None, day_ends=dt.time(12))
    assert desk.state(query, now=now).resolution.elapsed_minutes == 180
    SlaTarget.objects.filter(period=desk.period, priority="P3").update(resolution_minutes=150)
    assert desk.state(query, now=now).resolution.state == ClockState.BREACHED


def test_no_target_for_priority(desk: Desk) -> None:
    query = desk.raise_(utc(2027, 3, 1, 9), priority="P4")
    SlaTarget.objects.filter(period=desk.period, priority="P4").delete()
    state = desk.state(query, now=utc(2027, 3, 1, 10))
    assert (state.resolution.state, state.resolution.target_minutes, state.resolution.elapsed_minutes) == (ClockState.NO_TARGET, None, 60)
    assert clock_text(state.resolution) == "No target (1 h so far)"


def _history(desk: Desk) -> list[Query]:
    made = []
    plain = desk.raise_(utc(2027, 3, 1, 9))
    made.append(plain)
    waiting = desk.raise_(utc(2027, 3, 1, 10), priority="P2")
    desk.move(waiting, Status.WAITING, utc(2027, 3, 1, 11))
    made.append(waiting)
    upgraded = desk.raise_(utc(2027, 3, 2, 8), priority="P4")
    query_services.query_update(query=upgraded, actor=desk.actor, priority="P1", at=utc(2027, 3, 2, 9))
    made.append(upgraded)
    reopened = desk.raise_(utc(2027, 3, 2, 9))
    desk.move(reopened, Status.RESOLVED, utc(2027, 3, 2, 10))
    query_services.query_transition(query=reopened, status=Status.REOPENED, actor=None, by_requester=True, at=utc(2027, 3, 3, 9))
    made.append(reopened)
    closed = desk.raise_(utc(2027, 3, 3, 9), priority="P1")
    desk.move(closed, Status.CLOSED, utc(2027, 3, 3, 9, 5))
    made.append(closed)
    return made


def test_bulk_equals_single(desk: Desk, django_assert_num_queries: Any) -> None:
    made = _history(desk)
    # A second period with other hours: each period keeps its own calendar.
    other = period_services.period_create(rollout_wave=desk.world.wave_b, actor=None, day_starts=dt.time(7), day_ends=dt.time(19))
    late = query_services.query_create(period=other, category=other.categories.get(code="access"), title="No access", actor=None,
                                       source=Query.Source.SUPPORT, staff=desk.world.staff_out, created_at=utc(2027, 4, 1, 6))
    made.append(late)
    now = utc(2027, 3, 4, 12)
    singles = {q.pk: query_sla(Query.objects.select_related("period").get(pk=q.pk), now=now) for q in made}
    with django_assert_num_queries(3):
        bulk = sla_states(Query.objects.filter(pk__in=[q.pk for q in made]), now=now)
    assert bulk == singles
    assert sla_states(list(Query.objects.filter(pk__in=[q.pk for q in made]).select_related("period")), now=now) == singles
    assert sla_states(Query.objects.none(), now=now) == {}
    # The figures differ from query to query (the comparison is not vacuous).
    assert len({(s.resolution.state, s.resolution.elapsed_minutes) for s in bulk.values()}) >= 4


# ---------------------------------------------------------------- words


def test_minutes_text() -> None:
    assert [minutes_text(m) for m in (0, 40, 60, 135, -40)] == ["0 min", "40 min", "1 h", "2 h 15 min", "40 min"]


def test_clock_text(desk: Desk) -> None:
    query = desk.raise_(utc(2027, 3, 1, 9), priority="P2")
    running = desk.state(query, now=utc(2027, 3, 1, 9, 45)).response  # 120 min target
    assert clock_text(running, now=utc(2027, 3, 1, 9, 45)) == "1 h 15 min left (due today 11:00 GMT)"
    assert clock_text(desk.state(query, now=utc(2027, 3, 1, 11, 40)).response) == "Breached by 40 min"
    resolution = desk.state(query, now=utc(2027, 3, 1, 9, 45)).resolution
    assert clock_text(resolution, now=utc(2027, 3, 1, 9, 45)) == "19 h 15 min left (due Wed 09:00 GMT)"
    assert clock_text(resolution, now=utc(2027, 2, 20, 9)) == "19 h 15 min left (due Wed 3 Mar 2027 09:00 GMT)"
    summer = desk.raise_(utc(2027, 6, 1, 9), priority="P2")  # 10:00 BST
    assert clock_text(desk.state(summer, now=utc(2027, 6, 1, 9)).response, now=utc(2027, 6, 1, 9)) == "2 h left (due today 12:00 BST)"
    desk.move(query, Status.WAITING, utc(2027, 3, 1, 10))
    assert clock_text(desk.state(query, now=utc(2027, 3, 1, 12)).resolution) == "Paused: 19 h left"
    assert clock_text(desk.state(query, now=utc(2027, 3, 1, 12)).response) == "Met (1 h of 2 h)"


def test_template_helpers(desk: Desk) -> None:
    from django.template import Context, Template

    query = desk.raise_(utc(2027, 3, 1, 9), priority="P1")
    state = desk.state(query, now=utc(2027, 3, 1, 9, 40))
    html = Template("{% load hypercare_sla london %}{% sla_tag state.response %} {{ state.response|sla_text }} "
                    "{{ 135|minutes }} {{ when|london_time }}").render(
        Context({"state": state, "when": utc(2020, 7, 7, 13, 30)}))
    assert html == ('<strong class="govuk-tag govuk-tag--red">Breached</strong> Breached by 10 min 2 h 15 min '
                    "Tue 7 Jul 2020 14:30 BST")
