"""Programme services, pages and API writes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from changeboard.core.models import AuditEntry
from changeboard.portfolio import services
from changeboard.portfolio.models import Milestone, Programme, RolloutWave


def test_programme_create_and_update_are_audited(world: Any) -> None:
    admin = world.users["admin"]
    programme = services.programme_create(actor=admin, code="NEW", name="New work", status="proposed", phase="discovery")
    created = AuditEntry.objects.get(object_type="portfolio.programme", object_id=str(programme.pk), action="create")
    assert created.after is not None
    assert created.actor == admin and created.after["code"] == "NEW" and created.before is None
    services.programme_update(programme=programme, actor=admin, phase="design")
    updated = AuditEntry.objects.get(object_type="portfolio.programme", object_id=str(programme.pk), action="update")
    assert updated.before is not None and updated.after is not None
    assert updated.before["phase"] == "discovery" and updated.after["phase"] == "design"
    assert [c[0] for c in updated.changed_fields] == ["phase"]
    # Saving without a change writes no audit row.
    services.programme_update(programme=programme, actor=admin, phase="design")
    assert AuditEntry.objects.filter(object_id=str(programme.pk), object_type="portfolio.programme").count() == 2


def test_programme_codes_are_unique(world: Any) -> None:
    with pytest.raises(ValidationError):
        services.programme_create(actor=world.users["admin"], code="AAA", name="Duplicate")


def test_wave_save_records_units_and_delete_is_audited(world: Any) -> None:
    lead = world.users["lead"]
    wave = services.wave_save(programme=world.programme_a, actor=lead, units=[world.westminster, world.camden], name="Wave 2", go_live_date=dt.date(2027, 6, 1))
    entry = AuditEntry.objects.get(object_type="portfolio.rolloutwave", object_id=str(wave.pk))
    assert entry.after is not None
    assert sorted(entry.after["units"]) == sorted([world.westminster.pk, world.camden.pk])
    pk = wave.pk
    services.wave_delete(wave=wave, actor=lead)
    assert not RolloutWave.objects.filter(pk=pk).exists()
    deleted = AuditEntry.objects.get(object_type="portfolio.rolloutwave", action="delete", object_id=str(pk))
    assert deleted.before is not None
    assert deleted.before["name"] == "Wave 2" and deleted.after is None


def test_create_programme_through_the_page(client: Any, world: Any) -> None:
    client.force_login(world.users["admin"])
    response = client.post("/programmes/new/", {"code": "CMS", "name": "Case Management", "description": "", "status": "active", "phase": "build", "change_lead": world.users["lead"].pk})
    programme = Programme.objects.get(code="CMS")
    assert response.status_code == 302 and response["Location"] == programme.get_absolute_url()
    assert programme.change_lead == world.users["lead"]


def test_programme_form_shows_errors(client: Any, world: Any) -> None:
    client.force_login(world.users["admin"])
    response = client.post("/programmes/new/", {"code": "", "name": "", "status": "active", "phase": "build"})
    assert response.status_code == 200
    assert b"There is a problem" in response.content and b"govuk-error-message" in response.content
    assert Programme.objects.count() == 2


def test_lead_adds_milestone_and_wave_through_pages(client: Any, world: Any) -> None:
    client.force_login(world.users["lead"])
    pk = world.programme_a.pk
    r = client.post(f"/programmes/{pk}/milestones/new/", {"name": "Go-live readiness review", "due_date": "2027-02-01"})
    assert r.status_code == 302
    assert Milestone.objects.filter(programme=world.programme_a, name="Go-live readiness review").exists()
    r = client.post(f"/programmes/{pk}/waves/new/", {"name": "Wave 2", "go_live_date": "2027-05-01", "units": [world.north.pk]})
    assert r.status_code == 302
    wave = RolloutWave.objects.get(programme=world.programme_a, name="Wave 2")
    assert list(wave.units.all()) == [world.north]
    detail = client.get(f"/programmes/{pk}/")
    assert b"Wave 2" in detail.content and b"1 May 2027" in detail.content
    r = client.post(f"/programmes/{pk}/milestones/{world.milestone_a.pk}/delete/")
    assert r.status_code == 302 and not Milestone.objects.filter(pk=world.milestone_a.pk).exists()


def test_out_of_scope_lead_cannot_write(client: Any, world: Any) -> None:
    client.force_login(world.users["lead2"])
    pk = world.programme_a.pk
    assert client.post(f"/programmes/{pk}/edit/", {"code": "AAA", "name": "Hijack", "status": "active", "phase": "build"}).status_code == 404
    assert client.post(f"/programmes/{pk}/waves/{world.wave_a.pk}/delete/").status_code == 404
    assert client.patch(f"/api/v1/programmes/{pk}/", {"name": "Hijack"}, content_type="application/json").status_code == 404
    world.programme_a.refresh_from_db()
    assert world.programme_a.name == "Shared Services" and RolloutWave.objects.filter(pk=world.wave_a.pk).exists()


def test_api_update_goes_through_the_service(client: Any, world: Any) -> None:
    client.force_login(world.users["lead"])
    r = client.patch(f"/api/v1/programmes/{world.programme_a.pk}/", {"phase": "test"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["phase"] == "test"
    assert AuditEntry.objects.filter(object_type="portfolio.programme", actor=world.users["lead"], action="update").exists()


def test_api_token_authentication(client: Any, world: Any) -> None:
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=world.users["board"])
    r = client.get("/api/v1/programmes/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert r.status_code == 200 and r.json()["count"] == 2
    assert client.get("/api/v1/programmes/", HTTP_AUTHORIZATION="Token wrong").status_code == 401


def test_programme_list_filters_and_next_go_live(client: Any, world: Any, django_assert_max_num_queries: Any) -> None:
    client.force_login(world.users["board"])
    with django_assert_max_num_queries(12):
        r = client.get("/programmes/?phase=design")
    assert b"BBB" in r.content and b"AAA" not in r.content
    assert b"1 Apr 2027" in r.content
