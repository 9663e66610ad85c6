"""Stored files (evidence, attachments, staged imports, board packs) as the
app hands them out and cleans them up, whichever storage holds them (the
file system or S3, `settings.STORAGES["default"]`).

Files are never linked to: the storage has no public URL, and every
download is streamed by a view that has checked the reader's scope first.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils.cache import add_never_cache_headers

__all__ = ["attachment_response", "delete_on_commit", "open_or_404", "read_stored"]

log = logging.getLogger(__name__)


def read_stored(field_file: FieldFile) -> bytes:
    """The whole of a stored file, for code that needs its bytes (an import
    reading its staged upload); none, or one missing from the storage, is
    empty."""
    if not field_file:
        return b""
    try:
        with field_file.open("rb") as handle:
            return handle.read()
    except FileNotFoundError:
        log.error("A stored file named in the database is missing from the storage")
        return b""


def open_or_404(field_file: FieldFile) -> File:
    """A stored file, open for reading; none, or one missing from the
    storage (removed behind the app's back), is a 404, not a 500."""
    if not field_file:
        raise Http404
    try:
        return field_file.open("rb")
    except FileNotFoundError:
        log.error("A stored file named in the database is missing from the storage")
        raise Http404 from None


def attachment_response(handle: IO[bytes] | Any, *, filename: str, content_type: str) -> FileResponse:
    """Stream an open file as a download the browser must neither display,
    sniff nor cache (a stored file may hold personal or board-level data)."""
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    add_never_cache_headers(response)
    return response


def delete_on_commit(names: Iterable[str], *, storage: Storage | None = None, what: str = "a stored file") -> None:
    """Remove stored files once the rows naming them are gone for good: a
    rolled-back delete keeps its files. A file the storage cannot remove is
    logged (by kind, never by name) and left: the row is gone either way."""
    kept = [name for name in names if name]
    store = storage or default_storage

    def remove() -> None:
        for name in kept:
            try:
                store.delete(name)
            except Exception:  # noqa: BLE001  (the file system's OSError or the S3 client's errors)
                log.warning("Could not delete %s", what, exc_info=True)

    if kept:
        transaction.on_commit(remove)
