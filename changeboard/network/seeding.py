"""The champion network for the demo and met seeds (called by
`devtools.seeding` last, after the impacts, demo accounts and every other
app's seed; imports nothing above network).

**Demo** (`seed_network(scale="demo")`, about 120 champions), written
through the pool's services (`services.champions`): each champion is
nominated by the change manager of their first programme (the demo's `lead`
and `lead2`, else the system), asked by further programmes
(`support_set`), and accepts as themselves (their account is found or made
from the HR record's email). A few nominations are still waiting and a few
were declined. The champions are spread over every programme's impacted
people, one per site and shift first (largest first), then more where the
target ratio asks for it, with some people asked by two or three programmes.
Deliberately:

- **The custody night-shift gap.** `CUSTODY_PROGRAMME` (Rostering) goes live
  at Met Detention `GO_LIVE_WEEKS_AHEAD` weeks after `today`
  (`custody_go_live`; `devtools.seeding` dates that wave so). It has a
  champion on every custody site and shift except the night shift at the
  second custody suite (`night_gap_suite`), where one champion of another
  programme with spare hours works, so the gap's suggestions start with a
  pool member.
- **A whole custody suite uncovered** (`uncovered_suite`, the third): no
  champion of any programme works there or looks after it.
- **Over-committed people** (`OVER_COMMITTED`): asked by three programmes for
  more hours than they agreed.
- **The demo champion** (the `champion` demo account, whose HR record
  `devtools.seeding` places in Westminster): an active champion for Case
  Management (nominated by `lead`) and Digital Evidence, looking after
  Westminster, with floor-walks, briefings and planned activities and two
  themes heard on the floor.

Activities and themes are written with `bulk_create` (their services belong
to the activities and themes parts, written alongside this seed). The
nomination emails the services queue are removed at the end: the
nominations are history, not news.

**Met** (`scale="met"`, about 1,800 champions over 12 programmes) is written
with `bulk_create` throughout: through the services it would take minutes
(an account, scope sync, audit rows and an email per nomination). Met
champions have no accounts (nobody signs in as them; the benchmark signs in
as a change manager and a Board member). The same planner spreads them, so
the met pool has the same shape: shared and over-committed people, a few
nominations waiting.

Everything follows from the seed and `today`: two seeds on the same day give
the same rows.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Max

from changeboard.accounts.models import Role, User
from changeboard.core.models import OutboxMessage
from changeboard.engagement.services.audience import impacted_q, in_post
from changeboard.organisation.models import Staff, Unit
from changeboard.portfolio.models import Programme
from changeboard.surveys.models import RoleGroup

from .models import Activity, Champion, CoverageTarget, Support, Thanks, Theme
from .services import champions as pool

CUSTODY_PROGRAMME = "ROTA"  # Rostering and Duty Management: its first wave is Met Detention
CUSTODY_COMMAND = "Met Detention"
CUSTODY_SUITE_PREFIX = "Custody Suite "
DAY_SHIFT = "Custody days, 12-hour"
NIGHT_SHIFT = "Custody nights, 12-hour"
GO_LIVE_WEEKS_AHEAD = 3
GAP_SPARE_PROGRAMME = "CUST"  # the night-gap champion of another programme
DEMO_PROGRAMMES = ("CMS", "DEMS")  # the demo champion's
TARGET_RATIO = 25  # the policy's default; the seed does not write the policy
CHAMPIONS = {"demo": 120, "met": 1800, "tiny": 12}
SHARE = {"met": 1.5}  # programme asks per champion, roughly (the rest of the planned asks go to people already asked)
SHARE_DEFAULT = 1.35
MAX_PROGRAMMES = 3
OVER_COMMITTED = {"demo": 4, "met": 36, "tiny": 1}
WAITING = {"demo": 6, "met": 40, "tiny": 1}
DECLINED = {"demo": 3, "met": 20, "tiny": 0}
BATCH = 2000

Cell = tuple[str, str]  # (location, shift pattern)

ACTIVITY_NOTES = {
    Activity.Kind.BRIEFING: ("Ten-minute slot at the start of the shift briefing.", "Walked the team through what changes and when."),
    Activity.Kind.FLOOR_WALK: ("Floor-walk on the early turn; questions on logging in.", "Floor-walk with the quick reference guide."),
    Activity.Kind.DROP_IN: ("Drop-in in the canteen over lunch.", "Drop-in session in the report-writing room."),
    Activity.Kind.DEMO: ("Showed the new screens on the training laptop.", "Demo of the new process to the team."),
    Activity.Kind.QA: ("Q&A after the team meeting.", "Answered questions collected over the week."),
    Activity.Kind.SURVEY: ("Reminded the team to answer the readiness survey.", "Survey reminder at briefing."),
}
ACTIVITY_WEIGHTS = {Activity.Kind.BRIEFING: 4, Activity.Kind.FLOOR_WALK: 4, Activity.Kind.DROP_IN: 2, Activity.Kind.DEMO: 2,
                    Activity.Kind.QA: 2, Activity.Kind.SURVEY: 1}
THEME_TEXTS = {
    Theme.Category.TRAINING: ("Night shifts cannot get to the classroom sessions; they ask for a session at 22:00.",
                              "The e-learning does not cover the cases we actually see."),
    Theme.Category.PROCESS: ("Unclear who signs off the new form while the old one is still in use.",
                             "Double keying during the transition is the main worry."),
    Theme.Category.TECHNOLOGY: ("Older laptops in the report-writing room are slow with the new system.",
                                "Single sign-on fails on the shared terminals."),
    Theme.Category.COMMS: ("People heard the go-live date from another team first.", "The briefing pack is too long to read on shift."),
    Theme.Category.WORKLOAD: ("Abstraction for training lands on the busiest weekend.", "Supervisors worry about the first week's workload."),
    Theme.Category.MORALE: ("Good feeling about the change once people saw the demo.", "Tired of changes arriving at once."),
    Theme.Category.OTHER: ("Asked whether the old records stay searchable.",),
}


def custody_go_live(today: dt.date) -> dt.date:
    """The Monday of the week `GO_LIVE_WEEKS_AHEAD` weeks after `today`."""
    return today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=GO_LIVE_WEEKS_AHEAD)


def custody_suites() -> list[Unit]:
    return list(Unit.objects.filter(name__startswith=CUSTODY_SUITE_PREFIX, level=Unit.Level.TEAM).order_by("path"))


def night_gap_suite() -> Unit | None:
    """The custody suite whose night shift has no Rostering champion (the second, or the only one)."""
    suites = custody_suites()
    return suites[1] if len(suites) > 1 else (suites[0] if suites else None)


def uncovered_suite() -> Unit | None:
    """The custody suite with no champion at all (the third; none in a force with fewer)."""
    suites = custody_suites()
    return suites[2] if len(suites) > 2 else None


def suite_location(suite: Unit) -> str:
    return Staff.objects.filter(unit=suite).order_by("pk").values_list("location", flat=True).first() or ""


# --------------------------------------------------------------------------
# Clearing


def clear_network_data() -> dict[str, int]:
    """Delete the pool (supports, activities, themes, thanks), the programmes'
    own targets, the accounts the nominations made (`champion-<staff
    number>`, not demo accounts) and the network's emails. The policy stays."""
    counts = {"champions": Champion.objects.count()}
    made = [user_id for user_id, username, number in Champion.objects.filter(user__is_demo=False, user__role=Role.CHAMPION)
            .values_list("user_id", "user__username", "staff__staff_number") if username == f"champion-{number}".lower()]
    Thanks.objects.all().delete()
    Theme.objects.all().delete()
    Activity.objects.all().delete()
    Support.objects.all().delete()
    Champion.units.through.objects.all().delete()
    Champion.objects.all().delete()
    CoverageTarget.objects.all().delete()
    User.objects.filter(pk__in=made).delete()
    OutboxMessage.objects.filter(kind="network").delete()
    return counts


