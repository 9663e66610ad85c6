"""The HR staff import: read the HR system's CSV or XLSX export, check every
row, preview what would change, then write it in one transaction.

The upload pages and the `import_staff` command both call `preview()` and
`commit()` here, so they accept and refuse exactly the same files.

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
  un-marked. Re-importing the same file changes nothing and writes no audit
  rows for the unchanged.
- **No personal data in logs.** Problems carry row numbers, column names and
  reasons; cell values go only to the person who uploaded the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import hashlib
import io
import logging
import re
import time
from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, validate_email
from django.db import connection, transaction
from django.db.models import F, Model
from django.utils import timezone

from changeboard.core import audit, uploads
from changeboard.core.db import sqlite_page_cache
from changeboard.core.models import AuditEntry, PendingUpload
from changeboard.core.tabular import (  # noqa: F401  (re-exported for the pages and the command)
    PROBLEM_HEADERS,
    PROBLEMS_SHOWN,
    ImportFileError,
    ImportRefusedBase,
    ImportReportBase,
    Problem,
    Sheet,
    normalise_header,
    parse_date,
    problem_rows,
    read_sheet,
)

from .models import PATH_SEPARATOR, ImportColumnMapping, RankGrade, Staff, Unit, level_for_depth
from .services import unit_code_for_path
from .signals import staff_changed

logger = logging.getLogger(__name__)

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
    "staff_number": Staff._meta.get_field("staff_number").max_length,  # type: ignore[dict-item]
    "first_name": Staff._meta.get_field("first_name").max_length,  # type: ignore[dict-item]
    "last_name": Staff._meta.get_field("last_name").max_length,  # type: ignore[dict-item]
    "email": Staff._meta.get_field("email").max_length,  # type: ignore[dict-item]
    "role": Staff._meta.get_field("role").max_length,  # type: ignore[dict-item]
    "location": Staff._meta.get_field("location").max_length,  # type: ignore[dict-item]
    "shift_pattern": Staff._meta.get_field("shift_pattern").max_length,  # type: ignore[dict-item]
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

SAMPLE_ROWS: tuple[tuple[str, ...], ...] = (
    ("100001", "Amelia", "Hart", "amelia.hart@met.example.police.uk",
     "Metropolitan Police Service > Frontline Policing > Central West BCU > Westminster > Westminster Response Team 1",
     "Response inspector", "Inspector", "Charing Cross", "Response 10-hour 5-team rota", "", "04/09/2006", ""),
    ("100002", "Tomasz", "Nowak", "tomasz.nowak@met.example.police.uk",
     "Metropolitan Police Service > Frontline Policing > Central West BCU > Westminster > Westminster Response Team 1",
     "Response sergeant", "PS", "Charing Cross", "Response 10-hour 5-team rota", "100001", "2012-03-19", ""),
    ("100003", "Chloé", "Dubois", "chloe.dubois@met.example.police.uk",
     "Metropolitan Police Service > Frontline Policing > Central West BCU > Westminster > Westminster Response Team 1",
     "Response officer", "Police Constable", "Charing Cross", "Response 10-hour 5-team rota", "100002", "15/01/2021", ""),
    ("100004", "Kwame", "Mensah", "kwame.mensah@met.example.police.uk",
     "Metropolitan Police Service > Frontline Policing > Central West BCU > Westminster > Westminster Response Team 1",
     "Response officer", "PC", "Charing Cross", "Response 10-hour 5-team rota", "100002", "2019-07-01", ""),
    ("100005", "Priya", "Shah", "priya.shah@met.example.police.uk",
     "Metropolitan Police Service > Frontline Policing > Central West BCU > Westminster > Westminster Neighbourhood Team",
     "Dedicated ward officer", "PC", "Marylebone", "Neighbourhood 8-hour earlies and lates", "100001", "02/11/2015", ""),
    ("100006", "Owen", "Price", "owen.price@met.example.police.uk",
     "Metropolitan Police Service > Frontline Policing > Central West BCU > Westminster > Westminster Neighbourhood Team",
     "Police community support officer", "PCSO", "Marylebone", "Neighbourhood 8-hour earlies and lates", "100005", "2018-05-14", ""),
    ("100007", "Grace", "Okafor", "grace.okafor@met.example.police.uk",
     "Metropolitan Police Service > Frontline Policing > Central West BCU > Kensington and Chelsea",
     "Case progression officer", "Band E", "Kensington", "Office hours, Monday to Friday", "100001", "2023-01-09", ""),
    ("100008", "Daniel", "Reyes", "daniel.reyes@met.example.police.uk",
     "Metropolitan Police Service > Frontline Policing > Central West BCU > Kensington and Chelsea",
     "Case progression officer", "BAND-E", "Kensington", "Office hours, Monday to Friday", "100007", "01/06/2020", "31/03/2026"),
)
# The sample's absent_until values (EXTRA_COLUMNS), by staff number.
SAMPLE_ABSENCES: dict[str, str] = {"100005": "30/06/2027"}


class ImportRefused(ImportRefusedBase):
    """The commit was refused; `report` lists every problem found."""

    report: ImportReport


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


@dataclass
class ImportReport(ImportReportBase):
    """What a preview found or a commit did. Counts of people to create,
    update, leave unchanged and mark as leavers cover the valid rows."""

    updated: int = 0
    unchanged: int = 0
    leavers: int = 0
    units_created: int = 0
    warnings: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)

    @property
    def needs_mapping(self) -> bool:
        return bool(self.missing_columns)

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.leavers

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "valid": self.valid,
            "invalid": self.invalid,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "leavers": self.leavers,
            "units_created": self.units_created,
        }

    def summary(self) -> str:
        """One sentence of counts, safe for messages and logs."""
        if self.committed and not self.changed and not self.units_created:
            head = "No changes: every person in the file is already up to date"
        else:
            verb = "Imported" if self.committed else "Would import"
            head = (
                f"{verb} {self.valid} of {self.rows} rows: {self.created} added, {self.updated} updated, "
                f"{self.unchanged} unchanged, {self.leavers} marked as leavers"
            )
            if self.units_created:
                head += f", {self.units_created} new unit{'s' if self.units_created != 1 else ''}"
        return head + self.skipped_note() + "."


# --------------------------------------------------------------------------
# Reading files


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


# --------------------------------------------------------------------------
# Checking rows

@dataclass(slots=True)
class _Row:
    """A row's cleaned values."""

    line: int
    number: str
    first_name: str
    last_name: str
    email: str
    unit_key: str
    unit_text: str
    role: str
    rank_id: int | None
    location: str
    shift: str
    manager: str
    start: dt.date | None
    leave: dt.date | None
    absent: dt.date | None = None
    ok: bool = True


