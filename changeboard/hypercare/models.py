"""Post-go-live support (hypercare): a period per rollout wave with its
support team, categories and SLA policy; queries raised by staff (through a
public link, no account), on their behalf, by the support team or imported;
each query's history (`QueryEvent`), from which every SLA figure is computed
(never stored, so changing the policy recomputes them); exit criteria and
the exit decision with its frozen snapshot.

A query keeps the requester's unit and role for reporting; their name and
email are contact details, shown to the support team alone (the query's
`contact_*` fields never leave the support views, the API's support
serializer and the outbox).
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from changeboard.core.scoping import ScopedQuerySet
from changeboard.cutover.models import Team
from changeboard.impacts.models import ImpactLine
from changeboard.organisation.models import Unit
from changeboard.portfolio.models import RolloutWave

DEFAULT_WEEKS = 6
DEFAULT_CATEGORIES = [
    ("defect", "Defect"), ("training_gap", "Training gap"), ("process", "Process"), ("access", "Access"),
    ("data", "Data"), ("change_request", "Change request"), ("other", "Other"),
]
TRAINING_GAP = "training_gap"


def new_token() -> str:
    return secrets.token_urlsafe(18)


def new_reference() -> str:
    """A query's public reference: short, unguessable enough with the email check, no personal data."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "HC-" + "".join(secrets.choice(alphabet) for _ in range(8))


class Priority(models.TextChoices):
    P1 = "P1", "P1 – critical"
    P2 = "P2", "P2 – high"
    P3 = "P3", "P3 – medium"
    P4 = "P4", "P4 – low"


class PeriodQuerySet(ScopedQuerySet):
    """Periods follow their programme; members of a period's support team
    also see (and work) it."""

    def scope_for(self, user: Any, action: str) -> PeriodQuerySet:
        scoped = super().scope_for(user, action)
        if action != "view":
            return scoped
        return self.filter(Q(pk__in=scoped.values("pk")) | Q(support_team__in=Team.objects.filter(members=user.pk)))


