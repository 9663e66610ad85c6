"""Crafted XLSX workbooks for the import bounds' tests (issue 17): small
zips that unpack to a great deal of XML, millions of cells or shared
strings, or a reference to the sheet's far corner.

Run as a script to measure how fast and in how much memory each is
refused (the figures in docs/performance.md):

    DJANGO_SETTINGS_MODULE=changeboard.settings .venv/bin/python -m changeboard.core.tests.workbooks
"""

from __future__ import annotations

import functools
import io
import zipfile
from collections.abc import Callable, Iterable

_MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    b"</Types>"
)
_RELS = (
    b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    b'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    b'<?xml version="1.0"?><workbook ' + _MAIN + b' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Staff" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    b'Target="worksheets/sheet1.xml"/>'
    b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    b'Target="sharedStrings.xml"/></Relationships>'
)
HEADER_ROW = b'<row r="1"><c r="A1" t="inlineStr"><is><t>staff_number</t></is></c></row>'


def workbook(sheet_rows: Iterable[bytes], *, shared_strings: Iterable[bytes] = (), dimension: bytes = b"") -> bytes:
    """An XLSX file whose first sheet's <sheetData> holds `sheet_rows` (XML)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/sharedStrings.xml", "w") as part:
            part.write(b"<sst " + _MAIN + b">")
            for piece in shared_strings:
                part.write(piece)
            part.write(b"</sst>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            part.write(b"<worksheet " + _MAIN + b">" + dimension + b"<sheetData>")
            for piece in sheet_rows:
                part.write(piece)
            part.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def _dense_rows(cells: int, per_row: int = 10) -> Iterable[bytes]:
    yield HEADER_ROW
    row = b"<row>" + b"<c><v>1</v></c>" * per_row + b"</row>"
    for _ in range(0, cells, per_row * 1000):
        yield row * 1000


@functools.cache
def many_cells(cells: int = 3_000_000) -> bytes:
    """Millions of cells (unpacked under the size limit): refused by counting."""
    return workbook(_dense_rows(cells))


@functools.cache
def huge_unpacked(megabytes: int = 150) -> bytes:
    """A sheet that unpacks to more XML than the limit: refused from the zip's directory."""
    return workbook(_dense_rows(megabytes * 1024 * 1024 // 15))


@functools.cache
def many_shared_strings(count: int = 2_000_000) -> bytes:
    return workbook([HEADER_ROW], shared_strings=(b"<si><t>x</t></si>" * 1000 for _ in range(count // 1000)))


@functools.cache
def far_corner() -> bytes:
    """Two cells, one in the sheet's last row and column: openpyxl would go
    through every row and column up to it."""
    return workbook([HEADER_ROW, b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'], dimension=b'<dimension ref="A1:XFD1048576"/>')


def small_staff_workbook(rows: int = 3) -> bytes:
    """A real (small) workbook an import accepts."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["staff_number", "first_name"])
    for number in range(rows):
        sheet.append([f"{100000 + number}", "Ann"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


CRAFTED: dict[str, Callable[[], bytes]] = {
    "3 million cells": many_cells,
    "150 MB unpacked": huge_unpacked,
    "2 million shared strings": many_shared_strings,
    "far corner (XFD1048576)": far_corner,
}


def main() -> None:  # pragma: no cover - the measuring script
    import resource
    import time
    import tracemalloc

    import django

    django.setup()
    from changeboard.core.tabular import ImportFileError, read_sheet

    for name, make in CRAFTED.items():
        data = make()
        unpacked = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        tracemalloc.start()
        started = time.perf_counter()
        try:
            read_sheet(data, "crafted.xlsx")
            outcome = "READ"
        except ImportFileError as exc:
            outcome = f"refused: {exc}"
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss_growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
        print(f"| {name} | {len(data) / 1024:,.0f} KB | {unpacked / 1024 / 1024:,.0f} MB | {seconds:.2f} s "
              f"| {peak / 1024 / 1024:.1f} MB | {rss_growth:.0f} MB | {outcome} |")


if __name__ == "__main__":  # pragma: no cover
    main()
