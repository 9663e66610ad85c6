"""A service desk's ticket export imported into a hypercare period as
queries: check every row of a CSV or XLSX file, preview what it would
change, then commit it (a `core.importing.Importer`; the pages are
`views/imports.py`).

Columns (other spellings in `ALIASES`): `ticket_id` (kept as the query's
`external_ref`: a ticket already imported into the period is updated in
place), `raised_at`, the requester's `staff_number` or `email` (their unit
and role are looked up in the organisation model, leavers included: a
ticket outlives its raiser's job), `category` (the period's, by name or
code), `priority` (P1-P4 or 1-4), `title`, `description`, `status`,
`resolved_at`, `closed_at`, and optionally `responded_at` (the first
response). Times are dd/mm/yyyy hh:mm or yyyy-mm-dd hh:mm[:ss], in
Europe/London unless they carry an offset.

History: each query gets its events, so the SLA figures can be computed:
"created" at `raised_at`, then the status reached with its time: the step
out of "new" at `responded_at` when given; a resolution at `resolved_at`,
a close at `closed_at`. A status reached without a time of its own (an open
ticket with no `responded_at`, or a change found on a later import) is
dated when the import learns of it: Changeboard never invents an earlier
time. A later import records each change (status, priority, category) as
an event. Imported queries send no email: the service desk has already
told the requester.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar, cast

from django.db.models import Q
from django.utils import timezone

from changeboard.accounts.models import User
from changeboard.core.importing import Columns, Importer, ImportRefusedBase, ImportReportBase, Problem, Sheet, csv_text
from changeboard.core.models import PendingUpload
from changeboard.organisation.models import Staff

from .models import Category, Period, Query, QueryEvent

__all__ = ["COLUMNS", "QueryImportRefused", "QueryImportReport", "QueryImporter", "parse_when"]

COLUMNS: tuple[str, ...] = ("ticket_id", "raised_at", "staff_number", "email", "category", "priority", "title", "description",
                            "status", "resolved_at", "closed_at", "responded_at")
REQUIRED: tuple[str, ...] = ("ticket_id", "raised_at", "category", "priority", "title", "status")
ALIASES: dict[str, tuple[str, ...]] = {
    "ticket_id": ("ticket", "ticket_number", "ticket_no", "ticket_ref", "incident", "incident_number", "external_ref"),
    "raised_at": ("raised", "created", "created_at", "opened", "opened_at", "logged", "logged_at"),
    "staff_number": ("staff_no", "employee_number", "requester_staff_number"),
    "email": ("requester_email", "caller_email", "work_email", "e_mail"),
    "title": ("summary", "short_description", "subject"),
    "description": ("details", "long_description"),
    "status": ("state",),
    "resolved_at": ("resolved",),
    "closed_at": ("closed",),
    "responded_at": ("first_response", "first_response_at", "responded"),
}
LABELS = {
    "ticket_id": "The service desk's ticket number; a ticket already imported into this period is updated",
    "raised_at": "When the ticket was raised: dd/mm/yyyy hh:mm or yyyy-mm-dd hh:mm (UK time unless it has an offset)",
    "staff_number": "The requester's staff number (this or email on every row)",
    "email": "The requester's work email, used when there is no staff number",
    "category": "One of this period's categories, by name or code",
    "priority": "P1, P2, P3 or P4 (or 1 to 4)",
    "title": "The ticket's summary (at most 200 characters)",
    "description": "The ticket's description",
    "status": "New, assigned, in progress, waiting on requester, resolved, closed or reopened",
    "resolved_at": "When it was resolved (required for resolved and closed tickets; a closed one may leave it to closed_at)",
    "closed_at": "When it was closed (required for closed tickets)",
    "responded_at": "When the service desk first responded, if the export has it",
}
EXTERNAL_MAX = cast(int, Query._meta.get_field("external_ref").max_length)
TITLE_MAX = cast(int, Query._meta.get_field("title").max_length)
BATCH_SIZE = 1000
PREVIEW_ROWS = 100
LONDON = zoneinfo.ZoneInfo("Europe/London")

Status = Query.Status
Kind = QueryEvent.Kind
CLOSED_STATES = (Status.RESOLVED, Status.CLOSED)
STATUS_WORDS: dict[str, str] = {
    **{value: value for value in Status.values},
    **{label.lower(): value for value, label in Status.choices},
    "open": Status.NEW, "logged": Status.NEW, "in progress": Status.IN_PROGRESS, "work in progress": Status.IN_PROGRESS,
    "waiting": Status.WAITING, "on hold": Status.WAITING, "pending": Status.WAITING, "awaiting user": Status.WAITING,
    "awaiting customer": Status.WAITING, "awaiting requester": Status.WAITING,
}
STATUSES_TEXT = "new, assigned, in progress, waiting on requester, resolved, closed or reopened"

_UK = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?)?\s*(Z|[+-]\d{2}:?\d{2})?")
_PRIORITY = re.compile(r"p?\s*([1-4])(?:\b|\s|$).*", re.IGNORECASE)


def parse_when(text: str) -> tuple[dt.datetime | None, str]:
    """A date and time (UK or ISO; a date alone is midnight), as an aware
    datetime: Europe/London unless an offset is given. Or the reason it is not one."""
    offset: dt.tzinfo = LONDON
    if match := _UK.fullmatch(text):
        day, month, year = (int(g) for g in match.groups()[:3])
        hour, minute, second = (int(g or 0) for g in match.groups()[3:6])
    elif match := _ISO.fullmatch(text):
        year, month, day = (int(g) for g in match.groups()[:3])
        hour, minute, second = (int(g or 0) for g in match.groups()[3:6])
        zone = match.group(7)
        if zone == "Z":
            offset = dt.UTC
        elif zone:
            sign = -1 if zone[0] == "-" else 1
            digits = zone[1:].replace(":", "")
            offset = dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    else:
        return None, "Not a date and time: use dd/mm/yyyy hh:mm or yyyy-mm-dd hh:mm"
    try:
        return dt.datetime(year, month, day, hour, minute, second, tzinfo=offset), ""
    except ValueError:
        return None, "Not a real date and time: there is no such day or time"


def parse_priority(text: str) -> str | None:
    match = _PRIORITY.fullmatch(text.strip())
    return f"P{match.group(1)}" if match else None


def parse_status(text: str) -> str | None:
    words = re.sub(r"[\s_\-]+", " ", text.strip().lower()).strip()
    return STATUS_WORDS.get(words) or STATUS_WORDS.get(words.replace(" ", "_"))


class QueryImportRefused(ImportRefusedBase):
    report: QueryImportReport


@dataclass(slots=True)
class QueryRow:
    row: int
    ticket_id: str
    raised_at: dt.datetime
    staff: Staff
    category: Category
    priority: str
    title: str
    description: str
    status: str
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    responded_at: dt.datetime | None

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label)


@dataclass
class QueryImportReport(ImportReportBase):
    """What a preview found or a commit did: queries created, updated in
    place, and unchanged (already imported with the same values)."""

    valid_label: ClassVar[str] = "Valid tickets"
    warning_head: ClassVar[str] = "This file has tickets with errors"

    updated: int = 0
    unchanged: int = 0
    records: list[QueryRow] = field(default_factory=list)
    existing: set[str] = field(default_factory=set)

    def counts(self) -> dict[str, int]:
        return {"rows": self.rows, "valid": self.valid, "invalid": self.invalid, "created": self.created,
                "updated": self.updated, "unchanged": self.unchanged}

    def summary(self) -> str:
        if not self.committed:
            return (f"Would add {self.created} and update {len(self.existing)} of {self.rows} ticket{'s' if self.rows != 1 else ''}"
                    f"{self.skipped_note()}.")
        return (f"Imported {self.rows} ticket{'s' if self.rows != 1 else ''}: {self.created} new quer{'ies' if self.created != 1 else 'y'}, "
                f"{self.updated} updated, {self.unchanged} unchanged{self.skipped_note()}.")


def _staff_index(numbers: set[str], emails: set[str]) -> tuple[dict[str, Staff], dict[str, Staff]]:
    """Staff by staff number and by lower-cased email, in batches; leavers
    included; of two people with one email, the first by id."""
    by_number: dict[str, Staff] = {}
    by_email: dict[str, Staff] = {}
    ordered = sorted(numbers)
    for start in range(0, len(ordered), BATCH_SIZE):
        for person in Staff.objects.filter(staff_number__in=ordered[start:start + BATCH_SIZE]).select_related("unit"):
            by_number[person.staff_number] = person
    ordered = sorted(emails)
    for start in range(0, len(ordered), BATCH_SIZE):
        chunk = ordered[start:start + BATCH_SIZE]
        condition = Q()
        for email in chunk:
            condition |= Q(email__iexact=email)
        for person in Staff.objects.filter(condition).select_related("unit").order_by("pk"):
            by_email.setdefault(person.email.lower(), person)
    return by_number, by_email


def _cells(sheet: Sheet, columns: Columns, name: str) -> set[str]:
    at = columns.get(name)
    if at is None:
        return set()
    return {cells[at].strip() for _, cells in sheet.rows if at < len(cells)} - {""}


class QueryImporter(Importer[QueryImportReport]):
    """The ticket export's columns and row rules; the pipeline is `core.importing`."""

    kind = PendingUpload.Kind.HYPERCARE_QUERIES
    label = "Hypercare ticket import"
    report_class = QueryImportReport
    refused_error = QueryImportRefused
    target_model = Period
    columns = COLUMNS
    required = REQUIRED
    aliases = ALIASES
    column_labels = LABELS
    target: Period

    def missing_columns(self, columns: Columns) -> list[Problem]:
        problems = super().missing_columns(columns)
        if "staff_number" not in columns and "email" not in columns:
            problems.append(Problem(1, "staff_number", "", "Missing column: the file must have a staff_number or an email column"))
        return problems

    def prepare(self, sheet: Sheet, columns: Columns) -> None:
        self.now = timezone.now()
        self.seen: dict[str, int] = {}
        self.categories: dict[str, Category] = {}
        for category in Category.objects.filter(period=self.target):
            self.categories.setdefault(category.code.lower(), category)
            self.categories.setdefault(category.name.strip().lower(), category)
        self.active_names = ", ".join(sorted(c.name for c in set(self.categories.values()) if c.active))
        self.by_number, self.by_email = _staff_index(_cells(sheet, columns, "staff_number"),
                                                     {e.lower() for e in _cells(sheet, columns, "email")})

    def _when(self, number: int, column: str, text: str, problems: list[Problem], raised: dt.datetime | None = None) -> dt.datetime | None:
        if not text:
            return None
        when, reason = parse_when(text)
        if when is None:
            problems.append(Problem(number, column, text, reason))
            return None
        if when > self.now:
            problems.append(Problem(number, column, text, "In the future: a ticket's times cannot be after now"))
            return None
        if raised is not None and when < raised:
            problems.append(Problem(number, column, text, "Before the ticket was raised (raised_at)"))
            return None
        return when

    def check_row(self, number: int, cell: dict[str, str]) -> tuple[QueryRow | None, list[Problem]]:
        problems: list[Problem] = []
        get = cell.get
        ticket = get("ticket_id", "")
        if not ticket:
            problems.append(Problem(number, "ticket_id", "", "Missing: every row needs the ticket number"))
        elif len(ticket) > EXTERNAL_MAX:
            problems.append(Problem(number, "ticket_id", ticket, f"Too long: a ticket number has at most {EXTERNAL_MAX} characters"))
        else:
            first = self.seen.setdefault(ticket, number)
            if first != number:
                problems.append(Problem(number, "ticket_id", ticket, f"Duplicate: ticket {ticket} is already on row {first}"))

        raised_text = get("raised_at", "")
        raised = self._when(number, "raised_at", raised_text, problems)
        if not raised_text:
            problems.append(Problem(number, "raised_at", "", "Missing: every row needs the time the ticket was raised"))

        staff: Staff | None = None
        staff_number, email = get("staff_number", ""), get("email", "")
        if staff_number:
            staff = self.by_number.get(staff_number)
            if staff is None:
                problems.append(Problem(number, "staff_number", staff_number, "Unknown staff number: nobody in the organisation model has it"))
        elif email:
            staff = self.by_email.get(email.lower())
            if staff is None:
                problems.append(Problem(number, "email", email, "Unknown email: nobody in the organisation model has it"))
        else:
            problems.append(Problem(number, "staff_number", "", "Missing: every row needs the requester's staff number or email"))

        category_text = get("category", "")
        category = self.categories.get(category_text.strip().lower()) if category_text else None
        if not category_text:
            problems.append(Problem(number, "category", "", "Missing: every row needs a category"))
        elif category is None:
            problems.append(Problem(number, "category", category_text, f"Unknown category: use one of {self.active_names}"))
        elif not category.active:
            problems.append(Problem(number, "category", category_text, f"No longer in use in this period: use one of {self.active_names}"))

        priority_text = get("priority", "")
        priority = parse_priority(priority_text) if priority_text else None
        if not priority_text:
            problems.append(Problem(number, "priority", "", "Missing: every row needs a priority"))
        elif priority is None:
            problems.append(Problem(number, "priority", priority_text, "Not a priority: use P1, P2, P3 or P4 (or 1 to 4)"))

        title = get("title", "")
        if not title:
            problems.append(Problem(number, "title", "", "Missing: every row needs a title"))
        elif len(title) > TITLE_MAX:
            problems.append(Problem(number, "title", title[:50], f"Too long: a title has at most {TITLE_MAX} characters"))

        status_text = get("status", "")
        status = parse_status(status_text) if status_text else None
        if not status_text:
            problems.append(Problem(number, "status", "", "Missing: every row needs a status"))
        elif status is None:
            problems.append(Problem(number, "status", status_text, f"Not a status: use {STATUSES_TEXT}"))

        resolved = self._when(number, "resolved_at", get("resolved_at", ""), problems, raised)
        closed = self._when(number, "closed_at", get("closed_at", ""), problems, raised)
        responded = self._when(number, "responded_at", get("responded_at", ""), problems, raised)
        if status is not None:
            if status in CLOSED_STATES:
                if status == Status.RESOLVED and not get("resolved_at"):
                    problems.append(Problem(number, "resolved_at", "", "Missing: a resolved ticket needs the time it was resolved"))
                if status == Status.CLOSED and not get("closed_at"):
                    problems.append(Problem(number, "closed_at", "", "Missing: a closed ticket needs the time it was closed"))
                if status == Status.RESOLVED and get("closed_at"):
                    problems.append(Problem(number, "closed_at", get("closed_at", ""), "A resolved ticket is not closed yet: clear closed_at or make the status closed"))
            else:
                for column in ("resolved_at", "closed_at"):
                    if get(column):
                        problems.append(Problem(number, column, get(column, ""),
                                                f"An open ticket (status {status_text}) has no {column.replace('_at', '')} time: clear it or correct the status"))
            if resolved and closed and closed < resolved:
                problems.append(Problem(number, "closed_at", get("closed_at", ""), "Before the ticket was resolved (resolved_at)"))
            if responded and status in CLOSED_STATES and responded > (resolved or closed or responded):
                problems.append(Problem(number, "responded_at", get("responded_at", ""), "After the ticket was resolved (resolved_at)"))

        if problems:
            return None, problems
        assert raised is not None and staff is not None and category is not None and priority is not None and status is not None
        if status == Status.CLOSED and resolved is None:
            resolved = closed
        return QueryRow(number, ticket, raised, staff, category, priority, title, get("description", ""), status, resolved,
                        closed if status == Status.CLOSED else None, responded), []

    def accept(self, report: QueryImportReport, row: QueryRow) -> None:
        report.records.append(row)

    def describe(self, report: QueryImportReport) -> None:
        existing = self._existing(report.records)
        report.existing = set(existing)
        report.created = len(report.records) - len(existing)

    def _existing(self, rows: Iterable[QueryRow]) -> dict[str, Query]:
        refs = sorted({r.ticket_id for r in rows})
        found: dict[str, Query] = {}
        for start in range(0, len(refs), BATCH_SIZE):
            for query in Query.objects.filter(period=self.target, external_ref__in=refs[start:start + BATCH_SIZE]):
                found[query.external_ref] = query
        return found

    def lock(self) -> None:
        self.target = Period.objects.select_for_update().get(pk=self.target.pk)

    # ------------------------------------------------------------------ writing

    @staticmethod
    def _path(row: QueryRow, start: str, now: dt.datetime) -> list[tuple[str, str, dt.datetime]]:
        """The status steps (from, to, at) from `start` to the row's status."""
        target = row.status
        if target == start:
            return []
        steps: list[tuple[str, str, dt.datetime]] = []
        current = start
        if target in CLOSED_STATES:
            assert row.resolved_at is not None
            if current not in CLOSED_STATES:
                if current == Status.NEW and row.responded_at is not None and row.responded_at < row.resolved_at:
                    steps.append((current, Status.IN_PROGRESS, row.responded_at))
                    current = Status.IN_PROGRESS
                steps.append((current, Status.RESOLVED, row.resolved_at))
                current = Status.RESOLVED
            if target == Status.CLOSED and current != Status.CLOSED:
                assert row.closed_at is not None
                steps.append((current, Status.CLOSED, row.closed_at))
            return steps
        at = row.responded_at if current == Status.NEW and row.responded_at is not None else now
        return [(current, target, at)]

    def _fields(self, row: QueryRow) -> dict[str, Any]:
        staff = row.staff
        return {"unit_id": staff.unit_id, "role": staff.role, "contact_name": f"{staff.first_name} {staff.last_name}".strip(),
                "contact_email": staff.email, "category_id": row.category.pk, "priority": row.priority, "title": row.title,
                "description": row.description, "status": row.status, "resolved_at": row.resolved_at, "closed_at": row.closed_at}

    def write(self, report: QueryImportReport, *, actor: User | None) -> None:
        now = timezone.now()
        existing = self._existing(report.records)
        who = actor if getattr(actor, "is_authenticated", False) else None
        new_rows = [r for r in report.records if r.ticket_id not in existing]
        queries: list[Query] = []
        for row in new_rows:
            steps = self._path(row, Status.NEW, now)
            queries.append(Query(period=self.target, source=Query.Source.IMPORT, external_ref=row.ticket_id, created_at=row.raised_at,
                                 raised_by=who, first_response_at=steps[0][2] if steps else None, **self._fields(row)))
        Query.objects.bulk_create(queries, batch_size=BATCH_SIZE)
        events: list[QueryEvent] = []
        for row, query in zip(new_rows, queries, strict=True):
            events.append(QueryEvent(query=query, kind=Kind.CREATED, at=row.raised_at, actor=who, to_value=Status.NEW))
            events += [QueryEvent(query=query, kind=Kind.STATUS, at=at, actor=who, from_value=a, to_value=b)
                       for a, b, at in self._path(row, Status.NEW, now)]
        report.created = len(queries)

        updated = unchanged = 0
        for row in report.records:
            stored = existing.get(row.ticket_id)
            if stored is None:
                continue
            changes = self._update(stored, row, now, who, events)
            if changes:
                updated += 1
            else:
                unchanged += 1
        QueryEvent.objects.bulk_create(events, batch_size=BATCH_SIZE)
        report.updated, report.unchanged = updated, unchanged

    def _update(self, query: Query, row: QueryRow, now: dt.datetime, who: User | None, events: list[QueryEvent]) -> bool:
        """Bring an imported query in line with its ticket; the events of
        what changed go on `events`. Whether anything changed."""
        fields = self._fields(row)
        changed = [name for name, value in fields.items() if getattr(query, name) != value]
        if query.created_at != row.raised_at:
            changed.append("created_at")
            QueryEvent.objects.filter(query=query, kind=Kind.CREATED).update(at=row.raised_at)
            query.created_at = row.raised_at
        if not changed:
            return False
        if query.category_id != row.category.pk:
            events.append(QueryEvent(query=query, kind=Kind.CATEGORY, at=now, actor=who, from_value=str(query.category_id), to_value=str(row.category.pk)))
        if query.priority != row.priority:
            events.append(QueryEvent(query=query, kind=Kind.PRIORITY, at=now, actor=who, from_value=query.priority, to_value=row.priority))
        if query.status != row.status:
            steps = self._path(row, query.status, now)
            events += [QueryEvent(query=query, kind=Kind.STATUS, at=at, actor=who, from_value=a, to_value=b) for a, b, at in steps]
            if query.first_response_at is None and query.status in (Status.NEW, Status.REOPENED) and steps:
                query.first_response_at = steps[0][2]
        for name, value in fields.items():
            setattr(query, name, value)
        query.save()
        return True

    def sample_rows(self) -> tuple[list[str], list[list[str]]]:
        number = Staff.objects.current().order_by("staff_number").values_list("staff_number", flat=True).first() or "100001"
        names = list(Category.objects.filter(period=self.target, active=True).order_by("name").values_list("name", flat=True)[:2])
        names += ["Training gap", "Defect"][len(names):]
        start = timezone.localtime(timezone.now()).replace(minute=0, second=0, microsecond=0) - dt.timedelta(days=2)
        fmt = "%d/%m/%Y %H:%M"
        return [c for c in COLUMNS], [
            ["INC0012345", start.strftime(fmt), number, "", names[0], "P3", "Cannot find the new rota screen", "Menu item missing", "In progress",
             "", "", (start + dt.timedelta(hours=1)).strftime(fmt)],
            ["INC0012346", start.strftime(fmt), number, "", names[1], "2", "Report will not print", "", "Resolved",
             (start + dt.timedelta(hours=5)).strftime(fmt), "", ""],
        ]


def sample_csv(period: Period) -> str:
    return csv_text(*QueryImporter(period).sample_rows())
