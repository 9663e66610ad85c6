"""The change approach, user journeys, and coaching and capability building.

- **Approach** (`Approach`): one structured document per programme, its
  sections as fields, the approach per impacted group (`GroupApproach`) and
  measurable **promises** (`Promise`) shown beside their live evidence. The
  scope and impacted groups are not retyped: they are read from the
  programme's approved impact assessments. Draft -> submitted -> approved;
  each approval freezes an `ApproachVersion` with what changed since the last.
- **Journeys** (`Journey`): a persona tied to an impacted group (units x
  role group), its stages (`Stage`) and steps (`Step`: today's and
  tomorrow's way, pain points, an emotion), each step with touchpoints
  (`Touchpoint`: a comms message, training course, champion activity or
  cutover task, by id). A step with an ADKAR element takes its emotion from
  the latest closed readiness wave for the persona's group, suppression
  applied.
- **Framework** (`Framework`, `Competency`, `PractitionerRole`,
  `Requirement`): the competencies of a change practitioner, levels 1-4, and
  the level each practitioner role needs.
- **Practitioners** (`Practitioner`): the force's own people being built up
  (business change leads, champions), staff from the organisation model,
  optionally with their Changeboard account; `Assessment` and `Rating`: a
  self-assessment or their coach's.
- **Coaching** (`CoachingSession`): private to coach and coachee except the
  areas and dates.
- **Handover** (`HandoverItem`): per programme, each activity the team does
  and whom in the force it is handed to; the evidence that the force's own
  people do it alone is read from the audit trail, never typed.
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
from changeboard.organisation.models import Staff, Unit
from changeboard.portfolio.models import Programme
from changeboard.surveys.models import Adkar, RoleGroup

LEVELS = [(1, "1 - Aware"), (2, "2 - Practising with help"), (3, "3 - Independent"), (4, "4 - Expert, can coach others")]
level_validators = [MinValueValidator(1), MaxValueValidator(4)]


# ---------------------------------------------------------------- approach


class ApproachStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for approval"
    APPROVED = "approved", "Approved"


class Approach(models.Model):
    """A programme's change approach. The live row is the working copy; each
    approval freezes its content as an `ApproachVersion`."""

    Status = ApproachStatus

    role_actions = {"board": {"view"}, "change_manager": {"view", "add", "change"}, "champion": {"view"}, "auditor": {"view"}}
    programme_path = "programme"

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, related_name="approach")
    status = models.CharField(max_length=10, choices=ApproachStatus.choices, default=ApproachStatus.DRAFT, db_index=True)
    version = models.PositiveIntegerField(default=0, help_text="The number of the latest approved version (0: never approved).")
    objectives = models.TextField(blank=True, help_text="What the change must achieve, and how the Board will know.")
    case_for_change = models.TextField(blank=True, help_text="Why change, why now, and what happens if the force does not.")
    principles = models.TextField(blank=True, help_text="The principles every part of the approach keeps to.")
    risks = models.TextField(blank=True, help_text="The people-side risks to landing the change, and what is done about each.")
    governance = models.TextField(blank=True, help_text="Who decides what, where (boards, reviews, go/no-go) and how often.")
    change_note = models.TextField(blank=True, help_text="What this draft changes, in a sentence or two: kept with the version when approved.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["programme__code"]
        verbose_name_plural = "approaches"

    def __str__(self) -> str:
        return f"{self.programme.code}: change approach"

    def get_absolute_url(self) -> str:
        return reverse("approach-detail", args=[self.pk])


class GroupApproach(models.Model):
    """How the approach lands on one impacted group (a unit, with everything
    below it, and optionally one role group)."""

    role_actions = {"board": {"view"}, "change_manager": {"view", "add", "change", "delete"}, "champion": {"view"}, "auditor": {"view"}}
    parent_path = "approach"

    approach = models.ForeignKey(Approach, on_delete=models.CASCADE, related_name="groups")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", help_text="The impacted unit, with everything below it.")
    role_group = models.CharField(max_length=10, choices=RoleGroup.choices, blank=True, help_text="Blank: every role group in the unit.")
    sponsorship = models.TextField(blank=True, help_text="Who sponsors the change for this group and what they do.")
    engagement = models.TextField(blank=True)
    communications = models.TextField(blank=True)
    training = models.TextField(blank=True)
    champions = models.TextField(blank=True)
    checkpoints = models.TextField(blank=True, verbose_name="readiness checkpoints")
    reinforcement = models.TextField(blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["approach", "unit__path", "role_group"]
        constraints = [models.UniqueConstraint(fields=["approach", "unit", "role_group"], name="group_approach_unique")]

    def __str__(self) -> str:
        return f"{self.unit.name} ({self.get_role_group_display() or 'every role group'})"


class Measure(models.TextChoices):
    """What a promise can be checked against (`capability/evidence.py`)."""

    CHAMPION_RATIO = "champion_ratio", "Champion coverage: at most this many impacted people per champion"
    READINESS_SCORE = "readiness_score", "Readiness score (latest closed wave) at least this %"
    RESPONSE_RATE = "response_rate", "Survey response rate (latest closed wave) at least this %"
    COMMS_SENT = "comms_sent", "At least this many communications sent to impacted people"
    CRITERIA_MET = "criteria_met", "At least this % of readiness criteria met"
    STAKEHOLDERS_ENGAGED = "stakeholders_engaged", "At least this % of key stakeholders engaged in the last 90 days"
    OVERDUE_ACTIONS = "overdue_actions", "At most this many overdue readiness actions"


class Section(models.TextChoices):
    """The sections of an approach a promise can sit in."""

    OBJECTIVES = "objectives", "Objectives and case for change"
    SPONSORSHIP = "sponsorship", "Sponsorship"
    ENGAGEMENT = "engagement", "Engagement"
    COMMUNICATIONS = "communications", "Communications"
    TRAINING = "training", "Training"
    CHAMPIONS = "champions", "Champions"
    CHECKPOINTS = "checkpoints", "Readiness checkpoints"
    REINFORCEMENT = "reinforcement", "Reinforcement"


class Promise(models.Model):
    """A measurable promise the approach makes, shown beside its live evidence."""

    role_actions = {"board": {"view"}, "change_manager": {"view", "add", "change", "delete"}, "champion": {"view"}, "auditor": {"view"}}
    parent_path = "approach"

    approach = models.ForeignKey(Approach, on_delete=models.CASCADE, related_name="promises")
    section = models.CharField(max_length=20, choices=Section.choices)
    measure = models.CharField(max_length=25, choices=Measure.choices)
    target = models.DecimalField(max_digits=8, decimal_places=1, validators=[MinValueValidator(0)],
                                 help_text="The figure promised, e.g. 25 for one champion per 25 impacted people, or 70 for 70%.")
    wording = models.CharField(max_length=200, blank=True, help_text="The promise in the approach's words (optional).")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["approach", "section", "measure"]
        constraints = [models.UniqueConstraint(fields=["approach", "measure"], name="promise_measure_unique")]

    def __str__(self) -> str:
        return self.wording or f"{self.get_measure_display()}: {self.target}"


class ApproachVersion(models.Model):
    """An approved version, frozen: its whole content and what changed since
    the version before."""

    role_actions = {"board": {"view"}, "change_manager": {"view"}, "champion": {"view"}, "auditor": {"view"}}
    parent_path = "approach"

    approach = models.ForeignKey(Approach, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField(help_text="The approach as approved: sections, groups and promises.")
    changes = models.JSONField(default=list, blank=True, help_text="What changed since the previous version: [{part, label, before, after}].")
    note = models.TextField(blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["approach", "-number"]
        constraints = [models.UniqueConstraint(fields=["approach", "number"], name="approach_version_unique")]

    def __str__(self) -> str:
        return f"{self.approach} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("approach-version", args=[self.approach_id, self.number])


# ---------------------------------------------------------------- journeys


class Journey(models.Model):
    """A user journey for one persona of a programme's impacted people."""

    role_actions = {"board": {"view"}, "change_manager": {"view", "add", "change", "delete"}, "champion": {"view"}, "auditor": {"view"}}
    programme_path = "programme"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="journeys")
    title = models.CharField(max_length=200, help_text="e.g. Booking a detained person in, after go-live.")
    persona = models.CharField(max_length=120, help_text="Who walks this journey, e.g. Custody officer on nights.")
    persona_description = models.TextField(blank=True, help_text="What matters to them, what they know today, what worries them.")
    units = models.ManyToManyField(Unit, related_name="+", help_text="The impacted units the persona works in (each with everything below it).")
    role_group = models.CharField(max_length=10, choices=RoleGroup.choices, blank=True, help_text="The persona's role group; blank: every role group.")
    fill_from_survey = models.BooleanField(default=True, help_text="Take the emotion of each step with an ADKAR element from the latest closed readiness wave "
                                                                  "for the persona's group, where enough people answered.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["programme__code", "title"]

    def __str__(self) -> str:
        return f"{self.programme.code}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("journey-detail", args=[self.pk])


class Stage(models.Model):
    role_actions = {"board": {"view"}, "change_manager": {"view", "add", "change", "delete"}, "champion": {"view"}, "auditor": {"view"}}
    parent_path = "journey"

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="stages")
    order = models.PositiveSmallIntegerField(default=1)
    name = models.CharField(max_length=120, help_text="e.g. Hearing about it, Training, Go-live week, Settling in.")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["journey", "order", "id"]

    def __str__(self) -> str:
        return self.name


