"""The champion's page links to their activities, their feedback, planning
an activity with them, thanking them, and shows the thank-yous received;
each link only to those allowed to follow it. The links it gives answer."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from ..models import Theme
from ..services.recognition import thanks_send
from .mine_data import activity, nominate_persona

pytestmark = pytest.mark.django_db


@pytest.fixture
def champion(world: Any) -> Any:
    c = nominate_persona(world, accept=True)
    activity(c, world.programme_a, world.team)
    Theme.objects.create(champion=c, programme=world.programme_a, unit=world.team, category="training", text="Rota questions")
    thanks_send(champion=c, programme=world.programme_a, message="Thank you for the floor-walks", actor=world.users["lead"])
    return c


def _page(client: Any, world: Any, persona: str, champion: Any) -> str:
    client.force_login(world.users[persona])
    response = client.get(reverse("champion-detail", args=[champion.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_change_manager_sees_every_link_and_they_answer(client: Any, world: Any, champion: Any) -> None:
    body = _page(client, world, "lead", champion)
    links = {
        "activities": f"{reverse('activity-list')}?champion={champion.pk}",
        "themes": f"{reverse('theme-list')}?champion={champion.pk}",
        "plan": f"{reverse('activity-plan')}?champion={champion.pk}&amp;programme={world.programme_a.pk}",
        "thank": reverse("thanks-send", args=[champion.pk]),
    }
    for name, href in links.items():
        assert f'href="{href}"' in body, name
        assert client.get(href.replace("&amp;", "&")).status_code == 200, name
    assert "Thank you for the floor-walks" in body
    # The dashboard's links answer too.
    for href in (f"{reverse('network-load')}?programme={world.programme_a.pk}",
                 f"{reverse('theme-list')}?programme={world.programme_a.pk}&status=open"):
        assert client.get(href).status_code == 200, href


def test_a_board_member_sees_the_lists_but_may_not_plan_or_thank(client: Any, world: Any, champion: Any) -> None:
    body = _page(client, world, "board", champion)
    assert reverse("activity-plan") not in body
    assert reverse("thanks-send", args=[champion.pk]) not in body
    assert "Thank you for the floor-walks" in body


def test_the_champion_on_their_own_page_may_not_plan_or_thank_themselves(client: Any, world: Any, champion: Any) -> None:
    body = _page(client, world, "champion", champion)
    assert reverse("activity-plan") not in body
    assert reverse("thanks-send", args=[champion.pk]) not in body
    assert f"{reverse('activity-list')}?champion={champion.pk}" in body


def test_another_programme_s_change_manager_is_not_offered_planning_or_thanks(client: Any, world: Any, champion: Any) -> None:
    client.force_login(world.users["lead2"])
    response = client.get(reverse("champion-detail", args=[champion.pk]))
    if response.status_code == 404:  # out of scope: nothing to offer
        return
    body = response.content.decode()
    assert reverse("activity-plan") not in body and reverse("thanks-send", args=[champion.pk]) not in body