class Period(models.Model):
    """Hypercare for one rollout wave, from go-live."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        ACTIVE = "active", "Active"
        EXITED = "exited", "Exited"

    role_actions = {"board": {"view", "decide"}, "change_manager": {"view", "add", "change", "decide"},
                    "champion": {"view"}, "auditor": {"view"}}
    programme_path = "rollout_wave__programme"

    rollout_wave = models.ForeignKey(RolloutWave, on_delete=models.RESTRICT, related_name="hypercare_periods")
    starts_on = models.DateField(help_text="Go-live: the first day of support.")
    ends_on = models.DateField(help_text=f"The planned last day (default {DEFAULT_WEEKS} weeks after go-live).")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    support_team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="hypercare_periods",
                                     help_text="The people who work this period's queries.")
    # Working hours for the SLA clocks.
    working_days = models.JSONField(default=list, help_text="ISO weekdays the team works (1 = Monday ... 7 = Sunday).")
    day_starts = models.TimeField(default=dt.time(8, 0))
    day_ends = models.TimeField(default=dt.time(18, 0))
    bank_holidays = models.BooleanField(default=True, help_text="England and Wales bank holidays are not working days.")
    reopen_days = models.PositiveSmallIntegerField(default=10, help_text="Days after resolution the raiser may reopen a query.")
    # A training-gap spike in one unit (this many queries within this many days) raises a readiness action.
    spike_queries = models.PositiveSmallIntegerField(default=5, validators=[MinValueValidator(2)],
                                                     help_text="Training-gap queries from one unit that make a spike.")
    spike_days = models.PositiveSmallIntegerField(default=3, validators=[MinValueValidator(1), MaxValueValidator(60)],
                                                  help_text="Within how many days.")
    public_token = models.CharField(max_length=40, unique=True, default=new_token, editable=False,
                                    help_text="The secret in the raise-a-query link given in go-live communications.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PeriodQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "pk"]

    def __str__(self) -> str:
        return f"Hypercare: {self.rollout_wave.programme.code} {self.rollout_wave.name}"

    def get_absolute_url(self) -> str:
        return reverse("period-detail", args=[self.pk])

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.working_days:
            self.working_days = [1, 2, 3, 4, 5]
        super().save(*args, **kwargs)


class Category(models.Model):
    role_actions = {"board": {"view"}, "change_manager": {"view", "add", "change"}, "champion": {"view"}, "auditor": {"view"}}
    parent_path = "period"

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="categories")
    code = models.SlugField(max_length=30)
    name = models.CharField(max_length=80)
    is_training_gap = models.BooleanField(default=False, help_text="Counted as a training gap (fed back into readiness).")
    active = models.BooleanField(default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["period", "name"]
        verbose_name_plural = "categories"
        constraints = [models.UniqueConstraint(fields=["period", "code"], name="hypercare_category_unique")]

    def __str__(self) -> str:
        return self.name


class SlaTarget(models.Model):
    """Response and resolution targets for one priority, in working minutes."""

    role_actions = {"board": {"view"}, "change_manager": {"view", "change"}, "champion": {"view"}, "auditor": {"view"}}
    parent_path = "period"

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="sla_targets")
    priority = models.CharField(max_length=2, choices=Priority.choices)
    response_minutes = models.PositiveIntegerField(help_text="Working minutes to the first response.")
    resolution_minutes = models.PositiveIntegerField(help_text="Working minutes to resolution.")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["period", "priority"]
        constraints = [models.UniqueConstraint(fields=["period", "priority"], name="hypercare_sla_unique")]

    def __str__(self) -> str:
        return f"{self.priority}: respond {self.response_minutes} min, resolve {self.resolution_minutes} min"


# Default targets in working minutes: P1 30 min / 1 day, P2 2 h / 2 days, P3 1 day / 5 days, P4 2 days / 10 days (10-hour days).
DEFAULT_SLA = {"P1": (30, 600), "P2": (120, 1200), "P3": (600, 3000), "P4": (1200, 6000)}


class QueryQuerySet(ScopedQuerySet):
    """Queries follow their period's programme (change managers), champions
    see and raise their units' queries (at or below), and the members of a
    period's support team (change managers or champions) see and work all
    of that period's queries; a champion changes only those."""

    def scope_for(self, user: Any, action: str) -> QueryQuerySet:
        support = Q(period__support_team__in=Team.objects.filter(members=user.pk))
        if action == "change" and getattr(user, "role", None) == "champion":
            return self.filter(support)
        scoped = super().scope_for(user, action)
        return self.filter(Q(pk__in=scoped.values("pk")) | support)


