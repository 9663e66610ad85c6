"""`/api/v1/capability-frameworks/`: the competency frameworks, read only,
each with its competencies (and their level descriptors) and its
practitioner roles (and the level each needs per competency)."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import serializers, viewsets

from changeboard.core.api import ScopedViewSetMixin

from ..models import Competency, Framework, PractitionerRole, Requirement


class CompetencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Competency
        fields = ["id", "code", "name", "description", "order", "level_1", "level_2", "level_3", "level_4"]
        read_only_fields = fields


class RequirementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Requirement
        fields = ["competency", "level"]
        read_only_fields = fields


class PractitionerRoleSerializer(serializers.ModelSerializer):
    requirements = RequirementSerializer(many=True, read_only=True, help_text="The level the role needs per competency.")

    class Meta:
        model = PractitionerRole
        fields = ["id", "name", "description", "requirements"]
        read_only_fields = fields


class FrameworkSerializer(serializers.ModelSerializer):
    competencies = CompetencySerializer(many=True, read_only=True)
    roles = PractitionerRoleSerializer(many=True, read_only=True)

    class Meta:
        model = Framework
        fields = ["id", "name", "description", "is_current", "competencies", "roles"]
        read_only_fields = fields


class FrameworkViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Competency frameworks for change practitioners (the current one first)."""

    scoped_model = Framework
    serializer_class = FrameworkSerializer

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.prefetch_related("competencies", "roles__requirements").order_by("-is_current", "name")