class Emotion(models.IntegerChoices):
    VERY_NEGATIVE = -2, "Very negative"
    NEGATIVE = -1, "Negative"
    NEUTRAL = 0, "Neutral"
    POSITIVE = 1, "Positive"
    VERY_POSITIVE = 2, "Very positive"


class Step(models.Model):
    role_actions = {"board": {"view"}, "change_manager": {"view", "add", "change", "delete"}, "champion": {"view"}, "auditor": {"view"}}
    parent_path = "stage__journey"

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(default=1)
    name = models.CharField(max_length=160)
    today = models.TextField(blank=True, help_text="How it is done today.")
    tomorrow = models.TextField(blank=True, help_text="How it will be done after the change.")
    pain_points = models.TextField(blank=True)
    adkar = models.CharField(max_length=15, choices=Adkar.choices, blank=True, verbose_name="ADKAR element",
                             help_text="The readiness element this step depends on: its emotion can then come from survey results.")
    emotion = models.SmallIntegerField(choices=Emotion.choices, null=True, blank=True,
                                       help_text="The team's own judgement, used where the survey has too few answers.")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["stage", "order", "id"]

    def __str__(self) -> str:
        return self.name


class TouchpointKind(models.TextChoices):
    MESSAGE = "message", "Communication"
    COURSE = "course", "Training course"
    ACTIVITY = "activity", "Champion activity"
    TASK = "task", "Cutover task"


