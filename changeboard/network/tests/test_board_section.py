"""The network's section on a programme's Board dashboard: open actions raised from champions' feedback."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from changeboard.readiness.models import Action
from changeboard.reports.sections import programme_sections

from ..models import Champion, Theme
from ..services.board import floor_section


def theme(world: Any, text: str, *, action: Action | None = None, sentiment: int = Theme.Sentiment.NEGATIVE,
          heard_on: dt.date | None = None) -> Theme:
    return Theme.objects.create(programme=world.programme_a, category=Theme.Category.TRAINING, unit=world.westminster, sentiment=sentiment,
                                text=text, heard_on=heard_on or timezone.localdate(), action=action,
                                status=Theme.Status.ACTIONED if action else Theme.Status.OPEN)


def action(world: Any, title: str, due_in: int, status: str = Action.Status.OPEN) -> Action:
    return Action.objects.create(programme=world.programme_a, title=title, due_date=timezone.localdate() + dt.timedelta(days=due_in),
                                 source=Action.Source.NETWORK, status=status, unit=world.westminster)


def test_no_feedback_no_section(world: Any) -> None:
    assert floor_section(world.programme_a, timezone.localdate()) is None
    assert "network" not in [s.key for s in programme_sections(world.programme_a, timezone.localdate())]


def test_open_actions_from_themes_due_soonest_first_and_the_last_30_days_counted(world: Any) -> None:
    today = timezone.localdate()
    theme(world, "later", action=action(world, "Later action", 20))
    theme(world, "sooner", action=action(world, "Sooner action", 3), sentiment=Theme.Sentiment.POSITIVE)
    theme(world, "done", action=action(world, "Done action", 1, Action.Status.DONE))
    theme(world, "old", heard_on=today - dt.timedelta(days=40))
    theme(world, "open")
    section = floor_section(world.programme_a, today)
    assert section is not None and section.key == "network"
    summary, *rows = section.rows
    assert summary["summary"] == {"heard_30_days": 4, "negative_30_days": 3, "open_actions": 2, "shown": 2}
    assert [r["title"] for r in rows] == ["Sooner action", "Later action"]
    assert floor_section(world.programme_b, today) is None


def test_the_board_sees_a_theme_s_action_by_name_at_once(client: Any, world: Any) -> None:
    theme(world, "Nights have not seen the system", action=action(world, "Brief the night shift", 7))
    assert Champion.objects.count() == 0  # the section needs feedback, not a champion
    client.force_login(world.users["board"])
    response = client.get(reverse("programme-dashboard", args=[world.programme_a.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Feedback from the floor" in html and "Brief the night shift" in html
