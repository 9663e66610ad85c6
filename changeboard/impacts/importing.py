"""Impact lines from a spreadsheet: check every row of a CSV or XLSX file,
preview what it would add to a draft assessment, then commit it.

An `Importer` (`changeboard.core.importing`) like the HR staff import,
with only its columns and row rules here: nothing is written until the
commit; the commit re-checks the file against the database as it is then;
a file with errors is refused whole unless its uploader chooses to import
only the valid rows; problems carry row, column and reason.

Every line is written through `services.line_save`, inside one transaction,
so the import is audited and validated exactly like the line form.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import reduce
from operator import or_
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from changeboard.core import audit
from changeboard.core.importing import Importer, ImportRefusedBase, ImportReportBase, Problem, Sheet, csv_text, parse_date
from changeboard.core.models import PendingUpload
from changeboard.organisation.models import PATH_SEPARATOR, RankGrade, Staff, Unit
from changeboard.portfolio.models import RolloutWave

from . import services
from .models import Dimension, ImpactAssessment, ImpactLine, Severity

# Re-exported for the pages, which read and report files the same way.
__all__ = ["ALL_COLUMNS", "COLUMNS", "ImpactImportRefused", "ImpactImportReport", "ImpactImporter", "commit", "preview"]

# --------------------------------------------------------------------------
# The file format

COLUMNS: tuple[str, ...] = (
    "title",
    "unit_codes",
    "unit_paths",
    "roles",
    "ranks_or_grades",
    "dimensions",
    "severity",
    "start_date",
    "end_date",
    "wave",
    "weeks_before_go_live",
    "weeks_after_go_live",
    "hours_per_person",
    "mitigations",
    "owner",
)
STATE_PARTS: tuple[tuple[str, str], ...] = (("current", "current state"), ("future", "future state"), ("gap", "gap"))
DIMENSION_COLUMNS: tuple[str, ...] = tuple(f"{code}_{part}" for code in Dimension.values for part, _ in STATE_PARTS)
ALL_COLUMNS: tuple[str, ...] = COLUMNS + DIMENSION_COLUMNS

# (column, what it holds, required?) for the upload page.
COLUMN_HELP: tuple[tuple[str, str, str], ...] = (
    ("title", "The change, in a few words", "Yes"),
    ("unit_codes", "Impacted units by code, separated by ';' (each with everything below it)", "This or unit_paths"),
    ("unit_paths", "Impacted units by full path from the top, names joined by ' > ', separated by ';'", "This or unit_codes"),
    ("roles", "Job roles to narrow to, separated by ';', exactly as in the staff records; empty means every role", "No"),
    ("ranks_or_grades", "Ranks or grades to narrow to, by name or code, separated by ';'; empty means all", "No"),
    ("dimensions", "What it changes, separated by ';': " + ", ".join(f"{c} ({label})" for c, label in Dimension.choices), "No"),
    ("severity", "A whole number from 0 to 5 (see the scale below)", "Yes"),
    ("start_date", "When the impact starts: dd/mm/yyyy or yyyy-mm-dd", "With end_date, unless a wave is given"),
    ("end_date", "When it ends (on or after the start)", "With start_date, unless a wave is given"),
    ("wave", "The name of a rollout wave of this programme: the period then moves with the wave", "Unless dates are given"),
    ("weeks_before_go_live", "With a wave: weeks of impact before go-live (default 4)", "No"),
    ("weeks_after_go_live", "With a wave: weeks of impact after go-live (default 4)", "No"),
    ("hours_per_person", "Hours taken from each person's duty over the whole period (default 0)", "No"),
    ("mitigations", "How the impact is reduced or supported", "No"),
    ("owner", "Who owns the mitigations", "No"),
    ("<dimension>_current, <dimension>_future, <dimension>_gap",
     "Optional text per dimension, e.g. process_current, technology_gap; filling one counts the dimension as changed", "No"),
)

SEPARATOR = ";"
MAX_WEEKS = 104
MAX_HOURS = Decimal("99999.9")
UNIT_MIN_DEPTH, UNIT_MAX_DEPTH = 2, 5  # business group down to team, as on the line form
_TITLE_MAX: int = ImpactLine._meta.get_field("title").max_length  # type: ignore[assignment]
_OWNER_MAX: int = ImpactLine._meta.get_field("owner").max_length  # type: ignore[assignment]
PREVIEW_LINES = 100  # valid rows shown (with their headcount) on the preview


class ImpactImportRefused(ImportRefusedBase):
    """The commit was refused; `report` lists every problem found."""

    report: ImpactImportReport


@dataclass(slots=True)
class LineRow:
    """One row's cleaned values, ready for `services.line_save`."""

    row: int
    title: str = ""
    units: list[Unit] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    rank_grades: list[RankGrade] = field(default_factory=list)
    dimensions: dict[str, dict[str, str]] = field(default_factory=dict)
    severity: int | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    wave: RolloutWave | None = None
    weeks_before_go_live: int = 4
    weeks_after_go_live: int = 4
    hours_per_person: Decimal = Decimal("0")
    mitigations: str = ""
    owner: str = ""
    ok: bool = True
    headcount: int | None = None

    def service_fields(self) -> dict[str, Any]:
        return {
            "title": self.title, "roles": self.roles, "severity": self.severity, "start_date": None if self.wave else self.start_date,
            "end_date": None if self.wave else self.end_date, "wave": self.wave, "weeks_before_go_live": self.weeks_before_go_live,
            "weeks_after_go_live": self.weeks_after_go_live, "hours_per_person": self.hours_per_person,
            "mitigations": self.mitigations, "owner": self.owner,
        }

    def period(self) -> tuple[dt.date, dt.date] | None:
        if self.wave is not None:
            go_live = self.wave.go_live_date
            return go_live - dt.timedelta(weeks=self.weeks_before_go_live), go_live + dt.timedelta(weeks=self.weeks_after_go_live) - dt.timedelta(days=1)
        if self.start_date and self.end_date:
            return self.start_date, self.end_date
        return None

    @property
    def severity_label(self) -> str:
        return Severity(self.severity).label if self.severity is not None else ""