class Touchpoint(models.Model):
    """Something the persona meets at a step, linked by id to the record
    that holds it (a course by its code)."""

    Kind = TouchpointKind

    role_actions = {"board": {"view"}, "change_manager": {"view", "add", "change", "delete"}, "champion": {"view"}, "auditor": {"view"}}
    parent_path = "step__stage__journey"

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="touchpoints")
    kind = models.CharField(max_length=10, choices=TouchpointKind.choices)
    ref = models.CharField(max_length=40, help_text="The record's id (a course's code).")
    label = models.CharField(max_length=200, blank=True, help_text="Its title when linked, kept if the record is removed.")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["step", "kind", "id"]
        constraints = [models.UniqueConstraint(fields=["step", "kind", "ref"], name="touchpoint_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.label or self.ref}"


# ---------------------------------------------------------------- framework


class Framework(models.Model):
    """A competency framework for change practitioners. Only admins edit it."""

    role_actions = {"board": {"view"}, "change_manager": {"view"}, "champion": {"view"}, "auditor": {"view"}}

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    is_current = models.BooleanField(default=True, help_text="The framework assessments use (one at a time).")
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-is_current", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("framework-detail", args=[self.pk])

    @classmethod
    def current(cls) -> Framework | None:
        return cls.objects.filter(is_current=True).order_by("pk").first()


class Competency(models.Model):
    """One area of the framework, with a descriptor per level."""

    role_actions = {"board": {"view"}, "change_manager": {"view"}, "champion": {"view"}, "auditor": {"view"}}

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="competencies")
    code = models.SlugField(max_length=30)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=1)
    level_1 = models.TextField(blank=True, verbose_name="level 1 (aware)")
    level_2 = models.TextField(blank=True, verbose_name="level 2 (practising with help)")
    level_3 = models.TextField(blank=True, verbose_name="level 3 (independent)")
    level_4 = models.TextField(blank=True, verbose_name="level 4 (expert, can coach others)")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["framework", "order", "name"]
        verbose_name_plural = "competencies"
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="competency_code_unique")]

    def __str__(self) -> str:
        return self.name

    def descriptor(self, level: int) -> str:
        return str(getattr(self, f"level_{level}", "") or "")


