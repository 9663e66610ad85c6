"""`/api/v1/engagements/`: the engagement plan and log with the pages'
scopes (change managers of the programme plan and log; the Board and
auditors read; champions nothing). List (the page's filters: `programme`,
`owner`, `status`, `method`, `overdue`, `date_from`, `date_to`,
`stakeholder`, `assessment`, `q`), read, plan (create), partially update,
and the actions `log/` (a planned one done), `cancel/` and, on the list,
`record/` (log one never planned). Writes go through
`services.engagements`."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from changeboard.accounts.models import User
from changeboard.core.api import ActionScopedMixin, ScopedPrimaryKeyRelatedField, service_errors
from changeboard.core.permissions import ActionScopedPermission
from changeboard.core.scoping import ADD, CHANGE
from changeboard.readiness.forms.actions import owner_choices

from ..filtersets.engagements import EngagementFilterSet
from ..models import Engagement, Position, StakeholderAssessment
from ..services import engagements as services
from ..services.engagements import FollowUp


@extend_schema_field(OpenApiTypes.INT)
class _AssessmentField(ScopedPrimaryKeyRelatedField):
    """A mapping's id (typed for the schema: this serializer has no model)."""


@extend_schema_field(OpenApiTypes.INT)
class _OwnerField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet:
        return owner_choices()


class EngagementSerializer(serializers.ModelSerializer):
    assessment = ScopedPrimaryKeyRelatedField(model=StakeholderAssessment, action=CHANGE,
                                              help_text="The stakeholder's mapping for a programme you change.")
    owner = _OwnerField(required=False, allow_null=True)
    stakeholder = serializers.IntegerField(source="assessment.stakeholder_id", read_only=True)
    stakeholder_name = serializers.CharField(source="assessment.stakeholder.name", read_only=True)
    programme = serializers.IntegerField(source="assessment.programme_id", read_only=True)
    programme_code = serializers.CharField(source="assessment.programme.code", read_only=True)
    overdue = serializers.SerializerMethodField()
    position_after = serializers.IntegerField(read_only=True, allow_null=True,
                                              help_text="Their position after it (1 strongly against to 5 champion), if it changed.")

    class Meta:
        model = Engagement
        fields = ["id", "assessment", "stakeholder", "stakeholder_name", "programme", "programme_code", "purpose", "method", "planned_on",
                  "owner", "status", "overdue", "happened_on", "attendees", "key_points", "concerns", "position_after", "created_by", "created_at"]
        read_only_fields = ["status", "happened_on", "position_after", "created_by", "created_at"]
        extra_kwargs = {"planned_on": {"required": True, "help_text": "Planning: the day (today or later). Null on one logged without a plan."}}

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | QuerySet):
            fields["assessment"].read_only = True  # whom and which programme: fixed once planned
        return fields

    def get_overdue(self, obj: Engagement) -> bool:
        from django.utils import timezone

        return bool(obj.status == Engagement.Status.PLANNED and obj.planned_on and obj.planned_on < timezone.localdate())


class FollowUpSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=200)
    due_date = serializers.DateField()
    owner = _OwnerField(required=False, allow_null=True)


class LogSerializer(serializers.Serializer):
    happened_on = serializers.DateField()
    attendees = serializers.CharField(required=False, allow_blank=True, default="")
    key_points = serializers.CharField(required=False, allow_blank=True, default="")
    concerns = serializers.CharField(required=False, allow_blank=True, default="")
    position_after = serializers.ChoiceField(choices=Position.choices, required=False, allow_null=True, default=None,
                                             help_text="Their position afterwards: becomes their current position for the programme.")
    follow_ups = FollowUpSerializer(many=True, required=False, default=list, help_text="Each becomes a readiness action.")


class RecordSerializer(LogSerializer):
    assessment = _AssessmentField(model=StakeholderAssessment, action=CHANGE)
    purpose = serializers.CharField(max_length=200)
    method = serializers.ChoiceField(choices=Engagement.Method.choices)
    owner = _OwnerField(required=False, allow_null=True)


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


def _follow_ups(data: dict[str, Any]) -> list[FollowUp]:
    return [FollowUp(text=row["text"], due_date=row["due_date"], owner=row.get("owner")) for row in data.pop("follow_ups", [])]


class EngagementViewSet(ActionScopedMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Engagements with stakeholders in the programmes you may see. Creating
    one plans it; `log/` records what happened."""

    scoped_model = Engagement
    serializer_class = EngagementSerializer
    filterset_class = EngagementFilterSet
    permission_classes = [ActionScopedPermission]
    action_rights = {"log": CHANGE, "cancel": CHANGE, "record": ADD}
    ordering_fields = ["planned_on", "happened_on", "created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("assessment__stakeholder", "assessment__programme").order_by("-planned_on", "-pk")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = serializer.validated_data
        with service_errors():
            serializer.instance = services.engagement_plan(
                assessment=data["assessment"], purpose=data["purpose"], method=data["method"], planned_on=data["planned_on"],
                owner=data.get("owner"), actor=cast(User, self.request.user))

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        fields = {k: v for k, v in serializer.validated_data.items() if k in services.UPDATABLE}
        with service_errors():
            serializer.instance = services.engagement_update(engagement=cast(Engagement, serializer.instance),
                                                             actor=cast(User, self.request.user), **fields)

    def _done(self, engagement: Engagement, code: int = status.HTTP_200_OK) -> Response:
        fresh = Engagement.objects.select_related("assessment__stakeholder", "assessment__programme").get(pk=engagement.pk)
        return Response(EngagementSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=LogSerializer, responses={200: EngagementSerializer, 400: OpenApiResponse(description="Not planned, or a bad log.")})
    @action(detail=True, methods=["post"])
    def log(self, request: Request, pk: str | None = None) -> Response:
        """Log a planned engagement as done (with its follow-ups, each raised as a readiness action)."""
        engagement = self.get_object()
        body = LogSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        follow_ups = _follow_ups(data)
        with service_errors():
            engagement = services.engagement_log(engagement=engagement, follow_ups=follow_ups, actor=cast(User, request.user), **data)
        return self._done(engagement)

    @extend_schema(request=RecordSerializer, responses={201: EngagementSerializer, 400: OpenApiResponse(description="A bad log.")})
    @action(detail=False, methods=["post"])
    def record(self, request: Request) -> Response:
        """Log an engagement that was never planned."""
        body = RecordSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        follow_ups = _follow_ups(data)
        data["owner"] = data.get("owner") or request.user
        with service_errors():
            engagement = services.engagement_log(follow_ups=follow_ups, actor=cast(User, request.user), **data)
        return self._done(engagement, status.HTTP_201_CREATED)

    @extend_schema(request=CancelSerializer, responses={200: EngagementSerializer, 400: OpenApiResponse(description="Not planned.")})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Cancel a planned engagement."""
        engagement = self.get_object()
        body = CancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            engagement = services.engagement_cancel(engagement=engagement, reason=body.validated_data["reason"], actor=cast(User, request.user))
        return self._done(engagement)
