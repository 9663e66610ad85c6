from __future__ import annotations

from typing import cast

from django.db.models import QuerySet
from rest_framework import serializers, viewsets

from changeboard.accounts.models import Role, User
from changeboard.core.api import ScopedViewSetMixin, service_errors

from .. import services
from ..filtersets import ProgrammeFilterSet
from ..models import Milestone, Programme, RolloutWave


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "name", "due_date", "completed"]


class WaveSerializer(serializers.ModelSerializer):
    class Meta:
        model = RolloutWave
        fields = ["id", "name", "go_live_date", "units"]


class ProgrammeSerializer(serializers.ModelSerializer):
    sro = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True, role__in=[Role.BOARD, Role.ADMIN]), allow_null=True, required=False)
    change_lead = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True, role=Role.CHANGE_MANAGER), allow_null=True, required=False)
    milestones = MilestoneSerializer(many=True, read_only=True)
    waves = WaveSerializer(many=True, read_only=True)

    class Meta:
        model = Programme
        fields = ["id", "code", "name", "description", "sro", "change_lead", "status", "phase", "milestones", "waves"]


class ProgrammeViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Programmes with their milestones and waves. Admins create; admins and
    the programme's change managers edit; writes go through the services."""

    scoped_model = Programme
    serializer_class = ProgrammeSerializer
    filterset_class = ProgrammeFilterSet
    ordering_fields = ["code", "name"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("sro", "change_lead").prefetch_related("milestones", "waves__units")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        with service_errors():
            serializer.instance = services.programme_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        with service_errors():
            serializer.instance = services.programme_update(programme=cast(Programme, serializer.instance), actor=self.request.user, **serializer.validated_data)
