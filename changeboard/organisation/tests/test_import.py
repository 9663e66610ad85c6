"""The HR staff import service and the import_staff command."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import Workbook

from changeboard.core import audit
from changeboard.core.models import AuditEntry
from changeboard.organisation import importing
from changeboard.organisation.importing import COLUMNS
from changeboard.organisation.models import ImportColumnMapping, Staff, Unit

TEAM = "Test Force > Frontline Policing > Central West BCU > Westminster > Response Team 1"
CAMDEN = "Test Force > Frontline Policing > North BCU > Camden"
NEW_TEAM = "Test Force > Frontline Policing > Central West BCU > Westminster > Response Team 2"


def person(number: str, **values: str) -> dict[str, str]:
    row = {
        "staff_number": number,
        "first_name": "Robin",
        "last_name": f"Person{number}",
        "email": f"p{number}@example.police.uk",
        "unit_path": TEAM,
        "role": "Response officer",
        "rank_or_grade": "PC",
        "location": "Charing Cross",
        "shift_pattern": "Response rota",
        "line_manager_staff_number": "",
        "start_date": "01/02/2020",
        "leave_date": "",
    }
    row.update(values)
    return row


def to_csv(rows: list[dict[str, str]], *, columns: tuple[str, ...] | list[str] = COLUMNS, delimiter: str = ",",
           encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return buffer.getvalue().encode(encoding)


def world_rows() -> list[dict[str, str]]:
    """The fixture's two people, as the HR file lists them today."""
    return [
        person("100001", first_name="Alex", last_name="Inscope", location="", shift_pattern="", start_date=""),
        person("200001", first_name="Blair", last_name="Outscope", unit_path=CAMDEN, location="", shift_pattern="", start_date=""),
    ]


def write(tmp_path: Path, data: bytes, name: str = "staff.csv") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def problems_of(report: importing.ImportReport) -> set[tuple[int, str]]:
    return {(p.row, p.column) for p in report.problems}


# --------------------------------------------------------------------------
# Every kind of bad input: the right row, column and reason


BAD_CELLS = [
    ("email", "not-an-email", "Not a valid email address"),
    ("start_date", "2024/01/31", "Not a date"),
    ("start_date", "31/02/2024", "Not a real date"),
    ("leave_date", "2024-02-30", "Not a real date"),
    ("rank_or_grade", "Grand Poobah", "Unknown rank or grade"),
    ("line_manager_staff_number", "999999", "Line manager not found"),
    ("unit_path", "Test Force >  > Somewhere", "empty unit name"),
    ("unit_path", "Test Force > Frontline Policing >", "empty unit name"),
    ("unit_path", " > ".join(["Test Force"] + [f"Level {n}" for n in range(2, 10)]), "9 levels deep"),
    ("unit_path", "Test Force > " + "x" * 121, "longer than 120 characters"),
    ("unit_path", "Another Force > Somewhere", "must be 'Test Force'"),
    ("last_name", "", "Missing"),
    ("unit_path", "", "Missing"),
    ("staff_number", "1" * 21, "Too long"),
]


@pytest.mark.parametrize(("column", "value", "reason"), BAD_CELLS)
def test_each_bad_cell_is_reported_by_row_column_and_reason(world: Any, column: str, value: str, reason: str) -> None:
    rows = [*world_rows(), person("300001"), person("300002", **{column: value}), person("300003")]
    report = importing.preview(to_csv(rows), "staff.csv")
    # Header is row 1, so the fourth person is row 5.
    matching = [p for p in report.problems if p.row == 5 and p.column == column]
    assert matching, report.problems
    assert reason in matching[0].reason
    assert matching[0].value == value.strip()
    assert report.invalid == 1 and report.valid == 4
    assert all(p.row == 5 for p in report.problems)


def test_leave_date_before_start_date(world: Any) -> None:
    report = importing.preview(to_csv([person("300001", start_date="01/02/2024", leave_date="2024-01-31")]))
    assert [(p.row, p.column, p.reason) for p in report.problems] == [(2, "leave_date", "Leave date is before the start date")]


