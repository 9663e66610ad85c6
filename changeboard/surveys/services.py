"""Writes for readiness surveys: instruments, waves, sending under the
portfolio's contact budget, reminders, and anonymous submission."""

from __future__ import annotations

import calendar
import datetime as dt
import random
import re
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.tasks import task
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone

from changeboard.accounts.models import User
from changeboard.core import audit
from changeboard.core.models import OutboxMessage
from changeboard.core.outbox import outbox_add_many
from changeboard.core.params import parse_id
from changeboard.core.tasks import enqueue
from changeboard.core.text import clean_text
from changeboard.impacts.models import ImpactAssessment, ImpactLine
from changeboard.organisation.models import Staff, Unit, subtree_q
from changeboard.portfolio.models import Programme

from .models import (
    ANSWER_TEXT_MAX,
    FREE_TEXT_LIMIT,
    MIN_THRESHOLD,
    Answer,
    AudienceCell,
    Deferral,
    Instrument,
    InstrumentItem,
    Invitation,
    Question,
    Response,
    SurveyPolicy,
    SurveyWave,
    role_group_for,
)
from .signals import responses_changed

Status = SurveyWave.Status
MAX_REMINDERS = 2
TOKEN_BYTES = 32  # 256 bits of randomness


# ---------------------------------------------------------------- policy


@transaction.atomic
def policy_update(*, contact_window_days: int, min_responses: int, min_comments: int, reminder_after_days: int, actor: User | None) -> SurveyPolicy:
    policy = SurveyPolicy.current()
    before = audit.snapshot(policy)
    if min_responses < MIN_THRESHOLD or min_comments < MIN_THRESHOLD:
        raise ValidationError(f"Anonymity thresholds cannot be below {MIN_THRESHOLD}.")
    policy.contact_window_days = contact_window_days
    policy.min_responses = min_responses
    policy.min_comments = min_comments
    policy.reminder_after_days = reminder_after_days
    policy.full_clean()
    policy.save()
    audit.record(actor=actor, action="update", obj=policy, before=before, after=audit.snapshot(policy))
    return policy


# ---------------------------------------------------------------- questions and instruments


@transaction.atomic
def question_create(*, code: str, text: str, kind: str, actor: User | None, adkar: str = "", choices: list[str] | None = None,
                    hint: str = "", programme: Programme | None = None) -> Question:
    choices = [c.strip() for c in (choices or []) if c.strip()]
    if kind == Question.Kind.CHOICE and len(choices) < 2:
        raise ValidationError({"choices": "A single-choice question needs at least two options, one per line."})
    if kind != Question.Kind.CHOICE:
        choices = []
    if adkar and kind != Question.Kind.LIKERT:
        raise ValidationError({"adkar": "Only agreement (1 to 5) questions feed an ADKAR element."})
    question = Question(code=code, text=text, kind=kind, adkar=adkar, choices=choices, hint=hint, programme=programme)
    question.full_clean()
    question.save()
    audit.record(actor=actor, action="create", obj=question, after=audit.snapshot(question))
    return question


def latest_version(instrument: Instrument) -> Instrument:
    return Instrument.objects.filter(lineage=instrument.lineage).order_by("-version").first() or instrument


def _copy_items(source: Instrument, target: Instrument) -> None:
    InstrumentItem.objects.bulk_create([
        InstrumentItem(instrument=target, question_id=item.question_id, position=item.position) for item in source.items.all()
    ])


@transaction.atomic
def instrument_create(*, name: str, actor: User | None, programme: Programme | None = None, base: Instrument | None = None,
                      is_default: bool = False) -> Instrument:
    """A new instrument, starting from the questions of `base` (usually the
    portfolio's default) so a programme only adds its own items."""
    instrument = Instrument.objects.create(name=name, programme=programme, is_default=is_default)
    if base is not None:
        _copy_items(base, instrument)
    audit.record(actor=actor, action="create", obj=instrument, after=_instrument_snapshot(instrument))
    return instrument


def _instrument_snapshot(instrument: Instrument) -> dict[str, Any]:
    data = audit.snapshot(instrument, exclude=("questions",)) or {}
    data["questions"] = [q.code for q in instrument.ordered_questions()]
    return data


def _editable(instrument: Instrument, actor: User | None) -> Instrument:
    """The version to change: the latest, or a new one when that is locked."""
    latest = latest_version(instrument)
    if not latest.locked:
        return latest
    draft = Instrument.objects.create(name=latest.name, programme=latest.programme, lineage=latest.lineage,
                                      version=latest.version + 1, is_default=latest.is_default)
    _copy_items(latest, draft)
    if latest.is_default:
        Instrument.objects.filter(pk=latest.pk).update(is_default=False)
    audit.record(actor=actor, action="create", obj=draft, after=_instrument_snapshot(draft))
    return draft