class PractitionerRole(models.Model):
    """A role practitioners hold (business change lead, champion, ...), with
    the level it needs in each competency (`Requirement`)."""

    role_actions = {"board": {"view"}, "change_manager": {"view"}, "champion": {"view"}, "auditor": {"view"}}

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="roles")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["framework", "name"]
        constraints = [models.UniqueConstraint(fields=["framework", "name"], name="practitioner_role_unique")]

    def __str__(self) -> str:
        return self.name


class Requirement(models.Model):
    role_actions = {"board": {"view"}, "change_manager": {"view"}, "champion": {"view"}, "auditor": {"view"}}

    role = models.ForeignKey(PractitionerRole, on_delete=models.CASCADE, related_name="requirements")
    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="requirements")
    level = models.PositiveSmallIntegerField(choices=LEVELS, validators=level_validators)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["role", "competency__order"]
        constraints = [models.UniqueConstraint(fields=["role", "competency"], name="requirement_unique")]

    def __str__(self) -> str:
        return f"{self.role}: {self.competency} {self.level}"


class PractitionerQuerySet(ScopedQuerySet):
    def scope_for(self, user: Any, action: str) -> PractitionerQuerySet:
        """Board members and auditors see every practitioner; a change manager
        sees everyone (the portfolio's skills matrix) and changes those in
        their programmes or whom they coach; anyone else sees and changes only
        their own record."""
        role = getattr(user, "role", None)
        if role in PROGRAMME_MEMBER_ROLES:
            if action == "view":
                return self
            return self.filter(Q(programmes__in=user.programmes.all()) | Q(coach=user)).distinct()
        if role in UNIT_ROLES:
            return self.filter(Q(user=user) | Q(coach=user))
        return super().scope_for(user, action)


class Practitioner(models.Model):
    """One of the force's own people whose change capability is being built."""

    role_actions = {"board": {"view"}, "change_manager": {"view", "add", "change"}, "champion": {"view"}, "auditor": {"view"}}

    staff = models.OneToOneField(Staff, on_delete=models.PROTECT, related_name="practitioner", help_text="Their HR record.")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="practitioner_entries",
                             help_text="Their Changeboard account: what they do in Changeboard is the evidence of what they can do alone.")
    role = models.ForeignKey(PractitionerRole, on_delete=models.PROTECT, related_name="practitioners", verbose_name="practitioner role")
    programmes = models.ManyToManyField(Programme, blank=True, related_name="practitioners")
    coach = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="coachees")
    active = models.BooleanField(default=True)
    added_at = models.DateTimeField(default=timezone.now)

    objects = PractitionerQuerySet.as_manager()

    class Meta:
        ordering = ["staff__last_name", "staff__first_name"]

    def __str__(self) -> str:
        return f"{self.staff.first_name} {self.staff.last_name}"

    def get_absolute_url(self) -> str:
        return reverse("practitioner-detail", args=[self.pk])


class AssessmentKind(models.TextChoices):
    SELF = "self", "Self-assessment"
    COACH = "coach", "Coach's assessment"


