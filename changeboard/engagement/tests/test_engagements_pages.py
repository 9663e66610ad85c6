"""The engagement pages: the list's filters and exports, planning and its
errors, logging with follow-up rows (with and without JavaScript's help),
the summary, the debt list with its plan links and the timeline."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from changeboard.readiness.models import Action

from ..models import Engagement, EngagementPolicy, Position
from .engagements_data import Data, days_ago, engagement, mapping, stakeholder


@pytest.fixture
def d(world: Any) -> Data:
    return Data(world)


@pytest.fixture
def lead(client: Any, d: Data) -> Any:
    client.force_login(d.world.users["lead"])
    return client


def _formset(rows: list[dict[str, str]], total: int = 3) -> dict[str, str]:
    data = {"follow-TOTAL_FORMS": str(total), "follow-INITIAL_FORMS": "0", "follow-MIN_NUM_FORMS": "0", "follow-MAX_NUM_FORMS": "20"}
    for i, row in enumerate(rows):
        data.update({f"follow-{i}-{k}": v for k, v in row.items()})
    return data


def test_list_filters_overdue_status_and_dates(client: Any, d: Data) -> None:
    client.force_login(d.world.users["admin"])
    late = engagement(d.map_a, planned_on=days_ago(3), purpose="Late briefing")
    engagement(d.map_a, status=Engagement.Status.DONE, happened_on=days_ago(20), purpose="Old workshop")
    page = client.get(reverse("engagement-list"), {"overdue": "on"}).content.decode()
    assert "Late briefing" in page and "Old workshop" not in page and "Brief on the new rota" not in page
    assert "Overdue" in page
    page = client.get(reverse("engagement-list"), {"date_to": days_ago(10).isoformat()}).content.decode()
    assert "Old workshop" in page and "Late briefing" not in page
    page = client.get(reverse("engagement-list"), {"programme": d.world.programme_b.pk}).content.decode()
    assert "Case file walkthrough" in page and "Late briefing" not in page
    page = client.get(reverse("engagement-list"), {"status": "done", "method": "meeting"}).content.decode()
    assert "Old workshop" in page and "Late briefing" not in page
    assert late.pk


def test_csv_export_says_overdue_and_guards_formulas(client: Any, d: Data) -> None:
    client.force_login(d.world.users["lead"])
    engagement(d.map_a, planned_on=days_ago(3), purpose="=HYPERLINK(1)")
    response = client.get(reverse("engagement-list"), {"export": "csv", "overdue": "on"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig") if response.streaming else response.content.decode("utf-8-sig"))))
    assert rows[0][:9] == ["Programme", "Stakeholder", "Purpose", "Method", "Owner (username)", "Planned for", "Happened on", "Status", "Overdue"]
    assert len(rows) == 2
    assert rows[1][0] == "AAA" and rows[1][2] == "'=HYPERLINK(1)" and rows[1][7] == "Planned" and rows[1][8] == "Overdue"
    assert client.get(reverse("engagement-list"), {"export": "xlsx"})["Content-Type"].startswith("application/vnd.openxmlformats")


def test_plan_page_preselects_and_saves(lead: Any, d: Data) -> None:
    page = lead.get(reverse("engagement-plan"), {"assessment": d.map_a.pk}).content.decode()
    assert f'<option value="{d.map_a.pk}" selected>' in page
    assert "Police Federation rep" not in page  # another programme's stakeholder is not offered
    day = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    response = lead.post(reverse("engagement-plan"), {"assessment": d.map_a.pk, "purpose": "Walkthrough", "method": "briefing", "planned_on": day})
    created = Engagement.objects.get(purpose="Walkthrough")
    assert response["Location"] == created.get_absolute_url()
    assert created.owner == d.world.users["lead"]  # the relationship's keeper


def test_plan_page_shows_errors_and_saves_nothing(lead: Any, d: Data) -> None:
    response = lead.post(reverse("engagement-plan"), {"assessment": d.map_b.pk, "purpose": "", "method": "call", "planned_on": "2020-01-01"})
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    assert "Enter the purpose of the engagement" in page and "Choose a stakeholder from the list" in page
    response = lead.post(reverse("engagement-plan"), {"assessment": d.map_a.pk, "purpose": "Past", "method": "call", "planned_on": "2020-01-01"})
    assert "must be today or in the future" in response.content.decode()
    assert not Engagement.objects.filter(purpose__in=["", "Past"]).exists()


def test_log_page_logs_with_a_concern_a_position_and_follow_ups(lead: Any, d: Data) -> None:
    page = lead.get(reverse("engagement-log", args=[d.eng_a.pk])).content.decode()
    assert page.count('name="follow-') >= 9  # three blank rows of three fields
    due = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    body = {"happened_on": timezone.localdate().isoformat(), "concerns": "Overtime", "position_after": str(Position.NEUTRAL),
            **_formset([{"text": "Send the overtime model", "due_date": due, "owner": str(d.world.users["lead"].pk)}])}
    response = lead.post(reverse("engagement-log", args=[d.eng_a.pk]), body)
    assert response.status_code == 302
    d.eng_a.refresh_from_db()
    d.map_a.refresh_from_db()
    assert (d.eng_a.status, d.eng_a.concerns, d.map_a.current_position) == ("done", "Overtime", Position.NEUTRAL)
    action = Action.objects.get(title="Send the overtime model")
    assert action.source == Action.Source.ENGAGEMENT and action.programme == d.world.programme_a
    detail = lead.get(response["Location"]).content.decode()
    assert "Send the overtime model" in detail and action.get_absolute_url() in detail
    assert f"From engagement #{d.eng_a.pk}" in lead.get(action.get_absolute_url()).content.decode()


def test_a_half_filled_follow_up_row_is_an_error_and_nothing_is_logged(lead: Any, d: Data) -> None:
    body = {"happened_on": timezone.localdate().isoformat(), **_formset([{"text": "No date"}, {"due_date": "not a date"}])}
    response = lead.post(reverse("engagement-log", args=[d.eng_a.pk]), body)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Follow-up 1, due: Enter the follow-up&#x27;s due date" in page
    assert "Follow-up 2, due: Enter the due date as a real date" in page
    d.eng_a.refresh_from_db()
    assert d.eng_a.status == "planned" and not Action.objects.exists()


def test_a_refused_follow_up_from_the_service_is_shown(lead: Any, d: Data) -> None:
    body = {"happened_on": timezone.localdate().isoformat(), **_formset([{"text": "Backdated", "due_date": "2020-01-01"}])}
    page = lead.post(reverse("engagement-log", args=[d.eng_a.pk]), body).content.decode()
    assert "Follow-up 1: The due date must be today or in the future." in page
    d.eng_a.refresh_from_db()
    assert d.eng_a.status == "planned"


def test_add_another_follow_up_works_without_javascript(lead: Any, d: Data) -> None:
    due = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    body = {"happened_on": timezone.localdate().isoformat(), "add_follow_up": "1",
            **_formset([{"text": "One", "due_date": due}, {"text": "Two", "due_date": due}, {"text": "Three", "due_date": due}])}
    response = lead.post(reverse("engagement-log", args=[d.eng_a.pk]), body)
    page = response.content.decode()
    assert response.status_code == 200 and 'name="follow-TOTAL_FORMS" value="4"' in page
    assert 'value="Three"' in page
    d.eng_a.refresh_from_db()
    assert d.eng_a.status == "planned"


def test_record_an_unplanned_engagement(lead: Any, d: Data) -> None:
    body = {"assessment": d.map_a.pk, "purpose": "Corridor chat", "method": "call", "happened_on": days_ago(1).isoformat(), **_formset([])}
    response = lead.post(reverse("engagement-record"), body)
    assert response.status_code == 302
    e = Engagement.objects.get(purpose="Corridor chat")
    assert (e.status, e.planned_on, e.owner) == ("done", None, d.world.users["lead"])


def test_summary_page_counts_what_the_user_may_see(lead: Any, d: Data) -> None:
    engagement(d.map_a, planned_on=days_ago(2), owner=d.world.users["lead"])
    engagement(d.map_b, planned_on=days_ago(2), owner=d.world.users["lead2"])
    page = lead.get(reverse("engagement-summary")).content.decode()
    assert '<span class="govuk-heading-l" id="total-planned">2</span>' in page
    assert '<span class="govuk-heading-l" id="total-overdue">1</span>' in page
    assert "BBB" not in page


def test_debt_page_lists_key_stakeholders_with_plan_links(lead: Any, d: Data) -> None:
    policy = EngagementPolicy.current()
    contacted = mapping(stakeholder("Recently met"), d.world.programme_a)
    engagement(contacted, status="done", happened_on=days_ago(3))
    page = lead.get(reverse("engagement-debt")).content.decode()
    assert "Chief Superintendent West" in page and "Recently met" not in page and "Police Federation rep" not in page
    assert f"{reverse('engagement-plan')}?assessment={d.map_a.pk}" in page
    assert f"{policy.debt_days} days" in page
    board = lead
    board.force_login(d.world.users["board"])
    page = board.get(reverse("engagement-debt")).content.decode()
    assert "Police Federation rep" in page and "?assessment=" not in page  # the Board reads, never plans


def test_debt_page_query_count_does_not_grow_with_rows(client: Any, d: Data, django_assert_max_num_queries: Any) -> None:
    client.force_login(d.world.users["lead"])
    for n in range(30):
        mapping(stakeholder(f"Key person {n}"), d.world.programme_a)
    client.get(reverse("engagement-debt"))  # warm the policy row
    with django_assert_max_num_queries(12):
        response = client.get(reverse("engagement-debt"))
    assert response.content.decode().count("Plan an engagement<span") == 31


def test_timeline_newest_first_with_position_changes(lead: Any, d: Data) -> None:
    engagement(d.map_a, status="done", happened_on=days_ago(30), purpose="First contact", position_after=Position.NEUTRAL)
    engagement(d.map_a, status="done", happened_on=days_ago(5), purpose="Follow-up chat", concerns="Rest days")
    page = lead.get(reverse("stakeholder-timeline", args=[d.sh_a.pk])).content.decode()
    assert page.index("Brief on the new rota") < page.index("Follow-up chat") < page.index("First contact")
    assert "Position afterwards: <strong>Neutral</strong>" in page and "Rest days" in page
    assert "No messages sent to this stakeholder" in page
