"""Assessments and impact lines through the API, scoped like the pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from changeboard.impacts import services
from changeboard.impacts.models import ImpactAssessment

from .test_assessments import URLS, Impacts, _login

pytestmark = pytest.mark.urls(URLS)


@pytest.fixture
def impacts(world: Any) -> Impacts:
    return Impacts(world)


def _get(client: Any, url: str) -> Any:
    return client.get(url, HTTP_ACCEPT="application/json")


def _titles(client: Any, url: str) -> set[str]:
    response = _get(client, url)
    assert response.status_code == 200, response.status_code
    return {row["title"] for row in response.json()["results"]}


def test_lead_lists_and_retrieves_own_drafts(client: Any, impacts: Impacts) -> None:
    c = _login(client, impacts.world, "lead")
    assert _titles(c, reverse("api-assessment-list")) == {"Shared services impacts", "Shared services, phase 2"}
    data = _get(c, reverse("api-assessment-detail", args=[impacts.draft.pk])).json()
    assert data["status"] == "draft" and data["programme_code"] == "AAA" and data["line_count"] == 1 and data["version"] == 1
    assert _titles(c, reverse("api-assessment-list") + "?status=approved") == {"Shared services impacts"}


def test_other_programmes_drafts_are_not_found(client: Any, impacts: Impacts) -> None:
    c = _login(client, impacts.world, "lead2")
    # Another programme's approved assessment is readable; its draft is not.
    assert _titles(c, reverse("api-assessment-list")) == {"Shared services impacts"}
    assert _get(c, reverse("api-assessment-detail", args=[impacts.draft.pk])).status_code == 404
    assert _get(c, reverse("api-impact-line-detail", args=[impacts.draft_line.pk])).status_code == 404
    assert _titles(c, reverse("api-impact-line-list")) == {"New finance system"}


@pytest.mark.parametrize("persona", ["board", "champion"])
def test_board_and_champions_see_approved_versions_only(client: Any, impacts: Impacts, persona: str) -> None:
    c = _login(client, impacts.world, persona)
    assert _titles(c, reverse("api-assessment-list")) == {"Shared services impacts"}
    assert _get(c, reverse("api-assessment-detail", args=[impacts.draft.pk])).status_code == 404
    assert _get(c, reverse("api-assessment-detail", args=[impacts.approved.pk])).status_code == 200
    assert _titles(c, reverse("api-impact-line-list")) == {"New finance system"}


def test_auditors_and_anonymous_are_refused(client: Any, impacts: Impacts) -> None:
    assert _get(client, reverse("api-assessment-list")).status_code == 401
    assert _get(client, reverse("api-impact-line-list")).status_code == 401
    c = _login(client, impacts.world, "auditor")
    assert _get(c, reverse("api-assessment-list")).status_code == 403
    assert _get(c, reverse("api-impact-line-list")).status_code == 403


def test_impact_lines_carry_headcount_and_filter_by_assessment_and_programme(client: Any, impacts: Impacts) -> None:
    w = impacts.world
    c = _login(client, w, "admin")
    b = services.assessment_create(programme=w.programme_b, title="Case files", actor=w.users["admin"])
    services.line_save(assessment=b, actor=w.users["admin"], units=[w.camden], title="Case file training", severity=2,
                       start_date=impacts.approved_line.start_date, end_date=impacts.approved_line.end_date)
    assert _titles(c, reverse("api-impact-line-list")) == {"New finance system", "Self-service HR", "Case file training"}
    assert _titles(c, reverse("api-impact-line-list") + f"?assessment={impacts.draft.pk}") == {"Self-service HR"}
    assert _titles(c, reverse("api-impact-line-list") + f"?programme={w.programme_b.pk}") == {"Case file training"}
    assert _titles(c, reverse("api-impact-line-list") + "?status=approved") == {"New finance system"}
    line = _get(c, reverse("api-impact-line-detail", args=[impacts.approved_line.pk])).json()
    assert line["headcount"] == services.line_headcount(impacts.approved_line) == 3
    assert line["programme_code"] == "AAA" and line["severity"] == 3 and line["severity_label"].startswith("3 – Moderate")
    assert line["unit_paths"] == [w.central_west.full_path] and line["period_start"] == "2027-01-04" and line["period_end"] == "2027-01-17"
    assert line["dimensions"] == [{"dimension": "technology", "label": "Technology", "current_state": "Paper", "future_state": "Online", "gap": "Training"}]


def test_programme_editors_create_drafts(client: Any, impacts: Impacts) -> None:
    w = impacts.world
    url = reverse("api-assessment-list")
    c = _login(client, w, "lead")
    response = c.post(url, {"programme": w.programme_a.pk, "title": "From the API"}, content_type="application/json")
    assert response.status_code == 201, response.json()
    created = ImpactAssessment.objects.get(pk=response.json()["id"])
    assert created.status == "draft" and created.created_by == w.users["lead"] and response.json()["line_count"] == 0
    # Another programme: it does not exist as far as this lead is concerned.
    response = c.post(url, {"programme": w.programme_b.pk, "title": "Not mine"}, content_type="application/json")
    assert response.status_code == 400 and "programme" in response.json()
    # Status is the workflow's, not the client's.
    response = c.post(url, {"programme": w.programme_a.pk, "title": "Sneaky", "status": "approved"}, content_type="application/json")
    assert response.status_code == 201 and response.json()["status"] == "draft"
    assert _login(client, w, "board").post(url, {"programme": w.programme_a.pk, "title": "x"}, content_type="application/json").status_code == 403
    detail = reverse("api-assessment-detail", args=[impacts.draft.pk])
    assert _login(client, w, "lead").patch(detail, {"title": "x"}, content_type="application/json").status_code == 405


def test_list_query_count_is_flat(client: Any, impacts: Impacts, django_assert_max_num_queries: Any) -> None:
    w = impacts.world
    for i in range(10):
        services.line_save(assessment=impacts.draft, actor=w.users["lead"], units=[w.team], title=f"Line {i}", severity=1,
                           start_date=impacts.approved_line.start_date, end_date=impacts.approved_line.end_date)
    c = _login(client, w, "lead")
    with django_assert_max_num_queries(15):
        assert _get(c, reverse("api-impact-line-list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert _get(c, reverse("api-assessment-list")).status_code == 200
