"""Demo survey data: a year of readiness waves for every programme.

`seed_surveys()` is called by `devtools.seeding.seed_force` once the programmes'
impact assessments are approved, so each programme's audience is its
impacted staff. It writes:

- **History**: for each of the 12 programmes, the last 52 weeks of rounds
  of the portfolio's default instrument, weekly pulses for the programmes
  in delivery (`WEEKLY_PROGRAMMES`) and monthly surveys for the rest. Past
  rounds are CLOSED and written in bulk: the waves, their `AudienceCell`
  counts (invited and responded per team and role group) and anonymous
  `Response` + `Answer` rows matching the cells. No `Invitation` rows: real
  ones are purged once the contact window has passed
  (`services.purge_invitations`), and only the counts remain.
- **This week**: a few programmes' waves sent through the real services
  (`wave_create`, `wave_launch`, `open_due`), so invitations, combined
  invitations, deferrals under the contact budget, reminders and outbox
  messages exist; plus one draft wave and one scheduled wave.

The history is shaped so the results pages have something to find: response
rates between 20% and 70% depending on the unit, most units improving on
every ADKAR element over the year, the units in `STUCK_AT_KNOWLEDGE` high on
Awareness and Desire but flat at about 2.5 on Knowledge (and low after it),
and `TOO_FEW_TO_REPORT` below the reporting threshold in every round. The
same seed gives the same history (and the same counts for this week's
waves, which are censuses).

Size: about `RESPONSES_PER_STAFF` responses per member of staff per year
(12.5 at met scale: ~560,000 responses and ~6.3 million answers; 2 at the
demo scale so `seed --scale demo` stays quick). Below met scale, each
programme's latest closed round also asks `LATEST_SHARE` of its audience,
so most units going live have a readiness figure rather than "Not enough
data" (issue 18). Responses and answers are
written with `executemany` per 20,000 rows, or `COPY` on PostgreSQL, inside
the seed's transaction: `bulk_create` managed ~20,000 rows a second here,
too slow for millions (see docs/performance.md).
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import random
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Model
from django.utils import timezone

from changeboard.accounts.models import User
from changeboard.core.db import sqlite_page_cache
from changeboard.core.models import OutboxMessage, PendingUpload
from changeboard.organisation.models import Staff, Unit
from changeboard.portfolio.models import Programme

from . import services
from .models import (
    Adkar,
    Answer,
    AudienceCell,
    Deferral,
    Instrument,
    Invitation,
    Question,
    Response,
    RoleGroup,
    SurveyPolicy,
    SurveyWave,
    role_group_for,
)
from .signals import responses_changed

Status = SurveyWave.Status
Recurrence = SurveyWave.Recurrence

WEEKLY_PROGRAMMES = frozenset({"CMS", "ROTA", "CCM", "CUST"})  # in test or hypercare: a weekly pulse
WEEKS = 52
MONTHS = 12
WEEKLY_OPEN_DAYS = 4  # a pulse opens on Monday and closes on Friday
MONTHLY_OPEN_DAYS = 13  # a monthly survey opens on the first Monday of the month, for two weeks
MONTHLY_WEIGHT = 3  # a monthly round invites three times the share of the audience a weekly pulse does
RESPONSES_PER_STAFF = {"met": 12.5}  # responses per member of staff per year
DEFAULT_RESPONSES_PER_STAFF = 2.0
CENSUS_LATEST = True  # below met scale, each programme's latest closed round asks most of its audience (see `_history`)
LATEST_SHARE = 0.33  # the share of the audience that latest round invites

STUCK_AT_KNOWLEDGE = ("Hackney", "Met Contact Centre", "Croydon")
TOO_FEW_TO_REPORT = "Diversity and Inclusion"

ELEMENTS = tuple(Adkar.values)  # awareness, desire, knowledge, ability, reinforcement
# Mean agreement (1 to 5) at the start of the year, and the gain over it, for an improving unit.
IMPROVING_START = np.array([2.9, 2.7, 2.3, 2.1, 2.2])
IMPROVING_GAIN = np.array([1.1, 1.2, 1.4, 1.4, 1.3])
# A unit that understands and wants the change but has not been shown how.
STUCK_START = np.array([4.1, 3.9, 2.5, 1.9, 2.0])
STUCK_GAIN = np.array([0.1, 0.1, 0.0, 0.0, 0.0])
ROLE_RATE: dict[str, float] = {RoleGroup.OFFICER: 1.0, RoleGroup.STAFF: 1.15, RoleGroup.OTHER: 0.7, RoleGroup.UNKNOWN: 0.8}
PERSON_SD = 0.5  # how much one respondent differs from their unit, on every item
ITEM_SD = 0.7  # and on each item
SKIP_ITEM = 0.003
SKIP_OVERALL = 0.015
TEXT_SHARE = 0.2
BATCH = 20_000
LINK = Response.Source.LINK.value

# Free-text answers to "What one thing would most help you get ready?": short,
# no names, grouped by the element the respondent's unit is weakest on.
COMMENTS: dict[str, tuple[str, ...]] = {
    "awareness": (
        "Tell us why this is better than what we have now.",
        "A clear date for when it goes live for our team.",
        "Hearing about it from our own inspector, not an email.",
        "Knowing what happens to the old system and our old records.",
    ),
    "desire": (
        "Show us it will save time on a busy shift, not add to it.",
        "Listen to the feedback from the pilot sites.",
        "Fix the problems the last system had before adding another one.",
        "Less change at once. There is a lot going on this year.",
    ),
    "knowledge": (
        "Training dates keep moving and I still don't know how the new screens work.",
        "A quick reference card for the desk.",
        "Training that covers nights and weekends, not just office hours.",
        "More than the e-learning: a session where we can try it.",
        "Somewhere to practise before go-live.",
    ),
    "ability": (
        "Time off the rota to practise before it goes live.",
        "Someone on each shift who knows the system well.",
        "Enough working devices in the writing room.",
        "Protected time for the training rather than squeezing it into a shift.",
    ),
    "reinforcement": (
        "Floor-walkers for more than the first week.",
        "A number to call at 3am when it goes wrong.",
        "Supervisors who use it themselves.",
        "Keep the help pages up to date after go-live.",
    ),
    "general": (
        "Nothing more, the briefings have been good.",
        "Keep us updated as it goes.",
        "Just give us the go-live date and we will get on with it.",
        "Make sure the rollout does not clash with the summer abstractions.",
    ),
}

# This week's waves, sent through the services: censuses narrowed by role, so
# the counts do not depend on a random sample. The second and third are sent
# together today: someone in both gets one invitation carrying both, and a
# trainee investigator already invited to the first is added to that
# invitation when it is unused, or deferred when it is used (the contact
# budget). The overlap is kept small: `send_waves` matches each added wave
# against every other one, which grows with the square of their number.
INVESTIGATORS = ("Detective", "Trainee investigator", "Case progression officer")
ROSTERED = ("Response sergeant", "Response inspector", "Call handler", "Radio dispatcher", "Detention officer", "Custody officer")
EVIDENCE = ("Trainee investigator", "Safeguarding detective", "Response sergeant")


@dataclass(frozen=True)
class LiveSpec:
    code: str
    title: str
    recurrence: str
    days_ago: int
    roles: tuple[str, ...]
    answered: float  # share of its links already used


LIVE_WAVES = (
    LiveSpec("CMS", "Investigators' readiness pulse", Recurrence.WEEKLY, 3, INVESTIGATORS, 0.35),
    LiveSpec("ROTA", "Rostering readiness pulse", Recurrence.WEEKLY, 0, ROSTERED, 0.0),
    LiveSpec("DEMS", "Digital evidence readiness survey", Recurrence.MONTHLY, 0, EVIDENCE, 0.0),
)
DRAFT_WAVE = ("IAM", "Identity and access: baseline readiness", 21)
SCHEDULED_WAVE = ("INTEL", "Intelligence platform: readiness before design sign-off", 14)


# --------------------------------------------------------------------------
# Units: who answers how


@dataclass(frozen=True)
class Profile:
    """How a unit (a borough, or a command outside Frontline Policing)
    answers: its response rate and its ADKAR means over the year."""

    name: str
    kind: str  # improving, stuck, sparse
    rate: float
    start: np.ndarray
    gain: np.ndarray

    def means(self, t: float) -> np.ndarray:
        """Mean agreement per ADKAR element at `t` (0 a year ago, 1 now)."""
        return np.clip(self.start + self.gain * t, 1.0, 5.0)


def _profile(unit: Unit, seed: int) -> Profile:
    rng = random.Random(f"{seed}:{unit.code}")
    jitter = np.array([rng.uniform(-0.15, 0.15) for _ in ELEMENTS])
    if unit.name in STUCK_AT_KNOWLEDGE:
        return Profile(unit.name, "stuck", rng.uniform(0.35, 0.6), STUCK_START + jitter * 0.5, STUCK_GAIN)
    start = IMPROVING_START + rng.uniform(-0.35, 0.3) + jitter
    gain = IMPROVING_GAIN * rng.uniform(0.6, 1.3)
    if unit.name == TOO_FEW_TO_REPORT:
        return Profile(unit.name, "sparse", 0.2, start, gain)
    return Profile(unit.name, "improving", rng.uniform(0.22, 0.68), start, gain)


class _Units:
    """Each team's profile unit: its borough, or its command outside the BCUs."""

    def __init__(self, seed: int) -> None:
        units = list(Unit.objects.order_by("path"))
        self.by_id = {u.pk: u for u in units}
        by_path = {u.path: u for u in units}
        self.group: dict[int, Unit] = {}
        for unit in units:
            group = unit
            for end in range(Unit.steplen, len(unit.path) + 1, Unit.steplen):
                ancestor = by_path.get(unit.path[:end])
                if ancestor is not None and ancestor.level in (Unit.Level.BOROUGH, Unit.Level.COMMAND):
                    group = ancestor  # the deepest borough or command above (or at) the unit
            self.group[unit.pk] = group
        self.profiles = {u.pk: _profile(u, seed) for u in {g.pk: g for g in self.group.values()}.values()}

    def profile(self, unit_id: int) -> Profile:
        return self.profiles[self.group[unit_id].pk]


