"""Back into readiness: training-gap queries counted per unit and role, the
"support" feed of readiness criteria, the training gaps of earlier waves
on a later wave's review, and spikes raising actions.

Readiness sits below hypercare, so hypercare registers its functions with
`readiness.feeds` in `HypercareConfig.ready()`; readiness never imports it.

The feed (decided for issue 12, see docs/decisions.md): for each unit going
live in the criterion's wave (or, for a programme-wide criterion, the
unit's first wave of the programme), the units ALREADY live are those of
the programme's earlier waves whose go-live date has passed. The figure is
the open training-gap queries raised in those waves' hypercare periods by
staff in the roles found in the unit going live, per 100 current staff in
those roles in the units already live. Green below the criterion's rate
(e.g. fewer than 3 per 100), amber from the rate to one above it, red
beyond. Not enough data when no earlier wave is live, when the unit has
nobody in post, or when nobody in the live units holds its roles.

A spike: at least `period.spike_queries` training-gap queries from one unit
within `period.spike_days` days (defaults 5 in 3). It raises ONE readiness
action (source "hypercare", about the unit, owned by the programme's change
lead) and tells the unit's champions and the change lead through the
outbox. A later spike for the unit counts only queries raised after the
previous one was found (`TrainingGapSpike.found_at`), so one burst never
raises two actions, however often it is checked. Checked after a
training-gap query is raised (on commit) and in the periodic pass
(`hypercare_tick`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.tasks import task
from django.utils import timezone

from changeboard.accounts.models import Role, User
from changeboard.core import audit
from changeboard.core.outbox import outbox_add
from changeboard.core.scoping import subtree_q
from changeboard.organisation.models import Staff, Unit
from changeboard.portfolio.models import RolloutWave
from changeboard.readiness.models import Action, Criterion, Rag, Review
from changeboard.readiness.services.actions import action_create
from changeboard.readiness.services.criteria import criteria_evaluate_fed

from ..models import Period, Query, TrainingGapSpike

logger = logging.getLogger(__name__)

AMBER_BAND = Decimal(1)  # per 100 staff above the rate: amber
SPIKE_ACTION_DAYS = 7  # the spike action is due a week after it is raised
TOP_TITLES = 3
MAX_REVIEW_ROWS = 30


def training_gap_queries(periods: QuerySet[Period] | None = None) -> QuerySet[Query]:
    queries = Query.objects.filter(category__is_training_gap=True)
    return queries.filter(period__in=periods) if periods is not None else queries


def training_gaps_by_unit_role(periods: QuerySet[Period]) -> list[dict[str, Any]]:
    """Training-gap queries per (unit, role) of these periods: raised and
    still open, most open first."""
    rows = (training_gap_queries(periods).values("unit_id", "unit__name", "role")
            .annotate(total=Count("pk"), open=Count("pk", filter=Q(status__in=Query.OPEN_STATUSES)))
            .order_by("-open", "-total", "unit__name", "role"))
    return [{"unit_id": r["unit_id"], "unit": r["unit__name"], "role": r["role"], "open": r["open"], "total": r["total"]} for r in rows]


# ---------------------------------------------------------------- the readiness feed


def _roles_by_unit(units: list[Unit], today: dt.date) -> dict[int, set[str]]:
    """The job roles of current staff at or below each unit (one query)."""
    by_path = {u.path: u.pk for u in units}
    roles: dict[int, set[str]] = {u.pk: set() for u in units}
    if not by_path:
        return roles
    rows = (Staff.objects.current(today).filter(subtree_q(list(by_path), "unit__path")).exclude(role="")
            .values_list("unit__path", "role").distinct().order_by())
    for path, role in rows:
        for end in range(Unit.steplen, len(path) + 1, Unit.steplen):
            pk = by_path.get(path[:end])
            if pk is not None:
                roles[pk].add(role)
    return roles


def _live_waves(programme_id: int, go_live: dt.date, today: dt.date) -> list[RolloutWave]:
    """The programme's waves before `go_live` that have gone live by today."""
    return list(RolloutWave.objects.filter(programme_id=programme_id, go_live_date__lt=go_live, go_live_date__lte=today))


def _live_figures(waves: list[RolloutWave], today: dt.date) -> tuple[Counter[str], Counter[str]]:
    """(open training-gap queries by role in these waves' hypercare, current staff by role in their units)."""
    wave_ids = [w.pk for w in waves]
    open_by_role: Counter[str] = Counter(dict(
        training_gap_queries().filter(period__rollout_wave_id__in=wave_ids, status__in=Query.OPEN_STATUSES)
        .values_list("role").annotate(n=Count("pk")).values_list("role", "n").order_by()))
    paths = list(Unit.objects.filter(rollout_waves__in=wave_ids).values_list("path", flat=True).distinct())
    staff_by_role: Counter[str] = Counter(dict(
        Staff.objects.current(today).filter(subtree_q(paths, "unit__path")).values_list("role").annotate(n=Count("pk"))
        .values_list("role", "n").order_by())) if paths else Counter()
    return open_by_role, staff_by_role


