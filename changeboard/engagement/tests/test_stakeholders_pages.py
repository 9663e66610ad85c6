"""The register's pages: the list with its filters and exports, adding a
person by staff number (and the errors), mapping for a programme, the
assessment page with the derived impact, the map with its two charts and
tables, and the API's bulk derived impact."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from changeboard.conftest import make_staff
from changeboard.impacts.models import ImpactAssessment, ImpactLine

from ..models import Stakeholder, StakeholderAssessment
from ..services import stakeholders as services

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(client: Any, world: Any) -> Any:
    client.force_login(world.users["lead"])
    return client


def test_adding_a_person_by_staff_number(lead: Any, world: Any) -> None:
    response = lead.post(reverse("stakeholder-create"), {"kind": "person", "staff_number": "999999"})
    assert response.status_code == 200
    assert b"No one in the organisation has this staff number" in response.content
    assert b"govuk-error-summary" in response.content
    response = lead.post(reverse("stakeholder-create"), {"kind": "person", "staff_number": ""})
    assert b"Enter the staff number" in response.content
    assert not Stakeholder.objects.exists()
    response = lead.post(reverse("stakeholder-create"), {"kind": "person", "staff_number": "100001"})
    person = Stakeholder.objects.get()
    assert response.status_code == 302 and response["Location"] == person.get_absolute_url()
    again = lead.post(reverse("stakeholder-create"), {"kind": "person", "staff_number": "100001"})
    assert b"already in the register" in again.content


def test_a_service_error_shows_on_its_field(lead: Any, world: Any) -> None:
    response = lead.post(reverse("stakeholder-create"), {"kind": "group", "group_kind": "unit"})
    assert response.status_code == 200 and b"Choose the unit" in response.content


def test_mapping_a_stakeholder_for_a_programme(lead: Any, world: Any) -> None:
    body = services.stakeholder_create(kind="group", group_kind="body", name="Police Federation", actor=None)
    page = lead.get(reverse("stakeholder-assessment-create", args=[body.pk]))
    assert b"AAA" in page.content and b"BBB" not in page.content  # only the lead's programmes
    bad = lead.post(reverse("stakeholder-assessment-create", args=[body.pk]), {"programme": str(world.programme_b.pk), "influence": "9"})
    assert bad.status_code == 200 and b"Choose one of the programmes listed" in bad.content
    assert not StakeholderAssessment.objects.exists()
    done = lead.post(reverse("stakeholder-assessment-create", args=[body.pk]),
                     {"programme": str(world.programme_a.pk), "influence": "5", "interest": "4", "current_position": "2",
                      "target_position": "4", "owner": str(world.users["lead"].pk), "impact_judgement": "3"})
    assessment = StakeholderAssessment.objects.get()
    assert done.status_code == 302 and done["Location"] == assessment.get_absolute_url()
    detail = lead.get(assessment.get_absolute_url())
    assert b"Manage closely" in detail.content and b"None derived" in detail.content and b"Not met yet" in detail.content
    stakeholder_page = lead.get(body.get_absolute_url())
    assert b"Map for a programme" not in stakeholder_page.content  # mapped for every programme the lead has


def test_the_register_filters_and_exports(lead: Any, world: Any) -> None:
    person = services.stakeholder_create(kind="person", staff=world.staff_in, actor=None)
    body = services.stakeholder_create(kind="group", group_kind="body", name="Unison", actor=None)
    services.assessment_create(stakeholder=person, programme=world.programme_a, influence=5, interest=5, actor=None, current_position=1)
    services.assessment_create(stakeholder=body, programme=world.programme_b, influence=5, interest=5, actor=None, current_position=1)
    Stakeholder.objects.filter(pk=body.pk).update(needs_review="Checked by hand")
    page = lead.get(reverse("stakeholder-list"))
    assert b"Alex Inscope" in page.content and b"Unison" in page.content  # the register is portfolio-wide
    assert b"1 stakeholder needs a look" in page.content
    by_programme = lead.get(reverse("stakeholder-list"), {"programme": world.programme_a.pk, "position": "1"})
    assert b"Alex Inscope" in by_programme.content and b"Unison" not in by_programme.content
    review = lead.get(reverse("stakeholder-list"), {"needs_review": "yes"})
    assert b"Unison" in review.content and b"Alex Inscope" not in review.content
    search = lead.get(reverse("stakeholder-list"), {"q": "100001"})
    assert b"Alex Inscope" in search.content and b"Unison" not in search.content
    junk = lead.get(reverse("stakeholder-list"), {"programme": "²", "position": "9", "owner": "-1"})
    assert junk.status_code == 200
    xlsx = lead.get(reverse("stakeholder-list"), {"export": "xlsx", "kind": "person"})
    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0].values)
    assert [r[0] for r in rows] == ["Stakeholder", "Alex Inscope"]


def test_the_map_draws_both_charts_with_tables_and_exports(lead: Any, world: Any) -> None:
    for n, (influence, interest) in enumerate([(5, 5), (5, 1), (1, 5), (1, 1), (5, 5)]):
        s = services.stakeholder_create(kind="external", name=f"Person {n}", actor=None)
        services.assessment_create(stakeholder=s, programme=world.programme_a, influence=influence, interest=interest, actor=None,
                                   current_position=2, target_position=4)
    page = lead.get(reverse("stakeholder-map"), {"programme": world.programme_a.pk})
    assert page.status_code == 200
    grid, positions = page.context["grid"], page.context["positions"]
    assert "2 to manage closely, 1 to keep satisfied, 1 to keep informed, 1 to monitor" in grid.alt
    assert len(grid.rows) == 5 and grid.rows[0][3] == "Manage closely"
    assert "<svg" in grid.svg and "Keep satisfied" in grid.svg and ">2</text>" in grid.svg  # the count in the top-right cell
    assert len(positions.rows) == 5 and positions.rows[0][3] == 2
    assert b"Power/interest grid: the data" in page.content or b"Each stakeholder" in page.content
    csv = b"".join(lead.get(reverse("stakeholder-map"), {"export": "csv", "programme": world.programme_a.pk}).streaming_content).decode()
    assert csv.count("\n") == 6 and "Manage closely" in csv
    empty = lead.get(reverse("stakeholder-map"), {"programme": world.programme_a.pk, "q": "nobody"})
    assert "no stakeholders are mapped" in empty.context["grid"].alt


def test_the_api_gives_the_derived_impact_in_a_bounded_number_of_queries(lead: Any, world: Any) -> None:
    approved = ImpactAssessment.objects.create(programme=world.programme_a, title="Rota", status=ImpactAssessment.Status.APPROVED)
    line = ImpactLine.objects.create(assessment=approved, title="New rota", severity=3)
    line.units.set([world.westminster])
    for n in range(60):
        person = make_staff(f"4{n:05d}", world.team if n % 2 else world.camden)
        s = services.stakeholder_create(kind="person", staff=person, actor=None)
        services.assessment_create(stakeholder=s, programme=world.programme_a, influence=3, interest=3, actor=None)
    url = reverse("api-stakeholder-assessment-list") + "?page_size=100"
    with CaptureQueriesContext(connection) as queries:
        response = lead.get(url, HTTP_ACCEPT="application/json")
    data = response.json()
    assert data["count"] == 60 and len(data["results"]) == 50
    assert len(queries) <= 15, len(queries)
    severities = [row["derived_impact"]["severity"] for row in data["results"]]
    assert severities.count(3) + severities.count(None) == 50 and 3 in severities and None in severities
    with CaptureQueriesContext(connection) as page_queries:
        page = lead.get(reverse("stakeholder-map"))
    assert page.status_code == 200 and len(page_queries) <= 20, len(page_queries)


def test_the_api_writes_through_the_services(lead: Any, world: Any) -> None:
    created = lead.post(reverse("api-stakeholder-list"), {"kind": "group", "group_kind": "unit"}, content_type="application/json")
    assert created.status_code == 400 and "unit" in created.json()
    created = lead.post(reverse("api-stakeholder-list"), {"kind": "person", "staff": world.staff_in.pk}, content_type="application/json")
    assert created.status_code == 201 and created.json()["display_name"] == "Alex Inscope"
    mapped = lead.post(reverse("api-stakeholder-assessment-list"),
                       {"stakeholder": created.json()["id"], "programme": world.programme_a.pk, "influence": 7, "interest": 3},
                       content_type="application/json")
    assert mapped.status_code == 400 and not StakeholderAssessment.objects.exists()
