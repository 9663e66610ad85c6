"""Champion activities: what champions did (logged by the champion) or are
planned to do (planned by a change manager of the programme), and the
**reach** of the done ones per unit against the impacted headcount.

Rules every write follows (each raises a `ValidationError` naming the field,
or `PermissionDenied` for the wrong person):

- a champion acts only on their own activities, a change manager only on
  their programmes' (`may_act`); an admin (and the system, `actor=None`) on
  any;
- the unit is one the champion looks after (at or below their `units`);
- the programme is one the champion actively supports (`Support.active`);
- a done activity's date is not in the future; a planned one's is today or
  later;
- only a planned activity is completed (with the people actually reached and
  the minutes spent) or cancelled; a cancelled one is not changed.

A planned activity tells the champion through `core.outbox`, with a stable
key (`net-activity-planned-<pk>`), so repeating the step never doubles it.

Reach counts **contacts**, not people: a person at two briefings counts
twice. It is shown as it is, against the impacted headcount, never capped.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from changeboard.accounts.models import Role, User
from changeboard.core import audit
from changeboard.core.outbox import outbox_add
from changeboard.core.scoping import CHANGE, subtree_q
from changeboard.engagement.services.audience import impacted_q, in_post
from changeboard.organisation.models import Unit
from changeboard.portfolio.models import Programme

from ..models import Activity, Champion
from .champions import champion_entry, supported  # noqa: F401  (re-exported for the views, forms and API)

Status = Activity.Status
Kind = Activity.Kind
MAX_PEOPLE = 100000
MAX_MINUTES = 24 * 60
REACH_DAYS = 90
UPDATABLE = ("kind", "date", "unit", "people_reached", "minutes", "notes")


# ---------------------------------------------------------------------------
# Who may act


def manages(actor: User, programme_id: int) -> bool:
    return actor.role == Role.CHANGE_MANAGER and actor.programmes.filter(pk=programme_id).exists()


def may_act(actor: User | None, activity: Activity) -> bool:
    """Admins and the system; the champion on their own; a change manager
    on their programmes'."""
    if actor is None or actor.role == Role.ADMIN:
        return True
    if actor.role == Role.CHAMPION:
        return activity.champion.user_id == actor.pk
    return manages(actor, activity.programme_id)


def _require(actor: User | None, activity: Activity) -> None:
    if not may_act(actor, activity):
        raise PermissionDenied("Only the champion, or a change manager of the programme, may change this activity.")


def changeable(user: Any) -> QuerySet[Activity]:
    """The activities the user may change: the model's change scope, and for
    a champion only their own (their units may hold others')."""
    qs = Activity.objects.restrict(user, CHANGE)
    if getattr(user, "role", None) == Role.CHAMPION:
        qs = qs.filter(champion__user=user)
    return qs


# ---------------------------------------------------------------------------
# Choices the forms and the API offer (and the rules check)


def looked_after(champion: Champion) -> QuerySet[Unit]:
    """The units at or below those the champion looks after."""
    paths = list(champion.units.values_list("path", flat=True))
    return Unit.objects.filter(subtree_q(paths)).order_by("path")


def default_unit(champion: Champion) -> Unit | None:
    """Their own unit if they look after it, else the first they look after."""
    units = looked_after(champion)
    if units.filter(pk=champion.staff.unit_id).exists():
        return champion.staff.unit
    return units.first()


def plannable_champions(actor: User) -> QuerySet[Champion]:
    """Active champions supporting a programme the actor manages (any for an admin)."""
    qs = Champion.objects.active().filter(supports__active=True)
    if actor.role != Role.ADMIN:
        qs = qs.filter(supports__programme__in=actor.programmes.all())
    return qs.select_related("staff").distinct().order_by("staff__last_name", "staff__first_name", "pk")


# ---------------------------------------------------------------------------
# Checks


def _check_numbers(people_reached: int, minutes: int) -> None:
    errors: dict[str, str] = {}
    if people_reached is None or people_reached < 0 or people_reached > MAX_PEOPLE:
        errors["people_reached"] = f"Enter a number of people from 0 to {MAX_PEOPLE:,}."
    if minutes is None or minutes < 0 or minutes > MAX_MINUTES:
        errors["minutes"] = f"Enter the minutes spent, from 0 to {MAX_MINUTES} (a day)."
    if errors:
        raise ValidationError(errors)


def _check_date(status: str, date: dt.date) -> None:
    today = timezone.localdate()
    if status == Status.DONE and date > today:
        raise ValidationError({"date": "A done activity cannot be in the future: plan it instead."})
    if status == Status.PLANNED and date < today:
        raise ValidationError({"date": "A planned activity must be today or later."})


def _check_unit(champion: Champion, unit: Unit) -> None:
    if not looked_after(champion).filter(pk=unit.pk).exists():
        raise ValidationError({"unit": "Choose a unit the champion looks after."})


def _check_programme(champion: Champion, programme: Programme) -> None:
    if not supported(champion).filter(pk=programme.pk).exists():
        raise ValidationError({"programme": "Choose a programme the champion supports."})


