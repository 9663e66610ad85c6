"""The handover through the API: `/api/v1/capability-handover/?programme=<id>`
(read-only: per activity the plan, the force's own people who did it, the
change team's count and the status) and `/api/v1/handover-items/` (the
plan, through `services.handover`). The pages' scopes."""

from __future__ import annotations

from typing import Any, cast

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from changeboard.core.api import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin, service_errors, signed_in
from changeboard.core.params import id_or_404
from changeboard.core.permissions import ScopedPermission
from changeboard.core.scoping import VIEW
from changeboard.portfolio.models import Programme

from ..handover import handover_view, programme_handover_summary, visible_programmes
from ..models import HandoverItem, Practitioner
from ..services import handover as services


class HandoverAPIView(APIView):
    scoped_model = HandoverItem
    permission_classes = [ScopedPermission]

    @extend_schema(parameters=[OpenApiParameter("programme", OpenApiTypes.INT, required=True)], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        """A programme's handover: per activity its status, the plan and who in the force did it (times, last date)."""
        programme = visible_programmes(request.user).filter(pk=id_or_404(request.query_params.get("programme"))).first()
        if programme is None:
            raise Http404
        rows = handover_view(programme)
        alone, total = programme_handover_summary(programme, rows)
        return Response({"programme": programme.pk, "alone": alone, "total": total, "activities": [{
            "activity": r.activity, "label": r.label, "status": r.status, "status_label": r.status_label, "times_required": r.times_required,
            "item": r.item.pk if r.item is not None else None, "owner": r.owner.pk if r.owner is not None else None,
            "target_date": r.target_date, "change_team": r.team_count,
            "people": [{"practitioner": d.practitioner.pk, "name": str(d.practitioner), "times": d.times, "last": d.last} for d in r.doers],
        } for r in rows]})


class HandoverItemSerializer(serializers.ModelSerializer):
    programme = ScopedPrimaryKeyRelatedField(model=Programme, action=VIEW, help_text="Fixed once made.")
    owner = serializers.PrimaryKeyRelatedField(queryset=Practitioner.objects.filter(active=True), required=False, allow_null=True)

    class Meta:
        model = HandoverItem
        fields = ["id", "programme", "activity", "owner", "target_date", "times_required", "note"]
        validators: list[Any] = []  # the service refuses a second item for an activity, as a 400 on `activity`

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list):
            fields["programme"].read_only = True
            fields["activity"].read_only = True
        return fields


class HandoverItemViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """A programme's handover plan items."""

    scoped_model = HandoverItem
    serializer_class = HandoverItemSerializer
    permission_classes = [ScopedPermission]
    filterset_fields = ["programme", "activity"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def base_queryset(self, queryset: Any) -> Any:
        return queryset.select_related("programme", "owner__staff").order_by("programme__code", "activity")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = serializer.validated_data
        with service_errors():
            serializer.instance = services.item_create(programme=data["programme"], activity=data["activity"], owner=data.get("owner"),
                                                       target_date=data.get("target_date"), times_required=data.get("times_required", 2),
                                                       note=data.get("note", ""), actor=signed_in(self.request.user))

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        fields = {k: v for k, v in serializer.validated_data.items() if k in services.FIELDS}
        with service_errors():
            serializer.instance = services.item_update(item=cast(HandoverItem, serializer.instance), actor=signed_in(self.request.user), **fields)

    def perform_destroy(self, instance: HandoverItem) -> None:
        with service_errors():
            services.item_delete(item=instance, actor=signed_in(self.request.user))
