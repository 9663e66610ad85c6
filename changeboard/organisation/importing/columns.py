"""The HR staff file's format and where each of its columns is: the
import columns, their labels and limits, the sample rows, and the column
map (a chosen mapping, one remembered for the same header row, or the
file's own headers matched by name)."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from django.db import transaction
from django.db.models import CharField

from changeboard.core import audit
from changeboard.core.models import PendingUpload
from changeboard.core.tabular import (
    normalise_header,
)

from ..models import ImportColumnMapping, Staff, Unit

# --------------------------------------------------------------------------
# The file format

COLUMNS: tuple[str, ...] = (
    "staff_number",
    "first_name",
    "last_name",
    "email",
    "unit_path",
    "role",
    "rank_or_grade",
    "location",
    "shift_pattern",
    "line_manager_staff_number",
    "start_date",
    "leave_date",
)
# Optional columns added to the format since. The pages, the mapping form and
# the import read ALL_COLUMNS; COLUMNS stays the original twelve, the width of
# the import benchmark's generated file and raw-insert baseline.
EXTRA_COLUMNS: tuple[str, ...] = ("absent_until",)
ALL_COLUMNS: tuple[str, ...] = COLUMNS + EXTRA_COLUMNS
# Other headers (normalised) an import column is found under without a mapping.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {"absent_until": ("on_leave_until",)}
REQUIRED_COLUMNS: tuple[str, ...] = ("staff_number", "first_name", "last_name", "unit_path")

COLUMN_LABELS: dict[str, str] = {
    "staff_number": "Staff number",
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email address",
    "unit_path": "Unit path",
    "role": "Job role",
    "rank_or_grade": "Rank or grade",
    "location": "Location",
    "shift_pattern": "Shift pattern",
    "line_manager_staff_number": "Line manager's staff number",
    "start_date": "Start date",
    "leave_date": "Leave date",
    "absent_until": "On leave until",
}

MAX_UNIT_DEPTH = 8
MAX_UNIT_NAME = 120
BATCH_SIZE = 2000
# Deeper chains of new line managers than this are set in a second pass.
MAX_MANAGER_TIERS = 30

# Text limits come from the model so a long value is a row error, not a
# database error halfway through the commit.
_LIMITS: dict[str, int] = {
    name: cast(int, cast(CharField, Staff._meta.get_field(name)).max_length)  # CharFields: max_length is set
    for name in ("staff_number", "first_name", "last_name", "email", "role", "location", "shift_pattern")
}
_MAX_FULL_PATH: int = Unit._meta.get_field("full_path").max_length  # type: ignore[assignment]

# The fields an import writes, in the order rows are compared.
STAFF_FIELDS: tuple[str, ...] = (
    "first_name",
    "last_name",
    "email",
    "unit",
    "role",
    "rank_grade",
    "location",
    "shift_pattern",
    "line_manager",
    "start_date",
    "leave_date",
    "is_leaver",
    "absent_until",
)


def _sample() -> tuple[tuple[tuple[str, ...], ...], dict[str, str]]:
    """The sample people (sample-staff.csv beside this module, the same as
    docs/sample-staff.csv): their rows in COLUMNS, and the absent_until
    values (EXTRA_COLUMNS) by staff number."""
    with (Path(__file__).parent / "sample-staff.csv").open(encoding="utf-8", newline="") as file:
        records = list(csv.reader(file))
    width = len(COLUMNS)
    return tuple(tuple(r[:width]) for r in records[1:]), {r[0]: r[width] for r in records[1:] if r[width]}


SAMPLE_ROWS, SAMPLE_ABSENCES = _sample()


@dataclass(slots=True)
class ColumnMap:
    """Which of the file's columns feeds each import column."""

    headers: list[str]
    indexes: dict[str, int]
    signature: str
    source: str  # "default", "saved" or "chosen"
    missing: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    @property
    def mapping(self) -> dict[str, str]:
        """Import column -> the file's header text."""
        return {column: self.headers[index] for column, index in self.indexes.items()}



# --------------------------------------------------------------------------
# Columns and remembered mappings


def header_signature(headers: Sequence[str]) -> str:
    """The key a remembered mapping is stored under: the normalised header
    row, so the same export maps itself next time."""
    return hashlib.sha256("\x1f".join(normalise_header(h) for h in headers).encode("utf-8")).hexdigest()


def _index_of(headers: Sequence[str], header: str) -> int | None:
    if header in headers:
        return list(headers).index(header)
    wanted = normalise_header(header)
    for index, candidate in enumerate(headers):
        if normalise_header(candidate) == wanted:
            return index
    return None


def resolve_columns(headers: Sequence[str], chosen: Mapping[str, str] | None = None) -> ColumnMap:
    """Where each import column is in the file: a chosen mapping first (from
    the page or `--map`), else one remembered for this header row, else the
    file's own headers matched by name."""
    headers = list(headers)
    signature = header_signature(headers)
    indexes: dict[str, int] = {}
    normalised = [normalise_header(h) for h in headers]
    for column in ALL_COLUMNS:
        for name in (column, *HEADER_ALIASES.get(column, ())):
            if name in normalised:
                indexes[column] = normalised.index(name)
                break
    source = "default"
    mapping: Mapping[str, str] | None = chosen
    if not mapping:
        saved = ImportColumnMapping.objects.filter(header_signature=signature).first()
        if saved is not None:
            mapping, source = saved.mapping, "saved"
    else:
        source = "chosen"
    if mapping:
        for column, header in mapping.items():
            if column not in ALL_COLUMNS:
                continue
            index = _index_of(headers, header) if header else None
            if index is None:
                indexes.pop(column, None)
            else:
                indexes[column] = index
    used = set(indexes.values())
    ignored = [h for i, h in enumerate(headers) if i not in used and h]
    missing = [c for c in REQUIRED_COLUMNS if c not in indexes]
    return ColumnMap(headers, indexes, signature, source, missing, ignored)


def save_mapping(headers: Sequence[str], mapping: Mapping[str, str]) -> ImportColumnMapping:
    """Remember a mapping for this header row (replacing any earlier one)."""
    clean = {c: h for c, h in mapping.items() if c in ALL_COLUMNS and h}
    saved, _ = ImportColumnMapping.objects.update_or_create(
        header_signature=header_signature(headers), defaults={"headers": list(headers), "mapping": clean}
    )
    return saved


@transaction.atomic
def staff_import_set_mapping(*, pending: PendingUpload, headers: Sequence[str], mapping: Mapping[str, str], actor: Any) -> ImportColumnMapping:
    """Record the column mapping chosen for a pending upload and remember it
    for later files with the same header row (audited: it applies to
    everyone's next upload of such a file)."""
    pending.mapping = dict(mapping)
    pending.save(update_fields=["mapping"])
    saved = save_mapping(headers, mapping)
    audit.record(actor=actor, action="update", obj=saved, after={"headers": saved.headers, "mapping": saved.mapping})
    return saved


def parse_map_options(options: Iterable[str]) -> dict[str, str]:
    """`column=Header` pairs from the command line."""
    mapping: dict[str, str] = {}
    for option in options:
        column, sep, header = option.partition("=")
        column = column.strip().lower()
        if not sep or column not in ALL_COLUMNS:
            raise ValueError(f"--map expects column=Header with a column among: {', '.join(ALL_COLUMNS)} (got {option!r}).")
        mapping[column] = header.strip()
    return mapping

