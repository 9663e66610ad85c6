"""The training-completion import: every refusal by row and column,
preview then commit through the pending upload, re-import upserting (a
later date replaces, an earlier one does not), XLSX, the re-evaluation of
training-fed criteria and the single audit row; and its two pages."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from changeboard.conftest import make_staff, make_user
from changeboard.core.models import AuditEntry, PendingUpload
from changeboard.readiness import importing
from changeboard.readiness.models import CriterionStatus, Rag, TrainingRecord
from changeboard.readiness.services import criteria as services


def csv_file(*rows: str, header: str = "staff_number,course,completed_on") -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode()


def problems(report: importing.TrainingImportReport) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.reason.split(":")[0]) for p in report.problems]


def test_a_clean_file_previews_then_commits(world: Any) -> None:
    data = csv_file("100001,sbs-101,03/02/2026", "200001, SBS-101 ,2026-02-04", "100001,OTHER-2,2026-01-01")
    report = importing.preview(data, "training.csv")
    assert (report.rows, report.valid, report.invalid, report.created, report.problems) == (3, 3, 0, 3, [])
    assert not TrainingRecord.objects.exists()  # a preview writes nothing
    assert report.courses() == [("SBS-101", 2), ("OTHER-2", 1)]
    report = importing.commit(data, "training.csv", actor=world.users["admin"])
    assert report.committed and report.created == 3
    assert set(TrainingRecord.objects.values_list("staff__staff_number", "course", "completed_on")) == {
        ("100001", "SBS-101", dt.date(2026, 2, 3)), ("200001", "SBS-101", dt.date(2026, 2, 4)), ("100001", "OTHER-2", dt.date(2026, 1, 1)),
    }


def test_every_bad_input_is_reported_by_row_and_column(world: Any) -> None:
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    data = csv_file(
        "999999,SBS-101,2026-01-01",   # 2 unknown staff number
        "100001,,2026-01-01",          # 3 blank course
        "100001,SBS-101,31/02/2026",   # 4 not a real date
        "100001,SBS-102,next week",    # 5 not a date
        f"100001,SBS-103,{tomorrow}",  # 6 in the future
        "200001,SBS-101,2026-01-01",   # 7 fine
        "200001,sbs-101,2026-01-02",   # 8 duplicate of row 7 (case does not matter)
        ",SBS-101,2026-01-01",         # 9 blank staff number
        "200001,SBS-104,",             # 10 blank date
    )
    report = importing.preview(data, "training.csv")
    assert problems(report) == [
        (2, "staff_number", "Unknown staff number"), (3, "course", "Missing"), (4, "completed_on", "Not a real date"),
        (5, "completed_on", "Not a date"), (6, "completed_on", "In the future"), (8, "course", "Duplicate"),
        (9, "staff_number", "Missing"), (10, "completed_on", "Missing"),
    ]
    assert (report.valid, report.invalid, report.refused) == (1, 8, True)
    with pytest.raises(importing.TrainingImportRefused):
        importing.commit(data, "training.csv", actor=world.users["admin"])
    assert not TrainingRecord.objects.exists()
    # Choosing the valid rows only imports row 7 alone.
    report = importing.commit(data, "training.csv", actor=world.users["admin"], skip_invalid=True)
    assert report.created == 1 and TrainingRecord.objects.get().staff == world.staff_out


def test_missing_columns_refuse_the_whole_file(world: Any) -> None:
    report = importing.preview(csv_file("100001,SBS-101", header="staff number,Course"), "training.csv")
    assert report.missing_columns == ["completed_on"] and report.refused
    with pytest.raises(importing.TrainingImportRefused):
        importing.commit(csv_file("100001,SBS-101", header="staff_number,course"), "t.csv", actor=None, skip_invalid=True)


def test_an_unreadable_file(world: Any) -> None:
    with pytest.raises(importing.ImportFileError):
        importing.preview(b"", "training.csv")


def test_reimport_upserts_and_a_later_date_replaces(world: Any) -> None:
    importing.commit(csv_file("100001,SBS-101,2026-01-10", "200001,SBS-101,2026-01-10"), "first.csv", actor=None)
    report = importing.commit(csv_file("100001,SBS-101,2026-02-01", "200001,SBS-101,2025-12-01", "200001,SBS-102,2026-01-01"),
                              "second.csv", actor=None)
    assert (report.created, report.updated, report.unchanged) == (1, 1, 1)
    dates = dict(TrainingRecord.objects.filter(course="SBS-101").values_list("staff__staff_number", "completed_on"))
    assert dates == {"100001": dt.date(2026, 2, 1), "200001": dt.date(2026, 1, 10)}
    assert TrainingRecord.objects.count() == 3
    again = importing.commit(csv_file("100001,SBS-101,2026-02-01"), "third.csv", actor=None)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_xlsx_with_excel_dates_and_numbers(world: Any) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Staff Number", "Course", "Completed On"])
    sheet.append([100001, "SBS-101", dt.datetime(2026, 1, 5)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = importing.commit(buffer.getvalue(), "training.xlsx", actor=None)
    assert report.created == 1
    assert TrainingRecord.objects.get().completed_on == dt.date(2026, 1, 5)


def test_commit_reevaluates_training_criteria_and_writes_one_audit_row(world: Any) -> None:
    criterion = services.criterion_save(programme=world.programme_a, actor=None, title="Trained", feed="training", course="SBS-101",
                                        threshold=100)
    status = CriterionStatus.objects.get(criterion=criterion, unit=world.central_west)
    # One person in post, untrained: no colour, which the import must not turn green.
    assert (status.rag, status.value) == (Rag.NO_DATA, "Fewer than 5 staff")
    evaluated = status.updated_at
    before = AuditEntry.objects.count()
    report = importing.commit(csv_file("100001,SBS-101,2026-01-05"), "training.csv", actor=world.users["admin"])
    status.refresh_from_db()
    # One person in post: no colour, counts or completion date (services.criteria.TRAINING_MIN_STAFF).
    assert (status.rag, status.value, status.as_of) == (Rag.NO_DATA, "Fewer than 5 staff", timezone.localdate())
    assert status.updated_at > evaluated and report.criteria == 1
    entries = AuditEntry.objects.filter(pk__gt=0).order_by("pk")[before:]
    kinds = [(e.action, e.object_type) for e in entries]
    assert kinds.count(("import", "readiness.trainingrecord")) == 1
    assert kinds.count(("update", "readiness.criterion")) == 1  # the re-evaluation's summary
    imported = AuditEntry.objects.get(action="import")
    assert imported.after is not None
    assert imported.after["created"] == 1 and imported.after["file"] == "training.csv" and imported.actor == world.users["admin"]


def test_staged_upload_commits_once_for_its_uploader_only(world: Any) -> None:
    admin = world.users["admin"]
    pending = importing.training_import_stage(data=csv_file("100001,SBS-101,2026-01-05"), filename="t.csv", actor=admin)
    other = make_user("admin2", "admin")
    with pytest.raises(ValidationError):
        importing.training_import_commit(pending=pending, actor=other, skip_invalid=False)
    report = importing.training_import_commit(pending=pending, actor=admin, skip_invalid=False)
    assert pending.result is not None
    assert report.created == 1 and pending.status == PendingUpload.Status.COMMITTED and pending.result["created"] == 1
    with pytest.raises(ValidationError):
        importing.training_import_commit(pending=pending, actor=admin, skip_invalid=False)


def test_leavers_records_import_but_do_not_count(world: Any) -> None:
    leaver = make_staff("100009", world.team, is_leaver=True)
    importing.commit(csv_file(f"{leaver.staff_number},SBS-101,2026-01-05"), "t.csv", actor=None)
    counts = services.training_counts("SBS-101", [world.central_west])
    assert counts[world.central_west.pk][:2] == (1, 0)


# ---------------------------------------------------------------- pages


def test_upload_preview_commit_through_the_pages(client: Any, world: Any) -> None:
    client.force_login(world.users["admin"])
    page = client.get(reverse("training-import"))
    assert page.status_code == 200 and b"staff_number" in page.content
    template = client.get(reverse("training-import"), {"template": "1"})
    assert b"staff_number,course,completed_on" in b"".join(template.streaming_content)
    data = csv_file("100001,SBS-101,2026-01-05", "999999,SBS-101,2026-01-05")
    response = client.post(reverse("training-import"), {"file": _upload("training.csv", data)})
    assert response.status_code == 302
    preview_url = response["Location"]
    preview = client.get(preview_url)
    assert preview.status_code == 200
    assert b"Unknown staff number" in preview.content and b"SBS-101" in preview.content
    errors = client.get(preview_url, {"errors": "csv"})
    assert b"Unknown staff number" in b"".join(errors.streaming_content)
    refused = client.post(preview_url, {"mode": "all"})
    assert refused.status_code == 200 and b"The file has errors" in refused.content
    assert not TrainingRecord.objects.exists()
    done = client.post(preview_url, {"mode": "valid"}, follow=True)
    assert b"1 new completion" in done.content
    assert TrainingRecord.objects.count() == 1
    assert client.get(preview_url).status_code == 404  # committed: gone


def test_upload_refuses_a_file_that_is_not_a_table(client: Any, world: Any) -> None:
    client.force_login(world.users["admin"])
    response = client.post(reverse("training-import"), {"file": _upload("training.pdf", b"%PDF-1.4")})
    assert response.status_code == 200 and b"must be a CSV or XLSX file" in response.content


def test_another_administrators_upload_is_not_found(client: Any, world: Any) -> None:
    pending = importing.training_import_stage(data=csv_file("100001,SBS-101,2026-01-05"), filename="t.csv", actor=world.users["admin"])
    client.force_login(make_user("admin2", "admin"))
    assert client.get(reverse("training-import-preview", args=[pending.token])).status_code == 404


def _upload(name: str, data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_upload_refuses_a_crafted_workbook(client: Any, world: Any) -> None:
    """Issue 17: the shared workbook bound, on the training records' upload page."""
    from changeboard.core.models import PendingUpload
    from changeboard.core.tests import workbooks

    client.force_login(world.users["admin"])
    response = client.post(reverse("training-import"), {"file": _upload("training.xlsx", workbooks.many_cells())})
    assert response.status_code == 200 and b"The workbook is too large to import" in response.content
    assert not PendingUpload.objects.exists()
