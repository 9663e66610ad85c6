"""`GET /api/v1/runbooks/<id>/export/?format=csv|xlsx|xml`: a runbook as a
file (the import's columns, or MS Project XML), with the pages' scope: anyone
who may view the runbook. `format` names the file's format here, not DRF's
renderer: errors still answer JSON."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from changeboard.core.params import parse_id
from changeboard.core.scoping import VIEW

from .. import exporting
from ..models import Runbook


class RunbookExportView(APIView):
    scoped_model = Runbook
    renderer_classes = [JSONRenderer]

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple[BaseRenderer, str]:
        """JSON for errors whatever `format` says: it is the file's format."""
        renderer = JSONRenderer()
        return renderer, renderer.media_type

    @extend_schema(parameters=[OpenApiParameter("format", OpenApiTypes.STR, enum=list(exporting.FORMATS), default="csv")],
                   responses={(200, "text/csv"): OpenApiTypes.BINARY, (200, "application/xml"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: Any) -> Any:
        """The runbook's tasks as CSV or XLSX (the import's columns) or MS Project XML."""
        runbook_id = parse_id(pk)
        runbook = Runbook.objects.restrict(request.user, VIEW).filter(pk=runbook_id).first() if runbook_id else None
        if runbook is None:
            raise NotFound
        fmt = request.query_params.get("format", "csv")
        if fmt not in exporting.FORMATS:
            raise ValidationError({"format": "Choose csv, xlsx or xml."})
        return exporting.export_response(runbook, fmt)
