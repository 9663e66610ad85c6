"""Champion coverage: who is impacted, and whether they have a champion near
them to ask.

For a programme, the **impacted** are the staff in post that its approved
impact assessments reach; its **champions** are the active pool entries it
asks for help (`Support.active`). For the portfolio, both are the union over
programmes. Coverage is read along five dimensions, each a list of `Cell`s:

- **site and shift** (location × shift pattern): the working group people
  actually share. A champion covers the impacted people at their own
  location on their own shift pattern. This is where **gaps** are found: a
  cell whose champions are fewer than its impacted headcount divided by the
  target ratio (rounded up), so a night shift at a custody suite with no
  champion is a gap however small it is;
- **unit** (the tree, with drill-down): impacted people in a unit's subtree
  against the champions looking after a unit at or below it;
- **location**, **shift pattern** and **role group** alone (a champion
  counts in their own location, shift and role group).

Everything is read with a handful of queries (the staff in post grouped by
location, shift, unit, job role and rank, cached under the staff version
and the day, see `staff_groups`; the approved impact lines of every
programme, with their units and ranks; the champions and their units), then the lines are evaluated on the staff groups and rolled up in
Python over the unit tree, which is small (about 700 units at met scale), so
the portfolio-wide figure costs the same as one programme's.

**Portfolio-wide** is the union over the programmes given (the pages pass the
programmes the user may view; with none given, every programme not closed):
a person impacted by two programmes is counted once, and a champion
supporting two of them once.

**Narrowed to units** (`units=`, a champion's view): only the impacted people
at or below those units, and only the champions whose own HR unit is there;
the unit tree keeps only those subtrees.
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from changeboard.core import audit
from changeboard.core.scoping import subtree_q
from changeboard.engagement.services.audience import impacted_q, in_post
from changeboard.impacts.models import ImpactAssessment, ImpactLine
from changeboard.organisation.models import RankGrade, Staff, Unit, staff_version
from changeboard.portfolio.models import Programme, RolloutWave
from changeboard.surveys.models import RoleGroup

from ..models import Champion, CoverageTarget, NetworkPolicy, Support

NOT_RECORDED = "Not recorded"
KNOWN_GROUPS = {g for g in RoleGroup.values if g != RoleGroup.UNKNOWN}
PORTFOLIO, PROGRAMME = "portfolio", "programme"


def target_ratio(programme: Programme | None) -> int:
    """The programme's own ratio, or the portfolio's."""
    return target_and_source(programme)[0]


def target_and_source(programme: Programme | None) -> tuple[int, str]:
    """The ratio in force and whose it is (`PROGRAMME` or `PORTFOLIO`)."""
    if programme is not None:
        own = CoverageTarget.objects.filter(programme=programme).values_list("target_ratio", flat=True).first()
        if own:
            return own, PROGRAMME
    return NetworkPolicy.current().target_ratio, PORTFOLIO


@dataclass
class Cell:
    """One group of impacted people and the champions among or near them."""

    key: tuple[str, ...]
    label: str
    impacted: int = 0
    champions: int = 0
    target: int = 25
    unit_id: int | None = None
    has_children: bool = False
    go_live: dt.date | None = None
    """The next go-live, on or after the day, of a rollout wave reaching any of the cell's impacted people."""

    @property
    def needed(self) -> int:
        return math.ceil(self.impacted / self.target) if self.impacted else 0

    @property
    def shortfall(self) -> int:
        return max(0, self.needed - self.champions)

    @property
    def gap(self) -> bool:
        return self.shortfall > 0

    @property
    def per_champion(self) -> int | None:
        """Impacted people per champion (None with no champion)."""
        return round(self.impacted / self.champions) if self.champions else None

    @property
    def uncovered(self) -> int:
        """People beyond what the champions there can cover at the target ratio."""
        return max(0, self.impacted - self.champions * self.target)

    @property
    def slug(self) -> str:
        """The cell's key for a URL query string (no personal data: a site and a shift)."""
        return "|".join(self.key)

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.slug, "label": self.label, "impacted": self.impacted, "champions": self.champions,
                "impacted_per_champion": self.per_champion, "needed": self.needed, "shortfall": self.shortfall,
                "uncovered": self.uncovered, "gap": self.gap, "go_live": self.go_live.isoformat() if self.go_live else None}


