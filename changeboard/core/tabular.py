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
import json
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .text import clean_text


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

    def to_bytes(self) -> bytes:
        """The sheet as compressed JSON, kept with a pending upload so the
        file is read once per upload, not on every preview page."""
        record = {"headers": self.headers, "rows": self.rows, "format": self.file_format, "encoding": self.encoding,
                  "delimiter": self.delimiter}
        return zlib.compress(json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 1)

    @classmethod
    def from_bytes(cls, data: bytes) -> Sheet:
        record = json.loads(zlib.decompress(data).decode("utf-8"))
        rows = [(int(number), [str(c) for c in cells]) for number, cells in record["rows"]]
        return cls([str(h) for h in record["headers"]], rows, str(record["format"]), str(record["encoding"]), str(record["delimiter"]))

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
    # Characters XLSX and PDF cannot hold are cleaned (core.text).
    text = clean_text(text)
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
        if "\x00" in value:
            raise ImportFileError("The file is not a valid Excel (XLSX) workbook: a cell holds a NUL character.")
        return clean_text(value)
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


# ----------------------------------------------------------------------
# Bounding a workbook before openpyxl loads it
#
# An XLSX file is a zip of XML: a 1 MB upload can hold hundreds of megabytes
# of XML, millions of shared strings (all of which openpyxl keeps in a list)
# or millions of cells. So the zip's directory (uncompressed sizes) and the
# XML (shared strings and cells, counted as they are decompressed a megabyte
# at a time, never held whole) are looked at first, and a workbook past a
# limit is refused before `load_workbook` sees it. While the first sheet is
# read, the cells openpyxl goes through (padding to a far column and empty
# rows up to a far row included) are counted against the same limit.


@dataclass(frozen=True, slots=True)
class WorkbookLimits:
    """The largest workbook an import reads (settings `IMPORT_MAX_UNCOMPRESSED_MB`,
    `IMPORT_MAX_CELLS`, `IMPORT_MAX_SHARED_STRINGS`)."""

    uncompressed_bytes: int
    cells: int
    shared_strings: int
    # Any one part other than worksheets and shared strings (styles, the
    # workbook, its relationships, themes): openpyxl parses these whole.
    other_part_bytes: int = 16 * 1024 * 1024
    parts: int = 10_000

    @classmethod
    def from_settings(cls) -> WorkbookLimits:
        from django.conf import settings

        return cls(
            uncompressed_bytes=int(getattr(settings, "IMPORT_MAX_UNCOMPRESSED_MB", 100)) * 1024 * 1024,
            cells=int(getattr(settings, "IMPORT_MAX_CELLS", 1_000_000)),
            shared_strings=int(getattr(settings, "IMPORT_MAX_SHARED_STRINGS", 1_000_000)),
        )


_CHUNK = 1024 * 1024
# A start tag longer than this is not a spreadsheet's.
_LONGEST_TAG = 64 * 1024
_ENDS = (b" ", b">", b"/", b"\t", b"\n", b"\r")


def _count_elements(piece: bytes, name: bytes, prefixed: re.Pattern[bytes]) -> int:
    """How many `name` start tags a piece of XML has, with or without a
    namespace prefix. Plain counting, not parsing: a megabyte takes a few
    milliseconds."""
    count = sum(piece.count(b"<" + name + end) for end in _ENDS)
    if b":" + name in piece:
        count += len(prefixed.findall(piece))
    return count


