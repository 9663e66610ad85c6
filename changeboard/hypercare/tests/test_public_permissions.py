"""The permission matrix of the public pages (anonymous and every persona:
200) and of the attachment download (the programme's change managers, the
period's support team, champions for their units' queries, auditors; the
Board never: 403; out of scope: 404; every download audited)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from changeboard.core.models import AuditEntry
from changeboard.core.tests.test_permissions import DENY, HIDDEN, OK, PERSONAS, _check, _client, expect
from changeboard.cutover.models import Team

from ..models import Attachment, Category, Period, Query
from ..services.attachments import attachment_add
from ..services.periods import period_create
from ..services.queries import query_create
from .test_public_raise import PNG, _clean_limits  # noqa: F401  (the autouse fixture: media in tmp, limits cleared)

COVERED_NAMES = {"public-raise", "public-raised", "public-status", "attachment-download"}

PUBLIC = dict.fromkeys(PERSONAS, OK)


class Files:
    def __init__(self, world: Any) -> None:
        self.world = world
        self.period_a = period_create(rollout_wave=world.wave_a, actor=None)
        self.period_b = period_create(rollout_wave=world.wave_b, actor=None)
        self.query_a = query_create(period=self.period_a, category=Category.objects.get(period=self.period_a, code="defect"),
                                    title="Screen freezes", actor=None, source=Query.Source.PUBLIC, staff=world.staff_in)
        self.query_b = query_create(period=self.period_b, category=Category.objects.get(period=self.period_b, code="defect"),
                                    title="Report blank", actor=None, source=Query.Source.PUBLIC, staff=world.staff_out)
        self.file_a = attachment_add(query=self.query_a, file=SimpleUploadedFile("freeze.png", PNG, "image/png"), actor=None)
        self.file_b = attachment_add(query=self.query_b, file=SimpleUploadedFile("blank.png", PNG, "image/png"), actor=None)


@pytest.fixture
def f(world: Any) -> Files:
    return Files(world)


PAGES: list[tuple[str, Callable[[Files], dict[str, Any]], dict[str, Any]]] = [
    ("public-raise", lambda f: {"token": f.period_a.public_token}, PUBLIC),
    ("public-raised", lambda f: {}, PUBLIC),
    ("public-status", lambda f: {}, PUBLIC),
    # Westminster's champion sees Response Team 1's query (below their unit), not Camden's.
    ("attachment-download", lambda f: {"pk": f.file_a.pk}, expect(admin=OK, board=DENY, lead=OK, lead2=HIDDEN, champion=OK, auditor=OK)),
    ("attachment-download", lambda f: {"pk": f.file_b.pk}, expect(admin=OK, board=DENY, lead=HIDDEN, lead2=OK, champion=HIDDEN, auditor=OK)),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "expected"), PAGES, ids=[f"{p[0]}-{i}" for i, p in enumerate(PAGES)])
def test_page_matrix(client: Client, f: Files, persona: str, name: str, kwargs: Any, expected: dict[str, Any]) -> None:
    _check(_client(client, f.world, persona).get(reverse(name, kwargs=kwargs(f))), expected[persona])


def test_the_periods_support_team_downloads_its_files(client: Client, f: Files) -> None:
    """lead2 works programme B, but is on programme A's support team."""
    team = Team.objects.create(name="Desk A")
    team.members.add(f.world.users["lead2"])
    Period.objects.filter(pk=f.period_a.pk).update(support_team=team)
    c = _client(client, f.world, "lead2")
    assert c.get(reverse("attachment-download", args=[f.file_a.pk])).status_code == OK


def test_a_download_is_the_file_as_an_uncached_attachment_and_audited(client: Client, f: Files) -> None:
    c = _client(client, f.world, "lead")
    response = c.get(reverse("attachment-download", args=[f.file_a.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert response["Content-Disposition"].startswith("attachment;") and "freeze.png" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action="download", object_type="hypercare.attachment")
    assert (entry.object_id, entry.actor) == (str(f.file_a.pk), f.world.users["lead"])
    # Denied and hidden requests are not downloads.
    _client(Client(), f.world, "board").get(reverse("attachment-download", args=[f.file_a.pk]))
    _client(Client(), f.world, "lead2").get(reverse("attachment-download", args=[f.file_a.pk]))
    assert AuditEntry.objects.filter(action="download").count() == 1


def test_files_are_never_served_from_media(client: Client, f: Files) -> None:
    assert client.get("/media/" + (f.file_a.file.name or "")).status_code == 404
    assert Attachment.objects.count() == 2