def support_results(criterion: Criterion, units: list[Unit], today: dt.date) -> dict[int, tuple[str, str, dt.date | None]]:
    """Each unit's (RAG, value, as of) for a support-fed criterion (see the module docstring)."""
    rate = Decimal(criterion.threshold) if criterion.threshold is not None else Decimal(3)
    roles = _roles_by_unit(units, today)
    go_lives: dict[int, dt.date] = {}
    if criterion.rollout_wave_id is not None:
        go_lives = {u.pk: criterion.rollout_wave.go_live_date for u in units}  # type: ignore[union-attr]  # rollout_wave_id is set
    else:
        firsts = (RolloutWave.objects.filter(programme_id=criterion.programme_id, units__in=[u.pk for u in units])
                  .values_list("units", "go_live_date").order_by("go_live_date"))
        for unit_id, go_live in firsts:
            go_lives.setdefault(unit_id, go_live)
    figures: dict[dt.date, tuple[bool, Counter[str], Counter[str]]] = {}
    results: dict[int, tuple[str, str, dt.date | None]] = {}
    for unit in units:
        found = go_lives.get(unit.pk)
        if found is None:
            results[unit.pk] = (Rag.NO_DATA, "Not in a rollout wave", today)
            continue
        go_live = found
        if go_live not in figures:
            waves = _live_waves(criterion.programme_id, go_live, today)
            figures[go_live] = (bool(waves), *_live_figures(waves, today)) if waves else (False, Counter(), Counter())
        any_live, open_by_role, staff_by_role = figures[go_live]
        unit_roles = roles.get(unit.pk, set())
        if not any_live:
            results[unit.pk] = (Rag.NO_DATA, "No earlier wave live yet", today)
            continue
        if not unit_roles:
            results[unit.pk] = (Rag.NO_DATA, "No staff in post", today)
            continue
        staff = sum(staff_by_role[r] for r in unit_roles)
        if not staff:
            results[unit.pk] = (Rag.NO_DATA, "No one in these roles live yet", today)
            continue
        gaps = sum(open_by_role[r] for r in unit_roles)
        per_100 = Decimal(gaps * 100) / Decimal(staff)
        rag = Rag.GREEN if per_100 < rate else Rag.AMBER if per_100 <= rate + AMBER_BAND else Rag.RED
        results[unit.pk] = (rag, f"{per_100.quantize(Decimal('0.1'))} per 100 ({gaps} open, {staff} staff)", today)
    return results


def review_training_gaps(review: Review) -> list[dict[str, Any]]:
    """Training gaps found in the programme's earlier waves for the roles of
    the review's wave: per earlier wave and role, open and raised, with the
    most frequent titles (JSON-ready: a decided review freezes them)."""
    wave = review.rollout_wave
    today = timezone.localdate()
    units = list(wave.units.all())
    roles = set().union(*_roles_by_unit(units, today).values()) if units else set()
    earlier = RolloutWave.objects.filter(programme_id=wave.programme_id, go_live_date__lt=wave.go_live_date)
    if not roles:
        return []
    queries = training_gap_queries().filter(period__rollout_wave__in=earlier, role__in=roles)
    rows = list(queries.values("period__rollout_wave__name", "period__rollout_wave__go_live_date", "role")
                .annotate(total=Count("pk"), open=Count("pk", filter=Q(status__in=Query.OPEN_STATUSES)))
                .order_by("-open", "-total", "period__rollout_wave__go_live_date", "role")[:MAX_REVIEW_ROWS])
    titles: dict[tuple[str, str], list[str]] = defaultdict(list)
    for name, role, title, _ in (queries.values_list("period__rollout_wave__name", "role", "title").annotate(n=Count("pk"))
                                 .order_by("-n", "title")):
        if len(titles[(name, role)]) < TOP_TITLES:
            titles[(name, role)].append(title)
    return [{"source": f"{r['period__rollout_wave__name']} (live {r['period__rollout_wave__go_live_date']:%d %b %Y})",
             "role": r["role"], "open": r["open"], "total": r["total"],
             "titles": titles[(r["period__rollout_wave__name"], r["role"])]} for r in rows]


# ---------------------------------------------------------------- spikes


def _champions(unit: Unit) -> list[User]:
    """Active champions looking after the unit or a unit above it."""
    step = Unit.steplen
    above = [unit.path[:end] for end in range(step, len(unit.path) + 1, step)]
    return list(User.objects.filter(role=Role.CHAMPION, is_active=True, units__path__in=above).distinct().order_by("pk"))