@dataclass(slots=True)
class _UnitPath:
    key: str  # lower-cased full path: unit lookups ignore case
    path: str  # as it will be stored: existing units' spelling where they exist
    names: list[str]
    error: str = ""


class _Lookups:
    """Everything the checks compare against, read in a handful of queries."""

    def __init__(self) -> None:
        self.ranks: dict[str, int] = {}
        for pk, code, name in RankGrade.objects.values_list("pk", "code", "name"):
            self.ranks[code.lower()] = pk
            self.ranks[name.lower()] = pk
        self.units: dict[str, tuple[int, str]] = {
            full_path.lower(): (pk, full_path) for pk, full_path in Unit.objects.values_list("pk", "full_path")
        }
        self.unit_path_by_id: dict[int, str] = {pk: path.lower() for path, (pk, _) in self.units.items()}
        self.roots: dict[str, str] = {name.lower(): name for name in Unit.objects.filter(depth=1).values_list("name", flat=True)}
        values = Staff.objects.values_list("pk", "staff_number", *(f.attname for f in _STAFF_MODEL_FIELDS))
        self.staff: dict[str, tuple[Any, ...]] = {row[1]: row for row in values}
        self.number_by_id: dict[int, str] = {row[0]: row[1] for row in self.staff.values()}


_STAFF_MODEL_FIELDS = [Staff._meta.get_field(name) for name in STAFF_FIELDS]
_FIELD_INDEX = {name: index + 2 for index, name in enumerate(STAFF_FIELDS)}  # in a _Lookups.staff tuple


@dataclass
class _Cleaned:
    """A file after the checks that need no database: its header, and each
    import column's stripped values with the problems found in them. The
    same bytes always clean the same way, so this is what a commit reuses
    from its preview (see `_load`)."""

    headers: list[str]
    file_format: str
    description: str
    positions: tuple[int, ...]
    lines: list[int]
    values: dict[str, list[str]]
    starts: list[dt.date | None]
    leaves: list[dt.date | None]
    absents: list[dt.date | None]
    problems: list[Problem]
    ok: list[bool]


@dataclass
class _Plan:
    cleaned: _Cleaned
    columns: ColumnMap
    rows: list[_Row]
    problems: list[Problem]
    units_by_key: dict[str, _UnitPath]
    lookups: _Lookups
    today: dt.date
    create: list[_Row] = field(default_factory=list)
    update: list[tuple[_Row, tuple[Any, ...], tuple[str, ...]]] = field(default_factory=list)
    unchanged: int = 0
    leavers: list[tuple[Any, ...]] = field(default_factory=list)
    new_units: set[str] = field(default_factory=set)

    @property
    def valid_rows(self) -> int:
        return sum(1 for r in self.rows if r.ok)


def _positions(columns: ColumnMap) -> tuple[int, ...]:
    """Where each import column is read from; a column the file lacks reads
    from an empty cell past the end of the row."""
    width = len(columns.headers)
    return tuple(columns.indexes.get(c, width) for c in ALL_COLUMNS)