def test_missing_required_column(world: Any) -> None:
    columns = [c for c in COLUMNS if c != "first_name"]
    report = importing.preview(to_csv([person("300001")], columns=columns))
    assert report.needs_mapping
    assert [(p.row, p.column) for p in report.problems] == [(1, "first_name")]
    assert "Required column is missing" in report.problems[0].reason


def test_duplicate_staff_number_flags_every_occurrence(world: Any) -> None:
    rows = [person("300001"), person("300002"), person("300001", first_name="Other")]
    report = importing.preview(to_csv(rows))
    assert problems_of(report) == {(2, "staff_number"), (4, "staff_number")}
    assert "also on row 4" in report.problems[0].reason
    assert report.valid == 1


def test_line_manager_may_be_in_the_file_or_the_database(world: Any) -> None:
    rows = [*world_rows(), person("300001", line_manager_staff_number="300002"), person("300002", line_manager_staff_number="100001")]
    report = importing.preview(to_csv(rows))
    assert report.problems == []


def test_own_line_manager_is_an_error(world: Any) -> None:
    report = importing.preview(to_csv([person("300001", line_manager_staff_number="300001")]))
    assert [p.reason for p in report.problems] == ["A person cannot be their own line manager"]


def test_rank_matches_name_or_code_ignoring_case(world: Any) -> None:
    rows = [person("300001", rank_or_grade="police constable"), person("300002", rank_or_grade="ps"), person("300003", rank_or_grade="Band E")]
    report = importing.preview(to_csv(rows))
    assert report.problems == []


def test_uk_and_iso_dates_are_both_read(world: Any) -> None:
    rows = [person("300001", start_date="05/04/2021"), person("300002", start_date="2021-04-05")]
    importing.commit(to_csv(rows), actor=None, skip_invalid=True)
    assert set(Staff.objects.filter(staff_number__in=["300001", "300002"]).values_list("start_date", flat=True)) == {dt.date(2021, 4, 5)}


def test_two_top_level_names_with_no_tree_yet(db: Any) -> None:
    rows = [person("1", unit_path="Force A > Team"), person("2", unit_path="Force A > Team 2"), person("3", unit_path="Force B > Team")]
    report = importing.preview(to_csv(rows))
    assert problems_of(report) == {(4, "unit_path")}
    assert "must be 'Force A'" in report.problems[0].reason


def test_unknown_columns_are_ignored_with_a_warning(world: Any) -> None:
    columns = [*COLUMNS, "payroll_ref"]
    report = importing.preview(to_csv([person("300001", payroll_ref="X1")], columns=columns))
    assert report.problems == []
    assert any("payroll_ref" in w for w in report.warnings)


def test_headers_ignore_case_spaces_and_order(world: Any) -> None:
    columns = ["  Staff_Number ", "LAST_NAME", "First Name", "unit_path"]
    data = to_csv([], columns=columns) + b"300001,Person,Robin," + TEAM.encode() + b"\r\n"
    report = importing.commit(data, actor=None)
    assert report.created == 1
    assert Staff.objects.get(staff_number="300001").first_name == "Robin"


# --------------------------------------------------------------------------
# File formats


def test_utf8_with_bom(world: Any) -> None:
    data = b"\xef\xbb\xbf" + to_csv([*world_rows(), person("300001", first_name="Zoë")])
    report = importing.commit(data, actor=None)
    assert report.created == 1
    assert Staff.objects.get(staff_number="300001").first_name == "Zoë"


