"""The capability seed on the demo force: the custody programme's approved
approach at version 2 with what changed, three journeys with ADKAR steps and
touchpoints to the programme's own records, a dozen practitioners assessed
twice, coaching sessions and the handover plan; the same rows from the same
seed; `seed --replace` clears and seeds again; and the met shape on the
small test world.

The demo force is seeded once for the module and cleared after (as the
network seed's test does)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import AutoField, Count, Max, Model
from django.test import override_settings
from django.utils import timezone

from changeboard.accounts.models import User
from changeboard.capability import demo_seeding as seeding
from changeboard.capability.models import (
    Approach,
    ApproachVersion,
    Assessment,
    CoachingSession,
    Competency,
    Framework,
    GroupApproach,
    HandoverItem,
    Journey,
    Measure,
    Practitioner,
    PractitionerRole,
    Promise,
    Rating,
    Step,
    Touchpoint,
)
from changeboard.core.models import AuditEntry, OutboxMessage
from changeboard.cutover.models import Task
from changeboard.devtools.seeding import clear_seeded_data, seed_force
from changeboard.engagement.models import EngagementPolicy, Message
from changeboard.network.models import Activity, NetworkPolicy
from changeboard.portfolio.models import Programme
from changeboard.surveys.models import Adkar, AudienceCell, SurveyPolicy, SurveyWave

pytestmark = pytest.mark.django_db

COMPETENCY_CODES = {"impact-assessment", "stakeholder-engagement", "communications", "readiness", "cutover", "hypercare", "coaching"}


def _high_water() -> dict[type[Model], int]:
    return {model: model._default_manager.aggregate(top=Max("pk"))["top"] or 0 for model in apps.get_models()
            if model._meta.managed and not model._meta.proxy and isinstance(model._meta.pk, AutoField)}


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dt.date]:
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        before = _high_water()
        seed_force(scale="demo")
        try:
            yield timezone.localdate()
        finally:
            clear_seeded_data(actor=None)
            kept = (OutboxMessage, AuditEntry, EngagementPolicy, SurveyPolicy, NetworkPolicy, Framework, Competency, PractitionerRole)
            for model in kept:
                model.objects.filter(pk__gt=before[model]).delete()
            left = {model._meta.label: n for model, top in before.items() if (n := model._default_manager.filter(pk__gt=top).count())}
            assert not left, f"the demo seed left rows behind for later tests: {left}"


def _custody() -> Programme:
    return Programme.objects.get(code=seeding.CUSTODY_PROGRAMME)


def _fingerprint() -> list[Any]:
    return [
        list(Approach.objects.order_by("programme__code").values_list("programme__code", "status", "version", "objectives", "risks")),
        list(ApproachVersion.objects.order_by("approach__programme__code", "number").values_list("number", "changes")),
        list(Journey.objects.order_by("title").values_list("title", "persona", "role_group")),
        list(Step.objects.order_by("stage__journey__title", "stage__order", "order").values_list("name", "adkar", "emotion")),
        list(Practitioner.objects.order_by("staff__staff_number").values_list("staff__staff_number", "role__name", "coach__username")),
        list(Rating.objects.order_by("assessment__practitioner__staff__staff_number", "assessment__kind", "competency__code")
             .values_list("assessment__kind", "assessment__assessed_on", "competency__code", "level")),
        list(CoachingSession.objects.order_by("held_on", "practitioner__staff__staff_number", "goals")
             .values_list("practitioner__staff__staff_number", "held_on", "goals", "next_session")),
    ]


# --------------------------------------------------------------------------
# The met shape and --replace (on a small force: the tiny scale and the test world), before the demo is seeded for the module


def test_the_met_shape_on_the_test_world(world: Any) -> None:
    counts = seeding.seed_capability(scale="met", seed=1, today=dt.date(2027, 1, 4))
    programmes = Programme.objects.count()
    assert counts["capability_approaches"] == programmes == Approach.objects.filter(status=Approach.Status.APPROVED, version=1).count()
    assert ApproachVersion.objects.filter(number=1).count() == programmes
    assert GroupApproach.objects.filter(approach__programme=world.programme_a).exists()
    assert Promise.objects.filter(measure=Measure.CHAMPION_RATIO).count() == programmes
    assert counts["capability_sessions"] == 0
    for practitioner in Practitioner.objects.all():
        assert practitioner.assessments.count() == 2 and practitioner.programmes.exists()


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def test_seed_replace_clears_and_seeds_again() -> None:
    call_command("seed", "--scale", "tiny", stdout=StringIO())
    first = Approach.objects.get()
    assert first.version == 2 and Practitioner.objects.exists()
    call_command("seed", "--scale", "tiny", "--replace", stdout=StringIO())
    again = Approach.objects.get()
    assert again.pk != first.pk and again.version == 2
    assert ApproachVersion.objects.filter(approach=again).count() == 2
    assert Journey.objects.count() == 3 and Practitioner.objects.count() == seeding.PRACTITIONERS["tiny"]
    assert Assessment.objects.count() == 2 * Practitioner.objects.count()


# --------------------------------------------------------------------------
# The demo


def test_the_custody_approach_is_approved_at_version_two_with_what_changed(demo: dt.date) -> None:
    approach = Approach.objects.get(programme=_custody())
    assert approach.status == Approach.Status.APPROVED and approach.version == 2
    assert approach.approved_by is not None and approach.approved_by.username == "board"
    assert approach.created_by is not None and approach.created_by.username == "lead2"
    for field in ("objectives", "case_for_change", "principles", "risks", "governance"):
        assert len(getattr(approach, field)) > 80, field
    v1, v2 = ApproachVersion.objects.filter(approach=approach).order_by("number")
    assert (v1.number, v2.number) == (1, 2) and v1.approved_at < v2.approved_at
    assert v1.changes == []
    parts = {change["part"] for change in v2.changes}
    assert "promise:champion_ratio" in parts and any(part.endswith(":training") for part in parts)
    ratio = next(c for c in v2.changes if c["part"] == "promise:champion_ratio")
    assert (ratio["before"], ratio["after"]) == ("1:40", "1:25")
    # The frozen content says the same: 40 then 25, the old and the new training text.
    ratio_in = {v.number: next(p["target"] for p in v.content["promises"] if p["measure"] == Measure.CHAMPION_RATIO) for v in (v1, v2)}
    assert ratio_in == {1: "40", 2: "25"}
    assert {g["training"] for g in v1.content["groups"]} >= {seeding.TRAINING_V1}
    assert {g["training"] for g in v2.content["groups"]} >= {seeding.TRAINING_V2}
    assert seeding.TRAINING_V1 not in {g["training"] for g in v2.content["groups"]}
    assert "overdue_actions" not in {p["measure"] for p in v1.content["promises"]}


def test_the_approach_has_groups_and_promises_on_several_measures(demo: dt.date) -> None:
    approach = Approach.objects.get(programme=_custody())
    groups = list(GroupApproach.objects.filter(approach=approach).select_related("unit"))
    assert 2 <= len(groups) <= 3
    assert {g.unit.name for g in groups} <= {seeding.DETENTION, seeding.CONTACT_CENTRE}
    assert all(g.sponsorship and g.training and g.champions for g in groups)
    promises = {p.measure: p.target for p in Promise.objects.filter(approach=approach)}
    assert promises[Measure.CHAMPION_RATIO] == Decimal(25)
    assert {Measure.READINESS_SCORE, Measure.RESPONSE_RATE, Measure.COMMS_SENT, Measure.OVERDUE_ACTIONS} <= set(promises)
    # Only the custody programme has an approach in the demo.
    assert Approach.objects.count() == 1


def test_three_journeys_with_adkar_steps_emotions_and_touchpoints(demo: dt.date) -> None:
    journeys = {j.persona: j for j in Journey.objects.filter(programme=_custody()).prefetch_related("units")}
    assert set(journeys) == {"Custody officer (police staff detention officer)", "Custody sergeant",
                             "Response officer bringing a detained person in"}
    officer = journeys["Custody officer (police staff detention officer)"]
    assert officer.units.count() == 3 and all(u.name.startswith(seeding.CUSTODY_SUITE_PREFIX) for u in officer.units.all())
    assert [s.name for s in officer.stages.order_by("order")] == ["Hearing about it", "Training", "Go-live week", "Settling in"]
    for journey in journeys.values():
        assert journey.stages.count() == 4 and journey.units.exists()
        steps = list(Step.objects.filter(stage__journey=journey))
        assert {s.adkar for s in steps} >= {Adkar.AWARENESS, Adkar.ABILITY}
        assert all(s.emotion is not None and s.tomorrow for s in steps)
    # The custody officers' own judgement dips at go-live (Ability).
    lowest = Step.objects.filter(stage__journey=officer).order_by("emotion", "stage__order").first()
    assert lowest is not None and (lowest.adkar, lowest.emotion, lowest.stage.name) == (Adkar.ABILITY, -2, "Go-live week")
    # Touchpoints point at the programme's own seeded records.
    touch = Touchpoint.objects.filter(step__stage__journey__programme=_custody())
    kinds = set(touch.values_list("kind", flat=True))
    assert {Touchpoint.Kind.MESSAGE, Touchpoint.Kind.COURSE} <= kinds
    for kind, model in ((Touchpoint.Kind.MESSAGE, Message), (Touchpoint.Kind.ACTIVITY, Activity), (Touchpoint.Kind.TASK, Task)):
        refs = {int(r) for r in touch.filter(kind=kind).values_list("ref", flat=True)}
        found = model.objects.filter(pk__in=refs)
        programme_field = "runbook__programme" if model is Task else "programme"
        assert found.count() == len(refs) and not found.exclude(**{programme_field: _custody()}).exists(), kind


def test_the_personas_groups_are_above_and_below_the_reporting_threshold(demo: dt.date) -> None:
    """The lane can fill: the response officers' teams answered the latest
    closed readiness wave of the programme enough to report; the custody
    suites' groups did not (their lanes keep the team's own judgement, which
    dips at go-live)."""
    wave = SurveyWave.objects.filter(programme=_custody(), status=SurveyWave.Status.CLOSED).order_by("-closes_on", "-pk").first()
    assert wave is not None
    cells = AudienceCell.objects.filter(wave=wave)

    def answered(journey: Journey) -> int:
        paths = [u.path for u in journey.units.all()]
        rows = cells.filter(role_group=journey.role_group).values_list("unit__path", "responded")
        return sum(n for path, n in rows if path.startswith(tuple(paths)))

    journeys = {j.persona: j for j in Journey.objects.filter(programme=_custody()).prefetch_related("units")}
    response = journeys["Response officer bringing a detained person in"]
    assert response.units.exists() and all(u.name.startswith("Response Team ") for u in response.units.all())
    assert answered(response) >= wave.min_responses
    assert answered(journeys["Custody officer (police staff detention officer)"]) < wave.min_responses
    assert answered(journeys["Custody sergeant"]) < wave.min_responses


def test_a_dozen_practitioners_assessed_twice_showing_growth(demo: dt.date) -> None:
    assert Practitioner.objects.count() == 12
    assert set(Practitioner.objects.values_list("role__name", flat=True)) == {seeding.BUSINESS_CHANGE_LEAD, seeding.CHAMPION_ROLE}
    assert not Practitioner.objects.filter(coach__isnull=True).exists()
    assert set(Practitioner.objects.values_list("coach__username", flat=True)) == {"lead2", "admin"}
    champion = User.objects.get(username="champion", is_demo=True)
    assert Practitioner.objects.filter(user=champion, staff__email__iexact=champion.email).exists()
    competencies = Competency.objects.filter(framework__name=seeding.FRAMEWORK_NAME)
    assert set(competencies.values_list("code", flat=True)) == COMPETENCY_CODES
    grew = 0
    for practitioner in Practitioner.objects.prefetch_related("assessments__ratings"):
        first, later = sorted(practitioner.assessments.all(), key=lambda a: a.assessed_on)
        assert (first.kind, later.kind) == (Assessment.Kind.SELF, Assessment.Kind.COACH)
        assert (later.assessed_on - first.assessed_on).days >= 90
        before = {r.competency_id: r.level for r in first.ratings.all()}
        after = {r.competency_id: r.level for r in later.ratings.all()}
        assert len(before) == len(after) == len(COMPETENCY_CODES)
        assert all(after[c] >= before[c] for c in before)
        grew += sum(after.values()) > sum(before.values())
    assert grew >= 10


def test_coaching_sessions_and_the_handover_plan(demo: dt.date) -> None:
    sessions = CoachingSession.objects.annotate(n=Count("areas"))
    assert 10 <= sessions.count() <= 20
    for session in sessions:
        assert session.n >= 1 and session.goals and session.agreed_actions and session.next_session is not None
        assert session.coach_id == session.practitioner.coach_id and session.held_on < demo < session.next_session + dt.timedelta(days=60)
    items = list(HandoverItem.objects.filter(programme=_custody()).select_related("owner__role"))
    assert {i.activity for i in items} == set(HandoverItem.Activity.values)
    assert all(i.owner is not None and i.target_date is not None and i.target_date > demo for i in items)


def test_the_same_seed_gives_the_same_rows(demo: dt.date) -> None:
    before = _fingerprint()
    counts = seeding.seed_capability(scale="demo", seed=2026, today=demo)
    assert _fingerprint() == before
    assert counts["capability_practitioners"] == 12 and counts["capability_journeys"] == 3 and counts["capability_approaches"] == 1
    assert counts["capability_assessments"] == 24 and counts["capability_sessions"] == seeding.SESSIONS["demo"]


def test_clear_removes_everything_but_the_apps_own_framework(demo: dt.date) -> None:
    try:
        counts = seeding.clear_capability_data()
        assert counts["capability_practitioners"] == 12
        for model in (Approach, ApproachVersion, Journey, Step, Practitioner, Assessment, Rating, CoachingSession, HandoverItem):
            assert not model.objects.exists(), model
        # The framework stays when the app provides it; the seed's own stand-in goes with the seed data.
        kept = Competency.objects.filter(framework__name=seeding.FRAMEWORK_NAME).count()
        assert kept == (len(COMPETENCY_CODES) if seeding._ensure_default() is not None else 0)
    finally:
        seeding.seed_capability(scale="demo", seed=2026, today=demo)


def test_the_forces_own_people_run_two_activities_alone_through_the_services(demo: dt.date) -> None:
    from changeboard.capability.handover import ALONE, NOT_YET, handover_view
    from changeboard.core.models import AuditEntry as Entry

    own = {u.username: u for u in User.objects.filter(username__in=seeding.OWN_PEOPLE, is_demo=True)}
    assert set(own) == set(seeding.OWN_PEOPLE)
    for user in own.values():
        practitioner = Practitioner.objects.get(user=user)
        assert practitioner.role.name == seeding.BUSINESS_CHANGE_LEAD and practitioner.staff.email == user.email
        assert list(user.programmes.all()) == [_custody()] and Entry.objects.filter(actor=user).exists()  # real service audit rows
    rows = {r.activity: r for r in handover_view(_custody())}
    alone = {a for a, r in rows.items() if r.status == ALONE}
    assert alone == {HandoverItem.Activity.SURVEY_WAVE, HandoverItem.Activity.READINESS_REVIEW}
    assert any(r.status == NOT_YET for r in rows.values())
