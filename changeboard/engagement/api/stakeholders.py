"""`/api/v1/stakeholders/` and `/api/v1/stakeholder-assessments/`: the
register and each programme's mapping, with the pages' scopes and filters
(`filtersets.stakeholders`). Writes go through `services.stakeholders`.
An assessment carries its derived impact (computed in bulk for a page)."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, viewsets

from changeboard.accounts.models import Role, User
from changeboard.core.api import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin, service_errors
from changeboard.core.scoping import CHANGE
from changeboard.organisation.models import Staff, Unit
from changeboard.portfolio.models import Programme

from ..filtersets.stakeholders import StakeholderAssessmentFilterSet, StakeholderFilterSet
from ..models import Stakeholder, StakeholderAssessment
from ..services import stakeholders as services


class StakeholderSerializer(serializers.ModelSerializer):
    staff = ScopedPrimaryKeyRelatedField(model=Staff, required=False, allow_null=True,
                                         help_text="People in the organisation: their staff record's id.")
    unit = ScopedPrimaryKeyRelatedField(model=Unit, required=False, allow_null=True)
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = Stakeholder
        fields = ["id", "kind", "display_name", "staff", "name", "organisation", "role_title", "email", "phone", "group_kind", "unit",
                  "role_group", "notes", "needs_review", "active", "created_at"]
        read_only_fields = ["needs_review", "active", "created_at"]
        extra_kwargs = {"name": {"required": False}}

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | QuerySet):
            fields["kind"].required = False
        return fields


class StakeholderViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The portfolio-wide register: change managers, the Board and auditors
    read it; change managers and administrators add and change entries."""

    scoped_model = Stakeholder
    serializer_class = StakeholderSerializer
    filterset_class = StakeholderFilterSet
    ordering_fields = ["name", "created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("staff", "unit").order_by("name", "pk")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        with service_errors():
            serializer.instance = services.stakeholder_create(actor=cast(User, self.request.user), **serializer.validated_data)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        with service_errors():
            serializer.instance = services.stakeholder_update(stakeholder=cast(Stakeholder, serializer.instance),
                                                              actor=cast(User, self.request.user), **serializer.validated_data)


class OwnerField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet:
        return User.objects.filter(is_active=True, role__in=[Role.ADMIN, Role.CHANGE_MANAGER])


class DerivedImpactSerializer(serializers.Serializer):
    severity = serializers.IntegerField(allow_null=True, help_text="Highest severity of the programme's approved impact lines reaching it.")
    headcount = serializers.IntegerField(help_text="Current staff those lines reach within it.")
    lines = serializers.IntegerField(help_text="Approved impact lines reaching it.")


class StakeholderAssessmentSerializer(serializers.ModelSerializer):
    stakeholder = ScopedPrimaryKeyRelatedField(model=Stakeholder)
    stakeholder_name = serializers.CharField(source="stakeholder.display_name", read_only=True)
    programme = ScopedPrimaryKeyRelatedField(model=Programme, action=CHANGE)
    programme_code = serializers.CharField(source="programme.code", read_only=True)
    owner = OwnerField(required=False, allow_null=True)
    derived_impact = serializers.SerializerMethodField()
    target_met = serializers.BooleanField(read_only=True)

    class Meta:
        model = StakeholderAssessment
        fields = ["id", "stakeholder", "stakeholder_name", "programme", "programme_code", "influence", "interest", "impact_judgement",
                  "derived_impact", "current_position", "target_position", "target_met", "owner", "notes", "updated_at"]
        read_only_fields = ["updated_at"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | QuerySet):
            fields["stakeholder"].read_only = True  # a mapping belongs to its stakeholder and programme for good
            fields["programme"].read_only = True
        return fields

    @extend_schema_field(DerivedImpactSerializer)
    def get_derived_impact(self, assessment: StakeholderAssessment) -> dict[str, Any]:
        derived = self.context.get("derived", {}).get(assessment.pk) or services.derived_impact(assessment)
        return {"severity": derived.severity, "headcount": derived.headcount, "lines": derived.lines}


class StakeholderAssessmentViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin,
                                   viewsets.ReadOnlyModelViewSet):
    """Programmes' mappings of stakeholders: a change manager reads and
    changes their programmes'; the Board and auditors read them all."""

    scoped_model = StakeholderAssessment
    serializer_class = StakeholderAssessmentSerializer
    filterset_class = StakeholderAssessmentFilterSet
    ordering_fields = ["influence", "interest", "updated_at"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related(*services.ASSESSMENT_RELATED).order_by("programme__code", "stakeholder__name", "pk")

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        if page is not None:
            self.derived = services.derived_impacts(page)
        return page

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "derived": getattr(self, "derived", {})}

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        with service_errors():
            serializer.instance = services.assessment_create(actor=cast(User, self.request.user), **serializer.validated_data)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        with service_errors():
            serializer.instance = services.assessment_update(assessment=cast(StakeholderAssessment, serializer.instance),
                                                             actor=cast(User, self.request.user), **serializer.validated_data)

    def perform_destroy(self, instance: StakeholderAssessment) -> None:
        with service_errors():
            services.assessment_delete(assessment=instance, actor=cast(User, self.request.user))
