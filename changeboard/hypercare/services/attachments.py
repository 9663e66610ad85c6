"""Files on hypercare queries: checked as readiness evidence files are (size,
type by extension AND by content: `readiness.services.criteria.
check_evidence_file`), stored through Django's storage under a random name
(`models.attachment_path`), never served publicly: only through the scoped
`attachment-download` page, which records every download in the audit trail.

Used by the public raise-a-query form (`services.public.public_raise`) and
by the signed-in pages (raise on behalf, the query page).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from changeboard.accounts.models import User
from changeboard.core import audit
from changeboard.readiness.services.criteria import ACCEPT_ATTRIBUTE, ALLOWED_TYPES_TEXT, check_evidence_file, evidence_max_bytes

from ..models import Attachment, Query

__all__ = ["ACCEPT_ATTRIBUTE", "ALLOWED_TYPES_TEXT", "MAX_FILES", "CheckedFile", "attachment_add", "attachment_check",
           "attachment_downloaded", "attachments_check", "max_mb"]

# The most files one submission (or one raise on behalf) may carry.
MAX_FILES = 3


def max_mb() -> int:
    return int(settings.EVIDENCE_MAX_MB)


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed the checks, read into memory, ready to store."""

    name: str
    data: bytes
    content_type: str


def _safe_name(name: str) -> str:
    """The original file name without any folder part (browsers on Windows
    can send one), kept only in the database and the download header."""
    base = PurePath(name.replace("\\", "/")).name.strip() or "attachment"
    return base[-200:]


def attachment_check(file: Any, field: str = "attachments") -> CheckedFile:
    """Read and check one uploaded file, or a ValidationError on `field`
    naming the file and what is wrong with it."""
    name = _safe_name(getattr(file, "name", "") or "")
    if (getattr(file, "size", 0) or 0) > evidence_max_bytes():
        # Refused before reading it into memory.
        raise ValidationError({field: [f"{name}: the file must be smaller than {max_mb()} MB"]})
    data = file.read() if hasattr(file, "read") else bytes(file)
    try:
        kind = check_evidence_file(name, data)
    except ValidationError as exc:
        reasons = exc.message_dict.get("file", exc.messages)
        message = reasons[0].replace("The selected file", "the file", 1)
        raise ValidationError({field: [f"{name}: {message}"]}) from None
    return CheckedFile(name=name, data=data, content_type=kind.mime)


def attachments_check(files: list[Any], field: str = "attachments") -> list[CheckedFile]:
    """Check every file of a submission (at most `MAX_FILES`); every problem
    is reported at once, and nothing is stored unless all of them pass."""
    if len(files) > MAX_FILES:
        raise ValidationError({field: [f"Attach at most {MAX_FILES} files (you chose {len(files)})"]})
    checked: list[CheckedFile] = []
    problems: list[str] = []
    for file in files:
        try:
            checked.append(attachment_check(file, field))
        except ValidationError as exc:
            problems.extend(exc.message_dict[field])
    if problems:
        raise ValidationError({field: problems})
    return checked


def _snapshot(attachment: Attachment) -> dict[str, Any]:
    data = audit.snapshot(attachment, exclude=("file",)) or {}
    data["file"] = attachment.file.name or ""
    return data


@transaction.atomic
def attachment_add(*, query: Query, file: Any, actor: User | None) -> Attachment:
    """Attach a file to a query: an uploaded file (checked here) or a
    `CheckedFile` already checked with the rest of its submission. Stored
    under a random name; a failure after the file is written removes it."""
    checked = file if isinstance(file, CheckedFile) else attachment_check(file, "file")
    attachment = Attachment(query=query, file_name=checked.name, content_type=checked.content_type, size=len(checked.data))
    attachment.file.save("upload", ContentFile(checked.data), save=False)
    try:
        attachment.save()
        audit.record(actor=actor, action="create", obj=attachment, after=_snapshot(attachment))
    except Exception:
        attachment.file.storage.delete(cast(str, attachment.file.name))
        raise
    return attachment


@transaction.atomic
def attachment_downloaded(*, attachment: Attachment, actor: User | None) -> None:
    """Record that someone downloaded a query's file (the audit trail shows who saw what)."""
    audit.record(actor=actor, action="download", obj=attachment, after={"query": attachment.query_id, "size": attachment.size})
