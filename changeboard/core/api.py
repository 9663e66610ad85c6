"""API machinery: the same scopes as the pages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from rest_framework import serializers, viewsets

from .models import AuditEntry
from .permissions import METHOD_ACTIONS
from .scoping import CHANGE


@contextmanager
def service_errors() -> Iterator[None]:
    """A service's validation error answers 400 with its messages."""
    try:
        yield
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from exc


class ScopedViewSetMixin:
    """`get_queryset` restricted to the user for the request's action."""

    scoped_model: Any
    request: Any

    def get_queryset(self) -> QuerySet:
        action = METHOD_ACTIONS.get(self.request.method, CHANGE)
        return self.base_queryset(self.scoped_model.objects.restrict(self.request.user, action))

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset


class AuditEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = ["id", "timestamp", "actor", "actor_name", "request_id", "action", "object_type", "object_id", "object_repr", "before", "after"]


class AuditEntryViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The audit trail: admins and auditors only."""

    scoped_model = AuditEntry
    serializer_class = AuditEntrySerializer
    ordering_fields = ["timestamp"]

    @property
    def filterset_class(self) -> Any:
        from .filtersets import AuditEntryFilterSet

        return AuditEntryFilterSet