@dataclass
class ImpactImportReport(ImportReportBase):
    """What a preview found or a commit did."""

    used_columns: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    lines: list[LineRow] = field(default_factory=list)

    commit_verb: ClassVar[str] = "adds"
    valid_label: ClassVar[str] = "Valid rows (lines that would be added)"

    def summary(self) -> str:
        verb = "Imported" if self.committed else "Would import"
        count = self.created if self.committed else self.valid
        head = f"{verb} {count} impact line{'s' if count != 1 else ''} from {self.rows} row{'s' if self.rows != 1 else ''}"
        return head + self.skipped_note() + "."


# --------------------------------------------------------------------------
# What rows are checked against


def unit_key(text: str) -> str:
    """A unit path as looked up: case and the spacing around '>' ignored."""
    return PATH_SEPARATOR.join(" ".join(part.split()) for part in text.split(PATH_SEPARATOR.strip())).lower()


def known_roles() -> dict[str, str]:
    """The job roles in the staff records, by lower case, in their own spelling."""
    roles = Staff.objects.exclude(role="").values_list("role", flat=True).distinct()
    return {role.lower(): role for role in roles}


class _Lookups:
    """Everything the checks compare against, read in a handful of queries."""

    def __init__(self, assessment: ImpactAssessment) -> None:
        self.units_by_code: dict[str, Unit] = {}
        self.units_by_path: dict[str, Unit] = {}
        for unit in Unit.objects.only("pk", "path", "depth", "code", "name", "full_path"):
            self.units_by_code[unit.code.lower()] = unit
            self.units_by_path[unit_key(unit.full_path)] = unit
        self.ranks: dict[str, RankGrade] = {}
        for rank in RankGrade.objects.all():
            self.ranks[rank.code.lower()] = rank
            self.ranks[rank.name.lower()] = rank
        self.roles = known_roles()
        self.waves: dict[str, RolloutWave] = {w.name.strip().lower(): w for w in RolloutWave.objects.filter(programme=assessment.programme_id)}
        self.dimensions: dict[str, str] = {}
        for code, label in Dimension.choices:
            self.dimensions[code] = code
            self.dimensions[str(label).lower()] = code


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(SEPARATOR) if part.strip()]


# --------------------------------------------------------------------------
# Checking


def _missing_columns(present: set[str]) -> list[Problem]:
    """The columns a file must have. Reported on row 1, the header row."""
    problems = []
    if "title" not in present:
        problems.append(Problem(1, "title", "", "Missing column: the file must have a title column"))
    if "unit_codes" not in present and "unit_paths" not in present:
        problems.append(Problem(1, "unit_codes", "", "Missing column: the file must have a unit_codes or a unit_paths column"))
    if "severity" not in present:
        problems.append(Problem(1, "severity", "", "Missing column: the file must have a severity column"))
    if "wave" not in present and not {"start_date", "end_date"} <= present:
        problems.append(Problem(1, "start_date", "", "Missing column: the file must have start_date and end_date columns, or a wave column"))
    return problems