def _check_kind(kind: str) -> None:
    if kind not in Kind.values:
        raise ValidationError({"kind": "Choose what kind of activity it was."})


# ---------------------------------------------------------------------------
# Writes


@transaction.atomic
def activity_log(*, champion: Champion, programme: Programme, kind: str, date: dt.date, unit: Unit, actor: User | None,
                 people_reached: int = 0, minutes: int = 0, notes: str = "") -> Activity:
    """A champion logs what they did (done)."""
    if actor is not None and actor.role != Role.ADMIN and champion.user_id != actor.pk:
        raise PermissionDenied("A champion logs only their own activities.")
    if not Champion.objects.active().filter(pk=champion.pk).exists():
        raise ValidationError("Only an active champion can log activities.")
    _check_kind(kind)
    _check_date(Status.DONE, date)
    _check_programme(champion, programme)
    _check_unit(champion, unit)
    _check_numbers(people_reached, minutes)
    activity = Activity.objects.create(champion=champion, programme=programme, kind=kind, status=Status.DONE, date=date, unit=unit,
                                       people_reached=people_reached, minutes=minutes, notes=notes.strip(), created_by=actor)
    audit.record(actor=actor, action="create", obj=activity, after=audit.snapshot(activity))
    return activity


def planned_key(activity: Activity) -> str:
    return f"net-activity-planned-{activity.pk}"


def _tell_planned(activity: Activity) -> None:
    champion = activity.champion
    address = champion.user.email if champion.user and champion.user.email else champion.staff.email
    if not address:
        return
    link = settings.SITE_URL + reverse("activity-detail", args=[activity.pk])
    planner = activity.planned_by.get_full_name() if activity.planned_by else "The programme"
    body = (f"Dear {champion.staff.first_name},\n\n"
            f"{planner or 'The programme'} has planned an activity with you for {activity.programme.name}:\n\n"
            f"  {activity.get_kind_display()} on {activity.date:%A %d %B %Y}\n"
            f"  Where: {activity.unit.name}\n"
            + (f"  Notes: {activity.notes}\n" if activity.notes else "")
            + f"\nSee it, and mark it done afterwards, here:\n{link}\n")
    outbox_add(key=planned_key(activity), kind="network", to_address=address,
               subject=f"{activity.programme.code}: {activity.get_kind_display()} planned for {activity.date:%d %b %Y}", body=body)


@transaction.atomic
def activity_plan(*, champion: Champion, programme: Programme, kind: str, date: dt.date, actor: User | None,
                  unit: Unit | None = None, people_reached: int = 0, minutes: int = 0, notes: str = "") -> Activity:
    """A change manager of the programme plans an activity for one of its
    champions; the champion is told by email."""
    if actor is not None and actor.role != Role.ADMIN and not manages(actor, programme.pk):
        raise PermissionDenied("Only the programme's change managers may plan its champions' activities.")
    if not Champion.objects.active().filter(pk=champion.pk).exists():
        raise ValidationError({"champion": "Choose an active champion."})
    _check_kind(kind)
    _check_date(Status.PLANNED, date)
    _check_programme(champion, programme)
    place = unit or default_unit(champion)
    if place is None:
        raise ValidationError({"unit": "The champion looks after no unit yet."})
    _check_unit(champion, place)
    _check_numbers(people_reached, minutes)
    activity = Activity.objects.create(champion=champion, programme=programme, kind=kind, status=Status.PLANNED, date=date, unit=place,
                                       people_reached=people_reached, minutes=minutes, notes=notes.strip(), planned_by=actor,
                                       created_by=actor)
    audit.record(actor=actor, action="create", obj=activity, after=audit.snapshot(activity))
    _tell_planned(activity)
    return activity


@transaction.atomic
def activity_update(*, activity: Activity, actor: User | None, **fields: Any) -> Activity:
    """Change an activity's kind, date, unit, numbers or notes (not its
    champion, programme or status)."""
    unknown = set(fields) - set(UPDATABLE)
    if unknown:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    _require(actor, activity)
    if activity.status == Status.CANCELLED:
        raise ValidationError("A cancelled activity cannot be changed.")
    before = audit.snapshot(activity)
    for name, value in fields.items():
        setattr(activity, name, value.strip() if name == "notes" and isinstance(value, str) else value)
    _check_kind(activity.kind)
    if "date" in fields:
        _check_date(activity.status, activity.date)
    if "unit" in fields:
        _check_unit(activity.champion, activity.unit)
    _check_numbers(activity.people_reached, activity.minutes)
    activity.save()
    after = audit.snapshot(activity)
    if before != after:
        audit.record(actor=actor, action="update", obj=activity, before=before, after=after)
    return activity


