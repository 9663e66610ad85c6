"""Change impact assessments: who a programme hits, how hard and when.

An assessment belongs to a programme and is made of impact lines. Each line
names an impacted group (units with their subtrees, optionally narrowed by
roles and ranks or grades); its headcount always comes from the organisation
model and is kept in `ImpactReach`, refreshed whenever the line or the staff
change, so load can be computed without touching staff rows.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from changeboard.core.scoping import PROGRAMME_MEMBER_ROLES, VIEW, ScopedQuerySet
from changeboard.organisation.models import RankGrade, Unit
from changeboard.portfolio.models import Programme, RolloutWave

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    from changeboard.accounts.models import User


class Dimension(models.TextChoices):
    PROCESS = "process", "Process"
    TECHNOLOGY = "technology", "Technology"
    PEOPLE = "people", "People and skills"
    ORGANISATION = "organisation", "Organisation structure"
    LOCATION = "location", "Location"
    POLICY = "policy", "Policy and legal"
    CULTURE = "culture", "Culture"


class Severity(models.IntegerChoices):
    """Defined by how long a person needs to absorb the change."""

    NONE = 0, "0 – None: no noticeable change to how anyone works"
    MINIMAL = 1, "1 – Minimal: absorbed in under an hour (a briefing note or email)"
    MINOR = 2, "2 – Minor: about a day to adjust (a short briefing, a new form)"
    MODERATE = 3, "3 – Moderate: one to two weeks to become fluent (training and practice)"
    MAJOR = 4, "4 – Major: several weeks with training, floor-walking and support"
    TRANSFORMATIONAL = 5, "5 – Transformational: months; the role or way of working changes fundamentally"


class AssessmentQuerySet(ScopedQuerySet):
    """An assessment is seen with its programme, and drafts stay the
    programme team's: a change manager sees and edits every version of their
    own programmes' assessments and reads every programme's approved ones
    (portfolio information); other roles read approved ones only."""

    def scope_for(self, user: AbstractBaseUser, action: str) -> AssessmentQuerySet:
        published = Q(status__in=[ImpactAssessment.Status.APPROVED, ImpactAssessment.Status.SUPERSEDED])
        own = self.programme_q(user, action)
        if getattr(user, "role", None) in PROGRAMME_MEMBER_ROLES:
            return self.filter(own | published) if action == VIEW else self.filter(own)
        return (self.filter(own) if own else self).filter(published)

    def counting_load(self, user: User) -> AssessmentQuerySet:
        """The assessments behind the change-load pages. Load is a portfolio
        figure: every approved assessment counts for everyone; drafts count
        only where the user may see them."""
        return self.filter(Q(status=ImpactAssessment.Status.APPROVED) | Q(pk__in=self.restrict(user).values("pk")))


class ImpactAssessment(models.Model):
    """One version of a programme's impact assessment.

    Approved versions are frozen: editing one starts a new draft version in
    the same `lineage`, and approving that draft supersedes the old one, so
    the Board can compare what changed between versions.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted for approval"
        APPROVED = "approved", "Approved"
        SUPERSEDED = "superseded", "Superseded"

    role_actions = {"board": {"view"}, "change_manager": {"view", "add", "change"}, "champion": {"view"}}
    programme_path = "programme"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="assessments")
    title = models.CharField(max_length=200)
    lineage = models.UUIDField(default=uuid.uuid4, db_index=True, help_text="Shared by every version of the same assessment.")
    version = models.PositiveIntegerField(default=1)
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Who submitted it: they may not approve it themselves (issue 18).
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["programme__code", "title", "-version"]
        constraints = [models.UniqueConstraint(fields=["lineage", "version"], name="assessment_version_unique")]

    def __str__(self) -> str:
        return f"{self.programme.code}: {self.title} (v{self.version})"

    def get_absolute_url(self) -> str:
        return reverse("assessment-detail", args=[self.pk])

    @property
    def editable(self) -> bool:
        return self.status == self.Status.DRAFT


