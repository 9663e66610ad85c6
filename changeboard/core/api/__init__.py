"""API machinery shared by every app's API, with the same scopes as the
pages: service errors as 400s, viewsets scoped by the request's action,
related fields offering only what the user may reach, and the API root.

An app's `api/urls.py` registers its viewsets on a `SimpleRouter` named
`router` and exposes `urlpatterns`; the project's urls include each one
under `api/v1/` and list every app's router on the one root (`api_root`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from django.urls import URLPattern, URLResolver, path
from rest_framework import serializers
from rest_framework.routers import DefaultRouter, SimpleRouter
from rest_framework.urlpatterns import format_suffix_patterns

from ..permissions import METHOD_ACTIONS
from ..scoping import CHANGE, VIEW


@contextmanager
def service_errors() -> Iterator[None]:
    """A service's validation error answers 400 with its messages."""
    try:
        yield
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from exc


def signed_in[U: AbstractBaseUser](user: U | AnonymousUser) -> U:
    """`request.user` of a view whose permission lets only a signed-in user
    through, as the user model (for a service's `actor`): DRF types it as
    `User | AnonymousUser`."""
    assert not isinstance(user, AnonymousUser), "a permission class admits only signed-in users"
    return user


class ScopedViewSetMixin:
    """`get_queryset` restricted to the user for the request's action."""

    scoped_model: Any
    request: Any

    def scope_action(self) -> str:
        return METHOD_ACTIONS.get(self.request.method, CHANGE)

    def get_queryset(self) -> QuerySet:
        return self.base_queryset(self.scoped_model.objects.restrict(self.request.user, self.scope_action()))

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset


class ActionScopedMixin(ScopedViewSetMixin):
    """`ScopedViewSetMixin`, but an extra action may name the right it needs
    (`action_rights`, e.g. launching a wave is a change to it, not an add).
    Pair it with `core.permissions.ActionScopedPermission`."""

    action_rights: dict[str, str] = {}
    action: str  # ViewSetMixin's (None outside a request: read with `or ""`)

    def scope_action(self) -> str:
        return self.action_rights.get(self.action or "") or super().scope_action()


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related field offering only the objects of `model` the requesting
    user may reach for `action` (`model.objects.restrict(user, action)`), so
    an id out of scope reads as one that does not exist; without a request,
    nothing."""

    def __init__(self, *, model: type[Model], action: str = VIEW, **kwargs: Any) -> None:
        self.model: Any = model
        self.scope_action = action
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet:
        user = getattr(self.context.get("request"), "user", None)
        return self.model.objects.restrict(user, self.scope_action) if user is not None else self.model.objects.none()


def api_root(*routers: SimpleRouter) -> list[URLPattern | URLResolver]:
    """The one API root (`api-root`, with format suffixes) listing the list
    endpoint of every viewset registered on `routers`, in their order, as a
    single `DefaultRouter` holding them all would."""
    root = DefaultRouter()
    for router in routers:
        root.registry.extend(router.registry)
    return format_suffix_patterns([path("", root.get_api_root_view(), name=root.root_view_name)])
