"""The training system's completion export imported as `TrainingRecord`s:
check every row of a CSV or XLSX file, preview what it would change, then
commit it: a `core.importing.Importer`, like the staff, impact and
response imports; this module holds only its columns and row rules.

Columns: `staff_number`, `course`, `completed_on` (dd/mm/yyyy or
yyyy-mm-dd). A person's course is one record: re-importing upserts, and a
later completion date replaces an earlier one (an older file imported again
never rolls a record back). Training records are HR data, so the import is
for portfolio administrators only (`TrainingRecord.role_actions` is empty).

After the commit, in the same transaction, every training-fed criterion is
re-evaluated, and the audit trail gets one row for the whole import.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import ClassVar, cast

from django.utils import timezone

from changeboard.accounts.models import User
from changeboard.core import audit
from changeboard.core.importing import Importer, ImportFileError, ImportRefusedBase, ImportReportBase, Problem, Sheet, csv_text, parse_date
from changeboard.core.models import PendingUpload
from changeboard.organisation.models import Staff

from .models import Criterion, TrainingRecord
from .services.criteria import criteria_evaluate_fed, normalise_course

__all__ = ["COLUMNS", "KIND", "ImportFileError", "TrainingImportRefused", "TrainingImportReport", "TrainingImporter", "commit", "preview"]

logger = logging.getLogger(__name__)

KIND = PendingUpload.Kind.TRAINING_RECORDS
COLUMNS: tuple[str, ...] = ("staff_number", "course", "completed_on")
COURSE_MAX = cast(int, TrainingRecord._meta.get_field("course").max_length)
BATCH_SIZE = 2000
PREVIEW_COURSES = 100


class TrainingImportRefused(ImportRefusedBase):
    """The commit was refused; `report` lists every problem found."""

    report: TrainingImportReport


@dataclass(slots=True)
class TrainingRow:
    row: int
    staff_id: int
    course: str
    completed_on: dt.date


@dataclass
class TrainingImportReport(ImportReportBase):
    """What a preview found or a commit did: records created, updated to a
    later date, and unchanged (already there with the same or a later date)."""

    warning_head: ClassVar[str] = "This file has problems"

    updated: int = 0
    unchanged: int = 0
    criteria: int = 0
    records: list[TrainingRow] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"rows": self.rows, "valid": self.valid, "invalid": self.invalid, "created": self.created,
                "updated": self.updated, "unchanged": self.unchanged, "criteria": self.criteria}

    def courses(self) -> list[tuple[str, int]]:
        """Valid rows per course, most first, for the preview."""
        return Counter(r.course for r in self.records).most_common()

    def summary(self) -> str:
        if not self.committed:
            return f"Would import {self.valid} completion{'s' if self.valid != 1 else ''} from {self.rows} rows{self.skipped_note()}."
        return (f"Imported {self.rows} row{'s' if self.rows != 1 else ''}: {self.created} new completion{'s' if self.created != 1 else ''}, "
                f"{self.updated} updated to a later date, {self.unchanged} unchanged{self.skipped_note()}. "
                f"{self.criteria} training-fed criteri{'a' if self.criteria != 1 else 'on'} re-evaluated.")


def column_help() -> list[tuple[str, str, str]]:
    """(column, what it holds, required) for the upload page."""
    return [
        ("staff_number", "The person's staff number, as in the HR file", "Yes"),
        ("course", f"The course code, as a training-fed criterion names it (at most {COURSE_MAX} characters; case does not matter)", "Yes"),
        ("completed_on", "The date the course was completed: dd/mm/yyyy or yyyy-mm-dd, not in the future", "Yes"),
    ]


def _staff_ids(numbers: set[str]) -> dict[str, int]:
    """Staff pk by staff number, in batches (SQLite caps query parameters)."""
    ordered = sorted(numbers)
    found: dict[str, int] = {}
    for start in range(0, len(ordered), BATCH_SIZE):
        chunk = ordered[start:start + BATCH_SIZE]
        found.update(Staff.objects.filter(staff_number__in=chunk).values_list("staff_number", "pk"))
    return found


class TrainingImporter(Importer[TrainingImportReport]):
    """The training file's columns and row rules; the pipeline is `core.importing`."""

    kind = PendingUpload.Kind.TRAINING_RECORDS
    label = "Training import"
    report_class = TrainingImportReport
    refused_error = TrainingImportRefused
    columns = COLUMNS
    required = COLUMNS

    def prepare(self, sheet: Sheet, columns: dict[str, int]) -> None:
        self.today = timezone.localdate()
        self.seen: dict[tuple[str, str], int] = {}
        at = columns["staff_number"]
        self.staff = _staff_ids({cells[at].strip() for _, cells in sheet.rows if at < len(cells)} - {""})

    def check_row(self, number: int, cell: dict[str, str]) -> tuple[TrainingRow | None, list[Problem]]:
        problems: list[Problem] = []
        staff_number, course_text, date_text = cell["staff_number"], cell["course"], cell["completed_on"]
        staff_id = self.staff.get(staff_number)
        if not staff_number:
            problems.append(Problem(number, "staff_number", "", "Missing: every row needs a staff number"))
        elif staff_id is None:
            problems.append(Problem(number, "staff_number", staff_number, "Unknown staff number: nobody in the organisation model has it"))
        course = normalise_course(course_text)
        if not course:
            problems.append(Problem(number, "course", "", "Missing: every row needs a course code"))
        elif len(course) > COURSE_MAX:
            problems.append(Problem(number, "course", course_text, f"Too long: a course code has at most {COURSE_MAX} characters"))
        completed: dt.date | None = None
        if not date_text:
            problems.append(Problem(number, "completed_on", "", "Missing: every row needs the completion date"))
        else:
            completed, reason = parse_date(date_text)
            if completed is None:
                problems.append(Problem(number, "completed_on", date_text, reason))
            elif completed > self.today:
                problems.append(Problem(number, "completed_on", date_text, "In the future: a course cannot be completed after today"))
        if staff_number and course:
            first = self.seen.setdefault((staff_number, course), number)
            if first != number:
                problems.append(Problem(number, "course", course_text,
                                        f"Duplicate: staff number {staff_number} already has this course on row {first}"))
        if problems:
            return None, problems
        assert staff_id is not None and completed is not None
        return TrainingRow(number, staff_id, course, completed), []

    def accept(self, report: TrainingImportReport, row: TrainingRow) -> None:
        report.records.append(row)

    def sample_rows(self) -> tuple[list[str], list[list[str]]]:
        return sample_rows()

    def column_help(self) -> list[tuple[str, str, str]]:
        return column_help()

    def describe(self, report: TrainingImportReport) -> None:
        _classify(report)

    def write(self, report: TrainingImportReport, *, actor: User | None) -> None:
        new, later = _classify(report)
        now = timezone.now()
        TrainingRecord.objects.bulk_create(
            [TrainingRecord(staff_id=r.staff_id, course=r.course, completed_on=r.completed_on, imported_at=now) for r in new],
            batch_size=BATCH_SIZE,
        )
        TrainingRecord.objects.bulk_update(
            [TrainingRecord(pk=pk, completed_on=day, imported_at=now) for pk, day in later], ["completed_on", "imported_at"],
            batch_size=BATCH_SIZE,
        )
        report.criteria = criteria_evaluate_fed(Criterion.Feed.TRAINING, actor=actor)

    def record(self, report: TrainingImportReport, *, actor: User | None, filename: str, import_id: str, skip_invalid: bool) -> None:
        # One row for the whole import: the records are HR data, not each worth a trail entry.
        audit.record(actor=actor, action="import", object_type=audit.object_label(TrainingRecord), object_id="",
                     object_repr="Training completion import", after={**report.counts(), "file": filename})


