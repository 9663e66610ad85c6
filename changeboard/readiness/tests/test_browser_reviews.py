"""Browser journey for readiness reviews and the action log: a Board member
opens a programme's reviews, opens the go/no-go review, records a no-go
with conditions using the keyboard only for the form, sees the frozen
snapshot, then raises an action from the action log. axe-core runs on
every page visited."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from changeboard.conftest import PASSWORD
from changeboard.core.tests.browser import check_axe, sign_in, visit
from changeboard.surveys.tests.test_browser_surveys import active, ensure_default_instrument, tab_until

from ..models import Action, Rag, Review
from ..services.reviews import reviews_add_defaults
from .helpers import closed_wave
from .test_reviews import criterion_status, unit_score

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_board_member_records_a_no_go_and_raises_an_action(page: Any, world: Any) -> None:
    ensure_default_instrument()
    today = timezone.localdate()
    reviews_add_defaults(rollout_wave=world.wave_a, actor=world.users["lead"])
    criterion_status(world.programme_a, world.central_west, Rag.RED, title="Response rotas published", value="2 of 5 teams")
    unit_score(closed_wave(world.programme_a, "Shared services pulse", today - dt.timedelta(days=5)), world.central_west, index=47.5)
    review = Review.objects.get(rollout_wave=world.wave_a, checkpoint=Review.Checkpoint.GO_NO_GO)

    sign_in(page, "board", PASSWORD)
    visit(page, f"/programmes/{world.programme_a.pk}/")
    page.get_by_role("link", name="Readiness reviews").click()
    page.wait_for_url(re.compile(r"/readiness/programmes/\d+/reviews/$"))
    check_axe(page)
    page.get_by_role("link", name="Go/no-go").click()
    page.wait_for_url(re.compile(rf"/readiness/reviews/{review.pk}/$"))
    check_axe(page)
    assert page.get_by_text("live, as of today").is_visible()
    assert page.get_by_text("Blocks go").is_visible()

    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_url(re.compile(rf"/readiness/reviews/{review.pk}/decide/$"))
    check_axe(page)

    # Keyboard only for the whole form: radios by arrow keys, text by typing, Enter to submit.
    first = tab_until(page, lambda e: e["name"] == "decision")
    assert first["type"] == "radio"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    chosen = page.evaluate("() => document.activeElement.value")
    assert chosen == "no_go"
    page.keyboard.press("Tab")
    assert active(page)["name"] == "conditions"
    page.keyboard.type("Publish the remaining rotas\nRe-run the readiness pulse")
    tab_until(page, lambda e: e["name"] == "notes")
    page.keyboard.type("Rotas are the only blocker.")
    tab_until(page, lambda e: e["tag"] == "BUTTON" and e["text"] == "Record the decision")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/readiness/reviews/{review.pk}/$"))
    check_axe(page)

    review.refresh_from_db()
    assert review.decision == Review.Decision.NO_GO and review.decided_by == world.users["board"]
    assert review.conditions == "Publish the remaining rotas\nRe-run the readiness pulse" and review.held_on == today
    assert page.get_by_text(f"the scores as of {today.day} {today:%B %Y}, the criteria and actions as recorded on").is_visible()
    assert page.get_by_text("2 of 5 teams").is_visible() and page.get_by_text("47.5").is_visible()
    assert page.get_by_text("Board Tester").is_visible()
    assert page.get_by_role("button", name="Record the decision").count() == 0

    # The action log: raise an action for the programme.
    visit(page, "/actions/")
    page.get_by_text("Raise an action", exact=True).click()
    page.get_by_role("link", name="Raise an action for AAA – Shared Services").click()
    page.wait_for_url(re.compile(r"/readiness/programmes/\d+/actions/new/$"))
    check_axe(page)
    page.get_by_label("Action").fill("")
    page.get_by_role("button", name="Raise action").click()
    assert page.get_by_text("There is a problem").is_visible()
    check_axe(page)
    page.get_by_label("Action").fill("Publish the remaining response rotas")
    page.get_by_label("Unit (optional)").select_option(str(world.westminster.pk))
    page.get_by_label("Owner (optional)").select_option(str(world.users["lead"].pk))
    page.get_by_label("Due date").fill((today + dt.timedelta(days=10)).isoformat())
    page.get_by_role("button", name="Raise action").click()
    page.wait_for_url(re.compile(r"/actions/\d+/$"))
    check_axe(page)
    action = Action.objects.get(title="Publish the remaining response rotas")
    assert (action.unit, action.owner, action.created_by) == (world.westminster, world.users["lead"], world.users["board"])
    visit(page, f"/actions/?programme={world.programme_a.pk}")
    assert page.get_by_role("link", name="Publish the remaining response rotas").is_visible()