class Assessment(models.Model):
    """A practitioner's levels on one day, by themselves or their coach."""

    Kind = AssessmentKind

    role_actions = {"board": {"view"}, "change_manager": {"view", "add"}, "champion": {"view", "add"}, "auditor": {"view"}}
    parent_path = "practitioner"

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="assessments")
    kind = models.CharField(max_length=5, choices=AssessmentKind.choices)
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    assessed_on = models.DateField(default=timezone.localdate)
    note = models.TextField(blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["practitioner", "-assessed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.practitioner}: {self.get_kind_display()} {self.assessed_on}"


class Rating(models.Model):
    role_actions = {"board": {"view"}, "change_manager": {"view"}, "champion": {"view"}, "auditor": {"view"}}
    parent_path = "assessment"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="ratings")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="ratings")
    level = models.PositiveSmallIntegerField(choices=LEVELS, validators=level_validators)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["assessment", "competency__order"]
        constraints = [models.UniqueConstraint(fields=["assessment", "competency"], name="rating_unique")]

    def __str__(self) -> str:
        return f"{self.competency}: {self.level}"


# ---------------------------------------------------------------- coaching


class CoachingSession(models.Model):
    """One coaching session. Goals, actions and notes are the coach's and the
    coachee's alone (`private_to`); everyone else who may view sees the
    coachee, the coach, the date, the areas and the next session's date."""

    role_actions = {"board": {"view"}, "change_manager": {"view", "add", "change"}, "champion": {"view", "add", "change"}, "auditor": {"view"}}
    parent_path = "practitioner"

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="sessions", verbose_name="coachee")
    coach = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coaching_sessions")
    held_on = models.DateField(default=timezone.localdate)
    areas = models.ManyToManyField(Competency, related_name="sessions", help_text="The framework areas the session worked on.")
    goals = models.TextField(blank=True)
    agreed_actions = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    next_session = models.DateField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"Coaching: {self.practitioner} on {self.held_on}"

    def get_absolute_url(self) -> str:
        return reverse("coaching-detail", args=[self.pk])

    def private_to(self, user: Any) -> bool:
        """Whether `user` may read the goals, actions and notes: the coach and
        the coachee only (not admins, not the Board)."""
        if not getattr(user, "is_authenticated", False):
            return False
        return bool(user.pk == self.coach_id or (self.practitioner.user_id is not None and user.pk == self.practitioner.user_id))


# ---------------------------------------------------------------- handover


class HandoverActivity(models.TextChoices):
    """The activities the change team does that the force must run alone;
    `capability/handover.py` reads each one's evidence from the audit trail."""

    SURVEY_WAVE = "survey_wave", "Running a readiness survey wave"
    BOARD_PACK = "board_pack", "Preparing a board pack"
    READINESS_REVIEW = "readiness_review", "Running a readiness review"
    REHEARSAL = "rehearsal", "Running a runbook rehearsal"
    COMMS = "comms", "Sending a communication"
    IMPACT_ASSESSMENT = "impact_assessment", "Writing an impact assessment"


class HandoverItem(models.Model):
    """One activity of a programme's handover plan: who takes it on, by when,
    and how many times they must have done it alone to count."""

    Activity = HandoverActivity

    role_actions = {"board": {"view"}, "change_manager": {"view", "add", "change", "delete"}, "champion": {"view"}, "auditor": {"view"}}
    programme_path = "programme"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="handover_items")
    activity = models.CharField(max_length=20, choices=HandoverActivity.choices)
    owner = models.ForeignKey(Practitioner, null=True, blank=True, on_delete=models.SET_NULL, related_name="handover_items",
                              help_text="The force's own person it is being handed to.")
    target_date = models.DateField(null=True, blank=True, help_text="When they should be doing it alone.")
    times_required = models.PositiveSmallIntegerField(default=2, validators=[MinValueValidator(1), MaxValueValidator(20)],
                                                      help_text="How many times someone in the force must have done it themselves to count as able.")
    note = models.TextField(blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["programme__code", "activity"]
        constraints = [models.UniqueConstraint(fields=["programme", "activity"], name="handover_item_unique")]

    def __str__(self) -> str:
        return f"{self.programme.code}: {self.get_activity_display()}"
