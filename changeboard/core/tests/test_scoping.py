"""The scoping base (`core.scoping`) and the system check behind it, with
matrix cases for the rules that moved from views onto the models: a
champion's criterion statuses and evidence (pages and API), the change-load
pages' drafts, and `restrict()` on UnitScore, ElementTally and PendingUpload."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.core.checks import run_checks
from django.db import models
from django.test.utils import isolate_apps
from django.urls import reverse

from changeboard.core.models import PendingUpload
from changeboard.core.scoping import ScopedQuerySet, check_scoped_managers
from changeboard.core.tests.test_permissions import HIDDEN, OK, PERSONAS, _client
from changeboard.impacts import services as impact_services
from changeboard.impacts.models import ImpactAssessment
from changeboard.organisation.services import unit_ensure_path
from changeboard.readiness.models import Criterion, CriterionStatus, ElementTally, Evidence, UnitScore
from changeboard.surveys.models import Instrument, SurveyWave

# ---------------------------------------------------------------------------
# The check


@isolate_apps("changeboard.core")
def test_the_check_fires_for_a_model_with_role_actions_and_no_scoped_manager() -> None:
    class Unscoped(models.Model):
        role_actions = {"board": {"view"}}

        class Meta:
            app_label = "core"

    class Scoped(models.Model):
        role_actions = {"board": {"view"}}
        objects = ScopedQuerySet.as_manager()

        class Meta:
            app_label = "core"

    class Plain(models.Model):  # no role_actions: not the check's business
        class Meta:
            app_label = "core"

    errors = check_scoped_managers(app_configs=[SimpleNamespace(get_models=lambda: [Unscoped, Scoped, Plain])])
    assert [(e.id, e.obj) for e in errors] == [("changeboard.E010", Unscoped)]


@pytest.mark.django_db  # Django's own model checks may ask the database what it supports
def test_the_project_passes_the_check() -> None:
    assert check_scoped_managers() == []
    assert [m for m in run_checks() if m.id == "changeboard.E010"] == []


def test_every_model_with_role_actions_reads_through_restrict() -> None:
    declared = [m for m in apps.get_models() if "role_actions" in {n for k in m.__mro__ for n in vars(k)}]
    assert {UnitScore, ElementTally, PendingUpload} <= set(declared)
    for model in declared:
        assert isinstance(model._default_manager.all(), ScopedQuerySet), model


# ---------------------------------------------------------------------------
# A champion's criterion statuses and evidence (the rule moved from the views)


@pytest.fixture
def criteria(world: Any) -> Any:
    """Statuses of one programme A criterion for the champion's unit
    (Westminster), one below (the team), one above (Central West) and a
    sibling (Kensington, same BCU), each with a unit's evidence."""
    world.kensington = unit_ensure_path(full_path="Test Force > Frontline Policing > Central West BCU > Kensington", actor=None)
    criterion = Criterion.objects.create(programme=world.programme_a, title="Staff trained")
    units = {"own": world.westminster, "below": world.team, "above": world.central_west, "sibling": world.kensington}
    world.criterion = criterion
    world.statuses = {k: CriterionStatus.objects.create(criterion=criterion, unit=u, rag="red") for k, u in units.items()}
    world.evidence = {k: Evidence.objects.create(criterion=criterion, unit=u, title=f"Plan {k}", url="https://example.org") for k, u in units.items()}
    world.evidence["programme"] = Evidence.objects.create(criterion=criterion, title="Plan programme", url="https://example.org")
    return world


SEES_ALL_OF_A = {"admin": True, "board": True, "lead": True, "lead2": False, "champion": True, "auditor": False}
CHAMPION_SEES = {"own": True, "below": True, "above": True, "sibling": False, "programme": True}


def _expected(persona: str, where: str) -> bool:
    return SEES_ALL_OF_A[persona] and (persona != "champion" or CHAMPION_SEES[where])


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
def test_restrict_follows_the_champion_unit_rule(criteria: Any, persona: str) -> None:
    user = criteria.users[persona]
    seen = set(CriterionStatus.objects.restrict(user).values_list("pk", flat=True))
    assert seen == {s.pk for k, s in criteria.statuses.items() if _expected(persona, k)}
    seen = set(Evidence.objects.restrict(user).values_list("pk", flat=True))
    assert seen == {e.pk for k, e in criteria.evidence.items() if _expected(persona, k)}


@pytest.mark.parametrize("persona", ["admin", "board", "lead", "lead2", "champion"])
@pytest.mark.parametrize("where", ["own", "below", "above", "sibling"])
def test_api_criterion_status_and_evidence_detail(client: Any, criteria: Any, persona: str, where: str) -> None:
    c = _client(client, criteria, persona)
    expected = OK if _expected(persona, where) else HIDDEN
    status = criteria.statuses[where]
    assert c.get(reverse("api-criterion-status-detail", args=[status.pk]), HTTP_ACCEPT="application/json").status_code == expected
    evidence = criteria.evidence[where]
    assert c.get(reverse("api-evidence-detail", args=[evidence.pk]), HTTP_ACCEPT="application/json").status_code == expected