def test_windows_1252(world: Any) -> None:
    data = to_csv([*world_rows(), person("300001", first_name="Renée", last_name="D’Arcy")], encoding="cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    report = importing.commit(data, actor=None)
    assert report.created == 1
    assert "Windows-1252" in report.file_description
    person_row = Staff.objects.get(staff_number="300001")
    assert (person_row.first_name, person_row.last_name) == ("Renée", "D’Arcy")


def test_semicolon_delimiter(world: Any) -> None:
    data = to_csv([*world_rows(), person("300001", shift_pattern="Earlies, lates")], delimiter=";")
    report = importing.commit(data, actor=None)
    assert "semicolon" in report.file_description
    assert Staff.objects.get(staff_number="300001").shift_pattern == "Earlies, lates"


def test_xlsx(world: Any) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(COLUMNS))
    for row in world_rows():
        sheet.append([row[c] for c in COLUMNS])
    # Numbers and dates typed into Excel arrive as numbers and datetimes.
    sheet.append([300001, "Robin", "Excel", "", TEAM, "", "PC", "", "", 100001, dt.datetime(2020, 2, 1), None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = importing.commit(buffer.getvalue(), "staff.xlsx", actor=None)
    assert report.created == 1, report.problems
    created = Staff.objects.get(staff_number="300001")
    assert created.start_date == dt.date(2020, 2, 1)
    assert created.line_manager is not None and created.line_manager.staff_number == "100001"


@pytest.mark.parametrize(("data", "name"), [(b"", "a.csv"), (b"PK\x03\x04garbage", "a.xlsx"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1xx", "old.xls")])
def test_unreadable_files(db: Any, data: bytes, name: str) -> None:
    with pytest.raises(importing.ImportFileError):
        importing.preview(data, name)


# --------------------------------------------------------------------------
# Commit: upsert, leavers, re-import, audit


def test_commit_creates_people_units_line_managers_and_audit(world: Any) -> None:
    before = AuditEntry.objects.count()
    rows = [
        *world_rows(),
        person("300001", unit_path=NEW_TEAM, line_manager_staff_number="300002"),  # manager later in the file
        person("300002", unit_path=NEW_TEAM, line_manager_staff_number="100001"),  # manager already known
    ]
    report = importing.commit(to_csv(rows), actor=world.users["admin"])
    assert (report.created, report.updated, report.unchanged, report.leavers, report.units_created) == (2, 0, 2, 0, 1)
    first, second = Staff.objects.get(staff_number="300001"), Staff.objects.get(staff_number="300002")
    assert first.line_manager == second
    assert second.line_manager == world.staff_in
    assert first.unit.full_path == NEW_TEAM and Unit.objects.get_parent(first.unit) == world.westminster
    entries = AuditEntry.objects.filter(object_type="organisation.staff", action="create")
    assert {e.object_id for e in entries} == {str(first.pk), str(second.pk)}
    for entry in entries:
        assert entry.after == audit.snapshot(Staff.objects.get(pk=entry.object_id))
        assert entry.actor == world.users["admin"]
    summary = AuditEntry.objects.get(action="import")
    assert summary.object_type == "organisation.staffimport"
    assert summary.after is not None
    assert summary.after["created"] == 2 and summary.after["unchanged"] == 2
    # Two staff, one unit, one summary.
    assert AuditEntry.objects.count() - before == 4


def test_line_managers_in_a_loop_are_set_in_a_second_pass(world: Any) -> None:
    rows = [*world_rows(), person("300001", line_manager_staff_number="300002"), person("300002", line_manager_staff_number="300001")]
    importing.commit(to_csv(rows), actor=None)
    first, second = Staff.objects.get(staff_number="300001"), Staff.objects.get(staff_number="300002")
    assert (first.line_manager, second.line_manager) == (second, first)
    entry = AuditEntry.objects.get(action="create", object_type="organisation.staff", object_id=str(first.pk))
    assert entry.after is not None and entry.after["line_manager"] == second.pk


def test_long_chains_and_people_under_a_loop(world: Any) -> None:
    # 300000 is managed by 300001, who is managed by 300002 ... up to 300059, managed by 100001:
    # every manager comes after their report in the file.
    chain = [person(str(300000 + n), line_manager_staff_number=str(300001 + n)) for n in range(59)]
    chain.append(person("300059", line_manager_staff_number="100001"))
    looped = [person("400001", line_manager_staff_number="400002"), person("400002", line_manager_staff_number="400001"),
              person("400003", line_manager_staff_number="400001")]
    importing.commit(to_csv([*world_rows(), *chain, *looped]), actor=None)
    managers = dict(Staff.objects.values_list("staff_number", "line_manager__staff_number"))
    assert all(managers[str(300000 + n)] == str(300001 + n) for n in range(59))
    assert managers["300059"] == "100001"
    assert (managers["400001"], managers["400002"], managers["400003"]) == ("400002", "400001", "400001")


def test_manager_depths() -> None:
    def row(number: str, manager: str = "") -> importing._Row:
        return importing._Row(0, number, "", "", "", "", "", "", None, "", "", manager, None, None)

    rows = [row("a", "b"), row("b", "c"), row("c", "known"), row("d"), row("x", "y"), row("y", "x"), row("z", "x")]
    depths = importing._manager_depths(rows)
    late = importing._LATE
    assert depths == {"a": 2, "b": 1, "c": 0, "d": 0, "x": late, "y": late, "z": late}


def test_upsert_updates_changed_people_with_before_and_after(world: Any) -> None:
    rows = world_rows()
    rows[0]["role"] = "Custody officer"
    rows[0]["unit_path"] = CAMDEN
    report = importing.commit(to_csv(rows), actor=None)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    world.staff_in.refresh_from_db()
    assert world.staff_in.role == "Custody officer" and world.staff_in.unit == world.camden
    entry = AuditEntry.objects.get(action="update", object_type="organisation.staff", object_id=str(world.staff_in.pk))
    assert entry.before is not None and entry.after is not None
    assert entry.before["role"] == "Response officer" and entry.after["role"] == "Custody officer"
    assert entry.after["unit"] == world.camden.pk


def test_missing_people_become_leavers_and_return(world: Any) -> None:
    report = importing.commit(to_csv(world_rows()[:1]), actor=None)
    assert report.leavers == 1
    world.staff_out.refresh_from_db()
    assert world.staff_out.is_leaver and world.staff_out.leave_date == timezone.localdate()
    assert Staff.objects.filter(pk=world.staff_out.pk).exists()

    again = importing.commit(to_csv(world_rows()), actor=None)
    assert (again.updated, again.leavers) == (1, 0)
    world.staff_out.refresh_from_db()
    assert not world.staff_out.is_leaver and world.staff_out.leave_date is None


def test_leaver_keeps_a_leave_date_hr_gave(world: Any) -> None:
    Staff.objects.filter(pk=world.staff_out.pk).update(leave_date=dt.date(2025, 1, 31))
    importing.commit(to_csv(world_rows()[:1]), actor=None)
    world.staff_out.refresh_from_db()
    assert world.staff_out.is_leaver and world.staff_out.leave_date == dt.date(2025, 1, 31)


def test_reimporting_the_same_file_changes_nothing(world: Any) -> None:
    data = to_csv([*world_rows(), person("300001", line_manager_staff_number="100001"), person("300002", unit_path=NEW_TEAM)])
    importing.commit(data, actor=None)
    entries, units = AuditEntry.objects.count(), Unit.objects.count()
    report = importing.commit(data, actor=None)
    assert (report.created, report.updated, report.leavers, report.units_created, report.unchanged) == (0, 0, 0, 0, 4)
    assert report.summary().startswith("No changes")
    assert AuditEntry.objects.count() == entries
    assert Unit.objects.count() == units


def test_unit_paths_match_existing_units_ignoring_case(world: Any) -> None:
    units = Unit.objects.count()
    report = importing.commit(to_csv([*world_rows(), person("300001", unit_path=TEAM.upper())]), actor=None)
    assert report.units_created == 0 and Unit.objects.count() == units
    assert Staff.objects.get(staff_number="300001").unit == world.team


def test_new_units_fit_the_tree(world: Any) -> None:
    deep = " > ".join(["Test Force", "Frontline Policing", "Central West BCU", "Westminster", "Response Team 1", "Six", "Seven", "Eight"])
    rows = [*world_rows(), person("300001", unit_path=NEW_TEAM), person("300002", unit_path=deep),
            person("300003", unit_path="Test Force > Specialist Operations")]
    report = importing.commit(to_csv(rows), actor=None)
    assert report.units_created == 5
    assert Unit.objects.find_problems() == ([], [], [], [], [])
    eight = Unit.objects.get(full_path=deep)
    assert eight.depth == 8 and len(eight.code) <= 30 and eight.level == Unit.Level.TEAM
    parent = Unit.objects.get_parent
    assert parent(parent(parent(eight))) == world.team
    assert [u.name for u in Unit.objects.get_children(world.westminster)] == ["Response Team 1", "Response Team 2"]
    new_team = Unit.objects.get(full_path=NEW_TEAM)
    assert new_team.code == f"U{new_team.path}"
    assert AuditEntry.objects.filter(object_type="organisation.unit", action="create", object_id=str(new_team.pk)).exists()


def test_staff_changed_is_sent_when_people_change(world: Any) -> None:
    from changeboard.organisation.signals import staff_changed

    received: list[dict[str, Any]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        received.append(kwargs)

    staff_changed.connect(receiver)
    try:
        data = to_csv([*world_rows(), person("300001")])
        importing.commit(data, actor=None)
        importing.commit(data, actor=None)  # nothing changes: nothing sent
    finally:
        staff_changed.disconnect(receiver)
    assert [(r["created"], r["updated"], r["leavers"]) for r in received] == [(1, 0, 0)]


def test_refused_file_writes_nothing(world: Any) -> None:
    staff, entries = Staff.objects.count(), AuditEntry.objects.count()
    with pytest.raises(importing.ImportRefused) as refused:
        importing.commit(to_csv([*world_rows(), person("300001"), person("300002", email="bad")]), actor=None)
    assert refused.value.report.invalid == 1
    assert (Staff.objects.count(), AuditEntry.objects.count()) == (staff, entries)


def test_commit_checks_the_database_again_after_its_preview(world: Any) -> None:
    data = to_csv([world_rows()[1], person("300001", line_manager_staff_number="100001")])
    assert importing.preview(data).problems == []
    world.staff_in.delete()  # meanwhile, the line manager goes
    with pytest.raises(importing.ImportRefused) as refused:
        importing.commit(data, actor=None)
    assert [(p.row, p.column) for p in refused.value.report.problems] == [(3, "line_manager_staff_number")]
    assert not Staff.objects.filter(staff_number="300001").exists()


def test_commit_after_preview_follows_a_mapping_saved_in_between(world: Any) -> None:
    data = odd_file([*world_rows(), person("300001")])
    assert importing.preview(data).needs_mapping
    importing.save_mapping(ODD_HEADERS, {"staff_number": "Employee No", "first_name": "Forename", "last_name": "Surname", "unit_path": "Team"})
    assert importing.commit(data, actor=None).created == 1


def test_skip_invalid_imports_only_valid_rows_and_their_chains(world: Any) -> None:
    rows = [
        *world_rows(),
        person("300001", email="bad"),  # invalid
        person("300002", line_manager_staff_number="300001"),  # manager invalid -> error
        person("300003", line_manager_staff_number="300002"),  # ... and down the chain
        person("300004", line_manager_staff_number="100001"),  # fine
    ]
    report = importing.commit(to_csv(rows), actor=None, skip_invalid=True)
    assert (report.created, report.invalid, report.leavers) == (1, 3, 0)
    assert set(Staff.objects.values_list("staff_number", flat=True)) == {"100001", "200001", "300004"}
    assert problems_of(report) == {(4, "email"), (5, "line_manager_staff_number"), (6, "line_manager_staff_number")}
    assert "row 4" in next(p.reason for p in report.problems if p.row == 5)


def test_rows_with_errors_do_not_make_leavers(world: Any) -> None:
    rows = world_rows()
    rows[1]["email"] = "bad"
    report = importing.commit(to_csv(rows), actor=None, skip_invalid=True)
    assert report.leavers == 0
    world.staff_out.refresh_from_db()
    assert not world.staff_out.is_leaver


def test_no_personal_data_in_logs(world: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="changeboard"):
        importing.commit(to_csv([*world_rows(), person("300001", first_name="Secretname")]), actor=None)
    assert "Secretname" not in caplog.text and "300001" not in caplog.text


# --------------------------------------------------------------------------
# Column mapping


ODD_HEADERS = ["Employee No", "Forename", "Surname", "Team", "E-mail"]


def odd_file(rows: list[dict[str, str]]) -> bytes:
    renamed = [{"Employee No": r["staff_number"], "Forename": r["first_name"], "Surname": r["last_name"], "Team": r["unit_path"],
                "E-mail": r["email"]} for r in rows]
    return to_csv(renamed, columns=ODD_HEADERS)


def test_mapping_is_remembered_for_the_same_headers(world: Any) -> None:
    data = odd_file([*world_rows(), person("300001")])
    assert importing.preview(data).missing_columns == ["staff_number", "first_name", "last_name", "unit_path"]
    mapping = {"staff_number": "Employee No", "first_name": "Forename", "last_name": "Surname", "unit_path": "Team", "email": "E-mail"}
    assert importing.preview(data, mapping=mapping).problems == []
    importing.save_mapping(ODD_HEADERS, mapping)
    # Same headers, different case and spacing: the saved mapping applies by itself.
    report = importing.commit(data.replace(b"Employee No", b"employee  no"), actor=None)
    assert report.created == 1
    assert any("mapping saved" in w for w in report.warnings)


def test_command_map_option_imports_and_remembers(world: Any, tmp_path: Path) -> None:
    path = write(tmp_path, odd_file([*world_rows(), person("300001")]))
    out = io.StringIO()
    call_command("import_staff", path, "--map", "staff_number=Employee No", "--map", "first_name=Forename", "--map", "last_name=Surname",
                 "--map", "unit_path=Team", "--map", "email=E-mail", stdout=out)
    assert Staff.objects.filter(staff_number="300001").exists()
    saved = ImportColumnMapping.objects.get()
    assert saved.mapping["staff_number"] == "Employee No"
    # Next time, no --map needed.
    path = write(tmp_path, odd_file([*world_rows(), person("300001"), person("300002")]), "next.csv")
    call_command("import_staff", path, stdout=io.StringIO())
    assert Staff.objects.filter(staff_number="300002").exists()


def test_command_map_option_rejects_unknown_columns(world: Any, tmp_path: Path) -> None:
    path = write(tmp_path, to_csv(world_rows()))
    with pytest.raises(CommandError, match="--map expects"):
        call_command("import_staff", path, "--map", "nickname=Nick")
    with pytest.raises(CommandError, match="not in the file"):
        call_command("import_staff", path, "--map", "email=Nope")


# --------------------------------------------------------------------------
# The command


def test_command_imports(world: Any, tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("import_staff", write(tmp_path, to_csv([*world_rows(), person("300001")])), stdout=out)
    assert "1 added" in out.getvalue()
    assert Staff.objects.filter(staff_number="300001").exists()


def test_command_dry_run_writes_nothing(world: Any, tmp_path: Path) -> None:
    counts = (Staff.objects.count(), Unit.objects.count(), AuditEntry.objects.count())
    out = io.StringIO()
    call_command("import_staff", write(tmp_path, to_csv([person("300001", unit_path=NEW_TEAM)])), "--dry-run", stdout=out)
    assert "Dry run" in out.getvalue() and "2 marked as leavers" in out.getvalue()
    assert (Staff.objects.count(), Unit.objects.count(), AuditEntry.objects.count()) == counts
    assert not Staff.objects.filter(is_leaver=True).exists()


def test_command_refuses_a_file_with_errors(world: Any, tmp_path: Path) -> None:
    counts = (Staff.objects.count(), AuditEntry.objects.count())
    err = io.StringIO()
    path = write(tmp_path, to_csv([*world_rows(), person("300001"), person("300002", start_date="31/02/2024")]))
    with pytest.raises(CommandError, match="1 of 4 rows has errors"):
        call_command("import_staff", path, stdout=io.StringIO(), stderr=err)
    assert "row 5, start_date: Not a real date" in err.getvalue()
    assert "31/02/2024" not in err.getvalue()  # values stay out of command output
    assert (Staff.objects.count(), AuditEntry.objects.count()) == counts
    with pytest.raises(CommandError):
        call_command("import_staff", path, "--dry-run", stdout=io.StringIO(), stderr=io.StringIO())


def test_command_skip_invalid(world: Any, tmp_path: Path) -> None:
    path = write(tmp_path, to_csv([*world_rows(), person("300001"), person("300002", start_date="31/02/2024")]))
    out = io.StringIO()
    call_command("import_staff", path, "--skip-invalid", stdout=out, stderr=io.StringIO())
    assert "1 row with errors skipped" in out.getvalue()
    assert set(Staff.objects.values_list("staff_number", flat=True)) == {"100001", "200001", "300001"}


def test_command_unreadable_file(db: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_staff", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="empty"):
        call_command("import_staff", write(tmp_path, b""))


def test_command_actor(world: Any, tmp_path: Path) -> None:
    call_command("import_staff", write(tmp_path, to_csv([*world_rows(), person("300001")])), "--actor", "admin", stdout=io.StringIO())
    assert AuditEntry.objects.get(action="import").actor == world.users["admin"]


# --------------------------------------------------------------------------
# The sample file


def test_sample_file_matches_the_docs_and_imports_cleanly(db: Any) -> None:
    docs = Path(__file__).resolve().parents[3] / "docs" / "sample-staff.csv"
    assert docs.read_bytes() == importing.sample_csv().encode("utf-8")
    report = importing.commit(docs.read_bytes(), "sample-staff.csv", actor=None)
    assert (report.created, report.problems) == (8, [])
    assert Unit.objects.get(depth=1).name == "Metropolitan Police Service"


def test_bench_import_runs_on_a_small_file(db: Any) -> None:
    import json

    out = io.StringIO()
    call_command("bench", "import", "--rows", "400", "--repeat", "1", stdout=out)
    result = json.loads(out.getvalue())
    assert (result["rows"], result["reimport_changed"]) == (400, 0)
    assert result["ratio_to_raw"] > 0 and result["with_line_manager"] == 399
    with pytest.raises(CommandError, match="scratch database"):
        call_command("bench", "import", "--rows", "10", stdout=io.StringIO())


def test_command_refuses_a_file_larger_than_the_upload_limit(world: Any, tmp_path: Path, settings: Any) -> None:
    """Issue 17: `import_staff` has the upload page's size limit."""
    settings.IMPORT_MAX_UPLOAD_MB = 0
    before = Staff.objects.count()
    path = write(tmp_path, to_csv([*world_rows(), person("100099")]))
    with pytest.raises(CommandError, match="larger than 0 MB"):
        call_command("import_staff", path, stdout=io.StringIO(), stderr=io.StringIO())
    assert Staff.objects.count() == before


def test_command_refuses_a_crafted_workbook(world: Any, tmp_path: Path) -> None:
    """Issue 17: the same workbook bound as the upload pages."""
    from changeboard.core.tests import workbooks

    path = write(tmp_path, workbooks.many_cells(), "staff.xlsx")
    with pytest.raises(CommandError, match="The workbook is too large to import"):
        call_command("import_staff", path, stdout=io.StringIO(), stderr=io.StringIO())