@transaction.atomic
def instrument_add_question(*, instrument: Instrument, question: Question, actor: User | None) -> Instrument:
    """Add an item; returns the version changed (a new one if the latest was sent)."""
    if question.programme_id and question.programme_id != instrument.programme_id:
        raise ValidationError("That question belongs to another programme.")
    target = _editable(instrument, actor)
    before = _instrument_snapshot(target)
    if target.items.filter(question=question).exists():
        raise ValidationError("The instrument already asks that question.")
    if question.kind == Question.Kind.TEXT and target.items.filter(question__kind=Question.Kind.TEXT).count() >= FREE_TEXT_LIMIT:
        raise ValidationError(f"A survey has at most {FREE_TEXT_LIMIT} free-text questions: they take long to answer and to read.")
    last = target.items.order_by("-position").first()
    InstrumentItem.objects.create(instrument=target, question=question, position=(last.position + 1) if last else 1)
    audit.record(actor=actor, action="update", obj=target, before=before, after=_instrument_snapshot(target))
    return target


@transaction.atomic
def instrument_remove_question(*, instrument: Instrument, question: Question, actor: User | None) -> Instrument:
    target = _editable(instrument, actor)
    before = _instrument_snapshot(target)
    deleted, _ = target.items.filter(question=question).delete()
    if not deleted:
        raise ValidationError("The instrument does not ask that question.")
    audit.record(actor=actor, action="update", obj=target, before=before, after=_instrument_snapshot(target))
    return target


def default_instrument() -> Instrument | None:
    return Instrument.objects.filter(is_default=True, programme__isnull=True).order_by("-version").first()


# ---------------------------------------------------------------- waves

WAVE_FIELDS = ("title", "opens_on", "closes_on", "recurrence", "repeat_until", "audience_source", "roles", "sampling",
               "sample_per_unit", "min_responses", "min_comments")


def _validate_wave(wave: SurveyWave, units: list[Unit]) -> None:
    errors: dict[str, str] = {}
    if wave.closes_on and wave.opens_on and wave.closes_on < wave.opens_on:
        errors["closes_on"] = "The closing date must be on or after the opening date."
    if wave.recurrence != SurveyWave.Recurrence.NONE:
        if not wave.repeat_until:
            errors["repeat_until"] = "Give the date after which no more rounds open."
        elif wave.opens_on and wave.repeat_until < wave.opens_on:
            errors["repeat_until"] = "Rounds must repeat until on or after the first opening date."
    if wave.sampling == SurveyWave.Sampling.STRATIFIED and not wave.sample_per_unit:
        errors["sample_per_unit"] = "Give the number of people to invite per team."
    if wave.audience_source == SurveyWave.Source.MANUAL and not units:
        errors["units"] = "Choose at least one unit, or target the programme's impacted staff."
    # Thresholds may be raised per wave, never set below the portfolio's rule.
    policy = SurveyPolicy.current()
    floor_responses = max(MIN_THRESHOLD, policy.min_responses)
    floor_comments = max(MIN_THRESHOLD, policy.min_comments)
    if wave.min_responses < floor_responses:
        errors["min_responses"] = f"At least {floor_responses}, the portfolio's rule."
    if wave.min_comments < floor_comments:
        errors["min_comments"] = f"At least {floor_comments}, the portfolio's rule."
    instrument = wave.instrument
    if instrument.programme_id and instrument.programme_id != wave.programme_id:
        errors["instrument"] = "That instrument belongs to another programme."
    if not instrument.items.exists():
        errors["instrument"] = "That instrument has no questions."
    if errors:
        raise ValidationError(errors)


def _wave_snapshot(wave: SurveyWave) -> dict[str, Any]:
    return audit.snapshot(wave) or {}


