"""`/api/v1/hypercare-periods/`: hypercare periods with the pages' scopes.
List (filter by `programme`, `status`), read, open one for a rollout wave
(change managers of its programme, admins) and partially update it (dates,
support team, working days and hours, bank holidays, reopen days); writes go
through `services.periods`. The public raise link (`public_raise_url`) is
given only to the period's support side (its support team and the
programme's change managers)."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from rest_framework import mixins, serializers, viewsets

from changeboard.accounts.models import User
from changeboard.core.api import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin, service_errors
from changeboard.core.scoping import CHANGE
from changeboard.cutover.models import Team
from changeboard.portfolio.models import RolloutWave

from ..filtersets.periods import PeriodFilterSet
from ..forms.queries import works_period
from ..models import Category, Period, SlaTarget
from ..services import periods as services


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "code", "name", "is_training_gap", "active"]
        read_only_fields = fields


class SlaTargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = SlaTarget
        fields = ["priority", "response_minutes", "resolution_minutes"]
        read_only_fields = fields


class PeriodSerializer(serializers.ModelSerializer):
    rollout_wave = ScopedPrimaryKeyRelatedField(model=RolloutWave, action=CHANGE)
    support_team = ScopedPrimaryKeyRelatedField(model=Team, required=False, allow_null=True)
    programme = serializers.IntegerField(source="rollout_wave.programme_id", read_only=True)
    programme_code = serializers.CharField(source="rollout_wave.programme.code", read_only=True)
    working_days = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=7), min_length=1, max_length=7, required=False)
    categories = CategorySerializer(many=True, read_only=True)
    sla_targets = SlaTargetSerializer(many=True, read_only=True)
    public_raise_url = serializers.SerializerMethodField(help_text="The raise-a-query link: for the period's support side only.")

    class Meta:
        model = Period
        fields = ["id", "rollout_wave", "programme", "programme_code", "starts_on", "ends_on", "status", "support_team", "working_days",
                  "day_starts", "day_ends", "bank_holidays", "reopen_days", "categories", "sla_targets", "public_raise_url", "created_at"]
        read_only_fields = ["status", "created_at"]
        extra_kwargs = {"starts_on": {"required": False}, "ends_on": {"required": False}}

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | QuerySet):
            fields["rollout_wave"].read_only = True  # a period belongs to its wave for good
        return fields

    def get_public_raise_url(self, period: Period) -> str | None:
        request = self.context.get("request")
        if request is None or not works_period(request.user, period):
            return None
        try:
            return cast(str, request.build_absolute_uri(reverse("public-raise", kwargs={"token": period.public_token})))
        except NoReverseMatch:
            return None


class PeriodViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Hypercare periods of the programmes you may see (and those whose
    support team you are on). Change managers open and change their
    programmes' periods; the Board, champions and auditors read them."""

    scoped_model = Period
    serializer_class = PeriodSerializer
    filterset_class = PeriodFilterSet
    ordering_fields = ["starts_on", "ends_on"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("rollout_wave__programme", "support_team").prefetch_related("categories", "sla_targets")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        with service_errors():
            serializer.instance = services.period_create(actor=cast(User, self.request.user), **serializer.validated_data)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        with service_errors():
            serializer.instance = services.period_update(period=cast(Period, serializer.instance), actor=cast(User, self.request.user),
                                                         **serializer.validated_data)
