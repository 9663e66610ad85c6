"""Closed waves with hand-chosen answers, written straight to the tables and
tallied, for the hand-worked score examples."""

from __future__ import annotations

import datetime as dt
from typing import Any

from changeboard.organisation.services import unit_ensure_path
from changeboard.surveys import services
from changeboard.surveys.models import Adkar, Answer, AudienceCell, Question, Response, SurveyWave

from ..tallies import rebuild

WM = "Test Force > Frontline Policing > Central West BCU > Westminster"


def team(name: str) -> Any:
    return unit_ensure_path(full_path=f"{WM} > {name}", actor=None, known={})


def first_questions() -> dict[str, Question]:
    """One agreement question per ADKAR element (the first of the default instrument)."""
    out: dict[str, Question] = {}
    instrument = services.default_instrument()
    assert instrument is not None
    for q in instrument.ordered_questions():
        if q.kind == Question.Kind.LIKERT and q.adkar and q.adkar not in out:
            out[q.adkar] = q
    return out


def closed_wave(programme: Any, title: str, closes_on: dt.date, **fields: Any) -> SurveyWave:
    instrument = services.default_instrument()
    assert instrument is not None
    return SurveyWave.objects.create(programme=programme, instrument=instrument, title=title,
                                     status=SurveyWave.Status.CLOSED, opens_on=closes_on - dt.timedelta(days=13),
                                     closes_on=closes_on, min_responses=fields.pop("min_responses", 5), **fields)


def respond(wave: SurveyWave, unit: Any, values: dict[str, list[int]] | list[int], invited: int = 0,
            source: str = Response.Source.LINK) -> None:
    """One response per position in the value lists; `values` is either one
    list for every element or a list per element. Then re-tally the wave."""
    per = values if isinstance(values, dict) else dict.fromkeys(Adkar.values, values)
    questions = first_questions()
    count = len(next(iter(per.values())))
    for i in range(count):
        response = Response.objects.create(wave=wave, unit=unit, role_group="officer", source=source)
        Answer.objects.bulk_create([Answer(response=response, question=questions[e], value=v[i]) for e, v in per.items()])
    if invited:
        cell, _ = AudienceCell.objects.get_or_create(wave=wave, unit=unit, role_group="officer")
        cell.invited += invited
        if source == Response.Source.LINK:
            cell.responded += count
        cell.save()
    rebuild([wave.pk])
