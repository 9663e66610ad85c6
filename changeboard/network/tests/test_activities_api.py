"""`/api/v1/champion-activities/`: filters, log or plan by role, update,
complete and cancel, with the services' rules as 400s."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from changeboard.core.models import OutboxMessage
from changeboard.core.tests.test_permissions import _client

from ..models import Activity
from .activities_data import Data, days


@pytest.fixture
def x(world: Any) -> Data:
    return Data(world)


def test_filters_match_the_page(client: Any, x: Data) -> None:
    c = _client(client, x.world, "admin")
    url = reverse("api-champion-activity-list")

    def ids(query: str) -> set[int]:
        return {row["id"] for row in c.get(url + query).json()["results"]}

    assert ids("?status=planned") == {x.planned_a.pk, x.others_a.pk}
    assert ids(f"?unit={x.world.north.pk}") == {x.done_b.pk}
    assert ids(f"?champion={x.mine.pk}&kind=briefing") == {x.done_a.pk}
    assert c.get(url + "?unit=%C2%B2").status_code == 400  # a malformed id is refused, never a 500


def test_a_champion_logs_through_the_api_with_their_unit_by_default(client: Any, x: Data) -> None:
    response = _client(client, x.world, "champion").post(reverse("api-champion-activity-list"), {
        "programme": x.world.programme_a.pk, "kind": "floor_walk", "date": days(0).isoformat(), "people_reached": 9, "minutes": 30},
        content_type="application/json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["unit"], body["champion"]) == ("done", x.world.team.pk, x.mine.pk)


def test_a_champion_cannot_log_elsewhere(client: Any, x: Data) -> None:
    response = _client(client, x.world, "champion").post(reverse("api-champion-activity-list"), {
        "programme": x.world.programme_a.pk, "kind": "floor_walk", "date": days(0).isoformat(), "unit": x.world.camden.pk},
        content_type="application/json")
    assert response.status_code == 400 and "unit" in response.json()


def test_a_change_manager_plans_and_the_champion_is_emailed(client: Any, x: Data) -> None:
    response = _client(client, x.world, "lead").post(reverse("api-champion-activity-list"), {
        "champion": x.mine.pk, "programme": x.world.programme_a.pk, "kind": "qa", "date": days(3).isoformat(), "people_reached": 25},
        content_type="application/json")
    assert response.status_code == 201, response.json()
    planned = Activity.objects.get(pk=response.json()["id"])
    assert planned.status == "planned" and planned.planned_by == x.world.users["lead"]
    assert OutboxMessage.objects.filter(key=f"net-activity-planned-{planned.pk}").count() == 1
    past = _client(client, x.world, "lead").post(reverse("api-champion-activity-list"), {
        "champion": x.mine.pk, "programme": x.world.programme_a.pk, "kind": "qa", "date": days(-3).isoformat()},
        content_type="application/json")
    assert past.status_code == 400 and "date" in past.json()


def test_update_keeps_whose_and_which_programme(client: Any, x: Data) -> None:
    c = _client(client, x.world, "champion")
    response = c.patch(reverse("api-champion-activity-detail", args=[x.done_a.pk]),
                       {"people_reached": 20, "programme": x.world.programme_b.pk, "champion": x.other.pk}, content_type="application/json")
    assert response.status_code == 200, response.json()
    x.done_a.refresh_from_db()
    assert (x.done_a.people_reached, x.done_a.programme, x.done_a.champion) == (20, x.world.programme_a, x.mine)
    future = c.patch(reverse("api-champion-activity-detail", args=[x.done_a.pk]), {"date": days(3).isoformat()}, content_type="application/json")
    assert future.status_code == 400


def test_complete_then_cancel_is_refused(client: Any, x: Data) -> None:
    c = _client(client, x.world, "champion")
    done = c.post(reverse("api-champion-activity-complete", args=[x.planned_a.pk]), {"people_reached": 16, "minutes": 40},
                  content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "done" and done.json()["date"] == days(0).isoformat()
    again = c.post(reverse("api-champion-activity-cancel", args=[x.planned_a.pk]), {}, content_type="application/json")
    assert again.status_code == 400