def _check_row(number: int, cell: dict[str, str], present: set[str], lookups: _Lookups) -> tuple[LineRow, list[Problem]]:
    line = LineRow(row=number)
    problems: list[Problem] = []

    def fail(column: str, value: str, reason: str) -> None:
        problems.append(Problem(number, column, value, reason))

    # Title
    line.title = cell.get("title", "")
    if not line.title:
        fail("title", "", "Missing: every line needs a title")
    elif len(line.title) > _TITLE_MAX:
        fail("title", line.title, f"Too long: at most {_TITLE_MAX} characters")

    # Units, by code and/or by path
    units: dict[int, Unit] = {}
    for column, table, kind in (("unit_codes", lookups.units_by_code, "code"), ("unit_paths", lookups.units_by_path, "path")):
        for text in _split(cell.get(column, "")):
            unit = table.get(unit_key(text) if kind == "path" else text.lower())
            if unit is None:
                fail(column, text, f"Unknown unit: no unit has this {kind}")
            elif not UNIT_MIN_DEPTH <= unit.depth <= UNIT_MAX_DEPTH:
                fail(column, text, "Unit cannot be chosen: choose a business group, command, borough or team")
            else:
                units[unit.pk] = unit
    if not cell.get("unit_codes") and not cell.get("unit_paths"):
        fail("unit_codes" if "unit_codes" in present else "unit_paths", "", "Missing: give at least one impacted unit")
    line.units = list(units.values())

    # Roles and ranks
    narrowing: tuple[tuple[str, dict[str, Any], list[Any], str], ...] = (
        ("roles", lookups.roles, line.roles, "Unknown role: it must match a job role in the staff records"),
        ("ranks_or_grades", lookups.ranks, line.rank_grades, "Unknown rank or grade: use a name or code from the ranks and grades list"),
    )
    for column, known, chosen, unknown in narrowing:
        for text in _split(cell.get(column, "")):
            found = known.get(text.lower())
            if found is None:
                fail(column, text, unknown)
            elif found not in chosen:
                chosen.append(found)

    # Dimensions: listed, or implied by text in their own columns
    for text in _split(cell.get("dimensions", "")):
        code = lookups.dimensions.get(text.lower())
        if code is None:
            fail("dimensions", text, "Unknown dimension: use one of " + ", ".join(Dimension.values))
        else:
            line.dimensions.setdefault(code, {"current": "", "future": "", "gap": ""})
    for code in Dimension.values:
        texts = {part: cell.get(f"{code}_{part}", "") for part, _ in STATE_PARTS}
        if any(texts.values()):
            line.dimensions[code] = texts

    # Severity
    text = cell.get("severity", "")
    if not text:
        fail("severity", "", "Missing: severity is required (a whole number from 0 to 5)")
    else:
        try:
            number_value = Decimal(text)
        except InvalidOperation:
            fail("severity", text, "Not a number: severity is a whole number from 0 to 5")
        else:
            if not number_value.is_finite() or number_value != number_value.to_integral_value():
                fail("severity", text, "Not a whole number: severity is a whole number from 0 to 5")
            elif not 0 <= number_value <= 5:
                fail("severity", text, "Severity out of range: it must be from 0 to 5")
            else:
                line.severity = int(number_value)

    # Period: a wave of this programme, or dates
    wave_text = cell.get("wave", "")
    if wave_text:
        line.wave = lookups.waves.get(wave_text.strip().lower())
        if line.wave is None:
            fail("wave", wave_text, "Unknown wave: it must be the name of a rollout wave of this programme")
        for column in ("weeks_before_go_live", "weeks_after_go_live"):
            weeks_text = cell.get(column, "")
            if not weeks_text:
                continue
            try:
                weeks = Decimal(weeks_text)
            except InvalidOperation:
                weeks = Decimal("NaN")
            if not weeks.is_finite() or weeks != weeks.to_integral_value() or weeks < 0:
                fail(column, weeks_text, "Not a whole number of weeks (0 or more)")
            elif weeks > MAX_WEEKS:
                fail(column, weeks_text, f"Too many weeks: at most {MAX_WEEKS}")
            else:
                setattr(line, column, int(weeks))
        if line.weeks_before_go_live + line.weeks_after_go_live == 0:
            fail("weeks_after_go_live", cell.get("weeks_after_go_live", ""), "No period: give at least one week before or after go-live")
    else:
        dates: dict[str, dt.date | None] = {}
        for column in ("start_date", "end_date"):
            date_text = cell.get(column, "")
            if not date_text:
                fail(column, "", "Missing: give start_date and end_date, or a wave")
                continue
            parsed, reason = parse_date(date_text)
            if parsed is None:
                fail(column, date_text, reason)
            dates[column] = parsed
        line.start_date, line.end_date = dates.get("start_date"), dates.get("end_date")
        if line.start_date and line.end_date and line.end_date < line.start_date:
            fail("end_date", cell.get("end_date", ""), "End date is before the start date")

    # Hours, mitigations, owner
    hours_text = cell.get("hours_per_person", "")
    if hours_text:
        try:
            hours = Decimal(hours_text.replace(",", "."))
        except InvalidOperation:
            fail("hours_per_person", hours_text, "Not a number of hours")
        else:
            if not hours.is_finite():
                fail("hours_per_person", hours_text, "Not a number of hours")
            elif hours < 0:
                fail("hours_per_person", hours_text, "Negative hours: hours per person cannot be negative")
            elif hours > MAX_HOURS:
                fail("hours_per_person", hours_text, f"Too many hours: at most {MAX_HOURS}")
            else:
                line.hours_per_person = hours.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    line.mitigations = cell.get("mitigations", "")
    line.owner = cell.get("owner", "")
    if len(line.owner) > _OWNER_MAX:
        fail("owner", line.owner, f"Too long: at most {_OWNER_MAX} characters")

    line.ok = not problems
    return line, problems


