"""Hypercare for the demo and met seeds (called by `devtools.seeding`).

- **demo** (and tiny): one finished period (a wave whose go-live is more
  than six weeks past; the programme in its hypercare phase first) and one
  live period (a wave that went live 10 to 21 days ago; where the portfolio
  has none, an "Early adopters – Westminster" wave is added to Rostering
  (ROTA, the demo's lead2's programme), through the portfolio services, on
  the Monday 14 to 20 days ago).
  A few hundred queries between them.
- **met**: a period for every go-live in the past plus the live one, and
  50,000 queries (for 45,000 staff; as many per head for a smaller force)
  spread over them by how far each period has run.

The queries follow a realistic curve (a gamma-shaped rise to a peak around
day 10, decaying to a steady trickle, lighter at weekends), across the
wave's units (real staff: their unit and role, contact details from the HR
record), categories (more training gaps early on) and priorities. Each has a
history as the services would write it: raised (any time of day), answered,
worked, sometimes waiting on the requester for a day or two, resolved,
closed, now and then reopened, with every support step inside the support
team's working hours (Monday to Friday 08:00-18:00 Europe/London, not on
bank holidays) and some steps slower than the SLA target (breaches). Steps
later than "now" have not happened yet, so the live period has open queries
at every stage.

After the queries: the finished period's exit is decided through
`services.exits.exit_decide` (by the programme's change lead, frozen with
its criteria), the programme with the live period gets a readiness
criterion fed from the training gaps (for its next wave, unless it has one
already), and `services.feedback.feedback_refresh` evaluates the fed
criteria (and the spikes) so that the next wave's units show the training
gaps of the live wave.

Periods, categories, SLA targets, support teams, exit decisions and the
criterion go through the services; queries and their events are written with `bulk_create` (as the
other seeds write survey responses), because the met set is 50,000 queries
and about 300,000 events. The same seed and the same day give the same data.
This module imports nothing above hypercare.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from django.db.models import Count, Q

from changeboard.accounts.models import Role, User
from changeboard.cutover.models import Team
from changeboard.cutover.services.runbooks import team_save
from changeboard.organisation.models import Staff, Unit, subtree_q
from changeboard.portfolio.models import Programme, RolloutWave
from changeboard.portfolio.services import wave_save
from changeboard.readiness.models import Criterion, Criticality
from changeboard.readiness.services.criteria import criterion_save

from .models import DEFAULT_SLA, DEFAULT_WEEKS, ExitDecision, Period, Query, QueryEvent
from .services.exits import can_decide, exit_decide
from .services.feedback import feedback_refresh
from .services.periods import period_create

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC
BATCH = 2000
TEAM_PREFIX = "Hypercare support: "
LIVE_WAVE_NAME = "Early adopters – Westminster"
LIVE_PROGRAMME = "ROTA"  # the demo's lead2 runs it; it has room for a fifth wave, and later waves that include Westminster
# Queries over a whole six-week period, by scale (met: the total across the portfolio).
PER_PERIOD = {"tiny": 60, "demo": 420}
MET_TOTAL = 50_000
MET_STAFF = 45_000  # the met scale's staff: 50,000 queries for them, and as many per head for a smaller force
DAY_STARTS, DAY_ENDS = 8, 18  # the seeded support teams' working hours (the period default)
REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

CATEGORY_WEIGHTS = {"training_gap": 30, "defect": 20, "access": 15, "process": 12, "data": 8, "change_request": 5, "other": 10}
PRIORITY_WEIGHTS = {"P1": 3, "P2": 14, "P3": 55, "P4": 28}
SOURCE_WEIGHTS = {Query.Source.PUBLIC: 60, Query.Source.ON_BEHALF: 15, Query.Source.SUPPORT: 15, Query.Source.IMPORT: 10}
TITLES: dict[str, tuple[tuple[str, str], ...]] = {
    "training_gap": (
        ("How do I record a custody handover?", "training, custody"), ("Where is the detainee risk assessment?", "training, risk assessment"),
        ("How do I attach a statement to the case?", "training, statements"), ("Can't find where to record a PACE review", "training, pace"),
        ("How do I reassign a task to my team?", "training, tasks"), ("Which form replaces the old MG11?", "training, forms"),
        ("How do I search for an existing record?", "training, search"),
    ),
    "defect": (
        ("Page freezes when saving", "defect, performance"), ("Error when submitting the record", "defect"),
        ("Search returns no results for known names", "defect, search"), ("Printout missing the signature block", "defect, printing"),
        ("Times an hour out on exported records", "defect, export"),
    ),
    "access": (
        ("Can't log in after password reset", "access, login"), ("No access to my team's queue", "access, permissions"),
        ("Account locked after MFA prompt", "access, mfa"), ("Missing supervisor role", "access, permissions"),
    ),
    "process": (
        ("Who approves the review now?", "process, approvals"), ("Same entry needed in two systems", "process, double keying"),
        ("Handover step missing from the new process", "process, handover"),
    ),
    "data": (
        ("Migrated record has the wrong officer", "data, migration"), ("Old cases missing after migration", "data, migration"),
        ("Address fields swapped on migrated records", "data, migration"),
    ),
    "change_request": (
        ("Add a shortcut to the custody summary", "change request"), ("Allow bulk reassignment", "change request, tasks"),
        ("Show the shift pattern on the dashboard", "change request"),
    ),
    "other": (
        ("When are the drop-in sessions?", "training"), ("Printer not mapped in the custody suite", "printing"),
        ("Feedback on the go-live", ""),
    ),
}
WAITING_TEXT = "Could you send a screenshot of what you see, and the record number?"
REPLY_TEXT = "Screenshot and record number sent."
RESOLVED_TEXT = "Resolved: the steps are in the quick reference guide, section 3. Reply within 10 days to reopen."


# --------------------------------------------------------------------------
# Working time


class WorkingClock:
    """Monday to Friday 08:00-18:00 Europe/London, not on England and Wales bank holidays."""

    def __init__(self) -> None:
        self.bank = holidays.UK(subdiv="ENG")

    def working_day(self, day: dt.date) -> bool:
        return day.isoweekday() <= 5 and day not in self.bank

    def next_start(self, moment: dt.datetime) -> dt.datetime:
        """The moment itself if inside working hours, else the next opening."""
        local = moment.astimezone(LONDON)
        day = local.date()
        while True:
            opens = dt.datetime.combine(day, dt.time(DAY_STARTS), LONDON)
            closes = dt.datetime.combine(day, dt.time(DAY_ENDS), LONDON)
            if self.working_day(day) and local < closes:
                return max(local, opens).astimezone(UTC)
            day += dt.timedelta(days=1)
            local = dt.datetime.combine(day, dt.time(0), LONDON)

    def add(self, moment: dt.datetime, minutes: float) -> dt.datetime:
        """`minutes` of working time after `moment`."""
        at = self.next_start(moment)
        left = max(1.0, minutes)
        while True:
            local = at.astimezone(LONDON)
            closes = dt.datetime.combine(local.date(), dt.time(DAY_ENDS), LONDON)
            room = (closes - local).total_seconds() / 60
            if left <= room:
                return (local + dt.timedelta(minutes=left)).astimezone(UTC)
            left -= room
            at = self.next_start(closes + dt.timedelta(minutes=1))


# --------------------------------------------------------------------------
# The curve


def day_weights(days: int) -> list[float]:
    """Relative queries a day over `days` days from go-live: x^2 e^(-x/5)
    (peak at day 10) plus a steady trickle, lighter at weekends (applied by
    the caller, who knows the dates)."""
    raw = [((d + 0.5) ** 2) * math.exp(-(d + 0.5) / 5) for d in range(days)]
    peak = max(raw)
    return [w + 0.08 * peak for w in raw]


def _pick(rng: random.Random, weights: dict[Any, int]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _split(total: int, weights: list[float]) -> list[int]:
    """`total` split by `weights`, largest remainders first (sums exactly)."""
    whole = sum(weights)
    if not whole or total <= 0:
        return [0] * len(weights)
    exact = [total * w / whole for w in weights]
    counts = [int(x) for x in exact]
    for i in sorted(range(len(exact)), key=lambda i: (counts[i] - exact[i], i))[: total - sum(counts)]:
        counts[i] += 1
    return counts


# --------------------------------------------------------------------------
# Periods


@dataclass
class PlannedPeriod:
    period: Period
    total: int  # queries raised from go-live to now


def _past_waves(today: dt.date) -> list[RolloutWave]:
    return list(RolloutWave.objects.filter(go_live_date__lt=today).select_related("programme").order_by("go_live_date", "pk"))


def finished_wave(today: dt.date) -> RolloutWave | None:
    """A wave whose six weeks of hypercare are over: the programme in its
    hypercare phase first, then the latest go-live."""
    over = [w for w in _past_waves(today) if w.go_live_date <= today - dt.timedelta(weeks=DEFAULT_WEEKS, days=1)]
    over.sort(key=lambda w: (w.programme.phase == Programme.Phase.HYPERCARE, w.go_live_date, w.pk), reverse=True)
    return over[0] if over else None


def live_wave(today: dt.date, actor: User | None) -> RolloutWave | None:
    """A wave that went live 10 to 21 days ago; or a new one ("Early
    adopters") in Rostering (ROTA, the demo's lead2's programme), else the
    programme with the fewest waves, for Westminster (else that programme's
    first wave's units)."""
    recent = [w for w in _past_waves(today) if today - dt.timedelta(days=21) <= w.go_live_date <= today - dt.timedelta(days=10)]
    if recent:
        return recent[-1]
    programme = (Programme.objects.filter(code=LIVE_PROGRAMME).first()
                 or Programme.objects.annotate(n=Count("waves")).order_by("n", "code").first())
    if programme is None:
        return None
    units = list(Unit.objects.filter(name="Westminster").order_by("depth", "path")[:1])
    if not units:
        first = programme.waves.order_by("go_live_date", "pk").first()
        units = list(first.units.all()) if first is not None else list(Unit.objects.filter(depth=1)[:1])
    if not units:
        return None
    back = today - dt.timedelta(days=14)
    monday = back - dt.timedelta(days=back.weekday())  # 14 to 20 days ago
    return wave_save(programme=programme, actor=actor, units=units, name=LIVE_WAVE_NAME, go_live_date=monday)


def _support_team(wave: RolloutWave, actor: User | None) -> Team:
    """The wave's programme's change managers and the champions of units in
    the wave (the demo's lead and champion, where they exist)."""
    paths = list(wave.units.values_list("path", flat=True))
    champions = User.objects.filter(role=Role.CHAMPION, is_active=True).filter(
        Q(units__in=Unit.objects.filter(subtree_q(paths))) | Q(units__in=[u for p in paths for u in _ancestors(p)]))
    managers = User.objects.filter(role=Role.CHANGE_MANAGER, is_active=True, programmes=wave.programme_id)
    members = list((managers | champions).distinct().order_by("pk"))
    name = f"{TEAM_PREFIX}{wave.programme.code} {wave.name}"[:120]
    return team_save(name=name, actor=actor, members=members,
                     description=f"Works the hypercare queries of {wave.programme.code} {wave.name} (seeded).")


def _ancestors(path: str) -> list[Unit]:
    return list(Unit.objects.filter(path__in=[path[:end] for end in range(Unit.steplen, len(path), Unit.steplen)]))


def _open_period(wave: RolloutWave, actor: User | None, today: dt.date) -> Period:
    return period_create(rollout_wave=wave, actor=actor, support_team=_support_team(wave, actor))


def _decider(period: Period, actor: User | None) -> User | None:
    """Who records the exit: the programme's change lead, else one of its
    change managers, else a Board member, else the seed's actor."""
    programme = period.rollout_wave.programme
    candidates = [programme.change_lead, actor,
                  *User.objects.filter(role=Role.CHANGE_MANAGER, is_active=True, programmes=programme).order_by("pk")[:3],
                  *User.objects.filter(role=Role.BOARD, is_active=True).order_by("pk")[:1]]
    return next((u for u in candidates if u is not None and u.is_active and can_decide(u, period)), None)


EXIT_REASON = ("Every exit criterion checked on the dashboard: no open P1, the P1/P2 SLA held over the last two weeks, "
               "new queries down to a trickle. The remaining queries go to business-as-usual support.")


def close_finished(periods: list[Period], actor: User | None, today: dt.date, now: dt.datetime) -> int:
    """The periods whose planned end has passed: an exit decision through
    the service (its snapshot frozen from the seeded queries); a period
    nobody may decide on (no demo accounts) is marked exited directly."""
    decided = 0
    for period in periods:
        if period.ends_on >= today:
            continue
        decider = _decider(period, actor)
        if decider is None:
            Period.objects.filter(pk=period.pk).update(status=Period.Status.EXITED)  # no one to decide: history, as the services would leave it
            continue
        exit_decide(period=period, decision=ExitDecision.Decision.EXIT, reason=EXIT_REASON, new_end=None, actor=decider, at=now)
        decided += 1
    return decided


def _wave_staff(wave: RolloutWave) -> Any:
    paths = list(wave.units.values_list("path", flat=True))
    return Staff.objects.filter(unit__in=Unit.objects.filter(subtree_q(paths)), leave_date__isnull=True)


SUPPORT_CRITERION = "Fewer than 3 open training-gap queries per 100 staff in the units already live"


def support_criterion(period: Period, actor: User | None, today: dt.date) -> Criterion | None:
    """A readiness criterion fed from the training gaps, for the wave after
    the live period's (unless the programme has a support-fed one already)."""
    wave = period.rollout_wave
    programme = wave.programme
    if Criterion.objects.filter(programme=programme, feed=Criterion.Feed.SUPPORT).exists():
        return None
    later = list(programme.waves.filter(go_live_date__gt=max(wave.go_live_date, today)).order_by("go_live_date", "pk"))
    if not later:
        return None
    # The next wave for the same jobs: the first later one with staff in the roles of the live wave's staff.
    roles = set(_wave_staff(wave).exclude(role="").values_list("role", flat=True).distinct().order_by())
    following = next((w for w in later if _wave_staff(w).filter(role__in=roles).exists()), later[0])
    return criterion_save(
        programme=programme, actor=actor, rollout_wave=following, category=Criterion.Category.SUPPORT, title=SUPPORT_CRITERION,
        description=(f"Training gaps found in hypercare for {wave.name}: the units going live in {following.name} should not "
                     "expect the same questions. Fed from the hypercare queries of the waves already live."),
        criticality=Criticality.HIGH, owner=programme.change_lead, measure="Open training-gap queries per 100 staff",
        feed=Criterion.Feed.SUPPORT, threshold=3, due_date=following.go_live_date - dt.timedelta(days=7))


# --------------------------------------------------------------------------
# Queries and their histories


@dataclass
class _Person:
    unit_id: int
    role: str
    name: str
    email: str


class _Builder:
    def __init__(self, rng: random.Random, now: dt.datetime) -> None:
        self.rng = rng
        self.now = now
        self.clock = WorkingClock()
        self.references: set[str] = set(Query.objects.values_list("reference", flat=True))
        self.queries: list[Query] = []
        self.events: list[list[QueryEvent]] = []

    def reference(self) -> str:
        while True:
            ref = "HC-" + "".join(self.rng.choice(REF_ALPHABET) for _ in range(8))
            if ref not in self.references:
                self.references.add(ref)
                return ref

    def title(self, code: str) -> tuple[str, str]:
        title, tags = self.rng.choice(TITLES[code])
        roll = self.rng.random()
        if roll < 0.1:
            title = title.lower()
        elif roll < 0.2:
            title = title.rstrip("?.") + ("." if title.endswith("?") else "?")
        return title, tags

    def created_at(self, day: dt.date) -> dt.datetime:
        """A time that day, mostly in office hours; today, a time before now."""
        hour = self.rng.choices(range(6, 23), weights=[1, 3, 8, 10, 10, 9, 8, 9, 9, 8, 7, 4, 3, 2, 2, 1, 1])[0]
        at = dt.datetime.combine(day, dt.time(hour, self.rng.randrange(60), self.rng.randrange(60)), LONDON).astimezone(UTC)
        if at > self.now:
            midnight = dt.datetime.combine(day, dt.time(0), LONDON).astimezone(UTC)
            at = midnight + (self.now - midnight) * self.rng.random()
        return at

    def add(self, period: Period, day: dt.date, person: _Person, categories: dict[str, Any], members: list[User], day_index: int) -> None:
        rng = self.rng
        weights = dict(CATEGORY_WEIGHTS)
        if day_index < 10:
            weights["training_gap"] += 15  # the first days are mostly "how do I"
        code = _pick(rng, {c: w for c, w in weights.items() if c in categories})
        priority = _pick(rng, PRIORITY_WEIGHTS)
        source = _pick(rng, SOURCE_WEIGHTS)
        title, tags = self.title(code)
        created = self.created_at(day)
        query = Query(period=period, reference=self.reference(), unit_id=person.unit_id, role=person.role, contact_name=person.name,
                      contact_email=person.email, category=categories[code], priority=priority, title=title,
                      description=f"{title} Raised on day {day_index} of hypercare.", source=source,
                      external_ref=f"INC{rng.randrange(10**6, 10**7)}" if source == Query.Source.IMPORT else "", tags=tags,
                      created_at=created)
        events = self.history(query, members)
        self.queries.append(query)
        self.events.append(events)

    def history(self, query: Query, members: list[User]) -> list[QueryEvent]:
        """The query's life as the services would record it, cut at now."""
        rng, clock = self.rng, self.clock
        response_target, resolution_target = DEFAULT_SLA[query.priority]
        assignee = rng.choice(members) if members else None
        plan: list[tuple[dt.datetime, str, str, str, str, bool]] = []  # at, kind, from, to, text, to_requester

        def late(target: int, share_breached: float) -> float:
            return target * (rng.uniform(1.05, 2.5) if rng.random() < share_breached else rng.uniform(0.05, 0.85))

        status = Query.Status.NEW
        at = clock.add(query.created_at, late(response_target, 0.08))
        if assignee is not None:
            plan += [(at, "status", status, "assigned", "", False), (at, "assigned", "", str(assignee.pk), "", False)]
            status = Query.Status.ASSIGNED
            at = clock.add(at, rng.uniform(30, 900))
        plan.append((at, "status", status, "in_progress", "", False))
        status = Query.Status.IN_PROGRESS
        work = late(resolution_target, 0.1)
        if rng.random() < 0.15:  # waiting on the requester: the resolution clock pauses
            at = clock.add(at, work * rng.uniform(0.1, 0.4))
            plan.append((at, "status", status, "waiting", WAITING_TEXT, True))
            at = clock.next_start(at + dt.timedelta(hours=rng.uniform(4, 60)))
            plan += [(at, "comment", "", "", REPLY_TEXT, False), (at, "status", "waiting", "in_progress", "", False)]
        at = clock.add(at, work * rng.uniform(0.5, 0.9))
        plan.append((at, "status", status, "resolved", RESOLVED_TEXT, True))
        status = Query.Status.RESOLVED
        if rng.random() < 0.05:  # reopened by the requester, then resolved again
            at = at + dt.timedelta(hours=rng.uniform(2, 72))
            plan.append((at, "status", status, "reopened", "", False))
            at = clock.add(at, late(resolution_target, 0.2) * 0.3)
            plan += [(at, "status", "reopened", "in_progress", "", False)]
            at = clock.add(at, rng.uniform(30, 300))
            plan.append((at, "status", "in_progress", "resolved", RESOLVED_TEXT, True))
        at = clock.add(at + dt.timedelta(days=rng.uniform(3, 10)), rng.uniform(10, 120))
        plan.append((at, "status", "resolved", "closed", "", False))

        actor_id = assignee.pk if assignee is not None else None
        events = [QueryEvent(at=query.created_at, kind="created", to_value="new")]
        query.status = Query.Status.NEW
        for when, kind, from_value, to_value, text, to_requester in plan:
            if when > self.now:
                break
            events.append(QueryEvent(at=when, actor_id=actor_id, kind=kind, from_value=from_value, to_value=to_value, text=text,
                                     to_requester=to_requester))
            if kind != "status":
                continue
            if query.first_response_at is None and (from_value == "new" or to_requester):
                query.first_response_at = when
            query.status = to_value
            if to_value == "resolved":
                query.resolved_at = when
            elif to_value == "reopened":
                query.resolved_at = None
            elif to_value == "closed":
                query.closed_at = when
        query.assignee_id = actor_id if len(events) > 1 else None
        return events

    def write(self) -> tuple[int, int]:
        Query.objects.bulk_create(self.queries, batch_size=BATCH)
        rows: list[QueryEvent] = []
        for query, events in zip(self.queries, self.events, strict=True):
            for event in events:
                event.query_id = query.pk
                rows.append(event)
        QueryEvent.objects.bulk_create(rows, batch_size=BATCH)
        count = (len(self.queries), len(rows))
        self.queries, self.events = [], []
        return count


def _people(wave: RolloutWave) -> list[_Person]:
    paths = list(wave.units.values_list("path", flat=True))
    rows = (Staff.objects.filter(unit__in=Unit.objects.filter(subtree_q(paths)), leave_date__isnull=True)
            .order_by("pk").values_list("unit_id", "role", "first_name", "last_name", "email"))
    people = [_Person(unit_id, role, f"{first} {last}", email) for unit_id, role, first, last, email in rows]
    if not people:  # a wave with no staff on record: its units themselves
        people = [_Person(u.pk, "", "", "") for u in wave.units.order_by("path")]
    return people


def _weights(period: Period) -> tuple[list[dt.date], list[float]]:
    days = (period.ends_on - period.starts_on).days + 1
    dates = [period.starts_on + dt.timedelta(days=d) for d in range(days)]
    return dates, [w * (0.3 if date.isoweekday() > 5 else 1.0) for w, date in zip(day_weights(days), dates, strict=True)]


def _ran_share(period: Period, today: dt.date) -> float:
    """The share of its whole curve a period has run through by today."""
    dates, weights = _weights(period)
    return sum(w for w, date in zip(weights, dates, strict=True) if date <= today) / sum(weights)


def _queries_for(builder: _Builder, planned: PlannedPeriod, today: dt.date) -> None:
    """`planned.total` queries over the days from go-live to today, by the curve."""
    period = planned.period
    dates, weights = _weights(period)
    ran = [(date, w) for date, w in zip(dates, weights, strict=True) if date <= today]
    counts = _split(planned.total, [w for _, w in ran])
    people = _people(period.rollout_wave)
    categories = {c.code: c for c in period.categories.all()}
    members = list(period.support_team.members.order_by("pk")) if period.support_team else []
    for index, ((date, _), count) in enumerate(zip(ran, counts, strict=True)):
        for _ in range(count):
            builder.add(period, date, builder.rng.choice(people), categories, members, index)


# --------------------------------------------------------------------------
# Entry points


def met_total(staff: int) -> int:
    """The met set's queries for a force of `staff` people: 50,000 for 45,000."""
    return round(MET_TOTAL * staff / MET_STAFF)


def clear_hypercare_data() -> dict[str, int]:
    """Delete every hypercare period (with its queries, events, categories,
    targets, criteria and decisions) and the seeded support teams."""
    counts = {"hypercare_periods": Period.objects.count(), "hypercare_queries": Query.objects.count()}
    QueryEvent.objects.all().delete()
    Query.objects.all().delete()
    Period.objects.all().delete()
    Team.objects.filter(name__startswith=TEAM_PREFIX).delete()
    return counts


def seed_hypercare(*, scale: str, seed: int, actor: User | None = None, today: dt.date | None = None, now: dt.datetime | None = None,
                   total: int | None = None) -> dict[str, int]:
    """Hypercare periods and queries for `scale` (see the module docstring).
    `total` overrides the met total (and, for demo and tiny, the queries
    of a whole period)."""
    now = now or dt.datetime.now(UTC)
    today = today or now.astimezone(LONDON).date()
    rng = random.Random(f"hypercare:{seed}")
    planned: list[PlannedPeriod] = []
    if scale == "met":
        live = live_wave(today, actor)
        waves = _past_waves(today)
        if live is not None and live not in waves:
            waves.append(live)
        periods = [_open_period(w, actor, today) for w in waves]
        # Each period's share: the part of its curve it has run through.
        counts = _split(total or MET_TOTAL, [_ran_share(p, today) for p in periods])
        planned = [PlannedPeriod(p, n) for p, n in zip(periods, counts, strict=True)]
    else:
        per_period = total or PER_PERIOD.get(scale, PER_PERIOD["demo"])
        finished = finished_wave(today)
        live = live_wave(today, actor)
        for wave in (finished, live):
            if wave is not None and all(p.period.rollout_wave_id != wave.pk for p in planned):
                period = _open_period(wave, actor, today)
                planned.append(PlannedPeriod(period, round(per_period * _ran_share(period, today))))
    builder = _Builder(rng, now)
    queries = events = 0
    for item in planned:
        _queries_for(builder, item, today)
        q, e = builder.write()
        queries += q
        events += e
    decisions = close_finished([item.period for item in planned], actor, today, now)
    live_period = next((item.period for item in planned if live is not None and item.period.rollout_wave_id == live.pk), None)
    criteria = 1 if live_period is not None and support_criterion(live_period, actor, today) is not None else 0
    feedback = feedback_refresh(now)
    return {"hypercare_periods": len(planned), "hypercare_queries": queries, "hypercare_events": events,
            "hypercare_exit_decisions": decisions, "hypercare_support_criteria": criteria, "training_gap_spikes": feedback["spikes"]}
