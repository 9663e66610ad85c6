"""The staff import on the pipeline every import shares (`core.importing`)."""

from __future__ import annotations

import gc
import hashlib
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import PurePath
from typing import Any

from django.utils import timezone

from changeboard.core import audit
from changeboard.core.db import sqlite_page_cache
from changeboard.core.importing import Importer, csv_text
from changeboard.core.models import PendingUpload
from changeboard.core.tabular import (
    ImportFileError,
    Sheet,
    read_sheet,
)

from ..models import Staff
from ..signals import staff_changed
from .columns import (
    ALL_COLUMNS,
    COLUMN_LABELS,
    HEADER_ALIASES,
    REQUIRED_COLUMNS,
    SAMPLE_ABSENCES,
    SAMPLE_ROWS,
    ColumnMap,
    _index_of,
    resolve_columns,
    save_mapping,
    staff_import_set_mapping,
)
from .report import ImportRefused, ImportReport, LeaversNotConfirmed, _report
from .rules import _check_rows, _classify, _clean, _Cleaned, _Lookups, _Plan, _positions
from .writer import _apply

# --------------------------------------------------------------------------
# Preview and commit


def _check_mapping(headers: Sequence[str], mapping: Mapping[str, str] | None) -> None:
    unknown = [h for h in (mapping or {}).values() if h and _index_of(headers, h) is None]
    if unknown:
        raise ImportFileError("The column mapping names headers that are not in the file: " + ", ".join(unknown) + ".")


# The last file cleaned in this process, for a commit that follows its
# preview: (key, when, cleaned). Bounded to one small-enough file for a few
# minutes, and dropped by the commit, so a worker does not hold on to it.
_last_cleaned: tuple[str, float, _Cleaned] | None = None
REUSE_MAX_BYTES = 16 * 1024 * 1024
REUSE_SECONDS = 600


def _load(data: bytes, filename: str, mapping: Mapping[str, str] | None, *, keep: bool,
          read: Callable[[bytes, str], Sheet] = read_sheet) -> tuple[_Cleaned, ColumnMap]:
    """The file read, its columns resolved (against the database: a saved
    mapping may apply) and its rows cleaned. Reading and cleaning depend
    only on the bytes, so when the same bytes were cleaned moments ago (the
    preview before this commit) that work is reused; every check against
    the database still runs again."""
    global _last_cleaned
    key = hashlib.sha256(data).hexdigest() + PurePath(filename).suffix.lower()
    last = _last_cleaned
    if last is not None and last[0] == key and time.monotonic() - last[1] < REUSE_SECONDS:
        cleaned = last[2]
        _check_mapping(cleaned.headers, mapping)
        columns = resolve_columns(cleaned.headers, mapping)
        if _positions(columns) == cleaned.positions:
            return cleaned, columns
    sheet = read(data, filename)
    _check_mapping(sheet.headers, mapping)
    columns = resolve_columns(sheet.headers, mapping)
    cleaned = _clean(sheet, columns)
    _last_cleaned = (key, time.monotonic(), cleaned) if keep and len(data) <= REUSE_MAX_BYTES else None
    return cleaned, columns


def _analyse(cleaned: _Cleaned, columns: ColumnMap, skip_invalid: bool, add_update_only: bool = False) -> tuple[_Plan | None, ImportReport]:
    if columns.missing:
        return None, _report(None, cleaned, columns, skip_invalid, add_update_only)
    plan = _check_rows(cleaned, columns, _Lookups(), timezone.localdate())
    _classify(plan, add_update_only=add_update_only)
    return plan, _report(plan, cleaned, columns, skip_invalid, add_update_only)


# `confirm_leavers` for a caller that accepts any number of leavers (the
# command's --confirm-leavers); otherwise it is the number the user confirmed.
ANY_NUMBER = -1


