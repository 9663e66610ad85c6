"""`/api/v1/champion-themes/`: feedback from the floor with the pages'
scopes (champions record and read the themes of their units; change
managers record and act on their programmes'; the Board and auditors
read). List (the page's filters: `programme`, `category`, `sentiment`,
`status`, `unit`, `champion`, `heard_from`, `heard_to`), read, record
(create), and the actions `to-action/`, `link/` and `close/`. The text
follows the anonymity rule (`services.themes.TextPolicy`): `text` is the
withheld message where the reader may not see it, and `text_withheld`
says so. Writes go through `services.themes`."""

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
from changeboard.core.scoping import CHANGE
from changeboard.hypercare.models import Category as HypercareCategory
from changeboard.organisation.models import Unit
from changeboard.portfolio.models import Programme
from changeboard.readiness.forms.actions import owner_choices
from changeboard.readiness.models import Criterion

from ..filtersets.themes import ThemeFilterSet
from ..models import Theme
from ..services import themes as services


@extend_schema_field(OpenApiTypes.INT)
class _OwnerField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet:
        return owner_choices()


class ThemeSerializer(serializers.ModelSerializer):
    programme = ScopedPrimaryKeyRelatedField(model=Programme, help_text="A programme you support (champions) or change.")
    programme_code = serializers.CharField(source="programme.code", read_only=True)
    unit = ScopedPrimaryKeyRelatedField(model=Unit, help_text="Where it was heard: a unit you look after (champions).")
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    text = serializers.CharField(max_length=2000, help_text="What was heard; withheld for a group under the comment threshold.")
    text_withheld = serializers.SerializerMethodField()

    class Meta:
        model = Theme
        fields = ["id", "programme", "programme_code", "champion", "category", "unit", "unit_name", "role_group", "sentiment", "text",
                  "text_withheld", "heard_on", "status", "action", "criterion", "hypercare_category", "created_at"]
        read_only_fields = ["champion", "status", "action", "criterion", "hypercare_category", "created_at"]
        extra_kwargs = {"heard_on": {"required": False}, "sentiment": {"required": False}, "role_group": {"required": False}}

    def _policy(self) -> services.TextPolicy:
        policy = self.context.get("text_policy") or getattr(self, "_text_policy", None)
        if policy is None:
            policy = self._text_policy = services.TextPolicy(getattr(self.context.get("request"), "user", None))
        return cast(services.TextPolicy, policy)

    def to_representation(self, instance: Theme) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["text"] = self._policy().text(instance)
        return data

    def get_text_withheld(self, obj: Theme) -> bool:
        return self._policy().withheld(obj)


class ToActionSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="",
                                  help_text="Blank: from the theme (never its withheld text).")
    owner = _OwnerField(required=False, allow_null=True, default=None)
    due_date = serializers.DateField()
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


@extend_schema_field(OpenApiTypes.INT)
class _ScopedIdField(ScopedPrimaryKeyRelatedField):
    """An id (typed for the schema: this serializer has no model)."""


class LinkSerializer(serializers.Serializer):
    criterion = _ScopedIdField(model=Criterion, required=False, allow_null=True, default=None,
                               help_text="A readiness criterion of the theme's programme.")
    hypercare_category = _ScopedIdField(model=HypercareCategory, required=False, allow_null=True, default=None,
                                        help_text="A hypercare category of one of the programme's hypercare periods.")


class CloseSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class ThemeViewSet(ActionScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Themes champions heard, in the programmes and units you may see.
    Creating one records it."""

    scoped_model = Theme
    serializer_class = ThemeSerializer
    filterset_class = ThemeFilterSet
    permission_classes = [ActionScopedPermission]
    action_rights = {"to_action": CHANGE, "link": CHANGE, "close": CHANGE}
    ordering_fields = ["heard_on", "created_at"]

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("programme", "unit", "champion").order_by("-heard_on", "-pk")

    def get_serializer_context(self) -> dict[str, Any]:
        # One anonymity rule per request: headcounts are counted once per (unit, role group).
        return {**super().get_serializer_context(), "text_policy": services.TextPolicy(self.request.user)}

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = serializer.validated_data
        with service_errors():
            serializer.instance = services.theme_record(
                programme=data["programme"], category=data["category"], unit=data["unit"], text=data["text"],
                role_group=data.get("role_group") or "", sentiment=data.get("sentiment", Theme.Sentiment.MIXED),
                heard_on=data.get("heard_on"), actor=cast(User, self.request.user))

    def _done(self, theme: Theme) -> Response:
        fresh = Theme.objects.select_related("programme", "unit", "champion").get(pk=theme.pk)
        return Response(ThemeSerializer(fresh, context=self.get_serializer_context()).data, status=status.HTTP_200_OK)

    @extend_schema(request=ToActionSerializer, responses={200: ThemeSerializer, 400: OpenApiResponse(description="Closed, already an action, or a bad due date.")})
    @action(detail=True, methods=["post"], url_path="to-action", url_name="to-action")
    def to_action(self, request: Request, pk: str | None = None) -> Response:
        """Raise a readiness action from the theme (source "Champion network")."""
        theme = self.get_object()
        body = ToActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            services.theme_to_action(theme=theme, actor=cast(User, request.user), **body.validated_data)
        return self._done(theme)

    @extend_schema(request=LinkSerializer, responses={200: ThemeSerializer, 400: OpenApiResponse(description="Closed, or not the theme's programme.")})
    @action(detail=True, methods=["post"])
    def link(self, request: Request, pk: str | None = None) -> Response:
        """Tie the theme to a readiness criterion and/or a hypercare category of its programme."""
        theme = self.get_object()
        body = LinkSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        with service_errors():
            theme = services.theme_link(theme=theme, actor=cast(User, request.user), **body.validated_data)
        return self._done(theme)

    @extend_schema(request=CloseSerializer, responses={200: ThemeSerializer, 400: OpenApiResponse(description="Already closed.")})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Close the theme."""
        theme = self.get_object()
        body = CloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            theme = services.theme_close(theme=theme, reason=body.validated_data["reason"], actor=cast(User, request.user))
        return self._done(theme)
