"""Reading spreadsheets for imports: CSV (UTF-8 with or without BOM, or
Windows-1252; comma, semicolon or tab) and XLSX, as text cells with the
spreadsheet's row numbers, plus the pieces every import's report shares
(problems by row and column, UK and ISO dates, header matching).

Each import (staff, impact lines, ...) builds its checks on these, so files
are read and problems reported the same way everywhere."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar


class ImportFileError(Exception):
    """The file cannot be read as a table at all (not CSV or XLSX, empty,
    no header row). Its message is safe to show: it names no cell values."""

# The preview page lists this many problems; the CSV report has all of them.
PROBLEMS_SHOWN = 500


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the file. `row` is the spreadsheet row number
    (the header is row 1); `column` an import column name."""

    row: int
    column: str
    value: str
    reason: str


@dataclass(slots=True)
class Sheet:
    """A file read into text cells, whatever its format."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]
    file_format: str
    encoding: str = ""
    delimiter: str = ""

    def describe(self) -> str:
        if self.file_format == "xlsx":
            return "Excel workbook (first sheet)"
        names = {",": "comma", ";": "semicolon", "\t": "tab"}
        return f"CSV, {self.encoding}, {names.get(self.delimiter, repr(self.delimiter))}-separated"

def read_sheet(data: bytes, filename: str = "") -> Sheet:
    """The file as header and rows of text, detecting XLSX or CSV and, for
    CSV, the encoding and delimiter."""
    name = filename.lower()
    if not data.strip():
        raise ImportFileError("The file is empty.")
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if name.endswith((".xlsx", ".xlsm")):
        raise ImportFileError("The file is not a valid Excel (XLSX) workbook.")
    if name.endswith(".xls") or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportFileError("Old Excel (.xls) files cannot be read. Save the file as XLSX or CSV and upload it again.")
    return _read_csv(data)


def _decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding's name. HR exports arrive as UTF-8 (often with
    Excel's byte-order mark) or as Windows-1252 from older systems; bytes
    that are not valid UTF-8 mean Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "UTF-8"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        # The five bytes cp1252 leaves undefined: read them as Latin-1.
        return data.decode("latin-1"), "Latin-1"


def _detect_delimiter(text: str) -> str:
    """Comma, semicolon (Excel in many European locales) or tab: whichever
    appears most often, outside quotes, in the header line."""
    counts = {",": 0, ";": 0, "\t": 0}
    quoted = False
    for char in text[:65536]:
        if char == '"':
            quoted = not quoted
        elif not quoted:
            if char in counts:
                counts[char] += 1
            elif char in "\r\n" and any(counts.values()):
                break
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] else ","


def _read_csv(data: bytes) -> Sheet:
    text, encoding = _decode(data)
    if "\x00" in text:
        raise ImportFileError("The file is not a CSV or XLSX file.")
    delimiter = _detect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise ImportFileError(f"The file could not be read as CSV ({exc}).")
    start = next((i for i, cells in enumerate(records) if any(c.strip() for c in cells)), None)
    if start is None:
        raise ImportFileError("The file has no header row.")
    headers = [c.strip() for c in records[start]]
    # Row numbers are spreadsheet row numbers: the header is row start + 1.
    rows = [
        (number, cells)
        for number, cells in enumerate(records[start + 1 :], start=start + 2)
        if any(cells) and (cells[0].strip() or "".join(cells).strip())
    ]
    return Sheet(headers, rows, "csv", encoding, delimiter)


def _cell_text(value: Any) -> str:
    """An XLSX cell as the text a CSV export would have held."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        # Staff numbers typed into Excel come back as floats.
        return str(int(value))
    return str(value)


def _read_xlsx(data: bytes) -> Sheet:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001  (zip, XML and openpyxl errors all mean "not a workbook")
        raise ImportFileError("The file is not a valid Excel (XLSX) workbook.") from exc
    try:
        if not workbook.worksheets:
            raise ImportFileError("The workbook has no sheets.")
        sheet = workbook.worksheets[0]
        headers: list[str] | None = None
        rows: list[tuple[int, list[str]]] = []
        for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
            cells = [_cell_text(v) for v in values]
            if not any(c.strip() for c in cells):
                continue
            if headers is None:
                headers = [c.strip() for c in cells]
                while headers and not headers[-1]:
                    headers.pop()
                continue
            rows.append((number, cells))
    finally:
        workbook.close()
    if headers is None:
        raise ImportFileError("The workbook's first sheet has no header row.")
    return Sheet(headers, rows, "xlsx")

