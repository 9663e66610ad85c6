"""The one audit table every service writes to, the email outbox, and the
spreadsheet uploads waiting to be committed."""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse

from .scoping import ScopedQuerySet


class AuditQuerySet(ScopedQuerySet):
    pass


class AuditEntry(models.Model):
    """Who did what to which object, when, with the values before and after.

    Shaped like NetBox's ObjectChange: the object is named by content type and
    id plus a text label, so the entry outlives the object it describes.
    """

    class Action(models.TextChoices):
        CREATE = "create", "Create"
        UPDATE = "update", "Update"
        DELETE = "delete", "Delete"
        IMPORT = "import", "Import"
        LOGIN = "login", "Log in"
        DOWNLOAD = "download", "Download"

    role_actions = {"auditor": {"view"}}

    timestamp = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True, help_text="The username at the time, kept if the user is removed.")
    request_id = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=16, choices=Action.choices)
    object_type = models.CharField(max_length=100, help_text="app_label.model of the object changed.")
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-timestamp", "-id"]
        verbose_name_plural = "audit entries"
        # Few indexes on purpose: an HR import writes tens of thousands of
        # rows at once. The trail is read by time and by object.
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_type} {self.object_repr}"

    def get_absolute_url(self) -> str:
        return reverse("audit-detail", args=[self.pk])

    @property
    def changed_fields(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for each value that differs."""
        before = self.before or {}
        after = self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class OutboxMessage(models.Model):
    """An email waiting to be sent, written in the same transaction as the
    business change that causes it (the transactional outbox pattern).

    The worker claims due rows for a short lease, sends each one over SMTP and
    marks it sent in its own commit, so a crash loses nothing (an expired
    lease is claimed again) and a resend carries the same Message-ID (derived
    from `key`, which is unique), so nothing is written twice to the outbox
    and a receiving server can drop a repeat.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (gave up retrying)"

    role_actions: dict[str, set[str]] = {}

    key = models.CharField(max_length=120, unique=True, help_text="Idempotency key: one message per key, ever.")
    kind = models.CharField(max_length=30, db_index=True, help_text="What the message is for, e.g. survey-invitation.")
    to_address = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    alternatives = models.JSONField(default=list, blank=True,
                                    help_text="Other renderings of the body: [content, MIME type] pairs, e.g. a text/calendar invitation.")
    attachments = models.JSONField(default=list, blank=True, help_text="Text attachments: [file name, content, MIME type] triples.")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(help_text="Not sent before this time (back-off after a failure).")
    claim = models.CharField(max_length=32, blank=True, help_text="The claiming worker's batch token.")
    claimed_until = models.DateTimeField(null=True, blank=True, help_text="A worker holds the message until then.")
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("outbox-detail", args=[self.pk])

    @property
    def message_id(self) -> str:
        digest = hashlib.sha256(self.key.encode()).hexdigest()[:32]
        return f"<{digest}@changeboard.outbox>"


def pending_upload_path(instance: PendingUpload, filename: str) -> str:
    """A random name: the original file name (which may hold personal data)
    stays in the database only."""
    return f"imports/{instance.kind}/{uuid.uuid4().hex}"


class PendingUpload(models.Model):
    """An uploaded spreadsheet waiting for its uploader to check the preview
    and commit it: HR staff, impact lines, survey responses or training
    records, by `kind`.

    The file lives in the shared storage (Django's storage API: the file
    system or S3), under a random name, so every web process and worker on
    every machine sees the same file; it is removed once the upload is
    committed or its row deleted (`core.signals`). The file as read
    (`sheet`, derived, compressed) stays in the database beside the row. `core.uploads` stages, fetches and commits
    them for every import (through `core.importing.Importer`).

    `target_id` names what the file is imported into: the impact assessment
    (kind impact-lines) or the survey wave (survey-responses); the staff
    import has none. It is a plain id, not a foreign key, so one table serves
    every kind: it is only ever read together with `kind`, and only after
    the view has found the target among those the user may change, so the
    scoping is the target's. Deleting a target leaves its uploads behind,
    unreachable (their pages look the target up first); pending ones are
    removed with the other stale uploads a day later.
    """

    class Kind(models.TextChoices):
        STAFF = "staff", "HR staff"
        IMPACT_LINES = "impact-lines", "Impact lines"
        SURVEY_RESPONSES = "survey-responses", "Survey responses"
        TRAINING_RECORDS = "training-records", "Training records"
        CUTOVER_TASKS = "cutover-tasks", "Runbook tasks (spreadsheet)"
        CUTOVER_MSPDI = "cutover-mspdi", "Runbook tasks (MS Project XML)"
        HYPERCARE_QUERIES = "hypercare-queries", "Hypercare queries"
        STAKEHOLDERS = "stakeholders", "Stakeholders"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be committed"
        COMMITTED = "committed", "Imported"

    role_actions: dict[str, set[str]] = {}
    owner_path = "uploaded_by"  # only ever its uploader's, should a role be granted it

    kind = models.CharField(max_length=20, choices=Kind.choices)
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    target_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The assessment or wave imported into, by kind; none for the staff import."
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    original_filename = models.CharField(max_length=255)
    file = models.FileField(upload_to=pending_upload_path, blank=True, max_length=200,
                            help_text="The uploaded file, in the storage; removed once committed.")
    sheet = models.BinaryField(
        default=b"", blank=True,
        help_text="The file as read (core.tabular.Sheet, compressed JSON), so it is read once per upload; emptied once committed.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    mapping = models.JSONField(default=dict, blank=True, help_text="Import column -> file header, when chosen on the mapping step.")
    result = models.JSONField(null=True, blank=True, help_text="The counts, once committed.")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        # The stale sweep on every upload: pending rows of a kind by age.
        indexes = [models.Index(fields=["kind", "status", "created"], name="upload_stale")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} upload {self.token}"


class Lease(models.Model):
    """A named lease one process holds until `expires_at` (the scheduler's
    leader lease when there is no Redis: see `core.tasks.SchedulerLease`).
    The holder renews it; anyone may take it once it has run out."""

    name = models.CharField(max_length=100, primary_key=True)
    holder = models.CharField(max_length=64)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name
