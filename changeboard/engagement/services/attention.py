"""One attention budget across the portfolio (issue 13, Deliver 5).

For a unit U and ISO week W (Monday to Sunday, Europe/London), the items
asking for the attention of U's staff that week, across every programme:

- engagement **messages** for approval, approved or sent (never drafts or
  cancelled ones), planned in W, whose `MessageReach` has people in U (any
  channel: email, post, briefing, cascade, event);
- **survey waves** whose invitations went to people in U in W (one item
  per wave, however many people or invitations), and waves scheduled to
  open in W and not yet sent, aimed at U or a unit above it (their chosen
  units; a wave whose audience is the impact assessments counts once sent);
- cutover **communication tasks** of a (non-template, not abandoned)
  runbook aimed at U or a unit above it, in the week of the task's fixed
  start (`not_before`) or else of the runbook's planned start (its window).

Messages and invitations are counted where the people are (a force-wide
message has reach in every team with staff, so every team counts it);
survey units and cutover audience units are targets, so a task aimed at a
borough counts in each of its teams. That per-unit figure is the unit's
**own** count, compared with `EngagementPolicy.weekly_limit`. A row of the
heatmap at a higher level (a command, a borough) shows its **busiest unit**:
the highest own count at or below it, so "over the limit" always means some
team really is.

Everything is counted in the database (GROUP BY unit and week over the
reach and invitation tables): the cost grows with units x weeks, not with
the people reached.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, DateField, Min, Q
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from changeboard.core import audit
from changeboard.cutover.models import Runbook, Task
from changeboard.organisation.models import Unit
from changeboard.surveys.models import Invitation, SurveyWave

from ..models import EngagementPolicy, Message, MessageReach

LONDON = ZoneInfo("Europe/London")
COUNTED = (Message.Status.FOR_APPROVAL, Message.Status.APPROVED, Message.Status.SENT)
MAX_WEEKS = 52

MESSAGE, SURVEY, CUTOVER = "message", "survey", "cutover"
KIND_LABELS = {MESSAGE: "Message", SURVEY: "Survey invitation", CUTOVER: "Cutover communication"}


# ---------------------------------------------------------------------------
# Weeks


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def week_label(week: dt.date) -> str:
    year, number, _ = week.isocalendar()
    return f"{year}-W{number:02d}"


_ISO_WEEK = re.compile(r"\A([0-9]{4})-W([0-9]{2})\Z")


def parse_week(value: Any) -> dt.date | None:
    """The Monday of an ISO week written `2026-W49` (or of the week holding an
    ISO date `2026-12-02`); None for anything else."""
    if isinstance(value, dt.date):
        return monday(value)
    if not isinstance(value, str) or len(value) > 10:
        return None
    match = _ISO_WEEK.match(value)
    if match:
        try:
            return dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
        except ValueError:
            return None
    from changeboard.core.params import parse_date

    day = parse_date(value)
    return monday(day) if day else None


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment, LONDON).date()


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=LONDON)


# ---------------------------------------------------------------------------
# The unit tree, sorted by materialised path: a subtree is a contiguous range.


@dataclass
class Tree:
    ids: list[int]
    paths: list[str]
    index: dict[int, int]

    @classmethod
    def load(cls) -> Tree:
        rows = list(Unit.objects.order_by("path").values_list("pk", "path"))
        return cls([r[0] for r in rows], [r[1] for r in rows], {pk: i for i, (pk, _) in enumerate(rows)})

    def subtree(self, path: str) -> range:
        """Indexes of the units at or below `path`."""
        lo = bisect_left(self.paths, path)
        hi = bisect_left(self.paths, path + "\uffff")
        return range(lo, hi)

    def covered(self, target_paths: Iterable[str]) -> set[int]:
        """Indexes of the units a target reaches: each target and everything below it."""
        found: set[int] = set()
        for path in target_paths:
            found.update(self.subtree(path))
        return found


# ---------------------------------------------------------------------------
# The grid: own counts per unit and week, counted in the database.


@dataclass
class Grid:
    """Own counts for every unit (tree order) in every week of the range."""

    tree: Tree
    weeks: list[dt.date]
    counts: list[list[int]]  # [unit index][week index]
    limit: int

    def own(self, unit_id: int, week: dt.date) -> int:
        i = self.tree.index.get(unit_id)
        if i is None or week not in self._week_index:
            return 0
        return self.counts[i][self._week_index[week]]

    def busiest(self, path: str) -> list[int]:
        """Per week: the highest own count at or below the unit with this path."""
        span = self.tree.subtree(path)
        result = [0] * len(self.weeks)
        for i in span:
            row = self.counts[i]
            for w, n in enumerate(row):
                if n > result[w]:
                    result[w] = n
        return result

    def __post_init__(self) -> None:
        self._week_index = {w: i for i, w in enumerate(self.weeks)}


def _weeks(start: dt.date, count: int) -> list[dt.date]:
    first = monday(start)
    return [first + dt.timedelta(weeks=i) for i in range(max(1, min(count, MAX_WEEKS)))]


def _programme_q(programmes: Sequence[int] | None, path: str) -> Q:
    return Q(**{f"{path}__in": list(programmes)}) if programmes else Q()


def _as_date(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def grid(start: dt.date, weeks: int, programmes: Sequence[int] | None = None, tree: Tree | None = None) -> Grid:
    """Own counts per unit and week from `start`'s week for `weeks` weeks."""
    tree = tree or Tree.load()
    week_list = _weeks(start, weeks)
    first, end = week_list[0], week_list[-1] + dt.timedelta(days=6)
    w_index = {w: i for i, w in enumerate(week_list)}
    counts = [[0] * len(week_list) for _ in tree.ids]

    def add(unit_id: int, week: Any, n: int) -> None:
        i, w = tree.index.get(unit_id), w_index.get(monday(_as_date(week)))
        if i is not None and w is not None:
            counts[i][w] += n

    # Messages, where their people are: (message, unit) is unique, so a count of reach rows is a count of messages.
    reach = (MessageReach.objects.filter(message__status__in=COUNTED, message__planned_on__range=(first, end))
             .filter(_programme_q(programmes, "message__programme"))
             .annotate(week=TruncWeek("message__planned_on", output_field=DateField()))
             .values("unit_id", "week").annotate(n=Count("id")).order_by().values_list("unit_id", "week", "n"))
    for unit_id, week, n in reach:
        add(unit_id, week, n)

    # Survey invitations: distinct waves per unit and week (never per person).
    through = Invitation.waves.through
    invited = (through.objects.filter(invitation__sent_on__range=(first, end))  # type: ignore[misc]  # django-stubs cannot follow an annotation on an auto-created through model
               .filter(_programme_q(programmes, "surveywave__programme"))
               .annotate(week=TruncWeek("invitation__sent_on", output_field=DateField()))
               .values("invitation__unit_id", "week").annotate(n=Count("surveywave_id", distinct=True)).order_by()
               .values_list("invitation__unit_id", "week", "n"))
    for unit_id, week, n in invited:
        add(unit_id, week, n)

    # Targeted items (scheduled waves, cutover communications): expand each over its units' subtrees.
    for item in _targeted(first, end, programmes):
        w = w_index.get(monday(item.day))
        if w is None:
            continue
        for i in tree.covered(item.target_paths):
            counts[i][w] += 1
    return Grid(tree, week_list, counts, EngagementPolicy.current().weekly_limit)


