"""Readiness surveys: instruments, waves, invitations and anonymous responses.

Anonymity is structural. An `Invitation` knows the person (to send the
email, apply the contact budget and remind non-respondents) and records only
*that* it was used, with no time. A `Response` knows the wave, the answers
and the unit and role group the person had when the wave was sent; it has a
random id and no timestamp, and nothing links it to the invitation.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from changeboard.core.scoping import ScopedQuerySet
from changeboard.organisation.models import Staff, Unit
from changeboard.portfolio.models import Programme

FREE_TEXT_LIMIT = 3
ANSWER_TEXT_MAX = 1000
MIN_THRESHOLD = 3


class Adkar(models.TextChoices):
    AWARENESS = "awareness", "Awareness"
    DESIRE = "desire", "Desire"
    KNOWLEDGE = "knowledge", "Knowledge"
    ABILITY = "ability", "Ability"
    REINFORCEMENT = "reinforcement", "Reinforcement"


class RoleGroup(models.TextChoices):
    """Broad groups only, so a group is rarely small enough to identify anyone."""

    OFFICER = "officer", "Police officers"
    STAFF = "staff", "Police staff"
    OTHER = "other", "Volunteers and contractors"
    UNKNOWN = "unknown", "Not recorded"


def role_group_for(rank_kind: str | None) -> str:
    """The role group for a rank or grade kind (officer, staff, other)."""
    return rank_kind if rank_kind in RoleGroup.values else RoleGroup.UNKNOWN


class SurveyPolicy(models.Model):
    """The portfolio's survey rules (one row)."""

    role_actions = {"board": {"view"}, "change_manager": {"view"}, "champion": {"view"}}

    contact_window_days = models.PositiveSmallIntegerField(
        default=14, validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="Nobody receives more than one survey invitation inside this many days, across all programmes.")
    min_responses = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(MIN_THRESHOLD)],
        help_text="Default for new waves: no score for a group with fewer responses.")
    min_comments = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(MIN_THRESHOLD)],
        help_text="Default for new waves: no free-text comment shown for a group with fewer responses.")
    reminder_after_days = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1)],
        help_text="Days after opening (and after the first reminder) before non-respondents are reminded; at most two reminders.")

    objects = ScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return "Survey policy"

    @classmethod
    def current(cls) -> SurveyPolicy:
        policy = cls.objects.order_by("pk").first()
        return policy or cls.objects.create()


