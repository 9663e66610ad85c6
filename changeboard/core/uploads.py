"""The pending-upload steps every spreadsheet import shares: keep the
uploaded file until its uploader has checked the preview, find it again
for that uploader only, and commit it once.

The storage layer beneath `core.importing.Importer`, whose `stage`,
`fetch` and `commit_pending` are the only callers: every import (staff,
impact lines, survey responses, training records) goes through them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .files import delete_on_commit, read_stored
from .models import PendingUpload
from .tabular import ImportFileError, Sheet, read_sheet

__all__ = ["ALREADY_IMPORTED", "NOT_THE_UPLOADER", "STALE_AFTER", "commit", "content_of", "fetch", "sheet_of", "stage"]

# An upload nobody committed is removed after this, so personal data does
# not pile up.
STALE_AFTER = dt.timedelta(days=1)
ALREADY_IMPORTED = "This file has already been imported."
NOT_THE_UPLOADER = "Only the person who uploaded this file can import it."


class _Report(Protocol):
    def counts(self) -> dict[str, Any]: ...


def stage(*, kind: str, data: bytes, filename: str, actor: Any, target_id: int | None = None, sheet: Sheet | None = None) -> PendingUpload:
    """Keep an uploaded file until its uploader commits or abandons it,
    with the file as read (`sheet`, read here when the caller has not read
    it already), so previews and the commit do not read it again. The file
    goes to the shared storage under a random name; should the row not be
    saved, the file is removed again. Abandoned uploads of the same kind
    older than `STALE_AFTER` are removed on the way (their files with them,
    by `core.signals`)."""
    cutoff = timezone.now() - STALE_AFTER
    PendingUpload.objects.filter(kind=kind, status=PendingUpload.Status.PENDING, created__lt=cutoff).delete()
    if sheet is None:
        try:
            sheet = read_sheet(data, filename)
        except ImportFileError:
            sheet = None  # the preview reads it again and says why it cannot
    upload = PendingUpload(kind=kind, token=uuid.uuid4(), target_id=target_id, original_filename=filename[:255], uploaded_by=actor,
                           sheet=sheet.to_bytes() if sheet is not None else b"")
    upload.file.save("upload", ContentFile(data), save=False)
    try:
        upload.save()
    except Exception:
        upload.file.delete(save=False)
        raise
    return upload


def content_of(upload: PendingUpload) -> bytes:
    """A pending upload's file as uploaded, read from the storage (empty once
    committed, or should the file be missing)."""
    return read_stored(upload.file)


def sheet_of(upload: PendingUpload) -> Sheet:
    """A pending upload's file as read when it was staged (read again only
    for an upload staged without it)."""
    if upload.sheet:
        return Sheet.from_bytes(bytes(upload.sheet))
    return read_sheet(content_of(upload), upload.original_filename)


def fetch(*, kind: str, token: Any, user: Any, target_id: int | None = None) -> PendingUpload:
    """The user's own upload of this kind, still waiting to be committed,
    into this target; anything else (someone else's, committed, another
    target's) is a 404. The caller has already found the target among those
    the user may change."""
    uploads = PendingUpload.objects.filter(kind=kind, uploaded_by=user, status=PendingUpload.Status.PENDING, target_id=target_id)
    return get_object_or_404(uploads, token=token)


def commit[R: _Report](*, upload: PendingUpload, actor: Any, write: Callable[[PendingUpload], R]) -> R:
    """Run `write(upload)` (the import's own commit, which returns its
    report) and mark the upload committed in the same transaction, once: a
    second commit of the same upload (a double click) and anyone but its
    uploader are refused with a ValidationError. The file is removed from
    the storage once the commit holds, and the report's counts kept.
    `upload` is updated to match."""
    with transaction.atomic():
        locked = PendingUpload.objects.select_for_update().get(pk=upload.pk)
        if locked.status != PendingUpload.Status.PENDING:
            raise ValidationError(ALREADY_IMPORTED)
        if locked.uploaded_by_id != getattr(actor, "pk", None):
            raise ValidationError(NOT_THE_UPLOADER)
        report = write(locked)
        stored = str(locked.file.name or "")
        locked.status = PendingUpload.Status.COMMITTED
        locked.file.name = ""
        locked.sheet = b""
        locked.result = report.counts()
        locked.save(update_fields=["status", "file", "sheet", "result"])
        delete_on_commit([stored], storage=locked.file.storage, what="a staged import file")
    upload.status, upload.file, upload.sheet, upload.result = locked.status, locked.file, locked.sheet, locked.result
    return report