@transaction.atomic
def wave_create(*, programme: Programme, instrument: Instrument, title: str, opens_on: dt.date, closes_on: dt.date, actor: User | None,
                units: Iterable[Unit] = (), **fields: Any) -> SurveyWave:
    policy = SurveyPolicy.current()
    unknown = set(fields) - set(WAVE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown wave fields: {sorted(unknown)}")
    fields.setdefault("min_responses", policy.min_responses)
    fields.setdefault("min_comments", policy.min_comments)
    wave = SurveyWave(programme=programme, instrument=latest_version(instrument), title=title, opens_on=opens_on, closes_on=closes_on,
                      created_by=actor if getattr(actor, "pk", None) else None, **fields)
    unit_list = list(units)
    _validate_wave(wave, unit_list)
    wave.save()
    wave.units.set(unit_list)
    audit.record(actor=actor, action="create", obj=wave, after=_wave_snapshot(wave))
    return wave


@transaction.atomic
def wave_update(*, wave: SurveyWave, actor: User | None, units: Iterable[Unit] | None = None, instrument: Instrument | None = None,
                **fields: Any) -> SurveyWave:
    if not wave.editable:
        raise ValidationError("A wave cannot be changed once it has opened.")
    before = _wave_snapshot(wave)
    for name, value in fields.items():
        if name not in WAVE_FIELDS:
            raise TypeError(f"Unknown wave field: {name}")
        setattr(wave, name, value)
    if instrument is not None:
        wave.instrument = latest_version(instrument)
    unit_list = list(units) if units is not None else list(wave.units.all())
    _validate_wave(wave, unit_list)
    wave.save()
    wave.units.set(unit_list)
    audit.record(actor=actor, action="update", obj=wave, before=before, after=_wave_snapshot(wave))
    return wave


def _set_status(wave: SurveyWave, status: str, actor: User | None, **extra: Any) -> SurveyWave:
    before = _wave_snapshot(wave)
    wave.status = status
    for name, value in extra.items():
        setattr(wave, name, value)
    wave.save()
    audit.record(actor=actor, action="update", obj=wave, before=before, after=_wave_snapshot(wave))
    if status == Status.CLOSED:
        # Scores are read only once a wave has closed: its roll-ups are built
        # then, in the worker, not on every submission.
        responses_changed.send(sender=SurveyWave, wave_ids=[wave.pk], background=True)
    return wave


@transaction.atomic
def wave_launch(*, wave: SurveyWave, actor: User | None) -> SurveyWave:
    """Schedule a draft wave. It is sent by the worker on its opening date
    (straight away when that is today or earlier)."""
    if wave.status != Status.DRAFT:
        raise ValidationError("Only a draft wave can be launched.")
    today = timezone.localdate()
    if wave.closes_on < today:
        raise ValidationError("The closing date has passed: change the dates first.")
    _validate_wave(wave, list(wave.units.all()))
    _set_status(wave, Status.SCHEDULED, actor)
    if wave.opens_on <= today:
        # With the broker down the wave waits for the scheduler's survey pass, which opens due waves too.
        transaction.on_commit(lambda: enqueue(open_due_waves))
    return wave


@transaction.atomic
def wave_cancel(*, wave: SurveyWave, actor: User | None) -> SurveyWave:
    """Cancel a wave that has not opened. A cancelled later round of a
    recurring series skips that round only: the series carries on with its
    next round, created as opening this one would have. (Cancelling the
    first round, before anything was sent, cancels the survey; to end a
    running series, change the scheduled round's recurrence or repeat date.)"""
    if wave.status not in {Status.DRAFT, Status.SCHEDULED}:
        raise ValidationError("Only a wave that has not opened can be cancelled; close an open wave instead.")
    scheduled_round = wave.status == Status.SCHEDULED and wave.series_id is not None
    _set_status(wave, Status.CANCELLED, actor)
    if scheduled_round:
        _next_round(wave, actor)
    return wave


@transaction.atomic
def wave_close(*, wave: SurveyWave, actor: User | None) -> SurveyWave:
    if wave.status != Status.OPEN:
        raise ValidationError("Only an open wave can be closed.")
    # Closed early: its closing date is the day it closed, so every page
    # (and the Board's as-of dates) shows when its data really ends.
    today = timezone.localdate()
    if wave.closes_on > today:
        return _set_status(wave, Status.CLOSED, actor, closes_on=max(today, wave.opens_on))
    return _set_status(wave, Status.CLOSED, actor)


# ---------------------------------------------------------------- audience


# Apps above this one say who an audience source they own reaches (the
# network app: a programme's change champions, for the champion pulse).
AudienceProvider = Callable[[SurveyWave, dt.date], Q]
_audience_providers: dict[str, AudienceProvider] = {}


def register_audience_provider(source: str, provider: AudienceProvider) -> None:
    """`provider(wave, day)` returns a Q on `Staff` for waves whose
    `audience_source` is `source`."""
    _audience_providers[source] = provider


def audience_q(wave: SurveyWave) -> Q:
    """Which staff the wave targets, before sampling and the contact budget."""
    if wave.audience_source in _audience_providers:
        q = _audience_providers[wave.audience_source](wave, wave.opens_on)
    elif wave.audience_source == SurveyWave.Source.CHAMPIONS:
        q = Q(pk__in=[])  # nobody until the network app says who the champions are
    elif wave.audience_source == SurveyWave.Source.IMPACTED:
        lines = ImpactLine.objects.filter(assessment__programme=wave.programme, assessment__status=ImpactAssessment.Status.APPROVED)
        clauses = [line.staff_q() for line in lines.prefetch_related("units", "rank_grades")]
        q = reduce(or_, clauses) if clauses else Q(pk__in=[])
    else:
        q = subtree_q(list(wave.units.values_list("path", flat=True)), "unit__path")
    if wave.roles:
        q &= Q(role__in=wave.roles)
    return q


def eligible_staff(wave: SurveyWave, on: dt.date) -> QuerySet[Staff]:
    """The audience in post and not on long leave on a date."""
    return (Staff.objects.current(on).filter(audience_q(wave))
            .filter(Q(absent_until__isnull=True) | Q(absent_until__lte=on)).distinct())


@dataclass
class Person:
    pk: int
    email: str
    first_name: str
    unit_id: int
    role_group: str


def _people(wave: SurveyWave, on: dt.date) -> list[Person]:
    rows = eligible_staff(wave, on).values_list("pk", "email", "first_name", "unit_id", "rank_grade__kind")
    return [Person(pk, email, first_name, unit_id, role_group_for(kind)) for pk, email, first_name, unit_id, kind in rows]


def sample(wave: SurveyWave, people: list[Person], recently_contacted: set[int]) -> list[Person]:
    """Census, or up to `sample_per_unit` per team drawn at random (seeded by
    the wave, so a re-run draws the same people), preferring people who
    have not been surveyed recently."""
    if wave.sampling != SurveyWave.Sampling.STRATIFIED or not wave.sample_per_unit:
        return people
    rng = random.Random(f"wave-{wave.pk}")
    by_unit: dict[int, list[Person]] = defaultdict(list)
    for person in sorted(people, key=lambda p: p.pk):
        by_unit[person.unit_id].append(person)
    chosen: list[Person] = []
    for unit_id in sorted(by_unit):
        members = by_unit[unit_id]
        keys = {p.pk: (p.pk in recently_contacted, rng.random()) for p in members}
        chosen.extend(sorted(members, key=lambda p: keys[p.pk])[: wave.sample_per_unit])
    return chosen


def audience_estimate(wave: SurveyWave, on: dt.date | None = None) -> dict[str, Any]:
    """What launching now would do, with the contact budget applied as
    `send_waves` applies it (issue 18): `to_invite` counts only people who
    would be asked (a new link, or this wave added to their unused link of
    another programme: `combined`); people contacted inside the window whom
    the budget would defer are `deferred`, never counted as invited; people
    without an email address are `without_email` (deferred too)."""
    day = on or timezone.localdate()
    people = _people(wave, day)
    window = dt.timedelta(days=SurveyPolicy.current().contact_window_days)
    recent: dict[int, Invitation] = {}
    pks = [p.pk for p in people]
    for start in range(0, len(pks), 900):
        for inv in (Invitation.objects.filter(staff_id__in=pks[start:start + 900], sent_on__gt=day - window).exclude(waves=wave)
                    .order_by("staff_id", "-sent_on").prefetch_related("waves")):
            recent.setdefault(inv.staff_id, inv)
    chosen = sample(wave, people, set(recent))
    units = {p.unit_id for p in people}
    without_email = combined = deferred = new = 0
    for person in chosen:
        if not person.email:
            without_email += 1
            continue
        earlier = recent.get(person.pk)
        if earlier is None:
            new += 1
            continue
        earlier_waves = list(earlier.waves.all())
        if (not earlier.used and earlier.expires_on >= day and all(w.status == Status.OPEN for w in earlier_waves)
                and wave.programme_id not in {w.programme_id for w in earlier_waves}):
            combined += 1
        else:
            deferred += 1
    return {"eligible": len(people), "to_invite": new + combined, "units": len(units), "without_email": without_email,
            "combined": combined, "deferred": deferred, "window_days": window.days}


def audience_summary(wave: SurveyWave, on: dt.date | None = None) -> dict[str, Any]:
    """The API's audience counts: after sampling, before the contact budget
    (its documented meaning; the wave page shows `audience_estimate`)."""
    day = on or timezone.localdate()
    people = _people(wave, day)
    chosen = sample(wave, people, set())
    units = {p.unit_id for p in people}
    return {"eligible": len(people), "to_invite": len(chosen), "units": len(units),
            "without_email": sum(1 for p in chosen if not p.email)}


# ---------------------------------------------------------------- sending


def add_period(day: dt.date, recurrence: str, times: int = 1) -> dt.date:
    """`times` periods after `day`. Months count from `day` itself, so a
    series starting on the 31st opens on the last day of shorter months and
    goes back to the 31st afterwards."""
    if recurrence == SurveyWave.Recurrence.WEEKLY:
        return day + dt.timedelta(days=7 * times)
    if recurrence == SurveyWave.Recurrence.FORTNIGHTLY:
        return day + dt.timedelta(days=14 * times)
    months = day.month - 1 + times
    year, month = day.year + months // 12, months % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def _next_round(wave: SurveyWave, actor: User | None) -> SurveyWave | None:
    """Create the next round of a recurring wave when this one opens."""
    if wave.recurrence == SurveyWave.Recurrence.NONE or not wave.repeat_until:
        return None
    first = wave.series or wave
    opens = add_period(first.opens_on, wave.recurrence, wave.round_number)
    if opens > wave.repeat_until or SurveyWave.objects.filter(series=first, round_number=wave.round_number + 1).exists():
        return None
    closes = opens + (first.closes_on - first.opens_on)
    nxt = SurveyWave.objects.create(
        programme=wave.programme, instrument=latest_version(wave.instrument), title=wave.title, status=Status.SCHEDULED,
        opens_on=opens, closes_on=closes, recurrence=wave.recurrence, repeat_until=wave.repeat_until, series=first,
        round_number=wave.round_number + 1, audience_source=wave.audience_source, roles=wave.roles, sampling=wave.sampling,
        sample_per_unit=wave.sample_per_unit, min_responses=wave.min_responses, min_comments=wave.min_comments,
        created_by=wave.created_by,
    )
    nxt.units.set(wave.units.all())
    audit.record(actor=actor, action="create", obj=nxt, after=_wave_snapshot(nxt))
    return nxt


def survey_url(token: str) -> str:
    return settings.SITE_URL + reverse("survey-respond", args=[token])


@dataclass
class SendResult:
    waves: list[int] = field(default_factory=list)
    invited: int = 0
    combined: int = 0
    deferred: int = 0
    no_email: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"waves": self.waves, "invited": self.invited, "combined": self.combined, "deferred": self.deferred, "no_email": self.no_email}


