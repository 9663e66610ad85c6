"""Unit tree, staff search and the organisation API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from changeboard.conftest import make_staff
from changeboard.organisation.models import Staff, Unit, subtree_headcounts
from changeboard.organisation.services import unit_ensure_path


def test_unit_paths_build_a_consistent_tree(world: Any) -> None:
    assert Unit.objects.find_problems() == ([], [], [], [], [])
    assert world.team.full_path.endswith("Westminster > Response Team 1")
    assert [u.name for u in Unit.objects.get_ancestors(world.team)] == ["Test Force", "Frontline Policing", "Central West BCU", "Westminster"]
    assert world.team.level == "team" and world.central_west.level == "command"
    again = unit_ensure_path(full_path=world.team.full_path, actor=None)
    assert again == world.team and Unit.objects.count() == 7


def test_subtree_staff_and_headcounts(world: Any) -> None:
    make_staff("100002", world.westminster)
    make_staff("100003", world.team, leave_date=dt.date(2020, 1, 1))  # left: not counted
    assert set(world.central_west.staff_in_subtree().values_list("staff_number", flat=True)) == {"100001", "100002", "100003"}
    counts = subtree_headcounts(list(Unit.objects.all()))
    assert counts[world.root.pk] == 3 and counts[world.central_west.pk] == 2 and counts[world.team.pk] == 1
    assert counts[world.north.pk] == 1


def test_unit_tree_page(client: Any, world: Any, django_assert_max_num_queries: Any) -> None:
    client.force_login(world.users["board"])
    with django_assert_max_num_queries(10):
        r = client.get("/units/")
    body = r.content.decode()
    assert "Central West BCU" in body and "7 units" in body


def test_champion_tree_shows_only_their_units(client: Any, world: Any) -> None:
    client.force_login(world.users["champion"])
    body = client.get("/units/").content.decode()
    assert "Westminster" in body and "Camden" not in body and "North BCU" not in body


def test_staff_search_filter_sort_paginate(client: Any, world: Any, django_assert_max_num_queries: Any) -> None:
    for i in range(60):
        make_staff(f"3{i:05d}", world.camden, last_name=f"Zed{i:02d}", role="Detective" if i % 2 else "Call handler")
    client.force_login(world.users["admin"])
    with django_assert_max_num_queries(12):
        page1 = client.get("/staff/?sort=-staff_number")
    body = page1.content.decode()
    assert "62 results, page 1 of 2" in body and "300059" in body
    assert "300059" in client.get("/staff/?q=Zed59").content.decode()
    detectives = client.get(f"/staff/?role=detective&unit={world.north.pk}").content.decode()
    assert "30 results" in detectives
    assert "Inscope" in client.get("/staff/?q=100001").content.decode()
    assert "Nobody" not in client.get("/staff/?q=nobody-here").content.decode()
    assert "No staff match these filters." in client.get("/staff/?q=nobody-here").content.decode()


def test_leavers_filter(client: Any, world: Any) -> None:
    make_staff("100009", world.team, last_name="Departed", is_leaver=True)
    client.force_login(world.users["admin"])
    assert "Departed" not in client.get("/staff/").content.decode()
    assert "Departed" in client.get("/staff/?status=leavers").content.decode()
    assert Staff.objects.current().filter(staff_number="100009").count() == 0


def test_staff_api_filters(client: Any, world: Any) -> None:
    client.force_login(world.users["board"])
    data = client.get(f"/api/v1/staff/?unit={world.central_west.pk}").json()
    assert [s["staff_number"] for s in data["results"]] == ["100001"]
    assert data["results"][0]["unit_path"] == world.team.full_path
    units = client.get("/api/v1/units/?level=borough").json()["results"]
    assert {u["name"] for u in units} == {"Westminster", "Camden"}
    assert units[0]["parent"] is not None


def test_htmx_filter_returns_only_the_results(client: Any, world: Any) -> None:
    client.force_login(world.users["admin"])
    r = client.get("/staff/?q=Inscope", HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert body.lstrip().startswith('<div id="results"') and "<html" not in body and "Alex Inscope" in body
