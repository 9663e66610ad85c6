"""Survey responses collected in another tool (a paper round typed up, an
online form) imported into a wave: check every row of a CSV or XLSX file,
preview what it would add, then commit it.

An `Importer` (`changeboard.core.importing`) like the staff and impact
imports, with only its columns and row rules here: nothing is written
until the commit; the
commit re-checks the file against the database as it is then; a file with
errors is refused whole unless its uploader chooses to import only the valid
rows; problems carry row, column and reason.

Anonymity as for responses through a personal link: each row becomes a
`Response` with only its unit and role group, the rows are written in a
random order, the file is dropped once imported, and the audit trail gets
one row for the whole import (the wave, the count and the file's name),
never one per response.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db.models import F

from changeboard.accounts.models import User
from changeboard.core import audit
from changeboard.core.importing import Importer, ImportFileError, ImportRefusedBase, ImportReportBase, Problem, Sheet, csv_text
from changeboard.core.models import PendingUpload
from changeboard.core.tabular import normalise_header
from changeboard.organisation.models import Unit

from .models import ANSWER_TEXT_MAX, Answer, AudienceCell, Question, Response, RoleGroup, SurveyWave
from .signals import responses_changed

# Re-exported for the pages, which read and report files the same way.
__all__ = ["FIXED_COLUMNS", "ImportFileError", "ResponseImportRefused", "ResponseImportReport", "ResponseImporter", "commit", "preview"]

FIXED_COLUMNS: tuple[str, ...] = ("unit_code", "role_group")
# Only a wave that has been sent has responses to add to.
IMPORTABLE = frozenset({SurveyWave.Status.OPEN, SurveyWave.Status.CLOSED})
NOT_IMPORTABLE = "Responses can only be imported into an open or closed wave. This wave is {status}."
NO_ANSWERS = "all questions"  # the column named by a row without any answer
BATCH_SIZE = 2000
PREVIEW_CELLS = 200  # unit and role group counts shown on the preview


class ResponseImportRefused(ImportRefusedBase):
    """The commit was refused; `report` lists every problem found."""

    report: ResponseImportReport


@dataclass(slots=True)
class ResponseRow:
    """One row's cleaned values: the response it would store."""

    row: int
    unit: Unit | None = None
    role_group: str = ""
    answers: dict[int, tuple[int | None, str]] = field(default_factory=dict)  # question pk -> (value, text)
    ok: bool = True