def preview(data: bytes, filename: str = "", *, skip_invalid: bool = False) -> TrainingImportReport:
    """Check the file and say what a commit would do. Writes nothing.
    Raises ImportFileError when the file is not a readable table."""
    return TrainingImporter().preview(data, filename, skip_invalid=skip_invalid)


def _existing(records: list[TrainingRow]) -> dict[tuple[int, str], tuple[int, dt.date]]:
    """The stored records for the file's courses: (staff, course) -> (pk, date)."""
    courses = sorted({r.course for r in records})
    found: dict[tuple[int, str], tuple[int, dt.date]] = {}
    for start in range(0, len(courses), BATCH_SIZE):
        rows = TrainingRecord.objects.filter(course__in=courses[start:start + BATCH_SIZE]).values_list("pk", "staff_id", "course", "completed_on")
        for pk, staff_id, course, completed in rows.iterator(chunk_size=BATCH_SIZE):
            found[(staff_id, course)] = (pk, completed)
    return found


def _classify(report: TrainingImportReport) -> tuple[list[TrainingRow], list[tuple[int, dt.date]]]:
    """Split the valid rows into new records and later dates for existing
    ones, counting what would stay unchanged."""
    existing = _existing(report.records)
    new: list[TrainingRow] = []
    later: list[tuple[int, dt.date]] = []
    unchanged = 0
    for row in report.records:
        stored = existing.get((row.staff_id, row.course))
        if stored is None:
            new.append(row)
        elif row.completed_on > stored[1]:
            later.append((stored[0], row.completed_on))
        else:
            unchanged += 1
    report.created, report.updated, report.unchanged = len(new), len(later), unchanged
    return new, later


def commit(data: bytes, filename: str = "", *, actor: User | None, skip_invalid: bool = False) -> TrainingImportReport:
    """Check the file again and write its records, all or nothing, then
    re-evaluate the training-fed criteria. Raises TrainingImportRefused
    (having written nothing) when the file has errors and `skip_invalid` is
    false, or nothing in it is importable."""
    return TrainingImporter().commit(data, filename, actor=actor, skip_invalid=skip_invalid)


def training_import_stage(*, data: bytes, filename: str, actor: User | None) -> PendingUpload:
    """Keep a training file until its uploader has checked the preview."""
    return TrainingImporter().stage(data=data, filename=filename, actor=actor)


def training_import_commit(*, pending: PendingUpload, actor: User | None, skip_invalid: bool) -> TrainingImportReport:
    """Import a staged training file, once and only for its uploader."""
    return TrainingImporter().commit_pending(pending=pending, actor=actor, skip_invalid=skip_invalid)


# --------------------------------------------------------------------------
# Template file


def sample_rows() -> tuple[list[str], list[list[str]]]:
    """The columns and one example row, with a real staff number when there is one."""
    number = Staff.objects.current().order_by("staff_number").values_list("staff_number", flat=True).first() or "100001"
    return list(COLUMNS), [[number, "SBS-101", (timezone.localdate() - dt.timedelta(days=7)).strftime("%d/%m/%Y")]]


def sample_csv() -> str:
    return csv_text(*sample_rows())