# --------------------------------------------------------------------------
# The plan: who champions which programmes (the same for both scales)


@dataclass
class _Entry:
    staff_id: int
    cell: Cell
    unit_id: int
    asks: dict[int, Decimal] = field(default_factory=dict)  # programme id -> hours a month
    agreed: Decimal = Decimal(4)
    status: str = Champion.Status.ACTIVE
    units: list[int] = field(default_factory=list)
    start: dt.date | None = None


@dataclass
class _Plan:
    entries: dict[int, _Entry] = field(default_factory=dict)  # staff id -> entry
    by_cell: dict[Cell, list[_Entry]] = field(default_factory=lambda: defaultdict(list))

    def add(self, staff_id: int, cell: Cell, unit_id: int) -> _Entry:
        entry = _Entry(staff_id, cell, unit_id, units=[unit_id])
        self.entries[staff_id] = entry
        self.by_cell[cell].append(entry)
        return entry


People = dict[Cell, list[tuple[int, int]]]  # cell -> [(staff id, unit id)]


def _impacted(programmes: list[Programme], day: dt.date) -> dict[int, People]:
    out: dict[int, People] = {}
    for programme in programmes:
        cells: People = defaultdict(list)
        rows = in_post(day).filter(impacted_q(programme)).order_by("pk").values_list("pk", "location", "shift_pattern", "unit_id")
        for pk, location, shift, unit_id in rows:
            cells[(location, shift)].append((pk, unit_id))
        out[programme.pk] = cells
    return out


