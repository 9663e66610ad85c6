"""`/api/v1/journeys/` and its parts, with the pages' scopes: journeys
(list with the page's filters `programme` and `q`, read with their stages,
steps and touchpoints nested and the emotion `lane` computed with the same
suppression as the page; create, partial update, delete), and
`journey-stages/`, `journey-steps/` (each with a `move/` action, body
`{"direction": "up"|"down"}`) and `journey-touchpoints/`. Writes go through
`services.journeys`."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from changeboard.accounts.models import User
from changeboard.core.api import ActionScopedMixin, ScopedPrimaryKeyRelatedField, service_errors
from changeboard.core.permissions import ActionScopedPermission
from changeboard.core.scoping import CHANGE
from changeboard.organisation.models import Unit
from changeboard.portfolio.models import Programme

from ..filtersets.journeys import JourneyFilterSet
from ..lane import journey_lane
from ..models import Journey, Stage, Step, Touchpoint
from ..services import journeys as services


class TouchpointSerializer(serializers.ModelSerializer):
    step = ScopedPrimaryKeyRelatedField(model=Step, action=CHANGE, help_text="A step of a journey you may change.")

    class Meta:
        model = Touchpoint
        fields = ["id", "step", "kind", "ref", "label"]
        read_only_fields = ["label"]
        validators: list[Any] = []  # the service says which touchpoint is a duplicate


class StepSerializer(serializers.ModelSerializer):
    stage = ScopedPrimaryKeyRelatedField(model=Stage, action=CHANGE, help_text="A stage of a journey you may change.")
    touchpoints = serializers.SerializerMethodField()

    class Meta:
        model = Step
        fields = ["id", "stage", "order", "name", "today", "tomorrow", "pain_points", "adkar", "emotion", "touchpoints"]
        read_only_fields = ["order"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | QuerySet):
            fields["stage"].read_only = True
        return fields

    @extend_schema_field(TouchpointSerializer(many=True))
    def get_touchpoints(self, obj: Step) -> list[dict[str, Any]]:
        return [{"id": t.pk, "step": t.step_id, "kind": t.kind, "ref": t.ref, "label": t.label} for t in obj.touchpoints.all()]


class StageSerializer(serializers.ModelSerializer):
    journey = ScopedPrimaryKeyRelatedField(model=Journey, action=CHANGE, help_text="A journey you may change.")
    steps = serializers.SerializerMethodField()

    class Meta:
        model = Stage
        fields = ["id", "journey", "order", "name", "steps"]
        read_only_fields = ["order"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | QuerySet):
            fields["journey"].read_only = True
        return fields

    @extend_schema_field(StepSerializer(many=True))
    def get_steps(self, obj: Stage) -> list[dict[str, Any]]:
        return [StepSerializer(s, context=self.context).data for s in obj.steps.all()]


class JourneySerializer(serializers.ModelSerializer):
    programme = ScopedPrimaryKeyRelatedField(model=Programme, action=CHANGE, help_text="A programme whose journeys you may change.")
    programme_code = serializers.CharField(source="programme.code", read_only=True)
    units = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), many=True)
    stages = serializers.SerializerMethodField()
    lane = serializers.SerializerMethodField()

    class Meta:
        model = Journey
        fields = ["id", "programme", "programme_code", "title", "persona", "persona_description", "units", "role_group", "fill_from_survey",
                  "updated_at", "stages", "lane"]
        read_only_fields = ["updated_at"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | QuerySet):
            fields["programme"].read_only = True
        return fields

    @extend_schema_field(StageSerializer(many=True))
    def get_stages(self, obj: Journey) -> list[dict[str, Any]]:
        if not self.context.get("detail"):
            return []
        return [StageSerializer(s, context=self.context).data for s in obj.stages.all()]

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_lane(self, obj: Journey) -> dict[str, Any] | None:
        """The emotion lane, suppression applied (detail only; null in lists)."""
        if not self.context.get("detail"):
            return None
        return journey_lane(obj).as_dict()


class MoveSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=[services.UP, services.DOWN])


class JourneyViewSet(ActionScopedMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet):
    """User journeys of the programmes you may see; the detail nests the
    stages, steps and touchpoints and computes the emotion lane."""

    scoped_model = Journey
    serializer_class = JourneySerializer
    filterset_class = JourneyFilterSet
    permission_classes = [ActionScopedPermission]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("programme").prefetch_related("units", "stages__steps__touchpoints").order_by("programme__code", "title", "pk")

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "detail": self.action != "list"}

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        with service_errors():
            serializer.instance = services.journey_create(actor=cast(User, self.request.user), **data)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        units = data.pop("units", None)
        with service_errors():
            serializer.instance = services.journey_update(journey=cast(Journey, serializer.instance), units=units,
                                                          actor=cast(User, self.request.user), **data)

    def perform_destroy(self, instance: Journey) -> None:
        services.journey_delete(journey=instance, actor=cast(User, self.request.user))


class _MoveMixin:
    action_rights = {"move": CHANGE}

    def _moved(self, request: Request, mover: Any) -> Response:
        view: Any = self  # a GenericViewSet: get_object and get_serializer come from it
        body = MoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            moved = mover(view.get_object(), body.validated_data["direction"], cast(User, request.user))
        return Response(view.get_serializer(moved).data)


class StageViewSet(_MoveMixin, ActionScopedMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin,
                   viewsets.ReadOnlyModelViewSet):
    """The stages of journeys you may see."""

    scoped_model = Stage
    serializer_class = StageSerializer
    permission_classes = [ActionScopedPermission]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.prefetch_related("steps__touchpoints").order_by("journey", "order", "pk")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = serializer.validated_data
        with service_errors():
            serializer.instance = services.stage_add(journey=data["journey"], name=data.get("name", ""), actor=cast(User, self.request.user))

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        stage = cast(Stage, serializer.instance)
        with service_errors():
            serializer.instance = services.stage_update(stage=stage, name=serializer.validated_data.get("name", stage.name),
                                                        actor=cast(User, self.request.user))

    def perform_destroy(self, instance: Stage) -> None:
        services.stage_delete(stage=instance, actor=cast(User, self.request.user))

    @extend_schema(request=MoveSerializer, responses={200: StageSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        return self._moved(request, lambda stage, direction, actor: services.stage_move(stage=stage, direction=direction, actor=actor))


class StepViewSet(_MoveMixin, ActionScopedMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin,
                  viewsets.ReadOnlyModelViewSet):
    """The steps of journeys you may see."""

    scoped_model = Step
    serializer_class = StepSerializer
    permission_classes = [ActionScopedPermission]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.prefetch_related("touchpoints").order_by("stage__journey", "stage__order", "order", "pk")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        stage = data.pop("stage")
        with service_errors():
            serializer.instance = services.step_add(stage=stage, actor=cast(User, self.request.user), **data)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        with service_errors():
            serializer.instance = services.step_update(step=cast(Step, serializer.instance), actor=cast(User, self.request.user),
                                                       **serializer.validated_data)

    def perform_destroy(self, instance: Step) -> None:
        services.step_delete(step=instance, actor=cast(User, self.request.user))

    @extend_schema(request=MoveSerializer, responses={200: StepSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        return self._moved(request, lambda step, direction, actor: services.step_move(step=step, direction=direction, actor=actor))


class TouchpointViewSet(ActionScopedMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet):
    """Touchpoints of journeys you may see: added by kind and ref (checked
    against the journey's programme), removed; never changed."""

    scoped_model = Touchpoint
    serializer_class = TouchpointSerializer
    permission_classes = [ActionScopedPermission]
    http_method_names = ["get", "post", "delete", "head", "options"]

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.order_by("step", "kind", "pk")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = serializer.validated_data
        with service_errors():
            serializer.instance = services.touchpoint_add(step=data["step"], kind=data["kind"], ref=data["ref"], actor=cast(User, self.request.user))

    def perform_destroy(self, instance: Touchpoint) -> None:
        services.touchpoint_delete(touchpoint=instance, actor=cast(User, self.request.user))
