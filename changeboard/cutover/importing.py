"""A runbook's tasks imported from a spreadsheet (CSV or XLSX) or an MS
Project XML file: `core.importing.Importer` subclasses holding only the
columns and the row rules; the pages are `views.transfer`, the write is
`services.transfer.runbook_import_tasks`.

Columns (the same as the export, so an exported runbook imports unchanged):

    id, title, stream, sub-stream, type, duration, predecessors, owner,
    not before, due by, description, rollback point, outline level,
    message subject, message

`id`, `title` and `duration` are required. A duration is minutes ("90"),
or hours and minutes ("2h", "1h30", "1h 30m", "90m"). Predecessors are
written as `scheduling.parse_predecessors` reads them ("T-010, T-020SS+15").
An owner is the username or email of an active user, or a team's name. Times
are Europe/London, "YYYY-MM-DD HH:MM" (or "DD/MM/YYYY HH:MM"), optionally
followed by GMT or BST, which is needed only for the hour the clocks go
back (that hour happens twice); the export writes the zone.

The import upserts by ID (`services.transfer`): the preview says which
tasks would be added, updated and removed. A runbook is a network, so a
file with any error is refused whole (there is no "valid rows only"). Past
the row rules the file is scheduled as a whole, so a loop across rows or a
due time the predecessors make impossible is reported against the rows it
names.

An MS Project file (`mspdi`) is read into the same rows: summary tasks are
not imported as tasks (MS Project works their dates out from the tasks
under them); each task keeps its outline level, takes the nearest summary
task's name as its sub-stream (unless the file has our sub-stream field),
and a link to or from a summary task becomes links to or from the tasks
under it where that means the same thing (finish-to-start or
finish-to-finish from a summary, finish-to-start or start-to-start into
one); any other link on a summary task is reported. A task's ID is our
"Cutover ID" field when the file has it (a runbook exported from here),
otherwise MS Project's ID. A resource that is no user or team leaves the
task without an owner, and the preview says so.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.functions import Lower

from changeboard.accounts.models import User
from changeboard.core import uploads
from changeboard.core.importing import Importer, ImportRefusedBase, ImportReportBase, Problem, Sheet, csv_text
from changeboard.core.models import PendingUpload
from changeboard.core.tabular import ImportFileError

from . import mspdi
from .models import RUNBOOK_TZ, Runbook, Task, Team
from .scheduling import Link, Node, ScheduleError, format_predecessors, parse_predecessors, schedule
from .services.runbooks import minutes_from
from .services.transfer import ImportedTask, refuse_unless_importable, runbook_import_tasks

MAX_TASKS = mspdi.MAX_TASKS
MAX_DURATION = 14 * 24 * 60  # two weeks, in minutes
MAX_OUTLINE = 20
PREVIEW_TASKS = 100

COLUMNS: tuple[str, ...] = ("id", "title", "stream", "sub_stream", "type", "duration", "predecessors", "owner", "not_before", "due_by",
                            "description", "rollback_point", "outline_level", "message_subject", "message_body")
REQUIRED: tuple[str, ...] = ("id", "title", "duration")
HEADERS: tuple[str, ...] = ("ID", "Title", "Stream", "Sub-stream", "Type", "Duration", "Predecessors", "Owner", "Not before", "Due by",
                            "Description", "Rollback point", "Outline level", "Message subject", "Message")
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("ref", "task_id"), "type": ("kind", "task_type"), "duration": ("duration_minutes", "duration_(minutes)"),
    "outline_level": ("outline",), "message_body": ("message",), "title": ("name", "task"),
}
COLUMN_HELP: tuple[tuple[str, str, str], ...] = (
    ("id", "The task's ID shown to people, e.g. T-010: unique in the file, at most 20 characters, no spaces", "Yes"),
    ("title", "What is done, at most 200 characters", "Yes"),
    ("stream", "e.g. Business, Technology, Comms, Support (Business if empty)", "No"),
    ("sub-stream", "A finer grouping within the stream", "No"),
    ("type", "normal, milestone, decision (go/no-go), validation or communication (normal if empty)", "No"),
    ("duration", "Minutes (90), or hours and minutes (2h, 1h30, 1h 30m, 90m); 0 or empty for a milestone", "Yes"),
    ("predecessors", "Task IDs this one waits on, each with an optional link type and lag in minutes: T-010, T-020SS+15, T-030FF-10", "No"),
    ("owner", "The username or email of an active user, or the name of a team", "No"),
    ("not before", "The fixed start, Europe/London: YYYY-MM-DD HH:MM (add GMT or BST in the hour the clocks go back)", "No"),
    ("due by", "When the task must finish, Europe/London, as for not before", "No"),
    ("description", "More about the task", "No"),
    ("rollback point", "yes for the milestone that is the last moment to roll back; no or empty otherwise", "No"),
    ("outline level", "Indent level, 1 at the top (as in MS Project); 1 if empty", "No"),
    ("message subject", "Communication tasks: the subject of the email (the title if empty)", "No"),
    ("message", "Communication tasks: the text of the email", "No"),
)

KIND_NAMES = {
    "normal": Task.Kind.NORMAL, "task": Task.Kind.NORMAL, "milestone": Task.Kind.MILESTONE, "decision": Task.Kind.DECISION,
    "go/no-go": Task.Kind.DECISION, "go/no-go decision": Task.Kind.DECISION, "go/no-go decision point": Task.Kind.DECISION,
    "validation": Task.Kind.VALIDATION, "validation (pass/fail)": Task.Kind.VALIDATION, "communication": Task.Kind.COMMUNICATION,
    "comms": Task.Kind.COMMUNICATION,
}
YES, NO = {"yes", "y", "true", "1"}, {"no", "n", "false", "0", ""}
FORMULA_GUARDED = re.compile(r"^'[=+\-@]")
FIELD_OF = {"title": "title", "stream": "stream", "sub_stream": "sub_stream", "description": "description",
            "message_subject": "message_subject", "message_body": "message_body"}
LIMITS = {"title": 200, "stream": 60, "sub_stream": 60, "message_subject": 200}


class TaskImportRefused(ImportRefusedBase):
    report: TaskImportReport


# Cells ------------------------------------------------------------------------------------------------------------------


_DURATION = re.compile(r"^(?:(?P<h>\d{1,4})\s*h(?:ours?|rs?)?)?\s*(?:(?P<m>\d{1,6})\s*(?:m|mins?|minutes?)?)?$", re.IGNORECASE | re.ASCII)


def parse_duration(text: str) -> tuple[int | None, str]:
    """"90", "90m", "2h", "1h30", "1h 30m" -> minutes, or the reason it is not a duration."""
    match = _DURATION.match(text.strip())
    if not text.strip() or match is None or (match["h"] is None and match["m"] is None):
        return None, "Not a duration: write minutes (90) or hours and minutes (1h30, 2h, 90m)"
    minutes = int(match["h"] or 0) * 60 + int(match["m"] or 0)
    if minutes > MAX_DURATION:
        return None, f"Too long: a task takes at most {MAX_DURATION // 60 // 24} days ({MAX_DURATION} minutes)"
    return minutes, ""


_WHEN = re.compile(
    r"^(?:(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})|(?P<d2>\d{1,2})/(?P<mo2>\d{1,2})/(?P<y2>\d{4}))[ T]+"
    r"(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?\s*(?P<zone>GMT|BST|UTC|Z)?$", re.IGNORECASE | re.ASCII)


def parse_when(text: str) -> tuple[dt.datetime | None, str]:
    """A Europe/London local time (optionally with GMT/BST, or UTC) -> an aware datetime, or the reason it is not one."""
    match = _WHEN.match(text.strip())
    if match is None:
        return None, "Not a date and time: write YYYY-MM-DD HH:MM, Europe/London time"
    year, month, day = (int(match["y"]), int(match["mo"]), int(match["d"])) if match["y"] else (int(match["y2"]), int(match["mo2"]), int(match["d2"]))
    try:
        naive = dt.datetime(year, month, day, int(match["h"]), int(match["mi"]), int(match["s"] or 0))
    except ValueError:
        return None, "Not a real date and time: there is no such day or time"
    zone = (match["zone"] or "").upper()
    if zone in {"UTC", "Z"}:
        return naive.replace(tzinfo=dt.UTC), ""
    first, second = naive.replace(tzinfo=RUNBOOK_TZ, fold=0), naive.replace(tzinfo=RUNBOOK_TZ, fold=1)
    if first.astimezone(dt.UTC).astimezone(RUNBOOK_TZ).replace(tzinfo=None) != naive:
        return None, "No such time in Europe/London: the clocks go forward an hour then"
    if first.utcoffset() != second.utcoffset():  # the hour the clocks go back happens twice
        chosen = {first.tzname(): first, second.tzname(): second}.get(zone)
        if chosen is None:
            return None, "This time happens twice in Europe/London (the clocks go back): add GMT or BST"
        return chosen, ""
    if zone and first.tzname() != zone:
        return None, f"Europe/London is on {first.tzname()} then, not {zone}"
    return first, ""


def when_text(moment: dt.datetime | None) -> str:
    """A stored time as the import reads it: Europe/London with its zone."""
    if moment is None:
        return ""
    local = moment.astimezone(RUNBOOK_TZ)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def local_naive_text(naive: dt.datetime) -> str:
    """An MS Project time (naive, Europe/London) as the import reads it; in
    the hour that happens twice, the first (BST)."""
    aware = naive.replace(tzinfo=RUNBOOK_TZ, fold=0)
    if aware.astimezone(dt.UTC).astimezone(RUNBOOK_TZ).replace(tzinfo=None) != naive:
        return f"{naive:%Y-%m-%d %H:%M}"  # no such time: the row check says so
    return f"{naive:%Y-%m-%d %H:%M} {aware.tzname()}"


def unguard(text: str) -> str:
    """A cell as written before the export guarded it against formulas."""
    return text[1:] if FORMULA_GUARDED.match(text) else text


# Rows -------------------------------------------------------------------------------------------------------------------


@dataclass
class TaskRow:
    row: int
    ref: str
    values: dict[str, Any]
    predecessors: list[tuple[str, str, int]] | None
    owner_label: str = ""
    change: str = "add"

    def cell(self, name: str) -> Any:
        return self.values.get(name)

    @property
    def kind_label(self) -> str:
        return Task.Kind(self.values.get("kind", Task.Kind.NORMAL)).label

    @property
    def predecessors_text(self) -> str:
        return format_predecessors(self.predecessors or [])

    @property
    def not_before_text(self) -> str:
        return when_text(self.values.get("not_before"))

    @property
    def due_by_text(self) -> str:
        return when_text(self.values.get("due_by"))


@dataclass
class TaskImportReport(ImportReportBase):
    """What a preview found or a commit did: tasks added, updated and
    removed (by ID), links, and the runbook's finish as the file plans it."""

    valid_label: ClassVar[str] = "Valid tasks"
    warning_head: ClassVar[str] = "This file has errors"

    updated: int = 0
    links: int = 0
    removed: list[str] = field(default_factory=list)
    tasks: list[TaskRow] = field(default_factory=list)
    finish: dt.datetime | None = None
    notes: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"rows": self.rows, "valid": self.valid, "invalid": self.invalid, "created": self.created, "updated": self.updated,
                "removed": len(self.removed), "links": self.links}

    @property
    def finish_text(self) -> str:
        return when_text(self.finish)

    def summary(self) -> str:
        tail = f"{self.created} added, {self.updated} updated, {len(self.removed)} removed; {self.links} link{'s' if self.links != 1 else ''}"
        if self.committed:
            return f"Imported {self.valid} task{'s' if self.valid != 1 else ''}: {tail}."
        return f"Would import {self.valid} of {self.rows} task{'s' if self.rows != 1 else ''}: {tail}."

    def commit_warning(self) -> str:
        if self.unimportable:
            return super().commit_warning()
        if self.invalid:
            return "This file has errors. A runbook is a network of tasks, so nothing can be imported until they are corrected."
        if self.removed:
            return (f"{len(self.removed)} task{'s' if len(self.removed) != 1 else ''} of the runbook "
                    f"{'is' if len(self.removed) == 1 else 'are'} not in the file and will be removed: {', '.join(self.removed[:20])}"
                    f"{'…' if len(self.removed) > 20 else ''}.")
        return ""


