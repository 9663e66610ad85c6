"""The public raise-a-query form: no account, the person looked up by staff
number or email, only unit and role kept for reporting, bad inputs refused
with nothing typed lost, attachments checked by size, extension and
content, flood control per person and per address, and a double submit
that creates one query."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from changeboard.conftest import make_staff
from changeboard.core.models import OutboxMessage

from ..models import Attachment, Category, Period, Query, QueryEvent
from ..services.periods import period_create

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _clean_limits(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def period(world: Any) -> Period:
    return period_create(rollout_wave=world.wave_a, actor=None)


def raise_url(period: Period) -> str:
    return reverse("public-raise", args=[period.public_token])


def form_data(period: Period, **overrides: Any) -> dict[str, Any]:
    training = Category.objects.get(period=period, code="training_gap")
    data = {"identifier": "100001", "category": str(training.pk), "priority": "P3", "title": "Cannot find the rota screen",
            "description": "The menu has no Rotas item since go-live."}
    data.update(overrides)
    return data


def anonymous(address: str = "10.0.0.1") -> Client:
    return Client(REMOTE_ADDR=address)


def test_the_form_answers_without_an_account(world: Any, period: Period) -> None:
    page = anonymous().get(raise_url(period))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Ask for help with a change" in text and 'enctype="multipart/form-data"' in text
    assert "Training gap" in text
    # P1 is the support team's call: the public chooses from P2 to P4.
    assert 'value="P2"' in text and 'value="P4"' in text and 'value="P1"' not in text
    assert page["X-Robots-Tag"] == "noindex, nofollow"


@pytest.mark.parametrize("token", ["not-a-real-token-at-all", "x", "tok\x00en123", "²²²²²²²²²"])
def test_an_unknown_token_is_not_found(world: Any, period: Period, token: str) -> None:
    url = "/support/" + token.replace("\x00", "%00") + "/"
    get = anonymous().get(url)
    post = anonymous().post(url, form_data(period))
    assert get.status_code == post.status_code == 404
    assert "This link cannot be used" in get.content.decode()
    assert not Query.objects.exists()


def test_an_exited_periods_link_is_not_found(world: Any, period: Period) -> None:
    Period.objects.filter(pk=period.pk).update(status=Period.Status.EXITED)
    assert anonymous().get(raise_url(period)).status_code == 404
    assert anonymous().post(raise_url(period), form_data(period)).status_code == 404
    assert not Query.objects.exists()


def test_raising_keeps_unit_and_role_and_redirects_to_the_reference(world: Any, period: Period) -> None:
    client = anonymous()
    response = client.post(raise_url(period), form_data(period, identifier="P100001@example.police.uk", priority="P2"))
    assert response.status_code == 302 and response["Location"] == reverse("public-raised")
    query = Query.objects.get()
    assert (query.unit, query.role, query.priority, query.source) == (world.team, "Response officer", "P2", Query.Source.PUBLIC)
    assert (query.contact_name, query.contact_email) == ("Alex Inscope", "p100001@example.police.uk")
    assert query.raised_by is None and query.category.code == "training_gap"
    assert list(query.events.values_list("kind", flat=True)) == [QueryEvent.Kind.CREATED]
    # The confirmation: the reference, from the session; nothing personal in its URL.
    done = client.get(response["Location"])
    text = done.content.decode()
    assert done.status_code == 200 and query.reference in text and "Query sent" in text
    assert "Inscope" not in text and "100001" not in response["Location"]
    # The requester hears through the outbox.
    message = OutboxMessage.objects.get(to_address="p100001@example.police.uk")
    assert query.reference in message.subject


def test_the_confirmation_without_a_query_says_so(db: Any) -> None:
    page = anonymous().get(reverse("public-raised"))
    assert page.status_code == 200 and "There is no query to show" in page.content.decode()


@pytest.mark.parametrize("identifier", ["999999", "nobody@example.police.uk", "200002"])
def test_an_unknown_person_or_a_leaver_is_refused_and_nothing_typed_is_lost(world: Any, period: Period, identifier: str) -> None:
    make_staff("200002", world.camden, first_name="Lee", last_name="Leaver", is_leaver=True)
    data = form_data(period, identifier=identifier, title="My rota is empty", description="Nothing shows for next week.")
    response = anonymous().post(raise_url(period), data)
    assert response.status_code == 400
    text = response.content.decode()
    assert "We cannot find a current member of staff with that staff number or work email" in text
    for typed in (identifier, "My rota is empty", "Nothing shows for next week.", f'value="{data["category"]}" class="govuk-radios__input" id="id_category_', ):
        assert typed in text
    assert 'value="P3"' in text and "checked" in text.split('value="P3"')[1].split(">")[0]
    assert not Query.objects.exists()


def test_missing_fields_are_each_named(world: Any, period: Period) -> None:
    response = anonymous().post(raise_url(period), {"identifier": "", "title": "", "description": ""})
    assert response.status_code == 400
    text = response.content.decode()
    for message in ("Enter your staff number or work email", "Choose what your query is about", "Choose how much it is affecting your work",
                    "Enter a summary of your query", "Describe what happened"):
        assert message in text
    assert not Query.objects.exists()


def test_p1_and_a_category_of_another_period_are_refused(world: Any, period: Period) -> None:
    other = period_create(rollout_wave=world.wave_b, actor=None)
    foreign = Category.objects.get(period=other, code="defect")
    assert anonymous().post(raise_url(period), form_data(period, priority="P1")).status_code == 400
    assert anonymous().post(raise_url(period), form_data(period, category=str(foreign.pk))).status_code == 400
    assert anonymous().post(raise_url(period), form_data(period, category="²")).status_code == 400
    assert not Query.objects.exists()


def test_an_inactive_category_is_not_offered(world: Any, period: Period) -> None:
    Category.objects.filter(period=period, code="data").update(active=False)
    data_category = Category.objects.get(period=period, code="data")
    assert "Data" not in anonymous().get(raise_url(period)).content.decode().split("What is it about?")[1].split("</fieldset>")[0]
    assert anonymous().post(raise_url(period), form_data(period, category=str(data_category.pk))).status_code == 400


def test_attachments_are_stored_under_random_names(world: Any, period: Period) -> None:
    files = [SimpleUploadedFile("rota screen.png", PNG, "image/png"), SimpleUploadedFile("C:\\Users\\me\\steps.pdf", PDF, "application/pdf")]
    response = anonymous().post(raise_url(period), {**form_data(period), "attachments": files})
    assert response.status_code == 302
    stored = list(Attachment.objects.order_by("file_name"))
    assert [(a.file_name, a.content_type, a.size) for a in stored] == [("rota screen.png", "image/png", len(PNG)),
                                                                       ("steps.pdf", "application/pdf", len(PDF))]
    for attachment in stored:
        stored_name = attachment.file.name or ""
        assert attachment.file_name not in stored_name and stored_name.startswith(f"hypercare/{attachment.query_id}/")
        assert attachment.file.read() in (PNG, PDF)


def test_an_oversized_attachment_is_refused_and_nothing_is_saved(world: Any, period: Period, settings: Any) -> None:
    settings.EVIDENCE_MAX_MB = 1
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024), "application/pdf")
    response = anonymous().post(raise_url(period), {**form_data(period), "attachments": [big]})
    assert response.status_code == 400
    text = response.content.decode()
    assert "big.pdf: the file must be smaller than 1 MB" in text and "Cannot find the rota screen" in text
    assert not Query.objects.exists() and not Attachment.objects.exists()


@pytest.mark.parametrize(("name", "data"), [("photo.png", PDF), ("notes.pdf", b"<html><script>alert(1)</script></html>"),
                                            ("tool.exe", b"MZ\x90\x00"), ("empty.png", b"")])
def test_an_attachment_whose_content_lies_is_refused(world: Any, period: Period, name: str, data: bytes) -> None:
    response = anonymous().post(raise_url(period), {**form_data(period), "attachments": [SimpleUploadedFile(name, data)]})
    assert response.status_code == 400
    assert name in response.content.decode()
    assert not Query.objects.exists() and not Attachment.objects.exists()


def test_too_many_files_are_refused(world: Any, period: Period) -> None:
    files = [SimpleUploadedFile(f"shot{i}.png", PNG, "image/png") for i in range(4)]
    response = anonymous().post(raise_url(period), {**form_data(period), "attachments": files})
    assert response.status_code == 400 and "Attach at most 3 files (you chose 4)" in response.content.decode()
    assert not Query.objects.exists()


def test_a_double_submit_creates_one_query(world: Any, period: Period) -> None:
    client = anonymous()
    first = client.post(raise_url(period), form_data(period))
    second = client.post(raise_url(period), form_data(period))
    assert first.status_code == second.status_code == 302
    query = Query.objects.get()
    page = client.get(reverse("public-raised")).content.decode()
    assert query.reference in page and "We already have this query" in page
    # A different title from the same person is a new query.
    assert client.post(raise_url(period), form_data(period, title="Another problem")).status_code == 302
    assert Query.objects.count() == 2


def test_a_flood_from_one_person_is_refused_while_another_persons_query_succeeds(world: Any, period: Period, settings: Any) -> None:
    settings.HYPERCARE_PUBLIC_PER_PERSON_HOUR = 5
    client = anonymous("10.0.0.7")
    for n in range(5):
        assert client.post(raise_url(period), form_data(period, title=f"Problem {n}")).status_code == 302
    refused = client.post(raise_url(period), form_data(period, title="Problem 6", description="Typed with care"))
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 3600
    text = refused.content.decode()
    assert "You have raised 5 queries in the last hour" in text and "Nothing has been saved" in text
    assert "Problem 6" in text and "Typed with care" in text
    assert Query.objects.count() == 5
    # Someone else, from their own desk, is unaffected.
    make_staff("100002", world.team, first_name="Robin", last_name="Genuine")
    other = anonymous("10.0.0.8").post(raise_url(period), form_data(period, identifier="100002", title="Problem 6"))
    assert other.status_code == 302
    assert Query.objects.filter(contact_name="Robin Genuine").count() == 1


def test_a_flood_from_one_address_is_refused_while_another_address_succeeds(world: Any, period: Period, settings: Any) -> None:
    settings.HYPERCARE_PUBLIC_PER_IP_HOUR = 4
    for n in range(3):
        make_staff(f"30000{n}", world.team)
    flood = anonymous("192.0.2.1")
    # Unknown people count too: a script walking staff numbers is stopped.
    assert flood.post(raise_url(period), form_data(period, identifier="123456")).status_code == 400
    for n in range(3):
        assert flood.post(raise_url(period), form_data(period, identifier=f"30000{n}")).status_code == 302
    refused = flood.post(raise_url(period), form_data(period, identifier="100001"))
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert "Too many queries have been sent from this network" in refused.content.decode()
    genuine = anonymous("192.0.2.2").post(raise_url(period), form_data(period, identifier="100001"))
    assert genuine.status_code == 302
    assert Query.objects.count() == 4 and Query.objects.filter(contact_name="Alex Inscope").count() == 1
