"""Feedback from the floor, the pages: the list (filters, anonymity, CSV
and XLSX exports that honour it), one theme's page (what it became), the
phone-friendly record page with its defaults, the summary (counts only,
withheld themes included), making a theme an action, linking and closing
it, and the Board seeing the action on the programme dashboard."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from changeboard.core.tests.test_permissions import _client
from changeboard.hypercare.services.periods import period_create
from changeboard.readiness.models import Action, Criterion
from changeboard.reports import summary

from ..models import Theme
from ..services.themes import theme_to_action
from .themes_data import B_TEXT, OPEN_TEXT, SMALL_TEXT, Data

WITHHELD = "Withheld: the group is smaller than 10"


@pytest.fixture
def x(world: Any) -> Data:
    return Data(world)


def _csv(response: Any) -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _xlsx(response: Any) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# Anonymity on every page and export

@pytest.mark.parametrize(("persona", "sees_text"), [("lead", False), ("board", False), ("auditor", False), ("admin", True), ("champion", True)])
def test_list_detail_and_exports_withhold_small_group_text(client: Any, x: Data, persona: str, sees_text: bool) -> None:
    c = _client(client, x.world, persona)
    listing = c.get(reverse("theme-list")).content.decode()
    detail = c.get(reverse("theme-detail", args=[x.small.pk])).content.decode()
    rows = _csv(c.get(reverse("theme-list"), {"export": "csv"}))
    sheet = _xlsx(c.get(reverse("theme-list"), {"export": "xlsx"}))
    for shown in (listing, detail, str(rows), str(sheet)):
        assert (SMALL_TEXT in shown) is sees_text
        assert (WITHHELD in shown) is not sees_text
    assert OPEN_TEXT in listing and OPEN_TEXT in str(rows) and OPEN_TEXT in str(sheet)
    assert rows[0][5] == "What was heard"


def test_the_recorder_is_told_others_see_it_withheld(client: Any, x: Data) -> None:
    page = _client(client, x.world, "champion").get(reverse("theme-detail", args=[x.small.pk])).content.decode()
    assert SMALL_TEXT in page and "others see this text withheld" in page


def test_a_change_manager_who_recorded_a_theme_sees_their_own_text(client: Any, x: Data) -> None:
    x.small.created_by, x.small.champion = x.world.users["lead"], None
    x.small.save()
    assert SMALL_TEXT in _client(client, x.world, "lead").get(reverse("theme-detail", args=[x.small.pk])).content.decode()


def test_export_rows_and_labels(client: Any, x: Data) -> None:
    rows = _csv(_client(client, x.world, "board").get(reverse("theme-list"), {"export": "csv", "programme": x.world.programme_b.pk}))
    assert rows[1][:7] == ["BBB", "Process", "Mixed or neutral", x.world.camden.full_path, "", B_TEXT, timezone.localdate().isoformat()]
    assert len(rows) == 2


# Filters

@pytest.mark.parametrize(("query", "texts"), [
    ({"unit": "westminster"}, {OPEN_TEXT, WITHHELD}),
    ({"unit": "north"}, {B_TEXT}),
    ({"category": "morale"}, {WITHHELD}),
    ({"sentiment": "0"}, {B_TEXT}),
    ({"status": "closed"}, set()),
    ({"champion": "champion"}, {OPEN_TEXT, WITHHELD}),
])
def test_list_filters(client: Any, x: Data, query: dict[str, str], texts: set[str]) -> None:
    ids = {"westminster": x.world.westminster.pk, "north": x.world.north.pk, "champion": x.champion.pk}
    params = {k: ids.get(v, v) for k, v in query.items()}
    page = _client(client, x.world, "board").get(reverse("theme-list"), params)
    assert page.status_code == 200
    body = page.content.decode()
    assert {t for t in (OPEN_TEXT, WITHHELD, B_TEXT) if t in body} == texts


# Summary

def test_summary_counts_every_theme_and_shows_no_text(client: Any, x: Data) -> None:
    page = _client(client, x.world, "board").get(reverse("theme-summary")).content.decode()
    assert "3 themes" in page and "3 still open" in page
    for text in (OPEN_TEXT, SMALL_TEXT, WITHHELD, B_TEXT):
        assert text not in page
    one = _client(client, x.world, "board").get(reverse("theme-summary"), {"programme": x.world.programme_a.pk}).content.decode()
    assert "2 themes for AAA" in one and "Camden" not in one and "Response Team 1" in one


def test_summary_for_a_programme_out_of_scope_shows_the_user_own(client: Any, x: Data) -> None:
    page = _client(client, x.world, "lead").get(reverse("theme-summary"), {"programme": x.world.programme_b.pk}).content.decode()
    assert "2 themes;" in page and "Camden" not in page


# Record

def test_record_page_defaults_for_a_champion(client: Any, x: Data) -> None:
    c = _client(client, x.world, "champion")
    response = c.get(reverse("theme-record"))
    form = response.context["form"]
    assert form["programme"].value() == x.world.programme_a.pk  # the only programme they support
    assert form["heard_on"].value() == timezone.localdate() and form["sentiment"].value() == Theme.Sentiment.MIXED
    assert list(form.fields["unit"].queryset) == [x.world.westminster, x.world.team]


def test_champion_records_a_theme(client: Any, x: Data) -> None:
    c = _client(client, x.world, "champion")
    response = c.post(reverse("theme-record"), {"programme": x.world.programme_a.pk, "category": "process", "unit": x.world.team.pk,
                                                "role_group": "", "sentiment": "1", "text": "The new custody form is quicker",
                                                "heard_on": timezone.localdate().isoformat()})
    theme = Theme.objects.get(text="The new custody form is quicker")
    assert response.status_code == 302 and response["Location"] == theme.get_absolute_url()
    assert theme.champion == x.champion and theme.sentiment == 1


def test_record_page_explains_when_nobody_may_record(client: Any, x: Data) -> None:
    x.champion.supports.update(active=False)
    page = _client(client, x.world, "champion").get(reverse("theme-record")).content.decode()
    assert "once you are an active champion" in page


def test_record_errors_show_on_the_form(client: Any, x: Data) -> None:
    response = _client(client, x.world, "champion").post(reverse("theme-record"), {
        "programme": x.world.programme_a.pk, "category": "process", "unit": x.world.camden.pk, "sentiment": "0", "text": "",
        "heard_on": timezone.localdate().isoformat()})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"unit", "text"}


# To action, link, close

def test_make_it_an_action(client: Any, x: Data) -> None:
    c = _client(client, x.world, "lead")
    form = c.get(reverse("theme-action", args=[x.small.pk])).context["form"]
    assert form["title"].value() == "From the floor: Morale and support in Response Team 1"  # never the withheld text
    due = timezone.localdate() + dt.timedelta(days=10)
    response = c.post(reverse("theme-action", args=[x.open.pk]), {"title": "Fix the yard radios", "owner": x.world.users["lead"].pk,
                                                                  "due_date": due.isoformat(), "description": "Ask estates"})
    assert response.status_code == 302 and response["Location"] == x.open.get_absolute_url()
    action = Action.objects.get(title="Fix the yard radios")
    assert action.source == Action.Source.NETWORK and action.unit == x.world.team and action.due_date == due
    assert action.description.endswith("Ask estates") and action.description.startswith(f"From the floor: {OPEN_TEXT}")
    detail = c.get(reverse("theme-detail", args=[x.open.pk])).content.decode()
    assert "Fix the yard radios" in detail and "Became an action" in detail and "Make it an action" not in detail


def test_a_past_due_date_is_refused_on_the_form(client: Any, x: Data) -> None:
    response = _client(client, x.world, "lead").post(reverse("theme-action", args=[x.open.pk]), {
        "title": "Late", "due_date": (timezone.localdate() - dt.timedelta(days=1)).isoformat()})
    assert response.status_code == 200 and "due_date" in response.context["form"].errors
    assert not Action.objects.filter(title="Late").exists()


def test_link_to_a_criterion_and_a_hypercare_category(client: Any, x: Data) -> None:
    w = x.world
    criterion = Criterion.objects.create(programme=w.programme_a, title="Radios tested")
    Criterion.objects.create(programme=w.programme_b, title="Not offered")
    period = period_create(rollout_wave=w.wave_a, actor=None, starts_on=timezone.localdate())
    category = period.categories.order_by("name").first()
    assert category is not None
    c = _client(client, w, "lead")
    form = c.get(reverse("theme-link", args=[x.open.pk])).context["form"]
    assert [c.title for c in form.fields["criterion"].queryset] == ["Radios tested"]
    assert c.post(reverse("theme-link", args=[x.open.pk]), {}).status_code == 200  # neither chosen: the form says so
    response = c.post(reverse("theme-link", args=[x.open.pk]), {"criterion": criterion.pk, "hypercare_category": category.pk})
    assert response.status_code == 302
    detail = c.get(reverse("theme-detail", args=[x.open.pk])).content.decode()
    assert "Radios tested" in detail and category.name in detail and "Tied to readiness or hypercare" in detail


def test_close(client: Any, x: Data) -> None:
    c = _client(client, x.world, "lead")
    assert c.post(reverse("theme-close", args=[x.open.pk]), {"reason": "Fixed"}).status_code == 302
    detail = c.get(reverse("theme-detail", args=[x.open.pk])).content.decode()
    assert "Closed" in detail and "Close theme" not in detail and "Make it an action" not in detail


def test_champion_and_board_see_no_change_buttons(client: Any, x: Data) -> None:
    for persona in ("champion", "board"):
        page = _client(client, x.world, persona).get(reverse("theme-detail", args=[x.open.pk])).content.decode()
        assert "Make it an action" not in page and "Close theme" not in page


# The Board sees it

def test_an_action_from_a_theme_shows_on_the_board_programme_dashboard(client: Any, x: Data, monkeypatch: Any) -> None:
    w = x.world
    today = timezone.localdate()
    due = today + dt.timedelta(days=3)
    action = theme_to_action(theme=x.open, owner=w.users["lead"], due_date=due, title="Fix the yard radios", actor=w.users["lead"])
    assert summary.programme(w.programme_a, None, today).open_actions == 1
    board = _client(client, w, "board")
    assert "1 open action in all" in board.get(reverse("programme-dashboard", args=[w.programme_a.pk])).content.decode()
    # Once it is late it is listed by name with the programme's overdue actions.
    later = due + dt.timedelta(days=2)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: later)
    assert [a.pk for a in summary.programme(w.programme_a, None, later).overdue] == [action.pk]
    page = board.get(reverse("programme-dashboard", args=[w.programme_a.pk])).content.decode()
    assert "Fix the yard radios" in page