def _next_wave_cells(programmes: list[Programme], impacted: dict[int, People], day: dt.date) -> dict[int, set[Cell]]:
    """Each programme's site-and-shift cells in the units of its next wave
    to go live (champions are found ahead of a go-live)."""
    paths = dict(Unit.objects.values_list("pk", "path"))
    out: dict[int, set[Cell]] = {}
    for programme in programmes:
        wave = programme.waves.filter(go_live_date__gte=day).order_by("go_live_date", "pk").first()
        roots = tuple(wave.units.values_list("path", flat=True)) if wave is not None else ()
        out[programme.pk] = {cell for cell, people in impacted[programme.pk].items()
                             if roots and any(paths.get(unit, "").startswith(roots) for _, unit in people)}
    return out


def _ask(rng: random.Random) -> Decimal:
    return Decimal(rng.choice((1, 2, 2, 3)))


def _plan(programmes: list[Programme], impacted: dict[int, People], count: int, rng: random.Random,
          excluded: set[int], blocked: set[tuple[int, Cell]], soon: dict[int, set[Cell]], share: float) -> _Plan:
    """Spread about `count` champions over the programmes' site-and-shift
    cells: each programme gets a share of the asks by the champions its
    impacted people need at the target ratio (at least enough for the
    cells of its next wave); its cells are filled next wave first, then
    largest first, one champion each, more where the ratio asks; a champion already
    in the cell (asked by fewer than `MAX_PROGRAMMES`) is asked again about
    half the time, always once `count` people are in the pool."""
    plan = _Plan()
    need = {pid: sum(math.ceil(len(people) / TARGET_RATIO) for people in cells.values()) for pid, cells in impacted.items()}
    total = sum(need.values()) or 1
    budget_all = round(count * share)
    for programme in programmes:
        cells = impacted[programme.pk]
        first = soon.get(programme.pk, set())
        budget = max(1, len(first), round(budget_all * need[programme.pk] / total))
        factor = min(1.0, budget / max(1, need[programme.pk]))
        for cell in sorted(cells, key=lambda c: (c not in first, -len(cells[c]), c)):
            if budget <= 0:
                break
            if (programme.pk, cell) in blocked:
                continue
            people = [(pk, unit) for pk, unit in cells[cell] if pk not in excluded]
            if not people:
                continue
            needed = math.ceil(len(people) / TARGET_RATIO)
            want = min(budget, needed if cell in first else max(1, round(needed * factor)))
            for _ in range(want):
                here = [e for e in plan.by_cell.get(cell, ()) if programme.pk not in e.asks and len(e.asks) < MAX_PROGRAMMES]
                fresh = [(pk, unit) for pk, unit in people if pk not in plan.entries]
                if here and (len(plan.entries) >= count or not fresh or rng.random() < 0.5):
                    entry = rng.choice(here)
                elif fresh and (len(plan.entries) < count or cell in first):
                    pk, unit = rng.choice(fresh)
                    entry = plan.add(pk, cell, unit)
                else:
                    break
                entry.asks[programme.pk] = _ask(rng)
                budget -= 1
    for entry in plan.entries.values():
        entry.agreed = max(Decimal(4), sum(entry.asks.values(), Decimal(0)) + rng.choice((0, 0, 1, 2)))
    return plan


