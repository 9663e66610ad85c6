"""The coverage pages against the hand-worked organisation: the headline,
gaps and tables, the export, the map's drill-down, a gap's people and
candidates, the target and policy forms, the champion's narrowed view, and
the page's query count."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from changeboard.conftest import make_staff
from changeboard.core.models import AuditEntry

from ..models import CoverageTarget, NetworkPolicy
from ..services import coverage as services
from .coverage_data import CX, build

GAP = "Charing Cross|Night"


@pytest.fixture
def org(world: Any) -> Any:
    return build(world)


def signed_in(client: Any, world: Any, persona: str) -> Any:
    client.force_login(world.users[persona])
    return client


def test_the_programme_page_shows_the_headline_gaps_and_tables(client: Any, world: Any, org: Any) -> None:
    response = signed_in(client, world, "lead").get(reverse("network-coverage"), {"programme": world.programme_a.pk})
    assert response.status_code == 200
    cov = response.context["cov"]
    assert (cov.impacted, cov.champions, cov.target) == (10, 2, 3)
    html = response.content.decode()
    assert "the portfolio's target" in html
    gap_url = f'{reverse("network-gap")}?programme={world.programme_a.pk}&amp;cell=Charing%20Cross%7CNight'
    assert gap_url in html
    for caption in ("By site and shift", "By location", "By shift pattern", "By role group"):
        assert caption in html
    assert "Police officers" in html and ">Gap<" in html
    assert reverse("coverage-target", args=[world.programme_a.pk]) in html  # lead may set A's target


def test_the_portfolio_page_lists_only_the_programmes_in_view(client: Any, world: Any, org: Any) -> None:
    response = signed_in(client, world, "lead").get(reverse("network-coverage"))
    assert response.status_code == 200
    cov = response.context["cov"]
    assert cov.programme is None and cov.impacted == 10  # lead sees A only, so the union is A's
    chooser = response.context["form"].fields["programme"].queryset
    assert list(chooser) == [world.programme_a]
    board = signed_in(client, world, "board").get(reverse("network-coverage"))
    assert board.context["cov"].impacted == 12
    assert "Choose a programme to see a gap" in board.content.decode()


def test_a_champion_sees_coverage_in_their_units(client: Any, world: Any, org: Any) -> None:
    response = signed_in(client, world, "champion").get(reverse("network-coverage"), {"programme": world.programme_a.pk})
    cov = response.context["cov"]
    assert cov.impacted == 10 and response.context["narrowed"]  # Westminster is the whole of A's reach
    world.users["champion"].units.set([world.team])
    cov = signed_in(client, world, "champion").get(reverse("network-coverage"), {"programme": world.programme_a.pk}).context["cov"]
    assert (cov.impacted, cov.champions) == (4, 1)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_site_and_shift_table_exports(client: Any, world: Any, org: Any, fmt: str) -> None:
    response = signed_in(client, world, "lead").get(reverse("network-coverage"), {"programme": world.programme_a.pk, "export": fmt})
    assert response.status_code == 200
    if fmt == "csv":
        lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
        assert lines[0].startswith("location,shift_pattern,impacted,champions")
        assert lines[1] == "Charing Cross,Night,4,0,,2,2,4,yes"
        assert len(lines) == 5
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))  # type: ignore[union-attr]
        assert rows[1][:4] == ("Charing Cross", "Night", 4, 0)


def test_the_map_drills_down_with_a_breadcrumb(client: Any, world: Any, org: Any) -> None:
    c = signed_in(client, world, "board")
    top = c.get(reverse("network-coverage-map"), {"programme": world.programme_a.pk})
    assert [r.unit_id for r in top.context["rows"]] == [world.root.pk]
    assert top.context["chart"].data_uri.startswith("data:image/svg+xml;base64,")
    down = c.get(reverse("network-coverage-map"), {"programme": world.programme_a.pk, "unit": world.westminster.pk})
    assert [r.unit_id for r in down.context["rows"]] == [world.team.pk]
    assert [name for name, _ in down.context["trail"]] == ["Test Force", "Frontline Policing", "Central West BCU"]
    html = down.content.decode()
    assert "Gap: 1 more needed" in html  # the team: 4 impacted need 2, T2 is one
    assert c.get(reverse("network-coverage-map"), {"unit": "abc"}).status_code == 404


def test_a_champion_s_map_starts_at_their_units(client: Any, world: Any, org: Any) -> None:
    response = signed_in(client, world, "champion").get(reverse("network-coverage-map"), {"programme": world.programme_a.pk})
    assert [r.unit_id for r in response.context["rows"]] == [world.westminster.pk]


def test_the_gap_page_lists_people_and_candidates_with_nominate_links(client: Any, world: Any, org: Any) -> None:
    response = signed_in(client, world, "lead").get(reverse("network-gap"), {"programme": world.programme_a.pk, "cell": GAP})
    assert response.status_code == 200
    assert [s.last_name for s in response.context["page"]] == ["Ash", "Birch", "Cedar", "Wren"]
    assert [c.staff.last_name for c in response.context["candidates"]] == ["Pool4", "Pool1", "Ash", "Birch", "Cedar"]
    html = response.content.decode()
    x4 = org.staff["X4"]
    assert f'{reverse("champion-nominate")}?programme={world.programme_a.pk}&amp;staff={x4.pk}' in html
    assert "5.0 hours a month spare" in html


def test_the_board_sees_candidates_but_no_nominate_link(client: Any, world: Any, org: Any) -> None:
    response = signed_in(client, world, "board").get(reverse("network-gap"), {"programme": world.programme_a.pk, "cell": GAP})
    assert response.context["candidates"] and not response.context["may_nominate"]
    assert "Nominate" not in response.content.decode()


def test_a_champion_sees_a_gap_s_people_and_candidates_in_their_units(client: Any, world: Any, org: Any) -> None:
    response = signed_in(client, world, "champion").get(reverse("network-gap"), {"programme": world.programme_a.pk, "cell": GAP})
    assert [s.last_name for s in response.context["page"]] == ["Ash", "Birch", "Cedar", "Wren"]
    # The pool members work in Specialist Operations, outside Westminster.
    assert [c.staff.last_name for c in response.context["candidates"]] == ["Ash", "Birch", "Cedar"]
    assert not response.context["may_nominate"]


def test_the_gap_s_people_are_paginated(client: Any, world: Any, org: Any, monkeypatch: Any) -> None:
    from ..views import coverage as views

    monkeypatch.setattr(views, "PEOPLE_PER_PAGE", 3)
    c = signed_in(client, world, "lead")
    second = c.get(reverse("network-gap"), {"programme": world.programme_a.pk, "cell": GAP, "page": "2"})
    assert [s.last_name for s in second.context["page"]] == ["Wren"]
    assert c.get(reverse("network-gap"), {"programme": world.programme_a.pk, "cell": GAP, "page": "²"}).status_code == 200


@pytest.mark.parametrize("params", [
    {"programme": "", "cell": GAP}, {"programme": "abc", "cell": GAP}, {"programme": "1", "cell": "\x00|x"},
    {"cell": "a|b|c"}, {"cell": "x" * 200 + "|Night"}, {"cell": ""}, {"cell": "Charing Cross|Morning"},
])
def test_bad_gap_parameters_are_not_found(client: Any, world: Any, org: Any, params: dict[str, str]) -> None:
    query = {"programme": str(world.programme_a.pk), **params}
    assert signed_in(client, world, "admin").get(reverse("network-gap"), query).status_code == 404


def test_the_target_form_sets_and_clears_the_programme_s_ratio(client: Any, world: Any, org: Any) -> None:
    c = signed_in(client, world, "lead")
    url = reverse("coverage-target", args=[world.programme_a.pk])
    assert c.get(url).status_code == 200
    response = c.post(url, {"target_ratio": "5"})
    assert response.status_code == 302 and response["Location"].endswith(f"?programme={world.programme_a.pk}")
    assert CoverageTarget.objects.get(programme=world.programme_a).target_ratio == 5
    page = c.get(reverse("network-coverage"), {"programme": world.programme_a.pk})
    assert page.context["cov"].target == 5 and "this programme's own target" in page.content.decode()
    assert c.post(url, {"target_ratio": "0"}).status_code == 200  # a form error
    assert c.post(url, {"target_ratio": ""}).status_code == 302
    assert not CoverageTarget.objects.exists()
    assert AuditEntry.objects.filter(action="delete", object_type__icontains="coveragetarget").exists()


def test_the_policy_form(client: Any, world: Any, org: Any) -> None:
    c = signed_in(client, world, "admin")
    assert c.get(reverse("network-policy")).status_code == 200
    assert c.post(reverse("network-policy"), {"target_ratio": "20", "default_hours": "3.5"}).status_code == 302
    policy = NetworkPolicy.current()
    assert (policy.target_ratio, str(policy.default_hours)) == (20, "3.5")
    invalid = c.post(reverse("network-policy"), {"target_ratio": "", "default_hours": "-1"})
    assert invalid.status_code == 200 and "Enter the portfolio" in invalid.content.decode()


def test_the_coverage_page_is_a_handful_of_queries(client: Any, world: Any, org: Any, django_assert_max_num_queries: Any) -> None:
    c = signed_in(client, world, "board")
    c.get(reverse("network-coverage"))
    # Session, user, policy, programmes in view, the unit tree, the impact lines (with units and ranks),
    # champions, impacted groups, champions' units, the chooser, and the session save.
    with django_assert_max_num_queries(17):
        assert c.get(reverse("network-coverage")).status_code == 200
    with django_assert_max_num_queries(19):  # and the chosen programme, and its own target
        assert c.get(reverse("network-coverage"), {"programme": world.programme_a.pk}).status_code == 200


def test_the_query_count_does_not_grow_with_the_data(client: Any, world: Any, org: Any, django_assert_max_num_queries: Any) -> None:
    c = signed_in(client, world, "board")
    c.get(reverse("network-coverage"))
    cache.clear()  # both counted requests read the staff groups (the second does because the staff changed)
    with CaptureQueriesContext(connection) as before:
        c.get(reverse("network-coverage"))
    for i in range(30):
        make_staff(f"40{i:04d}", world.team, location=CX if i % 2 else f"Site {i}", shift_pattern=f"Shift {i % 3}")
    with django_assert_max_num_queries(len(before.captured_queries)):
        c.get(reverse("network-coverage"))
    assert services.coverage(None).impacted == 42


def test_long_tables_list_the_most_urgent_and_all_shows_every_row(client: Any, world: Any, org: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from ..views import coverage as views

    monkeypatch.setattr(views, "SHOWN", 1)
    c = signed_in(client, world, "lead")
    html = c.get(reverse("network-coverage"), {"programme": world.programme_a.pk}).content.decode()
    assert "Showing the 1 most urgent of 2 gaps" in html
    def gaps_table(page: str) -> str:
        return page.split(">Gaps</h2>", 1)[1].split("<h2", 1)[0]

    assert "Charing Cross, Night" in gaps_table(html) and "Holborn, Night" not in gaps_table(html)
    everything = c.get(reverse("network-coverage"), {"programme": world.programme_a.pk, "all": "1"}).content.decode()
    assert "Showing the" not in everything and "more site" not in everything
    assert "Holborn, Night" in gaps_table(everything)
