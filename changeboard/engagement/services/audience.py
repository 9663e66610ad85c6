"""Resolving a message's audience from the organisation model.

The audience is the union of its rules, resolved on the day (leavers out,
so a message approved in March and sent in April reaches April's staff):

- a unit: everyone at or below it (with a role group: only that group);
- a role group (officers, staff, volunteers, not recorded), within a unit
  if one is given, otherwise force-wide;
- the staff of an impact line, or of every line of an impact assessment
  (the lines' own rule: units, job roles, ranks or grades);
- a stakeholder: the person, the group it stands for, or, for an external
  person or a body, their contact address (`Contact.staff_id` is None);
- change champions: by the provider the network app registers
  (`register_champion_provider`): its active pool entries supporting the
  programme.

The whole resolution is one query on `Staff` (one OR of the rules' clauses),
so a 45,000-person audience costs one scan.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from changeboard.core.scoping import subtree_q
from changeboard.impacts.models import ImpactAssessment, ImpactLine
from changeboard.organisation.models import Staff, StaffQuerySet, Unit
from changeboard.portfolio.models import Programme
from changeboard.surveys.models import RoleGroup

from ..models import AudienceRule, Message, MessageReach, Stakeholder

Kind = AudienceRule.Kind

# The network app (above this one) registers who a programme's champions are.
ChampionProvider = Callable[[Programme, dt.date], Q]
_champion_providers: list[ChampionProvider] = []


def register_champion_provider(provider: ChampionProvider) -> None:
    """Say who a programme's champions are: `provider(programme, day)`
    returns a Q on `Staff` matching them on that day."""
    if provider not in _champion_providers:
        _champion_providers.append(provider)


def champions_q(programme: Programme, day: dt.date) -> Q:
    if _champion_providers:
        return reduce(or_, (provider(programme, day) for provider in _champion_providers))
    return Q(pk__in=[])  # nobody until the network app says who the champions are


def role_group_q(role_group: str, prefix: str = "") -> Q:
    """Staff in a role group (by their rank or grade's kind)."""
    if role_group == RoleGroup.UNKNOWN:
        known = [g for g in RoleGroup.values if g != RoleGroup.UNKNOWN]
        return Q(**{f"{prefix}rank_grade__isnull": True}) | ~Q(**{f"{prefix}rank_grade__kind__in": known})
    return Q(**{f"{prefix}rank_grade__kind": role_group})


def _group_q(unit_path: str | None, role_group: str) -> Q:
    """A unit's subtree, narrowed to a role group; with neither, nobody
    (an empty rule must never mean "the whole force")."""
    if not unit_path and not role_group:
        return Q(pk__in=[])
    q = subtree_q([unit_path], "unit__path") if unit_path else Q()
    if role_group:
        q &= role_group_q(role_group)
    return q


def _line_q(lines: list[ImpactLine]) -> Q:
    """The staff of impact lines, as `ImpactLine.staff_q` reaches them (each
    line unit with its subtree, narrowed by the line's job roles and ranks),
    written for speed at 45,000 staff: the subtrees become unit ids (the unit
    table is small) and lines with the same narrowing share one clause, so
    the database filters on `unit_id IN (...)` without joining the units."""
    if not lines:
        return Q(pk__in=[])
    units = sorted(Unit.objects.values_list("path", "pk"))
    paths = [path for path, _ in units]
    by_narrowing: dict[tuple[tuple[str, ...], tuple[int, ...]], set[int]] = defaultdict(set)
    for line in lines:
        reached = by_narrowing[(tuple(sorted(line.roles or [])), tuple(sorted(r.pk for r in line.rank_grades.all())))]
        for top in line.units.all():
            index = bisect_left(paths, top.path)
            while index < len(paths) and paths[index].startswith(top.path):
                reached.add(units[index][1])
                index += 1
    clauses = []
    for (roles, ranks), unit_ids in by_narrowing.items():
        q = Q(unit_id__in=sorted(unit_ids))
        if roles:
            q &= Q(role__in=roles)
        if ranks:
            q &= Q(rank_grade__in=ranks)
        clauses.append(q)
    return reduce(or_, clauses)


def impacted_q(programme: Programme | None = None, *, programme_ids: Sequence[int] = ()) -> Q:
    """The staff the approved impact assessments of a programme (or of all
    the `programme_ids`, in one read) reach, before leavers are taken out:
    combine with `in_post`."""
    ids = [programme.pk] if programme is not None else list(programme_ids)
    lines = list(ImpactLine.objects.filter(assessment__programme_id__in=ids, assessment__status=ImpactAssessment.Status.APPROVED)
                 .prefetch_related("units", "rank_grades"))
    return _line_q(lines)


@dataclass(frozen=True)
class Contact:
    """Someone a message goes to that is not on the HR record."""

    stakeholder_id: int
    name: str
    email: str


def rule_q(rule: AudienceRule, day: dt.date) -> tuple[Q, Contact | None]:
    """The `Staff` clause of one rule, or an external contact."""
    kind = rule.kind
    if kind in (Kind.UNIT, Kind.ROLE_GROUP):
        if (kind == Kind.UNIT and not rule.unit_id) or (kind == Kind.ROLE_GROUP and not rule.role_group):
            return Q(pk__in=[]), None
        return _group_q(rule.unit.path if rule.unit_id else None, rule.role_group), None  # type: ignore[union-attr]
    if kind == Kind.IMPACT_LINE:
        return (_line_q([rule.impact_line]) if rule.impact_line_id else Q(pk__in=[])), None  # type: ignore[list-item]
    if kind == Kind.ASSESSMENT:
        lines = list(ImpactLine.objects.filter(assessment_id=rule.impact_assessment_id).prefetch_related("units", "rank_grades"))
        return _line_q(lines), None
    if kind == Kind.CHAMPIONS:
        return champions_q(rule.message.programme, day), None
    stakeholder: Stakeholder | None = rule.stakeholder
    if stakeholder is None or not stakeholder.active:
        return Q(pk__in=[]), None
    if stakeholder.kind == Stakeholder.Kind.PERSON:
        return (Q(pk=stakeholder.staff_id) if stakeholder.staff_id else Q(pk__in=[])), None
    if stakeholder.kind == Stakeholder.Kind.GROUP and stakeholder.group_kind in (Stakeholder.GroupKind.UNIT, Stakeholder.GroupKind.ROLE_GROUP):
        return _group_q(stakeholder.unit.path if stakeholder.unit_id else None, stakeholder.role_group), None  # type: ignore[union-attr]
    if stakeholder.email:
        return Q(pk__in=[]), Contact(stakeholder.pk, stakeholder.display_name, stakeholder.email)
    return Q(pk__in=[]), None


def audience_q(message: Message, day: dt.date | None = None) -> tuple[Q, list[Contact]]:
    """The message's audience as one clause on `Staff`, plus external contacts."""
    on = day or timezone.localdate()
    rules = message.audience_rules.select_related("unit", "impact_line", "stakeholder__unit", "message__programme")
    clauses: list[Q] = []
    contacts: list[Contact] = []
    for rule in rules:
        if rule.kind == Kind.IMPACT_LINE and rule.impact_line_id:
            rule.impact_line = ImpactLine.objects.prefetch_related("units", "rank_grades").get(pk=rule.impact_line_id)
        q, contact = rule_q(rule, on)
        clauses.append(q)
        if contact:
            contacts.append(contact)
    q = reduce(or_, clauses) if clauses else Q(pk__in=[])
    return q, sorted(set(contacts), key=lambda c: c.stakeholder_id)


def in_post(on: dt.date) -> StaffQuerySet:
    """Staff in post on the day: leavers out (`Staff.current`), and a
    starter whose start date is still to come not yet in."""
    return Staff.objects.current(on).filter(Q(start_date__isnull=True) | Q(start_date__lte=on))


def audience_staff(message: Message, day: dt.date | None = None) -> StaffQuerySet:
    """The staff the message reaches on the day (in post, leavers out)."""
    on = day or timezone.localdate()
    q, _ = audience_q(message, on)
    return in_post(on).filter(pk__in=Staff.objects.filter(q).values("pk"))


def audience_counts(message: Message, day: dt.date | None = None) -> tuple[int, Counter[int], list[Contact]]:
    """(people, headcount per unit id, external contacts)."""
    on = day or timezone.localdate()
    q, contacts = audience_q(message, on)
    # Counted in the database (a 45,000-person audience is a few hundred rows here).
    people = in_post(on).filter(pk__in=Staff.objects.filter(q).values("pk"))
    per_unit: Counter[int] = Counter(dict(people.order_by().values("unit_id").annotate(n=Count("pk")).values_list("unit_id", "n")))
    return sum(per_unit.values()) + len(contacts), per_unit, contacts


@transaction.atomic
def reach_refresh(message: Message, day: dt.date | None = None) -> int:
    """Re-resolve the audience: `MessageReach` per unit and `audience_size`.
    Called by every service that changes a message or its rules (not a user
    action, so no audit row of its own)."""
    size, per_unit, _ = audience_counts(message, day)
    MessageReach.objects.filter(message=message).delete()
    MessageReach.objects.bulk_create([MessageReach(message=message, unit_id=u, headcount=n) for u, n in per_unit.items()], batch_size=1000)
    Message.objects.filter(pk=message.pk).update(audience_size=size)
    message.audience_size = size
    return size