# ---------------------------------------------------------------------------
# Items: what is behind a count.


@dataclass
class Item:
    kind: str  # MESSAGE, SURVEY, CUTOVER
    pk: int
    day: dt.date
    title: str
    programme_id: int | None
    programme_code: str
    programme_name: str
    channel: str
    unit_ids: set[int] = field(default_factory=set)  # people-located reach
    target_paths: list[str] = field(default_factory=list)  # targets (with everything below them)
    headcount: int = 0

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.pk)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def week(self) -> dt.date:
        return monday(self.day)

    def reaches(self, unit: Unit) -> bool:
        """Whether it asks for the attention of the unit's own staff."""
        return unit.pk in self.unit_ids or any(unit.path.startswith(p) for p in self.target_paths)

    def reaches_within(self, unit: Unit, paths: dict[int, str]) -> bool:
        """Whether it reaches anyone at or below the unit."""
        return (any(paths.get(u, "").startswith(unit.path) for u in self.unit_ids)
                or any(unit.path.startswith(p) or p.startswith(unit.path) for p in self.target_paths))


def _targeted(first: dt.date, end: dt.date, programmes: Sequence[int] | None) -> list[Item]:
    """Scheduled (unsent) survey waves and cutover communication tasks in the
    range, with their target units' paths."""
    items: dict[tuple[str, int], Item] = {}
    waves = (SurveyWave.units.through.objects
             .filter(surveywave__status=SurveyWave.Status.SCHEDULED, surveywave__sent_at__isnull=True,
                      surveywave__opens_on__range=(first, end))
             .filter(_programme_q(programmes, "surveywave__programme"))
             .values_list("surveywave_id", "surveywave__opens_on", "surveywave__title", "surveywave__programme_id",
                          "surveywave__programme__code", "surveywave__programme__name", "unit__path"))
    for pk, day, title, pid, code, name, path in waves:
        item = items.setdefault((SURVEY, pk), Item(SURVEY, pk, day, title, pid, code, name, "Survey (scheduled)"))
        item.target_paths.append(path)

    tasks = (Task.audience_units.through.objects  # type: ignore[misc]  # django-stubs cannot follow an annotation on an auto-created through model
             .filter(task__kind=Task.Kind.COMMUNICATION, task__runbook__is_template=False)
             .exclude(task__runbook__mode=Runbook.Mode.ABANDONED)
             .annotate(when=Coalesce("task__not_before", "task__runbook__planned_start"))
             .filter(when__gte=_day_start(first), when__lt=_day_start(end + dt.timedelta(days=1)))
             .filter(_programme_q(programmes, "task__runbook__programme"))
             .values_list("task_id", "when", "task__ref", "task__title", "task__runbook__programme_id",
                          "task__runbook__programme__code", "task__runbook__programme__name", "unit__path"))
    for pk, when, ref, title, pid, code, name, path in tasks:
        item = items.setdefault((CUTOVER, pk), Item(CUTOVER, pk, local_day(when), f"{ref} {title}", pid, code, name, "Cutover communication"))
        item.target_paths.append(path)
    return list(items.values())