@dataclass
class Coverage:
    programme: Programme | None
    day: dt.date
    target: int
    target_source: str = PORTFOLIO
    impacted: int = 0
    champions: int = 0
    by_site_shift: list[Cell] = field(default_factory=list)
    by_location: list[Cell] = field(default_factory=list)
    by_shift: list[Cell] = field(default_factory=list)
    by_role_group: list[Cell] = field(default_factory=list)
    by_unit: dict[int, Cell] = field(default_factory=dict)
    # The unit tree as read (pk -> (path, name, depth)), for the map's drill-down.
    units: dict[int, tuple[str, str, int]] = field(default_factory=dict)
    roots: list[int] = field(default_factory=list)

    @property
    def gaps(self) -> list[Cell]:
        """Site-and-shift cells short of champions: the soonest go-live first
        (a gap three weeks before go-live matters more than one next year),
        then the cells with no champion at all, then the most people uncovered."""
        return sorted((c for c in self.by_site_shift if c.gap),
                      key=lambda c: (c.go_live or dt.date.max, c.champions > 0, -c.uncovered, c.label))

    @property
    def per_champion(self) -> int | None:
        return round(self.impacted / self.champions) if self.champions else None

    @property
    def needed(self) -> int:
        return math.ceil(self.impacted / self.target) if self.impacted else 0

    @property
    def own_target(self) -> bool:
        return self.target_source == PROGRAMME

    def unit_children(self, parent: Unit | None) -> list[Cell]:
        """The coverage map one level down the unit tree (the top, or a
        champion's own units, with no parent). No query: the tree was read
        with the counts."""
        if parent is None:
            ids = self.roots
        else:
            ids = [pk for pk, (path, _, depth) in self.units.items()
                   if depth == parent.depth + 1 and path.startswith(parent.path)]
        return [self.by_unit[pk] for pk in sorted(ids, key=lambda pk: self.units[pk][0]) if pk in self.by_unit]


def _label(value: str) -> str:
    return value or NOT_RECORDED


def _programmes(programme: Programme | None, programmes: Iterable[Programme] | None) -> list[int]:
    if programme is not None:
        return [programme.pk]
    if programmes is not None:
        return [p.pk for p in programmes]
    return list(Programme.objects.exclude(status="closed").values_list("pk", flat=True))


def impacted_staff(programme: Programme | None, day: dt.date | None = None, *, programmes: Iterable[Programme] | None = None,
                   units: Iterable[Unit] | None = None) -> Any:
    """The impacted staff in post (a `Staff` queryset), as `coverage()` counts them."""
    on = day or timezone.localdate()
    people = in_post(on).filter(impacted_q(programme_ids=_programmes(programme, programmes)))
    if units is not None:
        people = people.filter(subtree_q([u.path for u in units], "unit__path"))
    return people


def champions_for(programme: Programme | None, day: dt.date, *, programmes: Iterable[Programme] | None = None) -> Any:
    """Active champions with an active ask from the programme (or any of the programmes)."""
    return (Champion.objects.active(day)
            .filter(supports__active=True, supports__programme_id__in=_programmes(programme, programmes)).distinct())


# ---------------------------------------------------------------------------
# Who is impacted, evaluated in Python over the staff in post grouped once
#
# At met scale the impacted-staff clause (`impacted_q`: a `unit_id IN (...)`
# of hundreds of ids, ORed per narrowing) made every programme's count a scan
# with a large predicate, and `all_gaps` ran it twice per programme. The
# people in post are instead read once, grouped by everything a coverage
# count or an impact line looks at (location, shift pattern, unit, job role,
# rank or grade: a few thousand groups for 45,000 people), and each
# programme's approved lines are evaluated on the groups in Python with the
# rule `impacted_q` writes (a line reaches its units with their subtrees,
# narrowed by its job roles and its ranks or grades). Everyone in a group
# shares those attributes, so a group is impacted whole or not at all, and
# the union over programmes is exact (a person impacted twice counts once).

# (location, shift pattern, unit id, job role, rank or grade id, people)
StaffGroup = tuple[str, str, int, str, "int | None", int]
# (job roles, rank or grade ids, unit ids reached): one narrowing of a programme's lines
Reach = tuple[frozenset[str], frozenset[int], frozenset[int]]


STAFF_GROUPS_CACHE_SECONDS = 6 * 3600
"""How long a day's staff groups stay cached under one staff version (any
write of staff changes the version, hence the key, at once)."""