class Query(models.Model):
    class Status(models.TextChoices):
        NEW = "new", "New"
        ASSIGNED = "assigned", "Assigned"
        IN_PROGRESS = "in_progress", "In progress"
        WAITING = "waiting", "Waiting on requester"
        RESOLVED = "resolved", "Resolved"
        CLOSED = "closed", "Closed"
        REOPENED = "reopened", "Reopened"

    OPEN_STATUSES = (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.WAITING, Status.REOPENED)

    class Source(models.TextChoices):
        PUBLIC = "public", "Raised by the member of staff"
        ON_BEHALF = "on_behalf", "Raised on their behalf"
        SUPPORT = "support", "Raised by the support team"
        IMPORT = "import", "Imported from the service desk"

    role_actions = {"change_manager": {"view", "add", "change"}, "champion": {"view", "add", "change"}, "auditor": {"view"}}
    programme_path = "period__rollout_wave__programme"
    unit_path = "unit"

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="queries")
    reference = models.CharField(max_length=12, unique=True, default=new_reference, editable=False)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", help_text="The requester's unit.")
    role = models.CharField(max_length=120, blank=True, help_text="The requester's job role (for reporting).")
    contact_name = models.CharField(max_length=170, blank=True, help_text="Seen by the support team only.")
    contact_email = models.EmailField(blank=True, help_text="Seen by the support team only.")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="queries")
    priority = models.CharField(max_length=2, choices=Priority.choices, default=Priority.P3)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW, db_index=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    impact_line = models.ForeignKey(ImpactLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.PUBLIC)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    external_ref = models.CharField(max_length=60, blank=True, help_text="The service desk's ticket number, for imports.")
    tags = models.CharField(max_length=200, blank=True, help_text="Comma-separated.")
    created_at = models.DateTimeField(db_index=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QueryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "queries"
        indexes = [models.Index(fields=["period", "status"], name="hypercare_query_period_status"),
                   models.Index(fields=["period", "created_at"], name="hypercare_query_period_created")]
        constraints = [models.UniqueConstraint(fields=["period", "external_ref"], condition=~Q(external_ref=""),
                                               name="hypercare_query_external_unique")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("query-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class QueryEvent(models.Model):
    """One step in a query's history: the SLA clocks are computed from these."""

    class Kind(models.TextChoices):
        CREATED = "created", "Raised"
        STATUS = "status", "Status changed"
        PRIORITY = "priority", "Priority changed"
        ASSIGNED = "assigned", "Assigned"
        COMMENT = "comment", "Comment"
        CATEGORY = "category", "Category changed"

    role_actions = {"change_manager": {"view"}, "champion": {"view"}, "auditor": {"view"}}
    parent_path = "query"

    query = models.ForeignKey(Query, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    from_value = models.CharField(max_length=40, blank=True)
    to_value = models.CharField(max_length=40, blank=True)
    text = models.TextField(blank=True)
    to_requester = models.BooleanField(default=False, help_text="A comment sent to the requester (counts as a response).")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["query", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.query.reference} {self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"hypercare/{instance.query_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file on a query, checked as evidence files are and served only through a scoped view."""

    role_actions = {"change_manager": {"view", "add"}, "champion": {"view"}, "auditor": {"view"}}
    parent_path = "query"

    query = models.ForeignKey(Query, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    file_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    added_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["added_at"]

    def __str__(self) -> str:
        return self.file_name


class ExitCriterion(models.Model):
    class Kind(models.TextChoices):
        NO_OPEN_P1 = "no_open_p1", "No open P1 queries"
        SLA_MET = "sla_met", "P1/P2 SLA met over the last two weeks"
        NEW_PER_DAY = "new_per_day", "New queries a day, five working days in a row"
        TRAINING_GAPS = "training_gaps", "Open training-gap queries in any one unit"

    role_actions = {"board": {"view"}, "change_manager": {"view", "add", "change", "delete"}, "champion": {"view"},
                    "auditor": {"view"}}
    parent_path = "period"

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="exit_criteria")
    kind = models.CharField(max_length=15, choices=Kind.choices)
    threshold = models.DecimalField(max_digits=6, decimal_places=1, default=0,
                                    help_text="SLA: the lowest passing %; new a day / training gaps: the most allowed.")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["period", "kind"]
        constraints = [models.UniqueConstraint(fields=["period", "kind"], name="hypercare_exit_criterion_unique")]
        verbose_name_plural = "exit criteria"

    def __str__(self) -> str:
        return self.get_kind_display()


DEFAULT_EXIT = {"no_open_p1": 0, "sla_met": 90, "new_per_day": 10, "training_gaps": 5}


class ExitDecision(models.Model):
    """Exit, or extend to a new end date; frozen with the criteria as they stood."""

    class Decision(models.TextChoices):
        EXIT = "exit", "Exit hypercare"
        EXTEND = "extend", "Extend"

    role_actions = {"board": {"view"}, "change_manager": {"view"}, "champion": {"view"}, "auditor": {"view"}}
    parent_path = "period"

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="decisions")
    decision = models.CharField(max_length=6, choices=Decision.choices)
    new_end = models.DateField(null=True, blank=True)
    reason = models.TextField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField()
    snapshot = models.JSONField(editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} ({self.decided_at:%d %b %Y})"


class TrainingGapSpike(models.Model):
    """A training-gap spike found in one unit and the readiness action it
    raised: a new spike for the unit counts only queries raised after the
    last one was found, so one burst never raises two actions."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="spikes")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    first_at = models.DateTimeField(help_text="When the first query counted was raised.")
    found_at = models.DateTimeField(help_text="When the spike was found; the next one counts queries raised after it.")
    queries = models.PositiveIntegerField()
    action = models.ForeignKey("readiness.Action", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["period", "unit", "-found_at"]
        constraints = [models.UniqueConstraint(fields=["period", "unit", "found_at"], name="hypercare_spike_unique")]

    def __str__(self) -> str:
        return f"Training-gap spike: {self.unit} ({self.queries})"
