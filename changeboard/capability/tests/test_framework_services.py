"""The default framework (written by the data migration) and the services
that change it: framework, competencies with descriptors, roles with the
level each needs. Every change is audited; bad input is a ValidationError."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from changeboard.core.models import AuditEntry

from ..models import Competency, Framework, PractitionerRole, Requirement
from ..seeding import COMPETENCIES, FRAMEWORK_NAME, ensure_default_framework
from ..services.framework import competency_create, competency_update, framework_update, practitioner_role_create, practitioner_role_update


def _needs(role_name: str) -> dict[str, int]:
    return dict(Requirement.objects.filter(role__name=role_name).values_list("competency__code", "level"))


def test_the_migration_writes_the_default_framework(db: Any) -> None:
    framework = Framework.current()
    assert framework is not None and framework.name == FRAMEWORK_NAME
    codes = list(framework.competencies.values_list("code", flat=True))
    assert codes == ["impact-assessment", "stakeholder-engagement", "communications", "readiness", "cutover", "hypercare", "coaching"]
    for competency in framework.competencies.all():
        assert all(competency.descriptor(level) for level in (1, 2, 3, 4)), competency.code
    assert _needs("Business change lead") == {"impact-assessment": 3, "stakeholder-engagement": 3, "communications": 3, "readiness": 3,
                                              "cutover": 2, "hypercare": 2, "coaching": 2}
    assert _needs("Change champion") == {"impact-assessment": 1, "stakeholder-engagement": 2, "communications": 2, "readiness": 2,
                                         "cutover": 1, "hypercare": 1, "coaching": 1}
    assert set(_needs("Change manager").values()) == {3, 4}
    assert ensure_default_framework().pk == framework.pk  # idempotent
    assert Framework.objects.count() == 1 and Competency.objects.count() == len(COMPETENCIES)


def test_framework_update_keeps_one_current(world: Any) -> None:
    default = Framework.current()
    assert default is not None
    other = Framework.objects.create(name="Pilot framework", is_current=False)
    framework_update(framework=other, is_current=True, description="Trial", actor=world.users["admin"])
    default.refresh_from_db()
    assert Framework.current() == other and not default.is_current
    entry = AuditEntry.objects.get(object_type="capability.framework", action="update")
    assert (entry.before or {})["is_current"] is False and (entry.after or {})["is_current"] is True
    with pytest.raises(ValidationError, match="Another framework has this name"):
        framework_update(framework=other, name=FRAMEWORK_NAME, actor=world.users["admin"])
    with pytest.raises(ValidationError, match="Enter the framework"):
        framework_update(framework=other, name="  ", actor=world.users["admin"])


def test_competency_create_and_update_with_descriptors(world: Any) -> None:
    framework = Framework.current()
    assert framework is not None
    competency = competency_create(framework=framework, name="Benefits realisation", level_1="Knows what a benefit is",
                                   level_4="Coaches others on benefits", actor=world.users["admin"])
    assert competency.code == "benefits-realisation" and competency.order == 8
    assert (AuditEntry.objects.get(object_type="capability.competency", action="create").after or {})["level_1"] == "Knows what a benefit is"
    competency_update(competency=competency, level_2="Tracks benefits with help", actor=world.users["admin"])
    competency.refresh_from_db()
    assert competency.descriptor(2) == "Tracks benefits with help"
    entry = AuditEntry.objects.get(object_type="capability.competency", action="update")
    assert (entry.before or {})["level_2"] == "" and (entry.after or {})["level_2"] == "Tracks benefits with help"
    with pytest.raises(ValidationError, match="Another competency"):
        competency_create(framework=framework, name="Coaching", actor=world.users["admin"])
    with pytest.raises(ValidationError, match="Another competency"):
        competency_update(competency=competency, code="coaching", actor=world.users["admin"])


def test_role_create_and_update_with_requirement_levels(world: Any) -> None:
    framework = Framework.current()
    assert framework is not None
    comms = Competency.objects.get(code="communications")
    coaching = Competency.objects.get(code="coaching")
    role = practitioner_role_create(framework=framework, name="Comms officer", requirements={comms.pk: 4}, actor=world.users["admin"])
    assert _needs("Comms officer") == {"communications": 4}
    practitioner_role_update(role=role, requirements={comms.pk: None, coaching.pk: 2}, actor=world.users["admin"])
    assert _needs("Comms officer") == {"coaching": 2}
    entry = AuditEntry.objects.get(object_type="capability.practitionerrole", action="update")
    assert (entry.before or {})["requirements"] == {"communications": 4} and (entry.after or {})["requirements"] == {"coaching": 2}
    with pytest.raises(ValidationError, match="must be 1 to 4"):
        practitioner_role_update(role=role, requirements={coaching.pk: 5}, actor=world.users["admin"])
    with pytest.raises(ValidationError, match="already has a role"):
        practitioner_role_create(framework=framework, name="Change champion", actor=world.users["admin"])
    other = Framework.objects.create(name="Other", is_current=False)
    with pytest.raises(ValidationError, match="another framework"):
        practitioner_role_create(framework=other, name="X", requirements={coaching.pk: 2}, actor=world.users["admin"])
    assert PractitionerRole.objects.filter(framework=other).count() == 0
