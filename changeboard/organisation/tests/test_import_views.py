"""The HR staff import pages: upload -> (mapping) -> preview -> commit."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from changeboard.conftest import make_user
from changeboard.core.models import AuditEntry, PendingUpload
from changeboard.organisation.models import ImportColumnMapping, Staff

from .test_import import ODD_HEADERS, odd_file, person, to_csv, world_rows

UPLOAD = reverse("staff-import")


def upload(client: Any, data: bytes, name: str = "staff.csv") -> Any:
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def preview_url(pending: PendingUpload) -> str:
    return reverse("staff-import-preview", args=[pending.token])


@pytest.fixture
def admin(client: Any, world: Any) -> Any:
    client.force_login(world.users["admin"])
    return client


def test_upload_page(admin: Any) -> None:
    response = admin.get(UPLOAD)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'enctype="multipart/form-data"' in content
    assert 'type="file"' in content and 'for="id_file"' in content
    assert 'href="?sample=1"' in content
    assert "<caption" in content and 'scope="col"' in content


def test_sample_download(admin: Any) -> None:
    response = admin.get(UPLOAD + "?sample=1")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:2] == ["staff_number", "first_name"] and len(rows) == 9


@pytest.mark.parametrize("persona", ["board", "lead", "lead2", "champion", "auditor"])
def test_only_admins_may_import(client: Any, world: Any, persona: str) -> None:
    client.force_login(world.users[persona])
    assert client.get(UPLOAD).status_code == 403
    assert upload(client, to_csv(world_rows())).status_code == 403
    pending = PendingUpload.objects.create(kind=PendingUpload.Kind.STAFF, file=ContentFile(b"x", name="a.csv"), original_filename="a.csv", uploaded_by=world.users["admin"])
    assert client.get(preview_url(pending)).status_code == 403
    assert client.post(preview_url(pending), {"step": "commit", "mode": "all"}).status_code == 403
    assert not PendingUpload.objects.filter(uploaded_by=world.users[persona]).exists()


def test_anonymous_is_sent_to_sign_in(client: Any, world: Any) -> None:
    response = client.get(UPLOAD)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    pending = PendingUpload.objects.create(kind=PendingUpload.Kind.STAFF, file=ContentFile(b"x", name="a.csv"), original_filename="a.csv", uploaded_by=world.users["admin"])
    response = client.get(preview_url(pending))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_upload_preview_commit(admin: Any, world: Any) -> None:
    staff = Staff.objects.count()
    response = upload(admin, to_csv([*world_rows(), person("300001"), person("300002", line_manager_staff_number="300001")]))
    pending = PendingUpload.objects.get()
    assert response.status_code == 302 and response["Location"] == preview_url(pending)
    assert Staff.objects.count() == staff  # nothing written yet

    response = admin.get(preview_url(pending))
    assert response.status_code == 200
    content = response.content.decode()
    assert "No problems found" in content
    assert response.context["report"].created == 2
    assert 'name="mode"' in content and "<legend" in content

    response = admin.post(preview_url(pending), {"step": "commit", "mode": "all"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("staff-list")
    assert "Imported 4 of 4 rows: 2 added" in response.content.decode()
    manager = Staff.objects.get(staff_number="300002").line_manager
    assert manager is not None and manager.staff_number == "300001"
    pending.refresh_from_db()
    assert pending.status == PendingUpload.Status.COMMITTED and not pending.file
    assert pending.result is not None and pending.result["created"] == 2
    summary = AuditEntry.objects.get(action="import")
    assert summary.object_id == str(pending.token) and summary.actor == world.users["admin"]
    # Committed: the token is done with.
    assert admin.get(preview_url(pending)).status_code == 404


def test_preview_lists_problems_escaped_and_refuses_by_default(admin: Any, world: Any) -> None:
    upload(admin, to_csv([*world_rows(), person("300001"), person("300002", email="<script>alert(1)</script>")]))
    pending = PendingUpload.objects.get()
    response = admin.get(preview_url(pending))
    content = response.content.decode()
    assert "govuk-error-summary" in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content and "<script>alert(1)" not in content
    assert "Not a valid email address" in content
    assert response.context["problems"][0].row == 5

    staff, entries = Staff.objects.count(), AuditEntry.objects.count()
    response = admin.post(preview_url(pending), {"step": "commit", "mode": "all"})
    assert response.status_code == 200
    assert "Choose to import the valid rows only" in response.content.decode()
    assert (Staff.objects.count(), AuditEntry.objects.count()) == (staff, entries)
    pending.refresh_from_db()
    assert pending.status == PendingUpload.Status.PENDING

    response = admin.post(preview_url(pending), {"step": "commit", "mode": "valid"}, follow=True)
    assert "1 row with errors skipped" in response.content.decode()
    assert Staff.objects.filter(staff_number="300001").exists()
    assert not Staff.objects.filter(staff_number="300002").exists()


def test_errors_csv_download(admin: Any) -> None:
    upload(admin, to_csv([*world_rows(), person("300001", email="bad"), person("300002", start_date="31/02/2024")]))
    response = admin.get(preview_url(PendingUpload.objects.get()) + "?errors=csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["row", "column", "value", "problem"]
    assert [r[:3] for r in rows[1:]] == [["4", "email", "bad"], ["5", "start_date", "31/02/2024"]]


def test_many_problems_are_capped_on_the_page(admin: Any) -> None:
    upload(admin, to_csv([*world_rows(), *[person(str(400000 + n), email="bad") for n in range(520)]]))
    response = admin.get(preview_url(PendingUpload.objects.get()))
    content = response.content.decode()
    assert len(response.context["problems"]) == 500
    assert "Showing the first 500 of 520 problems" in content and "And 20 more" in content


def test_mapping_step_then_remembered(admin: Any, world: Any) -> None:
    upload(admin, odd_file([*world_rows(), person("300001")]))
    pending = PendingUpload.objects.get()
    response = admin.get(preview_url(pending))
    assert response.status_code == 200
    assert "Match the file" in response.content.decode()
    assert [c for c in ["Employee No", "Forename"] if c in response.content.decode()] == ["Employee No", "Forename"]

    # Choosing one header twice is refused.
    bad = {"step": "mapping", "staff_number": "Employee No", "first_name": "Employee No", "last_name": "Surname", "unit_path": "Team"}
    response = admin.post(preview_url(pending), bad)
    assert response.status_code == 200 and "is already chosen" in response.content.decode()

    choice = {"step": "mapping", "staff_number": "Employee No", "first_name": "Forename", "last_name": "Surname", "unit_path": "Team",
              "email": "E-mail"}
    response = admin.post(preview_url(pending), choice)
    assert response.status_code == 302 and response["Location"] == preview_url(pending)
    assert ImportColumnMapping.objects.get().mapping["first_name"] == "Forename"
    from changeboard.core.models import AuditEntry

    saved = AuditEntry.objects.get(object_type="organisation.importcolumnmapping").after
    assert saved is not None and saved["mapping"]["first_name"] == "Forename"
    response = admin.get(preview_url(pending))
    assert response.context["report"].created == 1

    # The next file with the same headers goes straight to the preview.
    upload(admin, odd_file([*world_rows(), person("300001"), person("300002")]))
    newer = PendingUpload.objects.exclude(pk=pending.pk).get()
    response = admin.get(preview_url(newer))
    assert response.context["report"].created == 2
    assert ODD_HEADERS[0] in response.content.decode()
    admin.post(preview_url(newer), {"step": "commit", "mode": "all"})
    assert Staff.objects.filter(staff_number="300002").exists()


def test_another_admins_import_is_not_found(client: Any, world: Any) -> None:
    other = make_user("admin2", "admin")
    client.force_login(world.users["admin"])
    upload(client, to_csv(world_rows()))
    pending = PendingUpload.objects.get()
    client.force_login(other)
    assert client.get(preview_url(pending)).status_code == 404
    assert client.post(preview_url(pending), {"step": "commit", "mode": "all"}).status_code == 404


def test_upload_errors(admin: Any, settings: Any) -> None:
    response = admin.post(UPLOAD, {})
    assert response.status_code == 200 and "Select the HR staff file" in response.content.decode()
    response = upload(admin, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "old.xls")
    assert "must be a CSV or XLSX file" in response.content.decode()
    response = upload(admin, b"PK\x03\x04broken", "staff.xlsx")
    assert "not a valid Excel" in response.content.decode()
    settings.IMPORT_MAX_UPLOAD_MB = 0
    response = upload(admin, to_csv(world_rows()))
    assert "smaller than 0 MB" in response.content.decode()
    assert not PendingUpload.objects.exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_import_journey_in_a_browser_passes_axe(page: Any, world: Any) -> None:
    from changeboard.conftest import PASSWORD
    from changeboard.core.tests.browser import check_axe, sign_in, visit

    sign_in(page, "admin", PASSWORD)
    visit(page, UPLOAD)
    # A file with odd headers: the mapping step.
    page.get_by_label("Upload the HR staff file").set_input_files(
        {"name": "odd.csv", "mimeType": "text/csv", "buffer": odd_file([*world_rows(), person("300001")])}
    )
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url("**/staff/import/*/")
    check_axe(page)
    for label, header in [("Staff number", "Employee No"), ("First name", "Forename"), ("Last name", "Surname"), ("Unit path", "Team")]:
        page.get_by_label(label, exact=True).select_option(header)
    page.get_by_role("button", name="Save and check the file").click()
    page.wait_for_load_state()
    check_axe(page)
    assert "People who would be added" in page.content()

    # A file with errors: the problem table, the refusal, then the valid rows only.
    visit(page, UPLOAD)
    page.get_by_label("Upload the HR staff file").set_input_files(
        {"name": "staff.csv", "mimeType": "text/csv", "buffer": to_csv([*world_rows(), person("300001"), person("300002", email="bad")])}
    )
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url("**/staff/import/*/")
    check_axe(page)
    page.get_by_role("button", name="Commit import").click()
    page.wait_for_load_state()
    check_axe(page)
    assert "Choose to import the valid rows only" in page.content()
    page.get_by_label("Import the valid rows only and skip the rest").check()
    page.get_by_role("button", name="Commit import").click()
    page.wait_for_url("**/staff/")
    check_axe(page)
    assert "1 row with errors skipped" in page.content()
    # The audit trail has the import and the person it added.
    visit(page, "/audit/?action=import")
    page.get_by_role("link").filter(has_text=":").first.click()
    check_axe(page)
    assert "organisation.staffimport" in page.content()
    visit(page, "/audit/?object_type=organisation.staff&action=create")
    assert "300001" in page.content() and "300002" not in page.content()
    assert not page.console_errors, page.console_errors


def test_upload_refuses_a_crafted_workbook_before_loading_it(admin: Any) -> None:
    """Issue 17: a small zip that unpacks to millions of cells is refused on
    the upload page, and nothing is staged."""
    from changeboard.core.tests import workbooks

    response = upload(admin, workbooks.many_cells(), "staff.xlsx")
    assert response.status_code == 200
    assert "The workbook is too large to import" in response.content.decode()
    assert not PendingUpload.objects.exists()


def test_the_staff_file_is_read_once_per_upload(admin: Any, monkeypatch: Any) -> None:
    """Issue 17: previews (and the mapping step, and the commit) use the
    sheet kept with the pending upload; the XLSX is loaded once."""
    from changeboard.core import tabular
    from changeboard.organisation.importing import importer as staff_importer

    from .test_import import COLUMNS

    loads: list[int] = []
    real = tabular._read_xlsx

    def counting(data: bytes) -> tabular.Sheet:
        loads.append(len(data))
        return real(data)

    monkeypatch.setattr(tabular, "_read_xlsx", counting)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(COLUMNS))
    for row in world_rows():
        sheet.append([row.get(c, "") for c in COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    response = upload(admin, buffer.getvalue(), "staff.xlsx")
    assert response.status_code == 302 and len(loads) == 1
    for _ in range(3):
        staff_importer._last_cleaned = None  # not the process-local reuse: the stored sheet
        assert admin.get(response["Location"]).status_code == 200
    staff_importer._last_cleaned = None
    done = admin.post(response["Location"], {"step": "commit", "mode": "all"})
    assert done.status_code == 302 and len(loads) == 1
    assert Staff.objects.exists()