@transaction.atomic
def spike_check(*, period: Period, unit: Unit, now: dt.datetime | None = None, actor: User | None = None) -> TrainingGapSpike | None:
    """Raise the unit's spike action if its training-gap queries make a new
    spike (see the module docstring); None when they do not."""
    now = now or timezone.now()
    period = Period.objects.select_for_update(of=("self",)).select_related("rollout_wave__programme__change_lead").get(pk=period.pk)
    since = now - dt.timedelta(days=period.spike_days)
    last = TrainingGapSpike.objects.filter(period=period, unit=unit).order_by("-found_at").first()
    window = training_gap_queries().filter(period=period, unit=unit, created_at__gt=since, created_at__lte=now)
    if last is not None:
        window = window.filter(created_at__gt=last.found_at)
    times = sorted(window.values_list("created_at", flat=True))
    if len(times) < period.spike_queries:
        return None
    programme = period.rollout_wave.programme
    lead = programme.change_lead if programme.change_lead is not None and programme.change_lead.is_active else None
    spike = TrainingGapSpike.objects.create(period=period, unit=unit, first_at=times[0], found_at=now, queries=len(times))
    action = action_create(
        programme=programme, unit=unit, source=Action.Source.HYPERCARE, owner=lead, actor=actor,
        due_date=timezone.localdate() + dt.timedelta(days=SPIKE_ACTION_DAYS),
        title=f"Training-gap spike in {unit.name}: {len(times)} queries in {period.spike_days} day{'s' if period.spike_days != 1 else ''}"[:200],
        description=(f"{len(times)} training-gap queries were raised from {unit.name} in the hypercare of {period.rollout_wave.name} "
                     f"between {timezone.localtime(times[0]):%d %b %Y %H:%M %Z} and {timezone.localtime(times[-1]):%d %b %Y %H:%M %Z}. "
                     "Look at what they ask and arrange the training or guidance the unit is missing."))
    spike.action = action
    spike.save(update_fields=["action"])
    audit.record(actor=actor, action="create", obj=spike, after=audit.snapshot(spike))
    people = {u.pk: u for u in [*_champions(unit), *([lead] if lead else [])] if u.email}
    for person in people.values():
        outbox_add(key=f"hypercare-spike-{spike.pk}-{person.pk}", kind="hypercare-spike", to_address=person.email,
                   subject=f"Training-gap spike in {unit.name}",
                   body=f"{action.description}\n\nAn action has been raised on the action log, due {action.due_date:%d %B %Y}.")
    return spike


def spike_check_query(query_id: int) -> TrainingGapSpike | None:
    """After a query is raised or recategorised (on commit): check its unit
    if it is a training gap. A failure is logged, never raised: the query
    is saved already, and the periodic pass checks again."""
    try:
        query = Query.objects.filter(pk=query_id, category__is_training_gap=True).select_related("period", "unit").first()
        if query is None or query.period.status == Period.Status.EXITED:
            return None
        # Most raises are nowhere near a spike: count first, without a lock.
        # A spike found meanwhile only moves `found_at` later, so this counts
        # at least what `spike_check` would: it never misses one.
        since = timezone.now() - dt.timedelta(days=query.period.spike_days)
        last = TrainingGapSpike.objects.filter(period=query.period, unit=query.unit).order_by("-found_at").values_list("found_at", flat=True).first()
        window = training_gap_queries().filter(period=query.period, unit=query.unit, created_at__gt=max(since, last) if last else since)
        if window.count() < query.period.spike_queries:
            return None
        return spike_check(period=query.period, unit=query.unit)
    except Exception:
        logger.exception("Checking for a training-gap spike failed after query %s", query_id)
        return None


def spike_check_on_commit(query: Query) -> None:
    """Called by the query services when a training-gap query is raised or recategorised."""
    query_id = query.pk
    transaction.on_commit(lambda: spike_check_query(query_id))


def spikes_scan(now: dt.datetime | None = None) -> list[TrainingGapSpike]:
    """The periodic pass: every unit of a period not exited with enough
    training-gap queries in the period's spike window."""
    now = now or timezone.now()
    found = []
    for period in Period.objects.exclude(status=Period.Status.EXITED):
        since = now - dt.timedelta(days=period.spike_days)
        busy = (training_gap_queries().filter(period=period, created_at__gt=since, created_at__lte=now).values("unit_id")
                .annotate(n=Count("pk")).filter(n__gte=period.spike_queries).values_list("unit_id", flat=True).order_by())
        for unit in Unit.objects.filter(pk__in=list(busy)).order_by("path"):
            spike = spike_check(period=period, unit=unit, now=now)
            if spike is not None:
                found.append(spike)
    return found


def feedback_refresh(now: dt.datetime | None = None) -> dict[str, int]:
    """Spikes, then the support-fed readiness criteria evaluated again."""
    spikes = spikes_scan(now)
    criteria = criteria_evaluate_fed(Criterion.Feed.SUPPORT)
    return {"spikes": len(spikes), "criteria": criteria}


@task
def hypercare_tick() -> dict[str, int]:
    """The periodic pass (queue it from `run_scheduler`)."""
    return feedback_refresh()
