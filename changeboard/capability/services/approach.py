"""Writes of the change approach: the document, its group approaches and
promises, and its workflow (draft -> submitted -> approved, or returned).

Approving freezes an `ApproachVersion` holding the whole content
(`approach_snapshot`) and what changed since the version before
(`approach_changes`). Any edit to a submitted or approved approach puts it
back to draft: the approved content stays safe in its version."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from changeboard.core import audit
from changeboard.core.models import AuditEntry
from changeboard.portfolio.models import Programme

from ..models import Approach, ApproachVersion, GroupApproach, Promise

SECTION_FIELDS: list[tuple[str, str]] = [
    ("objectives", "Objectives"),
    ("case_for_change", "Case for change"),
    ("principles", "Principles"),
    ("risks", "Risks"),
    ("governance", "Governance"),
]
GROUP_FIELDS: list[tuple[str, str]] = [
    ("sponsorship", "Sponsorship"),
    ("engagement", "Engagement"),
    ("communications", "Communications"),
    ("training", "Training"),
    ("champions", "Champions"),
    ("checkpoints", "Readiness checkpoints"),
    ("reinforcement", "Reinforcement"),
]
PROMISE_FIELDS = ("section", "measure", "target", "wording")
SELF_APPROVAL = "You submitted this approach: another change manager of the programme must approve it."


def _actor(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def is_change_manager(user: Any, programme: Programme) -> bool:
    """An admin, or a change manager of the programme."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role == "admin":
        return True
    return bool(user.role == "change_manager" and user.programmes.filter(pk=programme.pk).exists())


def can_approve(approach: Approach, user: Any) -> bool:
    """A change manager of the programme (or an admin) who did not submit it."""
    return (approach.status == Approach.Status.SUBMITTED and is_change_manager(user, approach.programme)
            and approach.submitted_by_id != getattr(user, "pk", None))


def _to_draft(approach: Approach) -> None:
    """An edit to a submitted or approved approach makes it a draft again
    (read from the database: the caller's instance may be stale)."""
    Approach.objects.filter(pk=approach.pk).exclude(status=Approach.Status.DRAFT).update(
        status=Approach.Status.DRAFT, submitted_by=None, submitted_at=None, updated_at=timezone.now())
    approach.status, approach.submitted_by, approach.submitted_at = Approach.Status.DRAFT, None, None


