"""The register's services: each kind validated, mappings with their audit
rows, the HR sync (leaver, mover, review), and the derived impact against a
hand-worked org tree."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from changeboard.conftest import make_staff
from changeboard.core.models import AuditEntry
from changeboard.impacts.models import ImpactAssessment, ImpactLine
from changeboard.organisation.models import RankGrade, Staff
from changeboard.organisation.signals import staff_changed

from ..models import Position, Stakeholder, StakeholderAssessment
from ..services import stakeholders as services

pytestmark = pytest.mark.django_db


def audits(obj: Any, action: str) -> int:
    return AuditEntry.objects.filter(object_type=f"engagement.{obj._meta.model_name}", object_id=str(obj.pk), action=action).count()


def test_a_person_comes_from_the_hr_record(world: Any) -> None:
    person = services.stakeholder_create(kind="person", staff=world.staff_in, actor=world.users["lead"])
    assert person.display_name == "Alex Inscope" and person.name == "Alex Inscope"
    assert person.known_unit_id == world.team.pk and person.needs_review == ""
    assert audits(person, "create") == 1
    with pytest.raises(ValidationError) as error:
        services.stakeholder_create(kind="person", staff=world.staff_in, actor=world.users["lead"])
    assert "already in the register" in str(error.value)


@pytest.mark.parametrize(("fields", "field"), [
    ({"kind": "person"}, "staff"),
    ({"kind": "external", "name": "  "}, "name"),
    ({"kind": "group"}, "group_kind"),
    ({"kind": "group", "group_kind": "unit"}, "unit"),
    ({"kind": "group", "group_kind": "role_group"}, "role_group"),
    ({"kind": "group", "group_kind": "body"}, "name"),
    ({"kind": "robot"}, "kind"),
])
def test_each_kind_needs_its_own_fields(world: Any, fields: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        services.stakeholder_create(actor=None, **fields)
    assert field in error.value.message_dict
    assert not Stakeholder.objects.exists()


def test_a_group_keeps_only_its_fields_and_is_named_after_its_unit(world: Any) -> None:
    group = services.stakeholder_create(kind="group", group_kind="role_group", unit=world.westminster, role_group="officer",
                                        staff=world.staff_in, organisation="Ignored", actor=None)
    assert group.staff_id is None and group.organisation == ""
    assert group.name == "Police officers in Westminster"
    body = services.stakeholder_create(kind="group", group_kind="body", name="Police Federation", unit=world.westminster, actor=None)
    assert body.unit_id is None


def test_update_deactivate_and_unknown_fields(world: Any) -> None:
    external = services.stakeholder_create(kind="external", name="Jo Bloggs", organisation="CPS", actor=None)
    services.stakeholder_update(stakeholder=external, role_title="Area lead", actor=world.users["lead"])
    external.refresh_from_db()
    assert external.role_title == "Area lead" and audits(external, "update") == 1
    services.stakeholder_update(stakeholder=external, role_title="Area lead", actor=world.users["lead"])
    assert audits(external, "update") == 1  # nothing changed: no audit row
    with pytest.raises(ValidationError):
        services.stakeholder_update(stakeholder=external, active=False, actor=None)
    services.stakeholder_deactivate(stakeholder=external, actor=None)
    external.refresh_from_db()
    assert not external.active
    with pytest.raises(ValidationError):
        services.assessment_create(stakeholder=external, programme=world.programme_a, influence=3, interest=3, actor=None)


def test_assessments_once_per_programme_in_range(world: Any) -> None:
    body = services.stakeholder_create(kind="group", group_kind="body", name="Unison", actor=None)
    a = services.assessment_create(stakeholder=body, programme=world.programme_a, influence=5, interest=2, actor=world.users["lead"],
                                   current_position=Position.AGAINST, owner=world.users["lead"])
    assert audits(a, "create") == 1 and not a.target_met
    with pytest.raises(ValidationError) as error:
        services.assessment_create(stakeholder=body, programme=world.programme_a, influence=1, interest=1, actor=None)
    assert "programme" in error.value.message_dict
    for bad in ({"influence": 6}, {"interest": 0}, {"impact_judgement": 7}, {"current_position": 9}):
        with pytest.raises(ValidationError):
            services.assessment_update(assessment=a, actor=None, **bad)
    a.refresh_from_db()
    assert (a.influence, a.interest) == (5, 2)
    services.assessment_update(assessment=a, current_position=Position.CHAMPION, actor=world.users["lead"])
    a.refresh_from_db()
    assert a.target_met and audits(a, "update") == 1
    pk = a.pk
    services.assessment_delete(assessment=a, actor=world.users["lead"])
    assert not StakeholderAssessment.objects.filter(pk=pk).exists()
    assert AuditEntry.objects.filter(object_type="engagement.stakeholderassessment", object_id=str(pk), action="delete").count() == 1


# ---------------------------------------------------------------------------
# HR sync


def test_a_leaver_is_flagged_and_a_mover_follows_with_a_note(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    leaver = services.stakeholder_create(kind="person", staff=world.staff_in, actor=None)
    mover = services.stakeholder_create(kind="person", staff=world.staff_out, actor=None)
    Staff.objects.filter(pk=world.staff_in.pk).update(is_leaver=True)
    Staff.objects.filter(pk=world.staff_out.pk).update(unit=world.westminster)
    with django_capture_on_commit_callbacks(execute=True):
        staff_changed.send(sender=Staff, created=0, updated=1, leavers=1)
    leaver.refresh_from_db()
    mover.refresh_from_db()
    assert leaver.needs_review == "Left the force"
    assert mover.needs_review == "Moved from Camden to Westminster"
    assert Staff.objects.get(pk=world.staff_out.pk).unit_id == world.westminster.pk  # the unit follows the staff record
    assert services.sync_from_staff() == 0  # flagged once, not again
    services.stakeholder_review(stakeholder=mover, actor=world.users["lead"])
    mover.refresh_from_db()
    assert mover.needs_review == "" and mover.known_unit_id == world.westminster.pk
    assert services.sync_from_staff() == 0


# ---------------------------------------------------------------------------
# Derived impact, against a hand-worked tree:
#
#   Test Force > Frontline Policing > Central West BCU > Westminster > Response Team 1
#                                   > North BCU > Camden
#
# Line L1 (severity 4): Westminster, every rank.    Reaches: staff_in (team, PC) + sergeant (Westminster, PS) + clerk (team, staff grade)
# Line L2 (severity 2): Central West, staff grades. Reaches: clerk only.
# Line L3 (severity 5): Camden, in a DRAFT assessment: never counts.


@pytest.fixture
def tree(world: Any) -> dict[str, Any]:
    officer_rank = RankGrade.objects.get(code="PC")
    staff_grade = RankGrade.objects.filter(kind="staff").order_by("order")[0]
    sergeant = make_staff("100002", world.westminster, rank_grade=RankGrade.objects.get(code="PS"))
    clerk = make_staff("100003", world.team, rank_grade=staff_grade, role="Clerk")
    approved = ImpactAssessment.objects.create(programme=world.programme_a, title="Duty system", status=ImpactAssessment.Status.APPROVED)
    l1 = ImpactLine.objects.create(assessment=approved, title="New rota", severity=4)
    l1.units.set([world.westminster])
    l2 = ImpactLine.objects.create(assessment=approved, title="New forms", severity=2)
    l2.units.set([world.central_west])
    l2.rank_grades.set([staff_grade])
    draft = ImpactAssessment.objects.create(programme=world.programme_a, title="Draft", status=ImpactAssessment.Status.DRAFT)
    l3 = ImpactLine.objects.create(assessment=draft, title="Draft line", severity=5)
    l3.units.set([world.camden])
    return {"officer": officer_rank, "sergeant": sergeant, "clerk": clerk}


def _map(world: Any, **fields: Any) -> StakeholderAssessment:
    stakeholder = services.stakeholder_create(actor=None, **fields)
    return services.assessment_create(stakeholder=stakeholder, programme=world.programme_a, influence=3, interest=3, actor=None)


@pytest.mark.parametrize(("fields", "severity", "headcount"), [
    ({"kind": "group", "group_kind": "unit", "unit": "westminster"}, 4, 3),  # L1 and L2 (Westminster is inside Central West)
    ({"kind": "group", "group_kind": "unit", "unit": "team"}, 4, 2),  # inside both lines' subtrees: staff_in and the clerk
    ({"kind": "group", "group_kind": "unit", "unit": "root"}, 4, 3),  # an ancestor of both lines' units
    ({"kind": "group", "group_kind": "unit", "unit": "camden"}, None, 0),  # only the draft line reaches Camden
    ({"kind": "group", "group_kind": "role_group", "role_group": "staff"}, 4, 1),  # force-wide staff grades: L1 (every rank) and L2
    ({"kind": "group", "group_kind": "role_group", "role_group": "officer", "unit": "central_west"}, 4, 2),  # L2 is staff grades only
    ({"kind": "group", "group_kind": "role_group", "role_group": "other"}, 4, 0),  # L1 covers every rank, nobody there
    ({"kind": "group", "group_kind": "body", "name": "Police Federation"}, None, 0),
    ({"kind": "external", "name": "Jo Bloggs"}, None, 0),
])
def test_derived_impact_against_a_hand_worked_tree(world: Any, tree: dict[str, Any], fields: dict[str, Any], severity: int | None,
                                                    headcount: int) -> None:
    if "unit" in fields:
        fields = {**fields, "unit": getattr(world, fields["unit"])}
    derived = services.derived_impact(_map(world, **fields))
    assert (derived.severity, derived.headcount) == (severity, headcount)


def test_a_persons_derived_impact_is_their_unit_and_role_group(world: Any, tree: dict[str, Any]) -> None:
    clerk = services.derived_impact(_map(world, kind="person", staff=tree["clerk"]))
    assert clerk.severity == 4 and clerk.lines == 2  # L1 (every rank) and L2 (staff grades, Central West)
    officer = services.derived_impact(_map(world, kind="person", staff=tree["sergeant"]))
    assert officer.severity == 4 and officer.lines == 1  # officers: not L2
    camden = services.derived_impact(_map(world, kind="person", staff=world.staff_out))
    assert camden.severity is None


def test_leavers_are_not_counted_and_other_programmes_lines_do_not_reach(world: Any, tree: dict[str, Any]) -> None:
    Staff.objects.filter(pk=tree["clerk"].pk).update(leave_date=dt.date(2000, 1, 1))
    a = _map(world, kind="group", group_kind="unit", unit=world.westminster)
    assert services.derived_impact(a).headcount == 2
    stakeholder = a.stakeholder
    b = services.assessment_create(stakeholder=stakeholder, programme=world.programme_b, influence=1, interest=1, actor=None)
    assert services.derived_impact(b).severity is None


def test_derived_impact_of_a_list_is_a_bounded_number_of_queries(world: Any, tree: dict[str, Any]) -> None:
    people = [make_staff(f"3{n:05d}", world.team if n % 2 else world.camden) for n in range(30)]
    for person in people:
        _map(world, kind="person", staff=person)
    for n in range(30):
        _map(world, kind="group", group_kind="body", name=f"Body {n}")
    rows = list(StakeholderAssessment.objects.select_related(*services.ASSESSMENT_RELATED))
    assert len(rows) == 60
    with CaptureQueriesContext(connection) as queries:
        derived = services.derived_impacts(rows)
    assert len(queries) <= 5, [q["sql"] for q in queries]
    assert sum(1 for d in derived.values() if d.severity == 4) == 15