def _message(template: Any, *, key: str, kind: str, person: Person, token: str, closes_on: dt.date, subject: str) -> OutboxMessage:
    body = template.render({"first_name": person.first_name, "url": survey_url(token), "closes_on": closes_on})
    return OutboxMessage(key=key, kind=kind, to_address=person.email, subject=subject, body=body)


@transaction.atomic
def send_waves(*, waves: list[SurveyWave], today: dt.date, actor: User | None = None) -> SendResult:
    """Open the given scheduled waves together, applying the contact budget.

    Everyone reached by several of these waves gets one invitation carrying
    them all. Someone invited inside the contact window already is added to
    that invitation when it is unused, still open and from other programmes
    (no second email); otherwise they are deferred, with the reason and the
    date of the next round, shown on the wave page.
    """
    policy = SurveyPolicy.current()
    window = dt.timedelta(days=policy.contact_window_days)
    result = SendResult()
    waves = [w for w in waves if w.status == Status.SCHEDULED]
    if not waves:
        return result
    wanted: dict[int, list[SurveyWave]] = defaultdict(list)
    person_by_pk: dict[int, Person] = {}
    audiences = {}
    for wave in waves:
        audiences[wave.pk] = _people(wave, today)
        for person in audiences[wave.pk]:
            person_by_pk[person.pk] = person
    all_pks = list(person_by_pk)
    recent: dict[int, Invitation] = {}
    for start in range(0, len(all_pks), 900):
        chunk = all_pks[start:start + 900]
        # Locked, so a link being answered right now is not joined meanwhile.
        for inv in (Invitation.objects.select_for_update().filter(staff_id__in=chunk, sent_on__gt=today - window)
                    .order_by("staff_id", "-sent_on").prefetch_related("waves")):
            recent.setdefault(inv.staff_id, inv)
    for wave in waves:
        for person in sample(wave, audiences[wave.pk], set(recent)):
            wanted[person.pk].append(wave)

    next_rounds = {wave.pk: _next_round(wave, actor) for wave in waves}
    cells: dict[tuple[int, int, str], int] = defaultdict(int)
    deferrals: list[Deferral] = []
    attach: list[tuple[Invitation, SurveyWave]] = []
    new: list[tuple[Invitation, Person, list[SurveyWave]]] = []
    for pk, person_waves in wanted.items():
        person = person_by_pk[pk]
        if not person.email:
            deferrals += [Deferral(wave=w, staff_id=pk, reason=Deferral.Reason.NO_EMAIL) for w in person_waves]
            result.no_email += 1
            continue
        earlier = recent.get(pk)
        if earlier is not None:
            earlier_waves = list(earlier.waves.all())
            combinable = (not earlier.used and earlier.expires_on >= today
                          and all(w.status == Status.OPEN for w in earlier_waves))
            programmes = {w.programme_id for w in earlier_waves}
            for wave in person_waves:
                if combinable and wave.programme_id not in programmes:
                    attach.append((earlier, wave))
                    programmes.add(wave.programme_id)
                    cells[(wave.pk, earlier.unit_id, earlier.role_group)] += 1
                    result.combined += 1
                else:
                    nxt = next_rounds.get(wave.pk)
                    deferrals.append(Deferral(wave=wave, staff_id=pk, reason=Deferral.Reason.CONTACTED, last_contacted_on=earlier.sent_on,
                                              eligible_from=earlier.sent_on + window, next_round_on=nxt.opens_on if nxt else None))
                    result.deferred += 1
            continue
        invitation = Invitation(staff_id=pk, token=secrets.token_urlsafe(TOKEN_BYTES), sent_on=today,
                                expires_on=max(w.closes_on for w in person_waves), unit_id=person.unit_id, role_group=person.role_group)
        new.append((invitation, person, person_waves))
        for wave in person_waves:
            cells[(wave.pk, person.unit_id, person.role_group)] += 1

    Invitation.objects.bulk_create([inv for inv, _, _ in new], batch_size=1000)
    through = Invitation.waves.through
    links = [through(invitation_id=inv.pk, surveywave_id=w.pk) for inv, _, ws in new for w in ws]
    links += [through(invitation_id=inv.pk, surveywave_id=w.pk) for inv, w in attach]
    through.objects.bulk_create(links, batch_size=2000)
    latest: dict[int, tuple[Invitation, dt.date]] = {}
    for inv, wave in attach:
        _, so_far = latest.get(inv.pk, (inv, inv.expires_on))
        latest[inv.pk] = (inv, max(so_far, wave.closes_on))
    for inv, closes in latest.values():
        if closes != inv.expires_on:
            Invitation.objects.filter(pk=inv.pk).update(expires_on=closes)
    Deferral.objects.bulk_create(deferrals, batch_size=2000, ignore_conflicts=True)
    AudienceCell.objects.bulk_create(
        [AudienceCell(wave_id=w, unit_id=u, role_group=g, invited=n) for (w, u, g), n in cells.items()], batch_size=2000,
    )
    template = get_template("surveys/email/invitation.txt")
    outbox_add_many([
        _message(template, key=f"survey-invitation:{inv.pk}", kind="survey-invitation", person=person, token=inv.token,
                 closes_on=inv.expires_on, subject="A short survey about changes to your work")
        for inv, person, _ in new
    ])
    now = timezone.now()
    for wave in waves:
        Instrument.objects.filter(pk=wave.instrument_id).update(locked=True)
        _set_status(wave, Status.OPEN, actor, sent_at=now)
        result.waves.append(wave.pk)
    result.invited = len(new)
    audit.record(actor=actor, action="update", object_type="surveys.send", object_repr="Survey waves sent",
                 after={"waves": result.waves, "invitations": result.invited, "combined": result.combined,
                        "deferred": result.deferred, "no_email": result.no_email})
    return result


