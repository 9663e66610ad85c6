"""Issue 14's "Done means", one browser journey with axe-core on every page,
on demo-like data built here (coverage_data's hand-worked organisation, not
the full seed), which also runs the issue's journey as written: "a change
manager finds a coverage gap and nominates a champion, who accepts, logs a
floor-walk and a theme on a phone, and the theme becomes an action".

A change manager opens the coverage of a programme going live in three
weeks and sees the night shift at the Charing Cross custody suite, with no
champion, at the top of the gaps; opens the gap and nominates one of the
suggested candidates. The nominee (their champion account given a password,
as an admin would) signs in on a phone (390 x 844), accepts on their own
page, logs a floor-walk and records a theme. The change manager makes the
theme an action, and a Board member finds it from the programme's Board
dashboard."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from changeboard.conftest import PASSWORD
from changeboard.core.tests.browser import check_axe, sign_in, visit
from changeboard.portfolio.models import RolloutWave
from changeboard.readiness.models import Action

from ..models import Activity, Champion, Theme
from .coverage_data import build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def no_sideways_scroll(page: Any) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), "the page scrolls sideways"


def test_a_gap_three_weeks_out_becomes_a_champion_whose_feedback_reaches_the_board(page: Any, world: Any) -> None:
    org = build(world)
    go_live = timezone.localdate() + dt.timedelta(days=21)
    RolloutWave.objects.create(programme=world.programme_a, name="Custody go-live", go_live_date=go_live).units.set([world.westminster])
    birch = org.staff["W3"]

    # The change manager finds the gap at the top of the list and opens it.
    sign_in(page, "lead", PASSWORD)
    visit(page, f"/network/coverage/?programme={world.programme_a.pk}")
    first_gap = page.locator("main table").filter(has=page.get_by_role("link", name="Charing Cross, Night")).locator("tbody tr").first
    assert first_gap.get_by_role("link", name="Charing Cross, Night").is_visible()
    page.get_by_role("link", name="Charing Cross, Night").first.click()
    expect(page).to_have_url(re.compile(r"/network/coverage/gap/\?programme=\d+&cell=Charing"))
    check_axe(page)
    assert page.get_by_role("heading", name=re.compile("^Gap: Charing Cross, Night")).is_visible()

    # Nominates one of the suggested candidates (prefilled from the gap).
    page.get_by_role("link", name="Nominate W3 Birch").click()
    expect(page).to_have_url(re.compile(rf"/network/champions/nominate/\?programme={world.programme_a.pk}&staff={birch.pk}$"))
    check_axe(page)
    page.get_by_label("Hours a month the programme asks").fill("3")
    page.get_by_role("button", name="Nominate").click()
    champion = Champion.objects.get(staff=birch)
    expect(page).to_have_url(re.compile(rf"/network/champions/{champion.pk}/$"))
    check_axe(page)
    assert champion.status == Champion.Status.NOMINATED and champion.user is not None
    assert champion.supports.get().programme == world.programme_a

    # An admin gives the auto-created champion account a password.
    account = champion.user
    account.set_password(PASSWORD)
    account.save()

    # The nominee, on a phone, accepts, logs a floor-walk and records a theme.
    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    sign_in(page, account.username, PASSWORD)
    visit(page, "/network/mine/")
    no_sideways_scroll(page)
    page.get_by_role("button", name="Accept the nomination").click()
    expect(page).to_have_url(re.compile(r"/network/mine/$"))
    check_axe(page)
    no_sideways_scroll(page)
    champion.refresh_from_db()
    assert champion.status == Champion.Status.ACTIVE

    visit(page, "/network/activities/log/")
    no_sideways_scroll(page)
    page.get_by_label("Floor-walk").check()
    page.get_by_label("People reached").fill("9")
    page.get_by_label("Notes").fill("Walked the custody suite on nights")
    page.get_by_role("button", name="Log activity").click()
    expect(page).to_have_url(re.compile(r"/network/activities/\d+/$"))
    check_axe(page)
    walk = Activity.objects.get(champion=champion)
    assert (walk.kind, walk.status, walk.people_reached, walk.programme) == ("floor_walk", "done", 9, world.programme_a)

    visit(page, "/network/feedback/record/")
    no_sideways_scroll(page)
    page.get_by_label("What is it about?").select_option("training")
    page.get_by_label("Where did you hear it?").select_option(str(world.westminster.pk))
    page.get_by_label("Negative").check()
    page.get_by_label("What did you hear?").fill("Nights have not seen the custody system yet")
    page.get_by_role("button", name="Record theme").click()
    expect(page).to_have_url(re.compile(r"/network/feedback/\d+/$"))
    check_axe(page)
    theme = Theme.objects.get(text="Nights have not seen the custody system yet")
    assert theme.champion == champion and theme.programme == world.programme_a

    # The change manager makes the theme an action.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "lead", PASSWORD)
    visit(page, f"/network/feedback/{theme.pk}/")
    page.get_by_role("button", name="Make it an action").click()
    expect(page).to_have_url(re.compile(rf"/network/feedback/{theme.pk}/action/$"))
    check_axe(page)
    page.get_by_label("Due").fill((timezone.localdate() + dt.timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Raise action").click()
    expect(page).to_have_url(re.compile(rf"/network/feedback/{theme.pk}/$"))
    check_axe(page)
    action = Action.objects.get(source=Action.Source.NETWORK)
    assert action.programme == world.programme_a and action.title == "Nights have not seen the custody system yet"

    # A Board member sees it on the programme's Board dashboard at once, in
    # the network's "Feedback from the floor" section.
    page.context.clear_cookies()
    sign_in(page, "board", PASSWORD)
    visit(page, f"/board/programmes/{world.programme_a.pk}/")
    section = page.locator("main")
    assert section.get_by_role("heading", name="Feedback from the floor").is_visible()
    assert section.get_by_role("rowheader", name="Nights have not seen the custody system yet").is_visible()