@dataclass
class ResponseImportReport(ImportReportBase):
    """What a preview found or a commit did. `created` counts responses.

    Besides the shared refusals (columns missing, row errors), a header
    repeated is always refused (which of its columns is right is for the
    file's owner to say), and unknown columns are refused unless the
    uploader chose to import only what is valid, when they are ignored."""

    answers: int = 0
    used_columns: list[str] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    duplicate_columns: list[str] = field(default_factory=list)
    responses: list[ResponseRow] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return super().refused or bool(self.duplicate_columns) or (bool(self.unknown_columns) and not self.skip_invalid)

    def refusal_message(self) -> str:
        if self.missing_columns:
            return super().refusal_message()
        if self.duplicate_columns:
            return "The file cannot be imported: these columns appear more than once (" + ", ".join(self.duplicate_columns) + ")."
        if self.unknown_columns and not self.skip_invalid:
            return (
                "The file cannot be imported: these columns are not questions of this wave ("
                + ", ".join(self.unknown_columns) + "). Correct them, or import the valid rows only and ignore those columns."
            )
        return super().refusal_message()

    commit_verb: ClassVar[str] = "adds"
    valid_label: ClassVar[str] = "Valid rows (responses that would be added)"
    warning_head: ClassVar[str] = "This file has problems"

    def error_summary(self) -> list[str]:
        items = ["The file is missing required columns: " + ", ".join(self.missing_columns)] if self.missing_columns else []
        if self.duplicate_columns:
            items.append("These columns appear more than once: " + ", ".join(self.duplicate_columns))
        if self.unknown_columns:
            items.append("These columns are not questions of this wave: " + ", ".join(self.unknown_columns))
        if not self.missing_columns:
            items += super().error_summary()
        return items

    @property
    def unimportable(self) -> bool:
        return bool(self.missing_columns) or bool(self.duplicate_columns)

    def commit_warning(self) -> str:
        if self.unknown_columns and not self.invalid and not self.unimportable:
            return (f"{self.warning_head}. With the first choice nothing will be imported; the second {self.commit_verb} "
                    f"the {self.valid} valid row{'s' if self.valid != 1 else ''}{self.skip_note_tail()}.")
        return super().commit_warning()

    def skip_note_tail(self) -> str:
        return ", skips the rest" + (" and ignores the unknown columns" if self.unknown_columns else "")

    def skipped_note(self) -> str:
        note = super().skipped_note()
        if self.unknown_columns and self.skip_invalid:
            note += "; unknown columns ignored (" + ", ".join(self.unknown_columns) + ")"
        return note

    def counts(self) -> dict[str, int]:
        return {"rows": self.rows, "valid": self.valid, "invalid": self.invalid, "created": self.created, "answers": self.answers}

    def cells(self) -> list[tuple[Unit, str, int]]:
        """Responses the valid rows would add, by unit and role group."""
        counts: Counter[tuple[int, str]] = Counter()
        units: dict[int, Unit] = {}
        for response in self.responses:
            assert response.unit is not None
            units[response.unit.pk] = response.unit
            counts[(response.unit.pk, response.role_group)] += 1
        labels = dict(RoleGroup.choices)
        rows = [(units[pk], str(labels.get(group, group)), n) for (pk, group), n in counts.items()]
        return sorted(rows, key=lambda r: (r[0].full_path, r[1]))

    def summary(self) -> str:
        verb = "Imported" if self.committed else "Would import"
        count = self.created if self.committed else self.valid
        head = (f"{verb} {count} response{'s' if count != 1 else ''} ({self.answers} answer{'s' if self.answers != 1 else ''}) "
                f"from {self.rows} row{'s' if self.rows != 1 else ''}")
        return head + self.skipped_note() + "."


# --------------------------------------------------------------------------
# What rows are checked against


def _role_groups() -> dict[str, str]:
    """Role group by its value or its name, in lower case."""
    groups: dict[str, str] = {}
    for value, label in RoleGroup.choices:
        groups[value.lower()] = value
        groups[" ".join(str(label).lower().split())] = value
    return groups


def _units_by_code() -> dict[str, Unit]:
    """Every unit of the organisation by lower-cased code: responses may
    come from anywhere, not only the wave's own audience."""
    return {unit.code.lower(): unit for unit in Unit.objects.only("pk", "code", "name", "full_path")}


def _accepted(question: Question) -> str:
    """What a question's column accepts, in words."""
    if question.kind == Question.Kind.TEXT:
        return f"Free text, at most {ANSWER_TEXT_MAX} characters"
    low, high = question.value_range() or (0, 0)
    if question.kind == Question.Kind.CHOICE:
        return f"A whole number from {low} to {high}, or the option's text: " + "; ".join(
            f"{n} = {text}" for n, text in enumerate(question.choices, start=1))
    scale = "1 = strongly disagree, 5 = strongly agree" if question.kind == Question.Kind.LIKERT else "0 = not at all, 10 = completely"
    return f"A whole number from {low} to {high} ({scale})"


def column_help(wave: SurveyWave) -> list[tuple[str, str, str, str]]:
    """(column, what it holds, what it accepts, required) for the upload page."""
    groups = "; ".join(f"{value} or {label}" for value, label in RoleGroup.choices)
    rows = [
        ("unit_code", "The respondent's unit", "The code of any unit in the organisation, not only the wave's audience", "Yes"),
        ("role_group", "The respondent's role group", f"Its value or its name, any case: {groups}", "Yes"),
    ]
    for question in wave.instrument.ordered_questions():
        rows.append((question.code, question.text, _accepted(question), "No: leave blank for a skipped question"))
    return rows


