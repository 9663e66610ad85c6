"""`/api/v1/actions/`: the one action log with the pages' scopes. List
(filter by `programme`, `status`, `source`, `owner`, `overdue`), read,
raise and partially update; writes go through `services.actions`, which
checks that what an action links to belongs to its programme."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from rest_framework import mixins, serializers, viewsets

from changeboard.core.api import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin, service_errors
from changeboard.organisation.models import Unit
from changeboard.portfolio.models import Programme
from changeboard.surveys.models import SurveyWave

from ..filtersets.actions import ActionFilterSet
from ..forms.actions import owner_choices
from ..models import Action, Criterion, Review
from ..services import actions as services


class _OwnerField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet:
        return owner_choices()


class ActionSerializer(serializers.ModelSerializer):
    programme = ScopedPrimaryKeyRelatedField(model=Programme)
    unit = ScopedPrimaryKeyRelatedField(model=Unit, required=False, allow_null=True)
    owner = _OwnerField(required=False, allow_null=True)
    criterion = ScopedPrimaryKeyRelatedField(model=Criterion, required=False, allow_null=True)
    review = ScopedPrimaryKeyRelatedField(model=Review, required=False, allow_null=True)
    survey_wave = ScopedPrimaryKeyRelatedField(model=SurveyWave, required=False, allow_null=True)
    programme_code = serializers.CharField(source="programme.code", read_only=True)
    overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Action
        fields = ["id", "programme", "programme_code", "title", "description", "unit", "owner", "due_date", "status", "overdue",
                  "source", "criterion", "review", "survey_wave", "hotspot_week", "created_by", "created_at", "closed_at"]
        read_only_fields = ["created_by", "created_at", "closed_at"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | QuerySet):
            # What an action was raised from is its record: fixed once raised.
            for name in ("programme", "source", "criterion", "review", "survey_wave", "hotspot_week"):
                fields[name].read_only = True
        return fields


class ActionViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The action log of the programmes you may see. Board members and change
    managers raise and update actions; champions read them."""

    scoped_model = Action
    serializer_class = ActionSerializer
    filterset_class = ActionFilterSet
    ordering_fields = ["due_date", "created_at", "status"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("programme").order_by("due_date", "pk")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("status", None)  # a new action is open
        with service_errors():
            serializer.instance = services.action_create(actor=self.request.user, **data)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        with service_errors():
            serializer.instance = services.action_update(action=cast(Action, serializer.instance), actor=self.request.user, **serializer.validated_data)
