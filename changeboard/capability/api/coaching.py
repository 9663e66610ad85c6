"""`/api/v1/coaching-sessions/`: coaching sessions with the pages' scopes.
List (filters `practitioner`, `coach`), read, record (you are the coach) and
partially update (the session's coach only). Goals, agreed actions and
notes are returned only to the coach and the coachee: for anyone else the
fields are left out, not blanked. Writes go through `services.coaching`."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from rest_framework import mixins, serializers, viewsets

from changeboard.core.api import ActionScopedMixin, ScopedPrimaryKeyRelatedField, service_errors, signed_in
from changeboard.core.permissions import ActionScopedPermission
from changeboard.core.scoping import VIEW

from ..filtersets.coaching import CoachingSessionFilterSet
from ..models import CoachingSession, Competency, Practitioner
from ..services import coaching as services

PRIVATE = services.PRIVATE_FIELDS


class CoachingSessionSerializer(serializers.ModelSerializer):
    practitioner = ScopedPrimaryKeyRelatedField(model=Practitioner, action=VIEW, help_text="The coachee (fixed once recorded).")
    practitioner_name = serializers.CharField(source="practitioner.__str__", read_only=True)
    coach_name = serializers.SerializerMethodField()
    areas = serializers.PrimaryKeyRelatedField(queryset=Competency.objects.all(), many=True, help_text="The framework areas worked on.")

    class Meta:
        model = CoachingSession
        fields = ["id", "practitioner", "practitioner_name", "coach", "coach_name", "held_on", "areas", "next_session", *PRIVATE]
        read_only_fields = ["coach"]
        extra_kwargs = {name: {"required": False, "allow_blank": True, "help_text": "Private: only the coach and the coachee see it."}
                        for name in PRIVATE}

    def get_coach_name(self, obj: CoachingSession) -> str:
        return obj.coach.get_full_name() or obj.coach.get_username()

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | QuerySet):
            fields["practitioner"].read_only = True
        return fields

    def to_representation(self, instance: CoachingSession) -> dict[str, Any]:
        data = super().to_representation(instance)
        request = self.context.get("request")
        if not instance.private_to(getattr(request, "user", None)):
            for name in PRIVATE:
                data.pop(name, None)
        return data


class CoachingSessionViewSet(ActionScopedMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Coaching sessions of the practitioners you may see; the private fields only for the coach and the coachee."""

    scoped_model = CoachingSession
    serializer_class = CoachingSessionSerializer
    filterset_class = CoachingSessionFilterSet
    permission_classes = [ActionScopedPermission]
    ordering_fields = ["held_on"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("practitioner__staff", "coach").prefetch_related("areas").order_by("-held_on", "-pk")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = serializer.validated_data
        with service_errors():
            serializer.instance = services.session_record(
                practitioner=data["practitioner"], held_on=data["held_on"], areas=data["areas"], goals=data.get("goals", ""),
                agreed_actions=data.get("agreed_actions", ""), notes=data.get("notes", ""), next_session=data.get("next_session"),
                actor=signed_in(self.request.user))

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        fields = {k: v for k, v in serializer.validated_data.items() if k in {"held_on", "areas", "next_session", *PRIVATE}}
        with service_errors():
            serializer.instance = services.session_update(session=cast(CoachingSession, serializer.instance),
                                                          actor=signed_in(self.request.user), **fields)
