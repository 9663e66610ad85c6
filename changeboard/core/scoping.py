"""Central read scoping: every list, detail, export and API view narrows its
queryset with `restrict(user, action)` and asks `can()` whether the role may
touch the model at all.

Two levels, so the answers are consistent everywhere:
- `can(user, model, action)`: may this role ever do `action` on this kind of
  object? No means 403 for the whole area.
- `Model.objects.restrict(user, action)`: which objects? An object outside
  the queryset answers 404, so its existence is not revealed.

Portfolio admins may do everything. Every other role's rights are declared on
the model as `role_actions = {role: {actions}}`, and which rows it reaches is
declared on the model as paths that `ScopedQuerySet` follows:

- `programme_path`: the route to the row's programme ("programme",
  "wave__programme", ...; "pk" on the programme model itself). Roles in
  `PROGRAMME_MEMBER_ROLES` (change managers) reach the programmes in
  `user.programmes`; roles in `UNIT_ROLES` (champions) reach the programmes
  that the programme model's own queryset shows them (those going live in
  their units). With `programme_optional = True` a row with no programme is
  portfolio-wide: every role that may view sees it, only admins change it.
- `unit_path`: the route to the row's unit ("unit"; "" on the unit model
  itself). Roles in `UNIT_ROLES` reach rows at or below their units
  (`user.units`); with `unit_ancestors = True` also the units above theirs
  (whose go-live includes theirs), never a sibling's; with
  `unit_optional = True` a row with no unit is about the whole programme and
  is seen with it.
- `parent_path`: the row is seen with its parent ("assessment", "wave"): the
  parent model's own `restrict` decides (view for view, change otherwise).
- `owner_path`: the row is only ever its owner's ("uploaded_by").

Every other role that holds the right (Board members, auditors) sees the
whole table. A model whose rule is genuinely special overrides `scope_for`
on its queryset, in one place, never in a view. `check_scoped_managers`
refuses to start when a model declares `role_actions` without a scoped
default manager.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any, Self

from django.apps import apps
from django.core.checks import CheckMessage, Error, register
from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser as User
    from django.contrib.auth.models import AnonymousUser

VIEW = "view"
ADD = "add"
CHANGE = "change"
DELETE = "delete"
ADMIN_ROLE = "admin"

# The role rules every scoped model shares (admins are never narrowed).
PROGRAMME_MEMBER_ROLES = frozenset({"change_manager"})  # narrowed to `user.programmes`
UNIT_ROLES = frozenset({"champion"})  # narrowed to the unit subtrees of `user.units`
# Any other role granted an action (board, auditor) sees the whole table.


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


def _lookup(path: str, field: str) -> str:
    """`path__field`, or `field` when the path is the model itself ("")."""
    return f"{path}__{field}" if path else field


def subtree_q(paths: Iterable[str], field: str = "path") -> Q:
    """Matches anything at or below any of the given materialised unit paths."""
    paths = list(paths)
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{field}__startswith": p}) for p in paths))


def unit_paths(user: Any) -> list[str]:
    """Materialised paths of the units the user looks after (`user.units`)."""
    return list(user.units.values_list("path", flat=True))


def ancestor_paths(user: Any) -> list[str]:
    """The paths of the user's units and of every unit above them."""
    step: int = user.units.model.steplen
    return sorted({p[:end] for p in unit_paths(user) for end in range(step, len(p) + 1, step)})


def _related_model(model: type[models.Model], path: str) -> type[models.Model]:
    """The model at the end of a `__`-separated relation path."""
    for name in path.split("__"):
        if name == "pk":
            continue
        model = model._meta.get_field(name).related_model  # type: ignore[assignment]
    return model


