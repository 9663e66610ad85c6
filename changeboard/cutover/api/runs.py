"""`/api/v1/runs/` and `/api/v1/run-tasks/`: runs and their tasks with the
pages' scopes. Creating a run starts it (`services.runs.run_start`);
`pause/`, `resume/` and `abandon/` are the programme's change managers';
`projection/` is the live view's numbers. On a run task, `start/` and
`finish/` act as the signed-in user with the same rules as the page (the
task's owner or team, the programme's change managers, admins: anyone
else who can see it gets 403). A task someone else finished first answers
409 saying who and when; any other refusal 400."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from changeboard.accounts.models import User
from changeboard.core.api import ActionScopedMixin, ScopedPrimaryKeyRelatedField, service_errors
from changeboard.core.permissions import ActionScopedPermission
from changeboard.core.scoping import CHANGE, VIEW

from ..filtersets.runs import RunFilterSet, RunTaskFilterSet
from ..models import Run, Runbook, RunTask
from ..services import runs as services


class RunSerializer(serializers.ModelSerializer):
    runbook = ScopedPrimaryKeyRelatedField(model=Runbook, action=CHANGE)
    started_by: serializers.StringRelatedField[User] = serializers.StringRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Run
        fields = ["id", "runbook", "kind", "number", "status", "planned_start", "started_at", "ended_at", "started_by", "paused_reason",
                  "send_test_messages", "late_threshold_minutes", "links"]
        read_only_fields = ["number", "status", "planned_start", "started_at", "ended_at", "paused_reason", "late_threshold_minutes",
                            "links"]
        validators: list[Any] = []  # one open run per runbook: `run_start` says so in words


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000,
                                   help_text="Required to abandon a run.")


class RunTaskSerializer(serializers.ModelSerializer):
    started_by: serializers.StringRelatedField[User] = serializers.StringRelatedField(read_only=True, allow_null=True)
    finished_by: serializers.StringRelatedField[User] = serializers.StringRelatedField(read_only=True, allow_null=True)
    result = serializers.ChoiceField(choices=RunTask.Result.choices, allow_blank=True, read_only=True,
                                     help_text="Validation tasks: pass or fail once finished; blank otherwise.")

    class Meta:
        model = RunTask
        fields = ["id", "run", "ref", "title", "description", "stream", "sub_stream", "kind", "duration_minutes", "owner_user", "owner_team",
                  "not_before", "due_by", "rollback_point", "planned_start", "planned_finish", "status", "started_at", "finished_at",
                  "started_by", "finished_by", "result", "comment", "action", "message_sent_at"]
        read_only_fields = fields


class FinishSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=RunTask.Result.choices, required=False, allow_blank=True, default="",
                                     help_text="Validation tasks only: pass or fail.")
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000, help_text="Needed for a fail.")


def _projection(projection: services.RunProjection) -> dict[str, Any]:
    return {
        "now": projection.now, "planned_finish": projection.planned_finish, "projected_finish": projection.finish,
        "slip_minutes": projection.slip_minutes, "done": projection.done, "total": len(projection.rows),
        "streams": [{"stream": s.stream, "done": s.done, "total": s.total, "percent": s.percent} for s in projection.streams],
        "rollback_points": [{"ref": r.task.ref, "deadline": r.deadline, "projected": r.projected,
                             "time_left_minutes": r.time_left_minutes, "passes": r.passes} for r in projection.rollback_points],
        "tasks": [{"id": row.task.pk, "ref": row.task.ref, "status": row.task.status, "planned_start": row.task.planned_start,
                   "planned_finish": row.task.planned_finish, "projected_start": row.start, "projected_finish": row.finish,
                   "slip_minutes": row.slip_minutes, "startable": row.startable, "late": row.late} for row in projection.rows],
    }


class RunViewSet(ActionScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Runs of the runbooks you may see; filter by `runbook`, `kind` or
    `status`. Creating one starts it from the plan."""

    scoped_model = Run
    serializer_class = RunSerializer
    permission_classes = [ActionScopedPermission]
    filterset_class = RunFilterSet
    ordering_fields = ["started_at"]
    action_rights = {"pause": CHANGE, "resume": CHANGE, "abandon": CHANGE, "projection": VIEW}

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("runbook", "started_by").order_by("-started_at", "-pk")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = serializer.validated_data
        with service_errors():
            serializer.instance = services.run_start(runbook=data["runbook"], kind=data["kind"], actor=cast(User, self.request.user),
                                                     send_test_messages=data.get("send_test_messages", False))

    def _control(self, request: Request, step: Callable[..., Run]) -> Response:
        run = self.get_object()
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            run = step(run=run, actor=cast(User, request.user), reason=body.validated_data["reason"])
        return Response(self.get_serializer(run).data)

    @extend_schema(request=ReasonSerializer, responses={200: RunSerializer, 400: OpenApiResponse(description="Refused.")})
    @action(detail=True, methods=["post"])
    def pause(self, request: Request, pk: str | None = None) -> Response:
        """Pause a running run: no task starts or finishes until it resumes."""
        return self._control(request, services.run_pause)

    @extend_schema(request=ReasonSerializer, responses={200: RunSerializer, 400: OpenApiResponse(description="Refused.")})
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, pk: str | None = None) -> Response:
        """Resume a paused run."""
        return self._control(request, services.run_resume)

    @extend_schema(request=ReasonSerializer, responses={200: RunSerializer, 400: OpenApiResponse(description="Refused.")})
    @action(detail=True, methods=["post"])
    def abandon(self, request: Request, pk: str | None = None) -> Response:
        """Abandon an open run (with a reason); the live run abandons the runbook."""
        return self._control(request, services.run_abandon)

    @extend_schema(responses={200: OpenApiResponse(description="The projection: planned and projected finish, per task, "
                                                               "streams and rollback points.")})
    @action(detail=True, methods=["get"])
    def projection(self, request: Request, pk: str | None = None) -> Response:
        """Where the run is heading, as the live page shows it."""
        return Response(_projection(services.run_projection(self.get_object())))


