"""The organisation model: a tree of units, the staff in them, ranks and grades."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from changeboard.core.scoping import ScopedQuerySet, subtree_q, unit_paths

if TYPE_CHECKING:
    from changeboard.accounts.models import User

PATH_SEPARATOR = " > "
READ_ROLES = {"board": {"view"}, "change_manager": {"view"}, "champion": {"view"}}


def unit_paths_for(user: User) -> list[str]:
    """Materialised paths of the units a champion looks after."""
    return unit_paths(user)


class RankGrade(models.Model):
    """A police rank (officers) or a staff grade (police staff)."""

    class Kind(models.TextChoices):
        OFFICER = "officer", "Police officer rank"
        STAFF = "staff", "Police staff grade"
        OTHER = "other", "Other (volunteer, contractor)"

    role_actions = READ_ROLES

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=80, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    order = models.PositiveSmallIntegerField(default=0, help_text="Seniority order within its kind (lowest first).")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "order"]
        verbose_name = "rank or grade"
        verbose_name_plural = "ranks and grades"

    def __str__(self) -> str:
        return self.name


class UnitQuerySet(MP_NodeQuerySet, ScopedQuerySet):  # type: ignore[override]  # the plugin gives each base its own as_manager type; Unit uses UnitManager
    pass


class UnitManager(MP_NodeManager.from_queryset(UnitQuerySet)):  # type: ignore[misc]
    def get_queryset(self) -> UnitQuerySet:
        return UnitQuerySet(self.model, using=self._db).order_by("path")


class Unit(MP_Node):
    """A unit in the force's tree. Subtree queries use the materialised
    `path` (treebeard): everything below a unit shares its path as a prefix,
    which an index answers fast at any size."""

    class Level(models.TextChoices):
        FORCE = "force", "Force"
        BUSINESS_GROUP = "business_group", "Business group"
        COMMAND = "command", "Command or BCU"
        BOROUGH = "borough", "Borough"
        TEAM = "team", "Team"

    role_actions = READ_ROLES
    unit_path = ""  # champions: their units and everything below them
    steplen = 4

    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=120)
    level = models.CharField(max_length=20, choices=Level.choices)
    full_path = models.CharField(max_length=600, unique=True, help_text="Names from the top of the tree down, joined by ' > '.")

    objects: ClassVar[UnitManager] = UnitManager()

    class Meta:
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("unit-detail", args=[self.pk])

    def subtree(self) -> UnitQuerySet:
        return Unit.objects.filter(path__startswith=self.path)

    def staff_in_subtree(self) -> StaffQuerySet:
        return Staff.objects.filter(unit__path__startswith=self.path)


LEVEL_BY_DEPTH = {1: Unit.Level.FORCE, 2: Unit.Level.BUSINESS_GROUP, 3: Unit.Level.COMMAND, 4: Unit.Level.BOROUGH}


def level_for_depth(depth: int) -> str:
    return LEVEL_BY_DEPTH.get(depth, Unit.Level.TEAM)


class StaffQuerySet(ScopedQuerySet):
    def current(self, on: dt.date | None = None) -> StaffQuerySet:
        """Staff in post on a date: not marked as leavers, leave date not passed."""
        day = on or timezone.localdate()
        return self.filter(is_leaver=False).filter(Q(leave_date__isnull=True) | Q(leave_date__gt=day))


class Staff(models.Model):
    """A member of staff, as the HR system exports them. Kept in sync by
    re-import; never deleted, only marked as a leaver."""

    role_actions = READ_ROLES
    unit_path = "unit"  # champions: the staff at or below their units

    staff_number = models.CharField(max_length=20, unique=True)
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    email = models.EmailField(blank=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="staff")
    role = models.CharField(max_length=120, blank=True, db_index=True, help_text="Job role, e.g. Response officer.")
    rank_grade = models.ForeignKey(RankGrade, null=True, blank=True, on_delete=models.PROTECT, related_name="staff", verbose_name="rank or grade")
    location = models.CharField(max_length=120, blank=True)
    shift_pattern = models.CharField(max_length=80, blank=True)
    line_manager = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports")
    start_date = models.DateField(null=True, blank=True)
    leave_date = models.DateField(null=True, blank=True)
    absent_until = models.DateField(null=True, blank=True, verbose_name="on leave until",
                                    help_text="Long absence (parental leave, long-term sickness, career break): not surveyed before this date.")
    is_leaver = models.BooleanField(default=False, db_index=True, help_text="Set when a full re-import no longer lists this person.")

    objects = StaffQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "staff_number"]
        verbose_name_plural = "staff"
        indexes = [models.Index(fields=["last_name", "first_name"])]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.staff_number})"

    def get_absolute_url(self) -> str:
        return reverse("staff-detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class StaffVersion(models.Model):
    """One row whose token changes whenever staff rows change, so anything
    derived from the whole staff table (the coverage pages' staff groups)
    can be cached under it and is never read stale. A random token rather
    than a counter: a rolled-back transaction (or a test) cannot bring an
    old value back with different rows behind it. Every writer of staff
    changes it (`services.staff_version_bump`): a single save through the
    `post_save` signal, the HR import and anything else sending
    `staff_changed`, the seeds and the benchmarks' bulk writes directly."""

    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Staff version {self.token}"


def staff_version() -> str | None:
    """The current staff token (None when the row is missing: then nothing
    derived from staff may be cached)."""
    return StaffVersion.objects.filter(pk=1).values_list("token", flat=True).first()


class ImportColumnMapping(models.Model):
    """A remembered mapping from a file's own headers to the import's
    columns, keyed by the file's header row so the same export maps itself
    next time."""

    header_signature = models.CharField(max_length=64, unique=True)
    headers = models.JSONField(help_text="The file's headers, in order.")
    mapping = models.JSONField(help_text="Import column name -> file header.")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Mapping for {len(self.headers)} columns"


def subtree_headcounts(units: Iterable[Unit]) -> dict[int, int]:
    """Staff in post at or below each of the given units. One grouped query
    (staff per unit, within the given units' subtrees); each unit's count is
    then added to every requested unit above it by path prefix."""
    by_path = {u.path: u.pk for u in units}
    if not by_path:
        return {}
    tops = [p for p in by_path if not any(p != q and p.startswith(q) for q in by_path)] if len(by_path) < 50 else [min(by_path, key=len)[: Unit.steplen]]
    # Grouped by unit id (no join: the database counts one table), then placed by path.
    paths = dict(Unit.objects.filter(subtree_q(tops)).values_list("pk", "path"))
    grouped = Staff.objects.current().values("unit_id").annotate(n=Count("pk")).order_by().values_list("unit_id", "n")
    totals: dict[int, int] = defaultdict(int)
    for unit_id, count in grouped:
        path = paths.get(unit_id)
        if path is None:
            continue
        for end in range(Unit.steplen, len(path) + 1, Unit.steplen):
            ancestor = by_path.get(path[:end])
            if ancestor is not None:
                totals[ancestor] += count
    return totals
