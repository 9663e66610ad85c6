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

Everything is counted in the database with a handful of grouped queries
(impacted people grouped by location, shift, unit and role group; the
champions and their units), and rolled up in Python over the unit tree,
which is small (about 700 units at met scale).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db.models import Count, Q, Sum
from django.utils import timezone

from changeboard.engagement.services.audience import impacted_q, in_post
from changeboard.organisation.models import Staff, Unit
from changeboard.portfolio.models import Programme
from changeboard.surveys.models import RoleGroup

from ..models import Champion, CoverageTarget, NetworkPolicy, Support

NOT_RECORDED = "Not recorded"
KNOWN_GROUPS = {g for g in RoleGroup.values if g != RoleGroup.UNKNOWN}


def target_ratio(programme: Programme | None) -> int:
    """The programme's own ratio, or the portfolio's."""
    if programme is not None:
        own = CoverageTarget.objects.filter(programme=programme).values_list("target_ratio", flat=True).first()
        if own:
            return own
    return NetworkPolicy.current().target_ratio


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


@dataclass
class Coverage:
    programme: Programme | None
    day: dt.date
    target: int
    impacted: int = 0
    champions: int = 0
    by_site_shift: list[Cell] = field(default_factory=list)
    by_location: list[Cell] = field(default_factory=list)
    by_shift: list[Cell] = field(default_factory=list)
    by_role_group: list[Cell] = field(default_factory=list)
    by_unit: dict[int, Cell] = field(default_factory=dict)

    @property
    def gaps(self) -> list[Cell]:
        """Site-and-shift cells short of champions, the emptiest and largest first."""
        return sorted((c for c in self.by_site_shift if c.gap), key=lambda c: (c.champions > 0, -c.uncovered, c.label))

    @property
    def per_champion(self) -> int | None:
        return round(self.impacted / self.champions) if self.champions else None

    def unit_children(self, parent: Unit | None) -> list[Cell]:
        """The coverage map one level down the unit tree (the top with no parent)."""
        if parent is None:
            depth = min((u.depth for u in Unit.objects.filter(pk__in=self.by_unit.keys())), default=1)
            units = Unit.objects.filter(depth=depth)
        else:
            units = Unit.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
        return [self.by_unit[u.pk] for u in units.order_by("path") if u.pk in self.by_unit]


def _label(value: str) -> str:
    return value or NOT_RECORDED


def _impacted_q(programme: Programme | None) -> Q:
    if programme is not None:
        return impacted_q(programme)
    clauses = [impacted_q(p) for p in Programme.objects.exclude(status="closed")]
    return reduce(or_, clauses) if clauses else Q(pk__in=[])


def champions_for(programme: Programme | None, day: dt.date) -> Iterable[Champion]:
    qs = Champion.objects.active(day).filter(supports__active=True)
    if programme is not None:
        qs = qs.filter(supports__programme=programme)
    return qs.distinct()