def leavers_confirmed(report: ImportReport, confirm_leavers: int | None) -> bool:
    """Whether a commit may write this report: a full import marking many
    people in post as leavers needs that very number confirmed."""
    if not report.confirmation_needed:
        return True
    return confirm_leavers is not None and confirm_leavers in {ANY_NUMBER, report.would_leave}


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a file is checked or written.
    A 45,000-row file makes about a million short-lived lists, tuples and
    row objects, none in reference cycles, and the collector kept
    re-scanning them: about a tenth of the import's time. Reference
    counting still frees everything as usual."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class StaffImporter(Importer[ImportReport]):
    """The HR staff file: its columns (with the optional mapping step) and
    row rules, checked in bulk (`rules`) and written in bulk (`writer`).

    A file is a full snapshot: people missing from it are marked as
    leavers, unless the import is add and update only. A full import that
    would mark many people in post as leavers (`report.confirmation_needed`)
    is refused unless that number is confirmed (`confirm_leavers`). An
    import that changes nothing leaves no audit row."""

    kind = PendingUpload.Kind.STAFF
    label = "Staff import"
    report_class = ImportReport
    refused_error = ImportRefused
    columns = ALL_COLUMNS
    required = REQUIRED_COLUMNS
    aliases = HEADER_ALIASES
    column_labels = COLUMN_LABELS

    def __init__(self, target: Any = None, *, mapping: Mapping[str, str] | None = None) -> None:
        super().__init__(target)
        self.mapping = mapping
        self.keep = False
        self.plan: _Plan | None = None
        self.add_update_only = False
        self.confirm_leavers: int | None = None

    def load(self, data: bytes, filename: str) -> tuple[_Cleaned, ColumnMap]:
        global _last_cleaned
        loaded = _load(data, filename, self.mapping, keep=self.keep, read=self.read)
        if not self.keep:
            _last_cleaned = None
        return loaded

    def analyse(self, loaded: tuple[_Cleaned, ColumnMap], skip_invalid: bool) -> ImportReport:
        cleaned, columns = loaded
        self.loaded = loaded
        self.plan, report = _analyse(cleaned, columns, skip_invalid, self.add_update_only)
        return report

    def preview(self, data: bytes, filename: str = "", *, mapping: Mapping[str, str] | None = None,
                skip_invalid: bool = False, add_update_only: bool = False) -> ImportReport:
        """Check the file against the database and say what a commit would
        do. Writes nothing."""
        self.mapping, self.keep, self.add_update_only = mapping, True, add_update_only
        with _cyclic_gc_paused():
            return super().preview(data, filename, skip_invalid=skip_invalid)

    def commit(self, data: bytes, filename: str = "", *, actor: Any, skip_invalid: bool = False, import_id: str = "",
               mapping: Mapping[str, str] | None = None, add_update_only: bool = False,
               confirm_leavers: int | None = None) -> ImportReport:
        """Check the file again against the current database and write it,
        all or nothing. Raises ImportRefused (having written nothing) when
        the file has errors and `skip_invalid` is false, or nothing in it is
        importable; LeaversNotConfirmed when a full import would mark many
        people as leavers and `confirm_leavers` is not that number."""
        self.mapping, self.keep = mapping, False
        self.add_update_only, self.confirm_leavers = add_update_only, confirm_leavers
        with _cyclic_gc_paused():
            return super().commit(data, filename, actor=actor, skip_invalid=skip_invalid, import_id=import_id)

    def write(self, report: ImportReport, *, actor: Any) -> None:
        assert self.plan is not None
        if not leavers_confirmed(report, self.confirm_leavers):
            raise LeaversNotConfirmed(report)  # inside the transaction, before any write
        cleaned, columns = self.loaded
        with sqlite_page_cache(131072):  # up to 128 MB: a dozen indexes on staff and audit
            _apply(self.plan, actor=actor)
        if columns.source == "chosen":
            save_mapping(cleaned.headers, columns.mapping)
        if report.changed:
            # Other apps derive figures from staff (reach, load); they refresh on commit.
            staff_changed.send(sender=Staff, created=report.created, updated=report.updated, leavers=report.leavers)

    def record(self, report: ImportReport, *, actor: Any, filename: str, import_id: str, skip_invalid: bool) -> None:
        if not (report.changed or report.units_created):
            return  # an import that changes nothing leaves no trace in the audit trail
        cleaned, _ = self.loaded
        summary = audit.build(
            actor=actor,
            action="import",
            object_type="organisation.staffimport",
            object_id=import_id,
            object_repr=f"Staff import ({cleaned.file_format.upper()})",
            after={**report.counts(), "skip_invalid": skip_invalid, "problems": len(report.problems),
                   "add_update_only": report.add_update_only},
        )
        audit.record_many([summary])

    def sample_rows(self) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
        return sample_rows()

    def commit_options(self, upload: PendingUpload) -> dict[str, Any]:
        return {"mapping": upload.mapping or None}

    def remember_mapping(self, *, pending: PendingUpload, headers: Sequence[str], mapping: Mapping[str, str], actor: Any) -> Any:
        return staff_import_set_mapping(pending=pending, headers=headers, mapping=mapping, actor=actor)


