"""Guards found in review: ownership, empty periods, waves in use, scope of
secondary lists, and query counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from changeboard.impacts import load, services
from changeboard.impacts.models import ImpactAssessment, ImpactLine
from changeboard.organisation.models import Unit
from changeboard.portfolio import services as portfolio_services

from .conftest import JAN4


def test_only_admins_change_a_programmes_change_lead(client: Any, world: Any) -> None:
    lead, board = world.users["lead"], world.users["board"]
    client.force_login(lead)
    page = client.get(f"/programmes/{world.programme_a.pk}/edit/").content.decode()
    assert 'name="change_lead"' not in page and 'name="sro"' not in page
    r = client.patch(f"/api/v1/programmes/{world.programme_a.pk}/", {"change_lead": world.users["lead2"].pk}, content_type="application/json")
    assert r.status_code == 400
    r = client.patch(f"/api/v1/programmes/{world.programme_a.pk}/", {"sro": board.pk}, content_type="application/json")
    assert r.status_code == 400
    world.programme_a.refresh_from_db()
    assert world.programme_a.change_lead == lead and world.programme_a.sro is None
    client.force_login(world.users["admin"])
    r = client.patch(f"/api/v1/programmes/{world.programme_a.pk}/", {"sro": board.pk}, content_type="application/json")
    assert r.status_code == 200
    # A change lead must be a change manager.
    r = client.patch(f"/api/v1/programmes/{world.programme_a.pk}/", {"change_lead": board.pk}, content_type="application/json")
    assert r.status_code == 400


def test_wave_lines_need_a_period(world: Any) -> None:
    a = services.assessment_create(programme=world.programme_a, title="X", actor=None)
    with pytest.raises(ValidationError):
        services.line_save(assessment=a, actor=None, units=[world.team], title="Nothing", severity=3, wave=world.wave_a,
                           weeks_before_go_live=0, weeks_after_go_live=0)


def test_an_empty_period_does_not_break_the_heatmap(scenario: Any) -> None:
    w = scenario
    # Written directly, as old data or another path might: no weeks either side of a Monday go-live.
    line = ImpactLine.objects.create(assessment=w.assessments[0], title="Empty", severity=3, wave=w.wave_a,
                                     weeks_before_go_live=0, weeks_after_go_live=0)
    line.units.set([w.team])
    services.reach_refresh(line)
    heatmap = load.compute(load.LoadFilters(start=JAN4, end=dt.date(2027, 3, 29)), list(Unit.objects.all()), ImpactAssessment.objects.all())
    assert heatmap.active[heatmap.lines.index(line)].sum() == 0


def test_a_wave_that_lines_follow_cannot_be_deleted(scenario: Any, client: Any) -> None:
    w = scenario
    a = services.assessment_create(programme=w.programme_a, title="Tied", actor=None)
    services.line_save(assessment=a, actor=None, units=[w.team], title="Go-live", severity=2, wave=w.wave_a)
    with pytest.raises(ValidationError):
        portfolio_services.wave_delete(wave=w.wave_a, actor=None)
    client.force_login(w.users["lead"])
    r = client.post(f"/programmes/{w.programme_a.pk}/waves/{w.wave_a.pk}/delete/", follow=True)
    assert "Impact lines follow this wave" in r.content.decode()
    assert w.wave_a.__class__.objects.filter(pk=w.wave_a.pk).exists()


def test_unit_page_lists_only_waves_in_scope(client: Any, world: Any) -> None:
    wave = world.wave_b
    wave.units.add(world.central_west)
    client.force_login(world.users["lead"])
    body = client.get(f"/units/{world.central_west.pk}/").content.decode()
    assert "AAA" in body and "BBB" not in body


def test_roles_list_keeps_to_the_units_in_view(client: Any, scenario: Any) -> None:
    w = scenario
    from changeboard.portfolio.models import Programme

    for code in ("CCC", "DDD"):
        p = Programme.objects.create(code=code, name=code)
        a = services.assessment_create(programme=p, title=code, actor=None)
        services.line_save(assessment=a, actor=None, units=[w.camden], roles=["Response officer"], title=code, severity=1,
                           start_date=JAN4, end_date=dt.date(2027, 1, 10))
        services.assessment_submit(assessment=a, actor=None)
        services.assessment_approve(assessment=a, actor=None)
    client.force_login(w.users["admin"])
    assert "CCC" in client.get("/impacts/hotspots/?start=2027-01-04&weeks=4").content.decode()
    client.force_login(w.users["champion"])  # Westminster only: Camden's programmes are out of view
    assert "CCC" not in client.get("/impacts/hotspots/?start=2027-01-04&weeks=4").content.decode()


def test_proposals_and_units_api_query_counts(client: Any, scenario: Any, django_assert_max_num_queries: Any) -> None:
    w = scenario
    for week in range(12):
        services.proposal_create(wave=w.wave_a, proposed_date=dt.date(2027, 5, 3) + dt.timedelta(weeks=week), actor=None)
    client.force_login(w.users["admin"])
    with django_assert_max_num_queries(12):
        assert client.get("/impacts/proposals/").status_code == 200
    with django_assert_max_num_queries(10):
        units = client.get("/api/v1/units/").json()["results"]
    by_name = {u["name"]: u for u in units}
    assert by_name["Westminster"]["parent"] == w.central_west.pk
    client.force_login(w.users["champion"])
    top = {u["name"]: u for u in client.get("/api/v1/units/").json()["results"]}["Westminster"]
    assert top["parent"] is None  # the champion cannot see Central West BCU
