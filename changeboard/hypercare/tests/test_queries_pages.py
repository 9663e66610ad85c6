"""The support queue and a query's page: filters (open by default, unit
subtree, "me" and "unassigned", text), sort, exports (contact details for
the support side only), bulk assignment, the timeline, the actions and
raising a query on someone's behalf."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.urls import reverse

from changeboard.conftest import make_staff
from changeboard.core.models import OutboxMessage

from ..models import Query, QueryEvent
from ..services.queries import query_assign, query_comment, query_create, query_transition
from .test_hypercare_permissions import Hypercare


@pytest.fixture
def hc(world: Any) -> Hypercare:
    return Hypercare(world)


def refs(response: Any) -> set[str]:
    body = response.content.decode()
    return {ref for ref in Query.objects.values_list("reference", flat=True) if ref in body}


def test_queue_shows_open_queries_by_default_and_filters(client: Any, hc: Hypercare) -> None:
    client.force_login(hc.world.users["lead"])
    url = reverse("query-list")
    assert refs(client.get(url)) == {hc.q_in.reference, hc.q_out.reference}
    query_transition(query=hc.q_out, status="closed", actor=None)
    assert refs(client.get(url)) == {hc.q_in.reference}
    assert refs(client.get(url, {"status": "all"})) == {hc.q_in.reference, hc.q_out.reference}
    assert refs(client.get(url, {"status": "closed"})) == {hc.q_out.reference}
    # The unit filter takes everything below the unit.
    assert refs(client.get(url, {"unit": hc.world.central_west.pk, "status": "all"})) == {hc.q_in.reference}
    assert refs(client.get(url, {"q": "custody"})) == {hc.q_in.reference}
    assert refs(client.get(url, {"q": hc.q_in.reference.lower()})) == {hc.q_in.reference}
    assert refs(client.get(url, {"priority": "P1"})) == set()
    assert refs(client.get(url, {"category": hc.q_in.category_id})) == {hc.q_in.reference}


def test_queue_filters_by_assignee_me_and_unassigned(client: Any, hc: Hypercare) -> None:
    query_assign(query=hc.q_in, assignee=hc.support_lead, actor=None)
    client.force_login(hc.support_lead)
    url = reverse("period-queries", args=[hc.a.pk])
    assert refs(client.get(url, {"assignee": "me"})) == {hc.q_in.reference}
    assert refs(client.get(url, {"assignee": "none"})) == {hc.q_out.reference}
    assert refs(client.get(url, {"assignee": str(hc.support_lead.pk)})) == {hc.q_in.reference}
    bad = client.get(url, {"assignee": "99999999999999999999999999"})
    assert bad.status_code == 200 and refs(bad) == set()


def test_queue_sorts_by_priority_then_age(client: Any, hc: Hypercare) -> None:
    urgent = query_create(period=hc.a, category=hc.a.categories.get(code="defect"), title="Nothing saves", priority="P1", actor=None,
                          source=Query.Source.SUPPORT, unit=hc.world.westminster)
    client.force_login(hc.world.users["lead"])
    body = client.get(reverse("period-queries", args=[hc.a.pk])).content.decode()
    assert body.index(urgent.reference) < body.index(hc.q_in.reference) < body.index(hc.q_out.reference)
    body = client.get(reverse("period-queries", args=[hc.a.pk]), {"sort": "-created_at"}).content.decode()
    assert body.index(urgent.reference) < body.index(hc.q_out.reference) < body.index(hc.q_in.reference)


def test_champion_sees_only_their_units_queries(client: Any, hc: Hypercare) -> None:
    client.force_login(hc.world.users["champion"])
    assert refs(client.get(reverse("query-list"))) == {hc.q_in.reference}
    page = client.get(reverse("query-detail", args=[hc.q_in.pk])).content.decode()
    assert "Alex" not in page and "p100001@example.police.uk" not in page  # no contact details
    assert "Change the status" not in page  # reads, does not work it
    assert 'name="queries"' not in client.get(reverse("query-list")).content.decode()


def _export(client: Any, url: str) -> list[dict[str, str]]:
    response = client.get(url, {"export": "csv", "status": "all"})
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_export_carries_contact_details_for_the_support_side_only(client: Any, hc: Hypercare) -> None:
    client.force_login(hc.world.users["lead"])
    rows = _export(client, reverse("query-list"))
    assert {r["Reference"] for r in rows} == {hc.q_in.reference, hc.q_out.reference}
    assert {r["Contact email"] for r in rows} == {"p100001@example.police.uk", "p200001@example.police.uk"}
    assert {r["Status"] for r in rows} == {"New"}
    for persona in ("auditor", "champion", "admin"):
        client.force_login(hc.world.users[persona])
        rows = _export(client, reverse("query-list"))
        assert rows and all("Contact email" not in r and "Contact name" not in r for r in rows), persona
    # lead2 works programme B only: on a mixed export (admin sees all) no row of another period carries contacts.
    client.force_login(hc.world.users["lead2"])
    rows = _export(client, reverse("query-list"))
    assert [r["Reference"] for r in rows] == [hc.q_b.reference] and rows[0]["Contact email"] == "p200001@example.police.uk"
    # An admin on A's support team gets A's contacts and blanks for B's rows.
    hc.team.members.add(hc.world.users["admin"])
    client.force_login(hc.world.users["admin"])
    by_ref = {r["Reference"]: r for r in _export(client, reverse("query-list"))}
    assert by_ref[hc.q_in.reference]["Contact email"] == "p100001@example.police.uk" and by_ref[hc.q_b.reference]["Contact email"] == ""


def test_bulk_assign(client: Any, hc: Hypercare) -> None:
    client.force_login(hc.world.users["lead"])
    queue = reverse("period-queries", args=[hc.a.pk])
    page = client.get(queue).content.decode()
    assert 'form="bulk-assign"' in page and f'value="{hc.support_champion.pk}"' in page
    response = client.post(reverse("query-bulk-assign"), {"queries": [hc.q_in.pk, hc.q_out.pk], "assignee": hc.support_champion.pk,
                                                            "next": queue}, follow=True)
    assert response.redirect_chain[-1][0] == queue
    assert "2 queries assigned to Supportchamp Tester" in response.content.decode()
    assert set(Query.objects.filter(assignee=hc.support_champion).values_list("pk", flat=True)) == {hc.q_in.pk, hc.q_out.pk}
    assert set(Query.objects.filter(pk__in=[hc.q_in.pk, hc.q_out.pk]).values_list("status", flat=True)) == {"assigned"}


def test_bulk_assign_reports_what_it_could_not_do(client: Any, hc: Hypercare) -> None:
    query_transition(query=hc.q_out, status="closed", actor=None)
    client.force_login(hc.world.users["lead"])
    response = client.post(reverse("query-bulk-assign"), {"queries": [hc.q_in.pk, hc.q_out.pk], "assignee": hc.support_lead.pk}, follow=True)
    body = response.content.decode()
    assert "1 query assigned" in body and f"1 not assigned. {hc.q_out.reference}: Only an open query can be assigned." in body
    assert Query.objects.get(pk=hc.q_in.pk).assignee == hc.support_lead and Query.objects.get(pk=hc.q_out.pk).assignee is None


def test_bulk_assign_refuses_queries_out_of_scope_and_outsiders(client: Any, hc: Hypercare) -> None:
    client.force_login(hc.world.users["lead2"])
    response = client.post(reverse("query-bulk-assign"), {"queries": [hc.q_in.pk], "assignee": hc.support_lead.pk}, follow=True)
    assert "no longer yours to assign" in response.content.decode()
    assert Query.objects.get(pk=hc.q_in.pk).assignee is None
    client.force_login(hc.world.users["lead"])
    response = client.post(reverse("query-bulk-assign"), {"queries": [hc.q_in.pk], "assignee": hc.world.users["lead2"].pk}, follow=True)
    assert "Choose someone on the support team" in response.content.decode()
    response = client.post(reverse("query-bulk-assign"), {"assignee": hc.support_lead.pk}, follow=True)
    assert "Tick the queries to assign" in response.content.decode()


def test_query_page_shows_contact_details_to_the_support_side(client: Any, hc: Hypercare) -> None:
    for who in (hc.world.users["lead"], hc.support_lead, hc.support_champion):
        client.force_login(who)
        page = client.get(reverse("query-detail", args=[hc.q_in.pk])).content.decode()
        assert "p100001@example.police.uk" in page and "Alex Inscope" in page, who
    for persona in ("auditor", "admin", "champion"):
        client.force_login(hc.world.users[persona])
        page = client.get(reverse("query-detail", args=[hc.q_in.pk])).content.decode()
        assert "p100001@example.police.uk" not in page and "Inscope" not in page, persona


def test_timeline_oldest_first_with_zone_and_internal_notes_only_for_workers(client: Any, hc: Hypercare) -> None:
    query_assign(query=hc.q_in, assignee=hc.support_lead, actor=hc.world.users["lead"])
    query_comment(query=hc.q_in, text="Checked the rota screen", actor=hc.support_lead)
    query_comment(query=hc.q_in, text="Try the new menu", actor=hc.support_lead, to_requester=True)
    client.force_login(hc.world.users["lead"])
    page = client.get(reverse("query-detail", args=[hc.q_in.pk])).content.decode()
    order = [page.index(s) for s in ("Raised", "Status: New → Assigned", "Assigned to Supportlead Tester", "Checked the rota screen",
                                      "Try the new menu")]
    assert order == sorted(order)
    assert " GMT" in page or " BST" in page
    client.force_login(hc.world.users["auditor"])
    page = client.get(reverse("query-detail", args=[hc.q_in.pk])).content.decode()
    assert "Try the new menu" in page and "Checked the rota screen" not in page


def test_query_actions_comment_to_requester_and_resolve(client: Any, hc: Hypercare, django_capture_on_commit_callbacks: Any) -> None:
    client.force_login(hc.support_lead)
    url = reverse("query-detail", args=[hc.q_in.pk])
    page = client.get(url).content.decode()
    assert 'value="resolved"' in page and 'value="reopened"' not in page  # only valid next statuses
    sent = OutboxMessage.objects.count()
    response = client.post(reverse("query-comment", args=[hc.q_in.pk]), {"comment-text": "Use the Custody tab", "comment-to_requester": "1"})
    assert response.status_code == 302 and response["Location"] == url
    assert OutboxMessage.objects.count() == sent + 1
    assert OutboxMessage.objects.latest("pk").to_address == "p100001@example.police.uk"
    response = client.post(reverse("query-transition", args=[hc.q_in.pk]), {"transition-status": "resolved", "transition-comment": "Fixed"})
    assert response.status_code == 302
    query = Query.objects.get(pk=hc.q_in.pk)
    assert query.status == "resolved" and query.resolved_at is not None and query.first_response_at is not None
    assert QueryEvent.objects.filter(query=query, kind="status", to_value="resolved", text="Fixed", to_requester=True).exists()


def test_action_errors_keep_the_input(client: Any, hc: Hypercare) -> None:
    client.force_login(hc.world.users["lead"])
    response = client.post(reverse("query-transition", args=[hc.q_in.pk]), {"transition-status": "reopened", "transition-comment": "Kept text"})
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body and "Choose one of the statuses listed" in body
    assert "Kept text" in body
    response = client.post(reverse("query-comment", args=[hc.q_in.pk]), {"comment-text": "   ", "comment-to_requester": "0"})
    assert "Write the comment" in response.content.decode()
    response = client.post(reverse("query-assign", args=[hc.q_in.pk]), {"assign-assignee": hc.world.users["lead2"].pk})
    assert "Choose someone on the support team" in response.content.decode()
    assert Query.objects.get(pk=hc.q_in.pk).status == "new"


def test_change_priority_category_and_impact(client: Any, hc: Hypercare) -> None:
    client.force_login(hc.world.users["lead"])
    process = hc.a.categories.get(code="process")
    response = client.post(reverse("query-edit", args=[hc.q_in.pk]), {"edit-priority": "P1", "edit-category": process.pk, "edit-impact_line": ""})
    assert response.status_code == 302
    query = Query.objects.get(pk=hc.q_in.pk)
    assert query.priority == "P1" and query.category == process
    assert set(query.events.values_list("kind", flat=True)) == {"created", "priority", "category"}
    other = hc.b.categories.get(code="other")
    response = client.post(reverse("query-edit", args=[hc.q_in.pk]), {"edit-priority": "P1", "edit-category": other.pk})
    assert response.status_code == 200 and "Choose one of this period&#x27;s categories" in response.content.decode()


def test_champion_raises_on_behalf_of_someone_in_their_units(client: Any, hc: Hypercare) -> None:
    champion = hc.world.users["champion"]
    client.force_login(champion)
    url = reverse("query-create", args=[hc.a.pk])
    page = client.get(url).content.decode()
    assert "How it was raised" not in page  # a champion raises on behalf, never as the support team
    data = {"person": hc.world.staff_in.email.upper(), "category": hc.a.categories.get(code="training_gap").pk, "priority": "P3",
            "title": "Rota screen", "description": "Cannot find it"}
    response = client.post(url, data)
    query = Query.objects.get(title="Rota screen")
    assert response.status_code == 302 and response["Location"] == query.get_absolute_url()
    assert query.unit == hc.world.team and query.source == "on_behalf" and query.raised_by == champion
    assert query.contact_email == hc.world.staff_in.email
    # Someone outside their units reads as not found; the typed text stays.
    outside = client.post(url, {**data, "person": hc.world.staff_out.staff_number, "title": "Camden problem"})
    body = outside.content.decode()
    assert outside.status_code == 200 and "No current member of staff in your units" in body and "Camden problem" in body
    # Or the unit among theirs, when the person cannot be named.
    response = client.post(url, {**data, "person": "", "unit": hc.world.westminster.pk, "title": "Unit-wide"})
    assert response.status_code == 302 and Query.objects.get(title="Unit-wide").contact_email == ""
    refused = client.post(url, {**data, "person": "", "unit": hc.world.camden.pk, "title": "Not mine"})
    assert "Choose one of the units listed" in refused.content.decode()
    missing = client.post(url, {**data, "person": "", "title": "Nobody"})
    assert "Enter the person&#x27;s staff number or email, or choose the unit" in missing.content.decode()


def test_support_team_raises_for_anyone_as_support(client: Any, hc: Hypercare) -> None:
    make_staff("300001", hc.world.camden, first_name="Casey", last_name="Elsewhere")
    client.force_login(hc.support_champion)
    url = reverse("query-create", args=[hc.a.pk])
    response = client.post(url, {"person": "300001", "category": hc.a.categories.get(code="access").pk, "priority": "P2",
                                 "title": "Locked out", "source": "support"})
    query = Query.objects.get(title="Locked out")
    assert response.status_code == 302 and query.source == "support" and query.contact_name == "Casey Elsewhere"


def test_queue_shows_sla_state_filters_and_sorts_by_time_remaining(client: Any, hc: Hypercare) -> None:
    import datetime as dt

    from django.utils import timezone

    # A P1 raised well over a working day ago has breached its response target; the P3s still run.
    late = query_create(period=hc.a, category=hc.a.categories.get(code="defect"), title="Nothing saves", priority="P1", actor=None,
                        source=Query.Source.SUPPORT, unit=hc.world.westminster, created_at=timezone.now() - dt.timedelta(days=8))
    client.force_login(hc.world.users["lead"])
    url = reverse("period-queries", args=[hc.a.pk])
    page = client.get(url).content.decode()
    assert "Breached" in page and "Response: Breached by" in page
    assert refs(client.get(url, {"sla": "breached"})) == {late.reference}
    assert late.reference not in refs(client.get(url, {"sla": "running"}))
    body = client.get(url, {"order": "sla"}).content.decode()
    assert body.index(late.reference) < body.index(hc.q_in.reference) and body.index(late.reference) < body.index(hc.q_out.reference)
    body = client.get(url, {"order": "newest"}).content.decode()
    assert body.index(hc.q_out.reference) < body.index(hc.q_in.reference) < body.index(late.reference)
    # SLA order with a column sort asked for as well: the SLA order stands, nothing breaks.
    assert client.get(url, {"order": "sla", "sort": "reference"}).status_code == 200


def test_query_page_shows_its_clocks(client: Any, hc: Hypercare) -> None:
    client.force_login(hc.world.users["lead"])
    page = client.get(reverse("query-detail", args=[hc.q_in.pk])).content.decode()
    assert 'id="sla-response"' in page and "10 h" in page and "50 h" in page  # P3: 600 and 3000 working minutes


def test_the_support_side_attaches_a_file_and_downloads_it(client: Any, hc: Hypercare, settings: Any, tmp_path: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ..models import Attachment

    settings.MEDIA_ROOT = tmp_path
    client.force_login(hc.support_lead)
    page = client.get(reverse("query-detail", args=[hc.q_in.pk])).content.decode()
    assert reverse("query-attach", args=[hc.q_in.pk]) in page and 'enctype="multipart/form-data"' in page
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    lying = client.post(reverse("query-attach", args=[hc.q_in.pk]), {"attach-file": SimpleUploadedFile("notes.pdf", b"MZ\x90\x00")})
    assert lying.status_code == 200 and "notes.pdf: " in lying.content.decode() and not Attachment.objects.exists()
    done = client.post(reverse("query-attach", args=[hc.q_in.pk]), {"attach-file": SimpleUploadedFile("steps.pdf", pdf, "application/pdf")})
    assert done.status_code == 302
    attachment = Attachment.objects.get(query=hc.q_in)
    page = client.get(reverse("query-detail", args=[hc.q_in.pk])).content.decode()
    assert reverse("attachment-download", args=[attachment.pk]) in page and "steps.pdf" in page
    download = client.get(reverse("attachment-download", args=[attachment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == pdf
    # Someone who reads the query but does not work it sees the download link but no upload form.
    client.force_login(hc.world.users["auditor"])
    page = client.get(reverse("query-detail", args=[hc.q_in.pk])).content.decode()
    assert reverse("attachment-download", args=[attachment.pk]) in page and reverse("query-attach", args=[hc.q_in.pk]) not in page


def test_assignee_choices_hold_after_the_filters_fields_were_built_elsewhere(client: Any, hc: Hypercare) -> None:
    """The API schema and the fuzz build the filter set's fields on the class
    first (django-filter caches a filter's field); the queue must still offer
    and accept this period's assignees."""
    from ..filtersets.queries import QueryFilterSet

    for built in QueryFilterSet.base_filters.values():
        assert built.field is not None
    query_assign(query=hc.q_in, assignee=hc.support_lead, actor=None)
    client.force_login(hc.support_lead)
    url = reverse("period-queries", args=[hc.a.pk])
    assert refs(client.get(url, {"assignee": str(hc.support_lead.pk)})) == {hc.q_in.reference}
