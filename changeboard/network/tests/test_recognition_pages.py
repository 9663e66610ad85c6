"""The recognition page (sortable, filtered by programme and period,
exported) and the thank-you page."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from changeboard.core.models import OutboxMessage
from changeboard.network.models import Thanks

from .mine_data import activity, nominate_persona, other_champion

pytestmark = pytest.mark.django_db


def test_hours_and_activities_per_champion(client: Any, world: Any) -> None:
    mine = nominate_persona(world, accept=True)
    other = other_champion(world)
    activity(mine, world.programme_a, world.team, minutes=90)
    activity(other, world.programme_b, world.camden, minutes=30)
    client.force_login(world.users["lead"])
    page = client.get(reverse("network-recognition"), {"sort": "-hours"}).content.decode()
    assert page.index("Inscope") < page.index("Outscope") and "1.5" in page
    assert reverse("thanks-send", args=[mine.pk]) in page and reverse("thanks-send", args=[other.pk]) not in page
    client.force_login(world.users["admin"])
    only_b = client.get(reverse("network-recognition"), {"programme": world.programme_b.pk, "period": "year"}).content.decode()
    assert "Outscope" in only_b and "Inscope" not in only_b
    export = client.get(reverse("network-recognition"), {"export": "csv", "period": "month"})
    body = b"".join(export.streaming_content).decode() if export.streaming else export.content.decode()
    assert "Hours given" in body and "1.5" in body and world.staff_in.staff_number in body


def test_a_bad_period_is_a_form_error(client: Any, world: Any) -> None:
    client.force_login(world.users["board"])
    assert client.get(reverse("network-recognition"), {"period": "forever", "programme": "²"}).status_code == 200


def test_thanks_page_sends(client: Any, world: Any) -> None:
    champion = nominate_persona(world, accept=True)
    client.force_login(world.users["lead"])
    form = client.get(reverse("thanks-send", args=[champion.pk]))
    assert form.status_code == 200 and "Thank you, Alex" in form.content.decode()
    response = client.post(reverse("thanks-send", args=[champion.pk]),
                           {"programme": world.programme_a.pk, "message": "Thank you for the night-shift floor-walks."})
    assert response.status_code == 302 and response["Location"] == reverse("champion-detail", args=[champion.pk])
    thanks = Thanks.objects.get()
    assert thanks.sent_by == world.users["lead"] and OutboxMessage.objects.filter(key=f"net-thanks-{thanks.pk}").count() == 1
    client.force_login(world.users["champion"])
    assert "Thank you for the night-shift floor-walks." in client.get(reverse("network-mine")).content.decode()


def test_thanks_for_an_unsupported_programme_is_refused(client: Any, world: Any) -> None:
    champion = nominate_persona(world, accept=True)
    client.force_login(world.users["lead"])
    response = client.post(reverse("thanks-send", args=[champion.pk]), {"programme": world.programme_b.pk, "message": "Thanks"})
    assert response.status_code == 200 and not Thanks.objects.exists()