def _clean(sheet: Sheet, columns: ColumnMap) -> _Cleaned:
    """Strip every cell and check what needs no database: required values,
    lengths, e-mail addresses and dates.

    This runs over every row, so it works a column at a time with
    comprehensions rather than a branchy loop per row (half the time at
    45,000 rows), and checks each distinct date and e-mail domain once."""
    problems: list[Problem] = []
    add = problems.append
    width = len(sheet.headers)
    positions = _positions(columns)
    needed = max(positions) + 1
    pad = [""] * needed
    lines = [line for line, _ in sheet.rows]
    table = [
        cells if len(cells) >= needed and needed <= width else (cells[:width] + pad)[:needed]
        for _, cells in sheet.rows
    ]
    values: dict[str, list[str]] = {column: [cells[at].strip() for cells in table] for column, at in zip(ALL_COLUMNS, positions, strict=True)}
    ok = [True] * len(lines)

    def fail(index: int, column: str, value: str, reason: str) -> None:
        add(Problem(lines[index], column, value, reason))
        ok[index] = False

    for column in REQUIRED_COLUMNS:
        for i in [i for i, v in enumerate(values[column]) if not v]:
            fail(i, column, "", "Missing: this column must have a value")
    for column, limit in _LIMITS.items():
        column_values = values[column]
        for i in [i for i, v in enumerate(column_values) if len(v) > limit]:
            fail(i, column, column_values[i], f"Too long: at most {limit} characters")

    emails = values["email"]
    domains: dict[str, bool] = {}
    for i in [i for i, e in enumerate(emails) if e and not _email_valid(e, domains)]:
        if len(emails[i]) <= _LIMITS["email"]:
            fail(i, "email", emails[i], "Not a valid email address")

    dates: dict[str, tuple[dt.date | None, str]] = {"": (None, "")}
    for text in set(values["start_date"]) | set(values["leave_date"]) | set(values["absent_until"]):
        if text:
            dates[text] = parse_date(text)
    starts = [dates[t][0] for t in values["start_date"]]
    leaves = [dates[t][0] for t in values["leave_date"]]
    absents = [dates[t][0] for t in values["absent_until"]]
    for column, parsed in (("start_date", starts), ("leave_date", leaves), ("absent_until", absents)):
        texts = values[column]
        for i in [i for i, d in enumerate(parsed) if d is None and texts[i]]:
            fail(i, column, texts[i], dates[texts[i]][1])
    for i in [i for i, (s, e) in enumerate(zip(starts, leaves, strict=True)) if s and e and e < s]:
        fail(i, "leave_date", values["leave_date"][i], "Leave date is before the start date")

    return _Cleaned(list(sheet.headers), sheet.file_format, sheet.describe(), positions, lines, values, starts, leaves, absents, problems, ok)


def _check_rows(cleaned: _Cleaned, columns: ColumnMap, lookups: _Lookups, today: dt.date) -> _Plan:
    """The checks against the database (units, ranks) and across rows
    (duplicates, line managers, the tree's root), on top of the cleaning."""
    problems = list(cleaned.problems)
    ok = list(cleaned.ok)
    values, lines = cleaned.values, cleaned.lines

    def fail(index: int, column: str, value: str, reason: str) -> None:
        problems.append(Problem(lines[index], column, value, reason))
        ok[index] = False

    unit_cache: dict[str, _UnitPath] = {}
    for path in set(values["unit_path"]):
        if path:
            unit_cache[path] = _parse_unit_path(path, lookups)
    unit_keys = [unit_cache[p].key if p else "" for p in values["unit_path"]]
    for i in [i for i, p in enumerate(values["unit_path"]) if p and unit_cache[p].error]:
        path = values["unit_path"][i]
        fail(i, "unit_path", path, unit_cache[path].error)

    ranks = lookups.ranks
    rank_texts = values["rank_or_grade"]
    rank_ids = [ranks.get(t.lower()) if t else None for t in rank_texts]
    for i in [i for i, t in enumerate(rank_texts) if t and rank_ids[i] is None]:
        fail(i, "rank_or_grade", rank_texts[i], "Unknown rank or grade: use a name or code from the ranks and grades list")

    rows = list(
        map(
            _Row, lines, values["staff_number"], values["first_name"], values["last_name"], values["email"], unit_keys, values["unit_path"],
            values["role"], rank_ids, values["location"], values["shift_pattern"], values["line_manager_staff_number"],
            cleaned.starts, cleaned.leaves, cleaned.absents, ok,
        )
    )
    units_by_key = {p.key: p for p in unit_cache.values() if p.key}
    plan = _Plan(cleaned, columns, rows, problems, units_by_key, lookups, today)
    _check_root(plan)
    _check_line_managers(plan, _check_duplicates(plan))
    order = {c: i for i, c in enumerate(ALL_COLUMNS)}
    problems.sort(key=lambda p: (p.row, order.get(p.column, -1)))
    return plan


_EMAIL_USER = re.compile(EmailValidator.user_regex.pattern, EmailValidator.user_regex.flags)


