"""Feedback from the floor, the services: recording (champion: a programme
they support, a unit they look after; change managers: their programme),
making a theme an action (readiness, source "Champion network", the
theme's unit; the description names the theme and never carries withheld
text), linking to a criterion or a hypercare category of the same
programme, closing, the audit trail, the anonymity rule and the roll-up."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from changeboard.core.models import AuditEntry
from changeboard.hypercare.services.periods import period_create
from changeboard.readiness.models import Action, Criterion
from changeboard.surveys.models import SurveyPolicy

from ..models import Theme
from ..services import themes as services
from .themes_data import OPEN_TEXT, SMALL_TEXT, Data


@pytest.fixture
def x(world: Any) -> Data:
    return Data(world)


def _soon(days: int = 14) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def _audits(theme: Theme) -> list[str]:
    return list(AuditEntry.objects.filter(object_type="network.theme", object_id=str(theme.pk)).order_by("pk").values_list("action", flat=True))


# Recording

def test_champion_records_for_a_supported_programme_in_their_units(x: Data) -> None:
    w = x.world
    theme = services.theme_record(programme=w.programme_a, category="training", unit=w.team, text="  Nobody has done the e-learning ",
                                  sentiment=-1, actor=w.users["champion"])
    assert theme.champion == x.champion and theme.created_by == w.users["champion"]
    assert theme.text == "Nobody has done the e-learning" and theme.heard_on == timezone.localdate() and theme.status == "open"
    assert _audits(theme) == ["create"]


def test_champion_cannot_record_outside_their_units_or_programmes(x: Data) -> None:
    w = x.world
    with pytest.raises(ValidationError) as err:
        services.theme_record(programme=w.programme_b, category="training", unit=w.camden, text="x", actor=w.users["champion"])
    assert set(err.value.message_dict) == {"programme", "unit"}


def test_champion_without_an_active_entry_cannot_record(x: Data) -> None:
    x.champion.status = "ended"
    x.champion.save()
    with pytest.raises(PermissionDenied):
        services.theme_record(programme=x.world.programme_a, category="training", unit=x.world.team, text="x", actor=x.world.users["champion"])


def test_change_manager_records_for_their_programme_only(x: Data) -> None:
    w = x.world
    theme = services.theme_record(programme=w.programme_a, category="comms", unit=w.camden, text="Heard at the BCU meeting", actor=w.users["lead"])
    assert theme.champion is None and theme.created_by == w.users["lead"]
    with pytest.raises(PermissionDenied):
        services.theme_record(programme=w.programme_b, category="comms", unit=w.camden, text="x", actor=w.users["lead"])


def test_record_rejects_a_future_day_and_blank_text(x: Data) -> None:
    with pytest.raises(ValidationError) as err:
        services.theme_record(programme=x.world.programme_a, category="comms", unit=x.world.team, text="  ", heard_on=_soon(1),
                              actor=x.world.users["lead"])
    assert set(err.value.message_dict) == {"text", "heard_on"}


# To action, link, close

def test_theme_to_action_raises_a_network_action_for_the_theme_unit(x: Data) -> None:
    w = x.world
    action = services.theme_to_action(theme=x.open, owner=w.users["lead"], due_date=_soon(), actor=w.users["lead"])
    assert (action.source, action.programme, action.unit, action.owner, action.status) == (
        Action.Source.NETWORK, w.programme_a, w.team, w.users["lead"], Action.Status.OPEN)
    assert action.title == OPEN_TEXT
    assert action.description.startswith(f"From the floor: {OPEN_TEXT}") and f"Theme #{x.open.pk}" in action.description
    x.open.refresh_from_db()
    assert x.open.action == action and x.open.status == Theme.Status.ACTIONED
    assert _audits(x.open) == ["update"]
    with pytest.raises(ValidationError):
        services.theme_to_action(theme=x.open, owner=None, due_date=_soon(), actor=w.users["lead"])


def test_an_action_never_carries_withheld_text(x: Data) -> None:
    action = services.theme_to_action(theme=x.small, owner=None, due_date=_soon(), actor=x.world.users["admin"])
    assert SMALL_TEXT not in action.title and SMALL_TEXT not in action.description
    assert "Withheld: the group is smaller than 10" in action.description
    assert action.title == "From the floor: Morale and support in Response Team 1"


def test_theme_to_action_only_by_the_programme_change_managers(x: Data) -> None:
    w = x.world
    for persona in ("lead2", "champion", "board"):
        with pytest.raises(PermissionDenied):
            services.theme_to_action(theme=x.open, owner=None, due_date=_soon(), actor=w.users[persona])
    with pytest.raises(ValidationError):
        services.theme_to_action(theme=x.open, owner=None, due_date=timezone.localdate() - dt.timedelta(days=1), actor=w.users["lead"])
    assert not Action.objects.filter(source=Action.Source.NETWORK).exists()


def test_theme_link_to_a_criterion_and_a_hypercare_category_of_the_programme(x: Data) -> None:
    w = x.world
    criterion = Criterion.objects.create(programme=w.programme_a, title="Radios tested")
    other = Criterion.objects.create(programme=w.programme_b, title="Not mine")
    period = period_create(rollout_wave=w.wave_a, actor=None, starts_on=timezone.localdate())
    category = period.categories.first()
    period_b = period_create(rollout_wave=w.wave_b, actor=None, starts_on=timezone.localdate())
    assert category is not None
    with pytest.raises(ValidationError) as err:
        services.theme_link(theme=x.open, criterion=other, hypercare_category=period_b.categories.first(), actor=w.users["lead"])
    assert set(err.value.message_dict) == {"criterion", "hypercare_category"}
    with pytest.raises(ValidationError):
        services.theme_link(theme=x.open, actor=w.users["lead"])
    theme = services.theme_link(theme=x.open, criterion=criterion, hypercare_category=category, actor=w.users["lead"])
    assert (theme.criterion, theme.hypercare_category, theme.status) == (criterion, category, Theme.Status.LINKED)
    assert _audits(theme) == ["update"]
    with pytest.raises(PermissionDenied):
        services.theme_link(theme=x.open, criterion=criterion, actor=w.users["lead2"])


def test_link_keeps_an_actioned_theme_actioned(x: Data) -> None:
    w = x.world
    services.theme_to_action(theme=x.open, owner=None, due_date=_soon(), actor=w.users["lead"])
    criterion = Criterion.objects.create(programme=w.programme_a, title="Radios tested")
    assert services.theme_link(theme=x.open, criterion=criterion, actor=w.users["lead"]).status == Theme.Status.ACTIONED


def test_close(x: Data) -> None:
    w = x.world
    with pytest.raises(PermissionDenied):
        services.theme_close(theme=x.open, actor=w.users["champion"])
    theme = services.theme_close(theme=x.open, reason="Fixed by the radio upgrade", actor=w.users["lead"])
    assert theme.status == Theme.Status.CLOSED
    entry = AuditEntry.objects.filter(object_type="network.theme", object_id=str(theme.pk)).get()
    assert entry.after is not None and entry.after["reason"] == "Fixed by the radio upgrade"
    with pytest.raises(ValidationError):
        services.theme_close(theme=x.open, actor=w.users["lead"])
    with pytest.raises(ValidationError):
        services.theme_to_action(theme=x.open, owner=None, due_date=_soon(), actor=w.users["lead"])


# Anonymity

def test_headcounts_by_role_group_in_the_subtree(x: Data) -> None:
    w = x.world
    assert services.group_headcount(w.westminster, "officer") == 13
    assert services.group_headcount(w.team, "staff") == 2
    assert services.group_headcount(w.camden, "officer") == 1
    x.clerks[0].is_leaver = True
    x.clerks[0].save()
    assert services.group_headcount(w.team, "staff") == 1


def test_withheld_for_everyone_but_the_recorder_and_admins(x: Data) -> None:
    w = x.world
    for persona in ("board", "lead", "lead2", "auditor", None):
        policy = services.TextPolicy(w.users[persona] if persona else None)
        assert policy.text(x.small) == "Withheld: the group is smaller than 10", persona
        assert policy.text(x.open) == OPEN_TEXT
    for persona in ("admin", "champion"):
        assert services.TextPolicy(w.users[persona]).text(x.small) == SMALL_TEXT


def test_the_threshold_is_the_survey_policy_comment_threshold(x: Data) -> None:
    policy = SurveyPolicy.current()
    policy.min_comments = 3
    policy.save()
    assert services.TextPolicy(x.world.users["lead"]).text(x.small) == "Withheld: the group is smaller than 3"
    x.clerks.append(x.clerks[0].__class__.objects.create(staff_number="400099", unit=x.world.team, first_name="C", last_name="Three",
                                                          rank_grade=x.clerks[0].rank_grade))
    assert services.TextPolicy(x.world.users["lead"]).text(x.small) == SMALL_TEXT


def test_a_theme_about_nobody_in_particular_is_never_withheld(x: Data) -> None:
    theme = Theme.objects.create(programme=x.world.programme_a, unit=x.world.team, text="Tiny unit", category="other")
    assert services.TextPolicy(None).text(theme) == "Tiny unit"


# Roll-up

def test_rollup_counts_withheld_themes_too(x: Data) -> None:
    rollup = services.rollup(Theme.objects.all())
    assert rollup.total == 3 and rollup.by_status["open"] == 3
    by_category = {row.key: (row.total, row.sentiments) for row in rollup.by_category}
    assert by_category["technology"] == (1, [1, 0, 0]) and by_category["morale"] == (1, [1, 0, 0])
    assert by_category["process"] == (1, [0, 1, 0]) and by_category["training"] == (0, [0, 0, 0])
    assert [(row.label, row.total) for row in rollup.by_unit] == [("Response Team 1", 2), ("Camden", 1)]
    assert rollup.sentiment_totals == [2, 1, 0]
    assert [row.key for row in rollup.top_categories] == ["morale", "process", "technology"]


def test_another_champion_of_the_same_units_sees_it_withheld(x: Data) -> None:
    from changeboard.accounts.models import Role
    from changeboard.conftest import make_staff, make_user

    from .themes_data import champion_for

    w = x.world
    other = make_user("other-champion", Role.CHAMPION, units=[w.westminster])
    champion_for(other, make_staff("500002", w.team), [w.westminster], [w.programme_a])
    assert Theme.objects.restrict(other).filter(pk=x.small.pk).exists()
    assert services.TextPolicy(other).text(x.small) == "Withheld: the group is smaller than 10"