@pytest.mark.parametrize("persona", ["admin", "board", "lead", "champion"])
def test_api_lists_and_counts_follow_the_rule(client: Any, criteria: Any, persona: str) -> None:
    c = _client(client, criteria, persona)
    listed = c.get(reverse("api-criterion-status-list"), {"criterion": criteria.criterion.pk}, HTTP_ACCEPT="application/json").json()
    assert {r["id"] for r in listed["results"]} == {s.pk for k, s in criteria.statuses.items() if _expected(persona, k)}
    evidence = c.get(reverse("api-evidence-list"), {"criterion": criteria.criterion.pk}, HTTP_ACCEPT="application/json").json()
    assert {r["id"] for r in evidence["results"]} == {e.pk for k, e in criteria.evidence.items() if _expected(persona, k)}
    counted = c.get(reverse("api-criterion-detail", args=[criteria.criterion.pk]), HTTP_ACCEPT="application/json").json()
    assert counted["units"]["red"] == (3 if persona == "champion" else 4)


@pytest.mark.parametrize("persona", ["admin", "board", "lead", "champion"])
def test_pages_follow_the_rule(client: Any, criteria: Any, persona: str) -> None:
    c = _client(client, criteria, persona)
    detail = c.get(criteria.criterion.get_absolute_url())
    assert detail.status_code == OK
    shown = {s.pk for s in detail.context["statuses"]}
    assert shown == {s.pk for k, s in criteria.statuses.items() if _expected(persona, k)}
    assert {e.pk for e in detail.context["evidence"]} == {e.pk for k, e in criteria.evidence.items() if _expected(persona, k)}
    matrix = c.get(reverse("criteria-list", args=[criteria.programme_a.pk])).content.decode()
    assert ("Kensington" in matrix) is (persona != "champion")
    assert "Westminster" in matrix


# ---------------------------------------------------------------------------
# The change-load pages: approved assessments count for everyone, drafts only
# where the user may see them (the rule moved from impacts/views/load.py)


@pytest.fixture
def drafts(world: Any) -> Any:
    admin = world.users["admin"]
    today = dt.date.today()
    draft = impact_services.assessment_create(programme=world.programme_a, title="AAA draft", actor=admin)
    impact_services.line_save(assessment=draft, actor=admin, units=[world.westminster], title="Draft change", severity=3,
                              start_date=today, end_date=today + dt.timedelta(weeks=2), hours_per_person=Decimal("1"), dimensions={})
    world.draft = draft
    return world


DRAFT_COUNTS = {"admin": True, "board": False, "lead": True, "lead2": False, "champion": False}


@pytest.mark.parametrize("persona", list(DRAFT_COUNTS))
def test_load_pages_count_drafts_only_for_their_programme_team(client: Any, drafts: Any, persona: str) -> None:
    user = drafts.users[persona]
    assert ImpactAssessment.objects.counting_load(user).filter(pk=drafts.draft.pk).exists() is DRAFT_COUNTS[persona]
    page = _client(client, drafts, persona).get(reverse("heatmap"), {"drafts": "on"})
    assert page.status_code == OK
    assert page.context["line_count"] == (1 if DRAFT_COUNTS[persona] else 0)


def test_approved_assessments_count_for_everyone(drafts: Any) -> None:
    admin = drafts.users["admin"]
    impact_services.assessment_submit(assessment=drafts.draft, actor=None)  # nobody approves their own submission
    impact_services.assessment_approve(assessment=drafts.draft, actor=admin)
    for persona in DRAFT_COUNTS:
        assert ImpactAssessment.objects.counting_load(drafts.users[persona]).filter(pk=drafts.draft.pk).exists()


# ---------------------------------------------------------------------------
# UnitScore, ElementTally and PendingUpload now have scoped managers


@pytest.fixture
def scores(world: Any) -> Any:
    instrument = Instrument.objects.create(name="Readiness")
    day = dt.date(2027, 1, 4)
    wave_a = SurveyWave.objects.create(programme=world.programme_a, instrument=instrument, title="A", opens_on=day, closes_on=day, status="closed")
    wave_b = SurveyWave.objects.create(programme=world.programme_b, instrument=instrument, title="B", opens_on=day, closes_on=day, status="closed")
    rows = {"a_own": (wave_a, world.westminster), "a_below": (wave_a, world.team), "a_above": (wave_a, world.central_west),
            "b_camden": (wave_b, world.camden)}
    world.scores = {k: UnitScore.objects.create(wave=w, unit=u) for k, (w, u) in rows.items()}
    world.tallies = {k: ElementTally.objects.create(wave=w, unit=u, role_group="officer", element="awareness", source="survey")
                     for k, (w, u) in rows.items()}
    world.uploads = {p: PendingUpload.objects.create(kind="staff", uploaded_by=world.users[p], original_filename="x.csv")
                     for p in ("admin", "lead")}
    return world


SCORES_SEEN = {
    "admin": {"a_own", "a_below", "a_above", "b_camden"},
    "board": {"a_own", "a_below", "a_above", "b_camden"},
    "lead": {"a_own", "a_below", "a_above"},
    "lead2": {"b_camden"},
    "champion": {"a_own", "a_below"},  # their units and below, of the programmes going live there
    "auditor": set(),
}


@pytest.mark.parametrize("persona", list(SCORES_SEEN))
def test_scores_tallies_and_uploads_restrict(scores: Any, persona: str) -> None:
    user = scores.users[persona]
    assert set(UnitScore.objects.restrict(user).values_list("pk", flat=True)) == {scores.scores[k].pk for k in SCORES_SEEN[persona]}
    assert set(ElementTally.objects.restrict(user).values_list("pk", flat=True)) == {scores.tallies[k].pk for k in SCORES_SEEN[persona]}
    uploads = set(PendingUpload.objects.restrict(user).values_list("pk", flat=True))
    assert uploads == ({u.pk for u in scores.uploads.values()} if persona == "admin" else set())
