"""The coverage API against the hand-worked organisation: the headline and
every table, gaps with their candidates, and the pages' scopes."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from .coverage_data import build


@pytest.fixture
def org(world: Any) -> Any:
    return build(world)


def get(client: Any, world: Any, persona: str, name: str, **query: Any) -> Any:
    client.force_login(world.users[persona])
    response = client.get(reverse(name), query, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return response.json()


def test_coverage_headline_and_tables(client: Any, world: Any, org: Any) -> None:
    data = get(client, world, "lead", "api-network-coverage", programme=world.programme_a.pk)
    assert {k: data[k] for k in ("programme", "target_ratio", "target_source", "impacted", "champions", "impacted_per_champion",
                                 "needed", "gaps")} == {
        "programme": world.programme_a.pk, "target_ratio": 3, "target_source": "portfolio", "impacted": 10, "champions": 2,
        "impacted_per_champion": 5, "needed": 4, "gaps": 2}
    first = data["by_site_shift"][0]
    assert first == {"key": "Charing Cross|Night", "label": "Charing Cross, Night", "impacted": 4, "champions": 0,
                     "impacted_per_champion": None, "needed": 2, "shortfall": 2, "uncovered": 4, "gap": True,
                     "go_live": world.wave_a.go_live_date.isoformat()}
    assert [c["key"] for c in data["by_role_group"]] == ["officer", "staff"]
    assert [c["key"] for c in data["by_location"]] == ["Charing Cross", "Holborn"]
    assert [c["key"] for c in data["by_shift"]] == ["Night", "Day"]
    assert [(u["unit"], u["impacted"], u["champions"]) for u in data["by_unit"]] == [
        (world.root.pk, 10, 2), (world.frontline.pk, 10, 2), (world.central_west.pk, 10, 2), (world.westminster.pk, 10, 2),
        (world.team.pk, 4, 1)]


def test_portfolio_coverage_is_the_union_in_view(client: Any, world: Any, org: Any) -> None:
    assert get(client, world, "board", "api-network-coverage")["impacted"] == 12
    assert get(client, world, "lead2", "api-network-coverage")["impacted"] == 6
    champion = get(client, world, "champion", "api-network-coverage")
    # B goes live in North, out of the champion's view: A only, narrowed to Westminster (all of A's ten).
    assert champion["impacted"] == 10
    world.users["champion"].units.set([world.team])
    assert get(client, world, "champion", "api-network-coverage")["impacted"] == 4


def test_gaps_with_candidates(client: Any, world: Any, org: Any) -> None:
    data = get(client, world, "lead", "api-network-gaps", programme=world.programme_a.pk)
    (programme,) = data["programmes"]
    assert programme["code"] == "AAA"
    assert [g["key"] for g in programme["gaps"]] == ["Charing Cross|Night", "Holborn|Night"]
    first = programme["gaps"][0]["candidates"]
    assert [(c["name"], c["in_pool"], c["spare_hours"]) for c in first[:2]] == [("X4 Pool4", True, 5.0), ("X1 Pool1", True, 2.0)]
    assert [c["staff"] for c in first[2:]] == [org.staff["W2"].pk, org.staff["W3"].pk, org.staff["W4"].pk]


def test_every_programme_s_gaps_in_view(client: Any, world: Any, org: Any) -> None:
    data = get(client, world, "board", "api-network-gaps")
    assert [(p["code"], [g["key"] for g in p["gaps"]]) for p in data["programmes"]] == [
        ("AAA", ["Charing Cross|Night", "Holborn|Night"]), ("BBB", ["Holborn|Day"])]
    assert [p["code"] for p in get(client, world, "lead2", "api-network-gaps")["programmes"]] == ["BBB"]
