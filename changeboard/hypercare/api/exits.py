"""`/api/v1/exit-decisions/`: the exit decisions of the periods you may
see (filter by `period`, `decision`), each with its frozen snapshot;
`POST` records one (`exit` or `extend` with `new_end`) with the page's rules:
the programme's change managers, the Board and admins only (403 for any
other role; a period out of scope reads as one that does not exist).
A period's live exit criteria are `services.exits.exit_rows`, served with
the period by the periods API."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from changeboard.accounts.models import User
from changeboard.core.api import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin, service_errors, signed_in
from changeboard.core.permissions import ScopedPermission
from changeboard.core.scoping import can

from ..filtersets.exits import ExitDecisionFilterSet
from ..models import ExitDecision, Period
from ..services import exits as services


class ExitDecisionSerializer(serializers.ModelSerializer):
    period = ScopedPrimaryKeyRelatedField(model=Period, action=services.DECIDE)
    decided_by: serializers.StringRelatedField[User] = serializers.StringRelatedField(read_only=True, allow_null=True)
    new_end = serializers.DateField(required=False, allow_null=True, default=None, help_text="Required to extend: after the current end.")
    snapshot = serializers.JSONField(read_only=True, help_text="Each exit criterion's figure and result, and the counts, as they stood.")

    class Meta:
        model = ExitDecision
        fields = ["id", "period", "decision", "new_end", "reason", "decided_by", "decided_at", "snapshot"]
        read_only_fields = ["decided_at"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if self.context.get("request") is not None and self.context["request"].method == "GET":
            fields["period"] = serializers.PrimaryKeyRelatedField(read_only=True)
        return fields


class ExitDecisionPermission(ScopedPermission):
    """Reading follows `ExitDecision`; recording one is `decide` on the period."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if request.method == "POST":
            return bool(request.user and request.user.is_authenticated and can(request.user, Period, services.DECIDE))
        return super().has_permission(request, view)


@extend_schema_view(create=extend_schema(description="Record an exit or an extension; the exit criteria are frozen with it."))
class ExitDecisionViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Exit decisions of the hypercare periods you may see, latest first."""

    scoped_model = ExitDecision
    serializer_class = ExitDecisionSerializer
    permission_classes = [ExitDecisionPermission]
    filterset_class = ExitDecisionFilterSet
    ordering_fields = ["decided_at"]

    def scope_action(self) -> str:
        return "view"  # reading; recording is checked on the period (the serializer's field and the service)

    def base_queryset(self, queryset: Any) -> Any:
        return queryset.select_related("decided_by").order_by("-decided_at", "-pk")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = serializer.validated_data
        with service_errors():
            serializer.instance = services.exit_decide(period=data["period"], decision=data["decision"], reason=data["reason"],
                                                       new_end=data.get("new_end"), actor=signed_in(self.request.user))