def staff_groups(on: dt.date) -> list[StaffGroup]:
    """The staff in post on the day, counted by location, shift pattern,
    unit, job role and rank or grade (one grouped query over the staff
    table). Cached under the staff version (`organisation.StaffVersion`,
    changed by every write of staff, bulk ones included) and the day (who
    is in post depends on it), so a request reads one small row instead of
    the whole staff table, and never a stale count. No personal data is
    cached: counts by site, shift, unit, role and rank."""
    version = staff_version()
    key = f"network:staff-groups:{version}:{on.isoformat()}"
    if version is not None:
        found = cache.get(key)
        if found is not None:
            return cast(list[StaffGroup], found)
    groups = [(loc or "", shp or "", unit_id, role or "", rank_id, n) for loc, shp, unit_id, role, rank_id, n in
              in_post(on).order_by().values_list("location", "shift_pattern", "unit_id", "role", "rank_grade_id").annotate(n=Count("pk"))]
    if version is not None:
        cache.set(key, groups, STAFF_GROUPS_CACHE_SECONDS)
    return groups


def reaches(programme_ids: Iterable[int], tree: list[tuple[int, str, str, int]] | None = None) -> dict[int, list[Reach]]:
    """Each programme's approved impact lines as narrowings (one query for all
    the programmes): lines with the same job roles and ranks share one, with
    the union of their units' subtrees, as `impacted_q` builds its clause."""
    ids = list(programme_ids)
    units = sorted((path, pk) for pk, path, *_ in (tree if tree is not None else Unit.objects.values_list("pk", "path")))
    paths = [path for path, _ in units]
    # Plain rows, no model instances: the lines, then their units' paths and
    # their ranks or grades (the through tables), for every programme at once.
    approved = ImpactLine.objects.filter(assessment__programme_id__in=ids, assessment__status=ImpactAssessment.Status.APPROVED)
    lines = list(approved.order_by("assessment", "id").values_list("pk", "assessment__programme_id", "roles"))
    tops: dict[int, list[str]] = defaultdict(list)
    for line_id, path in ImpactLine.units.through.objects.filter(impactline__in=approved).values_list("impactline_id", "unit__path"):
        tops[line_id].append(path)
    ranks: dict[int, set[int]] = defaultdict(set)
    for line_id, rank_id in ImpactLine.rank_grades.through.objects.filter(impactline__in=approved).values_list("impactline_id", "rankgrade_id"):
        ranks[line_id].add(rank_id)
    grouped: dict[int, dict[tuple[frozenset[str], frozenset[int]], set[int]]] = {pk: defaultdict(set) for pk in ids}
    for line_id, programme_id, roles in lines:
        reached = grouped[programme_id][(frozenset(roles or []), frozenset(ranks.get(line_id, ())))]
        for top in tops.get(line_id, ()):
            index = bisect_left(paths, top)
            while index < len(paths) and paths[index].startswith(top):
                reached.add(units[index][1])
                index += 1
    return {pk: [(roles, ranks, frozenset(unit_ids)) for (roles, ranks), unit_ids in by.items()] for pk, by in grouped.items()}


def _reached(group: StaffGroup, narrowings: list[Reach]) -> bool:
    _, _, unit_id, role, rank_id, _ = group
    return any(unit_id in unit_ids and (not roles or role in roles) and (not ranks or rank_id in ranks)
               for roles, ranks, unit_ids in narrowings)


def impacted_groups(groups: list[StaffGroup], narrowings: list[Reach]) -> list[StaffGroup]:
    """The groups the narrowings reach (`impacted_q`, in Python)."""
    if not narrowings:
        return []
    reachable = frozenset().union(*(unit_ids for _, _, unit_ids in narrowings))
    return [g for g in groups if g[2] in reachable and _reached(g, narrowings)]


