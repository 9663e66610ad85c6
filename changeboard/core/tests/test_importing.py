"""The import pipeline every spreadsheet import shares (`core.importing`,
`core.import_views`), through a tiny import of its own: "widgets" (a code
and a name per row) into a notebook, which is the uploader themselves (so
anyone else's notebook is out of scope: 404)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.test import Client
from django.urls import path, reverse

from changeboard.conftest import make_user
from changeboard.core import audit, uploads
from changeboard.core.import_views import ImportPreviewView, ImportUploadView, ImportViewMixin
from changeboard.core.importing import Importer, ImportRefusedBase, ImportReportBase, Problem, csv_text
from changeboard.core.models import AuditEntry, PendingUpload
from changeboard.urls import urlpatterns as site_urlpatterns

User = get_user_model()
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

# --------------------------------------------------------------------------
# The spec: columns and row rules only


@dataclass
class WidgetReport(ImportReportBase):
    names: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"{'Imported' if self.committed else 'Would import'} {self.valid} widget{'s' if self.valid != 1 else ''}{self.skipped_note()}."


class WidgetImportRefused(ImportRefusedBase):
    report: WidgetReport


class WidgetImporter(Importer[WidgetReport]):
    kind = "test-widgets"
    label = "Widget import"
    report_class = WidgetReport
    refused_error = WidgetImportRefused
    target_model = User
    columns = ("code", "name")
    required = ("code", "name")
    aliases = {"name": ("title",)}
    column_labels = {"code": "Letters and digits", "name": "What it is called"}

    def sample_rows(self) -> tuple[list[str], list[list[str]]]:
        return ["code", "name"], [["W1", "Sprocket"]]

    def check_row(self, number: int, cell: dict[str, str]) -> tuple[str, list[Problem]]:
        problems = []
        if not cell["code"].isascii() or not cell["code"].isalnum():
            problems.append(Problem(number, "code", cell["code"], "Not a code: letters and digits only"))
        if not cell["name"]:
            problems.append(Problem(number, "name", "", "Missing: every widget needs a name"))
        return cell["name"], problems

    def accept(self, report: WidgetReport, row: str) -> None:
        report.names.append(row)

    def write(self, report: WidgetReport, *, actor: Any) -> None:
        for name in report.names:
            audit.record(actor=actor, action="create", object_type="test.widget", object_repr=name)
        report.created = len(report.names)


# --------------------------------------------------------------------------
# The pages: the importer, the target lookup and the URL names


class WidgetImportMixin(ImportViewMixin):
    model = PendingUpload  # no role_actions: portfolio administrators only
    action = "add"
    importer_class = WidgetImporter
    upload_url_name = "test-widget-import"
    preview_url_name = "test-widget-import-preview"
    import_label = "Import widgets"

    def get_target(self) -> Model:
        return get_object_or_404(User.objects.filter(pk=self.request.user.pk), pk=self.kwargs["pk"])

    def get_done_url(self) -> str:
        return reverse("test-widget-import", kwargs=self.url_kwargs())


class WidgetImportView(ImportUploadView, WidgetImportMixin):
    template_name = "core/import_upload.html"
    page_title = "Import widgets"
    file_text = ("Upload the widgets", "A CSV or XLSX file, one widget per row.", "Select the widget file")



class WidgetImportPreviewView(ImportPreviewView, WidgetImportMixin):
    template_name = "core/import_preview.html"
    preview_title = "Check the widgets"
    problems_name = "widget-problems"


urlpatterns = [
    *site_urlpatterns,
    path("test/widgets/<int:pk>/", WidgetImportView.as_view(), name="test-widget-import"),
    path("test/widgets/<int:pk>/<uuid:token>/", WidgetImportPreviewView.as_view(), name="test-widget-import-preview"),
]

GOOD = csv_text(["Code", "Title"], [["W1", "Sprocket"], ["W2", "Flange"]]).encode()
MIXED = csv_text(["code", "name"], [["W1", "Sprocket"], ["W 2", ""], ["W3", "Cog"]]).encode()


@pytest.fixture
def admin() -> Any:
    return make_user("widgetadmin", "admin")


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --------------------------------------------------------------------------
# The importer


def test_preview_maps_columns_checks_rows_and_writes_nothing(admin: Any) -> None:
    report = WidgetImporter(admin).preview(MIXED, "widgets.csv")
    assert (report.rows, report.valid, report.invalid, report.names) == (3, 2, 1, ["Sprocket", "Cog"])
    assert [(p.row, p.column) for p in report.problems] == [(3, "code"), (3, "name")]
    assert report.refused and "1 of 3 rows has errors" in report.refusal_message()
    assert report.error_summary() == ["1 of 3 rows has errors (2 problems)"]
    assert "second imports the 2 valid rows and skips the rest" in report.commit_warning()
    # Header case and an alias ("Title" for name) are matched.
    assert WidgetImporter(admin).preview(GOOD, "widgets.csv").valid == 2
    assert not AuditEntry.objects.filter(object_type="test.widget").exists()


def test_missing_columns_refuse_the_whole_file(admin: Any) -> None:
    report = WidgetImporter(admin).preview(b"code,colour\nW1,red\n", "widgets.csv")
    assert report.missing_columns == ["name"] and report.invalid == 1 and report.refused
    assert report.unimportable and "either choice" in report.commit_warning()
    with pytest.raises(WidgetImportRefused):
        WidgetImporter(admin).commit(b"code,colour\nW1,red\n", "widgets.csv", actor=admin)


def test_commit_refuses_whole_or_skips_invalid_in_one_transaction_with_one_audit_row(admin: Any) -> None:
    with pytest.raises(WidgetImportRefused) as refused:
        WidgetImporter(admin).commit(MIXED, "widgets.csv", actor=admin)
    assert refused.value.report.invalid == 1
    assert not AuditEntry.objects.filter(object_type="test.widget").exists()

    report = WidgetImporter(admin).commit(MIXED, "widgets.csv", actor=admin, skip_invalid=True)
    assert report.committed and report.created == 2
    assert report.summary() == "Imported 2 widgets; 1 row with errors skipped."
    assert AuditEntry.objects.filter(object_type="test.widget").count() == 2
    assert AuditEntry.objects.filter(action="import").count() == 1


def test_a_write_that_fails_rolls_everything_back(admin: Any, monkeypatch: Any) -> None:
    def fail_after_writing(self: WidgetImporter, report: WidgetReport, *, actor: Any) -> None:
        audit.record(actor=actor, action="create", object_type="test.widget", object_repr="half")
        raise ValidationError("The notebook is full.")

    monkeypatch.setattr(WidgetImporter, "write", fail_after_writing)
    with pytest.raises(ValidationError):
        WidgetImporter(admin).commit(GOOD, "widgets.csv", actor=admin)
    assert not AuditEntry.objects.filter(object_type__in=["test.widget"]).exists()
    assert not AuditEntry.objects.filter(action="import").exists()


def test_a_staged_upload_commits_once_for_its_uploader_only(admin: Any) -> None:
    importer = WidgetImporter(admin)
    pending = importer.stage(data=GOOD, filename="widgets.csv", actor=admin)
    assert (pending.kind, pending.target_id, pending.status) == ("test-widgets", admin.pk, PendingUpload.Status.PENDING)
    other = make_user("other", "admin")
    with pytest.raises(ValidationError, match=uploads.NOT_THE_UPLOADER):
        importer.commit_pending(pending=pending, actor=other, skip_invalid=False)
    report = importer.commit_pending(pending=pending, actor=admin, skip_invalid=False)
    assert report.created == 2
    pending.refresh_from_db()
    assert pending.status == PendingUpload.Status.COMMITTED and not pending.file and pending.result is not None and pending.result["created"] == 2
    with pytest.raises(ValidationError, match=uploads.ALREADY_IMPORTED):
        importer.commit_pending(pending=pending, actor=admin, skip_invalid=False)


# --------------------------------------------------------------------------
# The pages


def upload(client: Client, user: Any, data: bytes = GOOD) -> str:
    response = client.post(reverse("test-widget-import", args=[user.pk]), {"file": SimpleUploadedFile("widgets.csv", data, "text/csv")})
    assert response.status_code == 302
    return response["Location"]


def test_upload_preview_commit(admin: Any) -> None:
    client = client_for(admin)
    page = client.get(reverse("test-widget-import", args=[admin.pk]))
    content = page.content.decode()
    assert page.status_code == 200 and "Import widgets" in content and "Upload the widgets" in content and "<code>code</code>" in content
    sample = client.get(reverse("test-widget-import", args=[admin.pk]), {"sample": "1"})
    assert isinstance(sample, StreamingHttpResponse)
    assert sample.status_code == 200 and b"W1,Sprocket" in b"".join(sample.streaming_content)

    preview_url = upload(client, admin)
    pending = PendingUpload.objects.get(kind="test-widgets")
    assert preview_url == reverse("test-widget-import-preview", args=[admin.pk, pending.token])
    preview = client.get(preview_url)
    content = preview.content.decode()
    assert preview.status_code == 200 and "Check the widgets" in content and "No problems found" in content
    assert not AuditEntry.objects.filter(object_type="test.widget").exists()

    done = client.post(preview_url, {"mode": "all"}, follow=True)
    assert done.redirect_chain[-1][0] == reverse("test-widget-import", args=[admin.pk])
    assert "Imported 2 widgets." in done.content.decode()
    assert AuditEntry.objects.filter(object_type="test.widget").count() == 2

    # A second commit (a double click) is refused and writes nothing more.
    again = client.post(preview_url, {"mode": "all"})
    assert again.status_code == 404  # the upload is no longer pending
    assert AuditEntry.objects.filter(object_type="test.widget").count() == 2


def test_errors_are_listed_refused_then_skipped_on_request(admin: Any) -> None:
    client = client_for(admin)
    preview_url = upload(client, admin, MIXED)
    content = client.get(preview_url).content.decode()
    assert "There is a problem" in content and "1 of 3 rows has errors (2 problems)" in content and "Not a code" in content
    problems = client.get(preview_url, {"errors": "csv"})
    assert isinstance(problems, StreamingHttpResponse)
    assert problems.status_code == 200 and b"".join(problems.streaming_content).decode("utf-8-sig").splitlines()[0] == "row,column,value,problem"

    refused = client.post(preview_url, {"mode": "all"})
    assert refused.status_code == 200 and "The file has rows with errors" in refused.content.decode()
    assert not AuditEntry.objects.filter(object_type="test.widget").exists()

    done = client.post(preview_url, {"mode": "valid"}, follow=True)
    assert "Imported 2 widgets; 1 row with errors skipped." in done.content.decode()


def test_someone_elses_upload_or_target_is_404(admin: Any) -> None:
    client = client_for(admin)
    preview_url = upload(client, admin)
    other = make_user("other", "admin")
    other_client = client_for(other)
    # Another user's upload, even in their own notebook's URL, is not found.
    token = PendingUpload.objects.get(kind="test-widgets").token
    assert other_client.get(preview_url).status_code == 404
    assert other_client.get(reverse("test-widget-import-preview", args=[other.pk, token])).status_code == 404
    assert other_client.post(reverse("test-widget-import-preview", args=[other.pk, token]), {"mode": "all"}).status_code == 404
    # Another user's notebook (the target) is out of scope.
    assert other_client.get(reverse("test-widget-import", args=[admin.pk])).status_code == 404
    assert not AuditEntry.objects.filter(object_type="test.widget").exists()


def test_a_role_that_never_may_import_is_403(admin: Any) -> None:
    board = make_user("boardmember", "board")
    assert client_for(board).get(reverse("test-widget-import", args=[board.pk])).status_code == 403


def test_a_file_is_read_once_per_upload_not_on_every_preview(admin: Any, monkeypatch: Any) -> None:
    """Issue 17: the upload reads the file and the pending upload keeps the
    sheet; previews, the problems CSV and the commit do not read it again."""
    from changeboard.core import tabular

    reads: list[int] = []
    real = tabular._read_csv

    def counting(data: bytes) -> tabular.Sheet:
        reads.append(len(data))
        return real(data)

    monkeypatch.setattr(tabular, "_read_csv", counting)
    client = client_for(admin)
    preview_url = upload(client, admin, GOOD)
    assert len(reads) == 1
    for _ in range(3):
        assert client.get(preview_url).status_code == 200
    assert client.get(preview_url, {"errors": "csv"}).status_code == 200
    done = client.post(preview_url, {"mode": "all"}, follow=True)
    assert "Imported 2 widgets." in done.content.decode()
    assert len(reads) == 1
    pending = PendingUpload.objects.get(kind="test-widgets")
    assert bytes(pending.sheet) == b"" and not pending.file  # dropped with the file once committed


def test_an_upload_staged_without_its_sheet_is_read_when_previewed(admin: Any) -> None:
    pending = uploads.stage(kind="test-widgets", target_id=admin.pk, data=GOOD, filename="w.csv", actor=admin)
    assert pending.sheet  # read when staged
    PendingUpload.objects.filter(pk=pending.pk).update(sheet=b"")
    pending.refresh_from_db()
    assert uploads.sheet_of(pending).headers == ["Code", "Title"]