def _over_commit(plan: _Plan, impacted: dict[int, People], n: int, rng: random.Random, keep: set[int]) -> list[_Entry]:
    """Ask `n` champions for more than they agreed: three programmes (where
    three reach them) at three hours each against four agreed."""
    reach: dict[int, set[int]] = defaultdict(set)
    for pid, cells in impacted.items():
        for people in cells.values():
            for pk, _ in people:
                if pk in plan.entries:
                    reach[pk].add(pid)
    pool_ = sorted((e for e in plan.entries.values() if e.staff_id not in keep and len(reach[e.staff_id]) >= MAX_PROGRAMMES),
                   key=lambda e: (-len(e.asks), e.staff_id))
    chosen = pool_[:n * 3]
    rng.shuffle(chosen)
    out = []
    for entry in sorted(chosen[:n], key=lambda e: e.staff_id):
        for pid in sorted(reach[entry.staff_id]):
            if len(entry.asks) >= MAX_PROGRAMMES:
                break
            entry.asks.setdefault(pid, Decimal(3))
        for pid in entry.asks:
            entry.asks[pid] = Decimal(3)
        entry.agreed = Decimal(4)
        out.append(entry)
    return out


def _demo_story(plan: _Plan, programmes: dict[str, Programme], impacted: dict[int, People], rng: random.Random) -> set[int]:
    """The custody cells (see the module docstring). Returns the staff whose
    entries must stay as planned (no over-commitment, no waiting)."""
    keep: set[int] = set()
    rota, spare = programmes.get(CUSTODY_PROGRAMME), programmes.get(GAP_SPARE_PROGRAMME)
    gap = night_gap_suite()
    if rota is None or gap is None:
        return keep
    gap_cell = (suite_location(gap), NIGHT_SHIFT)
    closed = uncovered_suite()
    covered = [s for s in custody_suites() if closed is None or s.pk != closed.pk]
    cells = impacted[rota.pk]
    for suite in covered:
        location = suite_location(suite)
        for shift in (DAY_SHIFT, NIGHT_SHIFT):
            cell = (location, shift)
            if cell == gap_cell or cell not in cells:
                continue
            entries = [e for e in plan.by_cell.get(cell, ()) if rota.pk in e.asks]
            if not entries:
                here = [e for e in plan.by_cell.get(cell, ()) if len(e.asks) < MAX_PROGRAMMES]
                if here:
                    entry = here[0]
                else:
                    fresh = [(pk, unit) for pk, unit in cells[cell] if pk not in plan.entries and unit == suite.pk]
                    if not fresh:
                        continue
                    entry = plan.add(fresh[0][0], cell, fresh[0][1])
                entry.asks[rota.pk] = Decimal(2)
                entry.agreed = max(entry.agreed, sum(entry.asks.values(), Decimal(0)))
                entries = [entry]
            keep.update(e.staff_id for e in entries)
    # The night gap: a champion of another programme there, with hours to spare.
    at_gap = plan.by_cell.get(gap_cell, [])
    if not at_gap and spare is not None:
        fresh = [(pk, unit) for pk, unit in impacted[spare.pk].get(gap_cell, []) if pk not in plan.entries]
        if fresh:
            entry = plan.add(fresh[0][0], gap_cell, fresh[0][1])
            entry.asks[spare.pk] = Decimal(2)
            at_gap = [entry]
    for entry in at_gap:
        entry.agreed = max(Decimal(4), sum(entry.asks.values(), Decimal(0)) + 2)
        keep.add(entry.staff_id)
    return keep


