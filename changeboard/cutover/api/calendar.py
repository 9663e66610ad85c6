"""`GET /api/v1/cutover-calendar/?programme=<id>&start=<date>&end=<date>`:
the cutover calendar's windows and conflict warnings, with the page's
scopes and redaction; `?runbook=<id>` gives one runbook's conflicts (404
when out of scope), as its page shows them (JSON only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from changeboard.core.params import parse_date, parse_id

from ..models import Runbook
from ..services import calendar


def _param(request: Request, name: str, parse: Any) -> Any:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    value = parse(raw)
    if value is None:
        raise ValidationError({name: "Not a valid value."})
    return value


def _conflicts(conflicts: calendar.Conflicts) -> dict[str, Any]:
    return {"overlaps": conflicts.rows(), "saturated": conflicts.saturated_rows(),
            "unscheduled": [rb.pk for rb in conflicts.unscheduled]}


class CalendarAPIView(APIView):
    renderer_classes = [JSONRenderer]
    scoped_model = Runbook

    @extend_schema(
        parameters=[OpenApiParameter("programme", OpenApiTypes.INT), OpenApiParameter("start", OpenApiTypes.DATE),
                    OpenApiParameter("end", OpenApiTypes.DATE), OpenApiParameter("runbook", OpenApiTypes.INT)],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        """Cutover windows (plans, rehearsals, live runs) and conflicts; or one runbook's conflicts."""
        runbook_id = _param(request, "runbook", parse_id)
        visible = Runbook.objects.restrict(request.user)
        if runbook_id is not None:
            runbook = visible.filter(pk=runbook_id).select_related("programme", "rollout_wave").first()
            if runbook is None:
                raise NotFound
            return Response({"runbook": runbook.pk, **_conflicts(calendar.runbook_conflicts(runbook, request.user))})
        programme_id = _param(request, "programme", parse_id)
        start: dt.date | None = _param(request, "start", parse_date)
        end: dt.date | None = _param(request, "end", parse_date)
        books_qs = visible.filter(is_template=False).select_related("programme", "rollout_wave").prefetch_related("rollout_wave__units")
        if programme_id is not None:
            books_qs = books_qs.filter(programme=programme_id)
        entries, conflicts = calendar.portfolio_calendar(request.user, books_qs, start=start, end=end, now=timezone.now())
        return Response({"entries": [e.as_dict() for e in entries], **_conflicts(conflicts)})
