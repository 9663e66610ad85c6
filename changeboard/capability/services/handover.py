"""A programme's handover plan: per activity whom in the force it is handed
to, by when, and how many times they must have done it themselves. Change
managers of the programme (and admins) write it; the evidence is never
typed (`capability/handover.py` reads it from the audit trail)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from changeboard.core import audit
from changeboard.core.scoping import CHANGE, is_admin
from changeboard.portfolio.models import Programme

from ..models import HandoverActivity, HandoverItem, Practitioner

FIELDS = ("owner", "target_date", "times_required", "note")


def may_plan(user: Any, programme: Programme) -> bool:
    if is_admin(user):
        return True
    return bool(getattr(user, "role", None) == "change_manager" and user.programmes.filter(pk=programme.pk).exists())


def _check(activity: str, owner: Practitioner | None, times_required: int) -> None:
    errors: dict[str, str] = {}
    if activity not in HandoverActivity.values:
        errors["activity"] = "Choose an activity."
    if owner is not None and not owner.active:
        errors["owner"] = "Choose an active practitioner."
    if times_required is None or not 1 <= times_required <= 20:
        errors["times_required"] = "Enter a number of times from 1 to 20."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def item_create(*, programme: Programme, activity: str, owner: Practitioner | None = None, target_date: dt.date | None = None,
                times_required: int = 2, note: str = "", actor: Any) -> HandoverItem:
    if not may_plan(actor, programme):
        raise PermissionDenied("Only a change manager of the programme may plan its handover.")
    _check(activity, owner, times_required)
    if HandoverItem.objects.filter(programme=programme, activity=activity).exists():
        raise ValidationError({"activity": "This activity is already in the programme's plan: change it instead."})
    try:
        with transaction.atomic():
            item = HandoverItem.objects.create(programme=programme, activity=activity, owner=owner, target_date=target_date,
                                               times_required=times_required, note=(note or "").strip())
    except IntegrityError as error:
        raise ValidationError({"activity": "This activity is already in the programme's plan."}) from error
    audit.record(actor=actor, action="create", obj=item, after=audit.snapshot(item))
    return item


def _require(actor: Any, item: HandoverItem) -> None:
    if not HandoverItem.objects.restrict(actor, CHANGE).filter(pk=item.pk).exists():
        raise PermissionDenied("Only a change manager of the programme may change its handover plan.")


@transaction.atomic
def item_update(*, item: HandoverItem, actor: Any, **fields: Any) -> HandoverItem:
    """Change the owner, target date, times required or note."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"Unknown handover item fields: {sorted(unknown)}")
    _require(actor, item)
    item = HandoverItem.objects.select_for_update().get(pk=item.pk)
    before = audit.snapshot(item)
    for name, value in fields.items():
        setattr(item, name, (value or "").strip() if name == "note" else value)
    _check(item.activity, item.owner, item.times_required)
    item.save()
    audit.record(actor=actor, action="update", obj=item, before=before, after=audit.snapshot(item))
    return item


@transaction.atomic
def item_delete(*, item: HandoverItem, actor: Any) -> None:
    _require(actor, item)
    before = audit.snapshot(item)
    audit.record(actor=actor, action="delete", obj=item, before=before)
    item.delete()
