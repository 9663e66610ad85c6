"""`/api/v1/hypercare-trends/?period=<id>` or `?programme=<id>` (one of
them; `&unit=<id>` drills the unit breakdown below that unit): the trend
figures of the period dashboard or the programme's trends page, with the
pages' scopes. A period outside your scope, or a programme none of whose
periods you may see, is a 404. Someone who may view queries gets the
figures of the queries in their scope; the Board (who reads periods but not
queries) gets the same aggregates over every query of the periods, with a
title or tag only when it recurs at least five times (`services.trends`).
Read-only."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from changeboard.core.api import ScopedViewSetMixin
from changeboard.core.params import parse_id
from changeboard.organisation.models import Unit
from changeboard.portfolio.models import Programme

from ..models import Period
from ..services import trends as service


def _id(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    pk = parse_id(raw)
    if pk is None:
        raise ValidationError({name: "A whole number: the id of a hypercare period, a programme or a unit."})
    return pk


def trends_data(t: service.Trends) -> dict[str, Any]:
    """The figures as JSON: the same rows as the pages' tables."""
    units = t.units
    return {
        "title": t.title,
        "periods": [{"id": p.pk, "programme": p.rollout_wave.programme.code, "rollout_wave": p.rollout_wave.name,
                     "starts_on": p.starts_on, "ends_on": p.ends_on, "status": p.status} for p in t.periods],
        "today": t.today,
        "aggregates_only": t.aggregates_only,
        "raised": t.raised, "open": t.open, "resolved": t.resolved,
        "days": [{"day": d.day, "date": d.date, "raised": d.raised, "resolved": d.resolved, "open": d.open} for d in t.days],
        "categories": [{"key": c.key, "label": c.label, "raised": c.raised, "open": c.open, "resolved": c.resolved,
                        "training_gap": c.training_gap} for c in t.categories],
        "priorities": [{"key": c.key, "label": c.label, "raised": c.raised, "open": c.open, "resolved": c.resolved} for c in t.priorities],
        "units": {
            "parent": units.parent.pk if units.parent is not None else None,
            "up": units.up.pk if units.up is not None else None,
            "rows": [{"unit": r.unit.pk if r.unit is not None else None, "label": r.label, "raised": r.raised, "open": r.open,
                      "training_gaps": r.training_gaps, "drill": r.drill} for r in units.rows],
        },
        "sla": {
            "available": t.sla.available, "reason": t.sla.reason,
            "response_met": t.sla.response_met, "response_breached": t.sla.response_breached, "response_pct": t.sla.response_pct,
            "resolution_met": t.sla.resolution_met, "resolution_breached": t.sla.resolution_breached,
            "resolution_pct": t.sla.resolution_pct, "open_breached": t.sla.open_breached, "open_at_risk": t.sla.open_at_risk,
            "by_priority": t.sla.by_priority,
        },
        "time_to_resolve": {"basis": t.resolve.basis, "resolved": t.resolve.resolved, "median_hours": t.resolve.median_hours,
                            "p90_hours": t.resolve.p90_hours},
        "titles": [{"title": title, "count": n} for title, n in t.titles],
        "tags": [{"tag": tag, "count": n} for tag, n in t.tags],
        "title_threshold": t.title_threshold,
    }


class TrendsViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """Hypercare trends of one period or one programme (its periods you may see)."""

    scoped_model = Period
    filter_backends: list[Any] = []
    pagination_class = None

    @extend_schema(parameters=[OpenApiParameter("period", OpenApiTypes.INT, description="A hypercare period (or give `programme`)."),
                               OpenApiParameter("programme", OpenApiTypes.INT, description="A programme: its periods you may see."),
                               OpenApiParameter("unit", OpenApiTypes.INT, description="Break the units down below this one.")],
                   responses=OpenApiTypes.OBJECT)
    def list(self, request: Request) -> Response:
        """The curve since go-live, the breakdowns, SLA met %, time to resolve and the recurring titles and tags."""
        period_id, programme_id = _id(request, "period"), _id(request, "programme")
        if (period_id is None) == (programme_id is None):
            raise ValidationError({"period": "Give either a hypercare period (period) or a programme (programme)."})
        visible = self.get_queryset().select_related("rollout_wave__programme")
        if period_id is not None:
            period = visible.filter(pk=period_id).first()
            if period is None:
                raise NotFound
            periods = [period]
            wave = period.rollout_wave
            title = f"Hypercare dashboard: {wave.programme.code} {wave.name}"
        else:
            assert programme_id is not None
            of_programme = visible.filter(rollout_wave__programme_id=programme_id)
            programme = Programme.objects.filter(
                Q(pk__in=Programme.objects.restrict(request.user).values("pk")) | Q(pk__in=of_programme.values("rollout_wave__programme_id")),
                pk=programme_id).first()
            if programme is None:
                raise NotFound
            periods = list(of_programme.order_by("starts_on", "pk"))
            title = f"Hypercare trends: {programme.code} {programme.name}"
        unit_id = _id(request, "unit")
        unit = None
        if unit_id is not None:
            unit = Unit.objects.filter(pk=unit_id).first()
            if unit is None:
                raise NotFound
        return Response(trends_data(service.trends(request.user, periods, title=title, unit=unit)))