class Question(models.Model):
    """An item in the question bank. Never edited once an instrument that
    was sent uses it: a change of wording is a new question."""

    class Kind(models.TextChoices):
        LIKERT = "likert", "Agreement, 1 to 5"
        CHOICE = "choice", "Single choice"
        SCALE = "scale", "Scale, 0 to 10"
        TEXT = "text", "Free text"

    role_actions = {"board": {"view"}, "change_manager": {"view", "add"}, "champion": {"view"}}
    # Portfolio-wide rows (no programme) are seen by every role that may
    # view; programme rows follow the programme, and only its team changes them.
    programme_path = "programme"
    programme_optional = True

    code = models.SlugField(max_length=40, unique=True, help_text="Short, unique; the column name in response imports.")
    text = models.CharField(max_length=300)
    hint = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    adkar = models.CharField(max_length=15, choices=Adkar.choices, blank=True, verbose_name="ADKAR element",
                             help_text="Agreement items feed this element's readiness score.")
    choices = models.JSONField(default=list, blank=True, help_text="For single choice: the options, in order.")
    programme = models.ForeignKey(Programme, null=True, blank=True, on_delete=models.CASCADE, related_name="survey_questions",
                                  help_text="Empty for the portfolio's shared bank.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code}: {self.text}"

    def value_range(self) -> tuple[int, int] | None:
        if self.kind == self.Kind.LIKERT:
            return (1, 5)
        if self.kind == self.Kind.SCALE:
            return (0, 10)
        if self.kind == self.Kind.CHOICE:
            return (1, len(self.choices))
        return None


class Instrument(models.Model):
    """One version of a questionnaire. A version is locked when a wave is
    sent with it; changing a locked instrument makes the next version, so a
    sent wave always keeps the questions it was sent with."""

    role_actions = {"board": {"view"}, "change_manager": {"view", "add", "change"}, "champion": {"view"}}
    # Portfolio-wide rows (no programme) are seen by every role that may
    # view; programme rows follow the programme, and only its team changes them.
    programme_path = "programme"
    programme_optional = True

    name = models.CharField(max_length=150)
    programme = models.ForeignKey(Programme, null=True, blank=True, on_delete=models.CASCADE, related_name="instruments",
                                  help_text="Empty for the portfolio's default instrument.")
    lineage = models.UUIDField(default=uuid.uuid4, db_index=True)
    version = models.PositiveIntegerField(default=1)
    is_default = models.BooleanField(default=False, help_text="The portfolio's default readiness instrument.")
    locked = models.BooleanField(default=False, help_text="Set when a wave is sent with this version.")
    created_at = models.DateTimeField(auto_now_add=True)
    questions = models.ManyToManyField(Question, through="InstrumentItem", related_name="instruments")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["programme__code", "name", "-version"]
        constraints = [models.UniqueConstraint(fields=["lineage", "version"], name="instrument_version_unique")]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    def get_absolute_url(self) -> str:
        return reverse("instrument-detail", args=[self.pk])

    def ordered_questions(self) -> list[Question]:
        return [item.question for item in self.items.select_related("question").order_by("position", "pk")]


class InstrumentItem(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["instrument", "question"], name="instrument_question_unique")]


class SurveyWave(models.Model):
    """One round of a programme's readiness survey. A recurring wave makes
    its next round when it opens, until `repeat_until`."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"
        CANCELLED = "cancelled", "Cancelled"

    class Recurrence(models.TextChoices):
        NONE = "none", "One-off"
        WEEKLY = "weekly", "Weekly"
        FORTNIGHTLY = "fortnightly", "Fortnightly"
        MONTHLY = "monthly", "Monthly"

    class Source(models.TextChoices):
        IMPACTED = "impacted", "The staff in the programme's approved impact assessments"
        MANUAL = "manual", "Units and roles chosen here"
        CHAMPIONS = "champions", "The programme's change champions (a champion pulse)"

    class Sampling(models.TextChoices):
        CENSUS = "census", "Census: everyone in the audience"
        STRATIFIED = "stratified", "Sample: up to a target number per unit"

    role_actions = {"board": {"view"}, "change_manager": {"view", "add", "change"}, "champion": {"view"}}
    programme_path = "programme"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="survey_waves")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="waves")
    title = models.CharField(max_length=150)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    opens_on = models.DateField()
    closes_on = models.DateField()
    recurrence = models.CharField(max_length=12, choices=Recurrence.choices, default=Recurrence.NONE)
    repeat_until = models.DateField(null=True, blank=True, help_text="For a recurring wave: no round opens after this date.")
    series = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="rounds",
                               help_text="The first round of a recurring wave.")
    round_number = models.PositiveSmallIntegerField(default=1)
    audience_source = models.CharField(max_length=10, choices=Source.choices, default=Source.IMPACTED)
    units = models.ManyToManyField(Unit, blank=True, related_name="survey_waves", help_text="Each unit with everything below it.")
    roles = models.JSONField(default=list, blank=True, help_text="Job roles to narrow to; none means every role.")
    sampling = models.CharField(max_length=12, choices=Sampling.choices, default=Sampling.CENSUS)
    sample_per_unit = models.PositiveIntegerField(null=True, blank=True, validators=[MinValueValidator(1)],
                                                  help_text="With sampling: people to invite per team.")
    min_responses = models.PositiveSmallIntegerField(default=5, validators=[MinValueValidator(MIN_THRESHOLD)],
                                                     help_text="No score for a group with fewer responses. Fixed when the wave opens.")
    min_comments = models.PositiveSmallIntegerField(default=10, validators=[MinValueValidator(MIN_THRESHOLD)],
                                                    help_text="No free-text comment shown for a group with fewer responses. Fixed when the wave opens.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminder_on = models.DateField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_on", "programme__code", "pk"]
        indexes = [models.Index(fields=["status", "opens_on"], name="wave_due")]

    def __str__(self) -> str:
        return f"{self.programme.code}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("wave-detail", args=[self.pk])

    @property
    def editable(self) -> bool:
        return self.status in {self.Status.DRAFT, self.Status.SCHEDULED}


class AudienceCell(models.Model):
    """Maintained counts per wave, unit and role group: invited when sent,
    responded as links are used, imported from other tools."""

    wave = models.ForeignKey(SurveyWave, on_delete=models.CASCADE, related_name="cells")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    role_group = models.CharField(max_length=10, choices=RoleGroup.choices)
    invited = models.PositiveIntegerField(default=0)
    responded = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["wave", "unit", "role_group"], name="cell_unique")]


class Invitation(models.Model):
    """A person's single-use link to one survey, which may carry several
    programmes' waves (a combined survey under the contact budget)."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="survey_invitations")
    token = models.CharField(max_length=64, unique=True)
    waves = models.ManyToManyField(SurveyWave, related_name="invitations")
    sent_on = models.DateField(db_index=True)
    expires_on = models.DateField(help_text="The latest closing date of its waves.")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", help_text="The person's unit when sent.")
    role_group = models.CharField(max_length=10, choices=RoleGroup.choices)
    used = models.BooleanField(default=False, help_text="Only that it was used; never when or with which answers.")
    settled = models.BooleanField(default=False, help_text="Rewritten by the scheduler after use (see services.settle_used_invitations).")
    reminders_sent = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["staff", "sent_on"], name="invitation_contact")]

    def __str__(self) -> str:
        return f"Invitation {self.pk}"