def open_due(today: dt.date | None = None) -> SendResult:
    """Send every scheduled wave whose opening date has come, together."""
    day = today or timezone.localdate()
    with transaction.atomic():
        due = list(SurveyWave.objects.select_for_update().filter(status=Status.SCHEDULED, opens_on__lte=day, closes_on__gte=day))
        return send_waves(waves=due, today=day)


@task
def open_due_waves() -> dict[str, Any]:
    """Send the waves whose opening date has come (the worker's task, after a launch)."""
    return open_due().as_dict()


@transaction.atomic
def close_due(today: dt.date | None = None) -> int:
    """Close open waves past their closing date, and cancel scheduled ones
    whose window passed unsent (the worker was down throughout). A recurring
    series carries on past a cancelled round: its next round is created (and
    cancelled in turn while its window has passed too), so the series picks
    up again with the first round still to come."""
    day = today or timezone.localdate()
    count = 0
    for wave in SurveyWave.objects.filter(status=Status.OPEN, closes_on__lt=day):
        _set_status(wave, Status.CLOSED, None)
        count += 1
    missed = list(SurveyWave.objects.filter(status=Status.SCHEDULED, closes_on__lt=day))
    while missed:
        later: list[SurveyWave] = []
        for wave in missed:
            _set_status(wave, Status.CANCELLED, None)
            nxt = _next_round(wave, None)
            if nxt is not None and nxt.closes_on < day:
                later.append(nxt)
        missed = later
    return count