# --------------------------------------------------------------------------
# Answers


class _Answers:
    """Makes the answers of n respondents to the instrument from their units'
    ADKAR means, with numpy (fast enough for millions of answers)."""

    def __init__(self, instrument: Instrument, rng: np.random.Generator) -> None:
        self.rng = rng
        self.likert: list[tuple[int, int]] = []  # (question id, element index or -1)
        self.scales: list[int] = []
        self.choices: list[tuple[int, int]] = []
        self.texts: list[int] = []
        for question in instrument.ordered_questions():
            if question.kind == Question.Kind.LIKERT:
                self.likert.append((question.pk, ELEMENTS.index(question.adkar) if question.adkar else -1))
            elif question.kind == Question.Kind.SCALE:
                self.scales.append(question.pk)
            elif question.kind == Question.Kind.CHOICE:
                self.choices.append((question.pk, len(question.choices)))
            else:
                self.texts.append(question.pk)
        # The second item of an element reads a little harder than the first.
        seen: Counter[int] = Counter()
        offsets = []
        for _, element in self.likert:
            offsets.append(-0.1 * seen[element])
            seen[element] += 1
        self.offsets = np.array(offsets)

    def rows(self, ids: Sequence[str], means: np.ndarray) -> list[tuple[str, int, int | None, str]]:
        """(response id, question id, value, text) for each answer given;
        `means` is one row of ADKAR means per respondent."""
        n = len(ids)
        if not n:
            return []
        rng = self.rng
        out: list[tuple[str, int, int | None, str]] = []
        values = np.empty((n, 0))
        if self.likert:
            columns = [e for _, e in self.likert]
            mu = np.where(np.array(columns) >= 0, means[:, [max(c, 0) for c in columns]], means.mean(axis=1, keepdims=True))
            raw = mu + self.offsets + rng.normal(0, PERSON_SD, (n, 1)) + rng.normal(0, ITEM_SD, (n, len(columns)))
            values = np.clip(np.rint(raw), 1, 5).astype(np.int64)
            given = rng.random((n, len(columns))) >= SKIP_ITEM
            for j, (qid, _) in enumerate(self.likert):
                out.extend([(rid, qid, v, "") for rid, v, keep in zip(ids, values[:, j].tolist(), given[:, j].tolist(), strict=True) if keep])
        for qid in self.scales:
            agreement = values.mean(axis=1) if values.shape[1] else means.mean(axis=1)
            overall = np.clip(np.rint((agreement - 1) * 2.5 + rng.normal(0, 0.8, n)), 0, 10).astype(np.int64)
            given = rng.random(n) >= SKIP_OVERALL
            out.extend([(rid, qid, v, "") for rid, v, keep in zip(ids, overall.tolist(), given.tolist(), strict=True) if keep])
        for qid, options in self.choices:
            picked = rng.integers(1, options + 1, n)
            out.extend([(rid, qid, v, "") for rid, v in zip(ids, picked.tolist(), strict=True)])
        for qid in self.texts:
            given = rng.random(n) < TEXT_SHARE
            weakest = means.argmin(axis=1)
            general = rng.random(n) < 0.25
            picks = rng.integers(0, 1000, n)
            for i in np.flatnonzero(given).tolist():
                pool = COMMENTS["general"] if general[i] else COMMENTS[ELEMENTS[weakest[i]]]
                out.append((ids[i], qid, None, pool[picks[i] % len(pool)]))
        return out