# The importer -----------------------------------------------------------------------------------------------------------


class TaskImporter(Importer[TaskImportReport]):
    """A spreadsheet of tasks into a runbook (the target) in planning or rehearsal."""

    kind = PendingUpload.Kind.CUTOVER_TASKS
    label = "Runbook task import"
    report_class = TaskImportReport
    refused_error = TaskImportRefused
    target_model = Runbook
    columns = COLUMNS
    required = REQUIRED
    aliases = ALIASES
    # An owner that is no user or team: a problem (spreadsheets), or a note and no owner (MS Project resources).
    strict_owner: ClassVar[bool] = True
    target: Runbook

    def __init__(self, target: Any = None) -> None:
        super().__init__(target)
        self.filename = ""
        self.import_id = ""
        self.first_row: dict[str, int] = {}
        self.existing: dict[str, Task] = {}
        self.notes: list[str] = []
        self.present: set[str] = set()

    # Reading --------------------------------------------------------------------------------------------------------

    def map_columns(self, sheet: Sheet, report: TaskImportReport) -> dict[str, int]:
        columns = super().map_columns(sheet, report)
        self.present = set(columns)
        return columns

    def prepare(self, sheet: Sheet, columns: dict[str, int]) -> None:
        at = columns["id"]
        self.first_row = {}
        for number, cells in sheet.rows:
            ref = cells[at].strip() if at < len(cells) else ""
            if ref:
                self.first_row.setdefault(ref, number)
        self.existing = {task.ref: task for task in Task.objects.filter(runbook=self.target).only(
            "ref", "message_subject", "kind", "not_before", "due_by", "duration_minutes")}
        self.notes = []
        owners: set[str] = set()
        if "owner" in columns:
            at = columns["owner"]
            owners = {cells[at].strip().lower() for _, cells in sheet.rows if at < len(cells) and cells[at].strip()}
        self.users: dict[str, tuple[int, str]] = {}
        self.teams: dict[str, tuple[int, str]] = {}
        if owners:
            found = (User.objects.filter(is_active=True).annotate(u=Lower("username"), e=Lower("email"))
                     .filter(Q(u__in=owners) | Q(e__in=owners)).values_list("pk", "u", "e", "username"))
            for pk, username, email, shown in found:
                self.users.setdefault(username, (pk, shown))
                if email:
                    self.users.setdefault(email, (pk, shown))
            for pk, name in Team.objects.annotate(n=Lower("name")).filter(n__in=owners).values_list("pk", "name"):
                self.teams[name.lower()] = (pk, name)

    def analyse(self, loaded: Any, skip_invalid: bool) -> TaskImportReport:
        sheet: Sheet = loaded
        if len(sheet.rows) > MAX_TASKS:
            report = self.new_report(sheet, False)
            report.problems.append(Problem(sheet.rows[MAX_TASKS][0], "id", "",
                                           f"Too many rows: a runbook import takes at most {MAX_TASKS:,} tasks; this file has {len(sheet.rows):,}"))
            report.invalid = report.rows
            return report
        report = super().analyse(sheet, False)  # never "valid rows only": a runbook is a network
        report.notes = list(self.notes)
        if not report.missing_columns and report.tasks:
            self.check_network(report)
        return report

    def check_row(self, number: int, cell: dict[str, str]) -> tuple[TaskRow | None, list[Problem]]:
        problems: list[Problem] = []
        self._owner_label = ""

        def fail(column: str, value: str, reason: str) -> None:
            problems.append(Problem(number, column, value, reason))

        values: dict[str, Any] = {}
        ref = cell.get("id", "")
        if not ref:
            fail("id", "", "Missing ID: every task needs an ID, e.g. T-010")
        elif len(ref) > 20 or any(ch.isspace() for ch in ref) or not ref.isprintable():
            fail("id", ref, "Not an ID: at most 20 characters, no spaces")
        elif self.first_row.get(ref, number) != number:
            fail("id", ref, f"Duplicate ID: {ref} is also on row {self.first_row[ref]}")
        for column, name in FIELD_OF.items():
            if column in self.present:
                text = unguard(cell.get(column, ""))
                limit = LIMITS.get(column)
                if limit and len(text) > limit:
                    fail(column, text[:40], f"Too long: at most {limit} characters")
                values[name] = text
        if "title" in values and not values["title"]:
            fail("title", "", "Missing title: every task needs one")
        if "stream" in values and not values["stream"]:
            values["stream"] = "Business"
        kind = Task.Kind.NORMAL
        if "type" in self.present:
            text = cell.get("type", "")
            found = KIND_NAMES.get(text.lower()) if text else Task.Kind.NORMAL
            if found is None:
                fail("type", text, "Unknown type: use normal, milestone, decision, validation or communication")
            else:
                kind = Task.Kind(found)
            values["kind"] = kind
        elif ref in self.existing:
            kind = Task.Kind(self.existing[ref].kind)
        duration_text = cell.get("duration", "")
        if not duration_text and kind == Task.Kind.MILESTONE:
            values["duration_minutes"] = 0
        elif not duration_text:
            fail("duration", "", "Missing duration: write minutes (90) or hours and minutes (1h30)")
        else:
            minutes, reason = parse_duration(duration_text)
            if minutes is None:
                fail("duration", duration_text, reason)
            elif kind == Task.Kind.MILESTONE and minutes:
                fail("duration", duration_text, "A milestone takes no time: its duration is 0")
            else:
                values["duration_minutes"] = minutes
        predecessors: list[tuple[str, str, int]] | None = None
        if "predecessors" in self.present:
            text = cell.get("predecessors", "")
            try:
                predecessors = parse_predecessors(text, self.first_row)
            except ScheduleError as error:
                fail("predecessors", text, str(error).rstrip("."))
            else:
                unknown = [p for p, _, _ in predecessors if p not in self.first_row]
                if unknown:
                    fail("predecessors", text, f"Unknown predecessor: {', '.join(unknown)} is not an ID in the file")
                elif ref and any(p == ref for p, _, _ in predecessors):
                    fail("predecessors", text, f"A task cannot wait on itself ({ref})")
        if "owner" in self.present:
            self.check_owner(number, cell.get("owner", ""), values, fail)
        for column in ("not_before", "due_by"):
            if column in self.present:
                text = cell.get(column, "")
                values[column] = None
                if text:
                    moment, reason = parse_when(text)
                    if moment is None:
                        fail(column, text, reason)
                    values[column] = moment
        if "rollback_point" in self.present:
            text = cell.get("rollback_point", "").lower()
            if text not in YES | NO:
                fail("rollback_point", cell.get("rollback_point", ""), "Not yes or no")
            values["rollback_point"] = text in YES
            if text in YES and kind != Task.Kind.MILESTONE:
                fail("rollback_point", cell.get("rollback_point", ""), "Only a milestone can be a rollback point")
        if "outline_level" in self.present:
            text = cell.get("outline_level", "")
            if not text:
                values["outline_level"] = 1
            elif text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_OUTLINE:
                values["outline_level"] = int(text)
            else:
                fail("outline_level", text, f"Not an outline level: a whole number from 1 to {MAX_OUTLINE}")
        start, due = values.get("not_before"), values.get("due_by")
        if isinstance(start, dt.datetime) and isinstance(due, dt.datetime) and isinstance(values.get("duration_minutes"), int) \
                and start + dt.timedelta(minutes=values["duration_minutes"]) > due:
            fail("due_by", cell.get("due_by", ""), "Fixed time impossible: the task cannot start at its not-before time and finish by this")
        if problems:
            return None, problems
        existing = self.existing.get(ref)
        return TaskRow(number, ref, values, predecessors, owner_label=self._owner_label,
                       change="update" if existing is not None else "add"), []

    def check_owner(self, number: int, text: str, values: dict[str, Any], fail: Any) -> None:
        self._owner_label = ""
        values["owner_user"] = values["owner_team"] = None
        if not text:
            return
        user = self.users.get(text.lower())
        team = self.teams.get(text.lower())
        if user is not None:
            values["owner_user"] = User(pk=user[0])
            self._owner_label = user[1]
        elif team is not None:
            values["owner_team"] = Team(pk=team[0])
            self._owner_label = team[1]
        elif self.strict_owner:
            fail("owner", text, "Unknown owner: not the username or email of an active user, nor a team's name")
        else:
            self.notes.append(f"Row {number}: the resource {text!r} is no user or team here, so the task has no owner.")

    def accept(self, report: TaskImportReport, row: TaskRow) -> None:
        report.tasks.append(row)

    def check_network(self, report: TaskImportReport) -> None:
        """Schedule the valid rows as the runbook would be: a loop across
        rows, or a due time the links make impossible, is reported against
        the rows it names."""
        start = self.target.planned_start
        rows = {row.ref: row for row in report.tasks}

        def current(row: TaskRow, name: str) -> Any:
            if name in row.values:
                return row.values[name]
            existing = self.existing.get(row.ref)
            return getattr(existing, name) if existing is not None else (30 if name == "duration_minutes" else None)

        nodes = [Node(row.ref, current(row, "duration_minutes"), minutes_from(start, current(row, "not_before")),
                      minutes_from(start, current(row, "due_by"))) for row in report.tasks]
        links = [Link(p, row.ref, kind, lag) for row in report.tasks for p, kind, lag in row.predecessors or [] if p in rows]
        try:
            result = schedule(nodes, links)
        except ScheduleError as error:
            column = "due_by" if "due time" in str(error) else "predecessors"
            bad = {ref for ref in error.refs if ref in rows}
            for ref in sorted(bad, key=lambda r: rows[r].row):
                row = rows[ref]
                report.problems.append(Problem(row.row, column, ref, str(error).rstrip(".")))
            report.tasks = [row for row in report.tasks if row.ref not in bad]
            report.valid -= len(bad)
            report.invalid += len(bad)
            return
        report.finish = start + dt.timedelta(minutes=result.finish)
        report.links = len(links)

    def describe(self, report: TaskImportReport) -> None:
        in_file = {row.ref for row in report.tasks} | set(self.first_row)
        report.removed = [ref for ref in self.existing if ref not in in_file]
        report.created = sum(1 for row in report.tasks if row.change == "add")
        report.updated = sum(1 for row in report.tasks if row.change == "update")

    # Committing -----------------------------------------------------------------------------------------------------

    def commit(self, data: bytes, filename: str = "", *, actor: Any, skip_invalid: bool = False, import_id: str = "") -> TaskImportReport:
        self.filename, self.import_id = filename, import_id
        return super().commit(data, filename, actor=actor, skip_invalid=False, import_id=import_id)

    def lock(self) -> None:
        self.target = Runbook.objects.select_for_update().get(pk=self.target.pk)
        refuse_unless_importable(self.target)

    def write(self, report: TaskImportReport, *, actor: Any) -> None:
        self.describe(report)
        result = runbook_import_tasks(
            runbook=self.target, actor=actor,
            tasks=[ImportedTask(row.ref, row.values, row.predecessors) for row in report.tasks],
            source={"file": self.filename, "import": self.import_id, "format": self.label},
        )
        report.created, report.updated, report.removed, report.links = result.created, result.updated, result.removed, result.links

    def record(self, report: TaskImportReport, *, actor: Any, filename: str, import_id: str, skip_invalid: bool) -> None:
        """The service wrote the import's one audit row."""

    # The upload page ------------------------------------------------------------------------------------------------

    def sample_rows(self) -> tuple[list[str], list[list[str]]]:
        start = self.target.planned_start if self.target is not None else dt.datetime(2027, 3, 6, 20, 0, tzinfo=RUNBOOK_TZ)
        return list(HEADERS), [
            ["T-010", "Freeze changes to the old system", "Technology", "Freeze", "normal", "30", "", "", when_text(start), "", "", "no", "1", "", ""],
            ["T-020", "Go/no-go call", "Business", "", "decision", "15", "T-010", "", "", "", "", "no", "1", "", ""],
            ["T-030", "Migrate the case files", "Technology", "Data", "normal", "3h", "T-020", "", "", "", "", "no", "1", "", ""],
            ["T-040", "Check a sample of migrated files", "Business", "Data", "validation", "1h30", "T-030SS+60", "", "", "", "", "no", "1", "", ""],
            ["T-050", "Last moment to roll back", "Business", "", "milestone", "0", "T-030, T-040FF", "", "", "", "", "yes", "1", "", ""],
        ]

    def column_help(self) -> tuple[tuple[str, str, str], ...]:
        return COLUMN_HELP