def _parent_action(action: str) -> str:
    """Viewing a child is viewing its parent; anything else is changing it."""
    return VIEW if action == VIEW else CHANGE


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how to narrow itself to what a user may see,
    from the paths its model declares (see the module docstring)."""

    def restrict(self, user: Any, action: str = VIEW) -> Self:
        if not can(user, self.model, action):
            return self.none()
        if is_admin(user):
            return self
        return self.scope_for(user, action)

    def scope_for(self, user: User, action: str) -> Self:
        """Narrowing for a non-admin whose role has the right: the declared
        paths. A model with no paths is seen whole by every role granted it."""
        q = self.scope_q(user, action)
        return self.filter(q) if q else self

    # The pieces, also used to filter related rows in annotations.

    def scope_q(self, user: Any, action: str, prefix: str = "") -> Q:
        """The declared rule as one Q on this model (relative to `prefix`)."""
        q = Q()
        for part in (self.programme_q(user, action, prefix), self.unit_q(user, prefix), self.parent_q(user, action, prefix),
                     self.owner_q(user, prefix)):
            if part:
                q &= part
        return q

    def programme_q(self, user: Any, action: str, prefix: str = "") -> Q:
        """Rows of the programmes the user reaches (empty Q: every programme)."""
        path: str | None = getattr(self.model, "programme_path", None)
        role = getattr(user, "role", None)
        if path is None:
            return Q()
        if role in PROGRAMME_MEMBER_ROLES:
            q = Q(**{f"{prefix}{path}__in": user.programmes.values("pk")})
        elif role in UNIT_ROLES and path != "pk":
            programme_model = _related_model(self.model, path)
            reached = programme_model._default_manager.all().scope_for(user, VIEW)  # type: ignore[attr-defined]
            q = Q(**{f"{prefix}{path}__in": reached.values("pk")})
        elif role in UNIT_ROLES:
            q = self.unit_role_programmes_q(user, prefix)
        else:
            return Q()
        if getattr(self.model, "programme_optional", False) and action == VIEW:
            q |= Q(**{f"{prefix}{path}__isnull": True})
        return q

    def unit_role_programmes_q(self, user: Any, prefix: str = "") -> Q:
        """On the programme model itself: which programmes a unit role
        reaches. The programme model's queryset overrides this."""
        return Q(**{f"{prefix}pk__in": []})

    def unit_q(self, user: Any, prefix: str = "") -> Q:
        """Rows about the units a unit role looks after (empty Q: every unit)."""
        path: str | None = getattr(self.model, "unit_path", None)
        if path is None or getattr(user, "role", None) not in UNIT_ROLES:
            return Q()
        paths = unit_paths(user)
        if not paths:
            return Q(**{f"{prefix}pk__in": []})
        q = subtree_q(paths, f"{prefix}{_lookup(path, 'path')}")
        if getattr(self.model, "unit_ancestors", False):
            q |= Q(**{f"{prefix}{_lookup(path, 'path__in')}": ancestor_paths(user)})
        if getattr(self.model, "unit_optional", False):
            q |= Q(**{f"{prefix}{path}__isnull": True})
        return q

    def parent_q(self, user: Any, action: str, prefix: str = "") -> Q:
        """Rows whose parent the user may see (view) or change (otherwise)."""
        path: str | None = getattr(self.model, "parent_path", None)
        if path is None:
            return Q()
        parent = _related_model(self.model, path)
        return Q(**{f"{prefix}{path}__in": parent._default_manager.restrict(user, _parent_action(action)).values("pk")})  # type: ignore[attr-defined]

    def owner_q(self, user: Any, prefix: str = "") -> Q:
        """Rows the user owns."""
        path: str | None = getattr(self.model, "owner_path", None)
        if path is None:
            return Q()
        return Q(**{f"{prefix}{path}": user.pk})


# ---------------------------------------------------------------------------
# The check: every model with `role_actions` has a scoped default manager.


def _unscoped_models(models_: Iterable[type[models.Model]]) -> list[type[models.Model]]:
    unscoped = []
    for model in models_:
        if "role_actions" not in {name for klass in model.__mro__ for name in vars(klass)}:
            continue
        manager = model._default_manager
        queryset_class = getattr(manager, "_queryset_class", None)
        if not (isinstance(queryset_class, type) and issubclass(queryset_class, ScopedQuerySet)) or not hasattr(manager, "restrict"):
            unscoped.append(model)
    return unscoped


@register("models")
def check_scoped_managers(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """A model that declares `role_actions` must be read through
    `restrict()`: its default manager's queryset is a `ScopedQuerySet`."""
    candidates = [m for config in app_configs for m in config.get_models()] if app_configs else list(apps.get_models())
    return [
        Error(
            f"{model._meta.label} declares role_actions but its default manager's queryset is not a ScopedQuerySet.",
            hint="Give it `objects = ScopedQuerySet.as_manager()` (or a subclass) and declare its programme_path/unit_path.",
            obj=model,
            id="changeboard.E010",
        )
        for model in _unscoped_models(candidates)
    ]
