"""`GET /api/v1/scores/?programme=<id>&wave=<id>&unit=<id>`: the readiness
scores of the page, with the same scopes and suppression (JSON only)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from changeboard.core.params import parse_id
from changeboard.core.scoping import can
from changeboard.portfolio.models import Programme

from .. import scores
from ..models import ElementTally
from ..views.scores import select


class ScoresView(APIView):
    renderer_classes = [JSONRenderer]

    @extend_schema(
        parameters=[OpenApiParameter("programme", OpenApiTypes.INT, required=True), OpenApiParameter("wave", OpenApiTypes.INT),
                    OpenApiParameter("unit", OpenApiTypes.INT)],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        """Readiness index, interval, element means, barrier point and trend per unit and closed wave."""
        if not can(request.user, ElementTally):
            raise PermissionDenied
        pk = parse_id(request.query_params.get("programme"))
        if pk is None:
            raise ValidationError({"programme": "Required: a programme id."})
        programme = Programme.objects.restrict(request.user).filter(pk=pk).first()
        if programme is None:
            raise NotFound
        try:
            sel = select(request.user, programme, request.query_params.get("unit"), request.query_params.get("wave"), only_wave=True)
        except Http404 as exc:
            raise NotFound from exc
        data: dict[str, Any] = {
            "programme": programme.pk, "unit": sel.unit.pk if sel.unit is not None else None, "formula": scores.FORMULA,
            "max_half_width": scores.MAX_HALF_WIDTH,
            "waves": [{"id": b.wave.pk, "title": b.wave.title, "closes_on": b.wave.closes_on,
                       "rows": [r.as_dict() for r in b.all_rows()]} for b in sel.breakdowns],
        }
        return Response(data)