def _email_valid(email: str, checked: dict[str, bool]) -> bool:
    """Django's e-mail check, with each domain's verdict remembered: a force's
    45,000 addresses share a handful of domains, and the domain check is the
    slow half."""
    user, sep, domain = email.rpartition("@")
    if not sep or not user or not _EMAIL_USER.match(user):
        return False
    verdict = checked.get(domain)
    if verdict is None:
        try:
            validate_email(f"a@{domain}")
            verdict = True
        except ValidationError:
            verdict = False
        checked[domain] = verdict
    return verdict


def _parse_unit_path(raw: str, lookups: _Lookups) -> _UnitPath:
    """A unit path's names from the top down, using the spelling of units
    that already exist so a difference in case does not make a twin."""
    names = [" ".join(part.split()) for part in raw.split(PATH_SEPARATOR.strip())]
    if any(not name for name in names):
        return _UnitPath("", "", [], "Unit path has an empty unit name (check for a doubled or trailing ' > ')")
    if len(names) > MAX_UNIT_DEPTH:
        return _UnitPath("", "", [], f"Unit path is {len(names)} levels deep: at most {MAX_UNIT_DEPTH} are allowed")
    if any(len(name) > MAX_UNIT_NAME for name in names):
        return _UnitPath("", "", [], f"A unit name in the path is longer than {MAX_UNIT_NAME} characters")
    spelled: list[str] = []
    for depth in range(1, len(names) + 1):
        key = PATH_SEPARATOR.join(names[:depth]).lower()
        existing = lookups.units.get(key)
        spelled = existing[1].split(PATH_SEPARATOR) if existing else [*spelled, names[depth - 1]]
    path = PATH_SEPARATOR.join(spelled)
    if len(path) > _MAX_FULL_PATH:
        return _UnitPath("", "", [], f"Unit path is longer than {_MAX_FULL_PATH} characters")
    if lookups.roots and names[0].lower() not in lookups.roots:
        root = next(iter(lookups.roots.values()))
        return _UnitPath("", "", [], f"The top-level unit must be '{root}', the top of the existing tree")
    return _UnitPath(path.lower(), path, spelled)


def _check_root(plan: _Plan) -> None:
    """With no tree yet, the file's most common top-level name becomes the
    root; rows under any other top-level name would start a second tree."""
    if plan.lookups.roots:
        return
    tops: Counter[str] = Counter(row.unit_key.split(PATH_SEPARATOR, 1)[0] for row in plan.rows if row.unit_key)
    if len(tops) <= 1:
        return
    root = tops.most_common(1)[0][0]
    root_name = next(p.names[0] for p in plan.units_by_key.values() if p.names[0].lower() == root)
    for row in plan.rows:
        if row.unit_key and row.unit_key.split(PATH_SEPARATOR, 1)[0] != root:
            reason = f"The top-level unit must be '{root_name}': the file names more than one top-level unit"
            plan.problems.append(Problem(row.line, "unit_path", row.unit_text, reason))
            row.ok = False


def _check_duplicates(plan: _Plan) -> set[str]:
    """Every row of a staff number that appears more than once is an error:
    which of them is right is for HR to say. Returns the repeated numbers."""
    counts = Counter(row.number for row in plan.rows)
    repeated = {number for number, n in counts.items() if n > 1 and number}
    if not repeated:
        return repeated
    lines: defaultdict[str, list[int]] = defaultdict(list)
    for row in plan.rows:
        if row.number in repeated:
            lines[row.number].append(row.line)
            row.ok = False
    for number, found in lines.items():
        for line in found:
            others = ", ".join(str(n) for n in found if n != line)
            plan.problems.append(Problem(line, "staff_number", number, f"Duplicate staff number: also on row {others}"))
    return repeated


def _check_line_managers(plan: _Plan, repeated: set[str]) -> None:
    """A line manager must be in the file or already in the database. If
    their own row has errors it will not be imported, so the people they
    manage are errors too, down the chain."""
    in_file = {row.number: row for row in plan.rows if row.number}
    existing = plan.lookups.staff
    reports: defaultdict[str, list[_Row]] = defaultdict(list)
    add = plan.problems.append
    for row in plan.rows:
        manager = row.manager
        if not manager:
            continue
        if manager == row.number:
            add(Problem(row.line, "line_manager_staff_number", manager, "A person cannot be their own line manager"))
            row.ok = False
        elif manager in in_file:
            reports[manager].append(row)
        elif manager not in existing:
            add(Problem(row.line, "line_manager_staff_number", manager, "Line manager not found in the file or in the database"))
            row.ok = False
    # Spread errors from invalid managers to their reports, breadth first.
    queue = deque(number for number in reports if number in repeated or not in_file[number].ok)
    seen = set(queue)
    while queue:
        manager = queue.popleft()
        where = "more than one row" if manager in repeated else f"row {in_file[manager].line}"
        for row in reports[manager]:
            add(Problem(row.line, "line_manager_staff_number", manager, f"Line manager's own row has errors, so it will not be imported ({where})"))
            if row.ok:
                row.ok = False
                if row.number in reports and row.number not in seen:
                    seen.add(row.number)
                    queue.append(row.number)