def coverage(programme: Programme | None, day: dt.date | None = None, *, programmes: Iterable[Programme] | None = None,
             units: Iterable[Unit] | None = None, _groups: list[StaffGroup] | None = None,
             _reach: dict[int, list[Reach]] | None = None, _tree: list[tuple[int, str, str, int]] | None = None) -> Coverage:
    """The programme's (or, with None, the portfolio's: the union over
    `programmes`, every open programme by default) coverage on a day,
    optionally narrowed to the subtrees of `units`. (`all_gaps` passes the
    staff groups, the programmes' lines and the unit tree it read once.)"""
    on = day or timezone.localdate()
    target, source = target_and_source(programme)
    result = Coverage(programme, on, target, source)
    programme_ids = _programmes(programme, programmes)
    tree = _tree if _tree is not None else list(Unit.objects.order_by("path").values_list("pk", "path", "name", "depth"))
    narrow_paths = [u.path for u in units] if units is not None else None
    path_of = {pk: path for pk, path, _, _ in tree}

    by_programme = _reach if _reach is not None else reaches(programme_ids, tree)
    narrowings = [n for pk in programme_ids for n in by_programme.get(pk, [])]
    people = impacted_groups(_groups if _groups is not None else staff_groups(on), narrowings)
    champs = Champion.objects.active(on).filter(supports__active=True, supports__programme_id__in=programme_ids)
    if narrow_paths is not None:
        people = [g for g in people if any(path_of.get(g[2], "").startswith(p) for p in narrow_paths)] if narrow_paths else []
        champs = champs.filter(subtree_q(narrow_paths, "staff__unit__path"))
    kinds = dict(RankGrade.objects.values_list("pk", "kind"))
    impacted_rows: Counter[tuple[str, str, int, str | None]] = Counter()
    for loc, shp, unit_id, _, rank_id, n in people:
        impacted_rows[(loc, shp, unit_id, kinds.get(rank_id) if rank_id is not None else None)] += n
    champion_rows = list(champs.order_by().values_list("pk", "staff__location", "staff__shift_pattern", "staff__rank_grade__kind")
                         .distinct())
    # The units they look after, by the ids just read (not the champions' query again as a subquery).
    looked_after = (Champion.units.through.objects.filter(champion_id__in=sorted({pk for pk, *_ in champion_rows}))
                    .values_list("champion_id", "unit_id"))

    site_shift: dict[Any, Cell] = {}
    location: dict[Any, Cell] = {}
    shift: dict[Any, Cell] = {}
    role: dict[Any, Cell] = {}
    impacted_per_unit: Counter[int] = Counter()

    def label(store: dict, key: tuple[str, ...]) -> str:
        if store is site_shift:
            return f"{_label(key[0])}, {_label(key[1])}"
        return RoleGroup(key[0]).label if store is role else _label(key[0])

    def count(loc: str, shp: str, kind: str | None, attr: str, n: int) -> None:
        group = kind if kind in KNOWN_GROUPS else RoleGroup.UNKNOWN
        loc, shp = loc or "", shp or ""
        for store, key in ((site_shift, (loc, shp)), (location, (loc,)), (shift, (shp,)), (role, (group,))):
            c = store.get(key)
            if c is None:  # the label is made once per cell, not once per group counted
                c = store[key] = Cell(key, label(store, key), target=target)
            setattr(c, attr, getattr(c, attr) + n)

    # The next go-live reaching each unit: a wave's units with their subtrees.
    step = Unit.steplen
    next_at: dict[str, dt.date] = {}
    for go_live, wave_path in (RolloutWave.objects.filter(programme_id__in=programme_ids, go_live_date__gte=on, units__isnull=False)
                               .values_list("go_live_date", "units__path")):
        if wave_path not in next_at or go_live < next_at[wave_path]:
            next_at[wave_path] = go_live
    unit_go_live: dict[int, dt.date | None] = {}

    def go_live_of(unit_id: int, path: str) -> dt.date | None:
        if unit_id not in unit_go_live:
            dates = [next_at[path[:end]] for end in range(step, len(path) + 1, step) if path[:end] in next_at]
            unit_go_live[unit_id] = min(dates) if dates else None
        return unit_go_live[unit_id]

    for (loc, shp, unit_id, kind), n in impacted_rows.items():
        count(loc, shp, kind, "impacted", n)
        when = go_live_of(unit_id, path_of.get(unit_id, ""))
        site = site_shift[(loc or "", shp or "")]
        if when and (site.go_live is None or when < site.go_live):
            site.go_live = when
        impacted_per_unit[unit_id] += n
        result.impacted += n
    for _, loc, shp, kind in champion_rows:
        count(loc, shp, kind, "champions", 1)
    result.champions = len(champion_rows)

    # The unit tree: impacted people roll up to every ancestor; a champion
    # counts once in each unit at or above the units they look after.
    by_path = {path: pk for pk, path, _, _ in tree}
    rolled: Counter[int] = Counter()
    for unit_id, n in impacted_per_unit.items():
        path = path_of.get(unit_id, "")
        for end in range(step, len(path) + 1, step):
            rolled[by_path[path[:end]]] += n
    champions_in: dict[int, set[int]] = defaultdict(set)
    for champion_id, unit_id in looked_after:
        path = path_of.get(unit_id, "")
        for end in range(step, len(path) + 1, step):
            champions_in[by_path[path[:end]]].add(champion_id)
    parents = {path[:-step] for _, path, _, _ in tree if len(path) > step}
    for pk, path, name, depth in tree:
        if narrow_paths is not None and not any(path.startswith(p) for p in narrow_paths):
            continue
        result.units[pk] = (path, name, depth)
        if rolled[pk] or champions_in.get(pk):
            result.by_unit[pk] = Cell((str(pk),), name, rolled[pk], len(champions_in.get(pk, ())), target, unit_id=pk,
                                      has_children=path in parents)
    if narrow_paths is not None:
        # A champion's map starts at their own units (the highest of them).
        tops = sorted(set(narrow_paths))
        tops = [p for p in tops if not any(p != q and p.startswith(q) for q in tops)]
        result.roots = [by_path[p] for p in tops if p in by_path]
    elif result.by_unit:
        top = min(result.units[pk][2] for pk in result.by_unit)
        result.roots = [pk for pk, (_, _, depth) in result.units.items() if depth == top]

    def ordered(store: dict) -> list[Cell]:
        return sorted(store.values(), key=lambda c: (not c.gap, -c.impacted, c.label))

    result.by_site_shift = ordered(site_shift)
    result.by_location = ordered(location)
    result.by_shift = ordered(shift)
    result.by_role_group = ordered(role)
    return result