def _set_fields(obj: Any, fields: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    for name, value in fields.items():
        setattr(obj, name, (value or "").strip() if isinstance(value, str) else value)


SECTION_NAMES = {name for name, _ in SECTION_FIELDS} | {"change_note"}


@transaction.atomic
def approach_create(*, programme: Programme, actor: Any, **fields: Any) -> Approach:
    if Approach.objects.filter(programme=programme).exists():
        raise ValidationError({"programme": "This programme already has a change approach: open it instead."})
    approach = Approach(programme=programme, created_by=_actor(actor))
    _set_fields(approach, fields, SECTION_NAMES)
    approach.full_clean(exclude=["created_by", "submitted_by", "approved_by"])
    approach.save()
    audit.record(actor=actor, action="create", obj=approach, after=audit.snapshot(approach))
    return approach


@transaction.atomic
def approach_update(*, approach: Approach, actor: Any, **fields: Any) -> Approach:
    approach = Approach.objects.select_for_update().get(pk=approach.pk)
    before = audit.snapshot(approach)
    _set_fields(approach, fields, SECTION_NAMES)
    approach.full_clean(exclude=["created_by", "submitted_by", "approved_by"])
    approach.save()
    _to_draft(approach)
    audit.record(actor=actor, action="update", obj=approach, before=before, after=audit.snapshot(approach))
    return approach


def _check_group(group: GroupApproach) -> None:
    clash = GroupApproach.objects.filter(approach_id=group.approach_id, unit_id=group.unit_id, role_group=group.role_group)
    if group.pk:
        clash = clash.exclude(pk=group.pk)
    if clash.exists():
        raise ValidationError({"unit": "This group already has its own approach: edit that one."})
    group.full_clean(validate_unique=False, validate_constraints=False)


@transaction.atomic
def group_approach_create(*, approach: Approach, unit: Any, actor: Any, role_group: str = "", **fields: Any) -> GroupApproach:
    group = GroupApproach(approach=approach, unit=unit, role_group=role_group or "")
    _set_fields(group, fields, {name for name, _ in GROUP_FIELDS})
    _check_group(group)
    group.save()
    _to_draft(approach)
    audit.record(actor=actor, action="create", obj=group, after=audit.snapshot(group))
    return group


@transaction.atomic
def group_approach_update(*, group: GroupApproach, actor: Any, **fields: Any) -> GroupApproach:
    before = audit.snapshot(GroupApproach.objects.get(pk=group.pk))  # a page's form may have set the instance's fields already
    _set_fields(group, fields, {name for name, _ in GROUP_FIELDS} | {"unit", "role_group"})
    _check_group(group)
    group.save()
    _to_draft(group.approach)
    audit.record(actor=actor, action="update", obj=group, before=before, after=audit.snapshot(group))
    return group


@transaction.atomic
def group_approach_delete(*, group: GroupApproach, actor: Any) -> None:
    before = audit.snapshot(group)
    approach = group.approach
    audit.record(actor=actor, action="delete", obj=group, before=before)
    group.delete()
    _to_draft(approach)


def _check_promise(promise: Promise) -> None:
    clash = Promise.objects.filter(approach_id=promise.approach_id, measure=promise.measure)
    if promise.pk:
        clash = clash.exclude(pk=promise.pk)
    if clash.exists():
        raise ValidationError({"measure": "The approach already promises this measure: change that promise instead."})
    if promise.target is not None:
        promise.target = Decimal(promise.target)
    promise.full_clean(validate_unique=False, validate_constraints=False)


@transaction.atomic
def promise_create(*, approach: Approach, section: str, measure: str, target: Any, actor: Any, wording: str = "") -> Promise:
    promise = Promise(approach=approach, section=section, measure=measure, target=target, wording=(wording or "").strip())
    _check_promise(promise)
    promise.save()
    _to_draft(approach)
    audit.record(actor=actor, action="create", obj=promise, after=audit.snapshot(promise))
    return promise


@transaction.atomic
def promise_update(*, promise: Promise, actor: Any, **fields: Any) -> Promise:
    before = audit.snapshot(Promise.objects.get(pk=promise.pk))  # a page's form may have set the instance's fields already
    _set_fields(promise, fields, set(PROMISE_FIELDS))
    _check_promise(promise)
    promise.save()
    _to_draft(promise.approach)
    audit.record(actor=actor, action="update", obj=promise, before=before, after=audit.snapshot(promise))
    return promise


@transaction.atomic
def promise_delete(*, promise: Promise, actor: Any) -> None:
    approach = promise.approach
    audit.record(actor=actor, action="delete", obj=promise, before=audit.snapshot(promise))
    promise.delete()
    _to_draft(approach)


# ---------------------------------------------------------------- workflow


@transaction.atomic
def approach_submit(*, approach: Approach, actor: Any, note: str = "") -> Approach:
    approach = Approach.objects.select_for_update().get(pk=approach.pk)
    if approach.status != Approach.Status.DRAFT:
        raise ValidationError("Only a draft can be submitted for approval.")
    if not is_change_manager(actor, approach.programme):
        raise ValidationError("Only a change manager of the programme can submit its approach.")
    note = (note or "").strip()
    if approach.version and not note:
        raise ValidationError({"note": "Say what this draft changes: it is kept with the version when approved."})
    before = audit.snapshot(approach)
    approach.status = Approach.Status.SUBMITTED
    approach.change_note = note or approach.change_note or "First version."
    approach.submitted_by = _actor(actor)
    approach.submitted_at = timezone.now()
    approach.save()
    audit.record(actor=actor, action="update", obj=approach, before=before, after=audit.snapshot(approach))
    return approach


@transaction.atomic
def approach_approve(*, approach: Approach, actor: Any) -> ApproachVersion:
    """Freeze the approach as its next version. A change manager of the
    programme (or an admin) approves, never the person who submitted it."""
    approach = Approach.objects.select_for_update().select_related("programme").get(pk=approach.pk)
    if approach.status != Approach.Status.SUBMITTED:
        raise ValidationError("Only a submitted approach can be approved.")
    if actor is not None and approach.submitted_by_id == getattr(actor, "pk", None):
        raise ValidationError(SELF_APPROVAL)
    if not is_change_manager(actor, approach.programme):
        raise ValidationError("Only a change manager of the programme can approve its approach.")
    previous = approach.versions.order_by("-number").first()
    content = approach_snapshot(approach)
    before = audit.snapshot(approach)
    now = timezone.now()
    version = ApproachVersion.objects.create(
        approach=approach, number=approach.version + 1, content=content,
        changes=approach_changes(previous.content if previous is not None else None, content), note=approach.change_note,
        submitted_by=approach.submitted_by, approved_by=_actor(actor), approved_at=now)
    approach.version = version.number
    approach.status = Approach.Status.APPROVED
    approach.approved_by = _actor(actor)
    approach.approved_at = now
    approach.change_note = ""
    approach.save()
    audit.record(actor=actor, action="update", obj=approach, before=before, after=audit.snapshot(approach))
    audit.record(actor=actor, action="create", obj=version, after={"approach": approach.pk, "number": version.number,
                                                                   "changes": len(version.changes)})
    return version


@transaction.atomic
def approach_return(*, approach: Approach, actor: Any, reason: str = "") -> Approach:
    """Send a submitted approach back to draft, with the reason why."""
    approach = Approach.objects.select_for_update().select_related("programme").get(pk=approach.pk)
    if approach.status != Approach.Status.SUBMITTED:
        raise ValidationError("Only a submitted approach can be returned to draft.")
    if not is_change_manager(actor, approach.programme):
        raise ValidationError("Only a change manager of the programme can return its approach.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why it goes back, so the author knows what to change."})
    before = audit.snapshot(approach)
    approach.status = Approach.Status.DRAFT
    approach.submitted_by = None
    approach.submitted_at = None
    approach.save()
    after = audit.snapshot(approach) or {}
    audit.record(actor=actor, action="update", obj=approach, before=before, after={**after, "returned_because": reason})
    return approach


