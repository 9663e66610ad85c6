"""The change-champion network.

- The **pool** (`Champion`) is force-wide: one entry per member of staff,
  nominated by a line manager or a change manager and accepted by the
  champion, with the units they look after, the hours a month they have
  agreed to give, and a start and end. Location and shift pattern are the
  HR record's (a mover's follow it); the HR import flags leavers and movers
  for review. The champion's account (`user`) is scoped to `units`.
- **Support** (`Support`): which programmes a champion helps, and how many
  hours a month each programme asks of them; the sum against the hours agreed
  is the champion's **load**.
- **Coverage** is computed, never stored: a programme's impacted people (its
  approved impact assessments) against its active champions, by unit,
  location, shift pattern and role group, against a target ratio
  (`NetworkPolicy.target_ratio`, overridable per programme by
  `CoverageTarget`).
- **Activities** (`Activity`): what champions did or are planned to do
  (briefings, floor-walks, ...), with the people reached.
- **Feedback from the floor** (`Theme`): what champions hear, which can
  become a readiness action or be tied to a criterion or a hypercare
  category.
- **Recognition** (`Thanks`): a thank-you from a programme, sent through the
  outbox. The monthly **pulse** is a survey wave whose audience is the
  programme's champions (`SurveyWave.Source.CHAMPIONS`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from changeboard.core.scoping import PROGRAMME_MEMBER_ROLES, UNIT_ROLES, ScopedQuerySet
from changeboard.hypercare.models import Category as HypercareCategory
from changeboard.organisation.models import Staff, Unit
from changeboard.portfolio.models import Programme
from changeboard.readiness.models import Action, Criterion
from changeboard.surveys.models import RoleGroup


class NetworkPolicy(models.Model):
    """The portfolio's rules for the champion network (one row)."""

    role_actions = {"board": {"view"}, "change_manager": {"view"}, "champion": {"view"}, "auditor": {"view"}}

    target_ratio = models.PositiveIntegerField(
        default=25, validators=[MinValueValidator(1), MaxValueValidator(10000)],
        help_text="Impacted people per champion the portfolio aims for (1 champion per this many). A programme may set its own.")
    default_hours = models.DecimalField(
        max_digits=5, decimal_places=1, default=4, validators=[MinValueValidator(0)],
        help_text="Hours a month a new champion is asked to agree to, unless the nomination says otherwise.")
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "network policies"

    def __str__(self) -> str:
        return f"1 champion per {self.target_ratio} impacted"

    @classmethod
    def current(cls) -> NetworkPolicy:
        policy = cls.objects.order_by("pk").first()
        return policy or cls.objects.create()


class CoverageTarget(models.Model):
    """A programme's own target ratio, replacing the portfolio's."""

    role_actions = {"board": {"view"}, "change_manager": {"view", "add", "change", "delete"}, "champion": {"view"}, "auditor": {"view"}}
    programme_path = "programme"

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, related_name="coverage_target")
    target_ratio = models.PositiveIntegerField(validators=[MinValueValidator(1), MaxValueValidator(10000)],
                                               help_text="Impacted people per champion this programme aims for.")
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.programme.code}: 1 per {self.target_ratio}"


class ChampionQuerySet(ScopedQuerySet):
    def scope_for(self, user: Any, action: str) -> ChampionQuerySet:
        """The pool is force-wide: anyone who may view sees it (a change
        manager must see who is already asked by others). Champions see the
        champions in their units. A change manager changes only the
        champions supporting one of their programmes or nominated by them."""
        role = getattr(user, "role", None)
        if action != "view" and role in PROGRAMME_MEMBER_ROLES:
            return self.filter(Q(pk__in=Support.objects.filter(programme__in=user.programmes.all()).values("champion_id"))
                               | Q(nominated_by=user))
        if role in UNIT_ROLES:
            # A champion always sees their own entry, wherever they work.
            return self.filter(self.unit_q(user) | Q(user=user))
        return super().scope_for(user, action)

    def active(self, on: Any = None) -> ChampionQuerySet:
        """Accepted, started, not ended, and still in post."""
        day = on or timezone.localdate()
        return self.filter(status=Champion.Status.ACTIVE, start_date__lte=day, staff__is_leaver=False).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=day)).filter(Q(staff__leave_date__isnull=True) | Q(staff__leave_date__gt=day))


