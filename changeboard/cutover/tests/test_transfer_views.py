"""The import pages (upload -> preview with the per-row error report ->
commit), the downloads and the API export, as a change manager uses them."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from changeboard.core.models import AuditEntry, PendingUpload

from ..importing import HEADERS
from ..models import Runbook
from .fixtures import full_runbook, new_runbook, sample


@pytest.fixture
def lead(client: Any, world: Any) -> Any:
    client.force_login(world.users["lead"])
    return client


def upload(client: Any, url: str, name: str, data: bytes) -> Any:
    return client.post(url, {"file": SimpleUploadedFile(name, data)})


def test_upload_preview_commit(lead: Any, world: Any) -> None:
    runbook = new_runbook(world)
    response = upload(lead, reverse("runbook-import", args=[runbook.pk]), "tasks.csv", sample("tasks.csv"))
    assert response.status_code == 302
    pending = PendingUpload.objects.get(kind=PendingUpload.Kind.CUTOVER_TASKS, target_id=runbook.pk)
    preview = lead.get(response["Location"])
    page = preview.content.decode()
    assert preview.status_code == 200 and "No problems found in the file." in page
    assert "Tasks to add" in page and "T-050" in page and "2027-03-06 20:30 GMT" in page
    assert "Planned finish" in page and "valid rows only" not in page
    done = lead.post(response["Location"], {"mode": "all"}, follow=True)
    assert done.redirect_chain[-1][0] == reverse("runbook-detail", args=[runbook.pk])
    assert "Imported 5 tasks: 5 added, 0 updated, 0 removed; 5 links." in done.content.decode()
    assert runbook.tasks.count() == 5
    pending.refresh_from_db()
    assert pending.status == PendingUpload.Status.COMMITTED
    # A second click is refused, and nothing is doubled.
    again = lead.post(response["Location"], {"mode": "all"})
    assert again.status_code == 404 and runbook.tasks.count() == 5
    assert AuditEntry.objects.filter(action="import", object_id=str(runbook.pk)).count() == 1


def test_the_preview_reports_every_problem_by_row_and_refuses_the_commit(lead: Any, world: Any) -> None:
    runbook = new_runbook(world)
    data = sample("tasks.csv").replace(b"T-020,Go/no-go call,Business,,decision", b"T-020,Go/no-go call,Business,,meeting")
    data = data.replace(b"T-030,Migrate the case files,Technology,Data,normal,3h,T-020SS+15", b"T-030,Migrate,Technology,Data,normal,3h,T-999")
    response = upload(lead, reverse("runbook-import", args=[runbook.pk]), "tasks.csv", data)
    page = lead.get(response["Location"]).content.decode()
    assert "There is a problem" in page and "Unknown type" in page and "Unknown predecessor: T-999" in page
    assert "nothing can be imported until they are corrected" in page
    report = lead.get(response["Location"] + "?errors=csv")
    text = b"".join(report.streaming_content).decode("utf-8-sig")
    assert "3,type,meeting,\"Unknown type" in text and "4,predecessors,T-999" in text
    refused = lead.post(response["Location"], {"mode": "all"})
    assert refused.status_code == 200 and "correct them and upload it again" in refused.content.decode()
    assert not runbook.tasks.exists()


@pytest.mark.parametrize(("name", "data", "message"), [
    ("tasks.pdf", b"%PDF-1.4", "must be a CSV or XLSX file"),
    ("tasks.csv", b"", "The selected file is empty"),
    ("tasks.csv", b"  \n ", "The file is empty"),
    ("tasks.xlsx", b"not a workbook", "not a valid Excel (XLSX) workbook"),
])
def test_wrong_and_empty_files_are_refused_on_the_upload_page(lead: Any, world: Any, name: str, data: bytes, message: str) -> None:
    runbook = new_runbook(world)
    response = upload(lead, reverse("runbook-import", args=[runbook.pk]), name, data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not PendingUpload.objects.exists()


def test_the_upload_page_offers_a_sample_that_imports(lead: Any, world: Any) -> None:
    runbook = new_runbook(world)
    page = lead.get(reverse("runbook-import", args=[runbook.pk]))
    assert page.status_code == 200 and "What the file must contain" in page.content.decode()
    sample_file = b"".join(lead.get(reverse("runbook-import", args=[runbook.pk]) + "?sample=1").streaming_content)
    response = upload(lead, reverse("runbook-import", args=[runbook.pk]), "sample.csv", sample_file)
    assert "No problems found in the file." in lead.get(response["Location"]).content.decode()


@pytest.mark.parametrize(("name", "data", "message"), [
    ("project.csv", b"ID\n1", "must be an MS Project XML (.xml) file"),
    ("bomb.xml", sample("bomb.xml"), "declares a DTD or entities"),
    ("broken.xml", b"<Project><Tasks>", "not well-formed XML"),
    ("other.xml", b"<Workbook/>", "not a Microsoft Project file"),
])
def test_ms_project_upload_refuses_what_is_not_a_project(lead: Any, world: Any, name: str, data: bytes, message: str) -> None:
    runbook = new_runbook(world)
    response = upload(lead, reverse("runbook-import-mspdi", args=[runbook.pk]), name, data)
    assert response.status_code == 200 and message in response.content.decode()


def test_ms_project_upload_preview_commit(lead: Any, world: Any) -> None:
    runbook = new_runbook(world)
    response = upload(lead, reverse("runbook-import-mspdi", args=[runbook.pk]), "project.xml", sample("project.xml"))
    assert response.status_code == 302
    page = lead.get(response["Location"]).content.decode()
    assert "Microsoft Project XML (MSPDI)" in page and "Not taken from the file" in page and "Jo Bloggs" in page
    lead.post(response["Location"], {"mode": "all"})
    assert sorted(runbook.tasks.values_list("ref", flat=True)) == ["2", "3", "5", "6", "7", "8"]


def test_a_live_runbook_takes_no_import(lead: Any, world: Any) -> None:
    runbook = new_runbook(world)
    Runbook.objects.filter(pk=runbook.pk).update(mode=Runbook.Mode.LIVE)
    response = lead.get(reverse("runbook-import", args=[runbook.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("runbook-detail", args=[runbook.pk])
    assert "only while a runbook is in planning or rehearsal" in response.content.decode()


def test_downloads(lead: Any, world: Any) -> None:
    runbook = full_runbook(world)
    csv_response = lead.get(reverse("runbook-export", args=[runbook.pk]) + "?format=csv")
    text = b"".join(csv_response.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(HEADERS)
    assert "T-050,Last moment to roll back,Business,,milestone,0,\"T-030, T-040SF+30\",,,,,yes,1,," in text
    assert "'=Check a sample of files" in text  # guarded against formulas, read back by the import
    xlsx = lead.get(reverse("runbook-export", args=[runbook.pk]) + "?format=xlsx")
    rows = list(load_workbook(io.BytesIO(xlsx.content)).worksheets[0].values)
    assert rows[0] == HEADERS and rows[1][0] == "T-010" and rows[1][8] == "2027-03-06 20:30 GMT"
    xml = lead.get(reverse("runbook-export", args=[runbook.pk]) + "?format=xml")
    assert xml["Content-Type"].startswith("application/xml") and b"<Project" in xml.content
    assert 'filename="runbook-' in xml["Content-Disposition"]
    assert lead.get(reverse("runbook-export", args=[runbook.pk]) + "?format=pdf").status_code == 400


def test_api_export(lead: Any, world: Any) -> None:
    runbook = full_runbook(world)
    url = reverse("api-runbook-export", args=[runbook.pk])
    assert b"T-040" in b"".join(lead.get(url + "?format=csv").streaming_content)
    assert lead.get(url + "?format=xlsx")["Content-Type"].startswith("application/vnd.openxmlformats")
    assert b"<Project" in lead.get(url + "?format=xml").content
    refused = lead.get(url + "?format=pdf")
    assert refused.status_code == 400 and refused.json() == {"format": "Choose csv, xlsx or xml."}
    assert lead.get(reverse("api-runbook-export", args=[999999]) + "?format=csv").status_code == 404


@pytest.mark.parametrize("bad", ["²", "١", "-1", "9" * 30, "\x00"])
def test_bad_parameters_never_give_a_500(lead: Any, world: Any, bad: str) -> None:
    """`core/tests/test_strict_params.py` has no runbook to reach these pages with: the same values here."""
    runbook = new_runbook(world)
    pending = upload(lead, reverse("runbook-import", args=[runbook.pk]), "tasks.csv", sample("tasks.csv"))["Location"]
    pending_xml = upload(lead, reverse("runbook-import-mspdi", args=[runbook.pk]), "project.xml", sample("project.xml"))["Location"]
    pages = [reverse("runbook-transfer", args=[runbook.pk]), reverse("runbook-export", args=[runbook.pk]),
             reverse("runbook-import", args=[runbook.pk]), reverse("runbook-import-mspdi", args=[runbook.pk]), pending, pending_xml,
             reverse("api-runbook-export", args=[runbook.pk])]
    for url in pages:
        for name in ("format", "sample", "errors", "remap", "page"):
            assert lead.get(url, {name: bad}).status_code < 500, (url, name)


def test_the_runbook_page_links_the_downloads_and_the_imports(client: Any, lead: Any, world: Any) -> None:
    runbook = new_runbook(world)
    html = lead.get(reverse("runbook-detail", args=[runbook.pk])).content.decode()
    section = html[html.index('id="import-export"'):html.index('id="history"')]
    for fmt in ("csv", "xlsx", "xml"):
        assert f'href="{reverse("runbook-export", args=[runbook.pk])}?format={fmt}" download' in section
    assert f'href="{reverse("runbook-import", args=[runbook.pk])}"' in section
    assert f'href="{reverse("runbook-import-mspdi", args=[runbook.pk])}"' in section
    # The Board may download but not import; nor may anyone import into a live runbook.
    client.force_login(world.users["board"])
    board = client.get(reverse("runbook-detail", args=[runbook.pk])).content.decode()
    assert "?format=csv" in board and reverse("runbook-import", args=[runbook.pk]) not in board
    Runbook.objects.filter(pk=runbook.pk).update(mode=Runbook.Mode.LIVE)
    client.force_login(world.users["lead"])
    live = client.get(reverse("runbook-detail", args=[runbook.pk])).content.decode()
    assert "?format=csv" in live and reverse("runbook-import", args=[runbook.pk]) not in live
    # The transfer page leads back to the runbook page directly.
    transfer = client.get(reverse("runbook-transfer", args=[runbook.pk])).content.decode()
    assert f'<a class="govuk-link" href="{runbook.get_absolute_url()}">Back to the runbook</a>' in transfer
