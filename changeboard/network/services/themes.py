"""Feedback from the floor: the themes champions hear, and what becomes of
them.

A champion records a theme for a programme they support, in a unit they
look after (a change manager of the programme, or an admin, may record one
too). A change manager of the programme (or an admin) then turns it into a
readiness action (`theme_to_action`, source "Champion network"), ties it to
a readiness criterion or a hypercare category of the same programme
(`theme_link`), or closes it (`theme_close`). Every write is audited.

**Anonymity.** A theme about a named role group in a unit whose headcount
for that group (staff in post at or below the unit) is under the
portfolio's comment threshold (`SurveyPolicy.min_comments`, the rule the
surveys use for free text) has its text withheld: everyone except the
person who recorded it (the champion, or whoever typed it) and admins sees
"Withheld: the group is smaller than N" instead, on pages, in the API, in
exports and in the description of an action raised from it. Category,
unit and sentiment still count in the roll-up. `TextPolicy` is the one
place that decides; pages, exports and the API all ask it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from changeboard.accounts.models import Role, User
from changeboard.core import audit
from changeboard.hypercare.models import Category as HypercareCategory
from changeboard.organisation.models import Staff, Unit
from changeboard.portfolio.models import Programme
from changeboard.readiness.models import Action, Criterion
from changeboard.readiness.services.actions import action_create
from changeboard.surveys.models import RoleGroup, SurveyPolicy

from ..models import Champion, Support, Theme
from .champions import champion_entry, may_ask_for, supported

Status = Theme.Status
TITLE_MAX = 200
KNOWN_GROUPS = (RoleGroup.OFFICER, RoleGroup.STAFF, RoleGroup.OTHER)


# ---------------------------------------------------------------------------
# Anonymity


def comment_threshold(policy: SurveyPolicy | None = None) -> int:
    """The portfolio's rule for free text: fewer people than this in a group, no comment shown."""
    return (policy or SurveyPolicy.current()).min_comments


def withheld_message(threshold: int) -> str:
    return f"Withheld: the group is smaller than {threshold}"


def role_group_q(role_group: str, prefix: str = "") -> Q:
    """A Q on `Staff` (or through `prefix`): the people in a role group, as
    the surveys count them (`surveys.models.role_group_for`: a rank or
    grade's kind; no rank, or an unlisted kind, is "not recorded")."""
    kind = f"{prefix}rank_grade__kind"
    if role_group in KNOWN_GROUPS:
        return Q(**{kind: role_group})
    return Q(**{f"{prefix}rank_grade__isnull": True}) | ~Q(**{f"{kind}__in": list(KNOWN_GROUPS)})


def group_headcount(unit: Unit, role_group: str, day: dt.date | None = None) -> int:
    """Staff in post at or below `unit` in `role_group`."""
    return Staff.objects.current(day).filter(unit__path__startswith=unit.path).filter(role_group_q(role_group)).count()