def sample_csv(runbook: Runbook | None = None) -> str:
    return csv_text(*TaskImporter(runbook).sample_rows())


# MS Project XML ---------------------------------------------------------------------------------------------------------

# MS Project has no place for an email's text: a task updated from it keeps its message.
MSPDI_COLUMNS: tuple[str, ...] = (*COLUMNS[:-2], "mspdi_problems")
MSPDI_HEADERS: tuple[str, ...] = (*HEADERS[:-2], "mspdi_problems")


def mspdi_sheet(data: bytes) -> Sheet:
    """An MS Project XML file as the rows of the task import (module
    docstring: summary tasks, IDs, owners); problems of the conversion
    itself go in the `mspdi_problems` cell, reported against the row."""
    try:
        project = mspdi.read_project(data)
    except mspdi.MspdiError as exc:
        raise ImportFileError(str(exc)) from exc
    tasks = project.tasks
    by_uid = {task.uid: task for task in tasks}
    leaves: dict[int, list[int]] = {}
    parent_name: dict[int, str] = {}
    open_summaries: list[mspdi.MspdiTask] = []
    for task in tasks:
        while open_summaries and open_summaries[-1].outline_level >= task.outline_level:
            open_summaries.pop()
        if task.summary:
            leaves[task.uid] = []
        else:
            for summary in open_summaries:
                leaves[summary.uid].append(task.uid)
        if open_summaries:
            parent_name[task.uid] = open_summaries[-1].name
        if task.summary:
            open_summaries.append(task)
    ref_of = {task.uid: (task.custom.get("ref") or str(task.row)) for task in tasks}
    incoming: dict[int, list[tuple[int, str, int]]] = {task.uid: [] for task in tasks}
    problems: dict[int, list[str]] = {task.uid: [] for task in tasks}

    def lag_of(link: mspdi.MspdiLink, predecessor: mspdi.MspdiTask) -> int:
        if link.lag_minutes is not None:
            return link.lag_minutes
        return round((predecessor.duration_minutes or 0) * link.lag_percent / 100)

    for task in tasks:
        for link in task.links:
            predecessor = by_uid.get(link.predecessor_uid)
            if predecessor is None:
                problems[task.uid].append(f"Unknown predecessor: no task in the file has the unique ID {link.predecessor_uid}")
                continue
            lag = lag_of(link, predecessor)
            if predecessor.summary and link.type not in ("FS", "FF"):
                problems[task.uid].append(f"A {link.type} link from the summary task {predecessor.name!r} cannot be imported: link the "
                                          f"tasks under it instead")
                continue
            if task.summary and link.type not in ("FS", "SS"):
                for uid in leaves[task.uid][:1]:
                    problems[uid].append(f"A {link.type} link into the summary task {task.name!r} cannot be imported: link the tasks "
                                         f"under it instead")
                continue
            sources = leaves[predecessor.uid] if predecessor.summary else [predecessor.uid]
            targets = leaves[task.uid] if task.summary else [task.uid]
            for target in targets:
                for source in sources:
                    incoming[target].append((source, link.type, lag))
    rows: list[tuple[int, list[str]]] = []
    for task in tasks:
        if task.summary:
            continue
        seen: dict[str, tuple[str, str, int]] = {}
        for source, kind, lag in incoming[task.uid]:
            ref = ref_of[source]
            if ref in seen and seen[ref] != (ref, kind, lag):
                problems[task.uid].append(f"Two different links from {ref}: keep one")
            seen.setdefault(ref, (ref, kind, lag))
        kind_text = task.custom.get("type") or ("milestone" if task.milestone else "normal")
        duration = str(task.duration_minutes) if task.duration_minutes is not None else task.duration_text
        if task.ignored:
            problems[task.uid].append(f"Cannot be imported: {', '.join(task.ignored)} (only \"start no earlier than\" and "
                                      f"\"finish no later than\" are kept)")
        cells = [
            ref_of[task.uid], task.name, task.custom.get("stream", ""), task.custom.get("sub_stream") or parent_name.get(task.uid, ""),
            kind_text, duration, format_predecessors(list(seen.values())), task.owner,
            local_naive_text(task.not_before) if task.not_before else "", local_naive_text(task.due_by) if task.due_by else "",
            task.notes, task.custom.get("rollback_point", ""), str(task.outline_level), "\n".join(problems[task.uid]),
        ]
        rows.append((task.row, cells))
    if not rows:
        raise ImportFileError("The file has no tasks to import.")
    return Sheet(list(MSPDI_HEADERS), rows, "mspdi")


