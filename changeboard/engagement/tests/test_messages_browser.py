"""Browser journey: a change manager plans a briefing (an event) for the
staff of an impact line, sees the audience size, submits it, and a second
change manager of the programme approves it. axe-core runs on every page."""

from __future__ import annotations

import re
from typing import Any

import pytest

from changeboard.conftest import PASSWORD

from ..models import Message
from .messages_data import Comms

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_plan_submit_and_approve_a_briefing(page: Any, world: Any) -> None:
    from changeboard.core.tests.browser import check_axe, sign_in, visit

    c = Comms(world)
    sign_in(page, "lead", PASSWORD)
    visit(page, "/engagement/comms/?month=2027-02")
    check_axe(page)
    page.get_by_role("link", name="Plan a message").click()
    page.wait_for_url(re.compile(r"/engagement/comms/new/$"))
    check_axe(page)
    page.get_by_label("Programme").select_option(label=str(world.programme_a))
    page.get_by_label("Title").fill("Custody go-live briefing")
    page.get_by_label("Channel").select_option(value="event")
    page.get_by_label("Planned day").fill("2027-02-10")
    page.get_by_label("Start time").fill("09:30")
    page.get_by_label("End time").fill("10:30")
    page.get_by_label("Location").fill("Westminster briefing room")
    page.get_by_label("Subject").fill("Custody changes")
    page.get_by_label("Body").fill("Dear {first_name}, please come to the briefing.")
    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_url(re.compile(r"/engagement/comms/\d+/$"))
    check_axe(page)
    message = Message.objects.get(title="Custody go-live briefing")

    # The staff of the Custody impact line.
    page.get_by_label("Staff of an impact line").check()
    page.get_by_role("combobox", name=re.compile(r"^Impact line")).select_option(label=f"{c.custody.title} ({c.assessment.title})")
    page.get_by_role("button", name="Add to the audience").click()
    page.wait_for_url(re.compile(rf"/engagement/comms/{message.pk}/$"))
    assert "reaches 2 people" in page.locator("#audience-size").inner_text()
    check_axe(page)
    page.get_by_role("button", name="Submit for approval (2 people)").click()
    page.wait_for_url(re.compile(rf"/engagement/comms/{message.pk}/$"))
    assert page.locator("#message-status").inner_text() == "For approval"
    check_axe(page)

    # A second change manager of the programme approves it.
    page.context.clear_cookies()
    sign_in(page, "lead_a2", PASSWORD)
    visit(page, f"/engagement/comms/{message.pk}/")
    page.get_by_role("button", name="Approve or return").click()
    page.wait_for_url(re.compile(rf"/engagement/comms/{message.pk}/approve/$"))
    check_axe(page)
    page.get_by_role("button", name="Approve for 2 people").click()
    page.wait_for_url(re.compile(rf"/engagement/comms/{message.pk}/$"))
    assert page.locator("#message-status").inner_text() == "Approved"
    check_axe(page)
    message.refresh_from_db()
    assert (message.status, message.approved_by, message.submitted_by) == ("approved", c.lead_a2, world.users["lead"])