def may_see_withheld(user: Any, theme: Theme) -> bool:
    """Admins, and the person who recorded the theme (its champion's account or its author)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if getattr(user, "role", None) == Role.ADMIN:
        return True
    if theme.created_by_id is not None and theme.created_by_id == user.pk:
        return True
    return bool(theme.champion_id is not None and theme.champion is not None and theme.champion.user_id == user.pk)


class TextPolicy:
    """What one user may read of themes' text. Headcounts are counted once
    per (unit, role group) and kept, so a page of themes costs a query per
    distinct pair. `user=None` is the public view (nobody's own theme): what
    an action's description may carry."""

    def __init__(self, user: Any = None, threshold: int | None = None, day: dt.date | None = None) -> None:
        self.user = user
        self.threshold = comment_threshold() if threshold is None else threshold
        self.day = day or timezone.localdate()
        self._counts: dict[tuple[int, str], int] = {}

    def small(self, theme: Theme) -> bool:
        """Whether the theme is about a group under the threshold (whoever reads it)."""
        if not theme.role_group:
            return False
        key = (theme.unit_id, theme.role_group)
        if key not in self._counts:
            self._counts[key] = group_headcount(theme.unit, theme.role_group, self.day)
        return self._counts[key] < self.threshold

    def withheld(self, theme: Theme) -> bool:
        """Whether this user sees the withheld message instead of the text."""
        return self.small(theme) and not may_see_withheld(self.user, theme)

    def text(self, theme: Theme) -> str:
        return withheld_message(self.threshold) if self.withheld(theme) else theme.text


# ---------------------------------------------------------------------------
# Roll-up (counts only: never the text)


@dataclass
class RollupRow:
    key: Any
    label: str
    total: int = 0
    by_sentiment: dict[int, int] = field(default_factory=dict)
    open: int = 0

    @property
    def sentiments(self) -> list[int]:
        """Counts in the order of `Theme.Sentiment` (negative first)."""
        return [self.by_sentiment.get(value, 0) for value in Theme.Sentiment.values]


@dataclass
class Rollup:
    total: int
    by_category: list[RollupRow]
    by_unit: list[RollupRow]
    by_status: dict[str, int]
    sentiment_totals: list[int]

    @property
    def top_categories(self) -> list[RollupRow]:
        return [row for row in sorted(self.by_category, key=lambda r: (-r.total, r.label)) if row.total][:3]


def rollup(themes: QuerySet[Theme]) -> Rollup:
    """Counts per category x sentiment and per unit x sentiment over
    `themes` (already scoped and filtered). Two grouped queries, whatever
    the number of themes."""
    base = themes.order_by()
    categories = dict(Theme.Category.choices)
    by_category = {value: RollupRow(value, label) for value, label in categories.items()}
    by_status: Counter[str] = Counter()
    sentiment_totals: Counter[int] = Counter()
    for row in base.values("category", "sentiment", "status").annotate(n=Count("pk")):
        cat = by_category.setdefault(row["category"], RollupRow(row["category"], categories.get(row["category"], row["category"])))
        cat.total += row["n"]
        cat.by_sentiment[row["sentiment"]] = cat.by_sentiment.get(row["sentiment"], 0) + row["n"]
        if row["status"] == Status.OPEN:
            cat.open += row["n"]
        by_status[row["status"]] += row["n"]
        sentiment_totals[row["sentiment"]] += row["n"]
    units: dict[int, RollupRow] = {}
    for urow in base.values("unit", "unit__name", "unit__path", "sentiment", "status").annotate(n=Count("pk")).order_by("unit__path"):
        unit = units.setdefault(urow["unit"], RollupRow(urow["unit"], urow["unit__name"]))
        unit.total += urow["n"]
        unit.by_sentiment[urow["sentiment"]] = unit.by_sentiment.get(urow["sentiment"], 0) + urow["n"]
        if urow["status"] == Status.OPEN:
            unit.open += urow["n"]
    return Rollup(
        total=sum(by_status.values()),
        by_category=list(by_category.values()),
        by_unit=sorted(units.values(), key=lambda r: (-r.total, r.label)),
        by_status={value: by_status.get(value, 0) for value in Status.values},
        sentiment_totals=[sentiment_totals.get(value, 0) for value in Theme.Sentiment.values],
    )


# ---------------------------------------------------------------------------
# Who may record, and where


def champion_units_q(champion: Champion, prefix: str = "") -> Q:
    """A Q on `Unit` (or through `prefix`): at or below the champion's units."""
    q = Q(pk__in=[])
    for path in champion.units.values_list("path", flat=True):
        q |= Q(**{f"{prefix}path__startswith": path})
    return q


def recordable_programmes(user: Any) -> QuerySet[Programme]:
    """The programmes the user may record a theme for."""
    role = getattr(user, "role", None)
    if role == Role.ADMIN:
        return Programme.objects.exclude(status="closed").order_by("code")
    if role == Role.CHANGE_MANAGER:
        return user.programmes.exclude(status="closed").order_by("code")
    entry = champion_entry(user, active_only=True) if role == Role.CHAMPION else None
    return supported(entry) if entry is not None else Programme.objects.none()


def recordable_units(user: Any) -> QuerySet[Unit]:
    """The units the user may record a theme in."""
    role = getattr(user, "role", None)
    if role in (Role.ADMIN, Role.CHANGE_MANAGER):
        return Unit.objects.all()
    entry = champion_entry(user, active_only=True) if role == Role.CHAMPION else None
    return Unit.objects.filter(champion_units_q(entry)) if entry is not None else Unit.objects.none()


def _actor(actor: Any) -> User | None:
    return actor if getattr(actor, "is_authenticated", False) else None


def _require_manager(actor: User | None, programme: Programme, what: str) -> None:
    if actor is not None and not may_ask_for(actor, programme):
        raise PermissionDenied(f"Only the programme's change managers may {what}.")


# ---------------------------------------------------------------------------
# Writes


@transaction.atomic
def theme_record(*, programme: Programme, category: str, unit: Unit, text: str, actor: User | None, role_group: str = "",
                 sentiment: int = Theme.Sentiment.MIXED, heard_on: dt.date | None = None, champion: Champion | None = None) -> Theme:
    """Record a theme heard on the floor. A champion records for a programme
    they support, in a unit they look after (their own entry is the
    theme's champion). A change manager of the programme (or an admin)
    may record one too, naming the champion who heard it or none."""
    today = timezone.localdate()
    heard_on = heard_on or today
    errors: dict[str, str] = {}
    if actor is not None and actor.role == Role.CHAMPION:
        entry = champion_entry(actor, today, active_only=True)
        if entry is None:
            raise PermissionDenied("Only an active champion may record a theme.")
        if champion is not None and champion.pk != entry.pk:
            raise PermissionDenied("A champion records their own themes.")
        champion = entry
        if not Support.objects.filter(champion=entry, programme=programme, active=True).exists():
            errors["programme"] = "Choose a programme you support."
        if not Unit.objects.filter(champion_units_q(entry), pk=unit.pk).exists():
            errors["unit"] = "Choose one of the units you look after."
    else:
        _require_manager(actor, programme, "record a theme for it")
        if champion is not None and not Support.objects.filter(champion=champion, programme=programme, active=True).exists():
            errors["champion"] = "That champion does not support this programme."
    if programme.status == "closed":
        errors["programme"] = "The programme is closed."
    if heard_on > today:
        errors["heard_on"] = "The day it was heard cannot be in the future."
    if not (text or "").strip():
        errors["text"] = "Enter what was heard."
    if errors:
        raise ValidationError(errors)
    theme = Theme(champion=champion, programme=programme, category=category, unit=unit, role_group=role_group or "",
                  sentiment=sentiment, text=text.strip(), heard_on=heard_on, created_by=_actor(actor))
    theme.full_clean()
    theme.save()
    audit.record(actor=actor, action="create", obj=theme, after=audit.snapshot(theme))
    return theme


def action_title(theme: Theme, policy: TextPolicy | None = None) -> str:
    """The default title of an action raised from a theme (never withheld text)."""
    policy = policy or TextPolicy(None)
    if policy.withheld(theme):
        return f"From the floor: {theme.get_category_display()} in {theme.unit.name}"[:TITLE_MAX]
    first = theme.text.strip().splitlines()[0] if theme.text.strip() else theme.get_category_display()
    return first if len(first) <= TITLE_MAX else first[: TITLE_MAX - 1] + "…"


def action_description(theme: Theme, policy: TextPolicy | None = None) -> str:
    """The action's description: it names the theme, and carries its text
    only as the public may read it (withheld text stays withheld)."""
    policy = policy or TextPolicy(None)
    group = f", {theme.get_role_group_display()}" if theme.role_group else ""
    return (f"From the floor: {policy.text(theme)}\n\n"
            f"Theme #{theme.pk} ({theme.get_category_display()}, {theme.get_sentiment_display().lower()}), "
            f"heard on {theme.heard_on:%d %b %Y} in {theme.unit.name}{group}.")


@transaction.atomic
def theme_to_action(*, theme: Theme, owner: User | None, due_date: dt.date, actor: User | None, title: str = "",
                    description: str = "") -> Action:
    """Raise a readiness action from a theme (the programme's change
    managers or an admin): the theme's programme and unit, source "Champion
    network"; the theme records it and is marked actioned."""
    _require_manager(actor, theme.programme, "make a theme an action")
    if theme.status == Status.CLOSED:
        raise ValidationError("The theme is closed.")
    if theme.action_id is not None:
        raise ValidationError("The theme is already an action.")
    before = audit.snapshot(theme)
    policy = TextPolicy(None)
    body = action_description(theme, policy)
    if description.strip():
        body = f"{body}\n\n{description.strip()}"
    action = action_create(programme=theme.programme, title=(title or "").strip() or action_title(theme, policy), due_date=due_date,
                           actor=actor, owner=owner, unit=theme.unit, description=body, source=Action.Source.NETWORK)
    theme.action = action
    theme.status = Status.ACTIONED
    theme.save(update_fields=["action", "status"])
    audit.record(actor=actor, action="update", obj=theme, before=before, after=audit.snapshot(theme))
    return action


def linkable_criteria(programme: Programme) -> QuerySet[Criterion]:
    return Criterion.objects.filter(programme=programme).order_by("title", "pk")


def linkable_categories(programme: Programme) -> QuerySet[HypercareCategory]:
    return (HypercareCategory.objects.filter(period__rollout_wave__programme=programme, active=True)
            .select_related("period__rollout_wave").order_by("period__rollout_wave__go_live_date", "name", "pk"))


@transaction.atomic
def theme_link(*, theme: Theme, actor: User | None, criterion: Criterion | None = None,
               hypercare_category: HypercareCategory | None = None) -> Theme:
    """Tie a theme to a readiness criterion and/or a hypercare category of
    one of its programme's hypercare periods. An open theme becomes
    "linked"; one already an action stays so (the stronger outcome)."""
    _require_manager(actor, theme.programme, "link a theme")
    errors: dict[str, str] = {}
    if theme.status == Status.CLOSED:
        raise ValidationError("The theme is closed.")
    if criterion is None and hypercare_category is None:
        raise ValidationError("Choose a readiness criterion or a hypercare category.")
    if criterion is not None and criterion.programme_id != theme.programme_id:
        errors["criterion"] = "Choose a criterion of the theme's programme."
    if hypercare_category is not None and not linkable_categories(theme.programme).filter(pk=hypercare_category.pk).exists():
        errors["hypercare_category"] = "Choose a hypercare category of the theme's programme."
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(theme)
    if criterion is not None:
        theme.criterion = criterion
    if hypercare_category is not None:
        theme.hypercare_category = hypercare_category
    if theme.status == Status.OPEN:
        theme.status = Status.LINKED
    theme.save(update_fields=["criterion", "hypercare_category", "status"])
    audit.record(actor=actor, action="update", obj=theme, before=before, after=audit.snapshot(theme))
    return theme


@transaction.atomic
def theme_close(*, theme: Theme, actor: User | None, reason: str = "") -> Theme:
    """Close a theme (heard, nothing more to do). The reason is kept in the audit trail."""
    _require_manager(actor, theme.programme, "close a theme")
    if theme.status == Status.CLOSED:
        raise ValidationError("The theme is already closed.")
    before = audit.snapshot(theme)
    theme.status = Status.CLOSED
    theme.save(update_fields=["status"])
    after = {**(audit.snapshot(theme) or {}), "reason": reason.strip()}
    audit.record(actor=actor, action="update", obj=theme, before=before, after=after)
    return theme


def texts_for(user: Any, themes: Iterable[Theme]) -> dict[int, str]:
    """Each theme's text as `user` may read it."""
    policy = TextPolicy(user)
    return {theme.pk: policy.text(theme) for theme in themes}
