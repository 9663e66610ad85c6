"""The permission matrix of the service-desk import pages: the programme's
change managers and administrators (another programme's lead: 404; the
Board, champions and auditors, who never change a period: 403)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from changeboard.core.tests.test_permissions import DENY, HIDDEN, OK, PERSONAS, _check, _client, expect
from changeboard.core.uploads import stage

from ..models import Period
from ..services.periods import period_create

COVERED_NAMES = {"query-import", "query-import-preview"}

EDIT_A = expect(admin=OK, board=DENY, lead=OK, lead2=HIDDEN, champion=DENY, auditor=DENY)


@pytest.fixture
def period(world: Any) -> Period:
    return period_create(rollout_wave=world.wave_a, actor=None)


@pytest.mark.parametrize("persona", PERSONAS)
def test_upload_page_matrix(client: Client, world: Any, period: Period, persona: str) -> None:
    _check(_client(client, world, persona).get(reverse("query-import", args=[period.pk])), EDIT_A[persona])


@pytest.mark.parametrize("persona", PERSONAS)
def test_preview_page_matrix(client: Client, world: Any, period: Period, persona: str) -> None:
    """Each persona's own upload (where they may have one): its preview
    follows the period's scope; the Board's and others' are refused first."""
    user = world.users[persona]
    uploader = user if user is not None else world.users["admin"]
    pending = stage(kind="hypercare-queries", target_id=period.pk, data=b"ticket_id\r\nINC1\r\n", filename="t.csv", actor=uploader)
    _check(_client(client, world, persona).get(reverse("query-import-preview", args=[period.pk, pending.token])), EDIT_A[persona])


def test_a_post_by_another_programmes_lead_is_not_found(client: Client, world: Any, period: Period) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = _client(client, world, "lead2")
    response = c.post(reverse("query-import", args=[period.pk]), {"file": SimpleUploadedFile("t.csv", b"ticket_id\r\nINC1\r\n")})
    assert response.status_code == 404
    board = _client(Client(), world, "board")
    assert board.post(reverse("query-import", args=[period.pk]), {"file": SimpleUploadedFile("t.csv", b"ticket_id\r\n")}).status_code == 403
