"""The audit trail through the API: admins and auditors only."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers, viewsets

from ..models import AuditEntry
from . import ScopedViewSetMixin


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
        from ..filtersets import AuditEntryFilterSet

        return AuditEntryFilterSet