class Champion(models.Model):
    """One member of staff in the force-wide champion pool."""

    class Status(models.TextChoices):
        NOMINATED = "nominated", "Nominated"
        ACTIVE = "active", "Active"
        DECLINED = "declined", "Declined"
        ENDED = "ended", "Ended"

    class NominatedAs(models.TextChoices):
        LINE_MANAGER = "line_manager", "Line manager"
        CHANGE_MANAGER = "change_manager", "Change manager"

    role_actions = {"board": {"view"}, "change_manager": {"view", "add", "change"}, "champion": {"view"}, "auditor": {"view"}}
    unit_path = "staff__unit"

    staff = models.OneToOneField(Staff, on_delete=models.PROTECT, related_name="champion",
                                 help_text="Their HR record: name, location, shift pattern and role follow it.")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="champion_entries",
                             help_text="Their Changeboard account, scoped to the units they look after.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NOMINATED, db_index=True)
    units = models.ManyToManyField(Unit, related_name="champions", help_text="The units (with everything below them) they look after.")
    hours_agreed = models.DecimalField(max_digits=5, decimal_places=1, validators=[MinValueValidator(0), MaxValueValidator(200)],
                                       help_text="Hours a month they (and their line manager) have agreed to give.")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Blank while open-ended.")
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    nominated_as = models.CharField(max_length=15, choices=NominatedAs.choices, default=NominatedAs.CHANGE_MANAGER)
    nominated_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True, help_text="Why them: the gap they fill, what they know.")
    responded_at = models.DateTimeField(null=True, blank=True)
    # Kept in step with the HR record (services.champions.sync_from_staff).
    needs_review = models.CharField(max_length=200, blank=True,
                                    help_text="Why the entry needs a look after an HR import (left the force, moved unit).")
    known_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False,
                                   help_text="Their unit when last reviewed, to notice a move.")

    objects = ChampionQuerySet.as_manager()

    class Meta:
        ordering = ["staff__last_name", "staff__first_name", "pk"]

    def __str__(self) -> str:
        return f"{self.staff.first_name} {self.staff.last_name}"

    def get_absolute_url(self) -> str:
        return reverse("champion-detail", args=[self.pk])


class Support(models.Model):
    """A champion's support for one programme and what it asks of them."""

    role_actions = {"board": {"view"}, "change_manager": {"view", "add", "change", "delete"}, "champion": {"view"}, "auditor": {"view"}}
    programme_path = "programme"
    unit_path = "champion__staff__unit"

    champion = models.ForeignKey(Champion, on_delete=models.CASCADE, related_name="supports")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="champion_supports")
    hours_asked = models.DecimalField(max_digits=5, decimal_places=1, validators=[MinValueValidator(0), MaxValueValidator(200)],
                                      help_text="Hours a month this programme asks of the champion.")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["programme__code", "pk"]
        constraints = [models.UniqueConstraint(fields=["champion", "programme"], name="network_support_unique")]

    def __str__(self) -> str:
        return f"{self.champion} for {self.programme.code}"