class ImpactLine(models.Model):
    """One change landing on one impacted group over one period."""

    role_actions = {"board": {"view"}, "change_manager": {"view", "add", "change", "delete"}, "champion": {"view"}}
    # Seen with its assessment; adding, changing or deleting a line is changing it.
    parent_path = "assessment"

    assessment = models.ForeignKey(ImpactAssessment, on_delete=models.CASCADE, related_name="lines")
    title = models.CharField(max_length=200, help_text="The change, in a few words: e.g. New duty management system.")
    units = models.ManyToManyField(Unit, related_name="impact_lines", help_text="Each unit is impacted with everything below it.")
    roles = models.JSONField(default=list, blank=True, help_text="Job roles to narrow to; none means every role.")
    rank_grades = models.ManyToManyField(RankGrade, blank=True, related_name="impact_lines", verbose_name="ranks or grades", help_text="None means every rank and grade.")
    severity = models.PositiveSmallIntegerField(choices=Severity.choices, validators=[MaxValueValidator(5)])
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    wave = models.ForeignKey(RolloutWave, null=True, blank=True, on_delete=models.PROTECT, related_name="impact_lines",
                             help_text="Tie the period to a rollout wave so it moves when the wave moves.")
    weeks_before_go_live = models.PositiveSmallIntegerField(default=4, help_text="With a wave: weeks of impact before go-live (training, briefings).")
    weeks_after_go_live = models.PositiveSmallIntegerField(default=4, help_text="With a wave: weeks of impact after go-live (floor-walking, embedding).")
    hours_per_person = models.DecimalField(max_digits=6, decimal_places=1, default=Decimal("0"), validators=[MinValueValidator(0)],
                                           help_text="Hours taken from each person's duty over the whole period (training, briefings, floor-walking).")
    mitigations = models.TextField(blank=True)
    owner = models.CharField(max_length=120, blank=True, help_text="Who owns the mitigations.")
    reached_roles = models.JSONField(default=dict, blank=True, help_text="Impacted people per job role (derived).")

    objects = ScopedQuerySet.as_manager()

    # Not stored: set on the lines a page shows (views.assessments.decorate_lines).
    headcount: int
    period_label: str
    dimension_rows: list[LineDimension]

    class Meta:
        ordering = ["assessment", "id"]

    def __str__(self) -> str:
        return self.title

    def period(self, wave_dates: dict[int, dt.date] | None = None) -> tuple[dt.date, dt.date] | None:
        """The dates the line applies, following its wave (or a what-if date)."""
        if self.wave_id:
            go_live = (wave_dates or {}).get(self.wave_id) or cast(RolloutWave, self.wave).go_live_date
            return go_live - dt.timedelta(weeks=self.weeks_before_go_live), go_live + dt.timedelta(weeks=self.weeks_after_go_live) - dt.timedelta(days=1)
        if self.start_date and self.end_date:
            return self.start_date, self.end_date
        return None

    def staff_q(self, prefix: str = "") -> Q:
        """Matches the current staff this line impacts (used on Staff)."""
        from functools import reduce
        from operator import or_

        paths = [u.path for u in self.units.all()]
        if not paths:
            return Q(pk__in=[])
        q = reduce(or_, (Q(**{f"{prefix}unit__path__startswith": p}) for p in paths))
        if self.roles:
            q &= Q(**{f"{prefix}role__in": self.roles})
        ranks = [r.pk for r in self.rank_grades.all()]
        if ranks:
            q &= Q(**{f"{prefix}rank_grade__in": ranks})
        return q


class LineDimension(models.Model):
    """What changes on one dimension: current state, future state, the gap."""

    line = models.ForeignKey(ImpactLine, on_delete=models.CASCADE, related_name="dimensions")
    dimension = models.CharField(max_length=20, choices=Dimension.choices)
    current_state = models.TextField(blank=True)
    future_state = models.TextField(blank=True)
    gap = models.TextField(blank=True)

    class Meta:
        ordering = ["line", "dimension"]
        constraints = [models.UniqueConstraint(fields=["line", "dimension"], name="line_dimension_unique")]

    def __str__(self) -> str:
        return self.get_dimension_display()


class ImpactReach(models.Model):
    """Derived: how many current staff a line impacts at or below each unit.

    One row per (line, unit) for every unit on the path to the impacted
    people, so a heatmap row's count is one lookup. Rebuilt by
    `services.reach_refresh` when a line or the staff change.
    """

    line = models.ForeignKey(ImpactLine, on_delete=models.CASCADE, related_name="reach")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    headcount = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["line", "unit"], name="reach_unique")]


class LoadTolerance(models.Model):
    """Saturation threshold: the portfolio default (no unit) or a unit's own."""

    role_actions = {"board": {"view"}, "change_manager": {"view"}, "champion": {"view"}}

    unit = models.OneToOneField(Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="load_tolerance")
    tolerance = models.DecimalField(max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0.1"))],
                                    help_text="Severity-weighted load per person in a week above which the unit is saturated.")

    objects = ScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.unit or 'Portfolio default'}: {self.tolerance}"


DEFAULT_TOLERANCE = Decimal("8")


class WaveMoveProposal(models.Model):
    """A what-if move of a rollout wave, saved for the programme to decide."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        APPLIED = "applied", "Applied"
        DISCARDED = "discarded", "Discarded"

    role_actions = {"board": {"view", "add"}, "change_manager": {"view", "add", "change"}, "champion": {"view"}}
    programme_path = "wave__programme"

    wave = models.ForeignKey(RolloutWave, on_delete=models.CASCADE, related_name="move_proposals")
    proposed_date = models.DateField()
    original_date = models.DateField()
    note = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The what-if's effect when proposed (issue 18): saturated unit-weeks in
    # the heatmap the proposer was looking at, before and after the move.
    saturated_before = models.PositiveIntegerField(null=True, blank=True)
    saturated_after = models.PositiveIntegerField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Move {self.wave} to {self.proposed_date:%d %b %Y}"
