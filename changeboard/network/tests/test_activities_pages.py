"""The activity pages: the list's filters and exports, the champion's log
with its defaults, planning, changing, completing, cancelling, and reach."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.urls import reverse

from changeboard.core.models import OutboxMessage
from changeboard.core.tests.test_permissions import _client

from ..models import Activity, Support
from .activities_data import Data, activity, days, impact


@pytest.fixture
def x(world: Any) -> Data:
    return Data(world)


def _rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_list_filters_by_kind_status_unit_champion_and_dates(client: Any, x: Data) -> None:
    c = _client(client, x.world, "admin")
    url = reverse("activity-list")

    def shown(query: str) -> set[int]:
        page = c.get(url + query).content.decode()
        return {a.pk for a in Activity.objects.all() if f'href="/network/activities/{a.pk}/"' in page}

    assert shown("") == {x.done_a.pk, x.planned_a.pk, x.others_a.pk, x.done_b.pk}
    assert shown("?kind=qa") == {x.done_b.pk}
    assert shown("?status=planned") == {x.planned_a.pk, x.others_a.pk}
    assert shown(f"?unit={x.world.westminster.pk}") == {x.done_a.pk, x.planned_a.pk, x.others_a.pk}  # with the units below
    assert shown(f"?champion={x.other.pk}") == {x.others_a.pk}
    assert shown(f"?programme={x.world.programme_b.pk}") == {x.done_b.pk}
    assert shown(f"?date_from={days(0).isoformat()}") == {x.planned_a.pk, x.others_a.pk}
    assert shown(f"?date_to={days(-1).isoformat()}") == {x.done_a.pk, x.done_b.pk}


def test_the_export_has_labels_and_the_filtered_rows(client: Any, x: Data) -> None:
    response = _client(client, x.world, "lead").get(reverse("activity-list") + "?export=csv&status=done")
    rows = _rows(b"".join(response.streaming_content) if response.streaming else response.content)
    assert rows[0][:3] == ["Date", "Kind", "Status"] and "People reached (contacts)" in rows[0]
    assert [r[1:3] for r in rows[1:]] == [["Briefing", "Done"]]  # programme A's only, done only
    xlsx = _client(client, x.world, "lead").get(reverse("activity-list") + "?export=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_log_preselects_today_their_unit_and_their_one_programme(client: Any, x: Data) -> None:
    page = _client(client, x.world, "champion").get(reverse("activity-log")).content.decode()
    assert f'value="{days(0).isoformat()}"' in page
    assert f'<option value="{x.world.team.pk}" selected>' in page  # their own unit (they look after Westminster and below)
    assert f'<option value="{x.world.programme_a.pk}" selected>' in page
    assert 'type="radio" name="kind"' in page and "govuk-radios--small" not in page.split('name="kind"')[0][-600:]


def test_the_log_leaves_the_programme_to_choose_when_they_support_two(client: Any, x: Data) -> None:
    Support.objects.create(champion=x.mine, programme=x.world.programme_b, hours_asked=1)
    page = _client(client, x.world, "champion").get(reverse("activity-log")).content.decode()
    assert f'<option value="{x.world.programme_a.pk}" selected>' not in page
    chosen = _client(client, x.world, "champion").get(reverse("activity-log") + f"?programme={x.world.programme_b.pk}").content.decode()
    assert f'<option value="{x.world.programme_b.pk}" selected>' in chosen


def test_a_champion_logs_and_lands_on_the_activity(client: Any, x: Data) -> None:
    response = _client(client, x.world, "champion").post(reverse("activity-log"), {
        "kind": "floor_walk", "programme": x.world.programme_a.pk, "date": days(0).isoformat(), "unit": x.world.team.pk,
        "people_reached": "11", "minutes": "45", "notes": "Custody suite, nights"})
    logged = Activity.objects.get(notes="Custody suite, nights")
    assert response.status_code == 302 and response["Location"] == logged.get_absolute_url()
    assert (logged.kind, logged.status, logged.champion, logged.people_reached) == ("floor_walk", "done", x.mine, 11)


def test_the_log_shows_the_rules_as_errors(client: Any, x: Data) -> None:
    response = _client(client, x.world, "champion").post(reverse("activity-log"), {
        "kind": "floor_walk", "programme": x.world.programme_a.pk, "date": days(2).isoformat(), "unit": x.world.team.pk,
        "people_reached": "-1", "minutes": "45"})
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    assert "A done activity cannot be in the future" in page or "Enter 0 or more" in page
    assert not Activity.objects.filter(date=days(2), status="done").exists()


def test_someone_outside_the_pool_is_told_why(client: Any, x: Data) -> None:
    page = _client(client, x.world, "lead").get(reverse("activity-log")).content.decode()
    assert "Only an active change champion can log an activity here" in page and 'name="kind"' not in page


def test_planning_preselects_and_tells_the_champion(client: Any, x: Data) -> None:
    c = _client(client, x.world, "lead")
    page = c.get(reverse("activity-plan") + f"?champion={x.mine.pk}&programme={x.world.programme_a.pk}").content.decode()
    assert f'<option value="{x.mine.pk}" selected>' in page and f'<option value="{x.out.pk}"' not in page  # not lead's champion
    response = c.post(reverse("activity-plan"), {"champion": x.mine.pk, "programme": x.world.programme_a.pk, "kind": "demo",
                                                 "date": days(2).isoformat(), "people_reached": "12", "minutes": "60", "notes": "Bring a laptop"})
    planned = Activity.objects.get(notes="Bring a laptop")
    assert response["Location"] == planned.get_absolute_url() and planned.status == "planned"
    assert OutboxMessage.objects.filter(key=f"net-activity-planned-{planned.pk}").exists()


def test_detail_offers_what_the_reader_may_do(client: Any, x: Data) -> None:
    mine = _client(client, x.world, "champion").get(reverse("activity-detail", args=[x.planned_a.pk])).content.decode()
    assert "Mark as done" in mine and "Cancel activity" in mine and "Change activity" in mine
    colleague = _client(client, x.world, "champion").get(reverse("activity-detail", args=[x.others_a.pk])).content.decode()
    assert "Mark as done" not in colleague and "Change activity" not in colleague
    board = _client(client, x.world, "board").get(reverse("activity-detail", args=[x.planned_a.pk])).content.decode()
    assert "Change activity" not in board


def test_complete_and_cancel_answer_plainly_on_a_done_activity(client: Any, x: Data) -> None:
    c = _client(client, x.world, "champion")
    response = c.post(reverse("activity-complete", args=[x.done_a.pk]), {"date": days(0).isoformat(), "people_reached": "3", "minutes": "5"})
    assert response.status_code == 200 and "Only a planned activity can be marked done" in response.content.decode()
    response = c.post(reverse("activity-cancel", args=[x.done_a.pk]), {"reason": ""})
    assert response.status_code == 200 and "Only a planned activity can be cancelled" in response.content.decode()


def test_reach_drills_down_and_says_contacts(client: Any, x: Data) -> None:
    w = x.world
    impact(w.programme_a, [w.westminster], w.users["admin"])
    activity(x.mine, w.programme_a, w.team, people=30)
    c = _client(client, w, "lead")
    top = c.get(reverse("network-reach")).content.decode()
    assert "Contacts" in top and "Test Force" in top
    page = c.get(reverse("network-reach") + f"?programme={w.programme_a.pk}&unit={w.central_west.pk}").content.decode()
    # Westminster: 2 impacted (Alex, Cal), 12 + 30 contacts: 2100%, never capped.
    assert "Westminster" in page and "2100%" in page and f'?unit={w.westminster.pk}' in page
    assert "North BCU" not in page
    old = c.get(reverse("network-reach") + f"?programme={w.programme_a.pk}&unit={w.central_west.pk}&date_from=2020-01-01&date_to=2020-12-31")
    assert "2100%" not in old.content.decode()


def test_reach_for_a_champion_stays_in_their_units(client: Any, x: Data) -> None:
    page = _client(client, x.world, "champion").get(reverse("network-reach")).content.decode()
    assert "Westminster" in page and "Camden" not in page and "North BCU" not in page
