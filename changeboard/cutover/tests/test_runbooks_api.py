"""The planning API: the schedule endpoint's figures (times in Europe/London
with their offset), tasks with predecessors written as notation, refusals as
400s naming the tasks, and templates for admins only."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from ..models import Runbook
from .plan_helpers import add, make_runbook, small_plan


@pytest.fixture
def api(client: Any, world: Any) -> Any:
    client.force_login(world.users["lead"])
    return client


def get(c: Any, url: str, **params: Any) -> Any:
    return c.get(url, params, HTTP_ACCEPT="application/json")


def test_the_schedule_endpoint(api: Any, world: Any) -> None:
    runbook = make_runbook(world)
    small_plan(runbook)
    data = get(api, reverse("api-runbook-schedule", args=[runbook.pk])).json()
    # A 0-30, B 30-90, C 30-50 (latest 70-90), D 90-100, R 100 from 22:00 GMT (+00:00).
    assert data["start"] == "2027-03-06T22:00:00+00:00" and data["finish"] == "2027-03-06T23:40:00+00:00"
    assert data["critical_path"] == ["A", "B", "D", "R"] and data["rollback_points"] == ["R"]
    c = next(t for t in data["tasks"] if t["ref"] == "C")
    assert (c["es"], c["ef"], c["ls"], c["lf"], c["float_minutes"], c["critical"]) == (
        "2027-03-06T22:30:00+00:00", "2027-03-06T22:50:00+00:00", "2027-03-06T23:10:00+00:00", "2027-03-06T23:30:00+00:00", 40, False)


def test_summer_times_carry_the_bst_offset(api: Any, world: Any) -> None:
    import datetime as dt

    runbook = make_runbook(world, start=dt.datetime(2027, 7, 3, 21, 0, tzinfo=dt.UTC))
    add(runbook, "A", 60)
    data = get(api, reverse("api-runbook-schedule", args=[runbook.pk])).json()
    assert data["start"] == "2027-07-03T22:00:00+01:00" and data["tasks"][0]["ef"] == "2027-07-03T23:00:00+01:00"


def test_tasks_with_predecessors_as_notation(api: Any, world: Any) -> None:
    runbook = make_runbook(world)
    tasks = small_plan(runbook)
    created = api.post(reverse("api-task-list"), {"runbook": runbook.pk, "ref": "E", "title": "Tell", "duration_minutes": 5,
                                                   "predecessors": "R, CSS+10"}, content_type="application/json")
    assert created.status_code == 201, created.json()
    assert created.json()["predecessors"] == "CSS+10, R"
    listed = get(api, reverse("api-task-list"), runbook=runbook.pk).json()["results"]
    assert [t["ref"] for t in listed] == ["A", "B", "C", "D", "R", "E"]
    assert next(t for t in listed if t["ref"] == "D")["predecessors"] == "B, C"
    # Closing a loop: 400 naming the tasks, nothing changed.
    refused = api.patch(reverse("api-task-detail", args=[tasks["A"].pk]), {"predecessors": "D", "title": "X"}, content_type="application/json")
    assert refused.status_code == 400 and "B → D → A → B" in str(refused.json())
    assert runbook.tasks.get(ref="A").title == "Task A"
    unknown = api.patch(reverse("api-task-detail", args=[tasks["A"].pk]), {"predecessors": "Q"}, content_type="application/json")
    assert unknown.status_code == 400 and unknown.json() == {"predecessors": ["These predecessors are not tasks in this runbook: Q."]}
    # A patch without predecessors keeps them.
    assert api.patch(reverse("api-task-detail", args=[tasks["D"].pk]), {"duration_minutes": 15}, content_type="application/json").json()["predecessors"] == "B, C"


def test_dependencies(api: Any, world: Any) -> None:
    runbook = make_runbook(world)
    tasks = small_plan(runbook)
    loop = api.post(reverse("api-dependency-list"), {"predecessor": tasks["D"].pk, "successor": tasks["A"].pk}, content_type="application/json")
    assert loop.status_code == 400 and "loop" in str(loop.json())
    made = api.post(reverse("api-dependency-list"), {"predecessor": tasks["C"].pk, "successor": tasks["B"].pk, "link_type": "SS",
                                                      "lag_minutes": -5}, content_type="application/json")
    assert made.status_code == 201 and made.json()["predecessor_ref"] == "C"
    listed = get(api, reverse("api-dependency-list"), successor=tasks["B"].pk).json()["results"]
    assert sorted((d["predecessor_ref"], d["link_type"], d["lag_minutes"]) for d in listed) == [("A", "FS", 0), ("C", "SS", -5)]


def test_runbooks(api: Any, world: Any) -> None:
    made = api.post(reverse("api-runbook-list"), {"programme": world.programme_a.pk, "rollout_wave": world.wave_a.pk, "title": "Go-live",
                                                   "planned_start": "2027-03-06T22:00:00Z"}, content_type="application/json")
    assert made.status_code == 201 and made.json()["mode"] == "planning"
    runbook = Runbook.objects.get(title="Go-live")
    # The wave is fixed once made; a planned start that breaks a fixed time is refused with the message.
    add(runbook, "A", 60)
    add(runbook, "B", 30, "A", due_by=runbook.planned_start.replace(hour=23, minute=45))
    moved = api.patch(reverse("api-runbook-detail", args=[runbook.pk]), {"planned_start": "2027-03-06T23:00:00Z", "rollout_wave": world.wave_b.pk},
                      content_type="application/json")
    assert moved.status_code == 400 and "B" in str(moved.json())
    runbook.refresh_from_db()
    assert runbook.rollout_wave == world.wave_a
    template = api.post(reverse("api-runbook-list"), {"is_template": True, "title": "T", "planned_start": "2027-03-06T22:00:00Z"},
                        content_type="application/json")
    assert template.status_code == 403
