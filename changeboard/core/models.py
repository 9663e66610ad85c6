"""The one audit table every service writes to."""

from __future__ import annotations

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
