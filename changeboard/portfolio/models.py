"""The portfolio: programmes, their milestones and rollout waves."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Min, Q
from django.urls import reverse
from django.utils import timezone

from changeboard.core.scoping import ScopedQuerySet, ancestor_paths
from changeboard.organisation.models import Unit, subtree_q, unit_paths_for

if TYPE_CHECKING:
    from changeboard.accounts.models import User


class ProgrammeQuerySet(ScopedQuerySet):
    """Change managers reach their own programmes and Board members all (the
    shared rules); champions those with a rollout wave touching their units
    (a wave on a unit above or below theirs): this model's own rule, which
    every row seen with its programme follows."""

    def unit_role_programmes_q(self, user: User, prefix: str = "") -> Q:
        paths = unit_paths_for(user)
        if not paths:
            return Q(**{f"{prefix}pk__in": []})
        # Units at or below the champion's, plus their ancestors (path prefixes).
        touching = Unit.objects.filter(subtree_q(paths) | Q(path__in=ancestor_paths(user)))
        return Q(**{f"{prefix}pk__in": RolloutWave.objects.filter(units__in=touching).values("programme_id")})

    def with_next_go_live(self) -> ProgrammeQuerySet:
        """Annotates `next_go_live`: the earliest wave date from today on."""
        today = timezone.localdate()
        return self.annotate(next_go_live=Min("waves__go_live_date", filter=Q(waves__go_live_date__gte=today)))


class Programme(models.Model):
    """One of the portfolio's change programmes."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        CLOSED = "closed", "Closed"

    class Phase(models.TextChoices):
        DISCOVERY = "discovery", "Discovery"
        DESIGN = "design", "Design"
        BUILD = "build", "Build"
        TEST = "test", "Test"
        DEPLOY = "deploy", "Deploy"
        HYPERCARE = "hypercare", "Hypercare"
        CLOSED = "closed", "Closed"

    role_actions = {"board": {"view"}, "change_manager": {"view", "change"}, "champion": {"view"}}
    programme_path = "pk"

    code = models.CharField(max_length=20, unique=True, help_text="Short reference, e.g. SBS.")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    sro = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="sro_programmes", verbose_name="SRO", help_text="Senior responsible owner.")
    change_lead = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="led_programmes", help_text="The business change lead.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    phase = models.CharField(max_length=12, choices=Phase.choices, default=Phase.DISCOVERY)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("programme-detail", args=[self.pk])



CHILD_ROLES = {"board": {"view"}, "change_manager": {"view", "add", "change", "delete"}, "champion": {"view"}}


class Milestone(models.Model):
    role_actions = CHILD_ROLES
    programme_path = "programme"  # seen and edited with their programme

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(max_length=200)
    due_date = models.DateField()
    completed = models.BooleanField(default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "name"]

    def __str__(self) -> str:
        return self.name


class RolloutWave(models.Model):
    """A set of units going live together on one date."""

    role_actions = CHILD_ROLES
    programme_path = "programme"  # seen and edited with their programme

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="waves")
    name = models.CharField(max_length=120)
    go_live_date = models.DateField()
    units = models.ManyToManyField(Unit, related_name="rollout_waves", help_text="Each unit goes live with everything below it.")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["go_live_date", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.go_live_date:%d %b %Y})"
