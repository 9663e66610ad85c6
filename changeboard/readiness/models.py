"""Readiness scores rest on a maintained roll-up of the survey answers.

`ElementTally` holds, per wave x team (the unit the response came from) x
role group x ADKAR element x source, the count of responses that answered
the element, the count of answers, and the sum and sum of squares of their
values. Scores (`scores.py`) read these rows only, never the answers, so
their cost does not grow with the number of responses. `tallies.rebuild`
keeps them current when `surveys.signals.responses_changed` is sent.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from changeboard.core.scoping import ScopedQuerySet
from changeboard.organisation.models import Staff, Unit
from changeboard.portfolio.models import Programme, RolloutWave
from changeboard.surveys.models import Adkar, RoleGroup, SurveyWave

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from changeboard.accounts.models import User


class ElementTally(models.Model):
    role_actions = {"board": {"view"}, "change_manager": {"view"}, "champion": {"view"}}
    programme_path = "wave__programme"
    unit_path = "unit"  # champions: the teams at or below their units

    wave = models.ForeignKey(SurveyWave, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    role_group = models.CharField(max_length=10, choices=RoleGroup.choices)
    element = models.CharField(max_length=15, choices=Adkar.choices)
    source = models.CharField(max_length=6)
    responses = models.PositiveIntegerField(default=0)
    answers = models.PositiveIntegerField(default=0)
    total = models.BigIntegerField(default=0)
    total_sq = models.BigIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["wave", "unit", "role_group", "element", "source"], name="element_tally_unique")]
        indexes = [models.Index(fields=["wave", "unit"], name="element_tally_wave_unit")]


class UnitScore(models.Model):
    """One unit's readiness figure for one closed wave, as the scores page
    shows it among its parent's rows (suppression already applied), kept by
    `scores.store_wave` when the wave's tallies are rebuilt. Dashboards and
    board packs read these rows, so their cost does not grow with responses.
    A hidden figure is stored with `shown=False` and no numbers at all."""

    role_actions = ElementTally.role_actions
    programme_path = ElementTally.programme_path
    unit_path = ElementTally.unit_path

    wave = models.ForeignKey(SurveyWave, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    is_top = models.BooleanField(default=False, help_text="The deepest unit above every team that answered this wave.")
    shown = models.BooleanField(default=False)
    reason = models.CharField(max_length=10, blank=True, help_text="Why hidden: few, wide or secondary.")
    index = models.FloatField(null=True)
    ci_low = models.FloatField(null=True)
    ci_high = models.FloatField(null=True)
    responses = models.PositiveIntegerField(null=True)
    response_rate = models.FloatField(null=True)
    awareness = models.FloatField(null=True)
    desire = models.FloatField(null=True)
    knowledge = models.FloatField(null=True)
    ability = models.FloatField(null=True)
    reinforcement = models.FloatField(null=True)
    barrier = models.CharField(max_length=15, blank=True)
    trend = models.FloatField(null=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["wave", "unit"], name="unit_score_unique")]
        indexes = [models.Index(fields=["unit", "wave"], name="unit_score_unit_wave"),
                   # Which waves have stored scores (their top row): the dashboards' first question.
                   models.Index(fields=["wave"], condition=models.Q(is_top=True), name="unit_score_top")]

    def mean(self, element: str) -> float | None:
        return getattr(self, element)

    @property
    def closes_on(self) -> Any:
        return self.wave.closes_on


class CriterionQuerySet(ScopedQuerySet):
    def with_rag_counts(self, user: User | AnonymousUser) -> CriterionQuerySet:
        """Annotate `n_<rag>`: units at each RAG, among the statuses the user
        sees (`CriterionStatus`'s own unit rule)."""
        visible = CriterionStatus.objects.unit_q(user, "statuses__")
        counts = {}
        for rag in Rag.values:
            wanted = Q(statuses__rag=rag)
            if visible:
                wanted &= visible
            counts[f"n_{rag}"] = Count("statuses", filter=wanted)
        return self.annotate(**counts)


class Rag(models.TextChoices):
    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"
    NO_DATA = "no_data", "Not enough data"
    NOT_ASSESSED = "not_assessed", "Not assessed"


class Criticality(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class Criterion(models.Model):
    """A readiness criterion of a programme, assessed per unit going live
    (`CriterionStatus`). A criterion is assessed by hand, or fed: from the
    survey scores (an ADKAR element's mean against a pass mark) or from
    training completion (the share of a unit's staff who completed a course)."""

    class Category(models.TextChoices):
        PEOPLE = "people", "People and skills"
        PROCESS = "process", "Process"
        TECHNOLOGY = "technology", "Technology"
        DATA = "data", "Data"
        ORGANISATION = "organisation", "Organisation"
        SUPPORT = "support", "Support and hypercare"
        COMMUNICATIONS = "communications", "Communications"

    class Feed(models.TextChoices):
        MANUAL = "manual", "Assessed by hand"
        SCORE = "score", "Survey scores"
        TRAINING = "training", "Training completion"
        SUPPORT = "support", "Hypercare training gaps"

    role_actions = {"board": {"view"}, "change_manager": {"view", "add", "change", "delete"}, "champion": {"view"}}
    programme_path = "programme"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="criteria")
    # RESTRICT, not SET_NULL: deleting the wave must not widen the criterion to
    # the whole programme. (RESTRICT rather than PROTECT so that deleting the
    # programme, which cascades to both, still works.)
    rollout_wave = models.ForeignKey(RolloutWave, null=True, blank=True, on_delete=models.RESTRICT, related_name="criteria",
                                     help_text="Assess the units of this rollout wave only; blank for every unit in the programme's waves.")
    category = models.CharField(max_length=15, choices=Category.choices, default=Category.PEOPLE)
    title = models.CharField("criterion", max_length=200)
    description = models.TextField(blank=True)
    criticality = models.CharField(max_length=10, choices=Criticality.choices, default=Criticality.HIGH,
                                   help_text="A critical criterion at red blocks a go decision unless the Board records an override.")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    measure = models.CharField(max_length=200, blank=True, help_text="How it is measured, e.g. 'share of officers trained'.")
    pass_mark = models.CharField(max_length=100, blank=True, help_text="What passes, e.g. '90%'. Fed criteria fill it in.")
    due_date = models.DateField(null=True, blank=True)
    feed = models.CharField(max_length=10, choices=Feed.choices, default=Feed.MANUAL)
    element = models.CharField(max_length=15, choices=Adkar.choices, blank=True, help_text="Survey scores: the ADKAR element.")
    threshold = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True,
                                    help_text="Survey scores: the lowest passing mean (1-5). Training: the lowest passing percentage. "
                                              "Hypercare training gaps: the open queries per 100 staff at which it stops being green.")
    course = models.CharField(max_length=40, blank=True, help_text="Training: the course code in the training file.")
    evaluated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CriterionQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "category", "title"]
        verbose_name_plural = "criteria"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("criterion-detail", args=[self.pk])


