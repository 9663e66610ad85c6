"""Writes to user accounts, each audited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from changeboard.core import audit

from .models import Role, User


def _apply_scope(user: User, programmes: Iterable[Any] | None, units: Iterable[Any] | None) -> None:
    if programmes is not None:
        user.programmes.set(programmes)
    if units is not None:
        user.units.set(units)


@transaction.atomic
def user_create(
    *,
    username: str,
    role: str,
    actor: User | None,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    programmes: Iterable[Any] | None = None,
    units: Iterable[Any] | None = None,
    is_demo: bool = False,
) -> User:
    user = User(username=username, role=role, first_name=first_name, last_name=last_name, email=email, is_demo=is_demo)
    user.is_staff = role == Role.ADMIN
    user.is_superuser = False
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    _apply_scope(user, programmes, units)
    audit.record(actor=actor, action="create", obj=user, after=audit.snapshot(user))
    return user


@transaction.atomic
def user_update(*, user: User, actor: User | None, programmes: Iterable[Any] | None = None, units: Iterable[Any] | None = None, **fields: Any) -> User:
    before = audit.snapshot(user)
    for name, value in fields.items():
        setattr(user, name, value)
    if "role" in fields:
        user.is_staff = user.role == Role.ADMIN
    user.save()
    _apply_scope(user, programmes, units)
    after = audit.snapshot(user)
    if before != after:
        audit.record(actor=actor, action="update", obj=user, before=before, after=after)
    return user


@transaction.atomic
def user_set_password(*, user: User, password: str, actor: User | None) -> None:
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(actor=actor, action="update", obj=user, before=None, after={"password": "changed"})