# --------------------------------------------------------------------------
# Checking


def _letter(index: int) -> str:
    """A spreadsheet column letter for a 0-based position (A, B, ... AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@dataclass(slots=True)
class _Columns:
    fixed: dict[str, int]  # unit_code / role_group -> position
    questions: list[tuple[Question, int]]  # each question found, with its position
    unknown: list[str]
    duplicates: list[Problem]
    missing: list[Problem]


def _match_columns(sheet: Sheet, questions: list[Question]) -> _Columns:
    """Where each column is. Headers ignore case, surrounding spaces, and
    spaces or hyphens for underscores; a question code matches as written
    first, then normalised. The first of a repeated header is checked (a
    file with one is refused anyway)."""
    exact = {q.code.strip().lower(): q for q in questions}
    normalised: dict[str, Question] = {}
    question: Question | None
    for question in questions:
        normalised.setdefault(normalise_header(question.code), question)
    fixed: dict[str, int] = {}
    found: dict[int, int] = {}  # question pk -> position
    by_pk = {q.pk: q for q in questions}
    positions: defaultdict[str, list[int]] = defaultdict(list)
    unknown: list[str] = []
    for index, header in enumerate(sheet.headers):
        if not header.strip():
            continue
        name = normalise_header(header)
        if name in FIXED_COLUMNS:
            positions[name].append(index)
            fixed.setdefault(name, index)
            continue
        question = exact.get(header.strip().lower()) or normalised.get(name)
        if question is None:
            if header.strip() not in unknown:
                unknown.append(header.strip())
            continue
        positions[question.code].append(index)
        found.setdefault(question.pk, index)
    duplicates = [
        Problem(1, column, " and ".join(sheet.headers[i].strip() for i in at),
                f"Duplicate column: it appears {len(at)} times, in columns " + ", ".join(_letter(i) for i in at))
        for column, at in positions.items() if len(at) > 1
    ]
    missing = [Problem(1, column, "", f"Missing column: the file must have a {column} column") for column in FIXED_COLUMNS if column not in fixed]
    ordered = sorted(((by_pk[pk], at) for pk, at in found.items()), key=lambda item: item[1])
    return _Columns(fixed, ordered, unknown, duplicates, missing)


def _check_answer(question: Question, text: str) -> tuple[tuple[int | None, str] | None, str]:
    """The stored (value, text) for a cell, or the reason it is not valid."""
    if question.kind == Question.Kind.TEXT:
        if len(text) > ANSWER_TEXT_MAX:
            return None, f"Too long: at most {ANSWER_TEXT_MAX} characters (this has {len(text)})"
        return (None, text), ""
    low, high = question.value_range() or (0, 0)
    if question.kind == Question.Kind.CHOICE:
        wanted = " ".join(text.lower().split())
        for position, option in enumerate(question.choices, start=1):
            if " ".join(str(option).lower().split()) == wanted:
                return (position, ""), ""
    expected = f"give a whole number from {low} to {high}" + (" or an option's text" if question.kind == Question.Kind.CHOICE else "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        reason = "Not one of the options" if question.kind == Question.Kind.CHOICE else "Not a number"
        return None, f"{reason}: {expected}"
    if not number.is_finite() or number != number.to_integral_value():
        return None, f"Not a whole number: {expected}"
    if not low <= number <= high:
        return None, f"Out of range: {expected}"
    return (int(number), ""), ""


def _check_row(number: int, cell: dict[str, str], questions: list[Question], units: dict[str, Unit],
               groups: dict[str, str]) -> tuple[ResponseRow, list[Problem]]:
    response = ResponseRow(row=number)
    problems: list[Problem] = []

    def fail(column: str, value: str, reason: str) -> None:
        problems.append(Problem(number, column, value, reason))

    code = cell["unit_code"]
    if not code:
        fail("unit_code", "", "Missing: every response needs a unit code")
    else:
        response.unit = units.get(code.lower())
        if response.unit is None:
            fail("unit_code", code, "Unknown unit: no unit in the organisation has this code")

    group_text = cell["role_group"]
    if not group_text:
        fail("role_group", "", "Missing: every response needs a role group")
    else:
        response.role_group = groups.get(" ".join(group_text.lower().split()), "")
        if not response.role_group:
            fail("role_group", group_text, "Unknown role group: use " + ", ".join(RoleGroup.values) + ", or their names")

    given = 0
    for question in questions:
        text = cell[question.code]
        if not text:
            continue
        given += 1
        answer, reason = _check_answer(question, text)
        if answer is None:
            fail(question.code, text, reason)
        else:
            response.answers[question.pk] = answer
    if not given:
        fail(NO_ANSWERS, "", "No answers: every question on this row is blank")

    response.ok = not problems
    return response, problems


# --------------------------------------------------------------------------
# Commit


def _count_imported(wave: SurveyWave, responses: list[ResponseRow]) -> None:
    """Add the responses to the wave's counts per unit and role group,
    making the cells the wave was never sent to (nobody invited there)."""
    counts: Counter[tuple[int, str]] = Counter()
    for response in responses:
        assert response.unit is not None
        counts[(response.unit.pk, response.role_group)] += 1
    existing = {(c.unit_id, c.role_group): c.pk for c in AudienceCell.objects.select_for_update().filter(wave=wave)}
    by_increment: defaultdict[int, list[int]] = defaultdict(list)
    new: list[AudienceCell] = []
    for (unit_id, group), n in counts.items():
        pk = existing.get((unit_id, group))
        if pk is None:
            new.append(AudienceCell(wave=wave, unit_id=unit_id, role_group=group, invited=0, imported=n))
        else:
            by_increment[n].append(pk)
    for n, pks in by_increment.items():
        for start in range(0, len(pks), BATCH_SIZE):
            AudienceCell.objects.filter(pk__in=pks[start:start + BATCH_SIZE]).update(imported=F("imported") + n)
    AudienceCell.objects.bulk_create(new, batch_size=BATCH_SIZE)


class ResponseImporter(Importer[ResponseImportReport]):
    """Responses into an open or closed wave (the target): the columns (the
    wave's questions) and row rules; the pipeline is `core.importing`."""

    kind = PendingUpload.Kind.SURVEY_RESPONSES
    label = "Response import"
    report_class = ResponseImportReport
    refused_error = ResponseImportRefused
    target_model = SurveyWave
    target: SurveyWave

    def map_columns(self, sheet: Sheet, report: ResponseImportReport) -> dict[str, int]:
        questions = self.target.instrument.ordered_questions()
        columns = _match_columns(sheet, questions)
        used = sorted([*columns.fixed.values(), *(at for _, at in columns.questions)])
        report.used_columns = [sheet.headers[i] for i in used]
        report.unknown_columns = columns.unknown
        report.duplicate_columns = [p.column for p in columns.duplicates]
        if columns.unknown:
            codes = ", ".join(q.code for q in questions)
            report.problems.append(Problem(1, "header", ", ".join(columns.unknown),
                                           f"Unknown columns: not unit_code, role_group or a question of this wave ({codes})"))
        report.problems += columns.duplicates
        self.missing = columns.missing
        self.questions = [question for question, _ in columns.questions]
        return {**{q.code: at for q, at in columns.questions}, **columns.fixed}

    def missing_columns(self, columns: dict[str, int]) -> list[Problem]:
        return self.missing

    def prepare(self, sheet: Sheet, columns: dict[str, int]) -> None:
        self.units, self.groups = _units_by_code(), _role_groups()

    def check_row(self, number: int, cell: dict[str, str]) -> tuple[ResponseRow, list[Problem]]:
        return _check_row(number, cell, self.questions, self.units, self.groups)

    def accept(self, report: ResponseImportReport, row: ResponseRow) -> None:
        report.answers += len(row.answers)
        report.responses.append(row)

    def sample_rows(self) -> tuple[list[str], list[list[str]]]:
        return sample_rows(self.target)

    def column_help(self) -> list[tuple[str, str, str, str]]:
        return column_help(self.target)

    def lock(self) -> None:
        self.target = SurveyWave.objects.select_for_update().select_related("instrument").get(pk=self.target.pk)
        if self.target.status not in IMPORTABLE:
            raise ValidationError(NOT_IMPORTABLE.format(status=self.target.get_status_display().lower()))

    def write(self, report: ResponseImportReport, *, actor: Any) -> None:
        rows = list(report.responses)
        random.shuffle(rows)  # the database keeps no trace of the file's order
        responses = [Response(wave=self.target, unit=row.unit, role_group=row.role_group, source=Response.Source.IMPORT) for row in rows]
        Response.objects.bulk_create(responses, batch_size=BATCH_SIZE)
        Answer.objects.bulk_create(
            [Answer(response=response, question_id=pk, value=value, text=text)
             for response, row in zip(responses, rows, strict=True) for pk, (value, text) in row.answers.items()],
            batch_size=BATCH_SIZE,
        )
        _count_imported(self.target, rows)
        report.created = len(responses)

    def record(self, report: ResponseImportReport, *, actor: Any, filename: str, import_id: str, skip_invalid: bool) -> None:
        # One row for the whole import: per-response rows would time and trace each one.
        audit.record(actor=actor, action="import", obj=self.target, after={"responses": report.created, "file": filename})

    def after_commit(self, report: ResponseImportReport) -> None:
        responses_changed.send(sender=Response, wave_ids=[self.target.pk])


def preview(data: bytes, filename: str = "", *, wave: SurveyWave, skip_invalid: bool = False) -> ResponseImportReport:
    """Check the file and say what a commit would add. Writes nothing.
    Raises ImportFileError when the file is not a readable table."""
    return ResponseImporter(wave).preview(data, filename, skip_invalid=skip_invalid)


def commit(data: bytes, filename: str = "", *, wave: SurveyWave, actor: User | None, skip_invalid: bool = False) -> ResponseImportReport:
    """Check the file again and store its responses, all or nothing.
    Raises ResponseImportRefused (having written nothing) when the file has
    errors and `skip_invalid` is false, or nothing in it is importable; a
    ValidationError when the wave is not open or closed."""
    return ResponseImporter(wave).commit(data, filename, actor=actor, skip_invalid=skip_invalid)


def response_import_stage(*, wave: SurveyWave, data: bytes, filename: str, actor: User | None) -> PendingUpload:
    """Keep a file of responses for `wave` until its uploader has checked
    the preview."""
    return ResponseImporter(wave).stage(data=data, filename=filename, actor=actor)


def response_import_commit(*, pending: PendingUpload, actor: User | None, skip_invalid: bool) -> ResponseImportReport:
    """Import a staged file of responses into its wave, once and only for
    its uploader."""
    return ResponseImporter.for_upload(pending).commit_pending(pending=pending, actor=actor, skip_invalid=skip_invalid)


# --------------------------------------------------------------------------
# Template file


def _example(question: Question) -> str:
    if question.kind == Question.Kind.LIKERT:
        return "4"
    if question.kind == Question.Kind.SCALE:
        return "7"
    if question.kind == Question.Kind.CHOICE:
        return str(question.choices[0]) if question.choices else "1"
    return "More time to practise before go-live"


def sample_rows(wave: SurveyWave) -> tuple[list[str], list[list[str]]]:
    """The columns this wave's file needs and one example row, with one of
    the wave's own units (or any unit) so the example imports as it is."""
    questions = wave.instrument.ordered_questions()
    unit = wave.units.order_by("path").first() or Unit.objects.order_by("-depth", "path").first()
    headers = [*FIXED_COLUMNS, *(q.code for q in questions)]
    row = [unit.code if unit else "U0001", RoleGroup.OFFICER.value, *(_example(q) for q in questions)]
    return headers, [row]


def sample_csv(wave: SurveyWave) -> str:
    return csv_text(*sample_rows(wave))
