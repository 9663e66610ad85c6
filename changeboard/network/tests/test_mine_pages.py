"""The champion's own page: nominations answered by the nominee only, and
for their units only: actions, go-lives, activities and thanks; a bounded
number of queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from changeboard.conftest import make_staff
from changeboard.network.models import Champion
from changeboard.network.services.champions import champion_nominate
from changeboard.network.services.recognition import thanks_send
from changeboard.readiness.services.actions import action_create

from .mine_data import activity, nominate_persona, other_champion

pytestmark = pytest.mark.django_db


def test_not_a_champion_yet(client: Any, world: Any) -> None:
    client.force_login(world.users["lead"])
    response = client.get(reverse("network-mine"))
    assert response.status_code == 200
    assert "You are not a champion yet" in response.content.decode()


def test_the_nominee_accepts(client: Any, world: Any) -> None:
    champion = nominate_persona(world)
    client.force_login(world.users["champion"])
    page = client.get(reverse("network-mine")).content.decode()
    assert "Nomination waiting for your answer" in page and reverse("champion-accept", args=[champion.pk]) in page
    response = client.post(reverse("champion-accept", args=[champion.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("network-mine")
    champion.refresh_from_db()
    assert champion.status == Champion.Status.ACTIVE
    # Accepting twice is refused on the page, not with an error.
    follow = client.post(reverse("champion-accept", args=[champion.pk]), follow=True)
    assert "Only a nomination waiting for an answer can be accepted" in follow.content.decode()


def test_the_nominee_declines_with_a_reason(client: Any, world: Any) -> None:
    champion = nominate_persona(world)
    client.force_login(world.users["champion"])
    assert client.post(reverse("champion-decline", args=[champion.pk]), {"reason": "Shift pattern changes"}).status_code == 302
    champion.refresh_from_db()
    assert champion.status == Champion.Status.DECLINED and "Shift pattern changes" in champion.reason
    assert not champion.supports.filter(active=True).exists()


@pytest.mark.parametrize("persona", ["admin", "board", "lead", "lead2", "auditor"])
@pytest.mark.parametrize("name", ["champion-accept", "champion-decline"])
def test_only_the_nominee_answers(client: Any, world: Any, persona: str, name: str) -> None:
    champion = nominate_persona(world)
    client.force_login(world.users[persona])
    assert client.post(reverse(name, args=[champion.pk])).status_code == 404
    champion.refresh_from_db()
    assert champion.status == Champion.Status.NOMINATED


def test_answering_is_post_only(client: Any, world: Any) -> None:
    champion = nominate_persona(world)
    client.force_login(world.users["champion"])
    assert client.get(reverse("champion-accept", args=[champion.pk])).status_code == 405


def test_sections_show_only_their_units(client: Any, world: Any) -> None:
    champion = nominate_persona(world, accept=True)
    other = other_champion(world)
    world.users["lead"].programmes.add(world.programme_b)
    due = timezone.localdate() + dt.timedelta(days=20)
    action_create(programme=world.programme_a, title="Brief Westminster night shift", due_date=due, unit=world.westminster,
                  actor=world.users["lead"])
    action_create(programme=world.programme_a, title="Programme-wide action", due_date=due, actor=world.users["lead"])
    action_create(programme=world.programme_b, title="Camden cascade", due_date=due, unit=world.camden, actor=world.users["lead2"])
    activity(champion, world.programme_a, world.team)
    activity(other, world.programme_b, world.camden, kind="demo")
    thanks_send(champion=champion, programme=world.programme_a, message="Thanks for the briefings.", actor=world.users["lead"])
    thanks_send(champion=other, programme=world.programme_b, message="Thanks, Camden.", actor=world.users["lead2"])
    world.wave_a.go_live_date = timezone.localdate() + dt.timedelta(days=21)
    world.wave_a.save()
    world.wave_b.go_live_date = timezone.localdate() + dt.timedelta(days=21)
    world.wave_b.save()
    client.force_login(world.users["champion"])
    page = client.get(reverse("network-mine")).content.decode()
    assert "Brief Westminster night shift" in page and "Programme-wide action" in page
    assert "Camden cascade" not in page
    assert "AAA Wave 1" in page and "BBB Wave 1" not in page
    assert "Floor-walk, Response Team 1" in page and "Demo" not in page
    assert "Thanks for the briefings." in page and "Thanks, Camden." not in page
    assert reverse("activity-log") in page and reverse("theme-record") in page
    assert "2 hours a month asked" in page.replace("2.0 hours", "2 hours")


def test_a_bounded_number_of_queries(client: Any, world: Any) -> None:
    """The page's queries do not grow with the rows in its sections."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    champion = nominate_persona(world, accept=True)
    client.force_login(world.users["champion"])

    def add(i: int) -> None:
        action_create(programme=world.programme_a, title=f"Action {i}", due_date=timezone.localdate() + dt.timedelta(days=5 + i),
                      unit=world.team, actor=world.users["lead"])
        activity(champion, world.programme_a, world.team)
        thanks_send(champion=champion, programme=world.programme_a, message=f"Thanks {i}", actor=world.users["lead"])

    add(0)
    client.get(reverse("network-mine"))  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("network-mine")).status_code == 200
    for i in range(1, 8):
        add(i)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("network-mine")).status_code == 200
    assert len(many) == len(few) <= 40, "\n".join(q["sql"][:150] for q in many.captured_queries)