@transaction.atomic
def remind_due(today: dt.date | None = None) -> int:
    """Remind non-respondents of open waves, at most twice per wave, every
    `reminder_after_days` days. A combined invitation is reminded once per
    round whichever of its waves is due."""
    day = today or timezone.localdate()
    gap = dt.timedelta(days=SurveyPolicy.current().reminder_after_days)
    template = get_template("surveys/email/reminder.txt")
    messages: list[OutboxMessage] = []
    reminded: set[int] = set()
    for wave in SurveyWave.objects.filter(status=Status.OPEN, reminders_sent__lt=MAX_REMINDERS, closes_on__gte=day):
        since = wave.last_reminder_on or (timezone.localdate(wave.sent_at) if wave.sent_at else wave.opens_on)
        if day < since + gap:
            continue
        number = wave.reminders_sent + 1
        pending = (wave.invitations.filter(used=False, reminders_sent__lt=number, expires_on__gte=day)
                   .select_related("staff").exclude(pk__in=reminded))
        batch: list[int] = []
        for inv in pending:
            person = Person(inv.staff_id, inv.staff.email, inv.staff.first_name, inv.unit_id, inv.role_group)
            messages.append(_message(template, key=f"survey-reminder:{inv.pk}:{number}", kind="survey-reminder", person=person,
                                     token=inv.token, closes_on=inv.expires_on, subject="Reminder: a short survey about changes to your work"))
            batch.append(inv.pk)
        reminded.update(batch)
        for start in range(0, len(batch), 900):
            Invitation.objects.filter(pk__in=batch[start:start + 900]).update(reminders_sent=number)
        before = _wave_snapshot(wave)
        wave.reminders_sent = number
        wave.last_reminder_on = day
        wave.save(update_fields=["reminders_sent", "last_reminder_on"])
        audit.record(actor=None, action="update", obj=wave, before=before, after=_wave_snapshot(wave))
    return outbox_add_many(messages)


