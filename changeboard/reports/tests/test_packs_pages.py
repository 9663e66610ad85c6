"""Board pack pages and API: who may open them (the persona matrix), the
request form, the polled status, downloads (attachments, audited, 404 until
ready) and the API's request, read and download."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from changeboard.core.models import AuditEntry
from changeboard.core.tests.test_permissions import LOGIN, PERSONAS, _check, _client
from changeboard.reports import packs
from changeboard.reports.models import BoardPack

COVERED_NAMES = {"pack-list", "pack-detail", "pack-download", "api-pack-list", "api-pack-detail", "api-pack-download"}
OK, DENY = 200, 403
BOARD_ONLY = {**dict.fromkeys(PERSONAS, DENY), "admin": OK, "board": OK, "anonymous": LOGIN}
API_BOARD_ONLY = {**BOARD_ONLY, "anonymous": 401}
CONTENT: dict[str, Any] = {"as_of": "2026-10-31", "generated_at": "2026-11-01T09:00:00+00:00", "title": "Board pack, as of 31 October 2026",
           "portfolio": {"as_of": "2026-10-31", "hotspot_weeks": ["2026-10-26", "2027-01-11"], "saturated_units": 2,
                         "programmes": [], "hotspots": [], "not_ready": [], "critical": [], "barriers": [], "overdue": []},
           "programmes": [], "previous": None, "changes": {"previous": None},
           "exceptions": {"saturated_units": 2, "hotspots": 0, "not_ready": 0, "critical_reds": 0, "barriers": 0, "overdue_actions": 0}}


def ready_pack(as_of: dt.date = dt.date(2026, 10, 31), **fields: Any) -> BoardPack:
    """A ready pack written directly (the generation tests build real ones)."""
    values = {"title": packs.pack_title(as_of), "status": BoardPack.Status.READY, "generated_at": timezone.now(), "seconds": 1.5,
              "content": {**CONTENT, "as_of": as_of.isoformat()}, "html": "<!DOCTYPE html><html><body>Pack</body></html>",
              "pdf": ContentFile(b"%PDF-1.7 pack", name="pack.pdf"), "xlsx": ContentFile(b"PK\x03\x04 pack", name="pack.xlsx"),
              "pdf_size": 13, "xlsx_size": 13, **fields}
    return BoardPack.objects.create(as_of=as_of, **values)


PAGES = [
    ("pack-list", lambda p: {}),
    ("pack-detail", lambda p: {"pk": p.pk}),
    ("pack-download", lambda p: {"pk": p.pk, "fmt": "pdf"}),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs"), PAGES, ids=[p[0] for p in PAGES])
def test_page_matrix(client: Any, world: Any, persona: str, name: str, kwargs: Any) -> None:
    url = reverse(name, kwargs=kwargs(ready_pack()))
    _check(_client(client, world, persona).get(url), BOARD_ONLY[persona])


@pytest.mark.parametrize("persona", PERSONAS)
def test_requesting_a_pack_matrix(client: Any, world: Any, persona: str, django_capture_on_commit_callbacks: Any) -> None:
    c = _client(client, world, persona)
    with django_capture_on_commit_callbacks(execute=False):
        response = c.post(reverse("pack-list"), {"as_of": "2026-10-31"})
    if BOARD_ONLY[persona] == OK:
        pack = BoardPack.objects.get()
        assert response.status_code == 302 and response["Location"] == pack.get_absolute_url()
    else:
        _check(response, BOARD_ONLY[persona])
        assert not BoardPack.objects.exists()


API = [
    ("get", "api-pack-list", lambda p: {}, {}),
    ("get", "api-pack-detail", lambda p: {"pk": p.pk}, {}),
    ("get", "api-pack-download", lambda p: {"pk": p.pk}, {"kind": "pdf"}),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "name", "kwargs", "params"), API, ids=[a[1] for a in API])
def test_api_matrix(client: Any, world: Any, persona: str, method: str, name: str, kwargs: Any, params: dict[str, str]) -> None:
    url = reverse(name, kwargs=kwargs(ready_pack()))
    response = _client(client, world, persona).get(url, params, HTTP_ACCEPT="application/json")
    assert response.status_code == API_BOARD_ONLY[persona], (response.status_code, persona)


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_request_matrix(client: Any, world: Any, persona: str, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        response = _client(client, world, persona).post(reverse("api-pack-list"), {"as_of": "2026-10-31"}, content_type="application/json")
    expected = {**API_BOARD_ONLY, "admin": 202, "board": 202}[persona]
    assert response.status_code == expected
    if expected == 202:
        assert response.json()["status"] == "queued" and response.json()["title"] == "Board pack, as of 31 October 2026"


def test_the_list_shows_packs_and_its_queries_do_not_grow(client: Any, world: Any) -> None:
    c = _client(client, world, "board")
    ready_pack(requested_by=world.users["board"])
    with CaptureQueriesContext(connection) as few:
        page = c.get(reverse("pack-list"))
    text = page.content.decode()
    assert "Board pack, as of 31 October 2026" in text and "Board Tester" in text and "Ready" in text
    assert 'value="' + timezone.localdate().isoformat() + '"' in text  # today by default
    for day in range(1, 12):
        ready_pack(dt.date(2026, 9, day), scheduled=True)
    with CaptureQueriesContext(connection) as many:
        page = c.get(reverse("pack-list"))
    assert len(many.captured_queries) == len(few.captured_queries)
    assert "Monthly schedule" in page.content.decode()
    # The list never loads a pack's files; their sizes come from the database.
    for query in many.captured_queries:
        for column in ('"reports_boardpack"."pdf"', '"reports_boardpack"."xlsx"', '"reports_boardpack"."content"'):
            assert query["sql"].count(column) == query["sql"].count(f"LENGTH({column})"), query["sql"]


def test_the_request_form_checks_the_date(client: Any, world: Any) -> None:
    c = _client(client, world, "board")
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    for value, message in [("", "Enter the as-of date"), ("2026-02-30", "The as-of date must be a real date"),
                           (future, "The as-of date must be today or in the past")]:
        page = c.post(reverse("pack-list"), {"as_of": value})
        text = page.content.decode()
        assert page.status_code == 200
        assert "govuk-error-summary" in text and message in text and 'href="#id_as_of"' in text
    assert not BoardPack.objects.exists()


def test_requesting_from_the_page_builds_the_pack(client: Any, world: Any, django_capture_on_commit_callbacks: Any) -> None:
    c = _client(client, world, "board")
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(reverse("pack-list"), {"as_of": "2026-10-31"})
    pack = BoardPack.objects.get()
    assert response["Location"] == pack.get_absolute_url()
    assert pack.status == BoardPack.Status.READY and pack.requested_by == world.users["board"]
    text = c.get(response["Location"]).content.decode()
    assert "has been requested" in text and reverse("pack-download", args=[pack.pk, "pdf"]) in text


def test_a_pack_being_generated_polls_its_status_only(client: Any, world: Any) -> None:
    c = _client(client, world, "board")
    pack = BoardPack.objects.create(as_of=dt.date(2026, 10, 31), title="Board pack, as of 31 October 2026")
    text = c.get(pack.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 3s"' in text and f"{pack.get_absolute_url()}?status=1" in text
    assert "Download the pack" not in text
    region = c.get(pack.get_absolute_url(), {"status": "1"}, HTTP_HX_REQUEST="true")
    assert "Queued" in region.content.decode() and "<html" not in region.content.decode() and "HX-Refresh" not in region
    BoardPack.objects.filter(pk=pack.pk).update(status=BoardPack.Status.BUILDING)
    assert "Being generated" in c.get(pack.get_absolute_url(), {"status": "1"}, HTTP_HX_REQUEST="true").content.decode()
    BoardPack.objects.filter(pk=pack.pk).update(status=BoardPack.Status.READY, content=CONTENT, html="x",
                                                pdf=default_storage.save("board-packs/p.pdf", ContentFile(b"%PDF")),
                                                xlsx=default_storage.save("board-packs/p.xlsx", ContentFile(b"PK")))
    settled = c.get(pack.get_absolute_url(), {"status": "1"}, HTTP_HX_REQUEST="true")
    assert settled["HX-Refresh"] == "true"  # the whole page reloads to show the pack
    text = c.get(pack.get_absolute_url()).content.decode()
    assert "hx-trigger" not in text and "Download the pack" in text
    assert "Units saturated by change load" in text and "first board pack" in text


def test_downloads_are_attachments_audited_and_wait_for_ready(client: Any, world: Any) -> None:
    c = _client(client, world, "board")
    pack = ready_pack()
    for fmt, content_type, body in [("pdf", "application/pdf", b"%PDF-1.7 pack"),
                                    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04 pack"),
                                    ("html", "text/html; charset=utf-8", b"<!DOCTYPE html><html><body>Pack</body></html>")]:
        response = c.get(reverse("pack-download", args=[pack.pk, fmt]))
        assert response.status_code == 200 and response.getvalue() == body
        assert response["Content-Type"] == content_type
        assert response["Content-Disposition"] == f'attachment; filename="board-pack-2026-10-31.{fmt}"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]
    entries = AuditEntry.objects.filter(action="download", object_type="reports.boardpack", object_id=str(pack.pk))
    assert sorted((e.after or {})["format"] for e in entries) == ["html", "pdf", "xlsx"]
    assert {e.actor_id for e in entries} == {world.users["board"].pk}
    assert c.get(reverse("pack-download", args=[pack.pk, "docx"])).status_code == 404
    queued = BoardPack.objects.create(as_of=dt.date(2026, 10, 1), title="Queued")
    assert c.get(reverse("pack-download", args=[queued.pk, "pdf"])).status_code == 404


def test_the_audit_trail_filters_pack_downloads(client: Any, world: Any) -> None:
    """"download" is a listed action: the trail's filter finds the downloads
    on the page and in the API (an unlisted action was refused as invalid)."""
    pack = ready_pack()
    board = _client(client, world, "board")
    for fmt in ("pdf", "xlsx"):
        assert board.get(reverse("pack-download", args=[pack.pk, fmt])).status_code == 200
    packs.pack_record_download(pack=pack, fmt="html", actor=world.users["board"])
    AuditEntry.objects.create(action="update", object_type="reports.boardpack", object_id=str(pack.pk), object_repr="Not a download")
    auditor = _client(client, world, "auditor")
    page = auditor.get(reverse("audit-list"), {"action": "download"})
    text = page.content.decode()
    assert page.status_code == 200 and '<option value="download" selected>Download</option>' in text
    assert pack.title in text and "Not a download" not in text
    api = auditor.get(reverse("api-audit-list"), {"action": "download"}, HTTP_ACCEPT="application/json")
    assert api.status_code == 200
    results = api.json()["results"]
    assert len(results) == 3 and {r["action"] for r in results} == {"download"}
    assert sorted(r["after"]["format"] for r in results) == ["html", "pdf", "xlsx"]


def test_the_api_reads_requests_and_downloads(client: Any, world: Any, django_capture_on_commit_callbacks: Any) -> None:
    c = _client(client, world, "board")
    pack = ready_pack()
    listed = c.get(reverse("api-pack-list"), HTTP_ACCEPT="application/json").json()["results"]
    assert [p["id"] for p in listed] == [pack.pk] and "content" not in listed[0]
    assert listed[0]["downloads"]["pdf"].endswith(f"/api/v1/packs/{pack.pk}/download/?kind=pdf")
    detail = c.get(reverse("api-pack-detail", args=[pack.pk]), HTTP_ACCEPT="application/json").json()
    assert detail["content"]["exceptions"]["saturated_units"] == 2 and detail["status"] == "ready"
    response = c.get(reverse("api-pack-download", args=[pack.pk]), {"kind": "xlsx"})
    assert response.status_code == 200 and response.getvalue() == b"PK\x03\x04 pack"
    assert response["Content-Disposition"] == 'attachment; filename="board-pack-2026-10-31.xlsx"'
    assert AuditEntry.objects.filter(action="download", object_id=str(pack.pk)).count() == 1
    assert c.get(reverse("api-pack-download", args=[pack.pk]), {"kind": "exe"}).status_code == 400
    future = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    refused = c.post(reverse("api-pack-list"), {"as_of": future}, content_type="application/json")
    assert refused.status_code == 400 and "as_of" in refused.json()
    with django_capture_on_commit_callbacks(execute=False):
        created = c.post(reverse("api-pack-list"), {"as_of": "2026-09-30"}, content_type="application/json")
    assert created.status_code == 202
    queued_id = created.json()["id"]
    assert created.json()["downloads"] == {}
    assert c.get(reverse("api-pack-download", args=[queued_id]), {"kind": "pdf"}).status_code == 404
    # No role may change or delete a pack: the Board lacks the right, and
    # even an administrator finds no such method.
    assert c.put(reverse("api-pack-detail", args=[pack.pk]), {}, content_type="application/json").status_code == 403
    admin = _client(client, world, "admin")
    assert admin.put(reverse("api-pack-detail", args=[pack.pk]), {}, content_type="application/json").status_code == 405
    assert admin.delete(reverse("api-pack-detail", args=[pack.pk])).status_code == 405


def test_the_schema_describes_packs(client: Any, world: Any) -> None:
    schema = _client(client, world, "board").get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()
    assert "/api/v1/packs/" in schema["paths"] and "/api/v1/packs/{id}/download/" in schema["paths"]
    assert "post" in schema["paths"]["/api/v1/packs/"]
