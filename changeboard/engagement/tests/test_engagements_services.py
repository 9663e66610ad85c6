"""The engagement services: planning, logging (position change, follow-ups
as readiness actions, all or nothing), cancelling, their audit rows; the
planned/done/overdue summary against hand-worked counts; and the
engagement-debt rules (thresholds, the last contact at exactly
`debt_days`, ordering, one query)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from changeboard.core.models import AuditEntry
from changeboard.readiness.models import Action

from ..models import Engagement, EngagementPolicy, Position, StakeholderAssessment
from ..services import engagements as services
from ..services.engagements import FollowUp
from .engagements_data import Data, days_ago, engagement, mapping, stakeholder

Status = Engagement.Status


@pytest.fixture
def d(world: Any) -> Data:
    return Data(world)


def _audits(obj: Any) -> list[str]:
    return list(AuditEntry.objects.filter(object_type=f"engagement.{obj._meta.model_name}", object_id=str(obj.pk))
                .order_by("pk").values_list("action", flat=True))


# --- plan, update, cancel ----------------------------------------------------


def test_plan_defaults_the_owner_to_the_relationship_keeper_and_is_audited(d: Data) -> None:
    lead = d.world.users["lead"]
    day = timezone.localdate() + dt.timedelta(days=3)
    e = services.engagement_plan(assessment=d.map_a, purpose="  Walk the floor ", method="workshop", planned_on=day, actor=lead)
    assert (e.status, e.purpose, e.owner, e.created_by, e.planned_on) == (Status.PLANNED, "Walk the floor", lead, lead, day)
    assert _audits(e) == ["create"]


@pytest.mark.parametrize(("field", "kwargs"), [
    ("planned_on", {"planned_on": dt.date(2020, 1, 1)}),
    ("method", {"method": "pigeon"}),
    ("purpose", {"purpose": "   "}),
])
def test_plan_refuses_bad_input_and_writes_nothing(d: Data, field: str, kwargs: dict[str, Any]) -> None:
    args = {"purpose": "Brief", "method": "meeting", "planned_on": timezone.localdate(), **kwargs}
    before = Engagement.objects.count()
    with pytest.raises(ValidationError) as err:
        services.engagement_plan(assessment=d.map_a, actor=None, **args)
    assert field in err.value.message_dict
    assert Engagement.objects.count() == before


def test_update_changes_the_plan_and_refuses_a_cancelled_one(d: Data) -> None:
    day = timezone.localdate() + dt.timedelta(days=9)
    services.engagement_update(engagement=d.eng_a, planned_on=day, method="call", actor=None)
    d.eng_a.refresh_from_db()
    assert (d.eng_a.planned_on, d.eng_a.method) == (day, "call")
    assert _audits(d.eng_a) == ["update"]
    with pytest.raises(ValidationError):
        services.engagement_update(engagement=d.eng_a, status="done", actor=None)
    services.engagement_cancel(engagement=d.eng_a, reason="Diary clash", actor=None)
    with pytest.raises(ValidationError, match="cancelled"):
        services.engagement_update(engagement=d.eng_a, purpose="Again", actor=None)
    entry = AuditEntry.objects.filter(object_type="engagement.engagement", object_id=str(d.eng_a.pk)).order_by("-pk").first()
    assert entry is not None and entry.after is not None
    assert entry.after["reason"] == "Diary clash" and entry.after["status"] == "cancelled"


def test_only_a_planned_engagement_can_be_cancelled(d: Data) -> None:
    services.engagement_log(engagement=d.eng_a, happened_on=timezone.localdate(), actor=None)
    with pytest.raises(ValidationError, match="only a planned one"):
        services.engagement_cancel(engagement=d.eng_a, actor=None)


# --- log ------------------------------------------------------------------


def test_logging_a_planned_one_moves_the_position_and_raises_follow_ups(d: Data) -> None:
    lead = d.world.users["lead"]
    due = timezone.localdate() + dt.timedelta(days=14)
    e = services.engagement_log(
        engagement=d.eng_a, happened_on=timezone.localdate(), attendees="CS West, lead", key_points="Agreed pilot",
        concerns="Overtime budget", position_after=Position.SUPPORTIVE, actor=lead,
        follow_ups=[FollowUp(text="Send the overtime model", due_date=due, owner=lead), FollowUp(text="Book the pilot", due_date=due)])
    e.refresh_from_db()
    assert (e.status, e.concerns, e.position_after) == (Status.DONE, "Overtime budget", Position.SUPPORTIVE)
    d.map_a.refresh_from_db()
    assert d.map_a.current_position == Position.SUPPORTIVE
    assert _audits(e) == ["update"]
    assert _audits(d.map_a) == ["update"]
    actions = list(services.follow_up_actions(e))
    assert [a.title for a in actions] == ["Send the overtime model", "Book the pilot"]
    for action in actions:
        assert (action.source, action.programme_id, action.due_date) == (Action.Source.ENGAGEMENT, d.world.programme_a.pk, due)
        assert action.description.startswith(f"From engagement #{e.pk}:")
        assert f"/engagement/engagements/{e.pk}/" in action.description
        assert AuditEntry.objects.filter(object_type="readiness.action", object_id=str(action.pk), action="create").exists()
    assert actions[0].owner == lead and actions[1].owner is None


def test_logging_without_a_position_leaves_it_alone(d: Data) -> None:
    services.engagement_log(engagement=d.eng_a, happened_on=timezone.localdate(), actor=None)
    d.map_a.refresh_from_db()
    assert d.map_a.current_position == Position.AGAINST
    assert _audits(d.map_a) == []


def test_an_unplanned_engagement_is_logged_with_no_planned_day(d: Data) -> None:
    e = services.engagement_log(assessment=d.map_b, purpose="Corridor chat", method="call", happened_on=days_ago(2),
                                owner=d.world.users["lead2"], actor=d.world.users["lead2"])
    assert (e.status, e.planned_on, e.happened_on, e.assessment_id) == (Status.DONE, None, days_ago(2), d.map_b.pk)
    assert _audits(e) == ["create"]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"happened_on": dt.date(2999, 1, 1)}, "future"),
    ({"follow_ups": [FollowUp(text="Too late", due_date=dt.date(2020, 1, 1))]}, "Follow-up 1"),
])
def test_a_refused_log_leaves_nothing_changed(d: Data, kwargs: dict[str, Any], message: str) -> None:
    args = {"happened_on": timezone.localdate(), "position_after": Position.CHAMPION, **kwargs}
    audits = AuditEntry.objects.count()
    with pytest.raises(ValidationError, match=message):
        services.engagement_log(engagement=d.eng_a, actor=None, **args)
    d.eng_a.refresh_from_db()
    d.map_a.refresh_from_db()
    assert d.eng_a.status == Status.PLANNED and d.map_a.current_position == Position.AGAINST
    assert not Action.objects.exists() and AuditEntry.objects.count() == audits


def test_a_done_engagement_cannot_be_logged_twice(d: Data) -> None:
    services.engagement_log(engagement=d.eng_a, happened_on=timezone.localdate(), actor=None)
    with pytest.raises(ValidationError, match="only a planned one can be logged"):
        services.engagement_log(engagement=d.eng_a, happened_on=timezone.localdate(), actor=None)


# --- summary: hand-worked -----------------------------------------------------


def test_summary_counts_planned_done_and_overdue_per_programme_and_owner(world: Any) -> None:
    today = dt.date(2027, 1, 10)
    lead, lead2 = world.users["lead"], world.users["lead2"]
    a = mapping(stakeholder("A person"), world.programme_a)
    b = mapping(stakeholder("B person"), world.programme_b)
    engagement(a, planned_on=dt.date(2027, 1, 5), owner=lead)  # overdue
    engagement(a, planned_on=today, owner=lead)  # due today: not overdue
    engagement(a, status=Status.DONE, planned_on=dt.date(2027, 1, 2), happened_on=dt.date(2027, 1, 3), owner=lead)
    engagement(a, planned_on=dt.date(2027, 1, 9))  # overdue, no owner
    engagement(a, status=Status.CANCELLED, planned_on=dt.date(2027, 1, 1), owner=lead)  # cancelled: never overdue
    engagement(b, status=Status.DONE, happened_on=dt.date(2027, 1, 8), owner=lead2)
    engagement(b, planned_on=dt.date(2027, 1, 20), owner=lead2)
    rows = services.summary(Engagement.objects.all(), today)
    by_programme = {r.label.split(" ")[0]: (r.planned, r.done, r.overdue, r.cancelled) for r in rows["programme"]}
    assert by_programme == {"AAA": (3, 1, 2, 1), "BBB": (1, 1, 0, 0)}
    by_owner = {r.key: (r.planned, r.done, r.overdue, r.cancelled) for r in rows["owner"]}
    assert by_owner == {lead.pk: (2, 1, 1, 1), lead2.pk: (1, 1, 0, 0), None: (1, 0, 1, 0)}
    assert [r.label for r in rows["owner"]][-1] == "No owner"
    # The filter's "overdue" is the same rule.
    assert Engagement.objects.filter(services.overdue_q(today)).count() == 2


# --- debt -------------------------------------------------------------------


@pytest.fixture
def policy(db: Any) -> EngagementPolicy:
    policy = EngagementPolicy.current()
    policy.debt_days, policy.key_threshold = 42, 4
    policy.save()
    return policy


def _debt_names(policy: EngagementPolicy) -> list[str]:
    return [a.stakeholder.name for a in services.debt(StakeholderAssessment.objects.all(), policy=policy)]


def test_debt_thresholds_and_targets(world: Any, policy: EngagementPolicy) -> None:
    p = world.programme_a
    mapping(stakeholder("Influential"), p, influence=4)
    mapping(stakeholder("Low influence"), p, influence=3)
    mapping(stakeholder("Low influence, high impact"), p, influence=3, impact=4)
    mapping(stakeholder("Low influence, impact 3"), p, influence=3, impact=3)
    mapping(stakeholder("At target"), p, influence=5, current=Position.SUPPORTIVE, target=Position.SUPPORTIVE)
    mapping(stakeholder("Above target"), p, influence=5, current=Position.CHAMPION, target=Position.SUPPORTIVE)
    mapping(stakeholder("Inactive"), p, influence=5).stakeholder.__class__.objects.filter(name="Inactive").update(active=False)
    assert sorted(_debt_names(policy)) == ["Influential", "Low influence, high impact"]


def test_debt_counts_only_done_engagements_and_the_edge_at_debt_days(world: Any, policy: EngagementPolicy) -> None:
    p = world.programme_a
    exactly = mapping(stakeholder("Exactly 42 days"), p)
    engagement(exactly, status=Status.DONE, happened_on=days_ago(42))
    recent = mapping(stakeholder("41 days"), p)
    engagement(recent, status=Status.DONE, happened_on=days_ago(41))
    latest_counts = mapping(stakeholder("Old and recent"), p)
    engagement(latest_counts, status=Status.DONE, happened_on=days_ago(100))
    engagement(latest_counts, status=Status.DONE, happened_on=days_ago(10))
    only_planned = mapping(stakeholder("Only planned"), p)
    engagement(only_planned, planned_on=days_ago(5))
    engagement(only_planned, status=Status.CANCELLED, planned_on=days_ago(3))
    assert sorted(_debt_names(policy)) == ["Exactly 42 days", "Only planned"]
    row = next(a for a in services.debt(StakeholderAssessment.objects.all(), policy=policy) if a.pk == exactly.pk)
    assert getattr(row, "last_contact") == days_ago(42)  # noqa: B009  (an annotation mypy cannot see)


def test_debt_order_influence_then_longest_without_contact(world: Any, policy: EngagementPolicy) -> None:
    p = world.programme_a
    engagement(mapping(stakeholder("Four, 50 days"), p, influence=4), status=Status.DONE, happened_on=days_ago(50))
    engagement(mapping(stakeholder("Four, 90 days"), p, influence=4), status=Status.DONE, happened_on=days_ago(90))
    mapping(stakeholder("Four, never"), p, influence=4)
    engagement(mapping(stakeholder("Five, 60 days"), p, influence=5), status=Status.DONE, happened_on=days_ago(60))
    assert _debt_names(policy) == ["Five, 60 days", "Four, never", "Four, 90 days", "Four, 50 days"]


def test_debt_is_one_query_however_many_rows(world: Any, policy: EngagementPolicy, django_assert_num_queries: Any) -> None:
    for n in range(25):
        engagement(mapping(stakeholder(f"Person {n}"), world.programme_a), status=Status.DONE, happened_on=days_ago(60 + n))
    with django_assert_num_queries(1):
        rows = list(services.debt(StakeholderAssessment.objects.restrict(world.users["lead"]), policy=policy))
        names = [(r.stakeholder.display_name, r.programme.code) for r in rows]
    assert len(names) == 25
