"""The trend pages as people see them: the dashboard's sections, each chart
with its table, the unit drill-down, the downloads, bad parameters, and the
Board seeing aggregates only."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from . import trends_data as data

pytestmark = pytest.mark.django_db


@pytest.fixture
def small(world: Any) -> data.Small:
    return data.build(world)


def get(client: Any, world: Any, persona: str, url: str, **params: Any) -> Any:
    client.force_login(world.users[persona])
    return client.get(url, params)


def test_the_dashboard_shows_every_section_with_its_chart_and_table(client: Any, world: Any, small: data.Small) -> None:
    response = get(client, world, "lead", reverse("period-dashboard", args=[small.period.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for heading in ("The curve since go-live", "By category", "By priority", "By unit", "SLA met", "Time to resolve",
                    "Top recurring titles and tags"):
        assert heading in html
    assert html.count('<img class="cb-chart__image" src="data:image/svg+xml;base64,') == 4
    assert "Figures as of" in html and ("GMT" in html or "BST" in html)
    # The curve's table: day 0 is go-live, Monday 2 November 2026.
    daily = response.context["tables"]["daily"]
    assert daily.rows[0] == [0, "Mon 2 Nov 2026", 2, 0, 2]
    # Titles the lead may see (they view the queries).
    assert "Login fails" in html
    # The exit criteria slot is left out until the exits module is there, and never fails the page.
    assert response.context["exit_rows"] is None or "Exit criteria" in html


def test_the_unit_drill_down_links_one_level_down_and_back_up(client: Any, world: Any, small: data.Small) -> None:
    url = reverse("period-dashboard", args=[small.period.pk])
    html = get(client, world, "admin", url).content.decode()
    assert f'href="?unit={world.westminster.pk}"' in html
    drilled = get(client, world, "admin", url, unit=world.westminster.pk)
    assert [r.label for r in drilled.context["t"].units.rows] == ["Response Team 1", "Directly in Westminster"]
    text = drilled.content.decode()
    assert f'href="?unit={world.central_west.pk}"' in text and "Up to Central West BCU" in text
    # Downloads keep the chosen unit.
    assert f"?unit={world.westminster.pk}&amp;table=units&amp;format=csv" in text


@pytest.mark.parametrize("bad", ["abc", "-1", "²", "0", "999999999"])
def test_a_bad_unit_is_not_found(client: Any, world: Any, small: data.Small, bad: str) -> None:
    assert get(client, world, "admin", reverse("period-dashboard", args=[small.period.pk]), unit=bad).status_code == 404


@pytest.mark.parametrize("params", [{"table": "nope", "format": "csv"}, {"table": "daily", "format": "pdf"}, {"table": "daily"},
                                    {"format": "csv"}])
def test_a_bad_download_is_not_found(client: Any, world: Any, small: data.Small, params: dict[str, str]) -> None:
    assert get(client, world, "admin", reverse("period-dashboard", args=[small.period.pk]), **params).status_code == 404


def test_csv_and_xlsx_downloads_carry_the_table(client: Any, world: Any, small: data.Small) -> None:
    url = reverse("period-dashboard", args=[small.period.pk])
    response = get(client, world, "admin", url, table="categories", format="csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows == [["Category", "Raised", "Open now", "Resolved or closed", "Training gap"],
                    ["Training gap", "2", "0", "2", "Yes"], ["Access", "1", "0", "1", "No"], ["Defect", "1", "1", "0", "No"]]
    response = get(client, world, "admin", url, table="daily", format="xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == ["Day since go-live", "Date", "Raised", "Resolved", "Open at end of day"] and values[1] == [0, "Mon 2 Nov 2026", 2, 0, 2]
    assert response["Content-Disposition"] == f'attachment; filename="hypercare-period-{small.period.pk}-daily.xlsx"'


def test_the_board_sees_aggregates_only(client: Any, world: Any, small: data.Small) -> None:
    response = get(client, world, "board", reverse("period-dashboard", args=[small.period.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and response.context["t"].raised == 4
    assert "You see totals only" in html
    for q in (small.q1, small.q2, small.q3, small.q4):
        assert q.reference not in html
    assert "Login fails" not in html and "custody screen" not in html.lower() and "custody" not in html.lower()
    titles = get(client, world, "board", reverse("period-dashboard", args=[small.period.pk]), table="titles", format="csv")
    assert b"".join(titles.streaming_content).decode("utf-8-sig").splitlines() == ["Title (normalised),Queries"]


def test_programme_and_portfolio_pages_link_each_period(client: Any, world: Any, small: data.Small) -> None:
    for url in (reverse("hypercare-programme", args=[world.programme_a.pk]), reverse("hypercare-portfolio")):
        response = get(client, world, "board", url)
        assert response.status_code == 200
        assert reverse("period-dashboard", args=[small.period.pk]) in response.content.decode()
        assert response.context["t"].raised == 4


def test_a_period_without_queries_still_draws(client: Any, world: Any) -> None:
    from ..services import periods as period_services

    period = period_services.period_create(rollout_wave=world.wave_b, actor=None)
    response = get(client, world, "admin", reverse("period-dashboard", args=[period.pk]))
    assert response.status_code == 200
    assert "No queries yet" in response.content.decode()