class RunTaskViewSet(ActionScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Tasks of the runs you may see; filter by `run`, `status` or `stream`."""

    scoped_model = RunTask
    serializer_class = RunTaskSerializer
    permission_classes = [ActionScopedPermission]
    filterset_class = RunTaskFilterSet
    ordering_fields = ["position", "planned_start"]
    action_rights = {"start": VIEW, "finish": VIEW}  # who may act is the service's rule (owner, team, change managers)

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("started_by", "finished_by").order_by("run", "position", "pk")

    def _act(self, step: Callable[[], RunTask]) -> Response:
        try:
            with service_errors():
                run_task = step()
        except serializers.ValidationError as error:
            if isinstance(error.__cause__, services.RunConflict):
                return Response({"detail": " ".join(error.__cause__.messages)}, status=status.HTTP_409_CONFLICT)
            raise
        return Response(self.get_serializer(run_task).data)

    @extend_schema(request=None, responses={200: RunTaskSerializer, 400: OpenApiResponse(description="Cannot start yet."),
                                            409: OpenApiResponse(description="Someone else started or finished it first.")})
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str | None = None) -> Response:
        """Start the task as the signed-in user."""
        run_task = self.get_object()
        return self._act(lambda: services.run_task_start(run_task=run_task, actor=cast(User, request.user)))

    @extend_schema(request=FinishSerializer, responses={200: RunTaskSerializer, 400: OpenApiResponse(description="Cannot finish yet."),
                                                        409: OpenApiResponse(description="Someone else finished it first.")})
    @action(detail=True, methods=["post"])
    def finish(self, request: Request, pk: str | None = None) -> Response:
        """Finish the task (starting it first if needed); validations need `result`."""
        run_task = self.get_object()
        body = FinishSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._act(lambda: services.run_task_finish(run_task=run_task, actor=cast(User, request.user), **body.validated_data))
