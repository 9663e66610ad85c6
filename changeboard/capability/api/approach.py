"""`/api/v1/approaches/` and `/api/v1/approach-versions/`: the change
approaches with the pages' scopes. Writes go through `services.approach`:
POST to the list starts one, PATCH changes its sections, `submit`,
`approve` and `return` move it along; `groups` and `promises` (GET lists,
POST adds) and `evidence` (the live evidence beside each promise)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from changeboard.core.api import ActionScopedMixin, ScopedPrimaryKeyRelatedField, ScopedViewSetMixin, service_errors, signed_in
from changeboard.core.permissions import ActionScopedPermission
from changeboard.core.scoping import CHANGE
from changeboard.organisation.models import Unit
from changeboard.portfolio.models import Programme

from ..evidence import approach_evidence, promises_summary
from ..filtersets.approach import ApproachFilterSet, ApproachVersionFilterSet
from ..models import Approach, ApproachVersion, GroupApproach, Promise
from ..services import approach as services

SECTIONS = ["objectives", "case_for_change", "principles", "risks", "governance", "change_note"]
GROUP_TEXT = [name for name, _ in services.GROUP_FIELDS]


class GroupApproachSerializer(serializers.ModelSerializer):
    unit = ScopedPrimaryKeyRelatedField(model=Unit)
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = GroupApproach
        fields = ["id", "unit", "unit_name", "role_group", *GROUP_TEXT]


class PromiseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Promise
        fields = ["id", "section", "measure", "target", "wording"]


class ApproachSerializer(serializers.ModelSerializer):
    programme_code = serializers.CharField(source="programme.code", read_only=True)
    groups = GroupApproachSerializer(many=True, read_only=True)
    promises = PromiseSerializer(many=True, read_only=True)

    class Meta:
        model = Approach
        fields = ["id", "programme", "programme_code", "status", "version", *SECTIONS, "submitted_at", "approved_at", "updated_at",
                  "groups", "promises"]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.INT)
class _ProgrammeField(ScopedPrimaryKeyRelatedField):
    """A programme id (typed for the schema: this serializer has no model)."""


class ApproachCreateSerializer(serializers.Serializer):
    programme = _ProgrammeField(model=Programme, action=CHANGE, help_text="A programme you lead, without an approach yet.")
    objectives = serializers.CharField(required=False, allow_blank=True, default="")
    case_for_change = serializers.CharField(required=False, allow_blank=True, default="")
    principles = serializers.CharField(required=False, allow_blank=True, default="")
    risks = serializers.CharField(required=False, allow_blank=True, default="")
    governance = serializers.CharField(required=False, allow_blank=True, default="")


class ApproachUpdateSerializer(serializers.Serializer):
    objectives = serializers.CharField(required=False, allow_blank=True)
    case_for_change = serializers.CharField(required=False, allow_blank=True)
    principles = serializers.CharField(required=False, allow_blank=True)
    risks = serializers.CharField(required=False, allow_blank=True)
    governance = serializers.CharField(required=False, allow_blank=True)
    change_note = serializers.CharField(required=False, allow_blank=True)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ApproachReturnReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class PromiseEvidenceSerializer(serializers.Serializer):
    promise = serializers.IntegerField()
    section = serializers.CharField()
    measure = serializers.CharField()
    target = serializers.CharField()
    actual = serializers.FloatField(allow_null=True)
    display = serializers.CharField()
    holds = serializers.BooleanField(allow_null=True)
    status = serializers.CharField()
    detail = serializers.CharField()
    url = serializers.CharField()


@extend_schema_view(
    create=extend_schema(request=ApproachCreateSerializer, responses={201: ApproachSerializer}),
    partial_update=extend_schema(request=ApproachUpdateSerializer, responses={200: ApproachSerializer}),
)
class ApproachViewSet(ActionScopedMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Every approach the user may view; a change manager starts and
    changes their programmes' approaches. Approving is for a change manager
    of the programme (or an admin) who did not submit it."""

    scoped_model = Approach
    serializer_class = ApproachSerializer
    permission_classes = [ActionScopedPermission]
    filterset_class = ApproachFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]
    action_rights = {"submit": CHANGE, "approve": CHANGE, "return_": CHANGE, "groups": CHANGE, "promises": CHANGE}

    def scope_action(self) -> str:
        if self.request.method in ("GET", "HEAD", "OPTIONS"):
            return "view"
        return super().scope_action()

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("programme").prefetch_related("groups__unit", "promises").order_by("programme__code")

    def _fresh(self, approach: Approach) -> dict[str, Any]:
        return dict(ApproachSerializer(self.base_queryset(Approach.objects.filter(pk=approach.pk)).get()).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = ApproachCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        with service_errors():
            approach = services.approach_create(programme=data.pop("programme"), actor=signed_in(request.user), **data)
        return Response(self._fresh(approach), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        approach = self.get_object()
        body = ApproachUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            approach = services.approach_update(approach=approach, actor=signed_in(request.user), **body.validated_data)
        return Response(self._fresh(approach))

    @extend_schema(request=NoteSerializer, responses={200: ApproachSerializer, 400: OpenApiResponse(description="Refused.")})
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        approach = self.get_object()
        body = NoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            approach = services.approach_submit(approach=approach, actor=signed_in(request.user), note=body.validated_data["note"])
        return Response(self._fresh(approach))

    @extend_schema(request=None, responses={200: ApproachSerializer, 400: OpenApiResponse(description="Refused (e.g. your own submission).")})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        approach = self.get_object()
        with service_errors():
            services.approach_approve(approach=approach, actor=signed_in(request.user))
        return Response(self._fresh(approach))

    @extend_schema(request=ApproachReturnReasonSerializer, responses={200: ApproachSerializer, 400: OpenApiResponse(description="Refused.")})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request: Request, pk: str | None = None) -> Response:
        approach = self.get_object()
        body = ApproachReturnReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            approach = services.approach_return(approach=approach, actor=signed_in(request.user), reason=body.validated_data["reason"])
        return Response(self._fresh(approach))

    @extend_schema(request=GroupApproachSerializer, responses={200: GroupApproachSerializer(many=True), 201: GroupApproachSerializer})
    @action(detail=True, methods=["get", "post"])
    def groups(self, request: Request, pk: str | None = None) -> Response:
        """The group approaches (GET), or add one (POST)."""
        approach = self.get_object()
        if request.method == "GET":
            return Response(GroupApproachSerializer(approach.groups.select_related("unit"), many=True).data)
        body = GroupApproachSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        with service_errors():
            group = services.group_approach_create(approach=approach, actor=signed_in(request.user), **body.validated_data)
        return Response(GroupApproachSerializer(group).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PromiseSerializer, responses={200: PromiseSerializer(many=True), 201: PromiseSerializer})
    @action(detail=True, methods=["get", "post"])
    def promises(self, request: Request, pk: str | None = None) -> Response:
        """The promises (GET), or add one (POST)."""
        approach = self.get_object()
        if request.method == "GET":
            return Response(PromiseSerializer(approach.promises.all(), many=True).data)
        body = PromiseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            promise = services.promise_create(approach=approach, actor=signed_in(request.user), **body.validated_data)
        return Response(PromiseSerializer(promise).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: PromiseEvidenceSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def evidence(self, request: Request, pk: str | None = None) -> Response:
        """Each promise beside its live evidence (`holds`: true, false, or null with no data yet)."""
        approach = self.get_object()
        rows = approach_evidence(approach)
        held, total, no_data = promises_summary(approach, rows)
        return Response({"held": held, "total": total, "no_data": no_data,
                         "promises": [{"promise": p.pk, "section": p.section, **e.as_dict()} for p, e in rows]})


class ApproachVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApproachVersion
        fields = ["id", "approach", "number", "content", "changes", "note", "approved_at"]
        read_only_fields = fields


class ApproachVersionViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Approved versions, frozen, with what changed since the one before."""

    scoped_model = ApproachVersion
    serializer_class = ApproachVersionSerializer
    filterset_class = ApproachVersionFilterSet

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.order_by("approach_id", "-number")


class GroupApproachViewSet(ScopedViewSetMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet):
    """One group approach: read, PATCH its text, DELETE it (add one with an
    approach's `groups`). Any change puts its approach back to draft."""

    scoped_model = GroupApproach
    serializer_class = GroupApproachSerializer
    permission_classes = [ActionScopedPermission]
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("unit").order_by("approach_id", "unit__path", "role_group")

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        group = self.get_object()
        body = GroupApproachSerializer(group, data=request.data, partial=True, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        with service_errors():
            group = services.group_approach_update(group=GroupApproach.objects.get(pk=group.pk), actor=signed_in(request.user),
                                                   **body.validated_data)
        return Response(GroupApproachSerializer(group).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with service_errors():
            services.group_approach_delete(group=self.get_object(), actor=signed_in(request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PromiseViewSet(ScopedViewSetMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet):
    """One promise: read, PATCH, DELETE (add one with an approach's `promises`)."""

    scoped_model = Promise
    serializer_class = PromiseSerializer
    permission_classes = [ActionScopedPermission]
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.order_by("approach_id", "section", "measure")

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        promise = self.get_object()
        body = PromiseSerializer(promise, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        with service_errors():
            promise = services.promise_update(promise=Promise.objects.get(pk=promise.pk), actor=signed_in(request.user),
                                              **body.validated_data)
        return Response(PromiseSerializer(promise).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with service_errors():
            services.promise_delete(promise=self.get_object(), actor=signed_in(request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)