def _classify(plan: _Plan) -> None:
    """Sort valid rows into create / update / unchanged and find leavers."""
    lookups = plan.lookups
    staff = lookups.staff
    number_by_id = lookups.number_by_id
    unit_by_id = lookups.unit_path_by_id
    present = {row.number for row in plan.rows if row.number}
    names = STAFF_FIELDS
    # A file without the absence column says nothing about absences: keep them.
    keep_absence = "absent_until" not in plan.columns.indexes
    for row in plan.rows:
        if not row.ok:
            continue
        if row.unit_key not in lookups.units:
            plan.new_units.add(row.unit_key)
        current = staff.get(row.number)
        if current is None:
            plan.create.append(row)
            continue
        before = (
            current[2], current[3], current[4], unit_by_id.get(current[5]), current[6], current[7], current[8], current[9],
            number_by_id.get(current[10], "") if current[10] else "", current[11], current[12], current[13], current[14],
        )
        if keep_absence:
            row.absent = current[14]
        after = (row.first_name, row.last_name, row.email, row.unit_key, row.role, row.rank_id, row.location, row.shift,
                 row.manager, row.start, row.leave, False, row.absent)
        if before == after:
            plan.unchanged += 1
        else:
            changed = tuple(name for name, old, new in zip(names, before, after, strict=True) if old != new)
            plan.update.append((row, current, changed))
    for number, current in staff.items():
        if number not in present and not current[13]:
            plan.leavers.append(current)


def _problems_for_missing(columns: ColumnMap) -> list[Problem]:
    return [Problem(1, column, "", "Required column is missing from the header row") for column in columns.missing]


def _report(plan: _Plan | None, cleaned: _Cleaned, columns: ColumnMap, skip_invalid: bool) -> ImportReport:
    report = ImportReport(
        rows=len(cleaned.lines),
        headers=list(cleaned.headers),
        mapping=columns.mapping,
        missing_columns=list(columns.missing),
        file_description=cleaned.description,
        skip_invalid=skip_invalid,
    )
    if columns.ignored:
        report.warnings.append("These columns are not used and will be ignored: " + ", ".join(columns.ignored) + ".")
    if columns.source == "saved":
        report.warnings.append("The columns were matched using the mapping saved the last time a file with these headers was imported.")
    if plan is None:
        report.problems = _problems_for_missing(columns)
        report.invalid = report.rows
        return report
    report.problems = plan.problems
    report.valid = plan.valid_rows
    report.invalid = report.rows - report.valid
    report.created = len(plan.create)
    report.updated = len(plan.update)
    report.unchanged = plan.unchanged
    report.leavers = len(plan.leavers)
    report.units_created = len(_units_to_create(plan))
    return report


def _units_to_create(plan: _Plan) -> list[str]:
    """Every missing unit the valid rows need, ancestors included, parents first."""
    needed: set[str] = set()
    for key in plan.new_units:
        names = plan.units_by_key[key].names
        for depth in range(1, len(names) + 1):
            sub = PATH_SEPARATOR.join(names[:depth]).lower()
            if sub not in plan.lookups.units:
                needed.add(sub)
    return sorted(needed, key=lambda k: (k.count(PATH_SEPARATOR), k))


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


def _load(data: bytes, filename: str, mapping: Mapping[str, str] | None, *, keep: bool) -> tuple[_Cleaned, ColumnMap]:
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
    sheet = read_sheet(data, filename)
    _check_mapping(sheet.headers, mapping)
    columns = resolve_columns(sheet.headers, mapping)
    cleaned = _clean(sheet, columns)
    _last_cleaned = (key, time.monotonic(), cleaned) if keep and len(data) <= REUSE_MAX_BYTES else None
    return cleaned, columns


def _analyse(cleaned: _Cleaned, columns: ColumnMap, skip_invalid: bool) -> tuple[_Plan | None, ImportReport]:
    if columns.missing:
        return None, _report(None, cleaned, columns, skip_invalid)
    plan = _check_rows(cleaned, columns, _Lookups(), timezone.localdate())
    _classify(plan)
    return plan, _report(plan, cleaned, columns, skip_invalid)


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


def preview(data: bytes, filename: str = "", *, mapping: Mapping[str, str] | None = None, skip_invalid: bool = False) -> ImportReport:
    """Check the file against the database and say what a commit would do.
    Writes nothing."""
    with _cyclic_gc_paused():
        cleaned, columns = _load(data, filename, mapping, keep=True)
        return _analyse(cleaned, columns, skip_invalid)[1]


def commit(
    data: bytes,
    filename: str = "",
    *,
    actor: Any,
    mapping: Mapping[str, str] | None = None,
    skip_invalid: bool = False,
    import_id: str = "",
) -> ImportReport:
    """Check the file again against the current database and write it, all
    or nothing. Raises ImportRefused (having written nothing) when the file
    has errors and `skip_invalid` is false, or nothing in it is importable."""
    global _last_cleaned
    with _cyclic_gc_paused():
        cleaned, columns = _load(data, filename, mapping, keep=False)
        _last_cleaned = None
        report = _commit(cleaned, columns, actor=actor, skip_invalid=skip_invalid, import_id=import_id)
    # Counts only: never names, numbers or cell values.
    logger.info("Staff import committed: %s", report.counts())
    return report


