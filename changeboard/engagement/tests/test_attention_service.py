"""The attention budget counted against hand-worked data (see attention_data)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from changeboard.conftest import make_staff
from changeboard.core.models import AuditEntry
from changeboard.cutover.models import Runbook, Task
from changeboard.engagement.models import EngagementPolicy, Message
from changeboard.engagement.services import attention
from changeboard.surveys.models import SurveyWave

from .attention_data import W, at, comms_task, invite, message, second_team, wave

pytestmark = pytest.mark.django_db
NEXT = W + dt.timedelta(weeks=1)


def own(world: Any, unit: Any, week: dt.date = W) -> int:
    return attention.grid(week, 1).own(unit.pk, week)


def test_weeks_parse_iso_weeks_and_dates() -> None:
    assert attention.parse_week("2026-W49") == W
    assert attention.parse_week("2026-12-06") == W  # a Sunday: that ISO week
    assert attention.parse_week("2026-12-07") == NEXT
    assert attention.week_label(W) == "2026-W49"
    for bad in ["2026-W54", "2026-W00", "26-W1", "²", "2026-W4９", "\x00", "9" * 30, ""]:
        assert attention.parse_week(bad) is None


def test_a_message_to_a_borough_reaches_its_teams_only(world: Any) -> None:
    team2 = second_team(world)
    message(world.programme_a, W, {world.team: 5, team2: 3})
    assert own(world, world.team) == 1
    assert own(world, team2) == 1
    assert own(world, world.camden) == 0
    g = attention.grid(W, 1)
    assert g.busiest(world.westminster.path) == [1]
    assert g.busiest(world.north.path) == [0]


def test_a_force_wide_message_counts_once_in_every_team(world: Any) -> None:
    team2 = second_team(world)
    message(world.programme_b, W, {world.team: 5, team2: 3, world.camden: 9})
    message(world.programme_a, W, {world.team: 5})
    g = attention.grid(W, 1)
    assert (g.own(world.team.pk, W), g.own(team2.pk, W), g.own(world.camden.pk, W)) == (2, 1, 1)
    assert g.busiest(world.root.path) == [2]  # the busiest team, not the sum of the force


def test_draft_and_cancelled_messages_do_not_count(world: Any) -> None:
    for status in (Message.Status.DRAFT, Message.Status.CANCELLED):
        message(world.programme_a, W, {world.team: 5}, status=status)
    assert own(world, world.team) == 0
    for status in (Message.Status.FOR_APPROVAL, Message.Status.APPROVED, Message.Status.SENT):
        message(world.programme_a, W, {world.team: 5}, status=status)
    assert own(world, world.team) == 3


def test_week_boundaries_are_monday_to_sunday(world: Any) -> None:
    message(world.programme_a, W - dt.timedelta(days=1), {world.team: 1})  # Sunday before
    message(world.programme_a, W, {world.team: 1})  # Monday
    message(world.programme_a, W + dt.timedelta(days=6), {world.team: 1})  # Sunday
    message(world.programme_a, NEXT, {world.team: 1})  # next Monday
    g = attention.grid(W - dt.timedelta(weeks=1), 3)
    assert [g.own(world.team.pk, w) for w in g.weeks] == [1, 2, 1]


def test_survey_invitations_count_per_wave_not_per_person(world: Any) -> None:
    people = [make_staff(f"3000{i:02d}", world.team) for i in range(6)]
    one, two = wave(world.programme_a, W), wave(world.programme_b, W)
    for person in people:
        invite(person, [one], W + dt.timedelta(days=1))
    invite(people[0], [one, two], W + dt.timedelta(days=3))  # a combined survey: two waves, one link
    invite(people[1], [one], NEXT)  # a late invitation of the same wave next week
    g = attention.grid(W, 2)
    assert g.own(world.team.pk, W) == 2
    assert g.own(world.team.pk, NEXT) == 1
    assert g.own(world.camden.pk, W) == 0


def test_scheduled_waves_count_by_their_units_until_sent(world: Any) -> None:
    team2 = second_team(world)
    wave(world.programme_a, W + dt.timedelta(days=2), status=SurveyWave.Status.SCHEDULED, units=[world.westminster])
    wave(world.programme_a, W, status=SurveyWave.Status.DRAFT, units=[world.westminster])  # a draft does not count
    sent = wave(world.programme_b, W, status=SurveyWave.Status.SCHEDULED, units=[world.central_west])
    sent.sent_at = at(W, 9)
    sent.save()  # sent: its invitations count instead (none here)
    assert (own(world, world.team), own(world, team2), own(world, world.camden)) == (1, 1, 0)


def test_cutover_communications_count_for_their_units_and_below(world: Any) -> None:
    team2 = second_team(world)
    comms_task(world, [world.westminster], starts=at(W, 10))
    comms_task(world, [world.team], starts=at(W, 10), kind=Task.Kind.NORMAL)  # not a communication
    comms_task(world, [world.team], starts=at(W, 10), mode=Runbook.Mode.ABANDONED)
    comms_task(world, [world.camden], starts=at(W - dt.timedelta(weeks=3), 10), not_before=at(W, 9))  # its fixed start counts
    assert (own(world, world.team), own(world, team2), own(world, world.camden), own(world, world.westminster)) == (1, 1, 1, 1)


def test_cutover_weeks_are_london_weeks(world: Any) -> None:
    # Summer time: Sunday 23:30 BST is Sunday 22:30 UTC; Monday 00:30 BST is Sunday 23:30 UTC.
    sunday = dt.date(2026, 6, 28)
    comms_task(world, [world.team], starts=at(sunday, 23, 30))
    comms_task(world, [world.team], starts=at(sunday + dt.timedelta(days=1), 0, 30))
    g = attention.grid(sunday, 2)
    assert [g.own(world.team.pk, w) for w in g.weeks] == [1, 1]


def test_every_kind_adds_up_and_the_items_match_the_count(world: Any) -> None:
    message(world.programme_a, W, {world.team: 5}, title="Go-live briefing")
    invite(world.staff_in, [wave(world.programme_b, W, title="Pulse")], W)
    comms_task(world, [world.westminster], starts=at(W, 10), title="Freeze notice")
    assert own(world, world.team) == 3
    items = [i for i in attention.week_items(W) if i.reaches(world.team)]
    assert sorted((i.kind, i.title) for i in items) == [("cutover", "C-1 Freeze notice"), ("message", "Go-live briefing"), ("survey", "Pulse")]


def test_the_programme_filter_narrows_the_items(world: Any) -> None:
    message(world.programme_a, W, {world.team: 5})
    message(world.programme_b, W, {world.team: 5})
    assert attention.grid(W, 1, [world.programme_b.pk]).own(world.team.pk, W) == 1


def test_the_cell_lists_the_subtree_items_and_the_units_over_the_limit(world: Any) -> None:
    team2 = second_team(world)
    for _ in range(4):
        message(world.programme_a, W, {world.team: 2})
    message(world.programme_b, W, {team2: 2}, title="Team 2 only")
    message(world.programme_b, W, {world.camden: 2}, title="Elsewhere")
    c = attention.cell(world.westminster, W)
    assert (c.own, c.busiest, c.limit, c.over) == (0, 4, 3, True)
    assert len(c.items) == 5 and "Elsewhere" not in {i.title for i in c.items}
    assert [(u.pk, n) for u, n in c.over_units] == [(world.team.pk, 4)]


# ---------------------------------------------------------------------------
# The approval warning and suggestions


def test_exactly_at_the_limit_is_fine_and_one_over_warns(world: Any) -> None:
    assert EngagementPolicy.current().weekly_limit == 3
    message(world.programme_b, W, {world.team: 5})
    message(world.programme_b, W + dt.timedelta(days=2), {world.team: 5}, title="Other briefing")
    draft = message(world.programme_a, W + dt.timedelta(days=4), {world.team: 5}, status=Message.Status.DRAFT)
    assert attention.approval_warnings(draft) == []  # 2 others + this one = 3: at the limit
    extra = message(world.programme_b, W + dt.timedelta(days=1), {world.team: 5}, status=Message.Status.FOR_APPROVAL)
    warnings = attention.approval_warnings(draft)
    assert [(w.unit.pk, w.week, w.count, w.limit) for w in warnings] == [(world.team.pk, W, 4, 3)]
    assert {i.pk for i in warnings[0].others} == {extra.pk, *Message.objects.filter(programme=world.programme_b).values_list("pk", flat=True)}
    assert draft.pk not in {i.pk for i in warnings[0].others if i.kind == "message"}
    # Counted already (for approval): this message is not counted twice.
    draft.status = Message.Status.FOR_APPROVAL
    draft.save()
    assert [w.count for w in attention.approval_warnings(draft)] == [4]


def test_the_warning_names_only_the_units_over(world: Any) -> None:
    team2 = second_team(world)
    for _ in range(3):
        message(world.programme_b, W, {world.team: 5})
    mine = message(world.programme_a, W, {world.team: 5, team2: 5}, status=Message.Status.DRAFT)
    assert [w.unit.pk for w in attention.approval_warnings(mine)] == [world.team.pk]


def test_a_message_with_no_reach_warns_of_nothing(world: Any) -> None:
    assert attention.approval_warnings(message(world.programme_a, W, {}, status=Message.Status.DRAFT)) == []
    assert attention.combine_suggestions(message(world.programme_a, W, {}, status=Message.Status.DRAFT)) == []


def test_suggestions_are_other_programmes_same_week_best_overlap_first(world: Any) -> None:
    team2 = second_team(world)
    mine = message(world.programme_a, W + dt.timedelta(days=2), {world.team: 6, team2: 2}, status=Message.Status.DRAFT)
    small = message(world.programme_b, W, {team2: 40}, title="Small overlap")
    big = message(world.programme_b, W + dt.timedelta(days=4), {world.team: 1, world.camden: 9}, title="Big overlap")
    both = message(world.programme_b, W + dt.timedelta(days=3), {world.team: 3, team2: 3}, title="Whole audience")
    message(world.programme_a, W, {world.team: 6})  # same programme: not a suggestion
    message(world.programme_b, NEXT, {world.team: 6})  # another week
    message(world.programme_b, W, {world.team: 6}, status=Message.Status.DRAFT)  # a draft
    message(world.programme_b, W, {world.camden: 6})  # no overlap
    found = attention.combine_suggestions(mine)
    assert [(s.message.pk, s.percent, s.people) for s in found] == [(both.pk, 100, 8), (big.pk, 75, 6), (small.pk, 25, 2)]


# ---------------------------------------------------------------------------
# The policy


def test_policy_update_is_audited(world: Any) -> None:
    policy = attention.policy_update(weekly_limit=5, actor=world.users["admin"])
    assert EngagementPolicy.current().weekly_limit == policy.weekly_limit == 5
    entry = AuditEntry.objects.filter(object_type="engagement.engagementpolicy").latest("pk")
    assert entry.before is not None and entry.after is not None
    assert (entry.action, entry.before["weekly_limit"], entry.after["weekly_limit"]) == ("update", 3, 5)


def test_policy_update_refuses_a_zero_limit_and_keeps_the_old_one(world: Any) -> None:
    with pytest.raises(ValidationError):
        attention.policy_update(weekly_limit=0, actor=world.users["admin"])
    assert EngagementPolicy.current().weekly_limit == 3
    assert not AuditEntry.objects.filter(object_type="engagement.engagementpolicy").exists()
