"""The journeys API: nested stages, steps and touchpoints, the lane with the
page's suppression, writes through the services (their errors as 400s),
moves and the list's filters."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from changeboard.core.models import AuditEntry

from ..lane import NO_DATA
from ..models import Journey, Step, Touchpoint
from ..services import journeys as services
from .journey_data import Data, build, survey


@pytest.fixture
def d(world: Any) -> Data:
    return build(world)


@pytest.fixture
def lead(client: Any, d: Data) -> Any:
    client.force_login(d.world.users["lead"])
    return client


def test_detail_nests_the_parts_and_computes_the_lane_with_suppression(client: Any, d: Data) -> None:
    wave = survey(d)
    services.touchpoint_add(step=d.briefing, kind="course", ref="CUST-101", actor=None)
    client.force_login(d.world.users["board"])
    data = client.get(reverse("api-journey-detail", args=[d.journey.pk])).json()
    assert [s["name"] for s in data["stages"]] == ["Hearing about it", "Go-live week"]
    assert [s["name"] for s in data["stages"][0]["steps"]] == ["Team briefing", "Training"]
    assert data["stages"][0]["steps"][0]["touchpoints"] == [{"id": Touchpoint.objects.get().pk, "step": d.briefing.pk, "kind": "course",
                                                             "ref": "CUST-101", "label": "Course CUST-101: Custody officers trained"}]
    lane = data["lane"]
    assert lane["wave"]["id"] == wave.pk
    steps = {s["step_name"]: s for s in lane["steps"]}
    assert (steps["Team briefing"]["survey_emotion"], steps["Team briefing"]["responses"]) == (1.2, 40)
    # 4 responses under a threshold of 5: no figure, no count, the judgement instead
    first = steps["First shift"]
    assert (first["survey_emotion"], first["responses"], first["below_threshold"], first["emotion"], first["evidence"]) == (
        None, None, True, -1.0, NO_DATA)
    assert "4" not in str(first["responses"])


def test_list_has_no_lane_and_filters_by_programme(lead: Any, d: Data) -> None:
    data = lead.get(reverse("api-journey-list"), {"programme": d.world.programme_a.pk}).json()
    assert data["count"] == 1 and data["results"][0]["lane"] is None
    assert lead.get(reverse("api-journey-list"), {"programme": "²"}).status_code in (200, 400)
    assert lead.get(reverse("api-journey-list"), {"q": "nothing like it"}).json()["count"] == 0


def test_create_update_delete_go_through_the_services(lead: Any, d: Data) -> None:
    response = lead.post(reverse("api-journey-list"), {"programme": d.world.programme_a.pk, "title": "Answering", "persona": "Call handler",
                                                       "units": [d.world.team.pk], "role_group": "staff"}, content_type="application/json")
    assert response.status_code == 201, response.json()
    journey = Journey.objects.get(title="Answering")
    assert journey.created_by == d.world.users["lead"]
    assert AuditEntry.objects.filter(action="create", object_type="capability.journey", object_id=str(journey.pk)).exists()
    bad = lead.post(reverse("api-journey-list"), {"programme": d.world.programme_a.pk, "title": "X", "persona": "Y", "units": []},
                    content_type="application/json")
    assert bad.status_code == 400
    patched = lead.patch(reverse("api-journey-detail", args=[journey.pk]), {"fill_from_survey": False, "units": [d.world.camden.pk]},
                         content_type="application/json")
    assert patched.status_code == 200 and patched.json()["fill_from_survey"] is False and patched.json()["units"] == [d.world.camden.pk]
    assert lead.delete(reverse("api-journey-detail", args=[journey.pk])).status_code == 204
    assert AuditEntry.objects.filter(action="delete", object_type="capability.journey").count() == 1


def test_touchpoint_errors_are_400s_naming_the_problem(lead: Any, d: Data) -> None:
    response = lead.post(reverse("api-journey-touchpoint-list"), {"step": d.briefing.pk, "kind": "message", "ref": str(d.message_b.pk)},
                         content_type="application/json")
    assert response.status_code == 400 and "another programme" in str(response.json()["ref"])
    ok = lead.post(reverse("api-journey-touchpoint-list"), {"step": d.briefing.pk, "kind": "activity", "ref": str(d.activity_a.pk)},
                   content_type="application/json")
    assert ok.status_code == 201 and ok.json()["label"] == str(d.activity_a)
    again = lead.post(reverse("api-journey-touchpoint-list"), {"step": d.briefing.pk, "kind": "activity", "ref": str(d.activity_a.pk)},
                      content_type="application/json")
    assert again.status_code == 400


def test_steps_and_moves(lead: Any, d: Data) -> None:
    created = lead.post(reverse("api-journey-step-list"), {"stage": d.golive.pk, "name": "Week two", "emotion": 2},
                        content_type="application/json")
    assert created.status_code == 201 and created.json()["order"] == 3
    bad = lead.post(reverse("api-journey-step-list"), {"stage": d.golive.pk, "name": "W", "emotion": 5}, content_type="application/json")
    assert bad.status_code == 400
    moved = lead.post(reverse("api-journey-step-move", args=[created.json()["id"]]), {"direction": "up"}, content_type="application/json")
    assert moved.status_code == 200 and moved.json()["order"] == 2
    assert list(Step.objects.filter(stage=d.golive).values_list("name", flat=True)) == ["First shift", "Week two", "Settling in"]
    wrong = lead.post(reverse("api-journey-stage-move", args=[d.golive.pk]), {"direction": "left"}, content_type="application/json")
    assert wrong.status_code == 400
    patched = lead.patch(reverse("api-journey-stage-detail", args=[d.golive.pk]), {"name": "  "}, content_type="application/json")
    assert patched.status_code == 400