def _commit(cleaned: _Cleaned, columns: ColumnMap, *, actor: Any, skip_invalid: bool, import_id: str) -> ImportReport:
    with transaction.atomic():
        plan, report = _analyse(cleaned, columns, skip_invalid)
        if plan is None or report.refused:
            raise ImportRefused(report)
        with sqlite_page_cache(131072):  # up to 128 MB: a dozen indexes on staff and audit
            _apply(plan, actor=actor)
        if columns.source == "chosen":
            save_mapping(cleaned.headers, columns.mapping)
        report.committed = True
        if report.changed:
            # Other apps derive figures from staff (reach, load); they refresh on commit.
            staff_changed.send(sender=Staff, created=report.created, updated=report.updated, leavers=report.leavers)
        if report.changed or report.units_created:
            # An import that changes nothing leaves no trace in the audit trail.
            summary = audit.build(
                actor=actor,
                action="import",
                object_type="organisation.staffimport",
                object_id=import_id,
                object_repr=f"Staff import ({cleaned.file_format.upper()})",
                after={**report.counts(), "skip_invalid": skip_invalid, "problems": len(report.problems)},
            )
            audit.record_many([summary])
    return report


def run_import(
    data: bytes,
    filename: str = "",
    *,
    actor: Any,
    mapping: Mapping[str, str] | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """The command's entry point: a preview when `dry_run`, else a commit.
    A dry run raises ImportRefused when the real run would be refused."""
    if not dry_run:
        return commit(data, filename, actor=actor, mapping=mapping, skip_invalid=skip_invalid)
    report = preview(data, filename, mapping=mapping, skip_invalid=skip_invalid)
    if report.refused:
        raise ImportRefused(report)
    return report


def _create_units(plan: _Plan, actor: Any) -> dict[str, int]:
    """Unit ids by lower-cased full path, creating the missing units.

    This does in bulk what `unit_create` does one unit at a time: the same
    materialised paths treebeard's `add_child` would give (next free step
    under each parent), the same codes, levels and full paths, one audit
    row per unit. A first import creates ~700 units, and one `unit_create`
    each (about ten queries, with savepoints) was nearly half the commit
    time, see docs/performance.md."""
    ids = {key: pk for key, (pk, _) in plan.lookups.units.items()}
    missing = _units_to_create(plan)  # parents first
    if not missing:
        return ids
    # Lock the existing units so a concurrent import cannot take the same
    # paths (SQLite's immediate transactions already serialise writers).
    existing = list(Unit.objects.select_for_update().values_list("pk", "path", "full_path"))
    last_step: dict[str, str] = {}
    path_of: dict[str, str] = {}
    full_path_of: dict[str, str] = {}
    pk_of_path: dict[str, int] = {}
    step = Unit.steplen
    for pk, path, full_path in existing:
        parent = path[:-step]
        if path[-step:] > last_step.get(parent, ""):
            last_step[parent] = path[-step:]
        path_of[full_path.lower()] = path
        full_path_of[full_path.lower()] = full_path
        pk_of_path[path] = pk
    names_of: dict[str, list[str]] = {}
    for parsed in plan.units_by_key.values():
        for depth in range(1, len(parsed.names) + 1):
            names_of.setdefault(PATH_SEPARATOR.join(parsed.names[:depth]).lower(), parsed.names[:depth])

    new_units: list[Unit] = []
    added_children: Counter[str] = Counter()
    for key in missing:
        names = names_of[key]
        depth = len(names)
        parent_key = PATH_SEPARATOR.join(names[:-1]).lower()
        parent_path = path_of[parent_key] if depth > 1 else ""
        position = Unit._str2int(last_step[parent_path]) + 1 if parent_path in last_step else 1
        path = Unit._get_path(parent_path, depth, position)
        if len(path) != depth * step:
            raise ImportFileError("The unit tree has no room for another unit under one of the file's units.")
        last_step[parent_path] = path[-step:]
        path_of[key] = path
        name = names[-1]
        full_path = f"{full_path_of[parent_key]}{PATH_SEPARATOR}{name}" if depth > 1 else name
        full_path_of[key] = full_path
        added_children[parent_path] += 1
        new_units.append(Unit(path=path, depth=depth, numchild=0, name=name, full_path=full_path, level=level_for_depth(depth), code=unit_code_for_path(path)))
    for unit in new_units:
        unit.numchild = added_children.get(unit.path, 0)
    Unit.objects.bulk_create(new_units, batch_size=BATCH_SIZE)
    for parent_path, count in added_children.items():
        if parent_path in pk_of_path:
            Unit.objects.filter(pk=pk_of_path[parent_path]).update(numchild=F("numchild") + count)
    if new_units and new_units[0].pk is None:
        found = dict(Unit.objects.filter(path__in=[u.path for u in new_units]).values_list("path", "pk"))
        for unit in new_units:
            unit.pk = found[unit.path]
    audit.record_many([audit.build(actor=actor, action="create", obj=unit, after=audit.snapshot(unit)) for unit in new_units])
    for key, unit in zip(missing, new_units, strict=True):
        ids[key] = unit.pk
    return ids


def _apply(plan: _Plan, *, actor: Any) -> None:
    """Write the plan. New people and all audit rows go in with
    `executemany` of plain tuples rather than `bulk_create`: at 45,000 rows
    Django's insert compiler (per-value preparation of model instances) was
    most of the commit time, see docs/performance.md. Updates, which are few
    in a normal sync, go through `bulk_update`."""
    unit_ids = _create_units(plan, actor)
    staff_ids: dict[str, int] = {number: row[0] for number, row in plan.lookups.staff.items()}
    auditor = _AuditRows(actor)

    _insert_new_staff(plan.create, unit_ids, staff_ids, auditor)

    # Changed people, grouped by which fields changed so each UPDATE sets only those.
    groups: defaultdict[tuple[str, ...], list[Staff]] = defaultdict(list)
    for row, current, changed in plan.update:
        after = Staff(
            pk=current[0], staff_number=row.number, first_name=row.first_name, last_name=row.last_name, email=row.email,
            unit_id=unit_ids[row.unit_key], role=row.role, rank_grade_id=row.rank_id, location=row.location,
            shift_pattern=row.shift, line_manager_id=staff_ids[row.manager] if row.manager else None,
            start_date=row.start, leave_date=row.leave, is_leaver=False, absent_until=row.absent,
        )
        groups[changed].append(after)
        auditor.update(current, after)
    for changed, people in groups.items():
        Staff.objects.bulk_update(people, list(changed), batch_size=BATCH_SIZE)

    # Leavers: marked, never deleted; the leave date is today unless HR gave one.
    today = plan.today
    leave_index = _FIELD_INDEX["leave_date"]
    undated = [current[0] for current in plan.leavers if current[leave_index] is None]
    dated = [current[0] for current in plan.leavers if current[leave_index] is not None]
    for start in range(0, len(undated), BATCH_SIZE):
        Staff.objects.filter(pk__in=undated[start : start + BATCH_SIZE]).update(is_leaver=True, leave_date=today)
    for start in range(0, len(dated), BATCH_SIZE):
        Staff.objects.filter(pk__in=dated[start : start + BATCH_SIZE]).update(is_leaver=True)
    for current in plan.leavers:
        after = _staff_from_values(current)
        after.is_leaver = True
        after.leave_date = after.leave_date or today
        auditor.update(current, after)

    auditor.write()


_STAFF_INSERT = ("staff_number", "first_name", "last_name", "email", "unit", "role", "rank_grade", "location", "shift_pattern",
                 "start_date", "leave_date", "is_leaver", "line_manager", "absent_until")
_LATE = 1 << 30  # manager depth of people in a management loop


def _manager_depths(rows: list[_Row]) -> dict[str, int]:
    """For each new person, how many new people are above them in the
    management chain (0: their manager is already known or they have none);
    _LATE for anyone in, or under, a loop of new people. Linear time."""
    new = {r.number: r for r in rows}
    depth: dict[str, int] = {}
    for row in rows:
        chain: list[str] = []
        on_chain: set[str] = set()
        number: str | None = row.number
        base = -1
        while number is not None and number not in depth:
            if number in on_chain:
                base = _LATE
                break
            chain.append(number)
            on_chain.add(number)
            manager = new[number].manager
            number = manager if manager in new else None
        else:
            if number is not None:
                base = depth[number]
        for number in reversed(chain):
            base = _LATE if base == _LATE else base + 1
            depth[number] = base
    return depth


def _insert_new_staff(rows: list[_Row], unit_ids: dict[str, int], staff_ids: dict[str, int], auditor: _AuditRows) -> None:
    """Insert new people tier by tier down the management chain: each
    tier's line managers already have ids when it goes in, so a normal
    chain needs no second pass however the file is ordered. People in a
    management loop (or below MAX_MANAGER_TIERS of new managers) go in
    without one and get it in a second pass once everyone has an id."""
    if not rows:
        return
    depths = _manager_depths(rows)
    tiers: defaultdict[int, list[_Row]] = defaultdict(list)
    for row in rows:
        depth = depths[row.number]
        tiers[depth if depth < MAX_MANAGER_TIERS else _LATE].append(row)
    date = connection.ops.adapt_datefield_value
    for depth in sorted(tiers):
        tier = tiers[depth]
        late = depth == _LATE
        values = [
            (r.number, r.first_name, r.last_name, r.email, unit_ids[r.unit_key], r.role, r.rank_id, r.location, r.shift,
             date(r.start), date(r.leave), False, staff_ids[r.manager] if r.manager and not late else None, date(r.absent))
            for r in tier
        ]
        _insert_rows(Staff, _STAFF_INSERT, values)
        _note_ids(tier, staff_ids)
        if late:
            people = [Staff(pk=staff_ids[r.number], line_manager_id=staff_ids[r.manager]) for r in tier]
            Staff.objects.bulk_update(people, ["line_manager"], batch_size=BATCH_SIZE)
    for row in rows:
        auditor.create(staff_ids[row.number], row, unit_ids[row.unit_key], staff_ids[row.manager] if row.manager else None)


def _note_ids(rows: list[_Row], staff_ids: dict[str, int]) -> None:
    """The ids the database gave rows just inserted (executemany returns none)."""
    numbers = [r.number for r in rows]
    if len(numbers) > 5000:
        staff_ids.update(Staff.objects.values_list("staff_number", "pk"))
        return
    step = min(BATCH_SIZE, connection.features.max_query_params or BATCH_SIZE)
    for start in range(0, len(numbers), step):
        staff_ids.update(Staff.objects.filter(staff_number__in=numbers[start : start + step]).values_list("staff_number", "pk"))


def _insert_rows(model: type[Model], field_names: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """INSERT plain, already adapted values with executemany, in batches."""
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in field_names)
    placeholders = ", ".join(["%s"] * len(field_names))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608  (names from the model)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_SIZE):
            cursor.executemany(sql, rows[start : start + BATCH_SIZE])


