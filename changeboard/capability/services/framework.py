"""Writes to the capability framework: the framework itself, its
competencies (with a descriptor per level) and its practitioner roles (with
the level each needs per competency). Only admins reach these through the
pages and API (the models give every other role view only)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from changeboard.core import audit
from changeboard.core.audit import Actor

from ..models import Competency, Framework, PractitionerRole, Requirement

COMPETENCY_FIELDS = ("name", "code", "description", "order", "level_1", "level_2", "level_3", "level_4")


def _snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


@transaction.atomic
def framework_update(*, framework: Framework, actor: Actor, name: str | None = None, description: str | None = None,
                     is_current: bool | None = None) -> Framework:
    """Rename or describe the framework; making it current makes every other
    framework not current (one at a time)."""
    before = _snapshot(framework, ("name", "description", "is_current"))
    if name is not None:
        name = name.strip()
        if not name:
            raise ValidationError({"name": "Enter the framework's name"})
        if Framework.objects.exclude(pk=framework.pk).filter(name=name).exists():
            raise ValidationError({"name": "Another framework has this name"})
        framework.name = name
    if description is not None:
        framework.description = description
    if is_current is not None:
        if is_current:
            Framework.objects.exclude(pk=framework.pk).filter(is_current=True).update(is_current=False)
        framework.is_current = is_current
    framework.save()
    audit.record(actor=actor, action="update", obj=framework, before=before, after=_snapshot(framework, ("name", "description", "is_current")))
    return framework


def _check_competency(framework: Framework, code: str, name: str, exclude: int | None) -> str:
    if not name.strip():
        raise ValidationError({"name": "Enter the competency's name"})
    code = slugify(code or name)[:30]
    if not code:
        raise ValidationError({"code": "Enter a short code of letters, numbers and hyphens"})
    clash = Competency.objects.filter(framework=framework, code=code)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ValidationError({"code": "Another competency of this framework has this code"})
    return code


@transaction.atomic
def competency_create(*, framework: Framework, name: str, actor: Actor, code: str = "", description: str = "", order: int | None = None,
                      level_1: str = "", level_2: str = "", level_3: str = "", level_4: str = "") -> Competency:
    code = _check_competency(framework, code, name, None)
    if order is None:
        order = (framework.competencies.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    competency = Competency.objects.create(framework=framework, code=code, name=name.strip(), description=description, order=order,
                                           level_1=level_1, level_2=level_2, level_3=level_3, level_4=level_4)
    audit.record(actor=actor, action="create", obj=competency, after=_snapshot(competency, COMPETENCY_FIELDS))
    return competency


@transaction.atomic
def competency_update(*, competency: Competency, actor: Actor, **changes: Any) -> Competency:
    """Change any of `COMPETENCY_FIELDS` (the descriptors are `level_1` to `level_4`)."""
    unknown = set(changes) - set(COMPETENCY_FIELDS)
    if unknown:
        raise ValueError(f"Not a competency field: {sorted(unknown)}")
    before = _snapshot(competency, COMPETENCY_FIELDS)
    for name, value in changes.items():
        setattr(competency, name, value)
    competency.code = _check_competency(competency.framework, competency.code, competency.name, competency.pk)
    competency.name = competency.name.strip()
    competency.save()
    audit.record(actor=actor, action="update", obj=competency, before=before, after=_snapshot(competency, COMPETENCY_FIELDS))
    return competency


def _requirements_snapshot(role: PractitionerRole) -> dict[str, int]:
    return {r.competency.code: r.level for r in role.requirements.select_related("competency")}


def _set_requirements(role: PractitionerRole, requirements: dict[int, int | None] | dict[int, int]) -> None:
    competencies = {c.pk: c for c in role.framework.competencies.all()}
    for competency_id, level in requirements.items():
        if competency_id not in competencies:
            raise ValidationError({"requirements": "A requirement names a competency of another framework"})
        if level is None:
            Requirement.objects.filter(role=role, competency_id=competency_id).delete()
            continue
        if not isinstance(level, int) or not 1 <= level <= 4:
            raise ValidationError({"requirements": f"The level needed in {competencies[competency_id]} must be 1 to 4"})
        Requirement.objects.update_or_create(role=role, competency_id=competency_id, defaults={"level": level})


def _check_role_name(framework: Framework, name: str, exclude: int | None) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Enter the role's name"})
    clash = PractitionerRole.objects.filter(framework=framework, name=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ValidationError({"name": "This framework already has a role of that name"})
    return name


@transaction.atomic
def practitioner_role_create(*, framework: Framework, name: str, actor: Actor, description: str = "",
                             requirements: dict[int, int] | None = None) -> PractitionerRole:
    """A role and the level it needs per competency (`{competency_id: level}`;
    a competency left out needs no level)."""
    role = PractitionerRole.objects.create(framework=framework, name=_check_role_name(framework, name, None), description=description)
    _set_requirements(role, requirements or {})
    audit.record(actor=actor, action="create", obj=role, after={"name": role.name, "description": role.description,
                                                                "requirements": _requirements_snapshot(role)})
    return role


@transaction.atomic
def practitioner_role_update(*, role: PractitionerRole, actor: Actor, name: str | None = None, description: str | None = None,
                             requirements: dict[int, int | None] | None = None) -> PractitionerRole:
    """Change the role; `requirements` sets the levels given (None removes one)."""
    before = {"name": role.name, "description": role.description, "requirements": _requirements_snapshot(role)}
    if name is not None:
        role.name = _check_role_name(role.framework, name, role.pk)
    if description is not None:
        role.description = description
    role.save()
    if requirements:
        _set_requirements(role, requirements)
    audit.record(actor=actor, action="update", obj=role, before=before,
                 after={"name": role.name, "description": role.description, "requirements": _requirements_snapshot(role)})
    return role