# ---------------------------------------------------------------------------
# Targets and the portfolio policy


@transaction.atomic
def coverage_target_set(*, programme: Programme, target_ratio: int, actor: Any) -> CoverageTarget:
    """Give the programme its own ratio (1 champion per `target_ratio` impacted)."""
    found = CoverageTarget.objects.select_for_update().filter(programme=programme).first()
    before = audit.snapshot(found)
    target = found or CoverageTarget(programme=programme)
    target.target_ratio = target_ratio
    target.full_clean()
    target.save()
    audit.record(actor=actor, action="update" if found else "create", obj=target, before=before, after=audit.snapshot(target))
    return target


@transaction.atomic
def coverage_target_clear(*, programme: Programme, actor: Any) -> None:
    """Go back to the portfolio's ratio."""
    found = CoverageTarget.objects.select_for_update().filter(programme=programme).first()
    if found is None:
        return
    before = audit.snapshot(found)
    audit.record(actor=actor, action="delete", obj=found, before=before, after=None)
    found.delete()


@transaction.atomic
def policy_update(*, target_ratio: int | None = None, default_hours: Decimal | float | int | None = None, actor: Any) -> NetworkPolicy:
    """Change the portfolio's network policy (admins)."""
    policy = NetworkPolicy.objects.select_for_update().get(pk=NetworkPolicy.current().pk)
    before = audit.snapshot(policy)
    if target_ratio is not None:
        policy.target_ratio = target_ratio
    if default_hours is not None:
        policy.default_hours = Decimal(str(default_hours))
    policy.full_clean()
    policy.save()
    audit.record(actor=actor, action="update", obj=policy, before=before, after=audit.snapshot(policy))
    return policy


# ---------------------------------------------------------------------------
# A gap's people and candidates


def split_slug(slug: str) -> tuple[str, str] | None:
    """A site-and-shift cell key from a query string; None if malformed."""
    parts = slug.split("|")
    if len(parts) != 2 or any(len(p) > 120 for p in parts) or "\x00" in slug:
        return None
    return parts[0], parts[1]


def uncovered_people(programme: Programme, location: str, shift_pattern: str, day: dt.date | None = None, *,
                     units: Iterable[Unit] | None = None) -> Any:
    """The impacted people of one site-and-shift cell (a gap's people),
    optionally only those at or below `units` (a champion's)."""
    return (impacted_staff(programme, day, units=units).filter(location=location, shift_pattern=shift_pattern)
            .select_related("unit", "rank_grade").order_by("last_name", "first_name", "pk"))


def hours_asked(champion_ids: Iterable[int]) -> dict[int, Decimal]:
    """Hours a month all programmes ask of each champion (active asks)."""
    rows = (Support.objects.filter(champion_id__in=list(champion_ids), active=True).order_by().values("champion_id")
            .annotate(total=Sum("hours_asked")).values_list("champion_id", "total"))
    return {pk: total or Decimal(0) for pk, total in rows}


