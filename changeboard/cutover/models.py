"""Cutover: runbooks (the plan: tasks and their links), teams that own
tasks, and runs (a rehearsal or the live cutover) that execute a frozen copy
of the plan.

A runbook's schedule is never stored: `scheduling.schedule` computes it from
the tasks and links on every read, so it cannot go stale. A run copies the
plan when it starts (`RunTask` rows and `Run.links`), so editing the plan
never changes a run under way.

Times are stored in UTC and shown in Europe/London (`RUNBOOK_TZ`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from changeboard.core.scoping import ScopedQuerySet
from changeboard.organisation.models import Unit
from changeboard.portfolio.models import Programme, RolloutWave
from changeboard.readiness.models import Action

RUNBOOK_TZ = ZoneInfo("Europe/London")


class LinkType(models.TextChoices):
    """Predecessor link types, with the codes MS Project writes."""

    FS = "FS", "Finish-to-start"
    SS = "SS", "Start-to-start"
    FF = "FF", "Finish-to-finish"
    SF = "SF", "Start-to-finish"


class Team(models.Model):
    """A named group of people who can own cutover tasks together. Teams are
    portfolio-wide, so the same team's work in two programmes' cutovers can
    be seen together (`conflicts`)."""

    role_actions = {"board": {"view"}, "change_manager": {"view", "add", "change"}, "champion": {"view"}, "auditor": {"view"}}

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="cutover_teams", blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("team-detail", args=[self.pk])


def owned_tasks_q(user: Any, prefix: str = "") -> Q:
    """Tasks the user owns, alone or through a team."""
    return Q(**{f"{prefix}owner_user": user.pk}) | Q(**{f"{prefix}owner_team__members": user.pk})


class RunbookQuerySet(ScopedQuerySet):
    """Runbooks follow their programme (change managers edit their own, the
    Board and auditors read all, champions read those going live in their
    units), and anyone who owns a task in a runbook may view it, so an
    operator from another area can run their own tasks."""

    def scope_for(self, user: Any, action: str) -> RunbookQuerySet:
        scoped = super().scope_for(user, action)
        if action != "view":
            return scoped
        owned = Task.objects.filter(owned_tasks_q(user)).values("runbook_id")
        return self.filter(Q(pk__in=scoped.values("pk")) | Q(pk__in=owned))


class Runbook(models.Model):
    """The plan of one cutover: tasks and links from a planned start. A
    template has no programme and is copied into programmes' runbooks."""

    class Mode(models.TextChoices):
        PLANNING = "planning", "Planning"
        REHEARSAL = "rehearsal", "Rehearsal"
        LIVE = "live", "Live"
        COMPLETE = "complete", "Complete"
        ABANDONED = "abandoned", "Abandoned"

    role_actions = {"board": {"view"}, "change_manager": {"view", "add", "change", "delete"}, "champion": {"view"},
                    "auditor": {"view"}}
    programme_path = "programme"
    programme_optional = True  # templates: seen by everyone who may view runbooks, changed by admins

    programme = models.ForeignKey(Programme, null=True, blank=True, on_delete=models.CASCADE, related_name="runbooks")
    rollout_wave = models.ForeignKey(RolloutWave, null=True, blank=True, on_delete=models.RESTRICT, related_name="runbooks",
                                     help_text="The rollout wave this cutover takes live. A template has none.")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    is_template = models.BooleanField(default=False, help_text="A template belongs to no programme and is only copied.")
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.PLANNING)
    planned_start = models.DateTimeField(help_text="When the first task may start (Europe/London).")
    late_threshold_minutes = models.PositiveIntegerField(
        default=30, help_text="In a run, a task this many minutes past its planned finish raises an action.")
    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RunbookQuerySet.as_manager()

    class Meta:
        ordering = ["planned_start", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(is_template=True, programme__isnull=True, rollout_wave__isnull=True)
                                   | Q(is_template=False, programme__isnull=False, rollout_wave__isnull=False),
                                   name="runbook_template_or_wave"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("runbook-detail", args=[self.pk])


class Task(models.Model):
    """One step of a runbook's plan."""

    class Kind(models.TextChoices):
        NORMAL = "normal", "Normal"
        MILESTONE = "milestone", "Milestone"
        DECISION = "decision", "Go/no-go decision point"
        VALIDATION = "validation", "Validation (pass/fail)"
        COMMUNICATION = "communication", "Communication"

    role_actions = {"board": {"view"}, "change_manager": {"view", "add", "change", "delete"}, "champion": {"view"},
                    "auditor": {"view"}}
    parent_path = "runbook"  # seen and edited with its runbook

    runbook = models.ForeignKey(Runbook, on_delete=models.CASCADE, related_name="tasks")
    ref = models.CharField("ID", max_length=20, help_text="The task's ID shown to people, e.g. T-010; unique in the runbook.")
    position = models.PositiveIntegerField(default=0, help_text="Order in the runbook.")
    outline_level = models.PositiveSmallIntegerField(default=1, help_text="Indent level (1 is top), as in MS Project.")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    stream = models.CharField(max_length=60, default="Business", help_text="e.g. Business, Technology, Comms, Support.")
    sub_stream = models.CharField(max_length=60, blank=True)
    kind = models.CharField("type", max_length=15, choices=Kind.choices, default=Kind.NORMAL)
    duration_minutes = models.PositiveIntegerField(default=30, help_text="Planned duration in minutes (0 for a milestone).")
    owner_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="cutover_tasks", verbose_name="owner")
    owner_team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks",
                                   verbose_name="owning team")
    not_before = models.DateTimeField(null=True, blank=True, help_text="Fixed start: the task may not start earlier.")
    due_by = models.DateTimeField(null=True, blank=True, help_text="The task must finish by then.")
    rollback_point = models.BooleanField(
        default=False, help_text="A milestone marking the last moment the cutover can still be rolled back.")
    # Communication tasks: who hears what when the task becomes startable in a live run.
    audience_users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    audience_teams = models.ManyToManyField(Team, blank=True, related_name="+")
    audience_units = models.ManyToManyField(Unit, blank=True, related_name="+",
                                            help_text="Staff in these units (and below) with an email address.")
    message_subject = models.CharField(max_length=200, blank=True)
    message_body = models.TextField(blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["runbook", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["runbook", "ref"], name="task_ref_unique"),
            models.CheckConstraint(condition=Q(owner_user__isnull=True) | Q(owner_team__isnull=True), name="task_one_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("task-detail", args=[self.pk])

    @property
    def owner_label(self) -> str:
        if self.owner_user_id:
            user = self.owner_user
            return user.get_full_name() or user.get_username() if user else ""
        return str(self.owner_team) if self.owner_team_id else ""


class Dependency(models.Model):
    """`successor` waits on `predecessor` by the link type, plus `lag_minutes`
    (negative: a lead)."""

    role_actions = {"board": {"view"}, "change_manager": {"view", "add", "change", "delete"}, "champion": {"view"},
                    "auditor": {"view"}}
    parent_path = "successor__runbook"

    predecessor = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="successor_links")
    successor = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="predecessor_links")
    link_type = models.CharField(max_length=2, choices=LinkType.choices, default=LinkType.FS)
    lag_minutes = models.IntegerField(default=0, help_text="Minutes after the predecessor's start or finish (negative: before).")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["successor", "predecessor"]
        verbose_name_plural = "dependencies"
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="dependency_unique"),
            models.CheckConstraint(condition=~Q(predecessor=models.F("successor")), name="dependency_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor.ref} → {self.successor.ref} ({self.link_type})"


class Run(models.Model):
    """One execution of a runbook: a rehearsal or the live cutover. Its tasks
    (`RunTask`) and links (`links`) are copied from the plan at the start."""

    class Kind(models.TextChoices):
        REHEARSAL = "rehearsal", "Rehearsal"
        LIVE = "live", "Live"

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        PAUSED = "paused", "Paused"
        COMPLETE = "complete", "Complete"
        ABANDONED = "abandoned", "Abandoned"

    OPEN_STATUSES = (Status.RUNNING, Status.PAUSED)

    role_actions = {"board": {"view"}, "change_manager": {"view", "add", "change"}, "champion": {"view"}, "auditor": {"view"}}
    parent_path = "runbook"

    runbook = models.ForeignKey(Runbook, on_delete=models.CASCADE, related_name="runs")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    number = models.PositiveIntegerField(default=1, help_text="Rehearsal 1, 2, ... (the live run is 1).")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    planned_start = models.DateTimeField(help_text="The start the run's plan counts from.")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    paused_reason = models.TextField(blank=True)
    send_test_messages = models.BooleanField(
        default=False, help_text="Rehearsal only: send communication tasks' emails to the runbook's own people.")
    late_threshold_minutes = models.PositiveIntegerField(default=30)
    # The plan's links at the start: [[predecessor ref, successor ref, type, lag minutes], ...]
    links = models.JSONField(default=list, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["runbook"], condition=Q(status__in=["running", "paused"]), name="run_one_open"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}" if self.kind == self.Kind.REHEARSAL else "Live run"

    def get_absolute_url(self) -> str:
        return reverse("run-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class RunTask(models.Model):
    """A task as copied into a run, with what actually happened."""

    class Status(models.TextChoices):
        PENDING = "pending", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    class Result(models.TextChoices):
        PASS = "pass", "Pass"
        FAIL = "fail", "Fail"

    role_actions = {"board": {"view"}, "change_manager": {"view", "change"}, "champion": {"view"}, "auditor": {"view"}}
    parent_path = "run__runbook"

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="tasks")
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="run_tasks")
    ref = models.CharField("ID", max_length=20)
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=200)
    stream = models.CharField(max_length=60)
    sub_stream = models.CharField(max_length=60, blank=True)
    kind = models.CharField("type", max_length=15, choices=Task.Kind.choices)
    duration_minutes = models.PositiveIntegerField()
    owner_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="cutover_run_tasks", verbose_name="owner")
    owner_team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="run_tasks",
                                   verbose_name="owning team")
    not_before = models.DateTimeField(null=True, blank=True)
    due_by = models.DateTimeField(null=True, blank=True)
    rollback_point = models.BooleanField(default=False)
    planned_start = models.DateTimeField(help_text="The plan's start for this task in this run.")
    planned_finish = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    finished_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    result = models.CharField(max_length=4, choices=Result.choices, blank=True)
    comment = models.TextField(blank=True)
    action = models.ForeignKey(Action, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               help_text="The action raised by a failed validation or a late task.")
    message_sent_at = models.DateTimeField(null=True, blank=True, help_text="Communication tasks: when the emails were queued.")
    # The plan's words and audience at the start, so a run is its own record.
    description = models.TextField(blank=True)
    message_subject = models.CharField(max_length=200, blank=True)
    message_body = models.TextField(blank=True)
    audience = models.JSONField(default=dict, blank=True, editable=False,
                                help_text='Communication tasks: {"users": [ids], "teams": [ids], "units": [ids]} at the start.')

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["run", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["run", "ref"], name="run_task_ref_unique")]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    @property
    def actual_minutes(self) -> int | None:
        if self.started_at and self.finished_at:
            return max(0, round((self.finished_at - self.started_at) / dt.timedelta(minutes=1)))
        return None
