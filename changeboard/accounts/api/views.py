from __future__ import annotations

from typing import Any, cast

from rest_framework import serializers, viewsets

from changeboard.core.api import ScopedViewSetMixin, service_errors

from .. import services
from ..filtersets import ClaimRuleFilterSet, UserFilterSet
from ..models import ClaimRule, User


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "role", "is_active", "break_glass", "programmes", "units", "last_login"]


class UserViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Accounts and their scopes (admins and auditors)."""

    scoped_model = User
    serializer_class = UserSerializer
    filterset_class = UserFilterSet

    def base_queryset(self, queryset):  # noqa: ANN001, ANN201
        return queryset.prefetch_related("programmes", "units").order_by("username")


class ClaimRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClaimRule
        fields = ["id", "claim_value", "role", "programmes", "units", "description", "is_active"]

    def validate_claim_value(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise serializers.ValidationError("Enter the claim value.")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance = self.instance if isinstance(self.instance, ClaimRule) else None
        role = attrs.get("role", instance.role if instance else None)
        programmes = attrs["programmes"] if "programmes" in attrs else (list(instance.programmes.all()) if instance else [])
        units = attrs["units"] if "units" in attrs else (list(instance.units.all()) if instance else [])
        errors = services.scope_errors(role, programmes, units)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class ClaimRuleViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """The rules mapping the identity provider's roles claim to a role and
    scope (admins change them, auditors read them). Rules are switched off,
    never deleted, so the audit trail keeps what they granted."""

    scoped_model = ClaimRule
    serializer_class = ClaimRuleSerializer
    filterset_class = ClaimRuleFilterSet
    ordering_fields = ["claim_value", "role"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def base_queryset(self, queryset):  # noqa: ANN001, ANN201
        return queryset.prefetch_related("programmes", "units")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        with service_errors():
            serializer.instance = services.claim_rule_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        with service_errors():
            serializer.instance = services.claim_rule_update(rule=cast(ClaimRule, serializer.instance), actor=self.request.user, **serializer.validated_data)