@dataclass
class Candidate:
    staff: Staff
    in_pool: bool
    spare_hours: Decimal | None
    in_gap_units: bool


# Someone in post at a gap's site and shift who is not in the pool:
# (last name, first name, staff id), so tuples sort in name order.
_Person = tuple[str, str, int]
# A pool entry as `_pool` reads it: (staff id, last name, first name, unit
# id, location, shift pattern, spare hours).
_Entry = tuple[int, str, str, int, str, str, Decimal]
# A suggestion before its staff record is read: (staff id, in the pool,
# spare hours, in the gap's units).
_Pick = tuple[int, bool, "Decimal | None", bool]


@dataclass
class _Pool:
    """What candidates at some site-and-shift cells are drawn from, read in
    three queries whatever the number of cells: the pool entries there in
    post, with their spare hours (hours agreed less the hours all
    programmes ask), and, of everyone else in post there, the first `limit`
    by name in each unit (`others`, by cell and unit). Both are plain
    tuples: staff records are read only for the people suggested
    (`_as_candidates`). Nobody outside the pool is ever excluded (a
    programme's own champions and the fully committed are pool entries), so
    the first `limit` by name over any set of units is among those lists."""

    at: dict[tuple[str, str], list[_Entry]]
    others: dict[tuple[str, str], dict[int, list[_Person]]]


def _pool(cells: Iterable[tuple[str, str]], on: dt.date, limit: int) -> _Pool:
    """Read once for every cell: the pool entries and the staff in post at
    the cells' locations (one `IN` of location names, not an OR of
    site-and-shift pairs), kept to the cells in Python. The staff come in
    the database's name order (its collation, as when the per-unit ranking
    was done in SQL), and each cell's unit keeps its first `limit` people
    outside the pool."""
    wanted = set(cells)
    if not wanted:
        return _Pool({}, {})
    locations = sorted({loc for loc, _ in wanted})
    entries = list(Champion.objects.filter(staff__location__in=locations).exclude(status__in=(Champion.Status.DECLINED, Champion.Status.ENDED))
                   .order_by().values_list("pk", "staff_id", "hours_agreed", "staff__last_name", "staff__first_name", "staff__unit_id",
                                           "staff__location", "staff__shift_pattern", "staff__is_leaver", "staff__leave_date",
                                           "staff__start_date"))
    pooled = {staff_id for _, staff_id, *_ in entries}
    at_cells = [e for e in entries if (e[6], e[7]) in wanted]
    asked = hours_asked(pk for pk, *_ in at_cells)
    at: dict[tuple[str, str], list[_Entry]] = defaultdict(list)
    for pk, staff_id, agreed, last, first, unit_id, loc, shp, leaver, leave, start in at_cells:
        if not leaver and (leave is None or leave > on) and (start is None or start <= on):  # `in_post`
            at[(loc, shp)].append((staff_id, last, first, unit_id, loc, shp, agreed - asked.get(pk, Decimal(0))))
    others: dict[tuple[str, str], dict[int, list[_Person]]] = defaultdict(lambda: defaultdict(list))
    for pk, last, first, loc, shp, unit_id in (in_post(on).filter(location__in=locations).order_by("last_name", "first_name", "pk")
                                               .values_list("pk", "last_name", "first_name", "location", "shift_pattern", "unit_id")):
        if (loc, shp) in wanted and pk not in pooled:
            people = others[(loc, shp)][unit_id]
            if len(people) < limit:
                people.append((last, first, pk))
    return _Pool(dict(at), others)


def _theirs(programme: Programme) -> set[int]:
    return set(Champion.objects.filter(supports__programme=programme, supports__active=True,
                                       status__in=(Champion.Status.NOMINATED, Champion.Status.ACTIVE)).values_list("staff_id", flat=True))


def _picks(location: str, shift_pattern: str, limit: int, pool: _Pool, gap_units: set[int], theirs: set[int]) -> list[_Pick]:
    """A gap's suggestions from what `_pool` read: no query."""
    members = sorted((e for e in pool.at.get((location, shift_pattern), ()) if e[0] not in theirs and e[6] > 0),
                     key=lambda e: (-e[6], e[1], e[2], e[0]))
    found: list[_Pick] = [(staff_id, True, spare, unit_id in gap_units) for staff_id, _, _, unit_id, _, _, spare in members[:limit]]
    by_unit = pool.others.get((location, shift_pattern), {})
    near = sorted(p for u, people in by_unit.items() if u in gap_units for p in people)
    far = sorted(p for u, people in by_unit.items() if u not in gap_units for p in people)
    found += [(p[2], False, None, True) for p in near[: max(0, limit - len(found))]]
    found += [(p[2], False, None, False) for p in far[: max(0, limit - len(found))]]
    return found


