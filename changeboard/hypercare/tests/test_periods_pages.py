"""The period pages: opening hypercare for a wave with its defaults, the
period's page (counts, links, the raise link for the support side only),
changing it, its categories and its SLA targets (errors keep what was typed)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from changeboard.core.models import AuditEntry

from ..models import Category, Period, SlaTarget
from ..services.periods import category_add, category_update, sla_targets_update
from .test_hypercare_permissions import Hypercare


@pytest.fixture
def hc(world: Any) -> Hypercare:
    return Hypercare(world)


def test_lead_opens_hypercare_for_a_wave_with_the_defaults(client: Any, world: Any) -> None:
    client.force_login(world.users["lead"])
    page = client.get(reverse("period-create"))
    assert b"AAA \xe2\x80\x93 Wave 1" in page.content and b"BBB" not in page.content  # only waves of programmes they change
    response = client.post(reverse("period-create"), {"rollout_wave": world.wave_a.pk})
    period = Period.objects.get(rollout_wave=world.wave_a)
    assert response.status_code == 302 and response["Location"] == period.get_absolute_url()
    assert period.starts_on == dt.date(2027, 3, 1) and period.ends_on == dt.date(2027, 4, 12)
    assert period.categories.count() == 7 and period.sla_targets.count() == 4
    assert AuditEntry.objects.filter(object_type="hypercare.period", action="create").exists()


def test_lead_cannot_open_hypercare_for_another_programmes_wave(client: Any, world: Any) -> None:
    client.force_login(world.users["lead"])
    response = client.post(reverse("period-create"), {"rollout_wave": world.wave_b.pk, "ends_on": "2027-05-01"})
    assert response.status_code == 200 and b"Choose one of the rollout waves listed" in response.content
    assert not Period.objects.exists()


def test_create_errors_keep_the_input(client: Any, world: Any) -> None:
    client.force_login(world.users["lead"])
    response = client.post(reverse("period-create"), {"rollout_wave": world.wave_a.pk, "starts_on": "2027-03-01", "ends_on": "2027-02-01"})
    assert response.status_code == 200
    assert b"The period cannot end before go-live." in response.content
    assert b'value="2027-02-01"' in response.content and not Period.objects.exists()


def test_period_page_shows_counts_and_the_raise_link_only_to_the_support_side(client: Any, hc: Hypercare) -> None:
    client.force_login(hc.world.users["lead"])
    page = client.get(reverse("period-detail", args=[hc.a.pk]))
    body = page.content.decode()
    assert 'id="count-open">2<' in body and 'id="count-total">2<' in body
    assert reverse("period-queries", args=[hc.a.pk]) in body
    # The raise link (hc-public's `public-raise`) is there for the support side, with the import and the dashboard.
    assert "http://testserver" + reverse("public-raise", kwargs={"token": hc.a.public_token}) in body
    assert reverse("query-import", args=[hc.a.pk]) in body and reverse("period-dashboard", args=[hc.a.pk]) in body
    for persona in ("board", "champion", "auditor", "admin"):
        client.force_login(hc.world.users[persona])
        body = client.get(reverse("period-detail", args=[hc.a.pk])).content.decode()
        assert hc.a.public_token not in body and "raise-a-query link" not in body
    client.force_login(hc.support_champion)
    body = client.get(reverse("period-detail", args=[hc.a.pk])).content.decode()
    assert "raise-a-query link" in body and hc.a.public_token in body
    assert reverse("query-import", args=[hc.a.pk]) not in body  # importing is the change managers' (it changes the period)


def test_edit_the_period(client: Any, hc: Hypercare) -> None:
    client.force_login(hc.world.users["lead"])
    form = client.get(reverse("period-edit", args=[hc.a.pk])).content.decode()
    assert 'value="1" class="govuk-checkboxes__input" id="id_working_days_0" checked' in form or 'id="id_working_days_0" checked' in form
    data = {"starts_on": "2027-03-01", "ends_on": "2027-05-31", "working_days": ["1", "2", "3", "4", "5", "6"], "day_starts": "07:30",
            "day_ends": "19:00", "reopen_days": "14", "support_team": ""}
    response = client.post(reverse("period-edit", args=[hc.a.pk]), data)
    assert response.status_code == 302
    hc.a.refresh_from_db()
    assert hc.a.working_days == [1, 2, 3, 4, 5, 6] and hc.a.day_starts == dt.time(7, 30) and not hc.a.bank_holidays
    assert hc.a.support_team is None and hc.a.reopen_days == 14 and hc.a.ends_on == dt.date(2027, 5, 31)


def test_edit_errors_keep_the_input(client: Any, hc: Hypercare) -> None:
    client.force_login(hc.world.users["lead"])
    data = {"starts_on": "2027-03-01", "ends_on": "2027-05-31", "day_starts": "18:00", "day_ends": "08:00", "reopen_days": "14"}
    response = client.post(reverse("period-edit", args=[hc.a.pk]), data)
    body = response.content.decode()
    assert response.status_code == 200 and "Choose the days the support team works" in body
    assert 'value="18:00"' in body and 'value="2027-05-31"' in body
    data = {**data, "working_days": "1"}
    body = client.post(reverse("period-edit", args=[hc.a.pk]), data).content.decode()
    assert "The working day must end after it starts." in body
    hc.a.refresh_from_db()
    assert hc.a.day_starts == dt.time(8, 0)


def test_categories_add_rename_and_deactivate(client: Any, hc: Hypercare) -> None:
    client.force_login(hc.world.users["lead"])
    url = reverse("period-categories", args=[hc.a.pk])
    assert client.post(url, {"name": "Printing", "is_training_gap": "on"}).status_code == 302
    printing = hc.a.categories.get(name="Printing")
    assert printing.code == "printing" and printing.is_training_gap
    duplicate = client.post(url, {"name": "printing"})
    assert duplicate.status_code == 200 and b"already has a category with that name" in duplicate.content
    edit = reverse("period-category-edit", args=[hc.a.pk, printing.pk])
    assert client.post(edit, {"name": "Printing and scanning", "active": ""}).status_code == 302
    printing.refresh_from_db()
    assert printing.name == "Printing and scanning" and not printing.active and not printing.is_training_gap
    # A deactivated category is not offered for new queries, but keeps its place on the list.
    assert b"Printing and scanning" in client.get(url).content
    assert b"Printing and scanning" not in client.get(reverse("query-create", args=[hc.a.pk])).content


def test_the_last_category_in_use_stays(hc: Hypercare) -> None:
    from django.core.exceptions import ValidationError

    categories = list(hc.b.categories.all())
    for category in categories[:-1]:
        category_update(category=category, actor=None, active=False)
    with pytest.raises(ValidationError, match="at least one"):
        category_update(category=categories[-1], actor=None, active=False)
    assert category_add(period=hc.b, name="Printing", actor=None).code == "printing"
    assert category_add(period=hc.b, name="Printing!", actor=None).code == "printing_2"
    assert Category.objects.filter(period=hc.b, active=True).count() == 3


def test_sla_targets_in_hours_and_minutes(client: Any, hc: Hypercare) -> None:
    client.force_login(hc.world.users["lead"])
    url = reverse("period-sla", args=[hc.a.pk])
    page = client.get(url).content.decode()
    assert 'name="P1_response_minutes"' in page and 'value="30"' in page  # P1 responds in 30 working minutes by default
    data: dict[str, Any] = {}
    for p, (response, resolution) in {"P1": (15, 240), "P2": (60, 600), "P3": (600, 3000), "P4": (1200, 6000)}.items():
        data |= {f"{p}_response_hours": response // 60, f"{p}_response_minutes": response % 60,
                 f"{p}_resolution_hours": resolution // 60, f"{p}_resolution_minutes": resolution % 60}
    assert client.post(url, data).status_code == 302
    assert SlaTarget.objects.get(period=hc.a, priority="P1").response_minutes == 15
    assert SlaTarget.objects.get(period=hc.a, priority="P1").resolution_minutes == 240
    bad = {**data, "P2_response_minutes": "75", "P3_resolution_hours": "x"}
    body = client.post(url, bad).content.decode()
    assert "must be 59 or fewer" in body and "as a whole number" in body and 'value="75"' in body
    shorter = {**data, "P4_resolution_hours": "0", "P4_resolution_minutes": "5"}
    body = client.post(url, shorter).content.decode()
    assert "P4: the resolution target cannot be shorter than the response target." in body
    assert SlaTarget.objects.get(period=hc.a, priority="P4").resolution_minutes == 6000


def test_sla_targets_update_audits_only_changes(hc: Hypercare) -> None:
    before = AuditEntry.objects.filter(object_type="hypercare.slatarget").count()
    sla_targets_update(period=hc.a, targets={"P1": (30, 600), "P2": (90, 1200)}, actor=None)
    assert AuditEntry.objects.filter(object_type="hypercare.slatarget").count() == before + 1