def _impacted(line: LineRow) -> int:
    """People in post the line would impact now (the preview's headcount)."""
    if not line.units:
        return 0
    q = reduce(or_, (Q(unit__path__startswith=u.path) for u in line.units))
    if line.roles:
        q &= Q(role__in=line.roles)
    if line.rank_grades:
        q &= Q(rank_grade__in=[r.pk for r in line.rank_grades])
    return Staff.objects.current().filter(q).count()


class ImpactImporter(Importer[ImpactImportReport]):
    """Impact lines into a draft assessment (the target): the columns and
    row rules; the pipeline is `core.importing`. Every line is written
    through `services.line_save`, so it is validated and audited like the
    line form."""

    kind = PendingUpload.Kind.IMPACT_LINES
    label = "Impact import"
    report_class = ImpactImportReport
    refused_error = ImpactImportRefused
    target_model = ImpactAssessment
    columns = ALL_COLUMNS
    target: ImpactAssessment

    def map_columns(self, sheet: Sheet, report: ImpactImportReport) -> dict[str, int]:
        columns = super().map_columns(sheet, report)
        report.used_columns = [sheet.headers[i] for i in sorted(columns.values())]
        report.ignored_columns = [h for i, h in enumerate(sheet.headers) if h and i not in columns.values()]
        self.present = set(columns)
        return columns

    def missing_columns(self, columns: dict[str, int]) -> list[Problem]:
        return _missing_columns(set(columns))

    def prepare(self, sheet: Sheet, columns: dict[str, int]) -> None:
        self.lookups = _Lookups(self.target)

    def check_row(self, number: int, cell: dict[str, str]) -> tuple[LineRow, list[Problem]]:
        return _check_row(number, cell, self.present, self.lookups)

    def accept(self, report: ImpactImportReport, row: LineRow) -> None:
        report.lines.append(row)

    def sample_rows(self) -> tuple[list[str], list[list[str]]]:
        return sample_rows(self.target)

    def column_help(self) -> tuple[tuple[str, str, str], ...]:
        return COLUMN_HELP

    def describe(self, report: ImpactImportReport) -> None:
        for line in report.lines[:PREVIEW_LINES]:
            line.headcount = _impacted(line)

    def lock(self) -> None:
        self.target = ImpactAssessment.objects.select_for_update().get(pk=self.target.pk)
        if not self.target.editable:
            raise ValidationError("Lines can only be imported into a draft. This assessment is no longer a draft.")

    def write(self, report: ImpactImportReport, *, actor: Any) -> None:
        for line in report.lines:
            try:
                services.line_save(assessment=self.target, actor=actor, units=line.units, rank_grades=line.rank_grades,
                                   dimensions=line.dimensions, **line.service_fields())
            except ValidationError as exc:
                # The service's own checks agree with the row checks; anything
                # it still refuses is reported against the row, not a crash.
                reasons = exc.message_dict if hasattr(exc, "error_dict") else {"title": exc.messages}
                for column, messages in reasons.items():
                    for message in messages:
                        report.problems.append(Problem(line.row, column, "", message))
                line.ok = False
                report.valid -= 1
                report.invalid += 1
                if not report.skip_invalid:
                    raise ImpactImportRefused(report)
                continue
            report.created += 1
        if not report.created:
            raise ImpactImportRefused(report)

    def record(self, report: ImpactImportReport, *, actor: Any, filename: str, import_id: str, skip_invalid: bool) -> None:
        audit.record(actor=actor, action="import", obj=self.target,
                     after={**report.counts(), "import": import_id, "skip_invalid": skip_invalid, "problems": len(report.problems)})


