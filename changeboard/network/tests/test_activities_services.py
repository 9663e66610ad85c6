"""The activity services: every rule of logging, planning, changing,
completing and cancelling, the champion's email, and reach."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from changeboard.conftest import make_staff
from changeboard.core.models import AuditEntry, OutboxMessage

from ..models import Activity, Champion
from ..services import activities as services
from .activities_data import Data, activity, days, impact

Kind, Status = Activity.Kind, Activity.Status


@pytest.fixture
def x(world: Any) -> Data:
    return Data(world)


def _audited(activity: Activity, action: str) -> bool:
    return AuditEntry.objects.filter(object_type="network.activity", object_id=str(activity.pk), action=action).exists()


def _log(x: Data, **extra: Any) -> Activity:
    args: dict[str, Any] = {"champion": x.mine, "programme": x.world.programme_a, "kind": Kind.FLOOR_WALK, "date": days(0),
                            "unit": x.world.team, "people_reached": 14, "minutes": 45, "notes": " Asked about rest days ",
                            "actor": x.world.users["champion"]}
    return services.activity_log(**{**args, **extra})


# --- logging ----------------------------------------------------------------


def test_a_champion_logs_what_they_did(x: Data) -> None:
    logged = _log(x)
    assert (logged.status, logged.people_reached, logged.minutes, logged.notes) == (Status.DONE, 14, 45, "Asked about rest days")
    assert logged.created_by == x.world.users["champion"] and logged.planned_by is None
    assert _audited(logged, "create")


def test_a_done_activity_cannot_be_in_the_future(x: Data) -> None:
    with pytest.raises(ValidationError) as caught:
        _log(x, date=days(1))
    assert "date" in caught.value.message_dict


def test_the_unit_must_be_one_they_look_after(x: Data) -> None:
    with pytest.raises(ValidationError) as caught:
        _log(x, unit=x.world.camden)
    assert "unit" in caught.value.message_dict
    with pytest.raises(ValidationError):
        _log(x, unit=x.world.central_west)  # above their unit: not theirs
    assert _log(x, unit=x.world.westminster).unit == x.world.westminster


def test_the_programme_must_be_one_they_support_now(x: Data) -> None:
    with pytest.raises(ValidationError) as caught:
        _log(x, programme=x.world.programme_b)
    assert "programme" in caught.value.message_dict
    x.mine.supports.update(active=False)
    with pytest.raises(ValidationError):
        _log(x)


def test_only_the_champion_logs_their_own(x: Data) -> None:
    with pytest.raises(PermissionDenied):
        _log(x, actor=x.world.users["lead"])
    with pytest.raises(PermissionDenied):
        _log(x, champion=x.other)  # the champion persona logging as a colleague
    assert _log(x, actor=x.world.users["admin"]).status == Status.DONE


def test_an_ended_champion_logs_nothing(x: Data) -> None:
    Champion.objects.filter(pk=x.mine.pk).update(status=Champion.Status.ENDED)
    x.mine.refresh_from_db()
    with pytest.raises(ValidationError):
        _log(x)


@pytest.mark.parametrize(("field", "value"), [("people_reached", -1), ("people_reached", 100001), ("minutes", -5), ("minutes", 24 * 60 + 1)])
def test_numbers_stay_in_range(x: Data, field: str, value: int) -> None:
    with pytest.raises(ValidationError) as caught:
        _log(x, **{field: value})
    assert field in caught.value.message_dict


def test_an_unknown_kind_is_refused(x: Data) -> None:
    with pytest.raises(ValidationError) as caught:
        _log(x, kind="karaoke")
    assert "kind" in caught.value.message_dict


# --- planning ---------------------------------------------------------------


def _plan(x: Data, **extra: Any) -> Activity:
    args: dict[str, Any] = {"champion": x.mine, "programme": x.world.programme_a, "kind": Kind.BRIEFING, "date": days(3),
                            "people_reached": 20, "minutes": 60, "actor": x.world.users["lead"]}
    return services.activity_plan(**{**args, **extra})


def test_a_change_manager_plans_and_the_champion_is_told_once(x: Data) -> None:
    planned = _plan(x, notes="Parade room, 07:00")
    assert (planned.status, planned.planned_by, planned.unit) == (Status.PLANNED, x.world.users["lead"], x.world.team)  # their own unit
    assert _audited(planned, "create")
    message = OutboxMessage.objects.get(key=services.planned_key(planned))
    assert message.to_address == "champion@example.police.uk"
    assert "Briefing" in message.subject and "Parade room, 07:00" in message.body and f"/network/activities/{planned.pk}/" in message.body
    services._tell_planned(planned)  # repeating the step never doubles the email
    assert OutboxMessage.objects.filter(key=services.planned_key(planned)).count() == 1


def test_planning_today_is_fine_yesterday_is_not(x: Data) -> None:
    assert _plan(x, date=days(0)).date == days(0)
    with pytest.raises(ValidationError) as caught:
        _plan(x, date=days(-1))
    assert "date" in caught.value.message_dict


def test_only_the_programmes_change_managers_plan(x: Data) -> None:
    with pytest.raises(PermissionDenied):
        _plan(x, actor=x.world.users["lead2"])
    with pytest.raises(PermissionDenied):
        _plan(x, actor=x.world.users["champion"])
    assert _plan(x, actor=x.world.users["admin"]).planned_by == x.world.users["admin"]


def test_planning_needs_one_of_the_programmes_active_champions(x: Data) -> None:
    with pytest.raises(ValidationError) as caught:
        _plan(x, champion=x.out)  # supports programme B only
    assert "programme" in caught.value.message_dict
    Champion.objects.filter(pk=x.other.pk).update(status=Champion.Status.NOMINATED)
    with pytest.raises(ValidationError) as caught:
        _plan(x, champion=Champion.objects.get(pk=x.other.pk))
    assert "champion" in caught.value.message_dict
    with pytest.raises(ValidationError):
        _plan(x, unit=x.world.camden)


# --- changing, completing, cancelling ---------------------------------------


def test_a_champion_changes_only_their_own(x: Data) -> None:
    changed = services.activity_update(activity=x.done_a, actor=x.world.users["champion"], people_reached=15, notes="More came")
    assert (changed.people_reached, changed.notes) == (15, "More came")
    assert _audited(changed, "update")
    with pytest.raises(PermissionDenied):
        services.activity_update(activity=x.others_a, actor=x.world.users["champion"], minutes=10)
    assert set(services.changeable(x.world.users["champion"])) == {x.done_a, x.planned_a}


def test_a_change_manager_changes_only_their_programmes(x: Data) -> None:
    assert services.activity_update(activity=x.others_a, actor=x.world.users["lead"], minutes=90).minutes == 90
    with pytest.raises(PermissionDenied):
        services.activity_update(activity=x.others_a, actor=x.world.users["lead2"], minutes=10)
    assert set(services.changeable(x.world.users["lead2"])) == {x.done_b}


def test_changes_keep_the_rules(x: Data) -> None:
    with pytest.raises(ValidationError):
        services.activity_update(activity=x.done_a, actor=x.world.users["champion"], date=days(2))
    with pytest.raises(ValidationError):
        services.activity_update(activity=x.planned_a, actor=x.world.users["lead"], date=days(-2))
    with pytest.raises(ValidationError):
        services.activity_update(activity=x.planned_a, actor=x.world.users["lead"], unit=x.world.camden)
    with pytest.raises(ValueError, match="programme"):
        services.activity_update(activity=x.planned_a, actor=x.world.users["lead"], programme=x.world.programme_b)
    services.activity_cancel(activity=x.planned_a, actor=x.world.users["lead"])
    with pytest.raises(ValidationError):
        services.activity_update(activity=x.planned_a, actor=x.world.users["lead"], minutes=5)


def test_the_champion_completes_a_planned_activity(x: Data) -> None:
    done = services.activity_complete(activity=x.planned_a, people_reached=18, minutes=50, actor=x.world.users["champion"], notes="Went well")
    assert (done.status, done.people_reached, done.minutes, done.date, done.notes) == (Status.DONE, 18, 50, days(0), "Went well")
    assert _audited(done, "update")
    with pytest.raises(ValidationError):
        services.activity_complete(activity=done, people_reached=1, minutes=1, actor=x.world.users["champion"])


def test_the_planner_completes_it_too_but_no_other_champion(x: Data) -> None:
    with pytest.raises(PermissionDenied):
        services.activity_complete(activity=x.others_a, people_reached=3, minutes=20, actor=x.world.users["champion"])
    with pytest.raises(PermissionDenied):
        services.activity_complete(activity=x.others_a, people_reached=3, minutes=20, actor=x.world.users["lead2"])
    with pytest.raises(ValidationError):
        services.activity_complete(activity=x.others_a, people_reached=3, minutes=20, actor=x.world.users["lead"], date=days(2))
    done = services.activity_complete(activity=x.others_a, people_reached=3, minutes=20, actor=x.world.users["lead"], date=days(-1))
    assert (done.status, done.date) == (Status.DONE, days(-1))


def test_cancelling_keeps_the_activity_and_the_reason(x: Data) -> None:
    cancelled = services.activity_cancel(activity=x.planned_a, actor=x.world.users["champion"], reason="Shift changed")
    assert cancelled.status == Status.CANCELLED and cancelled.notes.endswith("Cancelled: Shift changed")
    assert _audited(cancelled, "update")
    with pytest.raises(ValidationError):
        services.activity_cancel(activity=x.done_a, actor=x.world.users["champion"])
    with pytest.raises(PermissionDenied):
        services.activity_cancel(activity=x.others_a, actor=x.world.users["champion"])


# --- reach ------------------------------------------------------------------


def test_reach_counts_contacts_against_the_impacted_per_unit(x: Data) -> None:
    w = x.world
    impact(w.programme_a, [w.westminster], w.users["admin"])
    for n in range(3):
        make_staff(f"30000{n}", w.team)
    # Impacted in Westminster: staff_in, Cal Colleague and three more = 5. Contacts there (done, last 90 days): 12.
    activity(x.mine, w.programme_a, w.westminster, people=4, date=days(-200))  # too old
    units = w.westminster.__class__.objects.all()
    top = services.reach(Activity.objects.all(), [w.programme_a], units, programme=w.programme_a)
    assert [(r.label, r.impacted, r.contacts, r.activities) for r in top.rows] == [("Test Force", 5, 12, 1)]
    down = services.reach(Activity.objects.all(), [w.programme_a], units, parent=w.central_west, programme=w.programme_a)
    row = down.rows[0]
    assert (row.label, row.impacted, row.contacts, row.percent, row.has_children) == ("Westminster", 5, 12, 240, True)
    assert row.bar == 100 and down.percent == 240  # the figure is never capped, only the bar stops at its end
    older = services.reach(Activity.objects.all(), [w.programme_a], units, parent=w.central_west, programme=w.programme_a,
                           start=days(-365), end=days(0))
    assert older.rows[0].contacts == 16 and older.rows[0].activities == 2


def test_reach_leaves_out_planned_and_other_programmes_and_what_is_out_of_scope(x: Data) -> None:
    w = x.world
    units = w.westminster.__class__.objects.all()
    everything = services.reach(Activity.objects.all(), [w.programme_a, w.programme_b], units, parent=w.frontline)
    assert {(r.label, r.contacts) for r in everything.rows} == {("Central West BCU", 12), ("North BCU", 7)}
    only_a = services.reach(Activity.objects.all(), [w.programme_a], units, parent=w.frontline, programme=w.programme_a)
    assert {(r.label, r.contacts) for r in only_a.rows} == {("Central West BCU", 12)}
    champion = w.users["champion"]
    theirs = services.reach(Activity.objects.restrict(champion), [w.programme_a], units.restrict(champion))
    assert [(r.label, r.contacts, r.impacted, r.percent) for r in theirs.rows] == [("Westminster", 12, 0, None)]
