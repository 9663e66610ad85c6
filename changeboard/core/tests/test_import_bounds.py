"""XLSX workbooks bounded before openpyxl loads them (issue 17): the
unpacked size, the cells (and the far row or column openpyxl would pad up
to) and the shared strings, with limits from settings. Each import's upload
page refuses such a file through the shared reader (their own tests)."""

from __future__ import annotations

from typing import Any

import pytest

from changeboard.core import tabular
from changeboard.core.tabular import ImportFileError, Sheet, read_sheet

from . import workbooks

TOO_LARGE = "The workbook is too large to import"


@pytest.mark.parametrize("name", list(workbooks.CRAFTED))
def test_crafted_workbooks_are_refused_before_loading(name: str, monkeypatch: Any) -> None:
    import openpyxl.reader.excel

    def never(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("openpyxl must not load a workbook past the limits")

    monkeypatch.setattr(openpyxl.reader.excel, "load_workbook", never)
    monkeypatch.setattr(openpyxl, "load_workbook", never)
    data = workbooks.CRAFTED[name]()
    assert len(data) < 1024 * 1024  # each is under a megabyte
    with pytest.raises(ImportFileError, match=TOO_LARGE) as refused:
        read_sheet(data, "staff.xlsx")
    assert "Split it into smaller files" in str(refused.value)


def test_the_messages_say_which_limit() -> None:
    with pytest.raises(ImportFileError, match="unpacks to 161 MB, more than 100 MB"):
        read_sheet(workbooks.huge_unpacked(), "staff.xlsx")
    with pytest.raises(ImportFileError, match="more than 1,000,000 cells"):
        read_sheet(workbooks.many_cells(), "staff.xlsx")
    with pytest.raises(ImportFileError, match="more than 1,000,000 different texts"):
        read_sheet(workbooks.many_shared_strings(), "staff.xlsx")


def test_an_ordinary_workbook_is_read() -> None:
    sheet = read_sheet(workbooks.small_staff_workbook(3), "staff.xlsx")
    assert sheet.headers == ["staff_number", "first_name"] and len(sheet.rows) == 3


def test_the_limits_come_from_settings(settings: Any) -> None:
    data = workbooks.small_staff_workbook(10)
    settings.IMPORT_MAX_CELLS = 15
    with pytest.raises(ImportFileError, match="more than 15 cells"):
        read_sheet(data, "staff.xlsx")
    settings.IMPORT_MAX_CELLS = 1000
    settings.IMPORT_MAX_UNCOMPRESSED_MB = 0
    with pytest.raises(ImportFileError, match="it unpacks to"):
        read_sheet(data, "staff.xlsx")
    settings.IMPORT_MAX_UNCOMPRESSED_MB = 100
    settings.IMPORT_MAX_SHARED_STRINGS = 0
    shared = workbooks.workbook([workbooks.HEADER_ROW], shared_strings=[b"<si><t>a</t></si>"])
    with pytest.raises(ImportFileError, match="more than 0 different texts"):
        read_sheet(shared, "staff.xlsx")


def test_namespace_prefixes_do_not_hide_cells(settings: Any) -> None:
    settings.IMPORT_MAX_CELLS = 100
    rows = [b'<x:row r="%d">' % n + b"<x:c><x:v>1</x:v></x:c>" * 10 + b"</x:row>" for n in range(1, 20)]
    data = workbooks.workbook(rows)
    with pytest.raises(ImportFileError, match="more than 100 cells"):
        read_sheet(data, "staff.xlsx")


def test_padding_to_a_far_column_counts_while_reading(settings: Any) -> None:
    """A cell in column ZZ (702) on many rows: under the pre-check's far
    references, but openpyxl pads each row to it; the cells gone through
    are counted as the sheet is read."""
    settings.IMPORT_MAX_CELLS = 5000
    rows = [workbooks.HEADER_ROW] + [b'<row r="%d"><c r="ZZ%d"><v>1</v></c></row>' % (n, n) for n in range(2, 12)]
    with pytest.raises(ImportFileError, match="reaches past 5,000 cells"):
        read_sheet(workbooks.workbook(rows), "staff.xlsx")


def test_the_dimension_is_not_trusted_for_padding() -> None:
    """A stale or hostile <dimension> no longer widens every row."""
    data = workbooks.workbook([workbooks.HEADER_ROW, b'<row r="2"><c r="A2"><v>7</v></c></row>'], dimension=b'<dimension ref="A1:ZZ2"/>')
    sheet = read_sheet(data, "staff.xlsx")
    assert sheet.headers == ["staff_number"] and sheet.rows == [(2, ["7"])]


def test_a_sheet_round_trips_through_its_stored_form() -> None:
    sheet = Sheet(["a", "b"], [(2, ["1", "é"]), (4, ["", "x"])], "csv", "UTF-8", ";")
    again = Sheet.from_bytes(sheet.to_bytes())
    assert again == sheet and again.describe() == sheet.describe()


def test_check_workbook_refuses_a_broken_zip() -> None:
    with pytest.raises(ImportFileError, match="not a valid Excel"):
        tabular.check_workbook(b"PK\x03\x04broken")