def _statuses(plan: _Plan, scale: str, rng: random.Random, keep: set[int], today: dt.date) -> None:
    others = sorted(e.staff_id for e in plan.entries.values() if e.staff_id not in keep and e.agreed >= sum(e.asks.values()))
    rng.shuffle(others)
    waiting, declined = WAITING.get(scale, 0), DECLINED.get(scale, 0)
    for staff_id in others[:waiting]:
        plan.entries[staff_id].status = Champion.Status.NOMINATED
    for staff_id in others[waiting:waiting + declined]:
        plan.entries[staff_id].status = Champion.Status.DECLINED
    for entry in plan.entries.values():
        back = rng.randint(2, 14) if entry.status == Champion.Status.NOMINATED else rng.randint(30, 540)
        entry.start = today - dt.timedelta(days=back)


# --------------------------------------------------------------------------
# Writing


def _role_group(kind: str) -> str:
    return kind if kind in {RoleGroup.OFFICER, RoleGroup.STAFF, RoleGroup.OTHER} else ""


def _activities_and_themes(champions: list[Champion], today: dt.date, rng: random.Random, planners: dict[int, User | None],
                           per_champion: tuple[int, int], theme_share: float, demo: Champion | None = None) -> tuple[int, int]:
    """Done activities over the last three months and some planned ahead,
    and themes heard, for active champions."""
    kinds, weights = list(ACTIVITY_WEIGHTS), list(ACTIVITY_WEIGHTS.values())
    categories = list(THEME_TEXTS)
    asks: dict[int, list[int]] = defaultdict(list)
    for champion_id, programme_id in Support.objects.filter(champion__in=champions, active=True).order_by("programme__code", "pk") \
            .values_list("champion_id", "programme_id"):
        asks[champion_id].append(programme_id)
    staff = {s.pk: s for s in Staff.objects.filter(pk__in=[c.staff_id for c in champions]).select_related("rank_grade")}
    activities: list[Activity] = []
    themes: list[Theme] = []
    for champion in champions:
        programmes = asks.get(champion.pk)
        if champion.status != Champion.Status.ACTIVE or not programmes:
            continue
        person = staff[champion.staff_id]
        is_demo = demo is not None and champion.pk == demo.pk
        done = 6 if is_demo else rng.randint(*per_champion)
        for n in range(done):
            kind = Activity.Kind.FLOOR_WALK if is_demo and n < 2 else rng.choices(kinds, weights)[0]
            activities.append(Activity(
                champion=champion, programme_id=programmes[n % len(programmes)], kind=kind, status=Activity.Status.DONE,
                date=today - dt.timedelta(days=rng.randint(1, 90) if not is_demo else 3 + n * 9), unit_id=person.unit_id,
                people_reached=rng.randint(4, 30), minutes=rng.choice((15, 30, 30, 45, 60, 90)),
                notes=rng.choice(ACTIVITY_NOTES[kind]), created_by=champion.user))
        if is_demo or rng.random() < 0.3:
            for n in range(2 if is_demo else 1):
                programme_id = programmes[n % len(programmes)]
                kind = Activity.Kind.DROP_IN if is_demo and n == 0 else rng.choices(kinds, weights)[0]
                planner = planners.get(programme_id)
                activities.append(Activity(
                    champion=champion, programme_id=programme_id, kind=kind, status=Activity.Status.PLANNED,
                    date=today + dt.timedelta(days=rng.randint(3, 30) if not is_demo else 4 + n * 7), unit_id=person.unit_id,
                    people_reached=rng.randint(8, 25), minutes=rng.choice((30, 45, 60)), notes=rng.choice(ACTIVITY_NOTES[kind]),
                    planned_by=planner, created_by=planner))
        if is_demo or rng.random() < theme_share:
            for n in range(2 if is_demo else 1):
                if is_demo:
                    category = (Theme.Category.TRAINING, Theme.Category.TECHNOLOGY)[n]
                    sentiment = Theme.Sentiment.NEGATIVE
                    text = THEME_TEXTS[category][n]
                else:
                    category = rng.choice(categories)
                    sentiment = rng.choices(list(Theme.Sentiment), (4, 3, 2))[0]
                    text = rng.choice(THEME_TEXTS[category])
                themes.append(Theme(
                    champion=champion, programme_id=programmes[n % len(programmes)], category=category, unit_id=person.unit_id,
                    role_group=_role_group(person.rank_grade.kind if person.rank_grade else ""), sentiment=sentiment, text=text,
                    heard_on=today - dt.timedelta(days=rng.randint(1, 45) if not is_demo else 2 + n * 9),
                    status=Theme.Status.OPEN if is_demo or rng.random() < 0.8 else Theme.Status.CLOSED, created_by=champion.user))
    Activity.objects.bulk_create(activities, batch_size=BATCH)
    Theme.objects.bulk_create(themes, batch_size=BATCH)
    return len(activities), len(themes)


