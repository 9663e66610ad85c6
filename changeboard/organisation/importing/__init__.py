"""The HR staff import: read the HR system's CSV or XLSX export, check every
row, preview what would change, then write it in one transaction.

The upload pages and the `import_staff` command both call `preview()` and
`commit()` here, so they accept and refuse exactly the same files. It is an
`Importer` (`changeboard.core.importing`), split by concern:

- `columns`: the file's format and where each column is (the mapping step);
- `rules`: the row rules, cleaning and checking every row in bulk;
- `report`: what a preview found or a commit did;
- `writer`: the commit's bulk writes and their audit rows;
- `importer`: `StaffImporter` on the shared pipeline, the pending uploads
  and the sample file.

Why it is shaped like this:

- **Bulk, not per row.** A full export is ~45,000 people. Everything the
  checks need (existing staff by number, ranks, units by path) is read once
  into dictionaries, rows are compared in Python, and writes go out with
  `bulk_create` / `bulk_update` in batches. Units are few (~700), so they are
  created one by one through the audited `unit_create` service.
- **Nothing is written until commit**, and the commit re-checks the file
  against the database as it is then (someone may have changed it since the
  preview) inside `transaction.atomic`.
- **A file is a full snapshot.** People in the database who are missing from
  the file are marked as leavers (never deleted); people who come back are
  un-marked. A full import that would mark many people in post as leavers
  (more than 50, or more than 5% of the staff in post and at least 10) is committed only
  when that number is confirmed; the add and update only mode marks nobody. Re-importing the same file changes nothing and writes no audit
  rows for the unchanged.
- **No personal data in logs.** Problems carry row numbers, column names and
  reasons; cell values go only to the person who uploaded the file.
"""

from __future__ import annotations

from changeboard.core.tabular import PROBLEM_HEADERS, PROBLEMS_SHOWN, ImportFileError, Problem, problem_rows, read_sheet

from .columns import (
    ALL_COLUMNS,
    BATCH_SIZE,
    COLUMN_LABELS,
    COLUMNS,
    EXTRA_COLUMNS,
    HEADER_ALIASES,
    MAX_MANAGER_TIERS,
    MAX_UNIT_DEPTH,
    MAX_UNIT_NAME,
    REQUIRED_COLUMNS,
    SAMPLE_ABSENCES,
    SAMPLE_ROWS,
    STAFF_FIELDS,
    ColumnMap,
    header_signature,
    parse_map_options,
    resolve_columns,
    save_mapping,
    staff_import_set_mapping,
)
from .importer import (
    ANY_NUMBER,
    StaffImporter,
    commit,
    leavers_confirmed,
    preview,
    run_import,
    sample_csv,
    sample_rows,
    staff_import_commit,
    staff_import_stage,
)
from .report import (
    LEAVERS_CONFIRM_COUNT,
    LEAVERS_CONFIRM_SHARE,
    ImportRefused,
    ImportReport,
    LeaversNotConfirmed,
    leavers_need_confirmation,
)
from .rules import _Row
from .writer import _LATE, _manager_depths

__all__ = [
    "ANY_NUMBER", "LEAVERS_CONFIRM_COUNT", "LEAVERS_CONFIRM_MIN", "LEAVERS_CONFIRM_SHARE", "LeaversNotConfirmed", "leavers_confirmed", "leavers_need_confirmation",
    "ALL_COLUMNS", "BATCH_SIZE", "COLUMNS", "COLUMN_LABELS", "EXTRA_COLUMNS", "HEADER_ALIASES", "MAX_MANAGER_TIERS", "MAX_UNIT_DEPTH",
    "MAX_UNIT_NAME", "PROBLEMS_SHOWN", "PROBLEM_HEADERS", "REQUIRED_COLUMNS", "SAMPLE_ABSENCES", "SAMPLE_ROWS", "STAFF_FIELDS",
    "ColumnMap", "ImportFileError", "ImportRefused", "ImportReport", "Problem", "StaffImporter", "_LATE", "_Row", "_manager_depths",
    "commit", "header_signature", "parse_map_options", "preview", "problem_rows", "read_sheet", "resolve_columns", "run_import",
    "sample_csv", "sample_rows", "save_mapping", "staff_import_commit", "staff_import_set_mapping", "staff_import_stage",
]