def coverage(programme: Programme | None, day: dt.date | None = None) -> Coverage:
    """The programme's (or, with None, the portfolio's) coverage on a day."""
    on = day or timezone.localdate()
    target = target_ratio(programme)
    result = Coverage(programme, on, target)
    impacted_rows = (in_post(on).filter(_impacted_q(programme)).order_by()
                     .values_list("location", "shift_pattern", "unit_id", "rank_grade__kind").annotate(n=Count("pk")))
    champion_rows = list(Champion.objects.filter(pk__in=[c.pk for c in champions_for(programme, on)]).order_by()
                         .values_list("pk", "staff__location", "staff__shift_pattern", "staff__rank_grade__kind"))
    looked_after = Champion.units.through.objects.filter(champion_id__in=[row[0] for row in champion_rows]).values_list(
        "champion_id", "unit__path")

    site_shift: dict[tuple[str, str], Cell] = {}
    location: dict[str, Cell] = {}
    shift: dict[str, Cell] = {}
    role: dict[str, Cell] = {}
    impacted_per_unit: Counter[int] = Counter()

    def cell(store: dict, key: tuple[str, ...], label: str) -> Cell:
        found = store.get(key if len(key) > 1 else key[0])
        if found is None:
            found = Cell(key, label, target=target)
            store[key if len(key) > 1 else key[0]] = found
        return found

    for loc, shp, unit_id, kind, n in impacted_rows:
        group = kind if kind in KNOWN_GROUPS else RoleGroup.UNKNOWN
        cell(site_shift, (loc, shp), f"{_label(loc)}, {_label(shp)}").impacted += n
        cell(location, (loc,), _label(loc)).impacted += n
        cell(shift, (shp,), _label(shp)).impacted += n
        cell(role, (group,), RoleGroup(group).label).impacted += n
        impacted_per_unit[unit_id] += n
        result.impacted += n

    for _, loc, shp, kind in champion_rows:
        group = kind if kind in KNOWN_GROUPS else RoleGroup.UNKNOWN
        loc, shp = loc or "", shp or ""
        cell(site_shift, (loc, shp), f"{_label(loc)}, {_label(shp)}").champions += 1
        cell(location, (loc,), _label(loc)).champions += 1
        cell(shift, (shp,), _label(shp)).champions += 1
        cell(role, (group,), RoleGroup(group).label).champions += 1
    result.champions = len(champion_rows)

    # The unit tree: impacted people roll up to every ancestor; a champion
    # counts once in each unit at or above the units they look after.
    units = list(Unit.objects.order_by("path").values_list("pk", "path", "name"))
    by_path = {path: pk for pk, path, _ in units}
    step = Unit.steplen
    rolled: Counter[int] = Counter()
    path_of = {pk: path for pk, path, _ in units}
    for unit_id, n in impacted_per_unit.items():
        path = path_of.get(unit_id, "")
        for end in range(step, len(path) + 1, step):
            rolled[by_path[path[:end]]] += n
    champions_in: dict[int, set[int]] = defaultdict(set)
    for champion_id, path in looked_after:
        for end in range(step, len(path) + 1, step):
            champions_in[by_path[path[:end]]].add(champion_id)
    parents = {path[:-step] for _, path, _ in units if len(path) > step}
    for pk, path, name in units:
        if rolled[pk] or champions_in.get(pk):
            result.by_unit[pk] = Cell((str(pk),), name, rolled[pk], len(champions_in.get(pk, ())), target, unit_id=pk,
                                      has_children=path in parents)

    def ordered(store: dict) -> list[Cell]:
        return sorted(store.values(), key=lambda c: (not c.gap, -c.impacted, c.label))

    result.by_site_shift = ordered(site_shift)
    result.by_location = ordered(location)
    result.by_shift = ordered(shift)
    result.by_role_group = ordered(role)
    return result


# ---------------------------------------------------------------------------
# A gap's people and candidates


def split_slug(slug: str) -> tuple[str, str] | None:
    """A site-and-shift cell key from a query string; None if malformed."""
    parts = slug.split("|")
    if len(parts) != 2 or any(len(p) > 120 for p in parts) or "\x00" in slug:
        return None
    return parts[0], parts[1]


