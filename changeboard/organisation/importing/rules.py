"""The staff import's row rules: every cell cleaned and checked without
the database (`_clean`, reusable between a preview and its commit), then
against it and across rows (`_check_rows`: units, ranks, duplicates, line
managers, the tree's root), then sorted into people to create, update,
leave unchanged or mark as leavers (`_classify`)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, validate_email
from django.db.models import Field

from changeboard.core.tabular import (
    Problem,
    Sheet,
    parse_date,
)

from ..models import PATH_SEPARATOR, RankGrade, Staff, Unit
from .columns import _LIMITS, _MAX_FULL_PATH, ALL_COLUMNS, MAX_UNIT_DEPTH, MAX_UNIT_NAME, REQUIRED_COLUMNS, STAFF_FIELDS, ColumnMap

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


_STAFF_MODEL_FIELDS = [cast(Field, Staff._meta.get_field(name)) for name in STAFF_FIELDS]  # concrete fields
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
    # Of the people a full import would mark as leavers, those still in post;
    # and everyone in post now (the base of the confirmation threshold).
    would_leave: int = 0
    in_post: int = 0

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


def _classify(plan: _Plan, *, add_update_only: bool = False) -> None:
    """Sort valid rows into create / update / unchanged and find leavers
    (none in add and update only mode). People already marked as leavers,
    or whose leave date has passed, are not counted in `would_leave`."""
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
    today = plan.today
    leave_at, leaver_at = _FIELD_INDEX["leave_date"], _FIELD_INDEX["is_leaver"]
    for number, current in staff.items():
        if current[leaver_at]:
            continue  # already a leaver
        in_post = current[leave_at] is None or current[leave_at] > today
        plan.in_post += in_post
        if number not in present:
            plan.would_leave += in_post
            if not add_update_only:
                plan.leavers.append(current)


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

