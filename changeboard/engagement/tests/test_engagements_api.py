"""The engagements API: plan, log with follow-ups and a position change,
record an unplanned one, cancel, filters shared with the page, and bad
input answered 400 with nothing written."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from changeboard.readiness.models import Action

from ..models import Engagement, Position
from .engagements_data import Data, days_ago, engagement


@pytest.fixture
def d(world: Any) -> Data:
    return Data(world)


@pytest.fixture
def api(client: Any, d: Data) -> Any:
    client.force_login(d.world.users["lead"])
    return client


def test_plan_then_log_with_follow_ups(api: Any, d: Data) -> None:
    day = (timezone.localdate() + dt.timedelta(days=4)).isoformat()
    created = api.post(reverse("api-engagement-list"), {"assessment": d.map_a.pk, "purpose": "Pilot briefing", "method": "briefing",
                                                        "planned_on": day}, content_type="application/json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["status"], body["programme_code"], body["overdue"], body["owner"]) == ("planned", "AAA", False, d.world.users["lead"].pk)
    due = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    logged = api.post(reverse("api-engagement-log", args=[body["id"]]), {
        "happened_on": timezone.localdate().isoformat(), "concerns": "Rest days", "position_after": Position.CHAMPION,
        "follow_ups": [{"text": "Share the rota model", "due_date": due}]}, content_type="application/json")
    assert logged.status_code == 200, logged.json()
    assert (logged.json()["status"], logged.json()["position_after"]) == ("done", Position.CHAMPION)
    d.map_a.refresh_from_db()
    assert d.map_a.current_position == Position.CHAMPION
    assert Action.objects.get(title="Share the rota model").source == Action.Source.ENGAGEMENT
    again = api.post(reverse("api-engagement-log", args=[body["id"]]), {"happened_on": timezone.localdate().isoformat()},
                     content_type="application/json")
    assert again.status_code == 400


def test_a_bad_follow_up_is_a_400_and_nothing_is_logged(api: Any, d: Data) -> None:
    response = api.post(reverse("api-engagement-log", args=[d.eng_a.pk]), {
        "happened_on": timezone.localdate().isoformat(), "follow_ups": [{"text": "Old", "due_date": "2020-01-01"}]},
        content_type="application/json")
    assert response.status_code == 400 and "follow_ups" in response.json()
    d.eng_a.refresh_from_db()
    assert d.eng_a.status == "planned" and not Action.objects.exists()


def test_record_and_cancel(api: Any, d: Data) -> None:
    recorded = api.post(reverse("api-engagement-record"), {"assessment": d.map_a.pk, "purpose": "Chat", "method": "call",
                                                           "happened_on": days_ago(1).isoformat()}, content_type="application/json")
    assert recorded.status_code == 201 and recorded.json()["planned_on"] is None
    cancelled = api.post(reverse("api-engagement-cancel", args=[d.eng_a.pk]), {"reason": "Clash"}, content_type="application/json")
    assert cancelled.json()["status"] == "cancelled"
    assert api.post(reverse("api-engagement-cancel", args=[d.eng_a.pk]), {}, content_type="application/json").status_code == 400


def test_the_filters_are_the_pages(api: Any, d: Data) -> None:
    engagement(d.map_a, planned_on=days_ago(2), purpose="Late one")
    results = api.get(reverse("api-engagement-list"), {"overdue": "true"}).json()["results"]
    assert [r["purpose"] for r in results] == ["Late one"] and results[0]["overdue"] is True
    results = api.get(reverse("api-engagement-list"), {"stakeholder": d.sh_a.pk, "status": "planned"}).json()["results"]
    assert {r["purpose"] for r in results} == {"Late one", "Brief on the new rota"}
    assert api.get(reverse("api-engagement-list"), {"programme": "²"}).status_code == 400


def test_the_assessment_is_fixed_once_planned(api: Any, d: Data) -> None:
    response = api.patch(reverse("api-engagement-detail", args=[d.eng_a.pk]), {"assessment": d.map_b.pk, "purpose": "Renamed"},
                         content_type="application/json")
    assert response.status_code == 200
    d.eng_a.refresh_from_db()
    assert (d.eng_a.assessment_id, d.eng_a.purpose) == (d.map_a.pk, "Renamed")
    assert Engagement.objects.count() == 2


def test_a_plan_without_a_day_is_a_400(api: Any, d: Data) -> None:
    response = api.post(reverse("api-engagement-list"), {"assessment": d.map_a.pk, "purpose": "No day", "method": "call", "planned_on": None},
                        content_type="application/json")
    assert response.status_code == 400 and "planned_on" in response.json()
    assert not Engagement.objects.filter(purpose="No day").exists()