class Deferral(models.Model):
    """Someone in a wave's audience who was not invited, and why. Names and
    staff numbers: read through `Deferral.objects.restrict(user)`."""

    role_actions = {"board": {"view"}, "change_manager": {"view"}, "champion": {"view"}}
    parent_path = "wave"  # only in waves the user may see
    unit_path = "staff__unit"  # and only the people the staff rule shows them (a champion: their units and below)

    class Reason(models.TextChoices):
        CONTACTED = "contacted", "Already invited to a survey inside the contact window"
        NO_EMAIL = "no_email", "No email address on record"

    wave = models.ForeignKey(SurveyWave, on_delete=models.CASCADE, related_name="deferrals")
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=10, choices=Reason.choices)
    last_contacted_on = models.DateField(null=True, blank=True)
    eligible_from = models.DateField(null=True, blank=True)
    next_round_on = models.DateField(null=True, blank=True, help_text="When the person is next asked, in the next round.")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["staff__last_name", "staff__first_name"]
        constraints = [models.UniqueConstraint(fields=["wave", "staff"], name="deferral_unique")]


class Response(models.Model):
    """One anonymous response to one wave. No person, no invitation, no time."""

    class Source(models.TextChoices):
        LINK = "link", "Personal link"
        IMPORT = "import", "Imported from another tool"

    role_actions = {"board": {"view"}, "change_manager": {"view"}, "champion": {"view"}}
    parent_path = "wave"  # seen with its wave

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wave = models.ForeignKey(SurveyWave, on_delete=models.CASCADE, related_name="responses")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    role_group = models.CharField(max_length=10, choices=RoleGroup.choices)
    source = models.CharField(max_length=6, choices=Source.choices, default=Source.LINK)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["wave", "unit"], name="response_wave_unit")]


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True, max_length=ANSWER_TEXT_MAX)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="answer_unique")]

