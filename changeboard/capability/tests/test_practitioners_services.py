"""Services for practitioners and assessments: one record per member of
staff, leavers refused; who may self-assess and coach-assess; every
competency rated, 1 to 4; every write audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from changeboard.conftest import make_staff
from changeboard.core.models import AuditEntry

from ..models import Assessment, PractitionerRole, Rating
from ..services.practitioners import assessment_record, practitioner_add, practitioner_update
from .factories import framework, make_practitioner, ratings_for


@pytest.fixture
def champion_practitioner(world: Any) -> Any:
    return make_practitioner(world.staff_in, role_name="Change champion", user=world.users["champion"], coach=world.users["lead"],
                             programmes=[world.programme_a])


def test_add_writes_one_record_per_member_of_staff_and_audits(world: Any) -> None:
    role = PractitionerRole.objects.get(framework=framework(), name="Business change lead")
    practitioner = practitioner_add(staff=world.staff_in, role=role, coach=world.users["lead"], programmes=[world.programme_a],
                                    actor=world.users["lead"])
    assert list(practitioner.programmes.all()) == [world.programme_a]
    entry = AuditEntry.objects.get(object_type="capability.practitioner", action="create")
    assert (entry.after or {})["programmes"] == [world.programme_a.pk]
    with pytest.raises(ValidationError, match="already a practitioner"):
        practitioner_add(staff=world.staff_in, role=role, actor=world.users["lead"])


def test_a_leaver_cannot_be_added(world: Any) -> None:
    role = PractitionerRole.objects.get(framework=framework(), name="Change champion")
    gone = make_staff("100050", world.team, first_name="Gone", last_name="Away", is_leaver=True)
    with pytest.raises(ValidationError, match="has left the force"):
        practitioner_add(staff=gone, role=role, actor=world.users["admin"])
    leaving = make_staff("100051", world.team, first_name="Left", last_name="Yesterday", leave_date=dt.date(2020, 1, 1))
    with pytest.raises(ValidationError, match="has left the force"):
        practitioner_add(staff=leaving, role=role, actor=world.users["admin"])
    assert not AuditEntry.objects.filter(object_type="capability.practitioner").exists()


def test_update_changes_role_coach_and_programmes(world: Any, champion_practitioner: Any) -> None:
    lead_role = PractitionerRole.objects.get(framework=framework(), name="Business change lead")
    practitioner_update(practitioner=champion_practitioner, role=lead_role, coach=None, programmes=[world.programme_b], actor=world.users["admin"])
    champion_practitioner.refresh_from_db()
    assert champion_practitioner.role == lead_role and champion_practitioner.coach is None
    assert list(champion_practitioner.programmes.all()) == [world.programme_b]
    entry = AuditEntry.objects.get(object_type="capability.practitioner", action="update")
    assert (entry.before or {})["coach"] == world.users["lead"].pk and (entry.after or {})["coach"] is None
    with pytest.raises(ValidationError, match="own coach"):
        practitioner_update(practitioner=champion_practitioner, coach=world.users["champion"], actor=world.users["admin"])


def test_only_the_practitioner_self_assesses(world: Any, champion_practitioner: Any) -> None:
    for other in ("lead", "admin", "lead2", "board"):
        with pytest.raises(PermissionDenied):
            assessment_record(practitioner=champion_practitioner, kind="self", ratings=ratings_for(2), actor=world.users[other])
    assessment = assessment_record(practitioner=champion_practitioner, kind="self", ratings=ratings_for(2, coaching=1),
                                   actor=world.users["champion"], note="After the first wave")
    assert assessment.kind == "self" and assessment.assessor == world.users["champion"]
    assert Rating.objects.filter(assessment=assessment).count() == 7
    assert Rating.objects.get(assessment=assessment, competency__code="coaching").level == 1
    entry = AuditEntry.objects.get(object_type="capability.assessment")
    assert (entry.after or {})["ratings"]["coaching"] == 1 and (entry.after or {})["kind"] == "self"


def test_without_an_account_no_one_self_assesses(world: Any) -> None:
    practitioner = make_practitioner(world.staff_out, coach=world.users["lead2"])
    with pytest.raises(PermissionDenied):
        assessment_record(practitioner=practitioner, kind="self", ratings=ratings_for(2), actor=world.users["lead2"])


def test_only_the_coach_or_an_admin_coach_assesses(world: Any, champion_practitioner: Any) -> None:
    for other in ("champion", "lead2", "board", "auditor"):
        with pytest.raises(PermissionDenied):
            assessment_record(practitioner=champion_practitioner, kind="coach", ratings=ratings_for(3), actor=world.users[other])
    assessment_record(practitioner=champion_practitioner, kind="coach", ratings=ratings_for(3), actor=world.users["lead"])
    assessment_record(practitioner=champion_practitioner, kind="coach", ratings=ratings_for(3), actor=world.users["admin"])
    assert Assessment.objects.filter(kind="coach").count() == 2


def test_every_competency_is_rated_with_a_level_from_1_to_4(world: Any, champion_practitioner: Any) -> None:
    ratings = ratings_for(2)
    missing = dict(list(ratings.items())[1:])
    with pytest.raises(ValidationError) as caught:
        assessment_record(practitioner=champion_practitioner, kind="self", ratings=missing, actor=world.users["champion"])
    first = next(iter(ratings))
    assert f"c{first}" in caught.value.message_dict
    for bad in (0, 5):
        with pytest.raises(ValidationError, match="must be 1 to 4"):
            assessment_record(practitioner=champion_practitioner, kind="self", ratings={**ratings, first: bad}, actor=world.users["champion"])
    with pytest.raises(ValidationError, match="outside the current framework"):
        assessment_record(practitioner=champion_practitioner, kind="self", ratings={**ratings, 999999: 2}, actor=world.users["champion"])
    with pytest.raises(ValidationError, match="future"):
        assessment_record(practitioner=champion_practitioner, kind="self", ratings=ratings, actor=world.users["champion"],
                          assessed_on=dt.date(2999, 1, 1))
    with pytest.raises(ValidationError, match="self-assessment or a coach"):
        assessment_record(practitioner=champion_practitioner, kind="peer", ratings=ratings, actor=world.users["champion"])
    assert not Assessment.objects.exists()
    assert not AuditEntry.objects.filter(object_type="capability.assessment").exists()


def test_an_inactive_practitioner_is_not_assessed(world: Any, champion_practitioner: Any) -> None:
    practitioner_update(practitioner=champion_practitioner, active=False, actor=world.users["admin"])
    with pytest.raises(ValidationError, match="no longer active"):
        assessment_record(practitioner=champion_practitioner, kind="coach", ratings=ratings_for(2), actor=world.users["lead"])

