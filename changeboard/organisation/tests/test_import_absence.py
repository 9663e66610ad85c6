"""The HR staff import's optional `absent_until` column (long absence)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from changeboard.core import audit
from changeboard.core.models import AuditEntry
from changeboard.organisation import importing
from changeboard.organisation.models import Staff

from .test_import import person, to_csv, world_rows

WITH_ABSENCE = (*importing.COLUMNS, "absent_until")


def rows_with(**absences: str) -> list[dict[str, str]]:
    """The fixture's two people plus 300001, with absent_until by staff number."""
    rows = [*world_rows(), person("300001")]
    for row in rows:
        row["absent_until"] = absences.get(row["staff_number"], "")
    return rows


def test_the_column_is_optional_labelled_and_in_the_sample() -> None:
    assert "absent_until" in importing.ALL_COLUMNS and "absent_until" not in importing.REQUIRED_COLUMNS
    assert importing.COLUMN_LABELS["absent_until"] == "On leave until"
    headers, rows = importing.sample_rows()
    assert headers[-1] == "absent_until" and all(len(row) == len(headers) for row in rows)


def test_create_sets_absent_until_and_audits_it(world: Any) -> None:
    report = importing.commit(to_csv(rows_with(**{"300001": "31/07/2027"}), columns=WITH_ABSENCE), actor=None)
    assert (report.created, report.problems) == (1, [])
    new = Staff.objects.get(staff_number="300001")
    assert new.absent_until == dt.date(2027, 7, 31)
    entry = AuditEntry.objects.get(object_type="organisation.staff", action="create", object_id=str(new.pk))
    assert entry.after == audit.snapshot(new)
    assert entry.after is not None
    assert entry.after["absent_until"] == "2027-07-31"


def test_update_sets_changes_and_clears_absent_until(world: Any) -> None:
    importing.commit(to_csv(rows_with(), columns=WITH_ABSENCE), actor=None)

    report = importing.commit(to_csv(rows_with(**{"100001": "2027-01-15"}), columns=WITH_ABSENCE), actor=None)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    world.staff_in.refresh_from_db()
    assert world.staff_in.absent_until == dt.date(2027, 1, 15)
    entry = AuditEntry.objects.filter(object_type="organisation.staff", action="update", object_id=str(world.staff_in.pk)).latest("pk")
    assert entry.before is not None and entry.after is not None
    assert (entry.before["absent_until"], entry.after["absent_until"]) == (None, "2027-01-15")

    report = importing.commit(to_csv(rows_with(**{"100001": "20/02/2027"}), columns=WITH_ABSENCE), actor=None)
    assert (report.updated, report.unchanged) == (1, 2)
    world.staff_in.refresh_from_db()
    assert world.staff_in.absent_until == dt.date(2027, 2, 20)

    report = importing.commit(to_csv(rows_with(), columns=WITH_ABSENCE), actor=None)
    assert (report.updated, report.unchanged) == (1, 2)
    world.staff_in.refresh_from_db()
    assert world.staff_in.absent_until is None


@pytest.mark.parametrize(("value", "reason"), [("2027/01/31", "Not a date"), ("31/02/2027", "Not a real date"), ("soon", "Not a date")])
def test_a_bad_date_is_a_row_error(world: Any, value: str, reason: str) -> None:
    report = importing.preview(to_csv(rows_with(**{"300001": value}), columns=WITH_ABSENCE), "staff.csv")
    assert [(p.row, p.column, p.value) for p in report.problems] == [(4, "absent_until", value)]
    assert reason in report.problems[0].reason
    assert (report.valid, report.invalid) == (2, 1)
    with pytest.raises(importing.ImportRefused):
        importing.commit(to_csv(rows_with(**{"300001": value}), columns=WITH_ABSENCE), actor=None)
    assert not Staff.objects.filter(staff_number="300001").exists()


def test_reimporting_the_same_file_changes_nothing(world: Any) -> None:
    data = to_csv(rows_with(**{"100001": "31/12/2027", "300001": "2027-06-01"}), columns=WITH_ABSENCE)
    importing.commit(data, actor=None)
    before = AuditEntry.objects.count()
    report = importing.commit(data, actor=None)
    assert (report.created, report.updated, report.unchanged, report.changed) == (0, 0, 3, 0)
    assert report.summary().startswith("No changes")
    assert AuditEntry.objects.count() == before


def test_a_file_without_the_column_keeps_recorded_absences(world: Any) -> None:
    importing.commit(to_csv(rows_with(**{"100001": "31/12/2027"}), columns=WITH_ABSENCE), actor=None)
    report = importing.commit(to_csv(rows_with()), actor=None)
    assert (report.updated, report.unchanged) == (0, 3)
    world.staff_in.refresh_from_db()
    assert world.staff_in.absent_until == dt.date(2027, 12, 31)


def test_the_label_and_spelling_variants_are_read_as_the_column(world: Any) -> None:
    for header in ("On leave until", "Absent Until", "absent-until"):
        columns = (*importing.COLUMNS, header)
        rows = rows_with()
        rows[2][header] = "01/03/2027"
        report = importing.preview(to_csv(rows, columns=columns), "staff.csv")
        assert report.mapping["absent_until"] == header
        assert (report.created, report.problems) == (1, [])