class CriterionStatus(models.Model):
    """A criterion's RAG for one unit going live, with the date of the data
    behind it (`as_of`: the wave's closing date for a score, the import date
    for training, the assessment date by hand)."""

    role_actions = {"board": {"view"}, "change_manager": {"view", "change"}, "champion": {"view"}}
    programme_path = "criterion__programme"
    # Champions see their units, the units below and the units above (whose
    # go-live includes theirs), never a sibling's.
    unit_path = "unit"
    unit_ancestors = True

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="statuses")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    rag = models.CharField(max_length=12, choices=Rag.choices, default=Rag.NOT_ASSESSED)
    value = models.CharField(max_length=60, blank=True, help_text="The measured value, e.g. '3.2' or '84%'.")
    note = models.TextField(blank=True)
    as_of = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["criterion", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["criterion", "unit"], name="criterion_status_unique")]
        verbose_name_plural = "criterion statuses"

    def __str__(self) -> str:
        return f"{self.criterion} – {self.unit}: {self.get_rag_display()}"


def evidence_path(instance: Evidence, filename: str) -> str:
    # A random name: the original file name (which may hold personal data) stays in the database only.
    return f"evidence/{instance.criterion_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    """A link or an uploaded file behind a criterion (optionally for one unit).
    Files are served only through a scoped view, never from a public URL."""

    role_actions = {"board": {"view"}, "change_manager": {"view", "add", "delete"}, "champion": {"view"}}
    programme_path = "criterion__programme"
    # Evidence for the whole criterion, or for a unit the reader sees (as statuses).
    unit_path = "unit"
    unit_ancestors = True
    unit_optional = True

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="evidence")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=200)
    url = models.URLField("link", blank=True, max_length=500)
    file = models.FileField(upload_to=evidence_path, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-added_at"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return self.title


class TrainingRecord(models.Model):
    """One completed course, from the training system's export."""

    role_actions: dict[str, set[str]] = {}

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="training")
    course = models.CharField(max_length=40, db_index=True)
    completed_on = models.DateField()
    imported_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["staff", "course"], name="training_record_unique")]

    def __str__(self) -> str:
        return f"{self.course} ({self.completed_on})"