class MspdiImporter(TaskImporter):
    """An MS Project XML file of tasks into a runbook: read into the rows of
    the spreadsheet import (`mspdi_sheet`), then the same rules."""

    kind = PendingUpload.Kind.CUTOVER_MSPDI
    label = "MS Project import"
    columns = MSPDI_COLUMNS
    strict_owner = False

    def read(self, data: bytes, filename: str) -> Sheet:
        if self.staged_sheet is not None:
            return self.staged_sheet
        return mspdi_sheet(data)

    def sheet_of(self, upload: PendingUpload) -> Sheet:
        if upload.sheet:
            return super().sheet_of(upload)
        return mspdi_sheet(uploads.content_of(upload))

    def stage(self, *, data: bytes, filename: str, actor: Any, sheet: Sheet | None = None) -> PendingUpload:
        return super().stage(data=data, filename=filename, actor=actor, sheet=sheet or self.read(data, filename))

    def new_report(self, sheet: Sheet, skip_invalid: bool) -> TaskImportReport:
        report = super().new_report(sheet, skip_invalid)
        report.file_description = "Microsoft Project XML (MSPDI)"
        return report

    def check_row(self, number: int, cell: dict[str, str]) -> tuple[TaskRow | None, list[Problem]]:
        row, problems = super().check_row(number, cell)
        extra = [Problem(number, "predecessors", cell.get("id", ""), text) for text in cell.get("mspdi_problems", "").split("\n") if text]
        if extra:
            return None, [*problems, *extra]
        return row, problems


def check_importable(runbook: Runbook) -> str:
    """Why the runbook takes no import now, or ""."""
    try:
        refuse_unless_importable(runbook)
    except ValidationError as error:
        return " ".join(error.messages)
    return ""


def mspdi_import_seconds(*, runbook: Runbook, data: bytes, actor: Any) -> tuple[float, TaskImportReport]:
    """How long importing an MS Project file into `runbook` takes, end to
    end (read, check every row, schedule, write, re-schedule, audit): the
    `bench cutover` figure, target under 5 s for 2,000 tasks."""
    import time

    began = time.perf_counter()
    report = MspdiImporter(runbook).commit(data, "generated.xml", actor=actor)
    return time.perf_counter() - began, report