def week_items(week: dt.date, programmes: Sequence[int] | None = None, unit_ids: Iterable[int] | None = None) -> list[Item]:
    """Every item in one week with where it lands. With `unit_ids`, the
    people-located reach is read only for those units (the targeted items
    are always read whole: they are few)."""
    first = monday(week)
    end = first + dt.timedelta(days=6)
    units = list(unit_ids) if unit_ids is not None else None
    items: dict[tuple[str, int], Item] = {}

    reach = (MessageReach.objects.filter(message__status__in=COUNTED, message__planned_on__range=(first, end))
             .filter(_programme_q(programmes, "message__programme")))
    if units is not None:
        reach = reach.filter(unit_id__in=units)
    for pk, unit_id, n, day, title, channel, pid, code, name in reach.values_list(
            "message_id", "unit_id", "headcount", "message__planned_on", "message__title", "message__channel",
            "message__programme_id", "message__programme__code", "message__programme__name"):
        item = items.setdefault((MESSAGE, pk), Item(MESSAGE, pk, day, title, pid, code, name, Message.Channel(channel).label))
        item.unit_ids.add(unit_id)
        item.headcount += n

    through = Invitation.waves.through
    invited = (through.objects.filter(invitation__sent_on__range=(first, end))
               .filter(_programme_q(programmes, "surveywave__programme")))
    if units is not None:
        invited = invited.filter(invitation__unit_id__in=units)
    for pk, unit_id, n, day, title, pid, code, name in (
            invited.values("surveywave_id", "invitation__unit_id")  # type: ignore[misc]  # django-stubs cannot follow an annotation on an auto-created through model
            .annotate(n=Count("invitation_id"), day=Min("invitation__sent_on"))
            .order_by()
            .values_list("surveywave_id", "invitation__unit_id", "n", "day", "surveywave__title", "surveywave__programme_id",
                         "surveywave__programme__code", "surveywave__programme__name")):
        item = items.setdefault((SURVEY, pk), Item(SURVEY, pk, day, title, pid, code, name, "Survey invitation"))
        item.unit_ids.add(unit_id)
        item.headcount += n
        item.day = min(item.day, day)

    for item in _targeted(first, end, programmes):
        items.setdefault(item.key, item)
    return sorted(items.values(), key=lambda i: (i.day, i.programme_code, i.kind, i.title, i.pk))


# ---------------------------------------------------------------------------
# A cell of the heatmap.


@dataclass
class Cell:
    unit: Unit
    week: dt.date
    limit: int
    own: int  # items reaching the unit's own staff
    busiest: int  # the highest own count at or below the unit
    items: list[Item]  # items reaching anyone at or below the unit
    over_units: list[tuple[Unit, int]]  # units at or below over the limit, busiest first

    @property
    def over(self) -> bool:
        return self.busiest > self.limit