def _write_with_services(plan: _Plan, programmes: list[Programme], today: dt.date, rng: random.Random,
                         demo_staff: Staff | None, demo_units: list[Unit]) -> dict[int, Champion]:
    """Nominate, ask and answer through the pool's services, as the people
    who would (see the module docstring)."""
    by_pk = {p.pk: p for p in programmes}
    staff = Staff.objects.in_bulk([e.staff_id for e in plan.entries.values()])
    made: dict[int, Champion] = {}
    for entry in sorted(plan.entries.values(), key=lambda e: e.staff_id):
        order = sorted(entry.asks, key=lambda pid: by_pk[pid].code)
        first = by_pk[order[0]]
        lead = first.change_lead
        line_manager = lead is None and rng.random() < 0.4
        units = demo_units if demo_staff is not None and entry.staff_id == demo_staff.pk and demo_units else None
        champion = pool.champion_nominate(
            staff=staff[entry.staff_id], programme=first, hours_asked=entry.asks[first.pk], actor=lead, units=units,
            hours_agreed=entry.agreed, start_date=entry.start,
            nominated_as=Champion.NominatedAs.LINE_MANAGER if line_manager else Champion.NominatedAs.CHANGE_MANAGER,
            reason="Knows the team and the shift; volunteered at the briefing." if rng.random() < 0.5 else "")
        for pid in order[1:]:
            pool.support_set(champion=champion, programme=by_pk[pid], hours_asked=entry.asks[pid], actor=by_pk[pid].change_lead)
        if champion.user is not None and entry.status == Champion.Status.ACTIVE:
            pool.champion_accept(champion=champion, actor=champion.user)
        elif champion.user is not None and entry.status == Champion.Status.DECLINED:
            pool.champion_decline(champion=champion, actor=champion.user, reason="No time this quarter.")
        made[entry.staff_id] = champion
    # The nominations happened over the past months, not all just now.
    for entry in plan.entries.values():
        assert entry.start is not None
        nominated = dt.datetime.combine(entry.start - dt.timedelta(days=7), dt.time(10, 0), tzinfo=dt.UTC)
        answered = nominated + dt.timedelta(days=3) if entry.status != Champion.Status.NOMINATED else None
        Champion.objects.filter(pk=made[entry.staff_id].pk).update(nominated_at=nominated, responded_at=answered)
    return made


def _write_in_bulk(plan: _Plan, day: dt.date) -> dict[int, Champion]:
    rows = [Champion(staff_id=e.staff_id, status=e.status, hours_agreed=e.agreed, start_date=e.start or day, known_unit_id=e.unit_id,
                     nominated_as=Champion.NominatedAs.CHANGE_MANAGER)
            for e in sorted(plan.entries.values(), key=lambda e: e.staff_id)]
    Champion.objects.bulk_create(rows, batch_size=BATCH)
    made = {c.staff_id: c for c in rows}
    through = Champion.units.through
    through.objects.bulk_create([through(champion_id=made[e.staff_id].pk, unit_id=u) for e in plan.entries.values() for u in e.units],
                                batch_size=BATCH)
    Support.objects.bulk_create([Support(champion=made[e.staff_id], programme_id=pid, hours_asked=hours,
                                         active=e.status != Champion.Status.DECLINED)
                                 for e in plan.entries.values() for pid, hours in e.asks.items()], batch_size=BATCH)
    return made


