"""`/api/v1/sla-states/?period=<id>`: the SLA clocks of a period's open
queries that you may see (the queue's scope: the support team, the
programme's change managers, champions for their units, auditors; the
Board reads trends, not queries: 403). Paginated; each item holds the
response and resolution clocks as `services.sla` computes them from the
query's history (targets, elapsed and remaining working minutes, due time,
state). A single query's clock is `queries/<id>/sla/`."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from changeboard.core.api import ScopedViewSetMixin
from changeboard.core.params import parse_id

from ..models import Period, Query
from ..services.sla import as_dict, sla_states


class SlaStateViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    scoped_model = Query
    filter_backends: list[Any] = []

    def base_queryset(self, queryset: Any) -> Any:
        return queryset.filter(status__in=Query.OPEN_STATUSES).order_by("created_at", "pk")

    @extend_schema(parameters=[OpenApiParameter("period", OpenApiTypes.INT, required=True)], responses=OpenApiTypes.OBJECT)
    def list(self, request: Request) -> Response:
        """The open queries of one period with their response and resolution clocks."""
        pk = parse_id(request.query_params.get("period"))
        if pk is None:
            raise ValidationError({"period": "Required: a hypercare period id."})
        period = Period.objects.restrict(request.user).filter(pk=pk).first()
        if period is None:
            raise NotFound
        queries = self.get_queryset().filter(period=period)
        page = self.paginate_queryset(queries)
        rows = list(page if page is not None else queries)
        states = sla_states(rows)
        data = [{**as_dict(states[q.pk]), "reference": q.reference, "status": q.status,
                 "current": "response" if states[q.pk].response.is_open else "resolution"} for q in rows]
        return self.get_paginated_response(data) if page is not None else Response(data)
