"""Impact assessments and lines through the API, scoped like the pages:
another programme's drafts are not found; writes go through the services."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Max, QuerySet, Value
from django.db.models.functions import Coalesce
from rest_framework import serializers, viewsets

from changeboard.core.api import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin, service_errors
from changeboard.core.scoping import CHANGE
from changeboard.portfolio.models import Programme

from .. import services
from ..filtersets import AssessmentFilterSet, ImpactLineFilterSet
from ..models import ImpactAssessment, ImpactLine, LineDimension


class AssessmentSerializer(serializers.ModelSerializer):
    programme = ScopedPrimaryKeyRelatedField(model=Programme, action=CHANGE)
    programme_code = serializers.CharField(source="programme.code", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    approved_by = serializers.CharField(source="approved_by.username", read_only=True, default=None, allow_null=True)
    line_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = ImpactAssessment
        fields = ["id", "programme", "programme_code", "title", "lineage", "version", "previous", "status", "status_label",
                  "created_at", "submitted_at", "approved_by", "approved_at", "line_count"]
        read_only_fields = ["lineage", "version", "previous", "status", "created_at", "submitted_at", "approved_at"]


class AssessmentViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Impact assessments you may see (each version is one assessment).
    Change managers create drafts for their programmes; other writes are on
    the pages, where the workflow lives."""

    scoped_model = ImpactAssessment
    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilterSet
    ordering_fields = ["title", "version", "created_at", "approved_at"]
    http_method_names = ["get", "post", "head", "options"]

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("programme", "approved_by").annotate(line_count=Count("lines")).order_by("programme__code", "title", "-version")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = serializer.validated_data
        with service_errors():
            created = services.assessment_create(programme=data["programme"], title=data["title"], actor=self.request.user)
        created.line_count = 0  # type: ignore[attr-defined]  # what the list's annotate(line_count=...) gives, for the response
        serializer.instance = created


class LineDimensionSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="get_dimension_display", read_only=True)  # type: ignore[assignment]  # a declared field (DRF's metaclass takes it off the class), not Field.label

    class Meta:
        model = LineDimension
        fields = ["dimension", "label", "current_state", "future_state", "gap"]


class ImpactLineSerializer(serializers.ModelSerializer):
    programme = serializers.IntegerField(source="assessment.programme_id", read_only=True)
    programme_code = serializers.CharField(source="assessment.programme.code", read_only=True)
    assessment_status = serializers.CharField(source="assessment.status", read_only=True)
    unit_paths = serializers.SerializerMethodField()
    severity_label = serializers.CharField(source="get_severity_display", read_only=True)
    period_start = serializers.SerializerMethodField()
    period_end = serializers.SerializerMethodField()
    dimensions = LineDimensionSerializer(many=True, read_only=True)
    headcount = serializers.IntegerField(read_only=True, help_text="People in post the line impacts now, from the organisation model.")

    class Meta:
        model = ImpactLine
        fields = ["id", "assessment", "assessment_status", "programme", "programme_code", "title", "units", "unit_paths", "roles",
                  "rank_grades", "severity", "severity_label", "start_date", "end_date", "wave", "weeks_before_go_live",
                  "weeks_after_go_live", "period_start", "period_end", "hours_per_person", "mitigations", "owner", "dimensions",
                  "headcount", "reached_roles"]

    def get_unit_paths(self, line: ImpactLine) -> list[str]:
        return [u.full_path for u in line.units.all()]

    def get_period_start(self, line: ImpactLine) -> dt.date | None:
        period = line.period()
        return period[0] if period else None

    def get_period_end(self, line: ImpactLine) -> dt.date | None:
        period = line.period()
        return period[1] if period else None


class ImpactLineViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Impact lines of the assessments you may see; filter by `assessment`,
    `programme`, `status` (of the assessment) or `severity`. `headcount` is
    derived from the organisation model, never typed in."""

    scoped_model = ImpactLine
    serializer_class = ImpactLineSerializer
    filterset_class = ImpactLineFilterSet
    ordering_fields = ["id", "severity", "title"]

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        # The largest reach row is the line's total (see services.line_headcount).
        return (
            queryset.select_related("assessment__programme", "wave")
            .prefetch_related("units", "rank_grades", "dimensions")
            .annotate(headcount=Coalesce(Max("reach__headcount"), Value(0)))
            .order_by("assessment", "id")
        )