def cell(unit: Unit, week: dt.date, programmes: Sequence[int] | None = None, visible_units: Any = None) -> Cell:
    """The drill-down of one unit-week. `visible_units` (a queryset) narrows
    the over-limit units listed to those the user may see."""
    week = monday(week)
    g = grid(week, 1, programmes)
    span = g.tree.subtree(unit.path)
    sub_ids = [g.tree.ids[i] for i in span]
    paths = {g.tree.ids[i]: g.tree.paths[i] for i in span}
    items = [item for item in week_items(week, programmes, unit_ids=sub_ids) if item.reaches_within(unit, paths)]
    over_ids = {g.tree.ids[i]: g.counts[i][0] for i in span if g.counts[i][0] > g.limit}
    over_units: list[tuple[Unit, int]] = []
    if over_ids:
        qs = Unit.objects.filter(pk__in=list(over_ids))
        if visible_units is not None:
            qs = qs.filter(pk__in=visible_units.values("pk"))
        over_units = sorted(((u, over_ids[u.pk]) for u in qs), key=lambda p: (-p[1], p[0].path))
    return Cell(unit, week, g.limit, g.own(unit.pk, week), max(g.busiest(unit.path)), items, over_units)


# ---------------------------------------------------------------------------
# The approval warning and the suggestion to combine.


@dataclass
class AttentionWarning:
    """A team the message would take over the weekly limit."""

    unit: Unit
    week: dt.date
    count: int  # including this message once
    limit: int
    others: list[Item]

    @property
    def week_label(self) -> str:
        return week_label(self.week)


@dataclass
class Suggestion:
    """Another programme's message in the same week reaching part of this audience."""

    message: Message
    share: float  # of this message's reached people, the part in units the other also reaches (0..1)
    people: int
    units: int

    @property
    def percent(self) -> int:
        return round(self.share * 100)


def approval_warnings(message: Message) -> list[AttentionWarning]:
    """For each unit the message reaches: a warning when its own count in the
    message's week, counting this message once, is over the limit. Busiest
    first, then by place in the tree."""
    reach_units = set(MessageReach.objects.filter(message=message).values_list("unit_id", flat=True))
    if not reach_units:
        return []
    week = monday(message.planned_on)
    g = grid(week, 1)
    counted_already = message.status in COUNTED
    over: dict[int, int] = {}
    for unit_id in reach_units:
        n = g.own(unit_id, week) + (0 if counted_already else 1)
        if n > g.limit:
            over[unit_id] = n
    if not over:
        return []
    units = {u.pk: u for u in Unit.objects.filter(pk__in=list(over))}
    items = [i for i in week_items(week, unit_ids=list(over)) if i.key != (MESSAGE, message.pk)]
    warnings = [AttentionWarning(unit, week, over[unit.pk], g.limit, [i for i in items if i.reaches(unit)]) for unit in units.values()]
    return sorted(warnings, key=lambda w: (-w.count, w.unit.path))


def combine_suggestions(message: Message, limit: int = 10) -> list[Suggestion]:
    """Other programmes' messages (for approval, approved or sent) planned in
    the same week whose reach overlaps this message's: best first (the
    largest share of this audience covered)."""
    mine = dict(MessageReach.objects.filter(message=message).values_list("unit_id", "headcount"))
    total = sum(mine.values())
    if not total:
        return []
    week = monday(message.planned_on)
    rows = (MessageReach.objects.filter(unit_id__in=list(mine), message__status__in=COUNTED,
                                        message__planned_on__range=(week, week + dt.timedelta(days=6)))
            .exclude(message__programme_id=message.programme_id).exclude(message_id=message.pk)
            .values_list("message_id", "unit_id"))
    shared: dict[int, set[int]] = defaultdict(set)
    for other_id, unit_id in rows:
        shared[other_id].add(unit_id)
    if not shared:
        return []
    others = Message.objects.select_related("programme").in_bulk(list(shared))
    found = []
    for other_id, unit_ids in shared.items():
        people = sum(mine[u] for u in unit_ids)
        found.append(Suggestion(others[other_id], people / total, people, len(unit_ids)))
    found.sort(key=lambda s: (-s.share, abs((s.message.planned_on - message.planned_on).days), s.message.pk))
    return found[:limit]


# ---------------------------------------------------------------------------
# The policy.


@transaction.atomic
def policy_update(*, weekly_limit: int | None = None, debt_days: int | None = None, key_threshold: int | None = None,
                  actor: Any) -> EngagementPolicy:
    """Change the portfolio's engagement policy (admins): the weekly attention
    limit and, for the engagement-debt list, its days and key threshold."""
    policy = EngagementPolicy.current()
    policy = EngagementPolicy.objects.select_for_update().get(pk=policy.pk)
    before = audit.snapshot(policy)
    for name, value in (("weekly_limit", weekly_limit), ("debt_days", debt_days), ("key_threshold", key_threshold)):
        if value is not None:
            setattr(policy, name, value)
    policy.full_clean()  # a ValidationError names the field for the form
    policy.save()
    audit.record(actor=actor, action="update", obj=policy, before=before, after=audit.snapshot(policy))
    return policy