def test_a_second_entry_waiting_shows_both(client: Any, world: Any) -> None:
    nominate_persona(world, accept=True)
    staff = make_staff("100003", world.team, first_name="Alex", last_name="Second", email="other@example.police.uk")
    second = champion_nominate(staff=staff, programme=world.programme_a, hours_asked=1, actor=world.users["lead"])
    Champion.objects.filter(pk=second.pk).update(user=world.users["champion"])
    client.force_login(world.users["champion"])
    page = client.get(reverse("network-mine")).content.decode()
    assert reverse("champion-accept", args=[second.pk]) in page


def test_comms_cutover_and_hypercare_for_their_units_only(client: Any, world: Any) -> None:
    from changeboard.engagement.tests.attention_data import comms_task, message
    from changeboard.hypercare.models import Category, Query
    from changeboard.hypercare.services.periods import period_create
    from changeboard.hypercare.services.queries import query_create

    nominate_persona(world, accept=True)
    soon = timezone.localdate() + dt.timedelta(days=3)
    message(world.programme_a, soon, {world.team: 6}, title="Westminster briefing")
    message(world.programme_a, soon, {world.camden: 6}, title="Camden briefing")
    message(world.programme_a, timezone.localdate() - dt.timedelta(days=3), {world.team: 6}, title="Last week's briefing")
    comms_task(world, [world.team], starts=timezone.now() + dt.timedelta(days=30), title="Tell Westminster")
    period = period_create(rollout_wave=world.wave_a, actor=None)
    category = Category.objects.get(period=period, code="access")
    query_create(period=period, category=category, title="No login at Westminster", actor=None, source=Query.Source.PUBLIC,
                 staff=world.staff_in, priority="P2")
    query_create(period=period, category=category, title="No login in Camden", actor=None, source=Query.Source.PUBLIC,
                 staff=world.staff_out, priority="P2")
    client.force_login(world.users["champion"])
    page = client.get(reverse("network-mine")).content.decode()
    assert "Westminster briefing" in page and "Camden briefing" not in page and "Last week&#x27;s briefing" not in page
    assert "C-1 Tell Westminster" in page
    assert "No login at Westminster" in page and "No login in Camden" not in page


@pytest.mark.parametrize("shown", [True, False])
def test_readiness_uses_the_stored_scores_with_their_suppression(client: Any, world: Any, shown: bool) -> None:
    from changeboard.engagement.tests.attention_data import wave
    from changeboard.readiness.models import UnitScore
    from changeboard.surveys.models import SurveyWave

    nominate_persona(world, accept=True)
    closed = wave(world.programme_a, timezone.localdate() - dt.timedelta(days=30), status=SurveyWave.Status.CLOSED, title="Readiness, November")
    UnitScore.objects.create(wave=closed, unit=world.westminster, shown=shown, index=72.4 if shown else None, reason="" if shown else "few")
    UnitScore.objects.create(wave=closed, unit=world.camden, shown=True, index=41.0)
    client.force_login(world.users["champion"])
    page = client.get(reverse("network-mine")).content.decode()
    assert "AAA, Westminster" in page and "Camden" not in page.split("Readiness</h2>", 1)[1].split("</ul>", 1)[0]
    assert ("72 out of 100" in page) is shown
    assert ("not enough responses to show" in page) is not shown
    assert "41 out of 100" not in page