_AUDIT_INSERT = ("timestamp", "actor", "actor_name", "request_id", "action", "object_type", "object_id", "object_repr", "before", "after")


class _AuditRows:
    """Audit rows for many people at once. The actor, request id and time
    come from `audit.build`, so they match what `audit.record` writes;
    snapshots have exactly the keys `audit.snapshot` gives a Staff."""

    def __init__(self, actor: Any) -> None:
        template = audit.build(actor=actor, action="create", object_type=audit.object_label(Staff))
        self.head = (
            AuditEntry._meta.get_field("timestamp").get_db_prep_save(timezone.now(), connection),
            template.actor_id,
            template.actor_name,
            template.request_id,
        )
        self.object_type = template.object_type
        # What JSONField.get_db_prep_save does, without its per-call checks.
        self.json = partial(connection.ops.adapt_json_value, encoder=AuditEntry._meta.get_field("after").encoder)
        self.rows: list[tuple[Any, ...]] = []

    def create(self, pk: int, row: _Row, unit_id: int, manager_id: int | None) -> None:
        after = {
            "id": pk, "staff_number": row.number, "first_name": row.first_name, "last_name": row.last_name, "email": row.email,
            "unit": unit_id, "role": row.role, "rank_grade": row.rank_id, "location": row.location, "shift_pattern": row.shift,
            "line_manager": manager_id, "start_date": row.start.isoformat() if row.start else None,
            "leave_date": row.leave.isoformat() if row.leave else None, "is_leaver": False,
            "absent_until": row.absent.isoformat() if row.absent else None,
        }
        label = f"{row.first_name} {row.last_name} ({row.number})"[:200]
        self.rows.append((*self.head, "create", self.object_type, str(pk), label, None, self.json(after)))

    def update(self, current: tuple[Any, ...], after: Staff) -> None:
        before = audit.snapshot(_staff_from_values(current))
        self.rows.append(
            (*self.head, "update", self.object_type, str(after.pk), str(after)[:200], self.json(before),
             self.json(audit.snapshot(after)))
        )

    def write(self) -> None:
        _insert_rows(AuditEntry, _AUDIT_INSERT, self.rows)


