"""Writes to user accounts, each audited."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from changeboard.core import audit

from .models import ROLE_RANK, ClaimRule, Role, User


def scope_errors(role: str | None, programmes: Iterable[Any] | None, units: Iterable[Any] | None) -> dict[str, str]:
    """What is missing from a role's scope (a user's or a claim rule's), by field."""
    errors = {}
    if role == Role.CHANGE_MANAGER and not programmes:
        errors["programmes"] = "Choose at least one programme for a change manager."
    if role == Role.CHAMPION and not units:
        errors["units"] = "Choose at least one unit for a change champion."
    return errors


def _apply_scope(user: User | ClaimRule, programmes: Iterable[Any] | None, units: Iterable[Any] | None) -> None:
    if programmes is not None:
        user.programmes.set(programmes)
    if units is not None:
        user.units.set(units)


def _update_scoped(obj: User | ClaimRule, actor: User | None, programmes: Iterable[Any] | None, units: Iterable[Any] | None,
                   fields: dict[str, Any]) -> None:
    """Set the fields and the scope of a user or a claim rule; one audit row when anything changed."""
    before = audit.snapshot(obj)
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.save()
    _apply_scope(obj, programmes, units)
    after = audit.snapshot(obj)
    if before != after:
        audit.record(actor=actor, action="update", obj=obj, before=before, after=after)


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
    break_glass: bool = False,
) -> User:
    user = User(username=username, role=role, first_name=first_name, last_name=last_name, email=email, is_demo=is_demo, break_glass=break_glass)
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
    if "role" in fields:
        fields["is_staff"] = fields["role"] == Role.ADMIN
    _update_scoped(user, actor, programmes, units, fields)
    return user


@transaction.atomic
def user_set_password(*, user: User, password: str, actor: User | None) -> None:
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(actor=actor, action="update", obj=user, before=None, after={"password": "changed"})


# --------------------------------------------------------------------------
# Claim rules and single sign-on


@transaction.atomic
def claim_rule_create(
    *, claim_value: str, role: str, actor: User | None, description: str = "", is_active: bool = True,
    programmes: Iterable[Any] | None = None, units: Iterable[Any] | None = None,
) -> ClaimRule:
    rule = ClaimRule.objects.create(claim_value=claim_value, role=role, description=description, is_active=is_active)
    _apply_scope(rule, programmes, units)
    audit.record(actor=actor, action="create", obj=rule, after=audit.snapshot(rule))
    return rule


@transaction.atomic
def claim_rule_update(
    *, rule: ClaimRule, actor: User | None, programmes: Iterable[Any] | None = None, units: Iterable[Any] | None = None, **fields: Any,
) -> ClaimRule:
    _update_scoped(rule, actor, programmes, units, fields)
    return rule


@dataclass(frozen=True)
class Grant:
    """What the matching claim rules give one person."""

    role: str
    programmes: frozenset[int]
    units: frozenset[int]


def grant_for(claim_values: Iterable[str]) -> Grant | None:
    """The role and scope the active rules matching these claim values give,
    or None (no access). Several rules: the highest role (`ROLE_RANK`) wins,
    and the scopes of every matching rule with that role are united (a
    change manager of two programmes carries two claims)."""
    rules = list(ClaimRule.objects.matching(sorted({str(v) for v in claim_values})).prefetch_related("programmes", "units"))
    if not rules:
        return None
    role = max((r.role for r in rules), key=lambda name: ROLE_RANK[Role(name)])
    chosen = [r for r in rules if r.role == role]
    return Grant(
        role=role,
        programmes=frozenset(p.pk for r in chosen for p in r.programmes.all()),
        units=frozenset(u.pk for r in chosen for u in r.units.all()),
    )


@dataclass(frozen=True)
class Identity:
    """The claims single sign-on reads, already picked out of the token."""

    subject: str
    email: str
    first_name: str
    last_name: str
    staff_number: str
    claim_values: tuple[str, ...]


