"""`/api/v1/champion-activities/`: champion activities with the pages'
scopes. List (the page's filters: `programme`, `champion`, `kind`,
`status`, `unit` (and below), `date_from`, `date_to`), read, create (a
champion logs one of their own, done; a change manager or an admin plans
one for a champion: planned), partially update, and the actions
`complete/` and `cancel/`. Writes go through `services.activities`."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from changeboard.accounts.models import Role, User
from changeboard.core.api import ActionScopedMixin, ScopedPrimaryKeyRelatedField, service_errors
from changeboard.core.permissions import ActionScopedPermission
from changeboard.core.scoping import CHANGE, VIEW
from changeboard.organisation.models import Unit
from changeboard.portfolio.models import Programme

from ..filtersets.activities import ActivityFilterSet
from ..models import Activity, Champion
from ..services import activities as services


class ActivitySerializer(serializers.ModelSerializer):
    champion = ScopedPrimaryKeyRelatedField(model=Champion, action=VIEW, required=False,
                                            help_text="Planning: the champion. Logging: left out (you).")
    programme = ScopedPrimaryKeyRelatedField(model=Programme, action=VIEW, help_text="A programme the champion supports.")
    unit = ScopedPrimaryKeyRelatedField(model=Unit, action=VIEW, required=False,
                                        help_text="A unit the champion looks after (planning: blank is their own).")
    champion_name = serializers.CharField(source="champion.__str__", read_only=True)
    programme_code = serializers.CharField(source="programme.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Activity
        fields = ["id", "champion", "champion_name", "programme", "programme_code", "kind", "status", "date", "unit", "unit_name",
                  "people_reached", "minutes", "notes", "planned_by", "created_by", "created_at"]
        read_only_fields = ["status", "planned_by", "created_by", "created_at"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | QuerySet):
            fields["champion"].read_only = True  # whose and which programme: fixed once made
            fields["programme"].read_only = True
        return fields


class ActivityCompleteSerializer(serializers.Serializer):
    people_reached = serializers.IntegerField(min_value=0, max_value=services.MAX_PEOPLE)
    minutes = serializers.IntegerField(min_value=0, max_value=services.MAX_MINUTES)
    date = serializers.DateField(required=False, allow_null=True, default=None,
                                 help_text="The day it happened (default: the planned day, or today if that is still to come).")
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class ActivityCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class ActivityViewSet(ActionScopedMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Champion activities in the programmes and units you may see. A
    champion's create logs a done activity of their own; a change manager's
    plans one for a champion of their programme."""

    scoped_model = Activity
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilterSet
    permission_classes = [ActionScopedPermission]
    action_rights = {"complete": CHANGE, "cancel": CHANGE}
    ordering_fields = ["date", "created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet:
        if self.scope_action() != VIEW:
            return self.base_queryset(services.changeable(self.request.user))
        return super().get_queryset()

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("champion__staff", "programme", "unit").order_by("-date", "-pk")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = serializer.validated_data
        user = cast(User, self.request.user)
        common = {"programme": data["programme"], "kind": data["kind"], "people_reached": data.get("people_reached", 0),
                  "minutes": data.get("minutes", 0), "notes": data.get("notes", ""), "actor": user}
        if "date" not in data:
            raise serializers.ValidationError({"date": ["This field is required."]})
        with service_errors():  # a service's PermissionDenied answers 403 (DRF's handler)
            if user.role == Role.CHAMPION:
                champion = services.champion_entry(user)
                if champion is None:
                    raise serializers.ValidationError({"champion": ["You are not in the champion pool."]})
                unit = data.get("unit") or services.default_unit(champion)
                if unit is None:
                    raise serializers.ValidationError({"unit": ["Choose a unit you look after."]})
                serializer.instance = services.activity_log(champion=champion, date=data["date"], unit=unit, **common)
            else:
                if data.get("champion") is None:
                    raise serializers.ValidationError({"champion": ["Choose the champion."]})
                serializer.instance = services.activity_plan(champion=data["champion"], date=data["date"], unit=data.get("unit"), **common)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        fields = {k: v for k, v in serializer.validated_data.items() if k in services.UPDATABLE}
        with service_errors():
            serializer.instance = services.activity_update(activity=cast(Activity, serializer.instance),
                                                           actor=cast(User, self.request.user), **fields)

    def _done(self, activity: Activity) -> Response:
        fresh = Activity.objects.select_related("champion__staff", "programme", "unit").get(pk=activity.pk)
        return Response(ActivitySerializer(fresh, context=self.get_serializer_context()).data, status=status.HTTP_200_OK)

    @extend_schema(request=ActivityCompleteSerializer, responses={200: ActivitySerializer, 400: OpenApiResponse(description="Not planned.")})
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str | None = None) -> Response:
        """Mark a planned activity done, with the people actually reached and the minutes spent."""
        activity = self.get_object()
        body = ActivityCompleteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        with service_errors():
            activity = services.activity_complete(activity=activity, people_reached=data["people_reached"], minutes=data["minutes"],
                                                  date=data["date"], notes=data["notes"] or None, actor=cast(User, request.user))
        return self._done(activity)

    @extend_schema(request=ActivityCancelSerializer, responses={200: ActivitySerializer, 400: OpenApiResponse(description="Not planned.")})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Cancel a planned activity."""
        activity = self.get_object()
        body = ActivityCancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            activity = services.activity_cancel(activity=activity, reason=body.validated_data["reason"], actor=cast(User, request.user))
        return self._done(activity)
