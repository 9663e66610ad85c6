"""`/api/v1/queries/`: hypercare queries with the pages' scopes. List
(filters as the queue: `period`, `status` — open ones unless `status=all` or
a status is given — `priority`, `category`, `unit` with everything below it,
`assignee` as `me`, `none` or an id, and `q`), read, raise (on someone's
behalf or as the support team), partially update (priority, category,
title, description, impact line, tags), and the actions `transition/`,
`assign/`, `comment/` and `sla/`. Writes go through `services.queries`.

A requester's contact details (`contact_name`, `contact_email`) are in a
query's data only for the support side of its period (its support team and
the programme's change managers); for anyone else the fields are absent."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from changeboard.accounts.models import User
from changeboard.core.api import ActionScopedMixin, ScopedPrimaryKeyRelatedField, service_errors
from changeboard.core.permissions import ActionScopedPermission
from changeboard.core.scoping import CHANGE, VIEW
from changeboard.impacts.models import ImpactLine
from changeboard.organisation.models import Unit

from ..filtersets.queries import QueryFilterSet
from ..forms.queries import QueryCreateForm, periods_worked
from ..models import Category, Period, Priority, Query
from ..services import queries as services
from ..services.sla import as_dict, query_sla

CONTACT_FIELDS = ("contact_name", "contact_email")
UPDATABLE = ("priority", "category", "title", "description", "impact_line", "tags")


class QuerySerializer(serializers.ModelSerializer):
    period = ScopedPrimaryKeyRelatedField(model=Period)
    category = ScopedPrimaryKeyRelatedField(model=Category)
    unit = ScopedPrimaryKeyRelatedField(model=Unit, required=False)
    impact_line = ScopedPrimaryKeyRelatedField(model=ImpactLine, required=False, allow_null=True)
    person = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=254,
                                   help_text="Raising: the person's staff number or email (their unit, role and contact details come from HR).")
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)

    class Meta:
        model = Query
        fields = ["id", "reference", "period", "unit", "unit_name", "role", "person", "contact_name", "contact_email", "category", "category_name",
                  "priority", "title", "description", "status", "assignee", "impact_line", "source", "raised_by", "external_ref", "tags",
                  "created_at", "first_response_at", "resolved_at", "closed_at"]
        read_only_fields = ["reference", "role", "contact_name", "contact_email", "status", "assignee", "raised_by", "external_ref",
                            "created_at", "first_response_at", "resolved_at", "closed_at"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | QuerySet):
            for name in ("period", "unit", "person", "source"):  # raised once: where from and by whom is its record
                fields[name].read_only = True
        return fields

    def to_representation(self, instance: Query) -> dict[str, Any]:
        data = super().to_representation(instance)
        if instance.period_id not in self.context.get("worked_periods", set()):
            for name in CONTACT_FIELDS:
                data.pop(name, None)
        return data


class TransitionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Query.Status.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="", help_text="Sent to the requester with the new status.")


class AssignSerializer(serializers.Serializer):
    assignee = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), allow_null=True,
                                                  help_text="Someone on the period's support team; null to unassign.")


class CommentSerializer(serializers.Serializer):
    text = serializers.CharField()
    to_requester = serializers.BooleanField(default=False)


class QueryViewSet(ActionScopedMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Queries: change managers of the programme and the period's support team
    work them; champions see and raise their units' queries; auditors read
    (without contact details); the Board reads the trends, not queries."""

    scoped_model = Query
    serializer_class = QuerySerializer
    filterset_class = QueryFilterSet
    permission_classes = [ActionScopedPermission]
    action_rights = {"transition": CHANGE, "assign": CHANGE, "comment": CHANGE, "sla": VIEW}
    ordering_fields = ["created_at", "priority", "status"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("period__rollout_wave", "unit", "category").order_by("priority", "created_at", "pk")

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if not hasattr(self, "_worked"):
            self._worked = set(periods_worked(self.request.user).values_list("pk", flat=True))
        context["worked_periods"] = self._worked
        return context

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = serializer.validated_data
        period: Period = data["period"]
        # The page's form holds the rules (a champion raises for people and units in their units).
        form = QueryCreateForm({"person": data.get("person", ""), "unit": getattr(data.get("unit"), "pk", ""),
                                "category": data["category"].pk, "priority": data.get("priority", Priority.P3), "title": data.get("title", ""),
                                "description": data.get("description", ""), "impact_line": getattr(data.get("impact_line"), "pk", ""),
                                "source": data.get("source", Query.Source.ON_BEHALF)}, period=period, user=self.request.user)
        if not form.is_valid():
            raise serializers.ValidationError({name: [str(e) for e in errors] for name, errors in form.errors.items()})
        with service_errors():
            serializer.instance = services.query_create(period=period, actor=cast(User, self.request.user), tags=data.get("tags", ""),
                                                        **form.service_kwargs())

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        fields = {k: v for k, v in serializer.validated_data.items() if k in UPDATABLE}
        with service_errors():
            serializer.instance = services.query_update(query=cast(Query, serializer.instance), actor=cast(User, self.request.user), **fields)

    def _done(self, query: Query) -> Response:
        return Response(self.get_serializer(Query.objects.select_related("period__rollout_wave", "unit", "category").get(pk=query.pk)).data)

    @extend_schema(request=TransitionSerializer, responses={200: QuerySerializer, 400: OpenApiResponse(description="Not a valid next status.")})
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        """Move the query to a valid next status, optionally with a message to the requester."""
        query = self.get_object()
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            query = services.query_transition(query=query, actor=cast(User, request.user), **body.validated_data)
        return self._done(query)

    @extend_schema(request=AssignSerializer, responses={200: QuerySerializer, 400: OpenApiResponse(description="Not on the support team.")})
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        """Give the query to someone on its period's support team (null: unassign)."""
        query = self.get_object()
        body = AssignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            query = services.query_assign(query=query, assignee=body.validated_data["assignee"], actor=cast(User, request.user))
        return self._done(query)

    @extend_schema(responses={200: OpenApiResponse(description="The response and resolution clocks: state, target, elapsed and "
                                                               "remaining working minutes, due and stopped times (UTC).")})
    @action(detail=True, methods=["get"])
    def sla(self, request: Request, pk: str | None = None) -> Response:
        """The query's SLA clocks, computed from its history in the support team's working hours."""
        return Response(as_dict(query_sla(self.get_object())))

    @extend_schema(request=CommentSerializer, responses={200: QuerySerializer})
    @action(detail=True, methods=["post"])
    def comment(self, request: Request, pk: str | None = None) -> Response:
        """An internal note, or (`to_requester`) a message emailed to the requester."""
        query = self.get_object()
        body = CommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            services.query_comment(query=query, actor=cast(User, request.user), **body.validated_data)
        return self._done(query)
