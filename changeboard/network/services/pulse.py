"""The monthly champion pulse: a short survey wave whose audience is the
programme's active champions (`SurveyWave.Source.CHAMPIONS`, resolved by the
provider this app registers with the surveys app), made and scored by the
surveys app's own services. One pulse per programme per month.

The instrument ("Champion pulse") is four ADKAR agreement items from the
portfolio's question bank, found or made once through the surveys services.
Results are the surveys app's thresholded figures (`readiness_total`): with
few champions a pulse often has "not enough responses", which is right.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from changeboard.accounts.models import User
from changeboard.portfolio.models import Programme
from changeboard.surveys.models import Adkar, Instrument, Question, SurveyWave
from changeboard.surveys.services import (
    instrument_add_question,
    instrument_create,
    latest_version,
    question_create,
    wave_create,
    wave_launch,
)
from changeboard.surveys.tracking import GroupReadiness, readiness_total

from .champions import _require_programme

PULSE_NAME = "Champion pulse"
PULSE_DAYS = 14
# (code, ADKAR element, text): the bank's own items (surveys migration 0002),
# made here only where the bank lacks them.
PULSE_QUESTIONS: list[tuple[str, str, str]] = [
    ("aw-why", Adkar.AWARENESS, "I understand why this change is happening."),
    ("de-support", Adkar.DESIRE, "I support this change."),
    ("kn-how", Adkar.KNOWLEDGE, "I know how to do my job the new way, or where to find out."),
    ("re-help", Adkar.REINFORCEMENT, "I know where to get help once the change goes live."),
]


def pulse_instrument(actor: User | None = None) -> Instrument:
    """The portfolio's "Champion pulse" instrument (its latest version),
    made on first use. Idempotent."""
    found = Instrument.objects.filter(name=PULSE_NAME, programme__isnull=True).order_by("-version", "-pk").first()
    if found is not None:
        return latest_version(found)
    with transaction.atomic():
        instrument = instrument_create(name=PULSE_NAME, actor=actor)
        for code, adkar, text in PULSE_QUESTIONS:
            question = Question.objects.filter(code=code).first() or question_create(
                code=code, text=text, kind=Question.Kind.LIKERT, adkar=adkar, actor=actor)
            instrument = instrument_add_question(instrument=instrument, question=question, actor=actor)
    return instrument


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


def pulses(programme: Programme | None = None) -> QuerySet[SurveyWave]:
    """Champion pulses (not cancelled), newest first."""
    rows = SurveyWave.objects.filter(audience_source=SurveyWave.Source.CHAMPIONS).exclude(status=SurveyWave.Status.CANCELLED)
    if programme is not None:
        rows = rows.filter(programme=programme)
    return rows.select_related("programme").order_by("-opens_on", "-pk")


def pulse_this_month(programme: Programme, day: dt.date | None = None) -> SurveyWave | None:
    first, last = month_bounds(day or timezone.localdate())
    return pulses(programme).filter(opens_on__gte=first, opens_on__lte=last).first()


@transaction.atomic
def pulse_create(*, programme: Programme, actor: User | None, today: dt.date | None = None) -> SurveyWave:
    """Create and launch this month's pulse for a programme (its change
    managers or an admin). A second one in the same month is refused."""
    _require_programme(actor, programme)
    day = today or timezone.localdate()
    Programme.objects.select_for_update().filter(pk=programme.pk).first()  # one pulse a month, even with two clicks at once
    if pulse_this_month(programme, day) is not None:
        raise ValidationError(f"{programme.code} already has a champion pulse for {day:%B %Y}.")
    wave = wave_create(programme=programme, instrument=pulse_instrument(actor), title=f"{PULSE_NAME}, {day:%B %Y}",
                       opens_on=day, closes_on=day + dt.timedelta(days=PULSE_DAYS - 1), actor=actor,
                       audience_source=SurveyWave.Source.CHAMPIONS)
    return wave_launch(wave=wave, actor=actor)


@dataclass
class PulseResult:
    wave: SurveyWave
    result: GroupReadiness | None  # None until the wave has closed

    @property
    def scored(self) -> bool:
        return self.result is not None and self.result.scored


def pulse_result(wave: SurveyWave) -> PulseResult:
    """A pulse with the surveys app's thresholded figures once it has closed."""
    return PulseResult(wave, readiness_total(wave, comment_limit=0) if wave.status == SurveyWave.Status.CLOSED else None)


def latest_results(programmes: list[Programme]) -> dict[int, PulseResult]:
    """Per programme, its latest closed pulse with its figures."""
    latest: dict[int, SurveyWave] = {}
    for wave in pulses().filter(programme__in=programmes, status=SurveyWave.Status.CLOSED):
        latest.setdefault(wave.programme_id, wave)
    return {pid: pulse_result(wave) for pid, wave in latest.items()}