def uncovered_people(programme: Programme, location: str, shift_pattern: str, day: dt.date | None = None) -> Iterable[Staff]:
    """The impacted people of one site-and-shift cell (a gap's people)."""
    on = day or timezone.localdate()
    return (in_post(on).filter(impacted_q(programme)).filter(location=location, shift_pattern=shift_pattern)
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


def candidates(programme: Programme, location: str, shift_pattern: str, day: dt.date | None = None, limit: int = 10) -> list[Candidate]:
    """Who could champion a gap: staff in post at the same location on the
    same shift pattern, not already the programme's champion, not a leaver,
    and not already fully committed. Pool members with spare hours come
    first (they know the role), then people in the gap's own units (they
    live the change), then the rest of the site and shift."""
    on = day or timezone.localdate()
    gap_units = set(in_post(on).filter(impacted_q(programme)).filter(location=location, shift_pattern=shift_pattern)
                    .values_list("unit_id", flat=True).distinct())
    theirs = Champion.objects.filter(supports__programme=programme, supports__active=True,
                                     status__in=(Champion.Status.NOMINATED, Champion.Status.ACTIVE)).values("staff_id")
    pool = {c.staff_id: c for c in Champion.objects.filter(staff__location=location, staff__shift_pattern=shift_pattern)
            .exclude(status__in=(Champion.Status.DECLINED, Champion.Status.ENDED))}
    asked = hours_asked(c.pk for c in pool.values())
    full = {staff_id for staff_id, c in pool.items() if asked.get(c.pk, Decimal(0)) >= c.hours_agreed}
    people = (in_post(on).filter(location=location, shift_pattern=shift_pattern).exclude(pk__in=theirs).exclude(pk__in=full)
              .select_related("unit", "rank_grade"))
    in_pool = [s for s in people.filter(pk__in=list(pool)).order_by("last_name", "first_name", "pk")[:limit]]
    found = [Candidate(s, True, pool[s.pk].hours_agreed - asked.get(pool[s.pk].pk, Decimal(0)), s.unit_id in gap_units) for s in in_pool]
    if len(found) < limit:
        rest = people.exclude(pk__in=list(pool))
        near = list(rest.filter(unit_id__in=gap_units).order_by("last_name", "first_name", "pk")[: limit - len(found)])
        found += [Candidate(s, False, None, True) for s in near]
        if len(found) < limit:
            far = rest.exclude(unit_id__in=gap_units).order_by("last_name", "first_name", "pk")[: limit - len(found)]
            found += [Candidate(s, False, None, False) for s in far]
    return found


def all_gaps(day: dt.date | None = None, limit: int = 5) -> dict[int, list[tuple[Cell, list[Candidate]]]]:
    """Every programme's gaps with their candidates (the portfolio office's
    view, and the benchmark's "every programme" figure): the same
    suggestions as `candidates` for each gap, found in one pass. Calling
    `candidates` per gap costs several queries a gap (thousands of gaps at
    met scale); here the staff in post are read once (in the database's name
    order, so the picks are the same), the pool and its load once, and each
    programme adds its coverage and one grouped query for its gaps' units."""
    on = day or timezone.localdate()
    people_in: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for pk, loc, shp, unit_id in in_post(on).order_by("last_name", "first_name", "pk").values_list(
            "pk", "location", "shift_pattern", "unit_id"):
        people_in[(loc, shp)].append((pk, unit_id))
    pool = {staff_id: (pk, agreed) for pk, staff_id, agreed in Champion.objects.exclude(
        status__in=(Champion.Status.DECLINED, Champion.Status.ENDED)).values_list("pk", "staff_id", "hours_agreed")}
    asked = hours_asked(pk for pk, _ in pool.values())
    spare = {staff_id: agreed - asked.get(pk, Decimal(0)) for staff_id, (pk, agreed) in pool.items()}
    full = {staff_id for staff_id, hours in spare.items() if hours <= 0}
    theirs: dict[int, set[int]] = defaultdict(set)
    for programme_id, staff_id in Support.objects.filter(active=True, champion__status__in=(Champion.Status.NOMINATED, Champion.Status.ACTIVE)) \
            .values_list("programme_id", "champion__staff_id"):
        theirs[programme_id].add(staff_id)
    picked: dict[int, list[tuple[Cell, list[tuple[int, bool, bool]]]]] = {}
    for programme in Programme.objects.exclude(status="closed").order_by("code"):
        gaps = coverage(programme, on).gaps
        units_of: dict[tuple[str, str], set[int]] = defaultdict(set)
        if gaps:
            for loc, shp, unit_id in (in_post(on).filter(impacted_q(programme)).order_by().values_list("location", "shift_pattern", "unit_id")
                                      .distinct()):
                units_of[(loc, shp)].add(unit_id)
        rows = []
        for gap in gaps:
            cell_key = (gap.key[0], gap.key[1])
            gap_units = units_of.get(cell_key, set())
            people = [(pk, unit_id) for pk, unit_id in people_in.get(cell_key, ()) if pk not in theirs[programme.pk] and pk not in full]
            found = [(pk, True, unit_id in gap_units) for pk, unit_id in people if pk in pool][:limit]
            if len(found) < limit:
                rest = [(pk, unit_id) for pk, unit_id in people if pk not in pool]
                found += [(pk, False, True) for pk, unit_id in rest if unit_id in gap_units][: limit - len(found)]
                if len(found) < limit:
                    found += [(pk, False, False) for pk, unit_id in rest if unit_id not in gap_units][: limit - len(found)]
            rows.append((gap, found))
        picked[programme.pk] = rows
    staff = Staff.objects.select_related("unit", "rank_grade").in_bulk(
        {pk for rows in picked.values() for _, found in rows for pk, _, _ in found})
    return {pid: [(gap, [Candidate(staff[pk], in_pool, spare[pk] if in_pool else None, near) for pk, in_pool, near in found])
                  for gap, found in rows] for pid, rows in picked.items()}
