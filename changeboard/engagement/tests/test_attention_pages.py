"""The comms collision heatmap, its drill-down, CSV export, the policy page and the API."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from changeboard.core.models import AuditEntry
from changeboard.engagement.models import EngagementPolicy, Message
from changeboard.organisation.services import unit_ensure_path

from .attention_data import W, message, second_team

pytestmark = pytest.mark.django_db
URL = reverse("attention-heatmap")


def crowded(world: Any) -> Any:
    """Four items for Response Team 1 in W (one over the limit of 3), one for Camden."""
    for i in range(4):
        message(world.programme_a if i % 2 else world.programme_b, W + dt.timedelta(days=i), {world.team: 5}, title=f"Briefing {i}")
    message(world.programme_b, W, {world.camden: 5}, title="Camden cascade", channel=Message.Channel.CASCADE)


def test_heatmap_shows_the_busiest_team_per_row_with_over_marked_in_text(client: Any, world: Any) -> None:
    crowded(world)
    client.force_login(world.users["board"])
    response = client.get(URL, {"start": "2026-W49", "weeks": "2", "level": "borough"})
    assert response.status_code == 200
    html = response.content.decode()
    rows = {unit.name: counts for unit, counts in response.context["view"].table()[1]}
    assert rows == {"Westminster": [4, 0], "Camden": [1, 0]}
    assert "4!</a>" in html and "Westminster, week of 30 Nov 2026: 4 items, over the limit" in html
    assert f'href="/engagement/attention/{world.westminster.pk}/2026-W49/?' in html
    assert response.context["over_cells"] == 1


def test_levels_and_within(client: Any, world: Any) -> None:
    crowded(world)
    client.force_login(world.users["board"])
    names = lambda r: [u.name for u, _ in r.context["view"].table()[1]]  # noqa: E731
    assert names(client.get(URL, {"level": "command", "start": "2026-W49"})) == ["Central West BCU", "North BCU"]
    assert names(client.get(URL, {"level": "team", "start": "2026-W49"})) == ["Response Team 1"]
    assert names(client.get(URL, {"level": "borough", "within": world.north.pk})) == ["Camden"]


def test_a_champion_sees_only_their_units_even_at_a_higher_level(client: Any, world: Any) -> None:
    crowded(world)
    client.force_login(world.users["champion"])  # Westminster
    response = client.get(URL, {"level": "command", "start": "2026-W49", "weeks": "1"})
    assert [(u.name, c) for u, c in response.context["view"].table()[1]] == [("Westminster", [4])]
    assert "Camden" not in response.content.decode()


def test_bad_filters_fall_back_to_defaults_with_the_error_said(client: Any, world: Any) -> None:
    client.force_login(world.users["board"])
    response = client.get(URL, {"start": "2026-W99", "weeks": "500", "level": "nowhere", "programme": "x"})
    assert response.status_code == 200
    assert "Enter a week such as 2026-W49" in response.content.decode()
    assert len(response.context["weeks"]) == 12


def test_csv_export_of_the_grid(client: Any, world: Any) -> None:
    crowded(world)
    client.force_login(world.users["lead"])
    response = client.get(URL, {"start": "2026-W49", "weeks": "2", "level": "borough", "export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["unit_path", "unit_code", "level", "week", "week_start", "busiest_unit_count", "limit", "over_limit"]
    west = [r for r in rows[1:] if r[0].endswith("Westminster")]
    assert [(r[3], r[5], r[6], r[7]) for r in west] == [("2026-W49", "4", "3", "yes"), ("2026-W50", "0", "3", "no")]


def test_drill_down_lists_the_items(client: Any, world: Any) -> None:
    crowded(world)
    client.force_login(world.users["lead2"])
    response = client.get(reverse("attention-cell", args=[world.westminster.pk, "2026-W49"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert all(f"Briefing {i}" in html for i in range(4)) and "Camden cascade" not in html
    assert "Over the limit" in html and "Response Team 1" in html
    assert response.context["cell"].busiest == 4
    # A date in the week names the same week.
    assert client.get(reverse("attention-cell", args=[world.westminster.pk, "2026-12-03"])).context["week"] == W


@pytest.mark.parametrize("week", ["2026-W54", "2026-W4", "yesterday", "2026-13-01"])
def test_drill_down_refuses_a_malformed_week(client: Any, world: Any, week: str) -> None:
    client.force_login(world.users["board"])
    assert client.get(reverse("attention-cell", args=[world.westminster.pk, week])).status_code == 404


def test_heatmap_queries_do_not_grow_with_units_or_items(client: Any, world: Any) -> None:
    client.force_login(world.users["board"])
    crowded(world)
    EngagementPolicy.current()  # made on first read: not the page's cost
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL, {"level": "team", "start": "2026-W49"}).status_code == 200
    for i in range(30):
        team = unit_ensure_path(full_path=f"Test Force > Frontline Policing > North BCU > Camden > Team {i}", actor=None)
        message(world.programme_b, W + dt.timedelta(days=i % 7), {team: 3, world.team: 1})
    with CaptureQueriesContext(connection) as many:
        assert client.get(URL, {"level": "team", "start": "2026-W49"}).status_code == 200
    assert len(many) == len(few) <= 16, [q["sql"][:120] for q in many.captured_queries]


def test_admin_sets_the_limit_through_the_service(client: Any, world: Any) -> None:
    client.force_login(world.users["admin"])
    page = client.get(reverse("attention-policy"))
    assert page.status_code == 200 and 'value="3"' in page.content.decode()
    response = client.post(reverse("attention-policy"), {"weekly_limit": "5"})
    assert response.status_code == 302 and response["Location"] == URL
    assert EngagementPolicy.current().weekly_limit == 5
    assert AuditEntry.objects.filter(object_type="engagement.engagementpolicy", action="update").count() == 1


@pytest.mark.parametrize(("value", "error"), [("0", "The limit must be 1 or more"), ("", "Enter the weekly limit"),
                                              ("two", "Enter the limit as a whole number"), ("51", "The limit must be 50 or fewer")])
def test_the_policy_form_refuses_bad_limits_and_keeps_the_old_one(client: Any, world: Any, value: str, error: str) -> None:
    client.force_login(world.users["admin"])
    response = client.post(reverse("attention-policy"), {"weekly_limit": value})
    assert response.status_code == 200
    assert error in response.content.decode() and "govuk-error-summary" in response.content.decode()
    assert EngagementPolicy.current().weekly_limit == 3


def test_the_warning_partial_renders_warnings_and_suggestions(world: Any) -> None:
    from django.template.loader import render_to_string

    from changeboard.engagement.services import attention

    team2 = second_team(world)
    for _ in range(3):
        message(world.programme_b, W, {world.team: 5}, title="Their briefing")
    mine = message(world.programme_a, W + dt.timedelta(days=1), {world.team: 5, team2: 5}, status=Message.Status.DRAFT)
    html = render_to_string("engagement/_attention_warning.html", {
        "attention_warnings": attention.approval_warnings(mine), "attention_suggestions": attention.combine_suggestions(mine)})
    assert "takes 1 unit over the portfolio" in html and "limit of 3 items a week" in html, html
    assert "Test Force &gt; Frontline Policing &gt; Central West BCU &gt; Westminster &gt; Response Team 1" in html
    assert "Their briefing" in html and "50% (5 people)" in html
    assert render_to_string("engagement/_attention_warning.html", {"attention_warnings": [], "attention_suggestions": []}).strip() == ""


# ---------------------------------------------------------------------------
# API


def test_api_returns_the_grid(client: Any, world: Any) -> None:
    crowded(world)
    client.force_login(world.users["board"])
    response = client.get(reverse("api-attention"), {"start": "2026-W49", "weeks": "2", "level": "borough"})
    assert response.status_code == 200
    data = response.json()
    assert (data["limit"], data["level"], data["weeks"], data["week_starts"]) == (3, "borough", ["2026-W49", "2026-W50"], ["2026-11-30", "2026-12-07"])
    assert [(u["name"], u["counts"], u["over_limit"]) for u in data["units"]] == [("Westminster", [4, 0], [True, False]), ("Camden", [1, 0], [False, False])]


def test_api_follows_the_champions_scope_and_the_programme_filter(client: Any, world: Any) -> None:
    crowded(world)
    client.force_login(world.users["champion"])
    data = client.get(reverse("api-attention"), {"start": "2026-W49", "weeks": "1", "level": "borough", "programme": world.programme_a.pk}).json()
    assert [(u["name"], u["counts"]) for u in data["units"]] == [("Westminster", [2])]