def _as_candidates(picks: list[list[_Pick]]) -> list[list[Candidate]]:
    """The suggestions with their staff records (with unit and rank or
    grade), read in one query for all of them (`in_bulk`)."""
    wanted = {pk for found in picks for pk, *_ in found}
    staff = Staff.objects.select_related("unit", "rank_grade").in_bulk(wanted) if wanted else {}
    return [[Candidate(staff[pk], in_pool, spare, in_units) for pk, in_pool, spare, in_units in found] for found in picks]


def _candidates(location: str, shift_pattern: str, limit: int, pool: _Pool, gap_units: set[int], theirs: set[int]) -> list[Candidate]:
    """One gap's candidates (`_picks` with their staff records)."""
    return _as_candidates([_picks(location, shift_pattern, limit, pool, gap_units, theirs)])[0]


def candidates(programme: Programme, location: str, shift_pattern: str, day: dt.date | None = None, limit: int = 10) -> list[Candidate]:
    """Who could champion a gap: staff in post at the same location on the
    same shift pattern, not already the programme's champion (nominated or
    active), not a leaver, and not fully committed (the hours all
    programmes ask of them at or over the hours they agreed). Pool members
    with spare hours come first, the most spare first (they know the role),
    then people in the gap's own units (they live the change), then the
    rest of the site and shift."""
    on = day or timezone.localdate()
    gap_units = set(impacted_staff(programme, on).filter(location=location, shift_pattern=shift_pattern)
                    .order_by().values_list("unit_id", flat=True).distinct())
    return _candidates(location, shift_pattern, limit, _pool([(location, shift_pattern)], on, limit), gap_units, _theirs(programme))


def all_gaps(day: dt.date | None = None, limit: int = 5, programmes: Iterable[Programme] | None = None,
             ) -> dict[int, list[tuple[Cell, list[Candidate]]]]:
    """Every programme's gaps with their candidates (the portfolio office's
    view, and the benchmark's "every programme" figure). Batched: each
    programme's coverage and gap units (a few queries each), then the pool,
    the hours asked and everyone else at every gap's site and shift in
    three queries for all programmes; the candidates are then picked in
    Python, whatever the number of gaps."""
    on = day or timezone.localdate()
    chosen = list(programmes) if programmes is not None else list(Programme.objects.exclude(status="closed").order_by("code"))
    # Read once for every programme: the staff in post grouped, the unit
    # tree, every programme's approved lines.
    groups = staff_groups(on)
    tree = list(Unit.objects.order_by("path").values_list("pk", "path", "name", "depth"))
    reach = reaches([p.pk for p in chosen], tree)
    covers = [(p, coverage(p, on, _groups=groups, _reach=reach, _tree=tree)) for p in chosen]
    pool = _pool(((gap.key[0], gap.key[1]) for _, cov in covers for gap in cov.gaps), on, limit)
    picked: dict[int, list[tuple[Cell, list[_Pick]]]] = {}
    for programme, cov in covers:
        gaps = cov.gaps
        if not gaps:
            picked[programme.pk] = []
            continue
        # The gaps' units, from the same groups (no query).
        at_gaps = {(g.key[0], g.key[1]) for g in gaps}
        units_at: dict[tuple[str, str], set[int]] = defaultdict(set)
        for loc, shp, unit_id, *_ in impacted_groups(groups, reach.get(programme.pk, [])):
            if (loc, shp) in at_gaps:
                units_at[(loc, shp)].add(unit_id)
        theirs = _theirs(programme)
        picked[programme.pk] = [(gap, _picks(gap.key[0], gap.key[1], limit, pool, units_at[(gap.key[0], gap.key[1])], theirs))
                                for gap in gaps]
    # Every suggestion's staff record in one read, shared across programmes (handed out in the same order).
    resolved = iter(_as_candidates([picks for found in picked.values() for _, picks in found]))
    return {pk: [(gap, next(resolved)) for gap, _ in found] for pk, found in picked.items()}