@transaction.atomic
def purge_invitations(today: dt.date | None = None) -> int:
    """Delete invitations once their waves are closed and the contact window
    has passed: the counts live on in `AudienceCell`, and nothing remains
    that ties a person to a wave. Deferral lists go with them."""
    day = today or timezone.localdate()
    window = dt.timedelta(days=SurveyPolicy.current().contact_window_days)
    old = Invitation.objects.filter(expires_on__lt=day - window, sent_on__lt=day - window)
    ids = list(old.values_list("pk", flat=True))
    # Their emails go too: a reminder's row would show who had not answered.
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        keys = [f"survey-invitation:{pk}" for pk in chunk]
        keys += [f"survey-reminder:{pk}:{n}" for pk in chunk for n in range(1, MAX_REMINDERS + 1)]
        OutboxMessage.objects.filter(key__in=keys).exclude(status=OutboxMessage.Status.PENDING).delete()
    # delete() also counts the cascaded wave links; report invitations only.
    _, deleted = Invitation.objects.filter(pk__in=ids).delete() if ids else (0, {})
    count = deleted.get(Invitation._meta.label, 0)
    Deferral.objects.filter(wave__status__in=[Status.CLOSED, Status.CANCELLED], wave__closes_on__lt=day - window).delete()
    return count


@transaction.atomic
def settle_used_invitations() -> int:
    """Rewrite the used links of every wave that had a link used since the
    last pass, in one transaction of their own, and return how many rows it
    rewrote.

    On PostgreSQL every row carries the id of the transaction that wrote it,
    and a response is written in the same transaction that spends its link.
    Rewriting only the newly used links would still date each one to the
    pass after its use (and so pair it with the responses written in
    between); rewriting all the used links of those waves together leaves
    them one shared writer, so a used link tells that it was used, not
    when. The reminder count of a used link is levelled too (it would say
    whether the person answered before or after each reminder). What is
    left, until the next pass, is in docs/decisions.md (issue 17)."""
    fresh = Invitation.objects.filter(used=True, settled=False)
    waves = list(SurveyWave.objects.filter(invitations__in=fresh).values_list("pk", flat=True).distinct())
    if not waves:
        return 0
    used = Invitation.objects.filter(used=True, waves__in=waves).values("pk")
    return Invitation.objects.filter(pk__in=used).update(settled=True, reminders_sent=MAX_REMINDERS)


def tick(today: dt.date | None = None) -> dict[str, Any]:
    """The scheduler's regular pass: settle, close, open, remind, purge."""
    day = today or timezone.localdate()
    settle_used_invitations()
    closed = close_due(day)
    sent = open_due(day)
    reminders = remind_due(day)
    purged = purge_invitations(day)
    return {"closed": closed, "sent": sent.as_dict(), "reminders": reminders, "purged": purged}


@task
def survey_tick() -> dict[str, Any]:
    """The regular pass in the worker: close, open, remind and purge."""
    return tick()


# ---------------------------------------------------------------- responding


class LinkState:
    OPEN = "open"
    USED = "used"
    CLOSED = "closed"
    UNKNOWN = "unknown"


# `secrets.token_urlsafe` writes only these characters.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def invitation_for(token: str) -> tuple[Invitation | None, str]:
    """The invitation behind a link and whether it can be answered. Unknown,
    closed and expired links give the same answer to the respondent."""
    if not _TOKEN.fullmatch(token or ""):  # not a link we could have written (PostgreSQL refuses a NUL outright)
        return None, LinkState.UNKNOWN
    invitation = Invitation.objects.filter(token=token).first()
    if invitation is None:
        return None, LinkState.UNKNOWN
    if invitation.used:
        return invitation, LinkState.USED
    if not open_waves(invitation):
        return invitation, LinkState.CLOSED
    return invitation, LinkState.OPEN


