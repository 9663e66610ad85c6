"""The permission matrix of the impact assessment pages and API: every URL
visited (or posted to) as every persona, in the style of (and with the
helpers of) core/tests/test_permissions.py.

The set-up (see test_assessments.Impacts): programme AAA (lead's) has an
approved assessment and a draft, each with one line; lead2 leads BBB.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import pytest
from django.urls import URLPattern, reverse

from changeboard.core.tests.test_permissions import API_LOGIN, HIDDEN, OK, PERSONAS, READERS, _check, _client, expect
from changeboard.impacts import importing, services
from changeboard.impacts import urls as impact_urls
from changeboard.impacts.views import assessments

from .test_assessments import URLS, Impacts

pytestmark = pytest.mark.urls(URLS)

MOVED = 302  # a successful POST, or a page that sends a non-draft back to the assessment

# Another programme's change lead reads approved assessments (only drafts
# are private to the programme team).
OTHER_LEAD_APPROVED = OK

DRAFT_READERS = expect(admin=OK, lead=OK, lead2=HIDDEN, board=HIDDEN, champion=HIDDEN)
APPROVED_READERS = {**READERS, "lead2": OTHER_LEAD_APPROVED}
EDIT_A = expect(admin=OK, lead=OK, lead2=HIDDEN)
POST_A = expect(admin=MOVED, lead=MOVED, lead2=HIDDEN)


def _pending(i: Impacts) -> dict[str, Any]:
    data = b"title,unit_codes,severity,start_date,end_date\r\nA change," + i.world.team.code.encode() + b",2,04/01/2027,17/01/2027\r\n"
    pending = importing.impact_import_stage(assessment=i.draft, data=data, filename="x.csv", actor=i.world.users["lead"])
    return {"pk": i.draft.pk, "token": pending.token}


def _submitted(i: Impacts) -> dict[str, Any]:
    services.assessment_submit(assessment=i.draft, actor=i.world.users["lead"])
    return {"pk": i.draft.pk}


PAGES: list[tuple[str, Callable[[Impacts], dict[str, Any]], dict[str, Any]]] = [
    ("assessment-list", lambda i: {}, READERS),
    ("assessment-create", lambda i: {}, expect(admin=OK, lead=OK, lead2=OK)),
    ("assessment-detail", lambda i: {"pk": i.draft.pk}, DRAFT_READERS),
    ("assessment-detail", lambda i: {"pk": i.approved.pk}, APPROVED_READERS),
    ("assessment-edit", lambda i: {"pk": i.draft.pk}, EDIT_A),
    ("assessment-edit", lambda i: {"pk": i.approved.pk}, {**EDIT_A, "admin": MOVED, "lead": MOVED}),
    # POST only: a GET is not allowed, once the role may act at all.
    ("assessment-action", lambda i: {"pk": i.draft.pk, "action": "submit"}, expect(admin=405, lead=405, lead2=405)),
    ("assessment-changes", lambda i: {"pk": i.draft.pk}, DRAFT_READERS),
    ("assessment-changes", lambda i: {"pk": i.approved.pk}, APPROVED_READERS),
    ("assessment-export", lambda i: {"pk": i.draft.pk}, DRAFT_READERS),
    ("assessment-export", lambda i: {"pk": i.approved.pk}, APPROVED_READERS),
    ("line-add", lambda i: {"pk": i.draft.pk}, EDIT_A),
    ("line-add", lambda i: {"pk": i.approved.pk}, {**EDIT_A, "admin": MOVED, "lead": MOVED}),
    ("line-edit", lambda i: {"pk": i.draft.pk, "line_pk": i.draft_line.pk}, EDIT_A),
    # A line of another assessment through this assessment's URL is not found.
    ("line-edit", lambda i: {"pk": i.draft.pk, "line_pk": i.approved_line.pk}, {**EDIT_A, "admin": HIDDEN, "lead": HIDDEN}),
    ("line-delete", lambda i: {"pk": i.draft.pk, "line_pk": i.draft_line.pk}, EDIT_A),
    ("line-staff", lambda i: {"pk": i.draft.pk, "line_pk": i.draft_line.pk}, DRAFT_READERS),
    ("line-staff", lambda i: {"pk": i.approved.pk, "line_pk": i.approved_line.pk}, APPROVED_READERS),
    ("impact-import", lambda i: {"pk": i.draft.pk}, EDIT_A),
    # Only the uploader sees a pending import (it was uploaded by lead).
    ("impact-import-preview", _pending, expect(admin=HIDDEN, lead=OK, lead2=HIDDEN)),
]

POSTS: list[tuple[str, Callable[[Impacts], dict[str, Any]], dict[str, Any]]] = [
    ("assessment-action", lambda i: {"pk": i.draft.pk, "action": "submit"}, POST_A),
    ("assessment-action", lambda i: {**_submitted(i), "action": "approve"}, POST_A),
    ("assessment-action", lambda i: {**_submitted(i), "action": "return"}, POST_A),
    ("assessment-action", lambda i: {"pk": i.approved.pk, "action": "new-version"}, POST_A),
    ("line-delete", lambda i: {"pk": i.draft.pk, "line_pk": i.draft_line.pk}, POST_A),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "expected"), PAGES, ids=[f"{p[0]}-{n}" for n, p in enumerate(PAGES)])
def test_page_matrix(client: Any, world: Any, persona: str, name: str, kwargs: Any, expected: dict[str, Any]) -> None:
    url = reverse(name, kwargs=kwargs(Impacts(world)))
    _check(_client(client, world, persona).get(url), expected[persona])


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "expected"), POSTS, ids=[f"{p[0]}-{n}" for n, p in enumerate(POSTS)])
def test_post_matrix(client: Any, world: Any, persona: str, name: str, kwargs: Any, expected: dict[str, Any]) -> None:
    url = reverse(name, kwargs=kwargs(Impacts(world)))
    _check(_client(client, world, persona).post(url), expected[persona])


def _api(expected: dict[str, Any]) -> dict[str, Any]:
    return {**expected, "anonymous": API_LOGIN}


API: list[tuple[str, str, Callable[[Impacts], dict[str, Any]], dict[str, Any]]] = [
    ("get", "api-assessment-list", lambda i: {}, _api(READERS)),
    ("get", "api-assessment-detail", lambda i: {"pk": i.draft.pk}, _api(DRAFT_READERS)),
    ("get", "api-assessment-detail", lambda i: {"pk": i.approved.pk}, _api(APPROVED_READERS)),
    # lead2 may create assessments, but not for AAA: the programme is not found (400).
    ("post", "api-assessment-list", lambda i: {}, _api(expect(admin=201, lead=201, lead2=400))),
    ("patch", "api-assessment-detail", lambda i: {"pk": i.draft.pk}, _api(expect(admin=405, lead=405, lead2=405))),
    ("get", "api-impact-line-list", lambda i: {}, _api(READERS)),
    ("get", "api-impact-line-detail", lambda i: {"pk": i.draft_line.pk}, _api(DRAFT_READERS)),
    ("get", "api-impact-line-detail", lambda i: {"pk": i.approved_line.pk}, _api(APPROVED_READERS)),
    ("delete", "api-impact-line-detail", lambda i: {"pk": i.draft_line.pk}, _api(expect(admin=405, lead=405, lead2=405))),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "name", "kwargs", "expected"), API, ids=[f"{a[0]}-{a[1]}-{n}" for n, a in enumerate(API)])
def test_api_matrix(client: Any, world: Any, persona: str, method: str, name: str, kwargs: Any, expected: dict[str, Any]) -> None:
    impacts = Impacts(world)
    url = reverse(name, kwargs=kwargs(impacts))
    c = _client(client, world, persona)
    if method == "get":
        response = c.get(url, HTTP_ACCEPT="application/json")
    else:
        body = {"programme": world.programme_a.pk, "title": "Through the API"} if method == "post" else {"title": "Changed"}
        response = getattr(c, method)(url, body, content_type="application/json")
    assert response.status_code == expected[persona], (response.status_code, expected[persona], getattr(response, "data", None))


def test_every_impact_url_is_in_the_matrix() -> None:
    """A new assessment page or endpoint must be added to the matrix above
    (the change-load pages, routed by the same `urls.py`, are in
    test_heatmap_views' matrix)."""
    pages = {p.name for p in impact_urls.urlpatterns if isinstance(p, URLPattern) and cast(Any, p.callback).view_class.__module__ == assessments.__name__}
    covered = {p[0] for p in PAGES} | {p[0] for p in POSTS}
    assert pages - covered == set()
    api = {f"api-{basename}-{kind}" for basename in ("assessment", "impact-line") for kind in ("list", "detail")}
    assert api - {a[1] for a in API} == set()



# The URL names this module's matrix covers (core's completeness test reads it).
COVERED_NAMES = {p[0] for p in PAGES} | {p[0] for p in POSTS} | {a[1] for a in API}