@transaction.atomic
def seed_network(*, scale: str, seed: int, actor: User | None = None, today: dt.date | None = None) -> dict[str, int]:
    """The champion pool, its asks, activities and themes (see the module
    docstring). Replaces any pool already there."""
    from django.utils import timezone

    day = today or timezone.localdate()
    rng = random.Random(f"network:{seed}")
    clear_network_data()
    programmes = list(Programme.objects.exclude(status=Programme.Status.CLOSED).select_related("change_lead").order_by("code"))
    if not programmes:
        return {}
    by_code = {p.code: p for p in programmes}
    impacted = _impacted(programmes, day)
    closed = uncovered_suite()
    excluded = set(Staff.objects.filter(unit=closed).values_list("pk", flat=True)) if closed is not None else set()
    blocked: set[tuple[int, Cell]] = set()
    gap = night_gap_suite()
    if gap is not None and CUSTODY_PROGRAMME in by_code:
        blocked.add((by_code[CUSTODY_PROGRAMME].pk, (suite_location(gap), NIGHT_SHIFT)))
    demo_staff = None
    demo_user = User.objects.filter(username="champion", is_demo=True, role=Role.CHAMPION).first()
    if demo_user is not None and demo_user.email:
        demo_staff = in_post(day).filter(email__iexact=demo_user.email).first()
    if demo_staff is not None:
        excluded.add(demo_staff.pk)  # planned by hand below
    soon = _next_wave_cells(programmes, impacted, day)
    plan = _plan(programmes, impacted, CHAMPIONS.get(scale, 120), rng, excluded, blocked, soon, SHARE.get(scale, SHARE_DEFAULT))
    keep = _demo_story(plan, by_code, impacted, rng)
    demo_units: list[Unit] = []
    if demo_staff is not None:
        entry = plan.add(demo_staff.pk, (demo_staff.location, demo_staff.shift_pattern), demo_staff.unit_id)
        entry.asks = {by_code[c].pk: Decimal(2 if n == 0 else 1) for n, c in enumerate(DEMO_PROGRAMMES) if c in by_code}
        entry.agreed = Decimal(4)
        demo_units = list(demo_user.units.all()) if demo_user is not None else []
        entry.units = [u.pk for u in demo_units] or [demo_staff.unit_id]
        keep.add(demo_staff.pk)
        if not entry.asks:
            del plan.entries[demo_staff.pk]
    over = _over_commit(plan, impacted, OVER_COMMITTED.get(scale, 4), rng, keep)
    _statuses(plan, scale, rng, keep | {e.staff_id for e in over}, day)
    planners = {p.pk: p.change_lead for p in programmes}
    if scale == "met":
        made = _write_in_bulk(plan, day)
        activity_range, theme_share = (0, 2), 0.15
    else:
        outbox_before = OutboxMessage.objects.aggregate(top=Max("pk"))["top"] or 0
        made = _write_with_services(plan, programmes, day, rng, demo_staff, demo_units)
        OutboxMessage.objects.filter(kind="network", pk__gt=outbox_before).delete()
        activity_range, theme_share = (0, 4), 0.35
    champions = list(Champion.objects.filter(pk__in=[c.pk for c in made.values()]).select_related("user").order_by("pk"))
    demo = made.get(demo_staff.pk) if demo_staff is not None else None
    activities, themes = _activities_and_themes(champions, day, rng, planners, activity_range, theme_share, demo)
    return {
        "champions": len(made),
        "champion_supports": Support.objects.count(),
        "champions_over_committed": len(over),
        "champion_activities": activities,
        "champion_themes": themes,
    }
