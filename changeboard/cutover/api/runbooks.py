"""`/api/v1/runbooks/`: runbooks with the pages' scopes (change managers
their own programmes', templates by admins only; the Board, auditors and
champions read; a task owner reads the runbooks they own tasks in), and
`runbooks/{id}/schedule/`: the schedule computed now (per task its earliest
and latest start and finish as ISO times with their offset, float and
whether it is critical; the finish; the critical path's IDs)."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from changeboard.core.api import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin, service_errors, signed_in
from changeboard.core.scoping import CHANGE, is_admin
from changeboard.portfolio.models import Programme, RolloutWave

from ..filtersets.runbooks import RunbookFilterSet
from ..models import RUNBOOK_TZ, Runbook
from ..scheduling import ScheduleError
from ..services import runbooks as services

FIXED_ONCE_MADE = ("programme", "rollout_wave", "is_template")


class RunbookSerializer(serializers.ModelSerializer):
    programme = ScopedPrimaryKeyRelatedField(model=Programme, action=CHANGE, required=False, allow_null=True)
    rollout_wave = ScopedPrimaryKeyRelatedField(model=RolloutWave, action=CHANGE, required=False, allow_null=True)
    programme_code = serializers.CharField(source="programme.code", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Runbook
        fields = ["id", "programme", "programme_code", "rollout_wave", "title", "description", "is_template", "mode", "planned_start",
                  "late_threshold_minutes", "copied_from", "created_at", "updated_at"]
        read_only_fields = ["mode", "copied_from", "created_at", "updated_at"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | QuerySet):
            for name in FIXED_ONCE_MADE:  # a runbook's programme and wave are its record
                fields[name].read_only = True
        return fields


def _iso(moment: Any) -> str:
    return moment.astimezone(RUNBOOK_TZ).isoformat()


class RunbookViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    scoped_model = Runbook
    serializer_class = RunbookSerializer
    filterset_class = RunbookFilterSet
    ordering_fields = ["planned_start", "title"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("programme").order_by("planned_start", "pk")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        user = signed_in(self.request.user)
        if data.get("is_template") and not is_admin(user):
            raise PermissionDenied("Only portfolio admins create templates.")
        with service_errors():
            serializer.instance = services.runbook_create(actor=user, **data)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        data = {k: v for k, v in serializer.validated_data.items() if k in services.RUNBOOK_FIELDS}
        with service_errors():
            serializer.instance = services.runbook_update(runbook=cast(Runbook, serializer.instance), actor=signed_in(self.request.user), **data)

    def perform_destroy(self, instance: Runbook) -> None:
        with service_errors():
            services.runbook_delete(runbook=instance, actor=signed_in(self.request.user))

    @action(detail=True, methods=["get"])
    def schedule(self, request: Request, pk: str | None = None) -> Response:
        """The schedule, computed now from the plan (times in Europe/London, with their offset)."""
        runbook = self.get_object()
        try:
            result = services.runbook_schedule(runbook)
        except ScheduleError as error:
            raise serializers.ValidationError({"schedule": [str(error)], "tasks": error.refs}) from error
        return Response({
            "runbook": runbook.pk, "timezone": "Europe/London", "start": _iso(result.start), "finish": _iso(result.finish),
            "duration_minutes": result.duration_minutes, "critical_path": [row.task.ref for row in result.critical_path],
            "rollback_points": [row.task.ref for row in result.rollback_points],
            "tasks": [{"id": row.task.pk, "ref": row.task.ref, "title": row.task.title, "es": _iso(row.earliest_start),
                       "ef": _iso(row.earliest_finish), "ls": _iso(row.latest_start), "lf": _iso(row.latest_finish),
                       "float_minutes": row.float_minutes, "critical": row.critical} for row in result.rows],
        })