def return_reason(approach: Approach) -> str:
    """Why a draft was last sent back, if it was since its last submission
    (read from the audit trail, where `approach_return` keeps it)."""
    if approach.status != Approach.Status.DRAFT:
        return ""
    entries = AuditEntry.objects.filter(object_type="capability.approach", object_id=str(approach.pk)).order_by("-pk")
    for after in entries.values_list("after", flat=True)[:50]:
        if isinstance(after, dict) and after.get("returned_because"):
            return str(after["returned_because"])
        if isinstance(after, dict) and after.get("status") == Approach.Status.SUBMITTED:
            return ""
    return ""


# ---------------------------------------------------------------- content and what changed


def group_key(unit_path: str, role_group: str) -> str:
    return f"{unit_path}|{role_group}"


def approach_snapshot(approach: Approach) -> dict[str, Any]:
    """The approach's whole content as JSON-ready data: its sections, its
    group approaches (by unit path and role group) and its promises."""
    groups = []
    for group in approach.groups.select_related("unit").order_by("unit__path", "role_group"):
        groups.append({"key": group_key(group.unit.path, group.role_group), "unit_id": group.unit_id, "unit_path": group.unit.path,
                       "unit": group.unit.name, "role_group": group.role_group,
                       "role_group_label": group.get_role_group_display() or "Every role group",
                       **{name: getattr(group, name) for name, _ in GROUP_FIELDS}})
    promises = [{"measure": p.measure, "measure_label": p.get_measure_display(), "section": p.section,
                 "section_label": p.get_section_display(), "target": str(p.target), "wording": p.wording}
                for p in approach.promises.order_by("section", "measure")]
    return {"programme": approach.programme.code, "sections": {name: getattr(approach, name) for name, _ in SECTION_FIELDS},
            "groups": groups, "promises": promises}


def _group_name(group: dict[str, Any]) -> str:
    return f"{group['unit']} ({group['role_group_label']})"


def _promise_label(promise: dict[str, Any]) -> str:
    return str(promise.get("measure_label") or promise["measure"])


def approach_changes(before: dict[str, Any] | None, after: dict[str, Any]) -> list[dict[str, Any]]:
    """What changed from `before` (None: nothing yet) to `after`, field by
    field: [{part, label, before, after}] with `part` one of section, group
    or promise."""
    before = before or {"sections": {}, "groups": [], "promises": []}
    changes: list[dict[str, Any]] = []
    old_sections, new_sections = before.get("sections", {}), after.get("sections", {})
    for name, label in SECTION_FIELDS:
        old, new = old_sections.get(name, "") or "", new_sections.get(name, "") or ""
        if old != new:
            changes.append({"part": "section", "label": label, "before": old, "after": new})
    old_groups = {g["key"]: g for g in before.get("groups", [])}
    new_groups = {g["key"]: g for g in after.get("groups", [])}
    for key, group in new_groups.items():
        if key not in old_groups:
            changes.append({"part": "group", "label": f"Group added: {_group_name(group)}", "before": "", "after": _group_name(group)})
            continue
        for name, label in GROUP_FIELDS:
            old, new = old_groups[key].get(name, "") or "", group.get(name, "") or ""
            if old != new:
                changes.append({"part": "group", "label": f"{_group_name(group)}: {label}", "before": old, "after": new})
    for key, group in old_groups.items():
        if key not in new_groups:
            changes.append({"part": "group", "label": f"Group removed: {_group_name(group)}", "before": _group_name(group), "after": ""})
    old_promises = {p["measure"]: p for p in before.get("promises", [])}
    new_promises = {p["measure"]: p for p in after.get("promises", [])}
    for key, promise in new_promises.items():
        label = _promise_label(promise)
        if key not in old_promises:
            changes.append({"part": "promise", "label": f"Promise added: {label}", "before": "", "after": promise["target"]})
            continue
        old = old_promises[key]
        if Decimal(old["target"]) != Decimal(promise["target"]):
            changes.append({"part": "promise", "label": f"Promise target: {label}", "before": old["target"], "after": promise["target"]})
        if (old.get("wording") or "") != (promise.get("wording") or ""):
            changes.append({"part": "promise", "label": f"Promise wording: {label}", "before": old.get("wording") or "",
                            "after": promise.get("wording") or ""})
        if old.get("section") != promise.get("section"):
            changes.append({"part": "promise", "label": f"Promise section: {label}", "before": old.get("section_label", old.get("section")),
                            "after": promise.get("section_label", promise.get("section"))})
    for key, promise in old_promises.items():
        if key not in new_promises:
            changes.append({"part": "promise", "label": f"Promise removed: {_promise_label(promise)}", "before": promise["target"], "after": ""})
    return changes
