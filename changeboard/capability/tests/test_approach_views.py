"""The approach's pages and API at work: the document with its scope and
live evidence, the workflow buttons, versions and what changed, the PDF,
and the Board dashboard's section."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from changeboard.conftest import make_staff
from changeboard.network.tests.coverage_data import assess, champion

from ..models import Approach, ApproachVersion, GroupApproach
from ..services import approach as services
from .approach_data import Data, approve, build


@pytest.fixture
def d(world: Any) -> Data:
    return build(world)


def page(client: Any, user: Any, name: str, *args: Any, query: str = "") -> str:
    client.force_login(user)
    response = client.get(reverse(name, args=args) + query)
    assert response.status_code == 200
    return response.content.decode()


def test_detail_shows_scope_from_impacts_and_evidence_beside_the_promise(client: Any, d: Data) -> None:
    w = d.world
    assess(w.programme_a, [w.westminster])
    for n in range(2, 10):
        make_staff(f"10000{n}", w.team)
    champion(w.staff_in, [(w.programme_a, 2)], [w.westminster])
    html = page(client, w.users["lead"], "approach-detail", d.approach.pk)
    assert "Scope and impacted groups" in html and "Westminster" in html
    assert f"{reverse('group-approach-add', args=[d.approach.pk])}?unit={w.westminster.pk}" in html
    assert "1:25" in html and "1:9" in html and "Not holding" not in html and "Holding" in html
    assert "Land the new duty system." in html and "The BCU commander briefs every team." in html
    assert "Submit for approval" in html and reverse("approach-approve", args=[d.approach.pk]) not in html


def test_not_holding_and_no_data_are_shown(client: Any, d: Data) -> None:
    html = page(client, d.world.users["board"], "approach-detail", d.approach.pk)
    assert "No data yet" in html and "no impacted people yet" in html
    assert "Edit the sections" not in html and "Submit for approval" not in html


def test_submitter_sees_no_approve_button_another_change_manager_does(client: Any, d: Data) -> None:
    services.approach_submit(approach=d.approach, actor=d.world.users["lead"], note="v1")
    html = page(client, d.world.users["lead"], "approach-detail", d.approach.pk)
    assert "You submitted it" in html and f'href="{reverse("approach-approve", args=[d.approach.pk])}"' not in html
    html = page(client, d.lead_b, "approach-detail", d.approach.pk)
    assert f'href="{reverse("approach-approve", args=[d.approach.pk])}"' in html


def test_approve_page_by_the_submitter_shows_the_refusal(client: Any, d: Data) -> None:
    services.approach_submit(approach=d.approach, actor=d.world.users["lead"], note="v1")
    client.force_login(d.world.users["lead"])
    response = client.post(reverse("approach-approve", args=[d.approach.pk]), {})
    assert response.status_code == 200 and "You submitted this approach" in response.content.decode()
    assert not ApproachVersion.objects.exists()


def test_versions_list_and_version_detail_show_what_changed(client: Any, d: Data) -> None:
    approve(d, note="First version")
    services.approach_update(approach=d.approach, actor=d.world.users["lead"], risks="Nights miss briefings.")
    services.approach_submit(approach=d.approach, actor=d.world.users["lead"], note="Risks added")
    services.approach_approve(approach=d.approach, actor=d.lead_b)
    html = page(client, d.world.users["auditor"], "approach-versions", d.approach.pk)
    assert "v2" in html and "v1" in html and "Risks added" in html and "First version" in html
    html = page(client, d.world.users["auditor"], "approach-version", d.approach.pk, 2)
    assert "What changed since version 1" in html and "Nights miss briefings." in html and "Risks" in html


def test_edit_after_approval_warns_and_goes_to_draft(client: Any, d: Data) -> None:
    approve(d)
    html = page(client, d.world.users["lead"], "approach-edit", d.approach.pk)
    assert "saving puts it back to draft" in html and "v1 stays" in html
    client.post(reverse("approach-edit", args=[d.approach.pk]), {"objectives": "New", "change_note": "Sharper objectives"})
    approach = Approach.objects.get(pk=d.approach.pk)
    assert (approach.status, approach.version, approach.objectives) == (Approach.Status.DRAFT, 1, "New")


def test_group_add_prefills_from_the_scope_link_and_saves(client: Any, d: Data) -> None:
    w = d.world
    html = page(client, w.users["lead"], "group-approach-add", d.approach.pk, query=f"?unit={w.camden.pk}&role_group=staff")
    assert f'value="{w.camden.pk}" selected' in html
    response = client.post(reverse("group-approach-add", args=[d.approach.pk]),
                           {"unit": w.camden.pk, "role_group": "staff", "training": "E-learning"})
    assert response.status_code == 302
    assert GroupApproach.objects.get(approach=d.approach, unit=w.camden).training == "E-learning"
    bad = client.post(reverse("group-approach-add", args=[d.approach.pk]), {"unit": w.camden.pk, "role_group": "staff"})
    assert bad.status_code == 200 and "already has its own approach" in bad.content.decode()


def test_list_shows_promises_held_and_start_links(client: Any, d: Data) -> None:
    html = page(client, d.world.users["admin"], "approach-list")
    assert "AAA: Shared Services" in html and "0 of 1" in html
    assert f"{reverse('approach-create')}?programme={d.world.programme_b.pk}" in html
    html = page(client, d.world.users["admin"], "approach-create", query=f"?programme={d.world.programme_b.pk}")
    assert f'value="{d.world.programme_b.pk}" selected' in html


def test_list_exports_csv(client: Any, d: Data) -> None:
    client.force_login(d.world.users["board"])
    response = client.get(reverse("approach-list") + "?export=csv")
    body = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    assert "AAA" in body and "Programme" in body


def test_pdf_renders_with_a_safe_name(client: Any, d: Data) -> None:
    approve(d)
    client.force_login(d.world.users["board"])
    response = client.get(reverse("approach-pdf", args=[d.approach.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="change-approach-aaa.pdf"'
    assert response.content.startswith(b"%PDF")


def test_board_dashboard_shows_the_approach_section(client: Any, d: Data) -> None:
    html = page(client, d.world.users["board"], "programme-dashboard", d.world.programme_a.pk)
    assert "Change approach: do its promises hold?" in html and "One champion for every 25 people impacted" in html


def test_api_flow_submit_approve_by_another_and_evidence(client: Any, d: Data) -> None:
    client.force_login(d.world.users["lead"])
    url = reverse("api-approach-submit", args=[d.approach.pk])
    assert client.post(url, {"note": "v1"}, content_type="application/json").status_code == 200
    approve_url = reverse("api-approach-approve", args=[d.approach.pk])
    refused = client.post(approve_url, {}, content_type="application/json")
    assert refused.status_code == 400 and "You submitted" in str(refused.json())
    client.force_login(d.lead_b)
    body = client.post(approve_url, {}, content_type="application/json").json()
    assert (body["status"], body["version"]) == ("approved", 1)
    evidence = client.get(reverse("api-approach-evidence", args=[d.approach.pk])).json()
    assert evidence["total"] == 1 and evidence["promises"][0]["holds"] is None
    versions = client.get(reverse("api-approach-version-list") + f"?approach={d.approach.pk}").json()
    assert versions["count"] == 1 and versions["results"][0]["changes"]


def test_strict_params_on_prefills(client: Any, d: Data) -> None:
    client.force_login(d.world.users["lead"])
    for value in ("²", "-1", "9" * 30, "\x00"):
        assert client.get(reverse("group-approach-add", args=[d.approach.pk]), {"unit": value}).status_code == 200
        assert client.get(reverse("approach-create"), {"programme": value}).status_code == 200


def test_api_changes_to_a_promise_or_group_put_an_approved_approach_back_to_draft(client: Any, d: Data) -> None:
    approve(d)
    client.force_login(d.world.users["lead"])
    response = client.patch(reverse("api-approach-promise-detail", args=[d.promise.pk]), {"target": "30"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["target"] == "30.0"
    approach = Approach.objects.get(pk=d.approach.pk)
    assert (approach.status, approach.version) == (Approach.Status.DRAFT, 1)
    assert client.delete(reverse("api-approach-group-detail", args=[d.group.pk])).status_code == 204
    assert not GroupApproach.objects.filter(pk=d.group.pk).exists()
    assert ApproachVersion.objects.get(approach=approach, number=1).content["groups"]  # the approved version keeps it


def test_a_returned_draft_shows_why_until_it_is_submitted_again(client: Any, d: Data) -> None:
    services.approach_submit(approach=d.approach, actor=d.world.users["lead"], note="v1")
    services.approach_return(approach=d.approach, actor=d.lead_b, reason="Name the sponsor for nights")
    assert "Returned to draft: Name the sponsor for nights" in page(client, d.world.users["lead"], "approach-detail", d.approach.pk)
    services.approach_update(approach=d.approach, actor=d.world.users["lead"], risks="Nights")
    assert "Name the sponsor for nights" in page(client, d.world.users["lead"], "approach-detail", d.approach.pk)
    services.approach_submit(approach=d.approach, actor=d.world.users["lead"], note="v1 again")
    assert "Name the sponsor for nights" not in page(client, d.world.users["lead"], "approach-detail", d.approach.pk)
