"""The pool's API: the list with the page's filters and the load columns,
nominating by staff number (and the same errors as the page), changing,
standing down and reviewing an entry, programmes' asks, and the load."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from changeboard.organisation.models import Staff

from ..models import Champion, Support
from ..services import champions as services
from .pool_data import Pool, build_pool

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool(world: Any) -> Pool:
    return build_pool(world)


def _api(client: Any, world: Any, persona: str = "lead") -> Any:
    client.force_login(world.users[persona])
    return client


def _get(client: Any, url: str) -> Any:
    response = client.get(url, HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    return response.json()


def test_the_list_carries_the_load_and_filters_like_the_page(client: Any, pool: Pool) -> None:
    c = _api(client, pool.world)
    rows = _get(c, reverse("api-champion-list"))["results"]
    casey = next(r for r in rows if r["staff_number"] == "100002")
    assert casey["name"] == "Casey Night" and casey["location"] == "Charing Cross" and casey["shift_pattern"] == "Nights"
    assert casey["hours_agreed"] == "4.0" and casey["hours_asked"] == "7.0" and casey["over_committed"] is True
    assert [a["programme_code"] for a in casey["asks"]] == ["AAA", "BBB"]
    assert casey["role_group"] == "Police officers" and casey["status"] == "active"
    over = _get(c, reverse("api-champion-list") + "?over_committed=yes")["results"]
    assert [r["name"] for r in over] == ["Casey Night"]
    nights = _get(c, reverse("api-champion-list") + "?shift_pattern=Nights&status=active")["results"]
    assert [r["name"] for r in nights] == ["Casey Night"]


def test_nominate_by_staff_number_and_the_errors(client: Any, world: Any) -> None:
    c = _api(client, world)
    url = reverse("api-champion-list")
    body = {"staff_number": "100001", "programme": world.programme_a.pk, "hours_asked": "3", "units": [world.westminster.pk]}
    created = c.post(url, body, content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["status"] == "nominated" and data["units"] == [world.westminster.pk] and data["hours_asked"] == "3.0"
    assert c.post(url, {**body, "staff_number": "999999"}, content_type="application/json").json() == {
        "staff_number": ["No one in the organisation has this staff number."]}
    assert "hours_asked" in c.post(url, {**body, "hours_asked": "-1"}, content_type="application/json").json()
    Staff.objects.filter(pk=world.staff_out.pk).update(is_leaver=True)
    left = c.post(url, {**body, "staff_number": "200001"}, content_type="application/json")
    assert left.status_code == 400 and left.json() == {"staff": ["They have left the force."]}
    late = c.post(url, {**body, "staff": world.staff_in.pk, "staff_number": "", "start_date": "2027-02-01", "end_date": "2027-01-01"},
                  content_type="application/json")
    assert late.status_code == 400 and "end_date" in late.json()


def test_patch_end_and_review(client: Any, pool: Pool) -> None:
    world = pool.world
    c = _api(client, world)
    detail = reverse("api-champion-detail", args=[pool.alex.pk])
    changed = c.patch(detail, {"hours_agreed": "6", "units": [world.westminster.pk]}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["hours_agreed"] == "6.0" and changed.json()["units"] == [world.westminster.pk]
    bad = c.patch(detail, {"start_date": "2027-01-01", "end_date": "2026-01-01"}, content_type="application/json")
    assert bad.status_code == 400 and "end_date" in bad.json()

    Staff.objects.filter(pk=world.staff_in.pk).update(unit=world.camden)
    services.sync_from_staff()
    flagged = _get(c, reverse("api-champion-list") + "?needs_review=yes")["results"]
    assert [r["name"] for r in flagged] == ["Alex Inscope"]
    reviewed = c.post(reverse("api-champion-review", args=[pool.alex.pk]), {"follow_move": False}, content_type="application/json")
    assert reviewed.status_code == 200 and reviewed.json()["needs_review"] == "" and reviewed.json()["units"] == [world.westminster.pk]

    ended = c.post(reverse("api-champion-end", args=[pool.alex.pk]), {}, content_type="application/json")
    assert ended.status_code == 200 and ended.json()["status"] == "ended" and ended.json()["asks"] == []
    again = c.post(reverse("api-champion-end", args=[pool.alex.pk]), {}, content_type="application/json")
    assert again.status_code == 400


def test_supports(client: Any, pool: Pool) -> None:
    world = pool.world
    c = _api(client, world, "lead2")
    rows = _get(c, reverse("api-champion-support-list") + f"?champion={pool.casey.pk}")["results"]
    assert sorted(r["programme_code"] for r in rows) == ["AAA", "BBB"]  # every programme asking someone they can see
    created = c.post(reverse("api-champion-support-list"), {"champion": pool.alex.pk, "programme": world.programme_b.pk, "hours_asked": "1.5"},
                     content_type="application/json")
    assert created.status_code == 201, created.content
    support = Support.objects.get(champion=pool.alex, programme=world.programme_b)
    assert support.hours_asked == Decimal("1.5")
    patched = c.patch(reverse("api-champion-support-detail", args=[support.pk]), {"hours_asked": "2"}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["hours_asked"] == "2.0"
    ended = c.post(reverse("api-champion-support-end", args=[support.pk]), content_type="application/json")
    assert ended.status_code == 200 and ended.json()["active"] is False
    assert c.post(reverse("api-champion-support-end", args=[support.pk]), content_type="application/json").status_code == 400
    services.champion_end(champion=pool.blair, actor=world.users["lead2"])
    refused = c.post(reverse("api-champion-support-list"), {"champion": pool.blair.pk, "programme": world.programme_b.pk, "hours_asked": "1"},
                     content_type="application/json")
    assert refused.status_code == 400


def test_the_load(client: Any, pool: Pool) -> None:
    world = pool.world
    c = _api(client, world)
    data = _get(c, reverse("api-network-load"))
    assert (data["programme"], data["champions"], data["over_committed"]) == (None, 3, 1)
    first = data["rows"][0]
    assert first["name"] == "Casey Night" and first["percent"] == 175 and first["shared"] is True and first["hours_asked"] == "7.0"
    for_a = _get(c, reverse("api-network-load") + f"?programme={world.programme_a.pk}")
    assert for_a["champions"] == 2 and [a["programme_code"] for a in for_a["rows"][0]["asks"]] == ["AAA", "BBB"]
    out = c.get(reverse("api-network-load") + f"?programme={world.programme_b.pk}", HTTP_ACCEPT="application/json")
    assert out.status_code == 400  # not a programme the lead can see
    assert c.get(reverse("api-network-load") + "?programme=x", HTTP_ACCEPT="application/json").status_code == 400
    champion_view = _get(_api(client, world, "champion"), reverse("api-network-load"))
    assert champion_view["champions"] == 2
    assert Champion.objects.count() == 3
