"""`/api/v1/tasks/` and `/api/v1/dependencies/`: a runbook's tasks and
links with the pages' scopes. A task's `predecessors` reads and writes as
the notation people type ("T-010, T-020SS+15"), saved with the task in one
transaction; a write the plan cannot schedule is a 400 naming the tasks."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from rest_framework import serializers, viewsets

from changeboard.core.api import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin, service_errors, signed_in
from changeboard.core.scoping import CHANGE
from changeboard.organisation.models import Unit

from ..filtersets.tasks import DependencyFilterSet, TaskFilterSet
from ..forms.tasks import AUDIENCE_FIELDS, TASK_FIELDS
from ..forms.teams import people
from ..models import Dependency, Runbook, Task, Team
from ..scheduling import PREDECESSOR_HELP, format_predecessors
from ..services import runbooks as services


class _People(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> Any:
        return people()


class _Teams(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> Any:
        return Team.objects.all()


class _Units(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> Any:
        return Unit.objects.all()


class TaskSerializer(serializers.ModelSerializer):
    runbook = ScopedPrimaryKeyRelatedField(model=Runbook, action=CHANGE)
    owner_user = _People(required=False, allow_null=True)
    owner_team = _Teams(required=False, allow_null=True)
    audience_users = _People(many=True, required=False)
    audience_teams = _Teams(many=True, required=False)
    audience_units = _Units(many=True, required=False)
    predecessors = serializers.CharField(required=False, allow_blank=True, max_length=2000, help_text=PREDECESSOR_HELP)

    class Meta:
        model = Task
        fields = ["id", "runbook", *TASK_FIELDS, "position", "outline_level", "predecessors", *AUDIENCE_FIELDS]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | QuerySet):
            fields["runbook"].read_only = True  # a task stays in its runbook
        return fields

    def to_representation(self, instance: Task) -> dict[str, Any]:
        data = super().to_representation(instance)
        links = sorted((link.predecessor.ref, link.link_type, link.lag_minutes) for link in instance.predecessor_links.all())
        data["predecessors"] = format_predecessors(links)
        return data


class TaskViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    scoped_model = Task
    serializer_class = TaskSerializer
    filterset_class = TaskFilterSet
    ordering_fields = ["position", "ref"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        return (queryset.order_by("runbook", "position", "pk")
                .prefetch_related("predecessor_links__predecessor", "audience_users", "audience_teams", "audience_units"))

    def _save(self, serializer: serializers.BaseSerializer, task: Task | None) -> None:
        data = dict(serializer.validated_data)
        runbook = data.pop("runbook", None) or cast(Task, task).runbook
        predecessors = data.pop("predecessors", None)
        with service_errors():
            saved = services.task_save_with_predecessors(runbook=runbook, task=task, predecessors=predecessors,
                                                         actor=signed_in(self.request.user), **data)
        serializer.instance = Task.objects.prefetch_related("predecessor_links__predecessor").get(pk=saved.pk)

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        self._save(serializer, None)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        self._save(serializer, cast(Task, serializer.instance))

    def perform_destroy(self, instance: Task) -> None:
        with service_errors():
            services.task_delete(task=instance, actor=signed_in(self.request.user))


class DependencySerializer(serializers.ModelSerializer):
    predecessor = ScopedPrimaryKeyRelatedField(model=Task, action=CHANGE)
    successor = ScopedPrimaryKeyRelatedField(model=Task, action=CHANGE)
    predecessor_ref = serializers.CharField(source="predecessor.ref", read_only=True)
    successor_ref = serializers.CharField(source="successor.ref", read_only=True)

    class Meta:
        model = Dependency
        fields = ["id", "predecessor", "predecessor_ref", "successor", "successor_ref", "link_type", "lag_minutes"]


class DependencyViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    scoped_model = Dependency
    serializer_class = DependencySerializer
    filterset_class = DependencyFilterSet
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("predecessor", "successor").order_by("successor__runbook", "successor__position", "pk")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        with service_errors():
            serializer.instance = services.dependency_save(actor=signed_in(self.request.user), **serializer.validated_data)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        link = cast(Dependency, serializer.instance)
        data = {"predecessor": link.predecessor, "successor": link.successor, "link_type": link.link_type,
                "lag_minutes": link.lag_minutes, **serializer.validated_data}
        with service_errors():
            serializer.instance = services.dependency_save(dependency=link, actor=signed_in(self.request.user), **data)

    def perform_destroy(self, instance: Dependency) -> None:
        with service_errors():
            services.dependency_delete(dependency=instance, actor=signed_in(self.request.user))
