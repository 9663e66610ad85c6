"""Issue 13's "Done means", one browser journey per sentence, axe-core on
every page visited, on demo-like data built here (not the full seed):

(a) a change manager opens the engagement-debt list and sees a high-influence
    stakeholder behind target and overdue for contact, and follows them to
    the register and their timeline;
(b) plans a briefing (an event) for the staff of one impact line, sees the
    audience size and the collision warning (Central West already has three
    other programmes asking for its attention that week), submits it; a
    second change manager approves it (keyboard only) having seen the same
    warning; it is sent (keyboard only), and the invitation lands in a real
    local SMTP server (aiosmtpd) with a text/calendar part whose METHOD is
    REQUEST, parsed with icalendar.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from icalendar import Calendar

from changeboard.conftest import PASSWORD
from changeboard.core import outbox
from changeboard.core.models import OutboxMessage
from changeboard.core.tests.test_outbox import Sink, mail, sink  # noqa: F401  (fixtures)
from changeboard.portfolio.models import Programme

from ..models import Engagement, Message, Position
from .attention_data import message as reaching
from .engagements_data import days_ago, engagement, mapping, stakeholder
from .messages_data import Comms

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BRIEFING_DAY = dt.date(2027, 2, 10)  # week 2027-W06 (Mon 8 Feb)


def press_tab_to(page: Any, name: str, limit: int = 80) -> None:
    """Move the focus with the Tab key alone until it is on the button or link `name`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.innerText.trim()") == name:
            return
    raise AssertionError(f"{name!r} cannot be reached with the keyboard")


def test_a_the_debt_list_shows_a_key_stakeholder_behind_target_and_overdue(page: Any, world: Any) -> None:
    from changeboard.core.tests.browser import check_axe, sign_in, visit

    chief = stakeholder("Chief Superintendent West", role_title="BCU commander")
    behind = mapping(chief, world.programme_a, influence=5, current=Position.AGAINST, target=Position.SUPPORTIVE, owner=world.users["lead"])
    engagement(behind, status=Engagement.Status.DONE, happened_on=days_ago(90), planned_on=days_ago(90), purpose="First meeting")
    engagement(behind, planned_on=days_ago(10), purpose="Walk through the new rota", owner=world.users["lead"])
    content = stakeholder("Content Inspector")
    mapping(content, world.programme_a, influence=5, current=Position.SUPPORTIVE, target=Position.SUPPORTIVE)

    sign_in(page, "lead", PASSWORD)
    visit(page, "/engagement/debt/")
    check_axe(page)
    first = page.locator("#debt tbody tr").first
    row = first.inner_text()
    assert "Chief Superintendent West" in row and "90 days ago" in row and "AAA" in row
    assert "Content Inspector" not in page.locator("#debt").inner_text()  # at target: no debt

    first.get_by_role("link", name="Chief Superintendent West", exact=True).click()
    page.wait_for_url(re.compile(rf"/engagement/stakeholders/{chief.pk}/$"))
    check_axe(page)
    page.get_by_role("link", name="Timeline of engagements with Chief Superintendent West").click()
    page.wait_for_url(re.compile(rf"/engagement/stakeholders/{chief.pk}/timeline/$"))
    check_axe(page)
    timeline = page.locator("main").inner_text()
    assert "Overdue" in timeline and "Walk through the new rota" in timeline
    page.get_by_role("navigation", name="Engagement").get_by_role("link", name="Debt").click()
    page.wait_for_url(re.compile(r"/engagement/debt/$"))


