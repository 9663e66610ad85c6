"""The pulse page: a change manager launches this month's pulse; a second is
refused on the form; past pulses are listed with their results."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from changeboard.surveys.models import SurveyWave

from .mine_data import nominate_persona

pytestmark = pytest.mark.django_db


def test_launch_once_a_month(client: Any, world: Any) -> None:
    nominate_persona(world, accept=True)
    client.force_login(world.users["lead"])
    page = client.get(reverse("network-pulse"))
    assert page.status_code == 200 and "Launch the pulse" in page.content.decode()
    assert [p.code for p in page.context["form"].fields["programme"].queryset] == ["AAA"]
    response = client.post(reverse("network-pulse"), {"programme": world.programme_a.pk})
    assert response.status_code == 302
    wave = SurveyWave.objects.get()
    assert wave.audience_source == SurveyWave.Source.CHAMPIONS and wave.programme == world.programme_a
    again = client.post(reverse("network-pulse"), {"programme": world.programme_a.pk})
    assert again.status_code == 200 and "already has a champion pulse" in again.content.decode()
    assert SurveyWave.objects.count() == 1
    listed = client.get(reverse("network-pulse"), {"programme": world.programme_a.pk}).content.decode()
    assert wave.title in listed and "Results when it closes" in listed


def test_out_of_scope_programme_is_a_form_error(client: Any, world: Any) -> None:
    client.force_login(world.users["lead"])
    response = client.post(reverse("network-pulse"), {"programme": world.programme_b.pk})
    assert response.status_code == 200 and not SurveyWave.objects.exists()


@pytest.mark.parametrize("persona", ["board", "champion"])
def test_readers_cannot_launch(client: Any, world: Any, persona: str) -> None:
    client.force_login(world.users[persona])
    page = client.get(reverse("network-pulse"))
    assert page.status_code == 200 and page.context["form"] is None
    assert client.post(reverse("network-pulse"), {"programme": world.programme_a.pk}).status_code == 403