class Activity(models.Model):
    """Something a champion did, or is planned to do, for a programme."""

    class Kind(models.TextChoices):
        BRIEFING = "briefing", "Briefing"
        FLOOR_WALK = "floor_walk", "Floor-walk"
        DROP_IN = "drop_in", "Drop-in"
        DEMO = "demo", "Demo"
        QA = "qa", "Q&A session"
        SURVEY = "survey", "Survey encouragement"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    role_actions = {"board": {"view"}, "change_manager": {"view", "add", "change"}, "champion": {"view", "add", "change"}, "auditor": {"view"}}
    programme_path = "programme"
    unit_path = "unit"

    champion = models.ForeignKey(Champion, on_delete=models.CASCADE, related_name="activities")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="champion_activities")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DONE, db_index=True)
    date = models.DateField()
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="champion_activities", help_text="Where it happened (or will).")
    people_reached = models.PositiveIntegerField(default=0, validators=[MaxValueValidator(100000)],
                                                 help_text="How many people took part (planned: expected).")
    minutes = models.PositiveIntegerField(default=0, validators=[MaxValueValidator(24 * 60)], help_text="Time the champion spent, in minutes.")
    notes = models.TextField(blank=True)
    planned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   help_text="The change manager who planned it, if it was planned.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name_plural = "activities"
        indexes = [models.Index(fields=["programme", "status", "date"], name="network_activity_prog")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.date:%d %b %Y}"

    def get_absolute_url(self) -> str:
        return reverse("activity-detail", args=[self.pk])


class Theme(models.Model):
    """Feedback from the floor: one theme a champion heard."""

    class Category(models.TextChoices):
        TRAINING = "training", "Training and skills"
        PROCESS = "process", "Process"
        TECHNOLOGY = "technology", "Technology"
        COMMS = "comms", "Communications"
        WORKLOAD = "workload", "Workload and timing"
        MORALE = "morale", "Morale and support"
        OTHER = "other", "Other"

    class Sentiment(models.IntegerChoices):
        NEGATIVE = -1, "Negative"
        MIXED = 0, "Mixed or neutral"
        POSITIVE = 1, "Positive"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACTIONED = "actioned", "Became an action"
        LINKED = "linked", "Tied to readiness or hypercare"
        CLOSED = "closed", "Closed"

    role_actions = {"board": {"view"}, "change_manager": {"view", "add", "change"}, "champion": {"view", "add"}, "auditor": {"view"}}
    programme_path = "programme"
    unit_path = "unit"

    champion = models.ForeignKey(Champion, null=True, blank=True, on_delete=models.SET_NULL, related_name="themes",
                                 help_text="Who heard it (blank when a change manager records it).")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="champion_themes")
    category = models.CharField(max_length=12, choices=Category.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="champion_themes")
    role_group = models.CharField(max_length=10, choices=RoleGroup.choices, blank=True,
                                  help_text="The group it is about, if one (officers, staff, volunteers).")
    sentiment = models.SmallIntegerField(choices=Sentiment.choices, default=Sentiment.MIXED)
    text = models.TextField(help_text="What was heard, in a sentence or two. No names.")
    heard_on = models.DateField(default=timezone.localdate)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    action = models.ForeignKey(Action, null=True, blank=True, on_delete=models.SET_NULL, related_name="champion_themes")
    criterion = models.ForeignKey(Criterion, null=True, blank=True, on_delete=models.SET_NULL, related_name="champion_themes")
    hypercare_category = models.ForeignKey(HypercareCategory, null=True, blank=True, on_delete=models.SET_NULL, related_name="champion_themes")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-heard_on", "-pk"]
        indexes = [models.Index(fields=["programme", "status"], name="network_theme_prog")]

    def __str__(self) -> str:
        return f"{self.get_category_display()} ({self.programme.code})"

    def get_absolute_url(self) -> str:
        return reverse("theme-detail", args=[self.pk])


class Thanks(models.Model):
    """A thank-you from a programme to a champion, sent through the outbox."""

    role_actions = {"board": {"view"}, "change_manager": {"view", "add"}, "champion": {"view"}, "auditor": {"view"}}
    programme_path = "programme"
    unit_path = "champion__staff__unit"

    champion = models.ForeignKey(Champion, on_delete=models.CASCADE, related_name="thanks")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="champion_thanks")
    message = models.TextField()
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)
    outbox_key = models.CharField(max_length=120, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name_plural = "thanks"

    def __str__(self) -> str:
        return f"Thanks to {self.champion} from {self.programme.code}"
