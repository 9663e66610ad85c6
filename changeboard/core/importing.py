"""The one spreadsheet import pipeline: read the file, map its columns,
check every row, preview what a commit would do, then commit in one
transaction (refusing the whole file, or skipping the invalid rows when the
uploader chose that), write the audit row, and keep the uploaded file for
its uploader in between (a `PendingUpload`, through `core.uploads`).

Each import (HR staff, impact lines, survey responses, training records)
is a subclass of `Importer` that keeps only what is its own: its kind, its
columns, its row rules, what a commit writes and what its audit row says.
The pages are `core.import_views`; the files are read by `core.tabular`.

A new import declares:

    class WidgetImporter(Importer[WidgetReport]):
        kind = PendingUpload.Kind.WIDGETS
        label = "Widget import"
        report_class = WidgetReport
        refused_error = WidgetImportRefused
        columns = ("code", "name")
        required = ("code", "name")

        def check_row(self, number, cell): ...   # -> (row, problems)
        def accept(self, report, row): ...        # keep a valid row
        def write(self, report, *, actor): ...    # inside the transaction
        def sample_rows(self): ...                # the sample file

and its pages name the importer, the target lookup and the URL names:

    class WidgetImportMixin(ImportViewMixin):
        model, action = Widget, ADD
        importer_class = WidgetImporter
        upload_url_name, preview_url_name = "widget-import", "widget-import-preview"

    class WidgetImportView(ImportUploadView, WidgetImportMixin): ...
    class WidgetImportPreviewView(ImportPreviewView, WidgetImportMixin): ...

`core/tests/test_importing.py` holds a complete one.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from django.db import transaction
from django.db.models import Model

from . import audit, uploads
from .models import PendingUpload
from .tabular import ImportFileError, ImportRefusedBase, ImportReportBase, Problem, Sheet, normalise_header, parse_date, read_sheet

# With the readers' pieces an import's rules use, so an import imports from here only.
__all__ = [
    "Columns", "ImportFileError", "ImportRefusedBase", "ImportReportBase", "Importer", "Problem", "Sheet", "csv_text", "missing_column_problems",
    "normalise_header", "parse_date",
]

logger = logging.getLogger(__name__)

# Import column -> its position in the file.
Columns = dict[str, int]


def missing_column_problems(required: Sequence[str], present: Mapping[str, int] | set[str]) -> list[Problem]:
    """A problem on row 1 (the header row) for each required column the file lacks."""
    return [Problem(1, c, "", f"Missing column: the file must have a {c} column") for c in required if c not in present]


def csv_text(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A sample or template file as CSV text (Excel's line ends)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue()


class Importer[R: ImportReportBase]:
    """One spreadsheet import, for one target (the assessment or wave the
    file goes into; None for imports into the whole organisation).

    The pipeline, and the hooks a subclass fills in:

    - `load(data, filename)`: the file read (default: `read_sheet`).
    - `analyse(loaded, skip_invalid)`: the report of every problem. The
      default maps the columns (`map_columns`, `missing_columns`), calls
      `prepare(sheet, columns)` once for the lookups, then `check_row(number, cell)` for
      each row, and keeps each valid row with `accept(report, row)`.
    - `describe(report)`: what only the preview shows (e.g. headcounts).
    - `lock()`: inside the commit's transaction, the target locked and
      checked (a ValidationError when it no longer takes imports).
    - `write(report, actor=...)`: the commit's writes, in the transaction.
    - `record(report, ...)`: the audit row for the whole import.
    - `after_commit(report)`: signals, once the transaction is done.
    """

    kind: ClassVar[str]
    label: ClassVar[str] = "Import"
    report_class: ClassVar[type[ImportReportBase]] = ImportReportBase
    refused_error: ClassVar[type[ImportRefusedBase]] = ImportRefusedBase
    target_model: ClassVar[type[Model] | None] = None
    # The columns the file may have (matched by `normalise_header`, the first
    # of two same-named columns wins) and those it must have.
    columns: ClassVar[tuple[str, ...]] = ()
    required: ClassVar[tuple[str, ...]] = ()
    # Other header spellings accepted for a column.
    aliases: ClassVar[dict[str, tuple[str, ...]]] = {}
    # Import column -> what it holds, for pages (the mapping step).
    column_labels: ClassVar[dict[str, str]] = {}
    # The file as read when it was staged: `read` returns it instead of
    # reading the bytes again (set by `preview_pending` and `commit_pending`).
    staged_sheet: Sheet | None = None

    def __init__(self, target: Any = None) -> None:
        self.target = target

    # ----------------------------------------------------------------------
    # Reading and mapping columns

    def read(self, data: bytes, filename: str) -> Sheet:
        """The file as a sheet: as read when it was staged, if it was."""
        if self.staged_sheet is not None:
            return self.staged_sheet
        return read_sheet(data, filename)

    def load(self, data: bytes, filename: str) -> Any:
        return self.read(data, filename)

    def map_columns(self, sheet: Sheet, report: R) -> Columns:
        found: Columns = {}
        wanted = {name: column for column in self.columns for name in (column, *self.aliases.get(column, ()))}
        for index, header in enumerate(sheet.headers):
            column = wanted.get(normalise_header(header))
            if column is not None and column not in found:
                found[column] = index
        return found

    def missing_columns(self, columns: Columns) -> list[Problem]:
        return missing_column_problems(self.required, columns)

    # ----------------------------------------------------------------------
    # Checking rows

    def new_report(self, sheet: Sheet, skip_invalid: bool) -> R:
        report = self.report_class(rows=len(sheet.rows), headers=list(sheet.headers), file_description=sheet.describe(),
                                   skip_invalid=skip_invalid)
        return report  # type: ignore[return-value]  # report_class is R's class

    def prepare(self, sheet: Sheet, columns: Columns) -> None:
        """Read what the row checks compare against, once per file."""

    def check_row(self, number: int, cell: dict[str, str]) -> tuple[Any, list[Problem]]:
        """One row's cleaned values and its problems (none when valid)."""
        raise NotImplementedError

    def accept(self, report: R, row: Any) -> None:
        """Keep a valid row for the preview and the commit."""

    def analyse(self, loaded: Any, skip_invalid: bool) -> R:
        sheet: Sheet = loaded
        report = self.new_report(sheet, skip_invalid)
        columns = self.map_columns(sheet, report)
        missing = self.missing_columns(columns)
        if missing:
            report.problems += missing
            report.missing_columns = [p.column for p in missing]
            report.invalid = report.rows
            return report
        self.prepare(sheet, columns)
        for number, cells in sheet.rows:
            cell = {column: (cells[index].strip() if index < len(cells) else "") for column, index in columns.items()}
            row, problems = self.check_row(number, cell)
            report.problems.extend(problems)
            if problems:
                report.invalid += 1
            else:
                report.valid += 1
                self.accept(report, row)
        return report

    # ----------------------------------------------------------------------
    # Preview and commit

    def describe(self, report: R) -> None:
        """Add what only the preview shows. Writes nothing."""

    def preview(self, data: bytes, filename: str = "", *, skip_invalid: bool = False) -> R:
        """Check the file and say what a commit would do. Writes nothing.
        Raises ImportFileError when the file is not a readable table."""
        report = self.analyse(self.load(data, filename), skip_invalid)
        self.describe(report)
        return report

    def lock(self) -> None:
        """Lock the target for the commit and check it still takes imports
        (a ValidationError otherwise); `self.target` becomes the locked row."""

    def write(self, report: R, *, actor: Any) -> None:
        raise NotImplementedError

    def record(self, report: R, *, actor: Any, filename: str, import_id: str, skip_invalid: bool) -> None:
        """The audit row for the whole import (never one per row)."""
        audit.record(actor=actor, action="import", obj=self.target, after={**report.counts(), "file": filename})

    def after_commit(self, report: R) -> None:
        """Tell the rest of the system, once the transaction is done."""

    def commit(self, data: bytes, filename: str = "", *, actor: Any, skip_invalid: bool = False, import_id: str = "") -> R:
        """Check the file again against the database as it is now and write
        it, all or nothing. Raises `refused_error` (having written nothing)
        when the file has errors and `skip_invalid` is false, or nothing in it
        is importable; a ValidationError when the target takes no imports."""
        loaded = self.load(data, filename)
        with transaction.atomic():
            self.lock()
            report = self.analyse(loaded, skip_invalid)
            if report.refused:
                raise self.refused_error(report)
            self.write(report, actor=actor)
            report.committed = True
            self.record(report, actor=actor, filename=filename, import_id=import_id, skip_invalid=skip_invalid)
        self.after_commit(report)
        # Counts only: never names, numbers or cell values.
        logger.info("%s committed: %s", self.label, report.counts())
        return report

    # ----------------------------------------------------------------------
    # What the upload page offers

    def sample_rows(self) -> tuple[Sequence[str], Sequence[Sequence[str]]]:
        """The headers and example rows of the sample file."""
        raise NotImplementedError

    def column_help(self) -> Sequence[Sequence[str]]:
        """One row per column for the upload page: its name first, whether it is required last."""
        return [(c, self.column_labels.get(c, ""), "Yes" if c in self.required else "No") for c in self.columns]

    # ----------------------------------------------------------------------
    # Pending uploads: kept for their uploader between preview and commit

    @property
    def target_id(self) -> int | None:
        return getattr(self.target, "pk", None)

    def stage(self, *, data: bytes, filename: str, actor: Any, sheet: Sheet | None = None) -> PendingUpload:
        """Keep an uploaded file, and the file as read (`sheet`, read now
        when not given), until its uploader has checked the preview."""
        return uploads.stage(kind=self.kind, target_id=self.target_id, data=data, filename=filename, actor=actor, sheet=sheet)

    def sheet_of(self, upload: PendingUpload) -> Sheet:
        """A staged file as read when it was staged."""
        return uploads.sheet_of(upload)

    def preview_pending(self, upload: PendingUpload, **options: Any) -> R:
        """The preview of a staged file, from the file as read when it was
        staged: a file is read once per upload, not on every preview page."""
        self.staged_sheet = self.sheet_of(upload)
        try:
            return self.preview(uploads.content_of(upload), upload.original_filename, **options)
        finally:
            self.staged_sheet = None

    def fetch(self, *, token: Any, user: Any) -> PendingUpload:
        """The user's own pending upload into this target; anything else is a 404."""
        return uploads.fetch(kind=self.kind, token=token, user=user, target_id=self.target_id)

    @classmethod
    def for_upload(cls, upload: PendingUpload) -> Importer[R]:
        """The importer for a staged file's target."""
        if cls.target_model is None:
            return cls()
        return cls(cls.target_model._default_manager.get(pk=upload.target_id))

    def commit_options(self, upload: PendingUpload) -> dict[str, Any]:
        """More keyword arguments for `commit` from the staged upload."""
        return {}

    def commit_pending(self, *, pending: PendingUpload, actor: Any, skip_invalid: bool, **options: Any) -> R:
        """Import a staged file, once and only for its uploader. `options`
        are the import's own commit choices (`commit` keyword arguments)."""

        def write(upload: PendingUpload) -> R:
            importer = self.for_upload(upload)
            importer.staged_sheet = self.sheet_of(upload)
            return importer.commit(uploads.content_of(upload), upload.original_filename, actor=actor, skip_invalid=skip_invalid,
                                   import_id=str(upload.token), **importer.commit_options(upload), **options)

        return uploads.commit(upload=pending, actor=actor, write=write)

    # ----------------------------------------------------------------------
    # The optional column-mapping step (an import whose files name their
    # columns their own way)

    def remember_mapping(self, *, pending: PendingUpload, headers: Sequence[str], mapping: Mapping[str, str], actor: Any) -> Any:
        raise NotImplementedError