_PREFIXED_CELL = re.compile(rb"<[A-Za-z_][\w.\-]*:c[\s/>]")
_PREFIXED_SI = re.compile(rb"<[A-Za-z_][\w.\-]*:si[\s/>]")


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A part's XML in pieces that each end just before a `<`, so no tag is
    split between two pieces. Never more than the part's declared size:
    zipfile stops there (and a part that lies about its size fails its CRC)."""
    carry = b""
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            buffer = carry + chunk
            cut = buffer.rfind(b"<")
            if cut <= 0:
                carry, piece = (buffer, b"") if cut == 0 else (b"", buffer)
            else:
                carry, piece = buffer[cut:], buffer[:cut]
            if len(carry) > _LONGEST_TAG:
                raise ImportFileError("The file is not a valid Excel (XLSX) workbook.")
            if piece:
                yield piece
    if carry:
        yield carry


def _too_big(what: str) -> ImportFileError:
    return ImportFileError(
        f"The workbook is too large to import: {what}. Split it into smaller files, or save it as CSV and upload that."
    )


def _count_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: bytes, prefixed: re.Pattern[bytes], limit: int, what: str) -> None:
    count = 0
    for piece in _chunks(archive, info):
        count += _count_elements(piece, name, prefixed)
        if count > limit:
            raise _too_big(f"it has more than {limit:,} {what}")


_PREFIXED_ROW = re.compile(rb"<[A-Za-z_][\w.\-]*:row[\s/>]")
# References to a far row (7 digits or more) or a far column (3 letters:
# past ZZ), in a row's or a cell's `r`: rare in real files, so cheap to find.
_FAR_REF = re.compile(rb"r\s*=\s*[\"']\$?([A-Za-z]{0,3})\$?(\d{7,})|r\s*=\s*[\"']\$?([A-Za-z]{3})\$?\d")


# Digits as 0 and letters as a: a piece with no run of seven digits and no
# three letters before a digit has no far reference, found without a regex.
_SHAPES = bytes.maketrans(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", b"0" * 10 + b"a" * 52)


def _far_refs(piece: bytes) -> list[tuple[bytes, bytes, bytes]]:
    shapes = piece.translate(_SHAPES)
    if b"0000000" not in shapes and b"aaa0" not in shapes and b"aaa$0" not in shapes:
        return []
    return _FAR_REF.findall(piece)


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + char - 64
    return number


def _check_worksheet(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: WorkbookLimits) -> None:
    """Refuse a sheet with more cells than the limit, or whose furthest row
    or column would make openpyxl go through that many (it yields every
    empty row up to the furthest one, and pads rows to their last cell)."""
    cells = rows = far_row = far_column = 0
    for piece in _chunks(archive, info):
        cells += _count_elements(piece, b"c", _PREFIXED_CELL)
        rows += _count_elements(piece, b"row", _PREFIXED_ROW)
        if cells > limits.cells:
            raise _too_big(f"it has more than {limits.cells:,} cells in a sheet")
        for _, row_digits, column_letters in _far_refs(piece):
            if row_digits:
                far_row = max(far_row, int(row_digits))
            if column_letters:
                far_column = max(far_column, _column_number(column_letters))
        if far_row > limits.cells or far_column * max(rows, 1) > limits.cells:
            raise _too_big(f"a sheet reaches past {limits.cells:,} cells (a far row or column)")


def check_workbook(data: bytes, limits: WorkbookLimits | None = None) -> None:
    """Refuse (ImportFileError) a workbook whose XML, shared strings or
    cells go past the limits, without loading it: the zip's directory
    gives the uncompressed sizes, and the worksheets and shared strings are
    counted as they are decompressed, a megabyte at a time, stopping as
    soon as a limit is passed."""
    limits = limits or WorkbookLimits.from_settings()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ImportFileError("The file is not a valid Excel (XLSX) workbook.") from exc
    with archive:
        members = archive.infolist()
        if len(members) > limits.parts:
            raise _too_big(f"it has more than {limits.parts:,} parts")
        total = sum(info.file_size for info in members)
        if total > limits.uncompressed_bytes:
            raise _too_big(f"it unpacks to {total / 1024 / 1024:,.0f} MB, more than {limits.uncompressed_bytes // 1024 // 1024:,} MB")
        try:
            for info in members:
                name = info.filename.lower()
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    _check_worksheet(archive, info, limits)
                elif name == "xl/sharedstrings.xml":
                    _count_part(archive, info, b"si", _PREFIXED_SI, limits.shared_strings, "different texts")
                elif info.file_size > limits.other_part_bytes:
                    raise _too_big(f"its part {info.filename} unpacks to more than {limits.other_part_bytes // 1024 // 1024} MB")
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError, RuntimeError) as exc:
            raise ImportFileError("The file is not a valid Excel (XLSX) workbook.") from exc


def _read_xlsx(data: bytes) -> Sheet:
    from openpyxl import load_workbook

    limits = WorkbookLimits.from_settings()
    check_workbook(data, limits)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001  (zip, XML and openpyxl errors all mean "not a workbook")
        raise ImportFileError("The file is not a valid Excel (XLSX) workbook.") from exc
    try:
        if not workbook.worksheets:
            raise ImportFileError("The workbook has no sheets.")
        sheet = workbook.worksheets[0]
        # The sheet's own <dimension> is not trusted: openpyxl would pad
        # every row to its width. Rows are as wide as their last cell.
        sheet.reset_dimensions()
        headers: list[str] | None = None
        rows: list[tuple[int, list[str]]] = []
        # Cells gone through, padding and skipped empty rows included: a
        # cell far to the right or a row a million rows down costs as much.
        seen = 0
        for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
            seen += max(len(values), 1)
            if seen > limits.cells:
                raise _too_big(f"its first sheet reaches past {limits.cells:,} cells (row {number:,})")
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
