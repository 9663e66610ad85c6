"""Importing impact lines from CSV or XLSX: every row error, refusal by
default, importing only the valid rows, the pages and the sample file."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from changeboard.accounts.models import Role
from changeboard.conftest import make_user
from changeboard.core.models import AuditEntry, PendingUpload
from changeboard.core.tabular import normalise_header
from changeboard.impacts import importing, services
from changeboard.impacts.models import ImpactAssessment

from .test_assessments import URLS, Impacts, _login

pytestmark = pytest.mark.urls(URLS)

HEADER = list(importing.COLUMNS)


@pytest.fixture
def impacts(world: Any) -> Impacts:
    return Impacts(world)


def good_row(world: Any, **overrides: str) -> dict[str, str]:
    row = {
        "title": "New duty system", "unit_codes": world.team.code, "unit_paths": "", "roles": "Response officer", "ranks_or_grades": "PC",
        "dimensions": "process;Technology", "severity": "3", "start_date": "04/01/2027", "end_date": "2027-01-31", "wave": "",
        "weeks_before_go_live": "", "weeks_after_go_live": "", "hours_per_person": "3.5", "mitigations": "Floor-walkers", "owner": "Change lead",
    }
    row.update(overrides)
    return row


def csv_file(rows: list[dict[str, str]], header: list[str] | None = None) -> bytes:
    header = header or list(rows[0]) if rows else HEADER
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(normalise_header(h), "") for h in header])
    return buffer.getvalue().encode("utf-8")


def xlsx_file(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------
# Checking and committing


def test_a_valid_file_previews_then_commits_through_the_service(impacts: Impacts) -> None:
    w, draft = impacts.world, impacts.draft
    rows = [
        good_row(w, process_current="Paper rota", process_future="Online rota", process_gap="Training"),
        good_row(w, title="Go-live briefing", unit_codes="", unit_paths=f"{w.camden.full_path.upper()}; {w.westminster.full_path}",
                 roles="", ranks_or_grades="", dimensions="", wave="wave 1", weeks_before_go_live="2", weeks_after_go_live="1",
                 start_date="", end_date="", severity="1", hours_per_person="0.25", people_gap="Confidence"),
    ]
    data = csv_file(rows, [*HEADER, "process_current", "process_future", "process_gap", "people_gap", "Notes"])
    report = importing.preview(data, "impacts.csv", assessment=draft)
    assert (report.rows, report.valid, report.invalid, report.problems) == (2, 2, 0, [])
    assert report.ignored_columns == ["Notes"]
    assert [line.headcount for line in report.lines] == [2, 5]  # team: 2 response officers (PC); Camden 2 + Westminster 3
    assert draft.lines.count() == 1  # nothing written by the preview
    report = importing.commit(data, "impacts.csv", assessment=draft, actor=w.users["lead"])
    assert report.committed and report.created == 2
    first, second = draft.lines.exclude(pk=impacts.draft_line.pk).order_by("id")
    assert first.roles == ["Response officer"] and [r.code for r in first.rank_grades.all()] == ["PC"]
    assert first.start_date == dt.date(2027, 1, 4) and first.end_date == dt.date(2027, 1, 31) and first.hours_per_person == Decimal("3.5")
    assert {d.dimension: (d.current_state, d.future_state, d.gap) for d in first.dimensions.all()} == {
        "process": ("Paper rota", "Online rota", "Training"), "technology": ("", "", ""),
    }
    assert second.wave == w.wave_a and second.start_date is None and (second.weeks_before_go_live, second.weeks_after_go_live) == (2, 1)
    assert set(second.units.all()) == {w.camden, w.westminster} and second.hours_per_person == Decimal("0.3")
    assert [d.dimension for d in second.dimensions.all()] == ["people"]
    assert services.line_headcount(second) == 5
    assert AuditEntry.objects.filter(object_type="impacts.impactline", action="create").count() >= 4
    assert AuditEntry.objects.filter(object_type="impacts.impactassessment", action="import", object_id=str(draft.pk)).exists()


ERRORS = [
    ({"title": ""}, "title", "Missing"),
    ({"unit_codes": ""}, "unit_codes", "Missing: give at least one impacted unit"),
    ({"unit_codes": "NOPE"}, "unit_codes", "Unknown unit"),
    ({"unit_codes": "", "unit_paths": "Test Force > Nowhere"}, "unit_paths", "Unknown unit"),
    ({"unit_codes": "", "unit_paths": "Test Force"}, "unit_paths", "Unit cannot be chosen"),
    ({"roles": "Response officer;Astronaut"}, "roles", "Unknown role"),
    ({"ranks_or_grades": "Admiral"}, "ranks_or_grades", "Unknown rank or grade"),
    ({"dimensions": "process;weather"}, "dimensions", "Unknown dimension"),
    ({"severity": ""}, "severity", "Missing"),
    ({"severity": "7"}, "severity", "Severity out of range"),
    ({"severity": "-1"}, "severity", "Severity out of range"),
    ({"severity": "high"}, "severity", "Not a number"),
    ({"severity": "2.5"}, "severity", "Not a whole number"),
    ({"start_date": "next week"}, "start_date", "Not a date"),
    ({"end_date": "31/02/2027"}, "end_date", "Not a real date"),
    ({"start_date": ""}, "start_date", "Missing: give start_date and end_date, or a wave"),
    ({"start_date": "01/02/2027", "end_date": "01/01/2027"}, "end_date", "End date is before the start date"),
    ({"wave": "Wave 9", "start_date": "", "end_date": ""}, "wave", "Unknown wave"),
    ({"wave": "Wave 1", "weeks_before_go_live": "-3"}, "weeks_before_go_live", "Not a whole number of weeks"),
    ({"hours_per_person": "-2"}, "hours_per_person", "Negative hours"),
    ({"hours_per_person": "lots"}, "hours_per_person", "Not a number of hours"),
    ({"title": "x" * 201}, "title", "Too long"),
]


@pytest.mark.parametrize(("overrides", "column", "reason"), ERRORS, ids=[f"{e[1]}-{i}" for i, e in enumerate(ERRORS)])
def test_each_row_error_is_reported_by_row_column_and_reason(impacts: Impacts, overrides: dict[str, str], column: str, reason: str) -> None:
    w = impacts.world
    data = csv_file([good_row(w), good_row(w, **overrides)])
    report = importing.preview(data, "impacts.csv", assessment=impacts.draft)
    assert (report.rows, report.valid, report.invalid) == (2, 1, 1)
    assert [(p.row, p.column) for p in report.problems] == [(3, column)], report.problems
    assert reason in report.problems[0].reason
    assert report.refused
    with pytest.raises(importing.ImpactImportRefused):
        importing.commit(data, "impacts.csv", assessment=impacts.draft, actor=w.users["lead"])
    assert impacts.draft.lines.count() == 1


MISSING = [
    (["title"], "title"),
    (["unit_codes", "unit_paths"], "unit_codes"),
    (["severity"], "severity"),
    (["start_date", "wave"], "start_date"),
    (["end_date", "wave"], "start_date"),
]


@pytest.mark.parametrize(("dropped", "column"), MISSING, ids=[m[1] + "-" + "-".join(m[0]) for m in MISSING])
def test_missing_required_columns_refuse_the_file(impacts: Impacts, dropped: list[str], column: str) -> None:
    w = impacts.world
    header = [h for h in HEADER if h not in dropped]
    report = importing.preview(csv_file([good_row(w)], header), "impacts.csv", assessment=impacts.draft)
    assert report.missing_columns == [column]
    assert report.problems[0].row == 1 and report.problems[0].reason.startswith("Missing column")
    with pytest.raises(importing.ImpactImportRefused, match="required columns are missing"):
        importing.commit(csv_file([good_row(w)], header), "impacts.csv", assessment=impacts.draft, actor=w.users["lead"], skip_invalid=True)


def test_a_wave_file_needs_no_date_columns_and_headers_ignore_case(impacts: Impacts) -> None:
    w = impacts.world
    header = ["Title", "UNIT CODES", "Severity", "Wave", "Weeks-before-go-live"]
    data = csv_file([{"title": "Briefing", "unit_codes": w.team.code, "severity": "2", "wave": "Wave 1", "weeks_before_go_live": "1"}], header)
    report = importing.preview(data, "x.csv", assessment=impacts.draft)
    assert report.valid == 1 and not report.problems
    assert report.lines[0].weeks_before_go_live == 1 and report.lines[0].weeks_after_go_live == 4


def test_errors_refuse_the_whole_file_unless_valid_rows_are_chosen(impacts: Impacts) -> None:
    w = impacts.world
    data = csv_file([good_row(w), good_row(w, title="Bad", severity="9"), good_row(w, title="Also good")])
    with pytest.raises(importing.ImpactImportRefused) as refused:
        importing.commit(data, "impacts.csv", assessment=impacts.draft, actor=w.users["lead"])
    assert "1 of 3 rows has errors" in str(refused.value)
    assert impacts.draft.lines.count() == 1
    report = importing.commit(data, "impacts.csv", assessment=impacts.draft, actor=w.users["lead"], skip_invalid=True)
    assert report.created == 2 and report.invalid == 1
    assert report.summary() == "Imported 2 impact lines from 3 rows; 1 row with errors skipped."
    assert sorted(impacts.draft.lines.values_list("title", flat=True)) == ["Also good", "New duty system", "Self-service HR"]


def test_only_a_draft_takes_an_import(impacts: Impacts) -> None:
    w = impacts.world
    with pytest.raises(ValidationError, match="draft"):
        importing.commit(csv_file([good_row(w)]), "impacts.csv", assessment=impacts.approved, actor=w.users["lead"])


def test_xlsx_files_import_with_dates_and_numbers_as_cells(impacts: Impacts) -> None:
    w = impacts.world
    data = xlsx_file([
        ["title", "unit_paths", "severity", "start_date", "end_date", "hours_per_person"],
        ["Finance system", w.central_west.full_path, 4, dt.datetime(2027, 1, 4), dt.datetime(2027, 2, 28), 2.5],
        ["Broken", w.central_west.full_path, 6, dt.datetime(2027, 1, 4), dt.datetime(2026, 12, 1), -1],
    ])
    report = importing.preview(data, "impacts.xlsx", assessment=impacts.draft)
    assert report.valid == 1
    assert {(p.row, p.column) for p in report.problems} == {(3, "severity"), (3, "end_date"), (3, "hours_per_person")}
    line = report.lines[0]
    assert (line.severity, line.start_date, line.end_date, line.hours_per_person) == (4, dt.date(2027, 1, 4), dt.date(2027, 2, 28), Decimal("2.5"))


def test_an_export_imports_into_a_new_draft_unchanged(client: Any, impacts: Impacts) -> None:
    w, lead = impacts.world, impacts.world.users["lead"]
    services.line_save(assessment=impacts.draft, actor=lead, units=[w.camden, w.westminster], title="Wave line", severity=5, wave=w.wave_a,
                       weeks_before_go_live=3, weeks_after_go_live=2, roles=["Response officer"], rank_grades=[],
                       hours_per_person=Decimal("1.5"), mitigations="Support", owner="Owner",
                       dimensions={"culture": {"current": "Old", "future": "New", "gap": "Big"}})
    exported = _login(client, w, "lead").get(reverse("assessment-export", args=[impacts.draft.pk])).content
    target = services.assessment_create(programme=w.programme_a, title="Copy", actor=lead)
    report = importing.commit(exported, "export.xlsx", assessment=target, actor=lead)
    assert report.created == 2 and not report.problems
    changes = services.assessment_changes(impacts.draft, target)
    assert changes["added"] == [] and changes["removed"] == [] and changes["changed"] == [] and changes["unchanged"] == 2


# --------------------------------------------------------------------------
# Pages


def _upload(client: Any, assessment: ImpactAssessment, data: bytes, name: str = "impacts.csv") -> Any:
    return client.post(reverse("impact-import", args=[assessment.pk]), {"file": SimpleUploadedFile(name, data)})


def test_upload_preview_refuse_then_import_valid_rows(client: Any, impacts: Impacts) -> None:
    w = impacts.world
    c = _login(client, w, "lead")
    page = c.get(reverse("impact-import", args=[impacts.draft.pk]))
    assert page.status_code == 200 and "Download a sample file" in page.content.decode()
    response = _upload(c, impacts.draft, csv_file([good_row(w), good_row(w, title="Bad", unit_codes="NOPE")]))
    pending = PendingUpload.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("impact-import-preview", args=[impacts.draft.pk, pending.token])
    preview = c.get(response["Location"]).content.decode()
    assert "There is a problem" in preview and "Unknown unit" in preview and "NOPE" in preview
    assert "New duty system" in preview and "Nothing has been saved yet" in preview
    problems = c.get(response["Location"] + "?errors=csv")
    assert b"".join(problems.streaming_content).decode().splitlines()[1] == "3,unit_codes,NOPE,Unknown unit: no unit has this code"
    refused = c.post(response["Location"], {"mode": "all"})
    assert refused.status_code == 200 and "Choose to import the valid rows only" in refused.content.decode()
    assert impacts.draft.lines.count() == 1
    done = c.post(response["Location"], {"mode": "valid"})
    assert done.status_code == 302 and done["Location"] == impacts.draft.get_absolute_url()
    assert impacts.draft.lines.count() == 2
    pending.refresh_from_db()
    assert pending.status == PendingUpload.Status.COMMITTED and not pending.file and pending.result is not None and pending.result["created"] == 1
    assert c.get(response["Location"]).status_code == 404  # committed uploads are gone


def test_the_sample_file_imports_as_it_is(client: Any, impacts: Impacts) -> None:
    c = _login(client, impacts.world, "lead")
    response = c.get(reverse("impact-import", args=[impacts.draft.pk]) + "?sample=1")
    assert response["Content-Type"].startswith("text/csv")
    data = b"".join(response.streaming_content)
    report = importing.preview(data, "sample.csv", assessment=impacts.draft)
    assert report.valid == 2 and not report.problems, report.problems


def test_a_file_that_is_not_a_table_is_refused_on_upload(client: Any, impacts: Impacts) -> None:
    c = _login(client, impacts.world, "lead")
    response = _upload(c, impacts.draft, b"", "empty.csv")
    assert response.status_code == 200 and "The selected file is empty" in response.content.decode()
    response = _upload(c, impacts.draft, b"PK\x03\x04 broken", "broken.xlsx")
    assert "not a valid Excel" in response.content.decode()
    assert not PendingUpload.objects.exists()


def test_only_the_uploader_sees_a_pending_import(client: Any, impacts: Impacts) -> None:
    w = impacts.world
    pending = importing.impact_import_stage(assessment=impacts.draft, data=csv_file([good_row(w)]), filename="x.csv", actor=w.users["lead"])
    url = reverse("impact-import-preview", args=[impacts.draft.pk, pending.token])
    assert _login(client, w, "lead").get(url).status_code == 200
    colleague = make_user("colleague", Role.CHANGE_MANAGER, programmes=[w.programme_a])
    client.force_login(colleague)
    assert client.get(url).status_code == 404
    assert _login(client, w, "lead2").get(url).status_code == 404
    # Through another assessment's URL it is not found either.
    assert _login(client, w, "lead").get(reverse("impact-import-preview", args=[impacts.approved.pk, pending.token])).status_code in {302, 404}


def test_upload_refuses_a_crafted_workbook(client: Any, impacts: Impacts) -> None:
    """Issue 17: the shared workbook bound, on the impact lines' upload page."""
    from changeboard.core.tests import workbooks

    c = _login(client, impacts.world, "lead")
    response = _upload(c, impacts.draft, workbooks.many_cells(), "impacts.xlsx")
    assert response.status_code == 200 and "The workbook is too large to import" in response.content.decode()
    assert not PendingUpload.objects.exists()
