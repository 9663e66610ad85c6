"""The comms plan's pages: the month calendar (an accessible table, months
by `?month=`, junk falls back to this month) and the list with its CSV
export, planning an event with Europe/London times, errors shown on the
form with nothing saved, the message page's audience size and per-unit
table, adding a rule, the workflow buttons, and the approval page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from ..models import Message
from ..services import messages as svc
from .messages_data import Comms


@pytest.fixture
def c(world: Any) -> Comms:
    return Comms(world)


def signed_in(client: Any, c: Comms, who: str = "lead") -> Any:
    client.force_login(c.world.users.get(who, c.lead_a2))
    return client


def test_the_month_shows_messages_on_their_day(client: Any, c: Comms) -> None:
    m = c.with_line(c.event())
    page = signed_in(client, c).get(reverse("message-list") + "?month=2027-02").content.decode()
    assert "<caption class=\"govuk-table__caption govuk-table__caption--m\">February 2027</caption>" in page
    assert f'href="{m.get_absolute_url()}"' in page
    assert "Week of 8 Feb" in page and 'scope="col" class="govuk-table__header">Monday' in page
    other = client.get(reverse("message-list") + "?month=2027-03").content.decode()
    assert f'href="{m.get_absolute_url()}"' not in other


@pytest.mark.parametrize("junk", ["2027-13", "²⁰²⁷-02", "x", "99999-01", "2027-02\x00"])
def test_a_junk_month_shows_this_month(client: Any, c: Comms, junk: str) -> None:
    response = signed_in(client, c).get(reverse("message-list"), {"month": junk})
    assert response.status_code == 200
    assert response.context["month"] == timezone.localdate().replace(day=1)


def test_the_list_filters_and_exports(client: Any, c: Comms) -> None:
    c.with_line(c.event())
    c.message(title="Camden note", channel="cascade")
    page = signed_in(client, c).get(reverse("message-list"), {"view": "list", "channel": "event"}).content.decode()
    assert "Custody briefing" in page and "Camden note" not in page
    response = client.get(reverse("message-list"), {"view": "list", "channel": "cascade", "export": "csv"})
    body = b"".join(response.streaming_content).decode()
    assert body.lstrip("\ufeff").splitlines()[0].startswith("Programme,Message,Purpose,Channel")
    assert "Camden note" in body and "Custody briefing" not in body


def test_planning_an_event_with_london_times(client: Any, c: Comms) -> None:
    response = signed_in(client, c).post(reverse("message-create"), {
        "programme": c.world.programme_a.pk, "title": "Go-live briefing", "channel": "event", "planned_on": "2027-07-01",
        "starts_time": "09:30", "ends_time": "10:15", "location": "Room 1", "subject": "Briefing", "body": "Hello {first_name}",
    })
    assert response.status_code == 302
    m = Message.objects.get(title="Go-live briefing")
    assert response["Location"] == m.get_absolute_url()
    # British Summer Time: 09:30 in London is 08:30 UTC.
    assert m.starts_at == dt.datetime(2027, 7, 1, 8, 30, tzinfo=dt.UTC)
    assert m.status == "draft" and m.owner == c.world.users["lead"]


def test_errors_show_on_the_form_and_nothing_is_saved(client: Any, c: Comms) -> None:
    response = signed_in(client, c).post(reverse("message-create"), {
        "programme": c.world.programme_a.pk, "title": "Bad", "channel": "event", "planned_on": "2027-07-01",
        "starts_time": "10:00", "ends_time": "09:00", "subject": "S", "body": "Hi {nickname}",
    })
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "The end must be after the start." in page
    assert "{nickname} is not a placeholder we can fill in." in page
    assert not Message.objects.filter(title="Bad").exists()


def test_another_programme_is_not_offered(client: Any, c: Comms) -> None:
    response = signed_in(client, c).post(reverse("message-create"), {
        "programme": c.world.programme_b.pk, "title": "Sneaky", "channel": "intranet", "planned_on": "2027-07-01"})
    assert response.status_code == 200
    assert "Choose one of the programmes listed" in response.content.decode()
    assert not Message.objects.filter(title="Sneaky").exists()


def test_the_message_page_shows_the_audience_and_adds_a_rule(client: Any, c: Comms) -> None:
    m = c.with_line(c.event())
    page = signed_in(client, c).get(m.get_absolute_url()).content.decode()
    assert "This message reaches <strong>2</strong> people in 1 unit" in page
    assert "Submit for approval (2 people)" in page
    assert "Test Force &gt; Frontline Policing &gt; Central West BCU &gt; Westminster" in page
    response = client.post(reverse("message-rule-add", args=[m.pk]), {"rule-kind": "impact_line", "rule-impact_line": c.response.pk})
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.audience_size == 4
    # Only the programme's approved lines are offered; a draft's line is refused with the form's own error.
    response = client.post(reverse("message-rule-add", args=[m.pk]), {"rule-kind": "impact_line", "rule-impact_line": c.draft_line.pk})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert m.audience_rules.count() == 2


def test_the_unit_search_narrows_the_picker(client: Any, c: Comms) -> None:
    m = c.event()
    response = signed_in(client, c).get(m.get_absolute_url(), {"unit_q": "camd"})
    units = list(response.context["rule_form"].fields["unit"].queryset)
    assert units == [c.world.camden]


def test_submit_then_approve_through_the_pages(client: Any, c: Comms) -> None:
    m = c.with_line(c.event())
    signed_in(client, c).post(reverse("message-submit", args=[m.pk]))
    assert Message.objects.get(pk=m.pk).status == "for_approval"
    page = client.get(reverse("message-approve", args=[m.pk])).content.decode()
    assert 'id="not-approver"' in page and "someone else must approve" in page
    client.force_login(c.lead_a2)
    page = client.get(reverse("message-approve", args=[m.pk])).content.decode()
    assert "Approve for 2 people" in page
    client.post(reverse("message-approve", args=[m.pk]), {"decision": "approve"})
    m.refresh_from_db()
    assert (m.status, m.approved_by) == ("approved", c.lead_a2)


def test_return_needs_a_reason_and_the_draft_shows_it(client: Any, c: Comms) -> None:
    m = svc.message_submit(message=c.with_line(c.event()), actor=c.world.users["lead"])
    client.force_login(c.lead_a2)
    response = client.post(reverse("message-approve", args=[m.pk]), {"decision": "return", "return-reason": ""})
    assert response.status_code == 200 and "Say why the message goes back to draft" in response.content.decode()
    assert Message.objects.get(pk=m.pk).status == "for_approval"
    client.post(reverse("message-approve", args=[m.pk]), {"decision": "return", "return-reason": "Move it a week"})
    page = client.get(m.get_absolute_url()).content.decode()
    assert "Returned to draft: Move it a week" in page


def test_submitting_with_no_audience_says_why(client: Any, c: Comms) -> None:
    m = c.event()
    response = signed_in(client, c).post(reverse("message-submit", args=[m.pk]), follow=True)
    assert svc.EMPTY_AUDIENCE in response.content.decode()
    assert Message.objects.get(pk=m.pk).status == "draft"


def test_a_sent_message_cannot_be_edited_here(client: Any, c: Comms) -> None:
    m = svc.message_submit(message=c.with_line(c.message()), actor=c.world.users["lead"])
    m = svc.message_mark_done(message=svc.message_approve(message=m, actor=c.lead_a2), actor=None)
    response = signed_in(client, c).post(reverse("message-edit", args=[m.pk]), {"title": "Again", "channel": "intranet", "planned_on": "2027-02-10"})
    assert response.status_code == 200 and svc.SENT_NOT_EDITABLE in response.content.decode()
    assert Message.objects.get(pk=m.pk).title == "Custody briefing"


def test_the_approver_finds_the_approval_from_the_message(client: Any, c: Comms) -> None:
    m = svc.message_submit(message=c.with_line(c.event()), actor=c.world.users["lead"])
    page = signed_in(client, c).get(m.get_absolute_url()).content.decode()
    assert "Approve or return" not in page and "another change manager of the programme" in page
    client.force_login(c.lead_a2)
    page = client.get(m.get_absolute_url()).content.decode()
    assert f'href="{reverse("message-approve", args=[m.pk])}"' in page


@pytest.mark.parametrize("junk", ["\x00", "²", "x" * 500, "%"])
def test_a_junk_unit_search_never_fails(client: Any, c: Comms, junk: str) -> None:
    m = c.event()
    assert signed_in(client, c).get(m.get_absolute_url(), {"unit_q": junk}).status_code == 200