def _staff_from_values(values: tuple[Any, ...]) -> Staff:
    """A Staff instance (unsaved, for snapshots and bulk updates) from a
    `_Lookups.staff` tuple."""
    kwargs = {f.attname: values[i + 2] for i, f in enumerate(_STAFF_MODEL_FIELDS)}
    return Staff(pk=values[0], staff_number=values[1], **kwargs)


# --------------------------------------------------------------------------
# Pending uploads and reports


def staff_import_stage(*, data: bytes, filename: str, actor: Any) -> PendingUpload:
    """Keep an HR file until its uploader has checked the preview and the
    column mapping (`core.uploads.stage`)."""
    return uploads.stage(kind=PendingUpload.Kind.STAFF, data=data, filename=filename, actor=actor)


def staff_import_commit(*, pending: PendingUpload, actor: Any, skip_invalid: bool) -> ImportReport:
    """Import a staged HR file with the mapping chosen for it, once and
    only for its uploader (`core.uploads.commit`)."""

    def write(upload: PendingUpload) -> ImportReport:
        return commit(
            bytes(upload.content), upload.original_filename, actor=actor, mapping=upload.mapping or None,
            skip_invalid=skip_invalid, import_id=str(upload.token),
        )

    return uploads.commit(upload=pending, actor=actor, write=write)




def sample_rows() -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """Every import column and the sample people, one of them on long leave."""
    return ALL_COLUMNS, [(*row, SAMPLE_ABSENCES.get(row[0], "")) for row in SAMPLE_ROWS]


def sample_csv() -> str:
    """The sample file offered on the upload page (also docs/sample-staff.csv)."""
    headers, rows = sample_rows()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue()
