"""The handover page and its plan pages, the dashboard, and the handover API:
statuses, evidence links for those who may read the audit trail, the plan
forms and their errors, and a bounded number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from changeboard.core.models import AuditEntry
from changeboard.core.tests.test_permissions import _client
from changeboard.reports.packs import pack_request

from ..handover import handover_view
from ..models import HandoverItem
from .coaching_data import Coaching, build


@pytest.fixture
def c(world: Any) -> Coaching:
    c = build(world)
    pack_request(as_of=timezone.localdate(), actor=world.users["champion"], notify=False)  # Alex prepared a board pack
    return c


def test_handover_page_shows_status_owner_and_evidence(client: Any, c: Coaching) -> None:
    entry = AuditEntry.objects.get(object_type="reports.boardpack")
    url = f"{reverse('handover')}?programme={c.world.programme_a.pk}"
    html = _client(client, c.world, "lead").get(url).content.decode()
    assert "The force runs <strong>1 of 6</strong> activities alone." in html
    assert "The force runs it alone" in html and "Not yet" in html
    assert f"{c.alex}: 1 time" in html
    assert reverse("audit-detail", args=[entry.pk]) not in html  # a change manager does not read the audit trail
    assert reverse("handover-item-edit", args=[c.item_a.pk]) in html and "Add to plan" in html
    auditor = _client(client, c.world, "auditor").get(url).content.decode()
    assert reverse("audit-detail", args=[entry.pk]) in auditor
    assert "Edit plan" not in auditor and "Add to plan" not in auditor


def test_handover_page_defaults_to_the_first_programme_and_refuses_bad_ids(client: Any, c: Coaching) -> None:
    api = _client(client, c.world, "admin")
    assert "Handover: AAA" in api.get(reverse("handover")).content.decode()
    for bad in ("²", "-1", "x", "999999"):
        assert api.get(f"{reverse('handover')}?programme={bad}").status_code == 404


def test_plan_add_with_errors_then_saved(client: Any, c: Coaching) -> None:
    api = _client(client, c.world, "lead")
    url = f"{reverse('handover-item-add')}?programme={c.world.programme_a.pk}&activity=comms"
    assert 'value="comms" selected' in api.get(url).content.decode()
    response = api.post(url, {"activity": "board_pack", "times_required": "2"})  # already planned
    assert response.status_code == 200 and "already in the programme" in response.content.decode()
    response = api.post(url, {"activity": "comms", "times_required": "0"})
    assert response.status_code == 200 and "Enter 1 or more" in response.content.decode()
    response = api.post(url, {"activity": "comms", "times_required": "3", "owner": c.alex.pk})
    assert response.status_code == 302
    item = HandoverItem.objects.get(activity="comms")
    assert (item.owner, item.times_required) == (c.alex, 3)
    assert AuditEntry.objects.filter(object_type="capability.handoveritem", object_id=str(item.pk), action="create").exists()


def test_handover_view_takes_a_few_queries(c: Coaching, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(10):
        rows = handover_view(c.world.programme_a)
    assert len(rows) == 6


def test_handover_api(client: Any, c: Coaching) -> None:
    data = _client(client, c.world, "board").get(f"{reverse('api-capability-handover')}?programme={c.world.programme_a.pk}",
                                                 HTTP_ACCEPT="application/json").json()
    assert (data["alone"], data["total"]) == (1, 6)
    pack = next(a for a in data["activities"] if a["activity"] == "board_pack")
    assert pack["status"] == "alone" and pack["owner"] == c.alex.pk and pack["people"][0]["times"] == 1
    assert pack["item"] == c.item_a.pk and pack["change_team"] == 0
