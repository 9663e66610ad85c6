from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers, viewsets

from changeboard.core.api import ScopedViewSetMixin

from ..filtersets import StaffFilterSet, UnitFilterSet
from ..models import RankGrade, Staff, Unit


class UnitSerializer(serializers.ModelSerializer):
    parent = serializers.SerializerMethodField()  # type: ignore[assignment]  # an API field named parent (DRF's Field.parent is the enclosing serializer)

    class Meta:
        model = Unit
        fields = ["id", "code", "name", "level", "full_path", "depth", "parent"]

    def get_parent(self, unit: Unit) -> int | None:
        """The parent's id, if the user may see the parent (else null)."""
        return self.context.get("unit_ids_by_path", {}).get(unit.path[: -Unit.steplen])


class StaffSerializer(serializers.ModelSerializer):
    unit_path = serializers.CharField(source="unit.full_path", read_only=True)
    rank_or_grade = serializers.CharField(source="rank_grade.name", read_only=True, default=None, allow_null=True)
    line_manager_staff_number = serializers.CharField(source="line_manager.staff_number", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Staff
        fields = ["id", "staff_number", "first_name", "last_name", "email", "unit", "unit_path", "role", "rank_or_grade", "location", "shift_pattern", "line_manager_staff_number", "start_date", "leave_date", "is_leaver"]


class RankGradeSerializer(serializers.ModelSerializer):
    class Meta:
        model = RankGrade
        fields = ["id", "code", "name", "kind", "order"]


class UnitViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Units of the organisation tree you may see."""

    scoped_model = Unit
    serializer_class = UnitSerializer
    filterset_class = UnitFilterSet
    ordering_fields = ["path", "name"]

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.order_by("path")

    def get_serializer_context(self) -> dict[str, Any]:
        # One query for every parent on the page (units are few: ~700).
        visible = Unit.objects.restrict(self.request.user).values_list("path", "pk")
        return {**super().get_serializer_context(), "unit_ids_by_path": dict(visible)}


class StaffViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Staff you may see; in post by default (`status=leavers|all`)."""

    scoped_model = Staff
    serializer_class = StaffSerializer
    filterset_class = StaffFilterSet
    ordering_fields = ["staff_number", "last_name"]

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("unit", "rank_grade", "line_manager").order_by("staff_number")


class RankGradeViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    scoped_model = RankGrade
    serializer_class = RankGradeSerializer
    pagination_class = None
