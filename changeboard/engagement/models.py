"""Stakeholder engagement and communications.

- The **register** (`Stakeholder`) is portfolio-wide: a person from the
  organisation model (kept in sync by the HR import: a leaver is flagged for
  review, a mover's unit follows the staff record), an external person, or a
  group (a unit, a role group, or a body such as the Police Federation).
- A programme's view of a stakeholder (`StakeholderAssessment`): influence,
  interest, a judged impact beside the impact derived from the approved
  impact assessments, current and target position, owner.
- **Engagements** are planned against an assessment and logged when they
  happen; follow-ups become readiness actions.
- The **comms plan** (`Message`) is per programme: a calendar of messages
  with an approval workflow. Its audience (`AudienceRule`) is resolved from
  the organisation model at sending time; `MessageReach` keeps the audience's
  headcount per unit (refreshed on every change and at sending), which is what
  the approval's size and the attention heatmap read.
- **Sending** writes one `Recipient` per person with its outbox message;
  delivery states are the outbox's. Events carry an iCalendar invitation with
  a stable UID and a SEQUENCE that rises with each update.
- **One attention budget** (`EngagementPolicy.weekly_limit`): items asking
  for a team's attention in one week, across the whole portfolio.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from changeboard.core.models import OutboxMessage
from changeboard.core.scoping import UNIT_ROLES, ScopedQuerySet, subtree_q, unit_paths
from changeboard.cutover.models import Task
from changeboard.impacts.models import ImpactAssessment, ImpactLine
from changeboard.organisation.models import Staff, Unit
from changeboard.portfolio.models import Programme, RolloutWave
from changeboard.surveys.models import RoleGroup

SCALE = [MinValueValidator(1), MaxValueValidator(5)]


class Position(models.IntegerChoices):
    """Where a stakeholder stands on the change (ordered: higher is better)."""

    STRONGLY_AGAINST = 1, "Strongly against"
    AGAINST = 2, "Against"
    NEUTRAL = 3, "Neutral"
    SUPPORTIVE = 4, "Supportive"
    CHAMPION = 5, "Champion"


class EngagementPolicy(models.Model):
    """The portfolio's rules for engagement and communications (one row)."""

    role_actions = {"board": {"view"}, "change_manager": {"view"}, "champion": {"view"}, "auditor": {"view"}}

    weekly_limit = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1)],
        help_text="Items (messages, briefings, events, survey invitations, cutover communications) that may ask for one team's "
                  "attention in one week, across every programme.")
    debt_days = models.PositiveSmallIntegerField(
        default=42, validators=[MinValueValidator(1)],
        help_text="A key stakeholder short of their target position with no engagement for this many days is in engagement debt.")
    key_threshold = models.PositiveSmallIntegerField(
        default=4, validators=SCALE, help_text="Influence or impact at or above this makes a stakeholder key (1–5).")
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "engagement policies"

    def __str__(self) -> str:
        return f"Attention limit {self.weekly_limit} a week"

    @classmethod
    def current(cls) -> EngagementPolicy:
        policy = cls.objects.order_by("pk").first()
        return policy or cls.objects.create()


class Stakeholder(models.Model):
    """One entry in the portfolio-wide register."""

    class Kind(models.TextChoices):
        PERSON = "person", "Person in the organisation"
        EXTERNAL = "external", "External person"
        GROUP = "group", "Group"

    class GroupKind(models.TextChoices):
        UNIT = "unit", "Unit"
        ROLE_GROUP = "role_group", "Role group"
        BODY = "body", "Body (staff association, union, partner)"

    role_actions = {"board": {"view"}, "change_manager": {"view", "add", "change"}, "auditor": {"view"}}

    kind = models.CharField(max_length=10, choices=Kind.choices)
    staff = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="stakeholder_entries",
                              help_text="People in the organisation: their HR record (name, unit and role follow it).")
    name = models.CharField(max_length=200, blank=True, help_text="External people and bodies: the name to show.")
    organisation = models.CharField(max_length=200, blank=True, help_text="External people: their organisation.")
    role_title = models.CharField("role", max_length=200, blank=True)
    email = models.EmailField(blank=True, help_text="External people and bodies: a contact address.")
    phone = models.CharField(max_length=40, blank=True)
    group_kind = models.CharField(max_length=10, choices=GroupKind.choices, blank=True)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="stakeholder_entries",
                             help_text="Groups: the unit (with everything below it); with a role group, that group within the unit.")
    role_group = models.CharField(max_length=10, choices=RoleGroup.choices, blank=True,
                                  help_text="Groups: officers, staff or volunteers (within the unit, if one is given).")
    notes = models.TextField(blank=True)
    # Kept in sync by the HR import (services.sync_from_staff).
    needs_review = models.CharField(max_length=200, blank=True,
                                    help_text="Why the entry needs a look after an HR import (left the force, moved unit).")
    known_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False,
                                   help_text="People: the unit when last reviewed, to notice a move.")
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["staff"], condition=Q(staff__isnull=False), name="engagement_stakeholder_staff_unique"),
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("stakeholder-detail", args=[self.pk])

    @property
    def display_name(self) -> str:
        if self.kind == self.Kind.PERSON and self.staff_id:
            staff: Staff = self.staff  # type: ignore[assignment]
            return f"{staff.first_name} {staff.last_name}"
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The sortable name of a person follows the HR record.
        if self.kind == self.Kind.PERSON and self.staff_id:
            self.name = self.display_name
        super().save(*args, **kwargs)


