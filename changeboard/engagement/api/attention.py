"""The attention budget through the API: units x weeks with the heatmap
page's filters (level, within, start, weeks, programme) and scopes."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from changeboard.organisation.models import Unit

from ..services.attention import week_label
from ..views.attention import AttentionMixin


class AttentionView(AttentionMixin, APIView):
    scoped_model = Unit

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        # DRF authenticates and checks permissions; skip the page mixin's.
        return APIView.dispatch(self, request, *args, **kwargs)

    @extend_schema(
        parameters=[
            OpenApiParameter("level", OpenApiTypes.STR, enum=["force", "business_group", "command", "borough", "team"]),
            OpenApiParameter("within", OpenApiTypes.INT), OpenApiParameter("start", OpenApiTypes.STR, description="2026-W49 or a date"),
            OpenApiParameter("weeks", OpenApiTypes.INT), OpenApiParameter("programme", OpenApiTypes.INT, many=True),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        """Per unit in scope at the chosen level and per week: the busiest unit's count of items asking for attention."""
        g, table = self.table()
        units = [{
            "id": unit.pk, "code": unit.code, "name": unit.name, "path": unit.full_path, "level": unit.level,
            "counts": counts, "over_limit": [n > g.limit for n in counts],
        } for unit, counts in table]
        return Response({"limit": g.limit, "level": self.filters().level, "weeks": [week_label(w) for w in g.weeks],
                         "week_starts": g.weeks, "units": units})
