"""The API: the framework nested with its competencies and roles;
practitioners added and changed through the services; assessments recorded
with their ratings through `assessment_record` (its rules as 400/403)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from changeboard.conftest import make_staff

from ..models import Assessment, Practitioner
from .capability_data import Data, build
from .factories import ratings_for

JSON: dict[str, Any] = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def d(world: Any) -> Data:
    return build(world)


def _as(client: Any, d: Data, persona: str) -> Any:
    client.force_login(d.world.users[persona])
    return client


def test_framework_nests_competencies_and_role_requirements(client: Any, d: Data) -> None:
    data = _as(client, d, "board").get(reverse("api-capability-framework-detail", args=[d.framework.pk]), **JSON).json()
    assert data["is_current"] and len(data["competencies"]) == 7
    assert data["competencies"][0]["code"] == "impact-assessment" and data["competencies"][0]["level_4"]
    champion = next(role for role in data["roles"] if role["name"] == "Change champion")
    assert {"competency": d.competency.pk, "level": 1} in champion["requirements"]


def test_add_and_change_a_practitioner(client: Any, d: Data) -> None:
    make_staff("100093", d.world.team, first_name="Kit", last_name="Api")
    make_staff("100094", d.world.team, first_name="Lee", last_name="Left", is_leaver=True)
    c = _as(client, d, "lead")
    url = reverse("api-practitioner-list")
    left = c.post(url, {"staff_number": "100094", "role": d.role.pk}, content_type="application/json", **JSON)
    assert left.status_code == 400 and "has left the force" in str(left.json())
    created = c.post(url, {"staff_number": "100093", "role": d.role.pk, "programmes": [d.world.programme_a.pk],
                           "coach": d.world.users["lead"].pk}, content_type="application/json", **JSON)
    assert created.status_code == 201, created.content
    kit = Practitioner.objects.get(staff__staff_number="100093")
    assert created.json()["name"] == "Kit Api" and list(kit.programmes.all()) == [d.world.programme_a]
    other = c.post(url, {"staff_number": "100095", "role": d.role.pk, "programmes": [d.world.programme_b.pk]},
                   content_type="application/json", **JSON)
    assert other.status_code == 400  # programme B is not theirs (and 100095 does not exist)
    changed = c.patch(reverse("api-practitioner-detail", args=[kit.pk]), {"active": False}, content_type="application/json", **JSON)
    assert changed.status_code == 200 and changed.json()["active"] is False
    filtered = c.get(url, {"programme": d.world.programme_a.pk}, **JSON).json()["results"]
    assert {p["name"] for p in filtered} == {"Alex Inscope", "Kit Api"}


def test_record_an_assessment_with_its_ratings(client: Any, d: Data) -> None:
    c = _as(client, d, "champion")
    url = reverse("api-capability-assessment-list")
    ratings = [{"competency": pk, "level": level} for pk, level in ratings_for(2, coaching=3).items()]
    short = c.post(url, {"practitioner": d.alex.pk, "kind": "self", "ratings": ratings[1:]}, content_type="application/json", **JSON)
    assert short.status_code == 400 and "Choose a level for" in str(short.json())
    done = c.post(url, {"practitioner": d.alex.pk, "kind": "self", "ratings": ratings, "note": "From the API"},
                  content_type="application/json", **JSON)
    assert done.status_code == 201, done.content
    body = done.json()
    assert body["kind"] == "self" and body["assessor"] == d.world.users["champion"].pk
    assert {"competency": d.competency.pk, "competency_code": "coaching", "level": 3} in body["ratings"]
    coach = c.post(url, {"practitioner": d.alex.pk, "kind": "coach", "ratings": ratings}, content_type="application/json", **JSON)
    assert coach.status_code == 403
    mine = c.get(url, {"practitioner": d.alex.pk, "kind": "self"}, **JSON).json()["results"]
    assert len(mine) == 2 and Assessment.objects.filter(practitioner=d.alex).count() == 2
    assert c.get(url, {"practitioner": "²"}, **JSON).status_code == 400