def preview(data: bytes, filename: str = "", *, assessment: ImpactAssessment, skip_invalid: bool = False) -> ImpactImportReport:
    """Check the file and say what a commit would add. Writes nothing.
    Raises ImportFileError when the file is not a readable table."""
    return ImpactImporter(assessment).preview(data, filename, skip_invalid=skip_invalid)


def commit(data: bytes, filename: str = "", *, assessment: ImpactAssessment, actor: Any, skip_invalid: bool = False,
           import_id: str = "") -> ImpactImportReport:
    """Check the file again and add its lines to the draft, all or nothing.
    Raises ImpactImportRefused (having written nothing) when the file has
    errors and `skip_invalid` is false, or nothing in it is importable; a
    ValidationError when the assessment is no longer a draft."""
    return ImpactImporter(assessment).commit(data, filename, actor=actor, skip_invalid=skip_invalid, import_id=import_id)


def impact_import_stage(*, assessment: ImpactAssessment, data: bytes, filename: str, actor: Any) -> PendingUpload:
    """Keep an impact spreadsheet for `assessment` until its uploader has
    checked the preview."""
    return ImpactImporter(assessment).stage(data=data, filename=filename, actor=actor)


def impact_import_commit(*, pending: PendingUpload, actor: Any, skip_invalid: bool) -> ImpactImportReport:
    """Add a staged spreadsheet's lines to its assessment, once and only
    for its uploader."""
    return ImpactImporter.for_upload(pending).commit_pending(pending=pending, actor=actor, skip_invalid=skip_invalid)


# --------------------------------------------------------------------------
# Sample file


def sample_rows(assessment: ImpactAssessment) -> tuple[list[str], list[list[str]]]:
    """Headers and two example rows built from this force's own units,
    roles, ranks and this programme's waves, so the sample imports as it is."""
    units = list(Unit.objects.filter(depth__gte=UNIT_MIN_DEPTH, depth__lte=UNIT_MAX_DEPTH).order_by("-depth", "path")[:2])
    unit_path = units[0].full_path if units else "Force > Business group > Command"
    unit_code = units[-1].code if units else "U00010001"
    roles = sorted(known_roles().values())[:2] or ["Response officer"]
    rank = RankGrade.objects.order_by("kind", "order").first()
    wave = RolloutWave.objects.filter(programme=assessment.programme_id).order_by("go_live_date").first()
    today = timezone.localdate()
    headers = [*COLUMNS, "process_current", "process_future", "process_gap", "technology_gap"]
    rows = [
        ["New duty management system", unit_code, "", SEPARATOR.join(roles), rank.code if rank else "", "process;technology", "3",
         (today + dt.timedelta(days=28)).isoformat(), (today + dt.timedelta(days=55)).strftime("%d/%m/%Y"), "", "", "", "3.5",
         "Floor-walkers on every shift for two weeks", "Business change lead",
         "Duties planned on paper rotas", "Duties planned and swapped online", "Rota planners need training", "Self-service on phones"],
        ["Briefing on the new case file", "", unit_path, "", "", "policy", "1", "", "", wave.name if wave else "", "2", "1", "0.5",
         "Five-minute briefing at parade", "Local change champion", "", "", "", ""],
    ]
    if wave is None:
        rows[1][7:12] = [today.isoformat(), (today + dt.timedelta(days=13)).isoformat(), "", "", ""]
    return headers, rows


def sample_csv(assessment: ImpactAssessment) -> str:
    return csv_text(*sample_rows(assessment))
