"""Coaching pages and API beyond the matrix: filters, the add form's
preselection and errors, the edit form, the API's create and update."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from changeboard.core.tests.test_permissions import _client

from ..models import CoachingSession
from .coaching_data import GOALS, Coaching, build


@pytest.fixture
def c(world: Any) -> Coaching:
    return build(world)


def test_list_filters_by_coachee_and_coach(client: Any, c: Coaching) -> None:
    api = _client(client, c.world, "board")
    a_link, b_link = (reverse("coaching-detail", args=[s.pk]) for s in (c.session, c.session_b))
    both = api.get(reverse("coaching-list")).content.decode()
    assert a_link in both and b_link in both
    only = api.get(f"{reverse('coaching-list')}?coach={c.world.users['lead2'].pk}").content.decode()
    assert b_link in only and a_link not in only
    only = api.get(f"{reverse('coaching-list')}?practitioner={c.alex.pk}").content.decode()
    assert a_link in only and b_link not in only
    assert "Record a session" not in both  # the Board does not coach


def test_add_preselects_the_coachee_and_shows_errors(client: Any, c: Coaching) -> None:
    api = _client(client, c.world, "lead")
    html = api.get(f"{reverse('coaching-add')}?practitioner={c.alex.pk}").content.decode()
    assert f'value="{c.alex.pk}" selected' in html
    assert str(c.blair) not in html  # not lead's to coach
    response = api.post(reverse("coaching-add"), {"practitioner": c.alex.pk, "held_on": "2999-01-01", "areas": [c.comms.pk]})
    assert response.status_code == 200 and "the date is in the future" in response.content.decode()
    response = api.post(reverse("coaching-add"), {"practitioner": c.alex.pk, "held_on": timezone.localdate().isoformat(), "areas": [c.comms.pk],
                                                  "notes": "kept"})
    assert response.status_code == 302
    assert CoachingSession.objects.filter(notes="kept", coach=c.world.users["lead"]).exists()


def test_edit_keeps_private_text_and_the_detail_offers_it_to_the_coach_only(client: Any, c: Coaching) -> None:
    lead = _client(client, c.world, "lead")
    html = lead.get(reverse("coaching-edit", args=[c.session.pk])).content.decode()
    assert GOALS in html
    assert "Change this session" in lead.get(reverse("coaching-detail", args=[c.session.pk])).content.decode()
    client.logout()
    champion = _client(client, c.world, "champion").get(reverse("coaching-detail", args=[c.session.pk])).content.decode()
    assert GOALS in champion and "Change this session" not in champion


def test_api_create_and_update(client: Any, c: Coaching) -> None:
    api = _client(client, c.world, "lead")
    response = api.post(reverse("api-coaching-session-list"), {"practitioner": c.alex.pk, "held_on": timezone.localdate().isoformat(),
                                                               "areas": [c.engagement.pk], "goals": "api goal"}, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert response.json()["goals"] == "api goal" and response.json()["coach"] == c.world.users["lead"].pk
    pk = response.json()["id"]
    response = api.patch(reverse("api-coaching-session-detail", args=[pk]), {"next_session": "2000-01-01"}, content_type="application/json")
    assert response.status_code == 400 and "next_session" in response.json()
    response = api.patch(reverse("api-coaching-session-detail", args=[pk]), {"notes": "api note"}, content_type="application/json")
    assert response.status_code == 200 and CoachingSession.objects.get(pk=pk).notes == "api note"
    response = api.post(reverse("api-coaching-session-list"), {"practitioner": c.alex.pk, "held_on": timezone.localdate().isoformat(),
                                                               "areas": []}, content_type="application/json")
    assert response.status_code == 400


BAD_VALUES = ["²", "١", "-1", "9" * 30, "\x00"]


@pytest.mark.parametrize("bad", BAD_VALUES)
def test_bad_parameters_never_answer_500(client: Any, c: Coaching, bad: str) -> None:
    from urllib.parse import quote

    from django.test import Client

    api = Client(raise_request_exception=False)
    api.force_login(c.world.users["admin"])
    paths = [reverse("coaching-list"), reverse("coaching-add"), reverse("handover"), reverse("handover-item-add"), reverse("capability-dashboard"),
             reverse("api-coaching-session-list"), reverse("api-capability-handover"), reverse("api-handover-item-list")]
    for path in paths:
        for name in ("practitioner", "coach", "programme", "activity", "page", "sort", "export"):
            status = api.get(f"{path}?{name}={quote(bad)}", HTTP_ACCEPT="application/json" if path.startswith("/api/") else "text/html").status_code
            assert status < 500, (path, name, bad, status)
