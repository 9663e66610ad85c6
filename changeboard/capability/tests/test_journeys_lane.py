"""The emotion lane from hand-built `ElementTally` rows: mean -> emotion,
the persona's units with everything below them, the role group,
suppression at the threshold, evidence levels, the latest closed wave only,
and `fill_from_survey` off."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from changeboard.readiness.tests.helpers import closed_wave
from changeboard.surveys.models import SurveyWave

from ..lane import BELOW_THRESHOLD, FULLY, NO_DATA, PARTLY, journey_lane
from ..services import journeys as services
from .journey_data import Data, build, survey, tally


@pytest.fixture
def d(world: Any) -> Data:
    return build(world)


def by_name(data: Data) -> dict[str, Any]:
    return {s.step.name: s for s in journey_lane(data.journey).steps}


def test_without_a_closed_wave_the_lane_is_judgement_only(d: Data) -> None:
    lane = journey_lane(d.journey)
    assert lane.wave is None
    assert [(s.step.name, s.shown, s.source, s.evidence) for s in lane.steps] == [
        ("Team briefing", 1.0, "judgement", NO_DATA), ("Training", 0.0, "judgement", NO_DATA),
        ("First shift", -1.0, "judgement", NO_DATA), ("Settling in", 1.0, "judgement", NO_DATA)]
    assert [s.step.name for s in lane.dip] == ["First shift"]


def test_mean_becomes_emotion_and_evidence_follows_the_responses(d: Data) -> None:
    wave = survey(d)
    lane = journey_lane(d.journey)
    assert lane.wave == wave and lane.threshold == 5
    steps = {s.step.name: s for s in lane.steps}
    # awareness: 40 responses, mean 4.2 -> +1.2, fully evidenced (>= max(30, 15))
    assert (steps["Team briefing"].survey, steps["Team briefing"].responses, steps["Team briefing"].evidence) == (1.2, 40, FULLY)
    assert steps["Team briefing"].source == "survey"
    # knowledge: 6 responses, mean 2.0 -> -1.0, partly evidenced
    assert (steps["Training"].shown, steps["Training"].responses, steps["Training"].evidence) == (-1.0, 6, PARTLY)
    # ability: 4 responses < 5: nothing from the survey, the judgement shown, no count
    first = steps["First shift"]
    assert (first.survey, first.responses, first.suppressed, first.shown, first.source, first.evidence) == (None, None, True, -1.0, "judgement", NO_DATA)
    assert first.responses_text == BELOW_THRESHOLD
    # no ADKAR element: judgement only
    assert (steps["Settling in"].shown, steps["Settling in"].evidence) == (1.0, NO_DATA)
    # the dip: both steps at -1.0
    assert sorted(s.step.name for s in lane.dip) == ["First shift", "Training"]


@pytest.mark.parametrize(("responses", "shown"), [(4, False), (5, True)])
def test_suppression_at_threshold_minus_one_and_at_threshold(d: Data, responses: int, shown: bool) -> None:
    wave = closed_wave(d.world.programme_a, "W", dt.date(2026, 11, 1), min_responses=5)
    tally(wave, d.world.team, "ability", responses, 4.0)
    first = by_name(d)["First shift"]
    assert (first.survey is not None) is shown
    assert first.responses == (responses if shown else None)
    assert first.evidence == (PARTLY if shown else NO_DATA)
    assert (journey_lane(d.journey).as_dict()["steps"][2]["responses"] is None) is not shown


def test_a_small_source_suppresses_even_when_the_total_is_enough(d: Data) -> None:
    wave = closed_wave(d.world.programme_a, "W", dt.date(2026, 11, 1), min_responses=5)
    tally(wave, d.world.team, "ability", 10, 4.0, source="link")
    tally(wave, d.world.team, "ability", 2, 4.0, source="import")
    assert by_name(d)["First shift"].survey is None


def test_fully_evidenced_needs_three_times_a_high_threshold(d: Data) -> None:
    wave = closed_wave(d.world.programme_a, "W", dt.date(2026, 11, 1), min_responses=12)
    tally(wave, d.world.team, "ability", 35, 3.0)  # 35 >= 30 but < 36 = 3 x 12
    tally(wave, d.world.team, "awareness", 36, 3.0)
    steps = by_name(d)
    assert steps["First shift"].evidence == PARTLY
    assert steps["Team briefing"].evidence == FULLY
    assert steps["First shift"].survey == 0.0


def test_only_the_personas_units_subtree_and_role_group_count(d: Data) -> None:
    wave = closed_wave(d.world.programme_a, "W", dt.date(2026, 11, 1), min_responses=5)
    tally(wave, d.world.team, "ability", 5, 2.0)  # below Westminster: counted
    tally(wave, d.world.westminster, "ability", 5, 4.0)  # Westminster itself: counted
    tally(wave, d.world.camden, "ability", 50, 5.0)  # another BCU: not counted
    tally(wave, d.world.team, "ability", 50, 5.0, role_group="staff")  # another role group: not counted
    first = by_name(d)["First shift"]
    assert (first.responses, first.survey) == (10, 0.0)  # mean 3.0
    services.journey_update(journey=d.journey, role_group="", actor=None)
    first = by_name(d)["First shift"]
    assert (first.responses, first.survey) == (60, 1.7)  # (10 + 20 + 250) / 60 = 4.67 -> +1.7


def test_only_the_latest_closed_wave_counts(d: Data) -> None:
    old = closed_wave(d.world.programme_a, "Old", dt.date(2026, 6, 1), min_responses=5)
    tally(old, d.world.team, "ability", 20, 5.0)
    new = closed_wave(d.world.programme_a, "New", dt.date(2026, 10, 1), min_responses=5)
    tally(new, d.world.team, "ability", 20, 2.0)
    still_open = closed_wave(d.world.programme_a, "Open", dt.date(2026, 11, 1), min_responses=5)
    SurveyWave.objects.filter(pk=still_open.pk).update(status=SurveyWave.Status.OPEN)
    tally(still_open, d.world.team, "ability", 20, 4.0)
    other = closed_wave(d.world.programme_b, "Other programme", dt.date(2026, 11, 1), min_responses=5)
    tally(other, d.world.team, "ability", 20, 4.0)
    lane = journey_lane(d.journey)
    assert lane.wave == new
    assert {s.step.name: s for s in lane.steps}["First shift"].survey == -1.0


def test_a_newer_wave_without_the_groups_answers_shows_no_data(d: Data) -> None:
    old = closed_wave(d.world.programme_a, "Old", dt.date(2026, 6, 1), min_responses=5)
    tally(old, d.world.team, "ability", 20, 5.0)
    closed_wave(d.world.programme_a, "New", dt.date(2026, 10, 1), min_responses=5)
    first = by_name(d)["First shift"]
    assert (first.survey, first.suppressed, first.evidence) == (None, False, NO_DATA)


def test_fill_from_survey_off_uses_judgement_only(d: Data) -> None:
    survey(d)
    services.journey_update(journey=d.journey, fill_from_survey=False, actor=None)
    lane = journey_lane(d.journey)
    assert lane.wave is None
    assert all(s.survey is None and s.evidence == NO_DATA for s in lane.steps)
    assert [s.shown for s in lane.steps] == [1.0, 0.0, -1.0, 1.0]


def test_no_emotion_anywhere_has_no_dip(d: Data) -> None:
    for step in (d.briefing, d.training, d.first_shift, d.settling):
        services.step_update(step=step, emotion=None, actor=None)
    lane = journey_lane(d.journey)
    assert lane.dip == [] and not lane.has_emotion


def test_lane_as_dict_carries_wave_and_dip(d: Data) -> None:
    wave = survey(d)
    data = journey_lane(d.journey).as_dict()
    assert data["wave"]["id"] == wave.pk and data["wave"]["min_responses"] == 5
    assert data["fully_evidenced_from"] == 30
    assert set(data["dip"]) == {d.training.pk, d.first_shift.pk}
    first = next(s for s in data["steps"] if s["step"] == d.first_shift.pk)
    assert first == {"step": d.first_shift.pk, "step_name": "First shift", "stage": "Go-live week", "adkar": "ability", "manual_emotion": -1,
                     "survey_emotion": None, "emotion": -1.0, "source": "judgement", "responses": None, "below_threshold": True,
                     "evidence": NO_DATA, "dip": True}