def preview(data: bytes, filename: str = "", *, mapping: Mapping[str, str] | None = None, skip_invalid: bool = False,
            add_update_only: bool = False) -> ImportReport:
    """Check the file against the database and say what a commit would do.
    Writes nothing."""
    return StaffImporter().preview(data, filename, mapping=mapping, skip_invalid=skip_invalid, add_update_only=add_update_only)


def commit(data: bytes, filename: str = "", *, actor: Any, mapping: Mapping[str, str] | None = None, skip_invalid: bool = False,
           import_id: str = "", add_update_only: bool = False, confirm_leavers: int | None = None) -> ImportReport:
    """Check the file again against the current database and write it, all
    or nothing. Raises ImportRefused (having written nothing) when the file
    has errors and `skip_invalid` is false, or nothing in it is importable;
    LeaversNotConfirmed when a full import would mark many people as leavers
    unconfirmed (`confirm_leavers`: that number, or ANY_NUMBER)."""
    return StaffImporter().commit(data, filename, actor=actor, mapping=mapping, skip_invalid=skip_invalid, import_id=import_id,
                                  add_update_only=add_update_only, confirm_leavers=confirm_leavers)


def run_import(data: bytes, filename: str = "", *, actor: Any, mapping: Mapping[str, str] | None = None, skip_invalid: bool = False,
               dry_run: bool = False, add_update_only: bool = False, confirm_leavers: int | None = None) -> ImportReport:
    """The command's entry point: a preview when `dry_run`, else a commit.
    A dry run raises ImportRefused (LeaversNotConfirmed) when the real run
    would be refused."""
    if not dry_run:
        return commit(data, filename, actor=actor, mapping=mapping, skip_invalid=skip_invalid, add_update_only=add_update_only,
                      confirm_leavers=confirm_leavers)
    report = preview(data, filename, mapping=mapping, skip_invalid=skip_invalid, add_update_only=add_update_only)
    if report.refused:
        raise ImportRefused(report)
    if not leavers_confirmed(report, confirm_leavers):
        raise LeaversNotConfirmed(report)
    return report


# --------------------------------------------------------------------------
# Pending uploads and the sample file


def staff_import_stage(*, data: bytes, filename: str, actor: Any) -> PendingUpload:
    """Keep an HR file until its uploader has checked the preview and the
    column mapping."""
    return StaffImporter().stage(data=data, filename=filename, actor=actor)


def staff_import_commit(*, pending: PendingUpload, actor: Any, skip_invalid: bool, add_update_only: bool = False,
                        confirm_leavers: int | None = None) -> ImportReport:
    """Import a staged HR file with the mapping chosen for it, once and
    only for its uploader."""
    return StaffImporter().commit_pending(pending=pending, actor=actor, skip_invalid=skip_invalid, add_update_only=add_update_only,
                                          confirm_leavers=confirm_leavers)


def sample_rows() -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """Every import column and the sample people, one of them on long leave."""
    return ALL_COLUMNS, [(*row, SAMPLE_ABSENCES.get(row[0], "")) for row in SAMPLE_ROWS]


def sample_csv() -> str:
    """The sample file offered on the upload page (also docs/sample-staff.csv)."""
    return csv_text(*sample_rows())