class Review(models.Model):
    """A business-readiness review of one rollout wave at a checkpoint. When
    its decision is recorded it freezes `snapshot` (the criteria and scores as
    of `held_on`); a decided review never changes again."""

    class Checkpoint(models.TextChoices):
        T12 = "t12", "T-12 weeks"
        T6 = "t6", "T-6 weeks"
        T2 = "t2", "T-2 weeks"
        GO_NO_GO = "go_no_go", "Go/no-go"
        OTHER = "other", "Other"

    class Decision(models.TextChoices):
        GO = "go", "Go"
        CONDITIONS = "conditions", "Go with conditions"
        NO_GO = "no_go", "No-go"

    role_actions = {"board": {"view", "decide"}, "change_manager": {"view", "add", "change", "decide"}}
    programme_path = "programme"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="reviews")
    # A decided review and its snapshot are evidence: deleting the wave is
    # refused (`portfolio.services.wave_delete`), deleting the programme is not.
    rollout_wave = models.ForeignKey(RolloutWave, on_delete=models.RESTRICT, related_name="reviews")
    checkpoint = models.CharField(max_length=10, choices=Checkpoint.choices)
    title = models.CharField(max_length=200, blank=True)
    scheduled_on = models.DateField()
    held_on = models.DateField(null=True, blank=True)
    decision = models.CharField(max_length=12, choices=Decision.choices, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    conditions = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    override_reason = models.TextField(blank=True, help_text="Why the Board decided go despite a critical criterion at red.")
    snapshot = models.JSONField(null=True, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["scheduled_on", "pk"]

    def __str__(self) -> str:
        return self.title or f"{self.get_checkpoint_display()} review: {self.rollout_wave.name}"

    def get_absolute_url(self) -> str:
        return reverse("review-detail", args=[self.pk])

    @property
    def decided(self) -> bool:
        return bool(self.decision)


class Action(models.Model):
    """One action log for the product: raised from a score, a criterion, a
    hotspot, a review or by hand; owned, dated and tracked to done."""

    class Source(models.TextChoices):
        MANUAL = "manual", "Raised by hand"
        SCORE = "score", "Readiness score"
        CRITERION = "criterion", "Readiness criterion"
        HOTSPOT = "hotspot", "Saturation hotspot"
        REVIEW = "review", "Readiness review"
        CUTOVER = "cutover", "Cutover run"
        HYPERCARE = "hypercare", "Hypercare"
        ENGAGEMENT = "engagement", "Stakeholder engagement"
        NETWORK = "network", "Champion network"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

    role_actions = {"board": {"view", "add", "change"}, "change_manager": {"view", "add", "change"}, "champion": {"view"}}
    programme_path = "programme"
    # Champions see the programme-wide actions (no unit) and those about a
    # unit at, below or above their own, never a sibling's: the action log,
    # its export, the detail page and the API all follow it.
    unit_path = "unit"
    unit_ancestors = True
    unit_optional = True

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="actions")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    due_date = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    criterion = models.ForeignKey(Criterion, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions")
    review = models.ForeignKey(Review, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions")
    survey_wave = models.ForeignKey(SurveyWave, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    hotspot_week = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["status", "due_date"], name="action_status_due")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("action-detail", args=[self.pk])

    @property
    def overdue(self) -> bool:
        return self.status in self.OPEN_STATUSES and self.due_date < timezone.localdate()
