"""The live evidence beside an approach's promises, measure by measure,
against hand-built data: holds, does not hold, no data yet, and survey
figures hidden by suppression counting as no data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from changeboard.conftest import make_staff
from changeboard.engagement.models import Engagement, Message
from changeboard.engagement.tests.attention_data import wave
from changeboard.engagement.tests.engagements_data import engagement, mapping, stakeholder
from changeboard.network.tests.coverage_data import assess, champion
from changeboard.readiness.models import Action, Criterion, CriterionStatus, Rag, UnitScore
from changeboard.surveys.models import SurveyWave

from .. import evidence
from ..models import Measure, Section
from ..services import approach as services
from ..services.board import approach_section
from ..services.scope import impacted_groups

TODAY = timezone.localdate()


def check(measure: str, programme: Any, target: float) -> evidence.Evidence:
    return evidence.MEASURES[measure](programme, Decimal(str(target)), TODAY, None)


def test_champion_ratio(world: Any) -> None:
    p = world.programme_a
    assert check(Measure.CHAMPION_RATIO, p, 25).holds is None  # nobody impacted yet
    assess(p, [world.westminster])
    none = check(Measure.CHAMPION_RATIO, p, 25)
    assert none.holds is False and none.actual is None  # impacted, no champion
    for n in range(2, 5):
        make_staff(f"10000{n}", world.team)
    champion(world.staff_in, [(p, 2)], [world.westminster])
    found = check(Measure.CHAMPION_RATIO, p, 25)
    assert (found.actual, found.display, found.holds) == (4, "1:4", True)
    assert check(Measure.CHAMPION_RATIO, p, 3).holds is False
    shared = evidence.Shared()
    assert evidence.champion_ratio(p, Decimal(25), TODAY, shared).display == "1:4"  # the staff groups read once, the same figure
    assert evidence.champion_ratio(p, Decimal(25), TODAY, shared).display == "1:4"


def _score(world: Any, shown: bool, index: float | None = 72.0, rate: float | None = 40.0) -> None:
    closed = wave(world.programme_a, TODAY - dt.timedelta(days=30), status=SurveyWave.Status.CLOSED, title="November")
    UnitScore.objects.create(wave=closed, unit=world.westminster, is_top=True, shown=shown, index=index if shown else None,
                             response_rate=rate if shown else None, responses=12 if shown else None, reason="" if shown else "few")


def test_readiness_score_holds_or_not(world: Any) -> None:
    assert check(Measure.READINESS_SCORE, world.programme_a, 70).holds is None
    _score(world, shown=True)
    assert check(Measure.READINESS_SCORE, world.programme_a, 70).holds is True
    assert check(Measure.READINESS_SCORE, world.programme_a, 80).holds is False
    assert check(Measure.READINESS_SCORE, world.programme_a, 70).display == "72%"


@pytest.mark.parametrize("measure", [Measure.READINESS_SCORE, Measure.RESPONSE_RATE])
def test_suppressed_survey_figures_are_no_data(world: Any, measure: str) -> None:
    _score(world, shown=False)
    found = check(measure, world.programme_a, 10)
    assert found.holds is None and found.actual is None and "not enough data" in found.display


def test_response_rate(world: Any) -> None:
    _score(world, shown=True, rate=40.0)
    assert check(Measure.RESPONSE_RATE, world.programme_a, 35).holds is True
    assert check(Measure.RESPONSE_RATE, world.programme_a, 50).holds is False


def test_comms_sent_counts_only_sent_messages_of_the_programme(world: Any) -> None:
    for status, programme in [(Message.Status.SENT, world.programme_a), (Message.Status.SENT, world.programme_a),
                              (Message.Status.APPROVED, world.programme_a), (Message.Status.SENT, world.programme_b)]:
        Message.objects.create(programme=programme, title="Briefing", channel=Message.Channel.BRIEFING, planned_on=TODAY, status=status)
    found = check(Measure.COMMS_SENT, world.programme_a, 2)
    assert (found.actual, found.holds) == (2, True)
    assert check(Measure.COMMS_SENT, world.programme_a, 3).holds is False


def test_criteria_met(world: Any) -> None:
    assert check(Measure.CRITERIA_MET, world.programme_a, 50).holds is None
    criterion = Criterion.objects.create(programme=world.programme_a, title="Radios tested")
    CriterionStatus.objects.create(criterion=criterion, unit=world.westminster, rag=Rag.GREEN)
    CriterionStatus.objects.create(criterion=criterion, unit=world.camden, rag=Rag.RED)
    CriterionStatus.objects.create(criterion=criterion, unit=world.north, rag=Rag.NOT_ASSESSED)
    found = check(Measure.CRITERIA_MET, world.programme_a, 50)
    assert (found.actual, found.holds) == (50.0, True)
    assert check(Measure.CRITERIA_MET, world.programme_a, 60).holds is False


def test_key_stakeholders_engaged_in_the_last_90_days(world: Any) -> None:
    p = world.programme_a
    assert check(Measure.STAKEHOLDERS_ENGAGED, p, 50).holds is None
    recent = mapping(stakeholder("Chief Inspector"), p, influence=5)
    stale = mapping(stakeholder("Federation rep"), p, influence=4)
    mapping(stakeholder("Minor"), p, influence=1, impact=1)  # not key: not counted
    engagement(recent, status=Engagement.Status.DONE, happened_on=TODAY - dt.timedelta(days=10))
    engagement(stale, status=Engagement.Status.DONE, happened_on=TODAY - dt.timedelta(days=120))
    found = check(Measure.STAKEHOLDERS_ENGAGED, p, 50)
    assert (found.actual, found.holds) == (50.0, True)
    assert check(Measure.STAKEHOLDERS_ENGAGED, p, 75).holds is False


def test_overdue_actions(world: Any) -> None:
    def action(due_in: int, status: str = Action.Status.OPEN) -> None:
        Action.objects.create(programme=world.programme_a, title="Do it", due_date=TODAY + dt.timedelta(days=due_in), status=status)

    assert check(Measure.OVERDUE_ACTIONS, world.programme_a, 0).holds is True  # none overdue is data too
    action(-3)
    action(-3, Action.Status.DONE)
    action(5)
    found = check(Measure.OVERDUE_ACTIONS, world.programme_a, 0)
    assert (found.actual, found.holds) == (1, False)
    assert check(Measure.OVERDUE_ACTIONS, world.programme_a, 1).holds is True


def test_approach_evidence_summary_and_board_section(world: Any) -> None:
    lead = world.users["lead"]
    assert approach_section(world.programme_a, TODAY) is None
    approach = services.approach_create(programme=world.programme_a, actor=lead)
    services.promise_create(approach=approach, section=Section.COMMUNICATIONS, measure=Measure.COMMS_SENT, target=0, actor=lead)
    services.promise_create(approach=approach, section=Section.CHECKPOINTS, measure=Measure.READINESS_SCORE, target=60, actor=lead)
    services.promise_create(approach=approach, section=Section.CHECKPOINTS, measure=Measure.OVERDUE_ACTIONS, target=0, actor=lead)
    Action.objects.create(programme=world.programme_a, title="Late", due_date=TODAY - dt.timedelta(days=1))
    rows = evidence.approach_evidence(approach)
    assert [e.holds for _, e in rows] == [False, None, True]  # by section then measure: overdue, readiness (checkpoints), comms
    assert evidence.promises_summary(approach, rows) == (1, 3, 1)
    section = approach_section(world.programme_a, TODAY)
    assert section is not None and section.rows[0]["summary"]["held"] == 1
    assert [r["status"] for r in section.rows[1:]] == ["not holding", "no data yet", "holding"]


def test_promised_figures() -> None:
    from ..models import Promise

    assert evidence.promised(Promise(measure=Measure.CHAMPION_RATIO, target=Decimal("25.0"))) == "1:25"
    assert evidence.promised(Promise(measure=Measure.RESPONSE_RATE, target=Decimal("62.5"))) == "62.5%"
    assert evidence.promised(Promise(measure=Measure.COMMS_SENT, target=Decimal("4.0"))) == "4"


def test_impacted_groups_from_approved_assessments_only(world: Any) -> None:
    assert impacted_groups(world.programme_a) == []
    assess(world.programme_a, [world.westminster])
    assess(world.programme_a, [world.camden], status="draft")
    make_staff("100007", world.team)
    groups = impacted_groups(world.programme_a)
    assert [(g.unit.name, g.headcount, g.severity, g.role_group_label) for g in groups] == [("Westminster", 2, 3, "Every role group")]