def _response_ids(rng: np.random.Generator, count: int) -> list[str]:
    """`count` random version-4 UUIDs (as 32 hex digits), in ascending order
    so the inserts append to the primary key and answer indexes."""
    if not count:
        return []
    high = rng.integers(0, 2**63, count, dtype=np.int64).astype(np.uint64) << np.uint64(1)
    high |= rng.integers(0, 2, count, dtype=np.int64).astype(np.uint64)
    low = rng.integers(0, 2**62, count, dtype=np.int64).astype(np.uint64)
    high = (high & ~np.uint64(0xF000)) | np.uint64(0x4000)  # version 4
    low |= np.uint64(0x8000000000000000)  # RFC 4122 variant
    order = np.lexsort((low, high))
    return [f"{h:016x}{lo:016x}" for h, lo in zip(high[order].tolist(), low[order].tolist(), strict=True)]


# --------------------------------------------------------------------------
# Bulk writing


def _insert(model: type[Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert plain rows (values as the database takes them; UUIDs as 32 hex
    digits) in batches: `COPY` on PostgreSQL, multi-row `executemany`
    elsewhere. Returns the number of rows."""
    table = model._meta.db_table
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        sql = f"INSERT INTO {quote(table)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608  (model names)
        batch: list[Sequence[Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


@contextlib.contextmanager
def _foreign_keys_checked_once(models: Sequence[type[Model]]) -> Iterator[None]:
    """PostgreSQL checks a deferred foreign key with one query per inserted
    row when the transaction commits: a minute for the met-scale answers.
    Dropped for the load and added back (with the same definition) after it,
    each is checked in one pass instead, as PostgreSQL's bulk-loading advice
    has it. Only inside a transaction: if the load fails, the rollback
    restores the constraints."""
    if connection.vendor != "postgresql":
        yield
        return
    assert connection.in_atomic_block, "only inside the seed's transaction"
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # run the checks already pending: a table with some cannot be altered
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s) ORDER BY 1, 2",
            [[m._meta.db_table for m in models]],
        )
        found = cursor.fetchall()
        for table, name, _ in found:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
    yield
    with connection.cursor() as cursor:
        for table, name, definition in found:
            cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's foreign keys are initially deferred


# --------------------------------------------------------------------------
# Dates


def _first_monday(year: int, month: int) -> dt.date:
    day = dt.date(year, month, 1)
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


def _months_back(day: dt.date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 - months
    return index // 12, index % 12 + 1


def round_dates(weekly: bool, today: dt.date) -> list[tuple[dt.date, dt.date]]:
    """(opens, closes) of a year of closed rounds, oldest first, spaced as
    the scheduler spaces a recurring wave's rounds (`services.add_period`
    from the first): 52 weekly pulses, Monday to Friday, or 12 monthly
    surveys open for two weeks from the first round's date (a first Monday),
    the last one closed before `today`."""
    recurrence, count, length = ((Recurrence.WEEKLY, WEEKS, WEEKLY_OPEN_DAYS) if weekly
                                 else (Recurrence.MONTHLY, MONTHS, MONTHLY_OPEN_DAYS))
    back = 0
    while True:
        if weekly:
            first = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=count - 1 + back)
        else:
            first = _first_monday(*_months_back(today, count - 1 + back))
        opens = [services.add_period(first, recurrence, k) for k in range(count)]
        if opens[-1] + dt.timedelta(days=length) < today:
            return [(day, day + dt.timedelta(days=length)) for day in opens]
        back += 1


def _at_nine(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


def _add_months(day: dt.date, months: int) -> dt.date:
    year, month = _months_back(day, -months)
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


# --------------------------------------------------------------------------
# The year's history


@dataclass
class _Plan:
    programme: Programme
    weekly: bool
    cells: list[tuple[int, str]]  # (unit id, role group), in unit path order
    sizes: np.ndarray
    rates: np.ndarray
    starts: np.ndarray  # per cell: its unit's ADKAR means a year ago
    gains: np.ndarray  # and their change over the year
    dates: list[tuple[dt.date, dt.date]]
    waves: list[SurveyWave]


def _audience(programme: Programme, today: dt.date, units: _Units) -> tuple[list[tuple[int, str]], np.ndarray]:
    probe = SurveyWave(programme=programme, audience_source=SurveyWave.Source.IMPACTED)
    people = services.eligible_staff(probe, today).values_list("pk", "unit_id", "rank_grade__kind")
    groups = {kind: role_group_for(kind) for kind in (*RoleGroup.values, None)}
    sizes = Counter((unit_id, groups.get(kind, RoleGroup.UNKNOWN)) for _, unit_id, kind in people)
    cells = sorted(sizes, key=lambda cell: (units.by_id[cell[0]].path, cell[1]))
    return cells, np.array([sizes[c] for c in cells], dtype=np.int64)


def _history(*, instrument: Instrument, today: dt.date, scale: str, actor: User | None, units: _Units,
             answers: _Answers, rng: np.random.Generator) -> dict[str, int]:
    policy = SurveyPolicy.current()
    creator = actor if getattr(actor, "pk", None) else None
    plans: list[_Plan] = []
    for programme in Programme.objects.order_by("code"):
        weekly = programme.code in WEEKLY_PROGRAMMES
        cells, sizes = _audience(programme, today, units)
        profiles = [units.profile(u) for u, _ in cells]
        rates = np.array([p.rate * ROLE_RATE.get(g, 1.0) for p, (_, g) in zip(profiles, cells, strict=True)])
        starts = np.array([p.start for p in profiles]).reshape(-1, len(ELEMENTS))
        gains = np.array([p.gain for p in profiles]).reshape(-1, len(ELEMENTS))
        plans.append(_Plan(programme, weekly, cells, sizes, rates, starts, gains, round_dates(weekly, today), []))

    # The share of the audience invited per round, so the year comes to the scale's number of responses.
    target = RESPONSES_PER_STAFF.get(scale, DEFAULT_RESPONSES_PER_STAFF) * Staff.objects.count()
    expected = sum(len(p.dates) * (1 if p.weekly else MONTHLY_WEIGHT) * float((p.sizes * p.rates).sum()) for p in plans)
    share = target / expected if expected else 0.0
    # Below met scale the latest round of each programme also asks `LATEST_SHARE` of its audience (issue 18).
    latest = LATEST_SHARE if CENSUS_LATEST and scale not in RESPONSES_PER_STAFF else 0.0

    # The waves: one series per programme, every round closed.
    for plan in plans:
        last_open = plan.dates[-1][0]
        kind = "readiness pulse" if plan.weekly else "readiness survey"
        mean_invited = share * (1 if plan.weekly else MONTHLY_WEIGHT) * float(plan.sizes.sum()) / max(1, len({u for u, _ in plan.cells}))
        plan.waves = [
            SurveyWave(programme=plan.programme, instrument=instrument, title=f"{plan.programme.name} {kind}", status=Status.CLOSED,
                       opens_on=opens, closes_on=closes, recurrence=Recurrence.WEEKLY if plan.weekly else Recurrence.MONTHLY,
                       repeat_until=last_open, round_number=number, audience_source=SurveyWave.Source.IMPACTED,
                       sampling=SurveyWave.Sampling.STRATIFIED, sample_per_unit=max(1, round(mean_invited)),
                       min_responses=policy.min_responses, min_comments=policy.min_comments, created_by=creator,
                       sent_at=_at_nine(opens), reminders_sent=1 if plan.weekly else 2,
                       last_reminder_on=opens + dt.timedelta(days=3 if plan.weekly else 6))
            for number, (opens, closes) in enumerate(plan.dates, start=1)
        ]
    SurveyWave.objects.bulk_create([w for p in plans for w in p.waves], batch_size=1000)
    for plan in plans:
        SurveyWave.objects.filter(pk__in=[w.pk for w in plan.waves[1:]]).update(series=plan.waves[0])
    Instrument.objects.filter(pk=instrument.pk).update(locked=True)

    # Who was invited and who answered, round by round (numpy, in a fixed order).
    cell_rows: list[tuple[int, int, str, int, int, int]] = []
    rounds: list[tuple[_Plan, int, np.ndarray]] = []  # (plan, round index, responses per cell)
    for plan in plans:
        invite = min(1.0, share * (1 if plan.weekly else MONTHLY_WEIGHT))
        groups = [units.group[u].pk for u, _ in plan.cells]
        sparse = np.array([units.profile(u).kind == "sparse" for u, _ in plan.cells], dtype=bool)
        group_index = {g: i for i, g in enumerate(dict.fromkeys(groups))}
        cell_group = np.array([group_index[g] for g in groups], dtype=np.int64)
        for index, wave in enumerate(plan.waves):
            t = index / max(1, len(plan.waves) - 1)
            # The latest round asks more people (issue 18): at the smaller scales a
            # sampled round leaves most units below the anonymity threshold,
            # so the Board would see "Not enough data" for nearly every unit
            # going live. At met scale the sample already reaches enough.
            census = bool(latest) and index == len(plan.waves) - 1
            invited = rng.binomial(plan.sizes, invite)
            jitter = rng.normal(1.0, 0.08, len(group_index))[cell_group] if len(group_index) else np.ones(0)
            rate = np.clip(plan.rates * jitter * (0.95 + 0.1 * t), 0.05, 0.95)
            responded = rng.binomial(invited, rate)
            excess = int(responded[sparse].sum()) - (wave.min_responses - 1)
            if excess > 0:  # the small unit stays below the reporting threshold in every round
                where = np.flatnonzero(sparse)
                while excess > 0:
                    cell = where[int(rng.integers(0, len(where)))]
                    if responded[cell]:
                        responded[cell] -= 1
                        excess -= 1
            if census:
                # More of the audience asked (issue 18), drawn apart so the rest of the year is the same as
                # without it; the unit kept below the threshold is left as it was.
                boost = np.random.default_rng([*plan.programme.code.encode(), index, 18])  # the same for the same programme
                extra = np.where(sparse, 0, boost.binomial(plan.sizes - invited, latest))
                invited = invited + extra
                responded = responded + boost.binomial(extra, np.minimum(rate, 0.7))  # a one-off round: no unit answers above 70%
            for i in np.flatnonzero(invited).tolist():
                unit_id, group = plan.cells[i]
                cell_rows.append((wave.pk, unit_id, group, int(invited[i]), int(responded[i]), 0))
            rounds.append((plan, index, responded))

    total = int(sum(int(r.sum()) for _, _, r in rounds))
    ids = _response_ids(rng, total)
    counts = {"survey_waves": sum(len(p.waves) for p in plans)}
    with _foreign_keys_checked_once((AudienceCell, Response, Answer)):
        counts.update(_write_history(rounds, cell_rows, ids, answers))
    return counts


def _write_history(rounds: list[tuple[_Plan, int, np.ndarray]], cell_rows: list[tuple[int, int, str, int, int, int]], ids: list[str],
                   answers: _Answers) -> dict[str, int]:
    """Insert the cells, then the responses and their answers round by round
    (the response ids were drawn in ascending order for this order)."""
    counts = {"survey_cells": _insert(AudienceCell, ("wave_id", "unit_id", "role_group", "invited", "responded", "imported"), cell_rows),
              "survey_responses": 0, "survey_answers": 0}
    position = 0
    response_rows: list[tuple[str, int, int, str, str]] = []
    answer_rows: list[tuple[str, int, int | None, str]] = []
    for plan, index, responded in rounds:
        n = int(responded.sum())
        if not n:
            continue
        wave = plan.waves[index]
        t = index / max(1, len(plan.waves) - 1)
        chosen = np.repeat(np.arange(len(plan.cells)), responded)
        wave_ids = ids[position:position + n]
        position += n
        means = np.clip(plan.starts + plan.gains * t, 1.0, 5.0)[chosen]
        for rid, c in zip(wave_ids, chosen.tolist(), strict=True):
            unit_id, group = plan.cells[c]
            response_rows.append((rid, wave.pk, unit_id, group, LINK))
        answer_rows.extend(answers.rows(wave_ids, means))
        if len(answer_rows) >= 10 * BATCH:
            counts["survey_responses"] += _insert(Response, ("id", "wave_id", "unit_id", "role_group", "source"), response_rows)
            counts["survey_answers"] += _insert(Answer, ("response_id", "question_id", "value", "text"), answer_rows)
            response_rows, answer_rows = [], []
    counts["survey_responses"] += _insert(Response, ("id", "wave_id", "unit_id", "role_group", "source"), response_rows)
    counts["survey_answers"] += _insert(Answer, ("response_id", "question_id", "value", "text"), answer_rows)
    return counts


# --------------------------------------------------------------------------
# This week: waves sent through the services


def _answer_links(wave: SurveyWave, share: float, *, answers: _Answers, units: _Units, rng: np.random.Generator) -> tuple[int, int]:
    """Use a share of the wave's links, as `services.submit` would for each:
    the link marked used, one anonymous response per wave on it with the
    unit and role group the person had when it was sent, the cell counted.
    Done in bulk (a met-scale census has thousands of links)."""
    invitations = list(wave.invitations.filter(used=False).order_by("staff__staff_number"))
    picked = rng.random(len(invitations)) < share
    chosen = [inv for inv, pick in zip(invitations, picked.tolist(), strict=True) if pick]
    if not chosen:
        return 0, 0
    # Responses carry nothing of the person: order them by cell, not by person.
    chosen.sort(key=lambda inv: (units.by_id[inv.unit_id].path, inv.role_group))
    ids = [uuid.UUID(int=int(a) << 64 | int(b), version=4).hex
           for a, b in zip(rng.integers(0, 2**63, len(chosen)).tolist(), rng.integers(0, 2**63, len(chosen)).tolist(), strict=True)]
    for start in range(0, len(chosen), 900):
        Invitation.objects.filter(pk__in=[inv.pk for inv in chosen[start:start + 900]]).update(used=True)
    _insert(Response, ("id", "wave_id", "unit_id", "role_group", "source"),
            [(rid, wave.pk, inv.unit_id, inv.role_group, LINK) for rid, inv in zip(ids, chosen, strict=True)])
    means = np.array([units.profile(inv.unit_id).means(1.0) for inv in chosen])
    stored = _insert(Answer, ("response_id", "question_id", "value", "text"), answers.rows(ids, means))
    per_cell = Counter((inv.unit_id, inv.role_group) for inv in chosen)
    for (unit_id, group), count in sorted(per_cell.items()):
        AudienceCell.objects.filter(wave=wave, unit_id=unit_id, role_group=group).update(responded=F("responded") + count)
    return len(chosen), stored


def _this_week(*, instrument: Instrument, today: dt.date, actor: User | None, units: _Units, answers: _Answers,
               rng: np.random.Generator) -> tuple[int, int]:
    """Send `LIVE_WAVES` through the services (the first a few days ago and
    partly answered, the others together today), remind, and add a draft and
    a scheduled wave. Returns the responses and answers stored."""
    programmes = {p.code: p for p in Programme.objects.all()}
    responses = stored = 0
    for days_ago in sorted({spec.days_ago for spec in LIVE_WAVES}, reverse=True):
        day = today - dt.timedelta(days=days_ago)
        batch: list[tuple[LiveSpec, SurveyWave]] = []
        for spec in LIVE_WAVES:
            if spec.days_ago != days_ago or spec.code not in programmes:
                continue
            length = WEEKLY_OPEN_DAYS if spec.recurrence == Recurrence.WEEKLY else MONTHLY_OPEN_DAYS
            wave = services.wave_create(
                programme=programmes[spec.code], instrument=instrument, title=spec.title, opens_on=day,
                closes_on=day + dt.timedelta(days=length), actor=actor, recurrence=spec.recurrence,
                repeat_until=_add_months(today, 6), roles=list(spec.roles), audience_source=SurveyWave.Source.IMPACTED,
            )
            services.wave_launch(wave=wave, actor=actor)
            batch.append((spec, wave))
        services.open_due(day)
        if days_ago:
            SurveyWave.objects.filter(pk__in=[w.pk for _, w in batch]).update(sent_at=_at_nine(day))
        for spec, wave in batch:
            if spec.answered:
                counts = _answer_links(wave, spec.answered, answers=answers, units=units, rng=rng)
                responses, stored = responses + counts[0], stored + counts[1]
    services.remind_due(today)

    code, title, in_days = DRAFT_WAVE
    if code in programmes:
        opens = today + dt.timedelta(days=in_days)
        services.wave_create(programme=programmes[code], instrument=instrument, title=title, opens_on=opens,
                             closes_on=opens + dt.timedelta(days=MONTHLY_OPEN_DAYS), actor=actor)
    code, title, in_days = SCHEDULED_WAVE
    if code in programmes:
        opens = today + dt.timedelta(days=in_days)
        wave = services.wave_create(programme=programmes[code], instrument=instrument, title=title, opens_on=opens,
                                    closes_on=opens + dt.timedelta(days=MONTHLY_OPEN_DAYS), actor=actor)
        services.wave_launch(wave=wave, actor=actor)
    return responses, stored


# --------------------------------------------------------------------------
# Entry points


def seed_surveys(*, scale: str, seed: int, today: dt.date | None = None, actor: User | None = None) -> dict[str, int]:
    """A year of survey history for every programme, and this week's waves
    (call inside the seed's transaction, after the impact assessments).
    `today` must be the real date for this week's waves (links are checked
    against it); it defaults to it. Returns counts for the seed summary."""
    instrument = services.default_instrument()
    if instrument is None or not Programme.objects.exists():
        return {}
    day = today or timezone.localdate()
    rng = np.random.default_rng(seed)
    units = _Units(seed)
    answers = _Answers(instrument, rng)
    with sqlite_page_cache(262144):  # up to 256 MB: millions of index inserts
        # This week's waves first, while the database is small: the services' queries are quicker then.
        live_rng = np.random.default_rng([seed, 1])
        live_responses, live_answers = _this_week(instrument=instrument, today=day, actor=actor, units=units,
                                                  answers=_Answers(instrument, live_rng), rng=live_rng)
        history = _history(instrument=instrument, today=day, scale=scale, actor=actor, units=units, answers=answers, rng=rng)
    # Roll-ups of a year of answers are rebuilt by the worker, not inside the seed.
    responses_changed.send(sender=SurveyWave, wave_ids=list(SurveyWave.objects.values_list("pk", flat=True)), background=True)
    return {
        "survey_waves": SurveyWave.objects.count(),
        "survey_responses": history["survey_responses"] + live_responses,
        "survey_answers": history["survey_answers"] + live_answers,
        "survey_invitations": Invitation.objects.count(),
        "survey_deferrals": Deferral.objects.count(),
        "survey_emails_queued": OutboxMessage.objects.filter(kind__startswith="survey-", status=OutboxMessage.Status.PENDING).count(),
    }


def clear_survey_data() -> dict[str, int]:
    """Delete every survey wave and what hangs off it (responses, answers,
    counts, invitations, deferrals, imports) and the survey emails in the
    outbox: `clear_seeded_data` deletes the programmes and staff they belong
    to. The question bank and instruments stay. Returns counts removed."""
    counts = {"survey_waves": SurveyWave.objects.count(), "survey_responses": Response.objects.count()}
    if not _truncated((Answer, Response, AudienceCell)):
        Answer.objects.all().delete()  # no dependants: one DELETE
        responses = Response.objects.all()
        responses._raw_delete(responses.db)  # their answers are gone; avoids loading every response to cascade
        AudienceCell.objects.all().delete()
    Deferral.objects.all().delete()
    PendingUpload.objects.filter(kind=PendingUpload.Kind.SURVEY_RESPONSES).delete()
    Invitation.objects.all().delete()
    SurveyWave.objects.all().delete()
    OutboxMessage.objects.filter(kind__startswith="survey-").delete()
    return counts


def _truncated(models: Sequence[type[Model]]) -> bool:
    """On PostgreSQL, empty the tables with one TRUNCATE (deleting millions of
    answers row by row takes most of a minute). False where that is not
    possible: another database, or another table referring to one of these."""
    if connection.vendor != "postgresql":
        return False
    quote = connection.ops.quote_name
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses tables with pending checks
            cursor.execute(f"TRUNCATE {', '.join(quote(m._meta.db_table) for m in models)}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    except DatabaseError:
        return False
    return True
