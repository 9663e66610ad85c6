"""Central read scoping: every list, detail, export and API view narrows its
queryset with `restrict(user, action)` and asks `can()` whether the role may
touch the model at all.

Two levels, so the answers are consistent everywhere:
- `can(user, model, action)`: may this role ever do `action` on this kind of
  object? No means 403 for the whole area.
- `Model.objects.restrict(user, action)`: which objects? An object outside
  the queryset answers 404, so its existence is not revealed.

Portfolio admins may do everything. Every other role's rights are declared on
the model as `role_actions = {role: {actions}}` and narrowed per object by the
queryset's `scope_for(user, action)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser as User
    from django.contrib.auth.models import AnonymousUser

VIEW = "view"
ADD = "add"
CHANGE = "change"
DELETE = "delete"
ADMIN_ROLE = "admin"


def is_admin(user: User | AnonymousUser | None) -> bool:
    return bool(user and user.is_authenticated and user.is_active and getattr(user, "role", None) == ADMIN_ROLE)


def can(user: User | AnonymousUser | None, model: type[models.Model], action: str = VIEW) -> bool:
    """Whether the user's role may ever perform `action` on `model`."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    if is_admin(user):
        return True
    rules: dict[str, set[str]] = getattr(model, "role_actions", {})
    return action in rules.get(getattr(user, "role", ""), set())


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how to narrow itself to what a user may see."""

    def restrict(self, user: Any, action: str = VIEW) -> ScopedQuerySet:
        if not can(user, self.model, action):
            return self.none()
        if is_admin(user):
            return self
        return self.scope_for(user, action)

    def scope_for(self, user: User, action: str) -> ScopedQuerySet:
        """Per-model narrowing for a non-admin whose role has the right.

        The default is the whole table: a role granted `view` on a model
        without a narrower rule sees all of it (e.g. Board members).
        """
        return self
