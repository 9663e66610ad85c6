"""The permission matrix of a runbook's import and export pages and its
export endpoint: anyone who may view the runbook exports it (the Board,
auditors, champions of its units); only its programme's change managers
(and admins) import; another programme's change manager gets 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from changeboard.core.tests.test_permissions import API_LOGIN, DENY, HIDDEN, OK, PERSONAS, _check, _client, expect

from ..importing import MspdiImporter, TaskImporter
from ..models import Runbook
from ..services import runbooks as plan
from .fixtures import START, new_runbook, sample

COVERED_NAMES = {"runbook-transfer", "runbook-export", "runbook-import", "runbook-import-preview", "runbook-import-mspdi",
                 "runbook-import-mspdi-preview", "api-runbook-export"}

MOVED = 302
VIEW_A = expect(admin=OK, board=OK, lead=OK, lead2=HIDDEN, champion=OK, auditor=OK)
VIEW_ALL = expect(OK)
EDIT_A = expect(admin=OK, lead=OK, lead2=HIDDEN)
EDIT_TEMPLATE = expect(admin=OK, lead=HIDDEN, lead2=HIDDEN)
# A pending upload is its uploader's (the lead's) only.
PREVIEW_A = expect(lead=OK, admin=HIDDEN, lead2=HIDDEN)


class Runbooks:
    def __init__(self, world: Any) -> None:
        self.world = world
        self.a = new_runbook(world)
        self.template = plan.runbook_create(title="Standard cutover", planned_start=START, actor=None, is_template=True)
        lead = world.users["lead"]
        self.pending = TaskImporter(self.a).stage(data=sample("tasks.csv"), filename="tasks.csv", actor=lead)
        self.pending_xml = MspdiImporter(self.a).stage(data=sample("project.xml"), filename="project.xml", actor=lead)


@pytest.fixture
def r(world: Any) -> Runbooks:
    return Runbooks(world)


PAGES: list[tuple[str, Callable[[Runbooks], dict[str, Any]], str, dict[str, Any]]] = [
    ("runbook-transfer", lambda r: {"pk": r.a.pk}, "", VIEW_A),
    ("runbook-transfer", lambda r: {"pk": r.template.pk}, "", VIEW_ALL),
    ("runbook-export", lambda r: {"pk": r.a.pk}, "?format=csv", VIEW_A),
    ("runbook-export", lambda r: {"pk": r.a.pk}, "?format=xlsx", VIEW_A),
    ("runbook-export", lambda r: {"pk": r.a.pk}, "?format=xml", VIEW_A),
    ("runbook-export", lambda r: {"pk": r.template.pk}, "?format=csv", VIEW_ALL),
    ("runbook-import", lambda r: {"pk": r.a.pk}, "", EDIT_A),
    ("runbook-import", lambda r: {"pk": r.template.pk}, "", EDIT_TEMPLATE),
    ("runbook-import-mspdi", lambda r: {"pk": r.a.pk}, "", EDIT_A),
    ("runbook-import-preview", lambda r: {"pk": r.a.pk, "token": r.pending.token}, "", PREVIEW_A),
    ("runbook-import-mspdi-preview", lambda r: {"pk": r.a.pk, "token": r.pending_xml.token}, "", PREVIEW_A),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "query", "expected"), PAGES, ids=[f"{p[0]}-{i}" for i, p in enumerate(PAGES)])
def test_page_matrix(client: Any, r: Runbooks, persona: str, name: str, kwargs: Any, query: str, expected: dict[str, Any]) -> None:
    _check(_client(client, r.world, persona).get(reverse(name, kwargs=kwargs(r)) + query), expected[persona])


API: list[tuple[Callable[[Runbooks], dict[str, Any]], dict[str, Any]]] = [
    (lambda r: {"pk": r.a.pk}, {**VIEW_A, "anonymous": API_LOGIN}),
    (lambda r: {"pk": r.template.pk}, {**VIEW_ALL, "anonymous": API_LOGIN}),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("kwargs", "expected"), API, ids=["programme", "template"])
def test_api_export_matrix(client: Any, r: Runbooks, persona: str, kwargs: Any, expected: dict[str, Any]) -> None:
    response = _client(client, r.world, persona).get(reverse("api-runbook-export", kwargs=kwargs(r)) + "?format=xml")
    _check(response, expected[persona])


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_programmes_change_managers_upload(client: Any, r: Runbooks, persona: str) -> None:
    upload = SimpleUploadedFile("tasks.csv", sample("tasks.csv"), content_type="text/csv")
    response = _client(client, r.world, persona).post(reverse("runbook-import", kwargs={"pk": r.a.pk}), {"file": upload})
    _check(response, expect(admin=MOVED, lead=MOVED, lead2=HIDDEN)[persona])


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_uploader_commits(client: Any, r: Runbooks, persona: str) -> None:
    url = reverse("runbook-import-preview", kwargs={"pk": r.a.pk, "token": r.pending.token})
    response = _client(client, r.world, persona).post(url, {"mode": "all"})
    _check(response, expect(lead=MOVED, admin=HIDDEN, lead2=HIDDEN)[persona])
    assert Runbook.objects.get(pk=r.a.pk).tasks.exists() is (persona == "lead")


def test_the_board_may_export_but_never_import(client: Any, r: Runbooks) -> None:
    board = _client(client, r.world, "board")
    page = board.get(reverse("runbook-transfer", kwargs={"pk": r.a.pk}))
    assert page.status_code == OK and reverse("runbook-export", kwargs={"pk": r.a.pk}) in page.content.decode()
    assert reverse("runbook-import", kwargs={"pk": r.a.pk}) not in page.content.decode()
    assert board.get(reverse("runbook-import", kwargs={"pk": r.a.pk})).status_code == DENY
