"""Writing the audit trail. Services call `record()` inside their transaction."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import models

from .middleware import current_request_id
from .models import AuditEntry

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

# Who did it: a request's user as Django types it (`request.user`), or None
# for the system (the worker, a management command). `core` imports no domain
# app, so not `accounts.User`; any AbstractBaseUser fits. An anonymous or
# missing actor is written as "system".
type Actor = AbstractBaseUser | AnonymousUser | None


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(obj: models.Model | None, exclude: Iterable[str] = ("password",)) -> dict[str, Any] | None:
    """The object's concrete field values as JSON-ready data (FKs as ids)."""
    if obj is None:
        return None
    skip = set(exclude)
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in skip:
            continue
        data[field.name] = _plain(getattr(obj, field.attname))
    for field in obj._meta.many_to_many:
        if field.name in skip or obj.pk is None:
            continue
        data[field.name] = sorted(obj.serializable_value(field.name).values_list("pk", flat=True))
    return data


def object_label(model: type[models.Model] | models.Model) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def build(
    *,
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    object_repr: str | None = None,
) -> AuditEntry:
    """An unsaved audit row, for services that write many at once.

    The action must be one the trail's filter lists (AuditEntry.Action), so
    every entry can be found by it."""
    if action not in AuditEntry.Action.values:
        raise ValueError(f"Unlisted audit action {action!r}: add it to AuditEntry.Action.")
    # By id: `core` knows the user model only as AbstractBaseUser.
    signed_in = actor if actor is not None and actor.is_authenticated else None
    return AuditEntry(
        actor_id=signed_in.pk if signed_in is not None else None,
        actor_name=signed_in.get_username() if signed_in is not None else "system",
        request_id=current_request_id(),
        action=action,
        object_type=object_type or (object_label(obj) if obj is not None else ""),
        object_id=object_id if object_id is not None else (str(obj.pk) if obj is not None and obj.pk is not None else ""),
        object_repr=(object_repr if object_repr is not None else str(obj) if obj is not None else "")[:200],
        before=before,
        after=after,
    )


def record(**kwargs: Any) -> AuditEntry:
    """Write one audit row (call inside the service's transaction)."""
    entry = build(**kwargs)
    entry.save()
    return entry


def record_many(entries: list[AuditEntry]) -> None:
    AuditEntry.objects.bulk_create(entries, batch_size=2000)