class StakeholderAssessment(models.Model):
    """A programme's mapping of one stakeholder."""

    role_actions = {"board": {"view"}, "change_manager": {"view", "add", "change", "delete"}, "auditor": {"view"}}
    programme_path = "programme"

    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.CASCADE, related_name="assessments")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="stakeholder_assessments")
    influence = models.PositiveSmallIntegerField(validators=SCALE, help_text="Power over the programme's outcome, 1 (low) to 5 (high).")
    interest = models.PositiveSmallIntegerField(validators=SCALE, help_text="How much they care about it, 1 (low) to 5 (high).")
    impact_judgement = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(5)],
        help_text="Your judgement of the impact, 0–5, shown beside the impact derived from the approved impact assessments.")
    current_position = models.PositiveSmallIntegerField(choices=Position.choices, default=Position.NEUTRAL)
    target_position = models.PositiveSmallIntegerField(choices=Position.choices, default=Position.SUPPORTIVE)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              help_text="Who keeps this relationship.")
    notes = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "-influence", "-interest", "pk"]
        constraints = [models.UniqueConstraint(fields=["stakeholder", "programme"], name="engagement_assessment_unique")]

    def __str__(self) -> str:
        return f"{self.stakeholder} ({self.programme.code})"

    def get_absolute_url(self) -> str:
        return reverse("stakeholder-assessment-detail", args=[self.pk])

    @property
    def target_met(self) -> bool:
        return self.current_position >= self.target_position


class Engagement(models.Model):
    """A planned engagement with one stakeholder for one programme, and,
    once it happened, its log."""

    class Method(models.TextChoices):
        MEETING = "meeting", "Meeting"
        BRIEFING = "briefing", "Briefing"
        WORKSHOP = "workshop", "Workshop"
        EMAIL = "email", "Email"
        CALL = "call", "Call"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    role_actions = {"board": {"view"}, "change_manager": {"view", "add", "change"}, "auditor": {"view"}}
    programme_path = "assessment__programme"

    assessment = models.ForeignKey(StakeholderAssessment, on_delete=models.CASCADE, related_name="engagements")
    purpose = models.CharField(max_length=200)
    method = models.CharField(max_length=10, choices=Method.choices)
    planned_on = models.DateField(null=True, blank=True, help_text="Blank for an engagement logged without a plan.")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED, db_index=True)
    happened_on = models.DateField(null=True, blank=True)
    attendees = models.TextField(blank=True)
    key_points = models.TextField(blank=True)
    concerns = models.TextField("concerns raised", blank=True)
    position_after = models.PositiveSmallIntegerField(choices=Position.choices, null=True, blank=True,
                                                      help_text="Their position after this engagement, if it changed.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-happened_on", "-planned_on", "-pk"]
        indexes = [models.Index(fields=["status", "planned_on"], name="engagement_due_idx")]

    def __str__(self) -> str:
        return f"{self.get_method_display()}: {self.purpose}"

    def get_absolute_url(self) -> str:
        return reverse("engagement-detail", args=[self.pk])


class MessageQuerySet(ScopedQuerySet):
    def scope_for(self, user: Any, action: str) -> MessageQuerySet:
        """The programme's rule, and for a champion (who sees the programmes
        going live in their units) only the messages whose audience reaches
        people at or below their units (`MessageReach`)."""
        scoped = super().scope_for(user, action)
        if getattr(user, "role", None) not in UNIT_ROLES:
            return scoped
        reach = MessageReach.objects.filter(message=models.OuterRef("pk"), headcount__gt=0).filter(subtree_q(unit_paths(user), "unit__path"))
        return scoped.filter(models.Exists(reach))


