"""`/api/v1/champion-themes/`: list with the page's filters, read, record,
`to-action/`, `link/`, `close/`, and the anonymity rule on every answer."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from changeboard.core.tests.test_permissions import _client
from changeboard.hypercare.services.periods import period_create
from changeboard.readiness.models import Action, Criterion

from ..models import Theme
from .themes_data import OPEN_TEXT, SMALL_TEXT, Data

WITHHELD = "Withheld: the group is smaller than 10"


@pytest.fixture
def x(world: Any) -> Data:
    return Data(world)


def _soon() -> str:
    return (timezone.localdate() + dt.timedelta(days=7)).isoformat()


@pytest.mark.parametrize(("persona", "sees_text"), [("lead", False), ("board", False), ("auditor", False), ("admin", True), ("champion", True)])
def test_list_and_detail_follow_the_anonymity_rule(client: Any, x: Data, persona: str, sees_text: bool) -> None:
    c = _client(client, x.world, persona)
    results = {t["id"]: t for t in c.get(reverse("api-champion-theme-list")).json()["results"]}
    small = results[x.small.pk]
    assert small["text"] == (SMALL_TEXT if sees_text else WITHHELD)
    assert small["text_withheld"] is (not sees_text)
    assert (small["category"], small["sentiment"], small["unit"], small["role_group"]) == ("morale", -1, x.world.team.pk, "staff")
    assert results[x.open.pk]["text"] == OPEN_TEXT and results[x.open.pk]["text_withheld"] is False
    detail = c.get(reverse("api-champion-theme-detail", args=[x.small.pk])).json()
    assert detail["text"] == (SMALL_TEXT if sees_text else WITHHELD)


def test_list_filters(client: Any, x: Data) -> None:
    c = _client(client, x.world, "board")

    def ids(**query: Any) -> set[int]:
        return {t["id"] for t in c.get(reverse("api-champion-theme-list"), query).json()["results"]}

    assert ids(unit=x.world.westminster.pk) == {x.open.pk, x.small.pk}
    assert ids(programme=x.world.programme_b.pk) == {x.b.pk}
    assert ids(sentiment=-1, category="technology") == {x.open.pk}
    assert ids(champion=x.champion.pk) == {x.open.pk, x.small.pk}
    assert ids(status="open") == {x.open.pk, x.small.pk, x.b.pk}


def test_champion_records_a_theme(client: Any, x: Data) -> None:
    c = _client(client, x.world, "champion")
    response = c.post(reverse("api-champion-theme-list"), {"programme": x.world.programme_a.pk, "category": "training",
                                                          "unit": x.world.team.pk, "role_group": "staff", "text": "The PCSOs missed the briefing"},
                      content_type="application/json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["champion"] == x.champion.pk and body["sentiment"] == 0 and body["heard_on"] == timezone.localdate().isoformat()
    assert body["text"] == "The PCSOs missed the briefing" and body["text_withheld"] is False  # the recorder sees their own
    assert _client(client, x.world, "lead").get(reverse("api-champion-theme-detail", args=[body["id"]])).json()["text"] == WITHHELD


def test_record_errors(client: Any, x: Data) -> None:
    c = _client(client, x.world, "champion")
    response = c.post(reverse("api-champion-theme-list"), {"programme": x.world.programme_a.pk, "category": "training",
                                                          "unit": x.world.westminster.pk, "text": "x", "heard_on": _soon()},
                      content_type="application/json")
    assert response.status_code == 400 and "heard_on" in response.json()


def test_to_action_link_and_close(client: Any, x: Data) -> None:
    w = x.world
    c = _client(client, w, "lead")
    response = c.post(reverse("api-champion-theme-to-action", args=[x.small.pk]), {"due_date": _soon(), "owner": w.users["lead"].pk},
                      content_type="application/json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "actioned" and body["text"] == WITHHELD
    action = Action.objects.get(pk=body["action"])
    assert action.source == "network" and SMALL_TEXT not in action.description and action.unit == w.team
    again = c.post(reverse("api-champion-theme-to-action", args=[x.small.pk]), {"due_date": _soon()}, content_type="application/json")
    assert again.status_code == 400

    criterion = Criterion.objects.create(programme=w.programme_a, title="Radios tested")
    other = Criterion.objects.create(programme=w.programme_b, title="Other programme")
    category = period_create(rollout_wave=w.wave_a, actor=None, starts_on=timezone.localdate()).categories.first()
    assert category is not None
    # lead cannot see programme B's criterion at all: it reads as one that does not exist.
    assert c.post(reverse("api-champion-theme-link", args=[x.open.pk]), {"criterion": other.pk},
                  content_type="application/json").status_code == 400
    response = c.post(reverse("api-champion-theme-link", args=[x.open.pk]), {"criterion": criterion.pk, "hypercare_category": category.pk},
                      content_type="application/json")
    assert response.status_code == 200 and (response.json()["criterion"], response.json()["status"]) == (criterion.pk, "linked")

    response = c.post(reverse("api-champion-theme-close", args=[x.open.pk]), {"reason": "Done"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "closed"
    assert Theme.objects.get(pk=x.open.pk).status == "closed"
    assert c.post(reverse("api-champion-theme-close", args=[x.open.pk]), {}, content_type="application/json").status_code == 400


def test_admin_links_across_programmes_is_still_refused(client: Any, x: Data) -> None:
    other = Criterion.objects.create(programme=x.world.programme_b, title="Other programme")
    response = _client(client, x.world, "admin").post(reverse("api-champion-theme-link", args=[x.open.pk]), {"criterion": other.pk},
                                                      content_type="application/json")
    assert response.status_code == 400 and "criterion" in response.json()
