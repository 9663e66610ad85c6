"""CSV (RFC 4180) and XLSX downloads with formula-injection guarding."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook

from .text import strip_illegal

# A spreadsheet treats a cell starting with these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def guard(value: Any) -> Any:
    """A value safe in a spreadsheet: text without the characters XLSX
    cannot hold (stored before input was cleaned, `core.text`), and
    neutralised when a spreadsheet would run it as a formula."""
    if value is None:
        return ""
    value = strip_illegal(value)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> StreamingHttpResponse:
    """Stream rows as CSV (CRLF line ends, minimal quoting, UTF-8 with BOM for Excel)."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")

    def lines() -> Iterable[str]:
        yield "\ufeff" + writer.writerow(list(headers))
        for row in rows:
            yield writer.writerow([_text(guard(v)) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _text(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def xlsx_bytes(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    ws.append(list(headers))
    for row in rows:
        ws.append([guard(_xlsx_value(v)) for v in row])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


def xlsx_response(filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    response = HttpResponse(
        xlsx_bytes(filename, headers, rows),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def export_response(fmt: str, filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse | StreamingHttpResponse:
    if fmt == "xlsx":
        return xlsx_response(filename, headers, rows)
    return csv_response(filename, headers, rows)