def open_waves(invitation: Invitation) -> list[SurveyWave]:
    """The link's waves open today, read once per request: `invitation_for`
    decides the link's state from them and the page or submission then
    asks again."""
    cached = getattr(invitation, "_open_waves", None)
    if cached is None:
        today = timezone.localdate()
        cached = list(invitation.waves.filter(status=Status.OPEN, opens_on__lte=today, closes_on__gte=today)
                      .select_related("programme", "instrument").order_by("programme__code"))
        invitation._open_waves = cached  # type: ignore[attr-defined]
    return cached


def survey_sections(invitation: Invitation) -> list[tuple[SurveyWave, list[Question]]]:
    return [(wave, wave.instrument.ordered_questions()) for wave in open_waves(invitation)]


def field_name(wave: SurveyWave, question: Question) -> str:
    return f"w{wave.pk}-{question.code}"


def clean_answers(sections: list[tuple[SurveyWave, list[Question]]], data: Any) -> tuple[dict[int, dict[int, tuple[int | None, str]]], dict[str, str]]:
    """Checks submitted values against each question. Every question is
    optional (people may skip); a value given must be valid."""
    cleaned: dict[int, dict[int, tuple[int | None, str]]] = {}
    errors: dict[str, str] = {}
    for wave, questions in sections:
        answers: dict[int, tuple[int | None, str]] = {}
        for question in questions:
            name = field_name(wave, question)
            raw = data.get(name)
            # Browsers send a line break as CRLF but count it as one character.
            raw = "" if raw is None else str(raw).replace("\r\n", "\n").strip()
            if raw == "":
                continue
            if question.kind == Question.Kind.TEXT:
                if "\x00" in raw:
                    errors[name] = "Your answer has a character that cannot be saved. Type it again rather than pasting it."
                    continue
                raw = clean_text(raw)  # what XLSX and PDF cannot hold (issue 17)
                if len(raw) > ANSWER_TEXT_MAX:
                    errors[name] = f"Keep your answer to {ANSWER_TEXT_MAX} characters or fewer (it is {len(raw)})."
                    continue
                answers[question.pk] = (None, raw)
                continue
            low, high = question.value_range() or (0, 0)
            try:
                value = int(raw)
            except ValueError:
                value = None
            if value is None or not low <= value <= high:
                errors[name] = "Choose one of the options."
                continue
            answers[question.pk] = (value, "")
        cleaned[wave.pk] = answers
    return cleaned, errors


class AlreadySubmitted(Exception):
    pass


class LinkNotOpen(Exception):
    pass


NOTHING_ANSWERED = "Answer at least one question before sending."


def submit(*, token: str, data: Any, wave_ids: Iterable[int | str] | None = None) -> int:
    """Store one anonymous response per open wave on the link that the
    person answered at least one question of.

    The link is spent by a conditional update inside the same transaction,
    so a double click or a retry stores one response: the second request
    finds the link used. Nothing written here names the person or the time,
    and no audit row is written (it would link the two). `wave_ids` are the
    sections the person was shown (a wave added to the link after the page
    was loaded is not answered with blanks). Returns the number of responses
    stored; raises ValidationError with per-field messages for invalid
    answers, or when nothing was answered at all.
    """
    invitation, state = invitation_for(token)
    if state == LinkState.USED:
        raise AlreadySubmitted
    if state != LinkState.OPEN or invitation is None:
        raise LinkNotOpen
    sections = survey_sections(invitation)
    if wave_ids is not None:
        shown = {pk for pk in map(parse_id, wave_ids) if pk is not None}
        sections = [(wave, questions) for wave, questions in sections if wave.pk in shown]
    cleaned, errors = clean_answers(sections, data)
    if errors:
        raise ValidationError(errors)
    answered = [(wave, questions) for wave, questions in sections if cleaned[wave.pk]]
    if not answered:
        raise ValidationError(NOTHING_ANSWERED)
    with transaction.atomic():
        if not Invitation.objects.filter(pk=invitation.pk, used=False).update(used=True):
            raise AlreadySubmitted
        stored = 0
        for wave, _ in answered:
            response = Response.objects.create(wave=wave, unit_id=invitation.unit_id, role_group=invitation.role_group)
            Answer.objects.bulk_create([
                Answer(response=response, question_id=qid, value=value, text=text) for qid, (value, text) in cleaned[wave.pk].items()
            ])
            AudienceCell.objects.filter(wave=wave, unit_id=invitation.unit_id, role_group=invitation.role_group).update(responded=F("responded") + 1)
            stored += 1
    return stored
