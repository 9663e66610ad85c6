"""`/api/v1/champions/`, `/api/v1/champion-supports/` and
`/api/v1/network-load/`: the pool, programmes' asks and the load, with the
pages' scopes and filters (`filtersets.pool`). Writes go through
`services.champions`: POST to the list nominates (someone already in the
pool gets the programme's ask added), PATCH changes an entry, `end` stands
a champion down and `review` clears an HR flag."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from changeboard.accounts.models import User
from changeboard.core.api import ActionScopedMixin, ScopedPrimaryKeyRelatedField, service_errors
from changeboard.core.params import parse_id
from changeboard.core.permissions import ActionScopedPermission
from changeboard.core.scoping import CHANGE, VIEW
from changeboard.organisation.models import Staff, Unit
from changeboard.portfolio.models import Programme

from ..filtersets.pool import ChampionFilterSet, SupportFilterSet
from ..models import Champion, Support
from ..services import champions as services
from ..services.load import live_supports, loads, with_asked
from ..tables.pool import role_group_label

HOURS: dict[str, Any] = {"max_digits": 5, "decimal_places": 1, "min_value": 0, "max_value": 200}


class AskSerializer(serializers.ModelSerializer):
    programme_code = serializers.CharField(source="programme.code", read_only=True)

    class Meta:
        model = Support
        fields = ["id", "programme", "programme_code", "hours_asked"]
        read_only_fields = fields


class ChampionSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)
    staff_number = serializers.CharField(source="staff.staff_number", read_only=True)
    unit = serializers.IntegerField(source="staff.unit_id", read_only=True, help_text="The unit they work in (HR record).")
    unit_name = serializers.CharField(source="staff.unit.name", read_only=True)
    location = serializers.CharField(source="staff.location", read_only=True)
    shift_pattern = serializers.CharField(source="staff.shift_pattern", read_only=True)
    role_group = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=Champion.Status.choices, read_only=True, help_text="nominated, active, declined or ended.")
    hours_asked = serializers.DecimalField(source="asked", max_digits=7, decimal_places=1, read_only=True,
                                           help_text="Hours a month every programme asks of them now.")
    over_committed = serializers.BooleanField(source="over", read_only=True)
    asks = AskSerializer(source="live_supports", many=True, read_only=True, help_text="The programmes asking for their help now.")

    class Meta:
        model = Champion
        fields = ["id", "staff", "name", "staff_number", "unit", "unit_name", "location", "shift_pattern", "role_group", "status", "units",
                  "hours_agreed", "hours_asked", "over_committed", "asks", "start_date", "end_date", "nominated_as", "nominated_at",
                  "reason", "needs_review"]
        read_only_fields = fields

    def get_role_group(self, champion: Champion) -> str:
        return role_group_label(champion)


class NominateSerializer(serializers.Serializer):
    staff = ScopedPrimaryKeyRelatedField(pk_field=serializers.IntegerField(), model=Staff, required=False, help_text="Their staff record's id (or give staff_number).")
    staff_number = serializers.CharField(required=False, allow_blank=True, max_length=20)
    programme = ScopedPrimaryKeyRelatedField(pk_field=serializers.IntegerField(), model=Programme, action=CHANGE, help_text="A programme you lead.")
    hours_asked = serializers.DecimalField(**HOURS)
    hours_agreed = serializers.DecimalField(required=False, allow_null=True, **HOURS)
    units = ScopedPrimaryKeyRelatedField(pk_field=serializers.IntegerField(), model=Unit, many=True, required=False, help_text="Default: their own unit.")
    start_date = serializers.DateField(required=False, allow_null=True)
    end_date = serializers.DateField(required=False, allow_null=True)
    nominated_as = serializers.ChoiceField(choices=Champion.NominatedAs.choices, default=Champion.NominatedAs.CHANGE_MANAGER)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        number = attrs.pop("staff_number", "").strip()
        if attrs.get("staff") is None:
            staff = Staff.objects.filter(staff_number=number).first() if number else None
            if staff is None:
                raise serializers.ValidationError({"staff_number": "No one in the organisation has this staff number."})
            attrs["staff"] = staff
        if not attrs.get("units"):
            attrs.pop("units", None)
        return attrs


class ChampionUpdateSerializer(serializers.Serializer):
    hours_agreed = serializers.DecimalField(required=False, **HOURS)
    units = ScopedPrimaryKeyRelatedField(pk_field=serializers.IntegerField(), model=Unit, many=True, required=False)
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ChampionEndSerializer(serializers.Serializer):
    end_date = serializers.DateField(required=False, allow_null=True, help_text="Their last day (default today).")


class ChampionReviewSerializer(serializers.Serializer):
    follow_move = serializers.BooleanField(default=True, help_text="A mover: look after their new unit instead of the old units.")


@extend_schema_view(
    create=extend_schema(request=NominateSerializer, responses={201: ChampionSerializer}),
    partial_update=extend_schema(request=ChampionUpdateSerializer, responses={200: ChampionSerializer}),
)
class ChampionViewSet(ActionScopedMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The force-wide pool: change managers, the Board and auditors read
    it; a champion reads the champions in their units. A change manager
    nominates for their programmes and changes the champions supporting
    them."""

    scoped_model = Champion
    serializer_class = ChampionSerializer
    permission_classes = [ActionScopedPermission]
    filterset_class = ChampionFilterSet
    ordering_fields = ["start_date", "hours_agreed"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    action_rights = {"end": CHANGE, "review": CHANGE}

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        return (with_asked(queryset.select_related("staff__unit", "staff__rank_grade")).prefetch_related(live_supports(), "units")
                .order_by("staff__last_name", "staff__first_name", "pk"))

    def _fresh(self, champion: Champion) -> dict[str, Any]:
        fresh = self.base_queryset(Champion.objects.filter(pk=champion.pk)).get()
        return dict(ChampionSerializer(fresh, context=self.get_serializer_context()).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = NominateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        with service_errors():
            champion = services.champion_nominate(actor=cast(User, request.user), **body.validated_data)
        return Response(self._fresh(champion), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        champion = self.get_object()
        body = ChampionUpdateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        with service_errors():
            champion = services.champion_update(champion=champion, actor=cast(User, request.user), **body.validated_data)
        return Response(self._fresh(champion))

    @extend_schema(request=ChampionEndSerializer, responses={200: ChampionSerializer, 400: OpenApiResponse(description="Refused.")})
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str | None = None) -> Response:
        """Stand the champion down; every programme's ask ends with it."""
        champion = self.get_object()
        body = ChampionEndSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            champion = services.champion_end(champion=champion, actor=cast(User, request.user), end_date=body.validated_data.get("end_date"))
        return Response(self._fresh(champion))

    @extend_schema(request=ChampionReviewSerializer, responses={200: ChampionSerializer, 400: OpenApiResponse(description="Nothing to review.")})
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str | None = None) -> Response:
        """Clear the HR flag: a leaver stands down, a mover's units follow them (or stay)."""
        champion = self.get_object()
        body = ChampionReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            champion = services.champion_review(champion=champion, actor=cast(User, request.user),
                                                follow_move=body.validated_data["follow_move"])
        return Response(self._fresh(champion))


class SupportSerializer(serializers.ModelSerializer):
    champion = ScopedPrimaryKeyRelatedField(model=Champion)
    champion_name = serializers.CharField(source="champion.__str__", read_only=True)
    programme = ScopedPrimaryKeyRelatedField(model=Programme, action=CHANGE)
    programme_code = serializers.CharField(source="programme.code", read_only=True)
    hours_asked = serializers.DecimalField(**HOURS)

    class Meta:
        model = Support
        fields = ["id", "champion", "champion_name", "programme", "programme_code", "hours_asked", "active", "created_at"]
        read_only_fields = ["active", "created_at"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | QuerySet):
            fields["champion"].read_only = True  # an ask belongs to its champion and programme for good
            fields["programme"].read_only = True
        return fields


class SupportViewSet(ActionScopedMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """What each programme asks of the champions. Everyone who sees a
    champion sees every programme asking them (so programmes can agree the
    asks between them); a change manager sets and ends only their
    programmes' asks. POST sets (or re-opens) an ask of someone already in
    the pool, PATCH changes its hours, `end` ends it."""

    scoped_model = Support
    serializer_class = SupportSerializer
    permission_classes = [ActionScopedPermission]
    filterset_class = SupportFilterSet
    ordering_fields = ["hours_asked", "created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    action_rights = {"end": CHANGE}

    def get_queryset(self) -> QuerySet:
        if self.scope_action() == VIEW:
            queryset = Support.objects.filter(champion__in=Champion.objects.restrict(self.request.user).values("pk"))
        else:
            queryset = Support.objects.restrict(self.request.user, self.scope_action())
        return queryset.select_related("programme", "champion__staff").order_by("champion__staff__last_name", "programme__code", "pk")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = serializer.validated_data
        with service_errors():
            serializer.instance = services.support_set(champion=data["champion"], programme=data["programme"],
                                                       hours_asked=data["hours_asked"], actor=cast(User, self.request.user))

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        support = cast(Support, serializer.instance)
        hours = serializer.validated_data.get("hours_asked", support.hours_asked)
        with service_errors():
            serializer.instance = services.support_set(champion=support.champion, programme=support.programme, hours_asked=hours,
                                                       actor=cast(User, self.request.user))

    @extend_schema(request=None, responses={200: SupportSerializer, 400: OpenApiResponse(description="Already ended.")})
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str | None = None) -> Response:
        """End the programme's ask of the champion (they stay in the pool)."""
        support = self.get_object()
        with service_errors():
            support = services.support_end(support=support, actor=cast(User, request.user))
        return Response(self.get_serializer(support).data)


class LoadAskSerializer(serializers.Serializer):
    programme = serializers.IntegerField()
    programme_code = serializers.CharField()
    hours_asked = serializers.DecimalField(max_digits=5, decimal_places=1)


class LoadRowSerializer(serializers.Serializer):
    champion = serializers.IntegerField()
    name = serializers.CharField()
    staff_number = serializers.CharField()
    status = serializers.ChoiceField(choices=Champion.Status.choices, help_text="nominated or active.")
    hours_agreed = serializers.DecimalField(max_digits=5, decimal_places=1)
    hours_asked = serializers.DecimalField(max_digits=7, decimal_places=1)
    percent = serializers.IntegerField(help_text="Asked as a percentage of agreed.")
    over_committed = serializers.BooleanField()
    shared = serializers.BooleanField(help_text="Asked by more than one programme.")
    asks = LoadAskSerializer(many=True)


class NetworkLoadSerializer(serializers.Serializer):
    programme = serializers.IntegerField(allow_null=True)
    champions = serializers.IntegerField()
    over_committed = serializers.IntegerField()
    rows = LoadRowSerializer(many=True)


class LoadView(APIView):
    """`GET /api/v1/network-load/?programme=<pk>`: every champion's hours
    asked by all programmes against agreed, over-committed first (with a
    programme: its champions, and every programme asking them)."""

    scoped_model = Champion

    @extend_schema(
        parameters=[OpenApiParameter("programme", OpenApiTypes.INT, description="Only the champions this programme asks.")],
        responses={200: NetworkLoadSerializer, 400: OpenApiResponse(description="No such programme in your view.")},
    )
    def get(self, request: Request) -> Response:
        programme = None
        raw = request.query_params.get("programme")
        if raw:
            pk = parse_id(raw)
            programme = Programme.objects.restrict(request.user).filter(pk=pk).first() if pk else None
            if programme is None:
                raise serializers.ValidationError({"programme": "No such programme in your view."})
        rows = loads(programme, within=Champion.objects.restrict(request.user))
        return Response({
            "programme": programme.pk if programme else None, "champions": len(rows), "over_committed": sum(1 for r in rows if r.over),
            "rows": [{"champion": r.champion.pk, "name": str(r.champion), "staff_number": r.champion.staff.staff_number,
                      "status": r.champion.status, "hours_agreed": f"{r.agreed:.1f}", "hours_asked": f"{r.asked:.1f}", "percent": r.percent,
                      "over_committed": r.over, "shared": r.shared,
                      "asks": [{"programme": p.pk, "programme_code": p.code, "hours_asked": f"{h:.1f}"} for p, h in r.asks]} for r in rows],
        })
