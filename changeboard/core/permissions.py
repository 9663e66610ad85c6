"""The API's permission classes (kept apart from core.api so DRF's settings
can import it without importing the viewsets)."""

from __future__ import annotations

from typing import Any

from rest_framework import permissions

from .scoping import ADD, CHANGE, DELETE, VIEW, can

METHOD_ACTIONS = {"GET": VIEW, "HEAD": VIEW, "OPTIONS": VIEW, "POST": ADD, "PUT": CHANGE, "PATCH": CHANGE, "DELETE": DELETE}


class ScopedPermission(permissions.BasePermission):
    """Allows a request when the user's role may perform the method's action
    on the view's model; object access is narrowed by the queryset (404)."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        model = getattr(view, "scoped_model", None)
        if model is None:
            return request.user.is_active
        return can(request.user, model, METHOD_ACTIONS.get(request.method, CHANGE))


class ActionScopedPermission(ScopedPermission):
    """`ScopedPermission`, but an extra action may name the right it needs
    (the view's `scope_action()`, from `core.api.ActionScopedMixin`)."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        return can(request.user, view.scoped_model, view.scope_action())
