"""Removing a staged upload's file with its row, however the row goes: the
stale sweep, a user's deletion cascading, a bench clearing its data. A
receiver (rather than each caller) because cascades delete rows no service
sees; the file goes only once the delete commits."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete
from django.dispatch import receiver

from .files import delete_on_commit
from .models import PendingUpload


@receiver(post_delete, sender=PendingUpload, dispatch_uid="core.pending_upload_file")
def pending_upload_file_delete(sender: type[PendingUpload], instance: PendingUpload, **kwargs: Any) -> None:
    if instance.file:
        delete_on_commit([str(instance.file.name)], storage=instance.file.storage, what="a staged import file")
