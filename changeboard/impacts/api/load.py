"""The change-load data through the API: units x weeks, with the filters of
the heatmap page (programme, business_group, dimension, start, weeks,
drafts, move_<wave id>) and the same scopes."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import load
from ..models import ImpactAssessment
from ..views.load import LoadMixin


class LoadView(LoadMixin, APIView):
    scoped_model = ImpactAssessment

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        # DRF authenticates and checks permissions; skip the page mixin's.
        return APIView.dispatch(self, request, *args, **kwargs)

    @extend_schema(
        parameters=[
            OpenApiParameter("programme", OpenApiTypes.INT, many=True), OpenApiParameter("business_group", OpenApiTypes.INT),
            OpenApiParameter("dimension", OpenApiTypes.STR), OpenApiParameter("start", OpenApiTypes.DATE),
            OpenApiParameter("weeks", OpenApiTypes.INT), OpenApiParameter("drafts", OpenApiTypes.BOOL),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        """Load per person and hours per person for every unit in scope and week."""
        heatmap = self.heatmap()
        weeks = [load.week_label(w) for w in heatmap.weeks]
        units = []
        for i, unit in enumerate(heatmap.units):
            cells = [heatmap.cell(i, w) for w in range(len(weeks))]
            units.append({
                "id": unit.pk, "code": unit.code, "name": unit.name, "path": unit.full_path, "depth": unit.depth,
                "headcount": int(heatmap.headcount[i]), "tolerance": float(heatmap.tolerance[i]),
                "load": [c["load"] for c in cells], "hours": [c["hours"] for c in cells], "saturated": [c["saturated"] for c in cells],
            })
        return Response({"weeks": weeks, "week_starts": heatmap.weeks, "lines": len(heatmap.lines), "units": units})
