"""`/api/v1/teams/`: cutover teams (change managers and admins create and change; everyone with a role reads)."""

from __future__ import annotations

from typing import Any, cast

from rest_framework import mixins, serializers, viewsets

from changeboard.core.api import ScopedViewSetMixin, service_errors, signed_in

from ..filtersets.teams import TeamFilterSet
from ..forms.teams import people
from ..models import Team
from ..services import runbooks as services


class _People(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> Any:
        return people()


class TeamSerializer(serializers.ModelSerializer):
    members = _People(many=True, required=False)

    class Meta:
        model = Team
        fields = ["id", "name", "description", "members"]


class TeamViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    scoped_model = Team
    serializer_class = TeamSerializer
    filterset_class = TeamFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def base_queryset(self, queryset: Any) -> Any:
        return queryset.prefetch_related("members").order_by("name")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        with service_errors():
            serializer.instance = services.team_save(actor=signed_in(self.request.user), **serializer.validated_data)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        team = cast(Team, serializer.instance)
        data = {"name": team.name, "description": team.description, **serializer.validated_data}
        with service_errors():
            serializer.instance = services.team_save(team=team, actor=signed_in(self.request.user), **data)