def _hr_record(identity: Identity) -> Any:
    """The HR record (`organisation.Staff`) for this person, by email
    (case-insensitive) or staff number; None when neither finds exactly one.
    The model is reached through the `User.staff` field: accounts sits below
    organisation and imports nothing from it."""
    staff_model = User._meta.get_field("staff").related_model
    assert staff_model is not None and not isinstance(staff_model, str)
    manager = staff_model._default_manager
    if identity.email:
        found = list(manager.filter(email__iexact=identity.email)[:2])
        if len(found) == 1:
            return found[0]
    if identity.staff_number:
        return manager.filter(staff_number=identity.staff_number).first()
    return None


def _find_account(identity: Identity, staff: Any) -> User | None:
    """The account already there for this person: by subject; else the one
    linked to their HR record; else one with their email that no provider
    identity claims yet (accounts made before single sign-on, e.g. a
    nominated champion). Break-glass accounts are never taken over."""
    user = User.objects.filter(oidc_subject=identity.subject).first()
    if user is not None:
        return user
    if staff is not None:
        user = User.objects.filter(staff=staff, oidc_subject__isnull=True).first()
        if user is not None:
            return user
    if identity.email:
        found = list(User.objects.filter(email__iexact=identity.email, oidc_subject__isnull=True, break_glass=False)[:2])
        if len(found) == 1:
            return found[0]
    return None


def _unused_username() -> str:
    """A username that says nothing about the person (it shows in lists and
    the audit trail; pages address accounts by pk)."""
    while True:
        username = f"sso-{secrets.token_hex(5)}"
        if not User.objects.filter(username=username).exists():
            return username


@transaction.atomic
def user_sign_in_by_sso(*, identity: Identity) -> User | None:
    """Find, link or create the account for a single sign-on and set its role
    and scope from the claim rules. No matching rule: no account is created,
    and the person's single sign-on account, if any, is made inactive (so
    every session it has ends); an account never signed in by the provider
    is left alone.
    Returns the account to sign in, or None when there is no access."""
    grant = grant_for(identity.claim_values)
    staff = _hr_record(identity)
    user = _find_account(identity, staff)
    if grant is None:
        if user is not None and user.oidc_subject == identity.subject and user.is_active:
            before = audit.snapshot(user)
            user.is_active = False
            user.save(update_fields=["is_active"])
            audit.record(actor=None, action="update", obj=user, before=before,
                         after={**(audit.snapshot(user) or {}), "event": "user_disabled_by_sso"})
        return None
    if staff is not None and User.objects.filter(staff=staff).exclude(pk=getattr(user, "pk", None)).exists():
        staff = None  # the HR record belongs to another account already: link nothing
    names = {"first_name": identity.first_name[:150], "last_name": identity.last_name[:150], "email": identity.email[:254]}
    if user is None:
        user = User(username=_unused_username(), oidc_subject=identity.subject, staff=staff, role=grant.role, **names)
        user.is_staff = grant.role == Role.ADMIN
        user.set_unusable_password()
        user.save()
        _apply_scope(user, grant.programmes, grant.units)
        audit.record(actor=None, action="create", obj=user, after={**(audit.snapshot(user) or {}), "event": "user_created_by_sso"})
        return user
    before = audit.snapshot(user)
    if not user.is_active:
        # Inactive here means an admin (or an earlier claim) disabled the
        # account: a claim alone never re-enables it.
        return None
    user.oidc_subject = identity.subject
    if staff is not None and user.staff_id is None:
        user.staff = staff
    for name, value in names.items():
        if value:
            setattr(user, name, value)
    user.role = grant.role
    user.is_staff = grant.role == Role.ADMIN
    user.save()
    _apply_scope(user, grant.programmes, grant.units)
    after = audit.snapshot(user)
    if before != after:
        audit.record(actor=None, action="update", obj=user, before=before, after={**(after or {}), "event": "user_updated_by_sso"})
    return user