class Message(models.Model):
    """One entry in a programme's comms plan."""

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        INTRANET = "intranet", "Intranet or Teams post"
        BRIEFING = "briefing", "Briefing"
        CASCADE = "cascade", "Team meeting cascade"
        EVENT = "event", "Event (calendar invitation)"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        FOR_APPROVAL = "for_approval", "For approval"
        APPROVED = "approved", "Approved"
        SENT = "sent", "Sent or done"
        CANCELLED = "cancelled", "Cancelled"

    # Channels whose messages go to each person through the outbox.
    SENT_BY_EMAIL = (Channel.EMAIL, Channel.EVENT)

    role_actions = {"board": {"view"}, "change_manager": {"view", "add", "change", "approve"}, "champion": {"view"},
                    "auditor": {"view"}}
    programme_path = "programme"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="messages")
    title = models.CharField(max_length=200)
    purpose = models.CharField(max_length=300, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    planned_on = models.DateField(help_text="The day it goes out (an event: the day it takes place).")
    starts_at = models.DateTimeField(null=True, blank=True, help_text="Events and briefings: start time.")
    ends_at = models.DateTimeField(null=True, blank=True, help_text="Events and briefings: end time.")
    location = models.CharField(max_length=200, blank=True, help_text="Events: where, or the meeting link.")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    rollout_wave = models.ForeignKey(RolloutWave, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages",
                                     help_text="The rollout wave it serves (its go-live date fills {wave_date}).")
    cutover_task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages",
                                     help_text="The cutover task it serves.")
    subject = models.CharField(max_length=200, blank=True, help_text="Email and events: the subject line.")
    body = models.TextField(
        blank=True, help_text="Email and events: the text. {first_name}, {last_name}, {unit} and {wave_date} are filled in for each person.")
    # Workflow.
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    audience_size = models.PositiveIntegerField(default=0, help_text="People the audience resolves to (refreshed on each change).")
    sent_at = models.DateTimeField(null=True, blank=True)
    # The calendar invitation's identity: one UID for ever, a SEQUENCE that rises with each update sent.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["planned_on", "pk"]
        indexes = [models.Index(fields=["planned_on", "status"], name="engagement_message_day_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("message-detail", args=[self.pk])

    @property
    def sends_email(self) -> bool:
        return self.channel in self.SENT_BY_EMAIL


class AudienceRule(models.Model):
    """One part of a message's audience; the audience is their union."""

    class Kind(models.TextChoices):
        UNIT = "unit", "Unit (with everything below it)"
        ROLE_GROUP = "role_group", "Role group (optionally within a unit)"
        IMPACT_LINE = "impact_line", "Staff of an impact line"
        ASSESSMENT = "assessment", "Staff of an impact assessment"
        STAKEHOLDER = "stakeholder", "Stakeholder"
        CHAMPIONS = "champions", "Change champions"

    role_actions = {"board": {"view"}, "change_manager": {"view", "add", "change", "delete"}, "champion": {"view"},
                    "auditor": {"view"}}
    parent_path = "message"

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="audience_rules")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    role_group = models.CharField(max_length=10, choices=RoleGroup.choices, blank=True)
    impact_line = models.ForeignKey(ImpactLine, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    impact_assessment = models.ForeignKey(ImpactAssessment, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    stakeholder = models.ForeignKey(Stakeholder, null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["message", "pk"]

    def __str__(self) -> str:
        target = self.unit or self.impact_line or self.impact_assessment or self.stakeholder
        group = self.get_role_group_display() if self.role_group else ""
        return " ".join(str(part) for part in (self.get_kind_display(), target or "", group) if part)


class MessageReach(models.Model):
    """How many people of a message's audience are in each unit (the
    audience resolved on each change; what the heatmap counts)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reach")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    headcount = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "unit"], name="engagement_reach_unique")]
        indexes = [models.Index(fields=["unit", "message"], name="engagement_reach_unit_idx")]


class Recipient(models.Model):
    """One person a message was sent to, with the email sent (its delivery
    state is the outbox message's). Updates and cancellations of an event go
    to the same people, each as its own outbox message."""

    class Kind(models.TextChoices):
        MESSAGE = "message", "Message or invitation"
        UPDATE = "update", "Updated invitation"
        CANCEL = "cancel", "Cancellation"

    role_actions = {"board": {"view"}, "change_manager": {"view"}, "auditor": {"view"}}
    parent_path = "message"

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="recipients")
    staff = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    stakeholder = models.ForeignKey(Stakeholder, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                    help_text="An external stakeholder or a body (no HR record).")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.MESSAGE)
    sequence = models.PositiveIntegerField(default=0)
    outbox = models.OneToOneField(OutboxMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["message", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["message", "staff", "kind", "sequence"], condition=Q(staff__isnull=False),
                                    name="engagement_recipient_staff_unique"),
            models.UniqueConstraint(fields=["message", "stakeholder", "kind", "sequence"], condition=Q(stakeholder__isnull=False),
                                    name="engagement_recipient_stakeholder_unique"),
        ]
