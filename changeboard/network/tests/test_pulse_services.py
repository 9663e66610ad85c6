"""The champion pulse: a survey wave through the surveys services whose
audience is the programme's active champions and only them; one per
programme per month; its instrument found or made once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from changeboard.network.services.champions import champion_end
from changeboard.network.services.pulse import PULSE_NAME, latest_results, pulse_create, pulse_instrument, pulse_result
from changeboard.surveys.models import Question, SurveyWave
from changeboard.surveys.services import eligible_staff, wave_cancel

from .mine_data import nominate_persona, other_champion

pytestmark = pytest.mark.django_db


def test_the_instrument_is_made_once_from_the_bank(world: Any) -> None:
    instrument = pulse_instrument()
    questions = instrument.ordered_questions()
    assert instrument.name == PULSE_NAME and 3 <= len(questions) <= 5
    assert all(q.kind == Question.Kind.LIKERT and q.adkar for q in questions)
    assert {q.code for q in questions} <= set(Question.objects.values_list("code", flat=True))
    assert pulse_instrument().pk == instrument.pk


def test_the_audience_is_the_programmes_active_champions_only(world: Any) -> None:
    from changeboard.conftest import make_staff

    mine = nominate_persona(world, accept=True)
    other_champion(world)  # supports programme B only
    waiting = make_staff("100002", world.team, first_name="Nora", last_name="Nominee")
    from changeboard.network.services.champions import champion_nominate

    champion_nominate(staff=waiting, programme=world.programme_a, hours_asked=1, actor=world.users["lead"])  # not accepted
    wave = pulse_create(programme=world.programme_a, actor=world.users["lead"])
    assert wave.audience_source == SurveyWave.Source.CHAMPIONS
    assert wave.status == SurveyWave.Status.SCHEDULED
    assert wave.instrument.name == PULSE_NAME
    today = timezone.localdate()
    assert list(eligible_staff(wave, today).values_list("pk", flat=True)) == [mine.staff_id]
    champion_end(champion=mine, actor=world.users["lead"], end_date=today - dt.timedelta(days=1))
    assert not eligible_staff(wave, today).exists()


def test_one_pulse_per_programme_per_month(world: Any) -> None:
    nominate_persona(world, accept=True)
    first = pulse_create(programme=world.programme_a, actor=world.users["lead"])
    with pytest.raises(ValidationError):
        pulse_create(programme=world.programme_a, actor=world.users["admin"])
    # Another programme, and next month, are fine; a cancelled pulse frees the month.
    assert pulse_create(programme=world.programme_b, actor=world.users["lead2"]).pk
    next_month = (first.opens_on.replace(day=28) + dt.timedelta(days=5))
    assert pulse_create(programme=world.programme_a, actor=world.users["lead"], today=next_month).opens_on == next_month
    wave_cancel(wave=first, actor=world.users["lead"])
    assert pulse_create(programme=world.programme_a, actor=world.users["lead"]).pk


@pytest.mark.parametrize("persona", ["lead2", "board", "champion", "auditor"])
def test_only_the_programmes_change_managers_start_it(world: Any, persona: str) -> None:
    with pytest.raises(PermissionDenied):
        pulse_create(programme=world.programme_a, actor=world.users[persona])
    assert not SurveyWave.objects.exists()


def test_results_follow_the_surveys_thresholds(world: Any) -> None:
    nominate_persona(world, accept=True)
    wave = pulse_create(programme=world.programme_a, actor=world.users["lead"])
    assert pulse_result(wave).result is None  # not closed yet
    SurveyWave.objects.filter(pk=wave.pk).update(status=SurveyWave.Status.CLOSED)
    wave.refresh_from_db()
    result = pulse_result(wave)
    assert result.result is not None and not result.scored  # no responses: nothing shown
    assert latest_results([world.programme_a, world.programme_b])[world.programme_a.pk].wave == wave