@transaction.atomic
def activity_complete(*, activity: Activity, people_reached: int, minutes: int, actor: User | None,
                      date: dt.date | None = None, notes: str | None = None) -> Activity:
    """A planned activity is done: the people actually reached and the
    minutes spent (by the champion, or a change manager of the programme,
    such as its planner). The day defaults to the planned day, or today if
    that is still to come."""
    _require(actor, activity)
    if activity.status != Status.PLANNED:
        raise ValidationError("Only a planned activity can be marked done.")
    today = timezone.localdate()
    day = date or min(activity.date, today)
    _check_date(Status.DONE, day)
    _check_numbers(people_reached, minutes)
    before = audit.snapshot(activity)
    activity.status, activity.date = Status.DONE, day
    activity.people_reached, activity.minutes = people_reached, minutes
    if notes is not None and notes.strip():
        activity.notes = notes.strip()
    activity.save()
    audit.record(actor=actor, action="update", obj=activity, before=before, after=audit.snapshot(activity))
    return activity


@transaction.atomic
def activity_cancel(*, activity: Activity, actor: User | None, reason: str = "") -> Activity:
    """A planned activity will not happen (kept, marked cancelled)."""
    _require(actor, activity)
    if activity.status != Status.PLANNED:
        raise ValidationError("Only a planned activity can be cancelled.")
    before = audit.snapshot(activity)
    activity.status = Status.CANCELLED
    if reason.strip():
        activity.notes = f"{activity.notes}\nCancelled: {reason.strip()}".strip()
    activity.save(update_fields=["status", "notes"])
    audit.record(actor=actor, action="update", obj=activity, before=before, after=audit.snapshot(activity))
    return activity


# ---------------------------------------------------------------------------
# Reach


@dataclass
class ReachRow:
    unit_id: int
    label: str
    impacted: int = 0
    contacts: int = 0
    activities: int = 0
    has_children: bool = False

    @property
    def percent(self) -> int | None:
        """Contacts as a percentage of the impacted (may pass 100: contacts
        double-count people); None with nobody impacted."""
        return round(100 * self.contacts / self.impacted) if self.impacted else None

    @property
    def bar(self) -> int:
        """The bar's width in percent (the bar stops at 100; the figure does not)."""
        return min(self.percent or 0, 100)


@dataclass
class Reach:
    programme: Programme | None
    start: dt.date
    end: dt.date
    parent: Unit | None
    rows: list[ReachRow]
    impacted: int
    contacts: int
    activities: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.contacts / self.impacted) if self.impacted else None


def _impacted(programmes: Iterable[Programme]) -> Q:
    clauses = [impacted_q(p) for p in programmes]
    return reduce(or_, clauses) if clauses else Q(pk__in=[])


def reach(activities: QuerySet[Activity], programmes: Iterable[Programme], units: QuerySet[Unit], *, parent: Unit | None = None,
          start: dt.date | None = None, end: dt.date | None = None, programme: Programme | None = None) -> Reach:
    """Contacts made by the done `activities` (already scoped) between
    `start` and `end` (default: the last 90 days), per unit one level below
    `parent` (the top of `units` without one), against the people in post
    that `programmes`' approved impact assessments reach. Every figure is a
    unit's whole subtree. `units` are those the reader may see."""
    end = end or timezone.localdate()
    start = start or end - dt.timedelta(days=REACH_DAYS)
    done = activities.filter(status=Status.DONE, date__gte=start, date__lte=end)
    if programme is not None:
        done = done.filter(programme=programme)
    contact_rows = done.order_by().values_list("unit_id").annotate(n=Sum("people_reached"), c=Count("pk"))
    impacted_rows = in_post(end).filter(_impacted(programmes)).order_by().values_list("unit_id").annotate(n=Count("pk"))

    step = Unit.steplen
    tree = list(Unit.objects.order_by("path").values_list("pk", "path", "name", "depth"))
    path_of = {pk: path for pk, path, _, _ in tree}
    by_path = {path: pk for pk, path, _, _ in tree}
    impacted: Counter[int] = Counter()
    contacts: Counter[int] = Counter()
    count: Counter[int] = Counter()

    def roll(store: Counter[int], unit_id: int, n: int) -> None:
        path = path_of.get(unit_id, "")
        for stop in range(step, len(path) + 1, step):
            store[by_path[path[:stop]]] += n

    for unit_id, n in impacted_rows:
        roll(impacted, unit_id, n)
    for unit_id, n, c in contact_rows:
        roll(contacts, unit_id, n or 0)
        roll(count, unit_id, c)

    visible = set(units.values_list("pk", flat=True))
    parents = {path[:-step] for _, path, _, _ in tree if len(path) > step}
    with_data = [(pk, path, name, depth) for pk, path, name, depth in tree if pk in visible and (impacted[pk] or count[pk])]
    if parent is not None:
        level = [u for u in with_data if u[1].startswith(parent.path) and u[3] == parent.depth + 1]
    else:
        top = min((u[3] for u in with_data), default=1)
        level = [u for u in with_data if u[3] == top]
    rows = [ReachRow(pk, name, impacted[pk], contacts[pk], count[pk], has_children=path in parents) for pk, path, name, _ in level]
    if parent is not None:
        total_i, total_c, total_n = impacted[parent.pk], contacts[parent.pk], count[parent.pk]
    else:
        total_i, total_c, total_n = (sum(r.impacted for r in rows), sum(r.contacts for r in rows), sum(r.activities for r in rows))
    return Reach(programme, start, end, parent, rows, total_i, total_c, total_n)
