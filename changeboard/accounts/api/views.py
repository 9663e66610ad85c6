from __future__ import annotations

from rest_framework import serializers, viewsets

from changeboard.core.api import ScopedViewSetMixin

from ..filtersets import UserFilterSet
from ..models import User


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "role", "is_active", "programmes", "units", "last_login"]


class UserViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Accounts and their scopes (admins and auditors)."""

    scoped_model = User
    serializer_class = UserSerializer
    filterset_class = UserFilterSet

    def base_queryset(self, queryset):  # noqa: ANN001, ANN201
        return queryset.prefetch_related("programmes", "units").order_by("username")
