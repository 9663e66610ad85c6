"""Readiness criteria pages and API: the permission matrix (every page and
endpoint as every persona: allow, 403, 404, sign-in), then what the pages
and endpoints do, including the scoped evidence download, the matrix
export and a champion's narrower view of the units."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from changeboard.conftest import make_staff
from changeboard.core.models import AuditEntry
from changeboard.core.tests.test_permissions import API_LOGIN, HIDDEN, LOGIN, OK, PERSONAS, READERS, _check, _client, expect
from changeboard.readiness import importing
from changeboard.readiness.models import Criterion, CriterionStatus, Evidence, Rag
from changeboard.readiness.services import criteria as services

from .test_criteria_services import PDF, PNG

COVERED_NAMES = {
    "criteria-list", "criterion-create", "criterion-detail", "criterion-edit", "criterion-delete", "criterion-evaluate", "criterion-status",
    "evidence-add", "evidence-delete", "evidence-download", "training-import", "training-import-preview",
    "api-criterion-list", "api-criterion-detail", "api-criterion-status-list", "api-criterion-status-detail",
    "api-evidence-list", "api-evidence-detail", "api-evidence-download",
}

MOVED = 302
A_READERS = {**READERS, "lead2": HIDDEN}
B_READERS = {**READERS, "lead": HIDDEN, "champion": HIDDEN}
EDIT_A = expect(admin=OK, lead=OK, lead2=HIDDEN)
POST_A = expect(admin=MOVED, lead=MOVED, lead2=HIDDEN)
ADMIN_ONLY = expect(admin=OK)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


class Criteria:
    """AAA: a manual criterion (with a file and a link of evidence) and a
    training-fed one; BBB: a manual criterion with a file."""

    def __init__(self, world: Any) -> None:
        self.world = world
        lead = world.users["lead"]
        self.a = services.criterion_save(programme=world.programme_a, actor=lead, title="Local process signed off", criticality="critical")
        self.fed = services.criterion_save(programme=world.programme_a, actor=lead, title="Officers trained", feed="training",
                                           course="SBS-101", threshold=90)
        self.b = services.criterion_save(programme=world.programme_b, actor=None, title="Case file templates live")
        self.status_a = CriterionStatus.objects.get(criterion=self.a, unit=world.central_west)
        self.status_fed = CriterionStatus.objects.get(criterion=self.fed, unit=world.central_west)
        self.status_b = CriterionStatus.objects.get(criterion=self.b, unit=world.north)
        self.file_a = services.evidence_add(criterion=self.a, title="Sign-off minutes", file=upload("minutes.pdf", PDF), actor=lead)
        self.link_a = services.evidence_add(criterion=self.a, title="Process map", url="https://intranet.example/map", actor=lead)
        self.file_b = services.evidence_add(criterion=self.b, title="Template pack", file=upload("pack.pdf", PDF), actor=None)


def five_in_post(world: Any) -> None:
    """Four more staff beside `staff_in`: a unit of five shows its training
    colour (a smaller one is "not enough data", TRAINING_MIN_STAFF)."""
    for i in range(4):
        make_staff(f"10040{i}", world.team)


def upload(name: str, data: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def c(world: Any) -> Criteria:
    return Criteria(world)


def _admin_upload(c: Criteria) -> dict[str, Any]:
    pending = importing.training_import_stage(data=b"staff_number,course,completed_on\r\n100001,SBS-101,2026-01-05\r\n", filename="t.csv",
                                              actor=c.world.users["admin"])
    return {"token": pending.token}


PAGES: list[tuple[str, Callable[[Criteria], dict[str, Any]], dict[str, Any], dict[str, Any]]] = [
    ("criteria-list", lambda c: {"programme_pk": c.world.programme_a.pk}, {}, A_READERS),
    ("criteria-list", lambda c: {"programme_pk": c.world.programme_b.pk}, {}, B_READERS),
    ("criteria-list", lambda c: {"programme_pk": c.world.programme_a.pk}, {"export": "csv"}, A_READERS),
    ("criteria-list", lambda c: {"programme_pk": c.world.programme_a.pk}, {"export": "xlsx"}, A_READERS),
    ("criterion-create", lambda c: {"programme_pk": c.world.programme_a.pk}, {}, EDIT_A),
    ("criterion-create", lambda c: {"programme_pk": c.world.programme_b.pk}, {}, {**EDIT_A, "lead": HIDDEN, "lead2": OK}),
    ("criterion-detail", lambda c: {"pk": c.a.pk}, {}, A_READERS),
    ("criterion-detail", lambda c: {"pk": c.b.pk}, {}, B_READERS),
    ("criterion-edit", lambda c: {"pk": c.a.pk}, {}, EDIT_A),
    ("criterion-delete", lambda c: {"pk": c.a.pk}, {}, EDIT_A),
    ("criterion-status", lambda c: {"pk": c.status_a.pk}, {}, EDIT_A),
    ("criterion-status", lambda c: {"pk": c.status_b.pk}, {}, {**EDIT_A, "lead": HIDDEN, "lead2": OK}),
    ("evidence-add", lambda c: {"pk": c.a.pk}, {}, EDIT_A),
    ("evidence-delete", lambda c: {"pk": c.file_a.pk}, {}, EDIT_A),
    ("evidence-download", lambda c: {"pk": c.file_a.pk}, {}, A_READERS),
    ("evidence-download", lambda c: {"pk": c.file_b.pk}, {}, B_READERS),
    # A link has nothing to download.
    ("evidence-download", lambda c: {"pk": c.link_a.pk}, {}, {**A_READERS, **dict.fromkeys(["admin", "board", "lead", "champion"], HIDDEN)}),
    ("training-import", lambda c: {}, {}, ADMIN_ONLY),
    ("training-import-preview", _admin_upload, {}, ADMIN_ONLY),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "query", "expected"), PAGES, ids=[f"{p[0]}-{i}" for i, p in enumerate(PAGES)])
def test_page_matrix(client: Any, c: Criteria, persona: str, name: str, kwargs: Any, query: dict[str, Any], expected: dict[str, Any]) -> None:
    url = reverse(name, kwargs=kwargs(c))
    _check(_client(client, c.world, persona).get(url, query), expected[persona])


POSTS: list[tuple[str, Callable[[Criteria], dict[str, Any]], Callable[[Criteria], dict[str, Any]], dict[str, Any]]] = [
    ("criterion-evaluate", lambda c: {"pk": c.fed.pk}, lambda c: {}, POST_A),
    ("criterion-evaluate", lambda c: {"pk": c.b.pk}, lambda c: {}, {**POST_A, "lead": HIDDEN, "lead2": MOVED}),
    ("criterion-status", lambda c: {"pk": c.status_a.pk}, lambda c: {"rag": "green", "note": "Signed"}, POST_A),
    ("criterion-delete", lambda c: {"pk": c.a.pk}, lambda c: {}, POST_A),
    ("evidence-delete", lambda c: {"pk": c.link_a.pk}, lambda c: {}, POST_A),
    ("evidence-add", lambda c: {"pk": c.a.pk}, lambda c: {"title": "Briefing log", "url": "https://intranet.example/log"}, POST_A),
    ("criterion-create", lambda c: {"programme_pk": c.world.programme_a.pk},
     lambda c: {"title": "Rotas agreed", "category": "people", "criticality": "high", "feed": "manual"}, POST_A),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "body", "expected"), POSTS, ids=[f"{p[0]}-{i}" for i, p in enumerate(POSTS)])
def test_post_matrix(client: Any, c: Criteria, persona: str, name: str, kwargs: Any, body: Any, expected: dict[str, Any]) -> None:
    url = reverse(name, kwargs=kwargs(c))
    _check(_client(client, c.world, persona).post(url, body(c)), expected[persona])


def test_evaluate_answers_post_only(client: Any, c: Criteria) -> None:
    client.force_login(c.world.users["lead"])
    assert client.get(reverse("criterion-evaluate", args=[c.fed.pk])).status_code == 405


# ---------------------------------------------------------------- API matrix

API_READERS = {**READERS, "anonymous": API_LOGIN}
API_A_READERS = {**A_READERS, "anonymous": API_LOGIN}
API_A_WRITE = {**expect(admin=OK, lead=OK, lead2=HIDDEN), "anonymous": API_LOGIN}
API_A_CREATE = {**expect(admin=201, lead=201, lead2=400), "anonymous": API_LOGIN}
API_A_DELETE = {**expect(admin=204, lead=204, lead2=HIDDEN), "anonymous": API_LOGIN}

API: list[tuple[str, str, Callable[[Criteria], dict[str, Any]], Callable[[Criteria], dict[str, Any]], dict[str, Any]]] = [
    ("get", "api-criterion-list", lambda c: {}, lambda c: {}, API_READERS),
    ("get", "api-criterion-detail", lambda c: {"pk": c.a.pk}, lambda c: {}, API_A_READERS),
    ("post", "api-criterion-list", lambda c: {}, lambda c: {"programme": c.world.programme_a.pk, "title": "Rotas agreed"}, API_A_CREATE),
    ("patch", "api-criterion-detail", lambda c: {"pk": c.a.pk}, lambda c: {"criticality": "low"}, API_A_WRITE),
    ("delete", "api-criterion-detail", lambda c: {"pk": c.a.pk}, lambda c: {}, API_A_DELETE),
    ("get", "api-criterion-status-list", lambda c: {}, lambda c: {}, API_READERS),
    ("get", "api-criterion-status-detail", lambda c: {"pk": c.status_a.pk}, lambda c: {}, API_A_READERS),
    ("patch", "api-criterion-status-detail", lambda c: {"pk": c.status_a.pk}, lambda c: {"rag": "amber", "note": "Half done"}, API_A_WRITE),
    ("patch", "api-criterion-status-detail", lambda c: {"pk": c.status_fed.pk}, lambda c: {"rag": "green"},
     {**API_A_WRITE, "admin": 400, "lead": 400}),
    ("get", "api-evidence-list", lambda c: {}, lambda c: {}, API_READERS),
    ("get", "api-evidence-detail", lambda c: {"pk": c.file_a.pk}, lambda c: {}, API_A_READERS),
    ("get", "api-evidence-download", lambda c: {"pk": c.file_a.pk}, lambda c: {}, API_A_READERS),
    ("get", "api-evidence-download", lambda c: {"pk": c.file_b.pk}, lambda c: {}, {**B_READERS, "anonymous": API_LOGIN}),
    ("post", "api-evidence-list", lambda c: {}, lambda c: {"criterion": c.a.pk, "title": "Log", "url": "https://intranet.example/log"},
     API_A_CREATE),
    ("delete", "api-evidence-detail", lambda c: {"pk": c.link_a.pk}, lambda c: {}, API_A_DELETE),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "name", "kwargs", "body", "expected"), API, ids=[f"{a[0]}-{a[1]}-{i}" for i, a in enumerate(API)])
def test_api_matrix(client: Any, c: Criteria, persona: str, method: str, name: str, kwargs: Any, body: Any, expected: dict[str, Any]) -> None:
    url = reverse(name, kwargs=kwargs(c))
    api = _client(client, c.world, persona)
    if method == "get":
        response = api.get(url, HTTP_ACCEPT="application/json")
    else:
        response = getattr(api, method)(url, body(c), content_type="application/json")
    assert response.status_code == expected[persona], (response.status_code, expected[persona], getattr(response, "data", None))


def test_schema_still_generates(client: Any, world: Any) -> None:
    client.force_login(world.users["admin"])
    response = client.get(reverse("api-schema"))
    assert response.status_code == 200
    text = response.content.decode()
    for path in ("/api/v1/criteria/", "/api/v1/criterion-statuses/", "/api/v1/evidence/{id}/download/"):
        assert path in text


# ---------------------------------------------------------------- what the pages do


def test_list_shows_counts_matrix_in_words_and_links(client: Any, c: Criteria) -> None:
    services.status_set(status=c.status_a, rag=Rag.RED, note="Not yet", actor=None)
    client.force_login(c.world.users["lead"])
    page = client.get(reverse("criteria-list", args=[c.world.programme_a.pk]))
    body = page.content.decode()
    assert "Local process signed off" in body and "Officers trained" in body and "Case file templates" not in body
    assert "Status by unit" in body and "Central West BCU" in body
    assert '<strong class="govuk-tag govuk-tag--red">Red</strong>' in body  # colour with its word
    assert reverse("criterion-create", args=[c.world.programme_a.pk]) in body
    assert reverse("training-import") not in body  # administrators only
    filtered = client.get(reverse("criteria-list", args=[c.world.programme_a.pk]), {"feed": "training"}).content.decode()
    assert "Officers trained" in filtered and "Local process signed off" not in filtered


def test_empty_state(client: Any, world: Any) -> None:
    client.force_login(world.users["lead"])
    body = client.get(reverse("criteria-list", args=[world.programme_a.pk])).content.decode()
    assert "has no readiness criteria yet" in body and "Add the first criterion" in body
    client.force_login(world.users["board"])
    body = client.get(reverse("criteria-list", args=[world.programme_a.pk])).content.decode()
    assert "has no readiness criteria yet" in body and "Add the first criterion" not in body


def test_matrix_export(client: Any, c: Criteria) -> None:
    services.status_set(status=c.status_a, rag=Rag.AMBER, note="", actor=None)
    client.force_login(c.world.users["board"])
    url = reverse("criteria-list", args=[c.world.programme_a.pk])
    csv_text = b"".join(client.get(url, {"export": "csv"}).streaming_content).decode("utf-8-sig")
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("Unit,Unit code,") and "Local process signed off (critical)" in lines[0]
    assert lines[1].startswith("Test Force > Frontline Policing > Central West BCU,") and "Amber" in lines[1]
    xlsx = client.get(url, {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Unit" and "Amber" in rows[1]


def test_list_query_count_does_not_grow_with_criteria(client: Any, c: Criteria, django_assert_max_num_queries: Any) -> None:
    client.force_login(c.world.users["board"])
    url = reverse("criteria-list", args=[c.world.programme_a.pk])
    with django_assert_max_num_queries(20):
        client.get(url)
    for n in range(15):
        services.criterion_save(programme=c.world.programme_a, actor=None, title=f"Extra {n}")
    with django_assert_max_num_queries(20):
        client.get(url)


def test_create_edit_delete_through_the_pages(client: Any, c: Criteria) -> None:
    client.force_login(c.world.users["lead"])
    create = reverse("criterion-create", args=[c.world.programme_a.pk])
    refused = client.post(create, {"title": "Scores good", "category": "people", "criticality": "high", "feed": "score"})
    assert refused.status_code == 200 and b"Choose the ADKAR element" in refused.content and b"between 1 and 5" in refused.content
    done = client.post(create, {"title": "Scores good", "category": "people", "criticality": "high", "feed": "score", "element": "ability",
                                "threshold": "3.5"})
    criterion = Criterion.objects.get(title="Scores good")
    assert done.status_code == 302 and done["Location"] == criterion.get_absolute_url()
    edit = client.post(reverse("criterion-edit", args=[criterion.pk]), {"title": "Scores good enough", "category": "people",
                                                                         "criticality": "low", "feed": "manual"})
    assert edit.status_code == 302
    criterion.refresh_from_db()
    assert (criterion.title, criterion.feed, criterion.element) == ("Scores good enough", "manual", "")
    assert client.post(reverse("criterion-delete", args=[criterion.pk]))["Location"] == reverse("criteria-list", args=[c.world.programme_a.pk])
    assert not Criterion.objects.filter(pk=criterion.pk).exists()


def test_detail_status_form_and_action_links(client: Any, c: Criteria) -> None:
    client.force_login(c.world.users["lead"])
    url = reverse("criterion-status", args=[c.status_a.pk])
    assert client.post(url, {"rag": "red", "note": "Sign-off meeting postponed"})["Location"].endswith(f"#status-{c.status_a.pk}")
    body = client.get(c.a.get_absolute_url()).content.decode()
    assert "Sign-off meeting postponed" in body and ">Red<" in body
    assert url in body  # the manual form per unit
    assert "Sign-off minutes" in body and reverse("evidence-download", args=[c.file_a.pk]) in body
    assert "https://intranet.example/map" in body
    try:
        expected = reverse("action-create", args=[c.world.programme_a.pk]) + f"?source=criterion&amp;criterion={c.a.pk}&amp;unit={c.world.central_west.pk}"
    except Exception:  # noqa: BLE001  (the actions page is another engineer's; before it lands there is no link)
        assert "Raise an action" not in body
    else:
        assert "Raise an action" in body and expected in body
    # A fed criterion has no manual form, and its status page refuses.
    fed = client.get(c.fed.get_absolute_url()).content.decode()
    assert reverse("criterion-status", args=[c.status_fed.pk]) not in fed and "Re-evaluate" in fed
    refused = client.post(reverse("criterion-status", args=[c.status_fed.pk]), {"rag": "green"}, follow=True)
    assert b"its statuses are worked out" in refused.content
    assert CriterionStatus.objects.get(pk=c.status_fed.pk).rag != Rag.GREEN


def test_board_reads_but_sees_no_edit_controls(client: Any, c: Criteria) -> None:
    client.force_login(c.world.users["board"])
    body = client.get(c.a.get_absolute_url()).content.decode()
    assert "Sign-off minutes" in body
    for name, pk in (("criterion-edit", c.a.pk), ("evidence-add", c.a.pk), ("criterion-status", c.status_a.pk), ("evidence-delete", c.file_a.pk)):
        assert reverse(name, args=[pk]) not in body


def test_evaluate_button(client: Any, c: Criteria) -> None:
    client.force_login(c.world.users["lead"])
    five_in_post(c.world)
    response = client.post(reverse("criterion-evaluate", args=[c.fed.pk]), follow=True)
    assert b"Re-evaluated: red 1." in response.content


def test_evidence_upload_through_the_page(client: Any, c: Criteria, settings: Any) -> None:
    client.force_login(c.world.users["lead"])
    url = reverse("evidence-add", args=[c.a.pk])
    page = client.get(url)
    assert b'enctype="multipart/form-data"' in page.content
    lying = client.post(url, {"title": "Photo", "file": upload("photo.pdf", PNG)})
    assert lying.status_code == 200 and b"its content does not match its name" in lying.content
    settings.EVIDENCE_MAX_MB = 1
    big = client.post(url, {"title": "Big", "file": upload("big.txt", b"a" * (1024 * 1024 + 10), "text/plain")})
    assert b"smaller than 1 MB" in big.content
    neither = client.post(url, {"title": "Nothing"})
    assert b"or upload a file" in neither.content
    done = client.post(url, {"title": "Site photo", "file": upload("site.png", PNG, "image/png"), "unit": c.world.central_west.pk})
    assert done.status_code == 302
    evidence = Evidence.objects.get(title="Site photo")
    assert (evidence.unit, evidence.content_type, evidence.file_name) == (c.world.central_west, "image/png", "site.png")


def test_download_is_an_unsniffable_attachment(client: Any, c: Criteria) -> None:
    client.force_login(c.world.users["champion"])
    response = client.get(reverse("evidence-download", args=[c.file_a.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;") and "minutes.pdf" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == PDF
    # The stored file is not under a public URL: MEDIA_URL is not served.
    assert c.file_a.file.name is not None
    assert client.get("/media/" + c.file_a.file.name).status_code == 404


def test_api_download_and_multipart_upload(client: Any, c: Criteria) -> None:
    client.force_login(c.world.users["lead"])
    detail = client.get(reverse("api-evidence-detail", args=[c.file_a.pk]), HTTP_ACCEPT="application/json").json()
    assert detail["download"].endswith(reverse("api-evidence-download", args=[c.file_a.pk])) and "file" not in detail
    response = client.get(reverse("api-evidence-download", args=[c.file_a.pk]), HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    assert client.get(reverse("api-evidence-download", args=[c.link_a.pk])).status_code == 404
    made = client.post(reverse("api-evidence-list"), {"criterion": c.a.pk, "title": "Photo", "file": upload("photo.png", PNG, "image/png")})
    assert made.status_code == 201 and made.json()["content_type"] == "image/png"
    lying = client.post(reverse("api-evidence-list"), {"criterion": c.a.pk, "title": "Photo", "file": upload("photo.pdf", PNG)})
    assert lying.status_code == 400 and "content does not match" in str(lying.json())
    both = client.post(reverse("api-evidence-list"), {"criterion": c.a.pk, "title": "X", "url": "https://a.example/", "file": upload("a.pdf", PDF)})
    assert both.status_code == 400


def test_api_criterion_create_validates_and_filters(client: Any, c: Criteria) -> None:
    client.force_login(c.world.users["lead"])
    url = reverse("api-criterion-list")
    bad = client.post(url, {"programme": c.world.programme_a.pk, "title": "Trained", "feed": "training"}, content_type="application/json")
    assert bad.status_code == 400 and set(bad.json()) == {"course", "threshold"}
    five_in_post(c.world)
    good = client.post(url, {"programme": c.world.programme_a.pk, "title": "Trained", "feed": "training", "course": "x-1", "threshold": "75"},
                       content_type="application/json")
    assert good.status_code == 201 and good.json()["course"] == "X-1" and good.json()["units"]["red"] == 1
    listed = client.get(url, {"programme": c.world.programme_a.pk, "feed": "training"}, HTTP_ACCEPT="application/json").json()
    assert {r["title"] for r in listed["results"]} == {"Officers trained", "Trained"}
    statuses = client.get(reverse("api-criterion-status-list"), {"criterion": c.a.pk}, HTTP_ACCEPT="application/json").json()
    assert [s["unit_code"] for s in statuses["results"]] == [c.world.central_west.code]
    patched = client.patch(reverse("api-criterion-status-detail", args=[c.status_a.pk]), {"rag": "green", "note": "Signed"},
                           content_type="application/json")
    assert patched.json()["rag"] == "green" and AuditEntry.objects.filter(object_type="readiness.criterionstatus").exists()


def test_a_champion_sees_only_units_at_above_or_below_theirs(client: Any, c: Criteria) -> None:
    world = c.world
    world.wave_a.units.add(world.camden)
    services.criterion_evaluate(criterion=c.a)
    camden = CriterionStatus.objects.get(criterion=c.a, unit=world.camden)
    services.status_set(status=camden, rag=Rag.RED, note="Camden is behind", actor=None)
    camden_evidence = services.evidence_add(criterion=c.a, title="Camden plan", file=upload("camden.pdf", PDF), unit=world.camden, actor=None)
    client.force_login(world.users["champion"])
    detail = client.get(c.a.get_absolute_url()).content.decode()
    assert "Central West BCU" in detail and "Camden" not in detail
    matrix = client.get(reverse("criteria-list", args=[world.programme_a.pk])).content.decode()
    assert "Central West BCU" in matrix and "Camden" not in matrix
    assert client.get(reverse("evidence-download", args=[camden_evidence.pk])).status_code == HIDDEN
    assert client.get(reverse("api-criterion-status-detail", args=[camden.pk]), HTTP_ACCEPT="application/json").status_code == HIDDEN
    assert client.get(reverse("api-evidence-download", args=[camden_evidence.pk])).status_code == HIDDEN
    counted = client.get(reverse("api-criterion-detail", args=[c.a.pk]), HTTP_ACCEPT="application/json").json()
    assert counted["units"]["red"] == 0 and counted["units"]["not_assessed"] == 1
    client.force_login(world.users["board"])
    assert "Camden" in client.get(c.a.get_absolute_url()).content.decode()


def test_programme_page_links_to_the_criteria(client: Any, world: Any) -> None:
    client.force_login(world.users["board"])
    assert reverse("criteria-list", args=[world.programme_a.pk]) in client.get(world.programme_a.get_absolute_url()).content.decode()


def test_anonymous_is_sent_to_sign_in(client: Any, c: Criteria) -> None:
    _check(client.get(reverse("criteria-list", args=[c.world.programme_a.pk])), LOGIN)