def normalise_header(header: str) -> str:
    """Header matching ignores case, surrounding spaces, and treats inner
    spaces and hyphens as underscores ("Staff number" is staff_number)."""
    return re.sub(r"[\s\-]+", "_", header.strip().lower())

def problem_rows(problems: Iterable[Problem]) -> Iterator[tuple[int, str, str, str]]:
    for p in problems:
        yield (p.row, p.column, p.value, p.reason)


PROBLEM_HEADERS = ("row", "column", "value", "problem")


_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def parse_date(text: str) -> tuple[dt.date | None, str]:
    """A UK (dd/mm/yyyy) or ISO (yyyy-mm-dd) date, or the reason it is not one."""
    if match := _UK_DATE.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
    elif match := _ISO_DATE.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
    else:
        return None, "Not a date: use dd/mm/yyyy or yyyy-mm-dd"
    try:
        return dt.date(year, month, day), ""
    except ValueError:
        return None, "Not a real date: there is no such day"


@dataclass
class ImportReportBase:
    """What every import's preview or commit reports: rows read, valid and
    invalid, the problems, and whether the file is refused. Each import adds
    its own counts."""

    rows: int = 0
    valid: int = 0
    invalid: int = 0
    created: int = 0
    problems: list[Problem] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    file_description: str = ""
    skip_invalid: bool = False
    committed: bool = False
    # The file's headers the import read, for imports that list them.
    used_columns: list[str] | None = None

    # The preview's warning above the commit choice: how it names a file
    # with errors, and what the second choice does with its valid rows.
    valid_label: ClassVar[str] = "Valid rows"
    warning_head: ClassVar[str] = "This file has rows with errors"
    commit_verb: ClassVar[str] = "imports"

    def counts(self) -> dict[str, int]:
        return {"rows": self.rows, "valid": self.valid, "invalid": self.invalid, "created": self.created}

    def summary(self) -> str:
        """One sentence of counts, safe for messages and logs."""
        if self.committed:
            return f"Imported {self.created} of {self.rows} row{_s(self.rows)}{self.skipped_note()}."
        return f"Would import {self.valid} of {self.rows} row{_s(self.rows)}{self.skipped_note()}."

    @property
    def has_errors(self) -> bool:
        return bool(self.problems)

    @property
    def refused(self) -> bool:
        """Nothing may be written: columns missing, no valid rows, or errors
        without the explicit choice to import only the valid rows."""
        return bool(self.missing_columns) or not self.rows or not self.valid or (self.invalid > 0 and not self.skip_invalid)

    def error_summary(self) -> list[str]:
        """The preview's error summary, before the problems by reason."""
        if self.missing_columns:
            return ["The file is missing required columns: " + ", ".join(self.missing_columns)]
        if self.invalid:
            return [f"{self.invalid} of {self.rows} row{_s(self.rows)} ha{'s' if self.invalid == 1 else 've'} errors "
                    f"({len(self.problems)} problem{_s(len(self.problems))})"]
        return []

    @property
    def unimportable(self) -> bool:
        """Neither commit choice can import the file: its columns are wrong."""
        return bool(self.missing_columns)

    def commit_warning(self) -> str:
        """The warning above the commit choice, if any."""
        if self.unimportable:
            return "This file cannot be imported with either choice: correct its columns and upload it again."
        if self.invalid:
            return (f"{self.warning_head}. With the first choice nothing will be imported; the second {self.commit_verb} "
                    f"the {self.valid} valid row{_s(self.valid)}{self.skip_note_tail()}.")
        return ""

    def skip_note_tail(self) -> str:
        return " and skips the rest"

    def skipped_note(self) -> str:
        if self.invalid and self.skip_invalid:
            return f"; {self.invalid} row{'s' if self.invalid != 1 else ''} with errors skipped"
        return ""

    def refusal_message(self) -> str:
        if self.missing_columns:
            return "The file cannot be imported: required columns are missing (" + ", ".join(self.missing_columns) + ")."
        if not self.rows:
            return "The file cannot be imported: it has no data rows."
        if self.invalid and not self.skip_invalid:
            return (
                f"The file cannot be imported: {self.invalid} of {self.rows} rows {'has' if self.invalid == 1 else 'have'} errors "
                f"({len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}). "
                "Correct them, or import the valid rows only."
            )
        if not self.valid:
            return "The file cannot be imported: no row is valid."
        return "The file cannot be imported."


def _s(count: int) -> str:
    return "s" if count != 1 else ""


class ImportRefusedBase(Exception):
    """The commit was refused; `report` lists every problem found. Each
    import raises its own subclass."""

    def __init__(self, report: ImportReportBase, message: str = "") -> None:
        self.report = report
        super().__init__(message or report.refusal_message())