def test_b_plan_a_briefing_see_the_collision_approve_send_and_the_invitation_arrives(page: Any, world: Any, mail: Sink) -> None:  # noqa: F811
    from changeboard.core.tests.browser import check_axe, sign_in, visit

    c = Comms(world)
    # Central West already has three other programmes asking for its attention that week.
    for code, name in (("CCC", "Custody Rebuild"), ("DDD", "Digital Evidence")):
        Programme.objects.create(code=code, name=name, status="active", phase="build")
    for programme in [world.programme_b, *Programme.objects.filter(code__in=("CCC", "DDD")).order_by("code")]:
        reaching(programme, BRIEFING_DAY - dt.timedelta(days=1), {world.westminster: 20}, title=f"{programme.code} roadshow")

    sign_in(page, "lead", PASSWORD)
    visit(page, f"/engagement/comms/?month={BRIEFING_DAY:%Y-%m}")
    check_axe(page)
    page.get_by_role("link", name="Plan a message").click()
    page.wait_for_url(re.compile(r"/engagement/comms/new/$"))
    page.get_by_label("Programme").select_option(label=str(world.programme_a))
    page.get_by_label("Title").fill("Custody go-live briefing")
    page.get_by_label("Channel").select_option(value="event")
    page.get_by_label("Planned day").fill(BRIEFING_DAY.isoformat())
    page.get_by_label("Start time").fill("09:30")
    page.get_by_label("End time").fill("10:30")
    page.get_by_label("Location").fill("Westminster briefing room")
    page.get_by_label("Subject").fill("Custody changes")
    page.get_by_label("Body").fill("Dear {first_name}, please come to the briefing.")
    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_url(re.compile(r"/engagement/comms/\d+/$"))
    message = Message.objects.get(title="Custody go-live briefing")
    assert not page.locator("#attention-warning").count()  # no audience yet: nobody's attention asked

    page.get_by_label("Staff of an impact line").check()
    page.get_by_role("combobox", name=re.compile(r"^Impact line")).select_option(label=f"{c.custody.title} ({c.assessment.title})")
    page.get_by_role("button", name="Add to the audience").click()
    page.wait_for_url(re.compile(rf"/engagement/comms/{message.pk}/$"))
    assert "reaches 2 people" in page.locator("#audience-size").inner_text()
    warning = page.locator("#attention-warning").inner_text()
    assert "over the portfolio's limit of 3 items a week" in warning
    table = page.locator("#attention-warnings").inner_text()
    assert "Central West BCU > Westminster" in table and "2027-W06" in table
    assert all(f"{code}: {code} roadshow" in table for code in ("BBB", "CCC", "DDD"))
    check_axe(page)
    page.get_by_role("button", name="Submit for approval (2 people)").click()
    page.wait_for_url(re.compile(rf"/engagement/comms/{message.pk}/$"))
    assert page.locator("#message-status").inner_text() == "For approval"

    # A second change manager sees the same warning before approving, and approves with the keyboard alone.
    page.context.clear_cookies()
    sign_in(page, "lead_a2", PASSWORD)
    visit(page, f"/engagement/comms/{message.pk}/approve/")
    assert "Central West BCU > Westminster" in page.locator("#attention-warnings").inner_text()
    check_axe(page)
    press_tab_to(page, "Approve for 2 people")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/engagement/comms/{message.pk}/$"))
    assert page.locator("#message-status").inner_text() == "Approved"
    check_axe(page)
    message.refresh_from_db()
    assert (message.status, message.approved_by, message.submitted_by) == ("approved", c.lead_a2, world.users["lead"])

    # The approver (a change manager of the programme) sends it, keyboard only.
    press_tab_to(page, "Send to 2 people")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/engagement/comms/{message.pk}/send/$"))
    check_axe(page)
    press_tab_to(page, "Send now")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/engagement/comms/{message.pk}/deliveries/$"))
    check_axe(page)
    assert "2 emails queued." in page.locator("main").inner_text()
    message.refresh_from_db()
    assert message.status == Message.Status.SENT

    outbox.deliver_due()  # the send's on-commit delivery may already have run in the server's thread
    assert sorted(OutboxMessage.objects.values_list("status", flat=True)) == ["sent", "sent"]
    received = {m["To"]: m for m in mail.received}
    assert set(received) == {c.west_pc.email, c.west_band.email}
    for person, email in ((c.west_pc, received[c.west_pc.email]), (c.west_band, received[c.west_band.email])):
        [part] = [p for p in email.walk() if p.get_content_type() == "text/calendar"]
        assert part.get_param("method") == "REQUEST"
        data = part.get_payload(decode=True)
        assert isinstance(data, bytes)
        calendar = Calendar.from_ical(data)
        event = calendar.walk("VEVENT")[0]
        assert str(calendar["method"]) == "REQUEST"
        assert str(event["summary"]) in {"Custody changes", "Custody go-live briefing"}
        assert str(event["location"]) == "Westminster briefing room"
        assert event.decoded("dtstart").astimezone(dt.UTC).date() == BRIEFING_DAY
        assert person.email in str(event["attendee"])

    # The message page now offers the update, the cancellation and the deliveries.
    visit(page, f"/engagement/comms/{message.pk}/")
    check_axe(page)
    assert page.get_by_role("button", name="Cancel the event").count() == 1
    page.locator("#deliveries-link").click()
    page.wait_for_url(re.compile(rf"/engagement/comms/{message.pk}/deliveries/$"))
