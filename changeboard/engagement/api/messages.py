"""`/api/v1/messages/` and `/api/v1/message-audience-rules/`: the comms
plan with the pages' scopes. Messages: list (the calendar's filters), read,
create and partially update (through `services.messages`), with
`audience_size`, `status` and `delivery` (the outbox states of its
recipients' emails: pending, sent, failed; zeros until it is sent), and the
actions `submit/`, `approve/`, `return/` (with a `reason`), `mark_done/` and
`cancel/`, and sending's (`api/sending.py`): `send/`, `send_update/`,
`cancel_invitation/`, `deliveries/`. Audience rules: list (`message=`), read, add and remove, each
refreshing the message's audience size."""

from __future__ import annotations

from typing import Any, cast

import django_filters
from django.db.models import Count, Q, QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from changeboard.accounts.models import User
from changeboard.core.api import ActionScopedMixin, ScopedPrimaryKeyRelatedField, service_errors
from changeboard.core.models import OutboxMessage
from changeboard.core.params import IdFilter
from changeboard.core.permissions import ActionScopedPermission
from changeboard.core.scoping import CHANGE, VIEW
from changeboard.cutover.models import Task
from changeboard.impacts.models import ImpactAssessment, ImpactLine
from changeboard.organisation.models import Unit
from changeboard.portfolio.models import Programme, RolloutWave

from ..filtersets.messages import MessageFilterSet
from ..models import AudienceRule, Message, Stakeholder
from ..services import messages as services
from .sending import SENDING_ACTION_RIGHTS, MessageSendViewSetMixin

APPROVE = "approve"
OUTBOX = OutboxMessage.Status


class DeliverySerializer(serializers.Serializer):
    pending = serializers.IntegerField()
    sent = serializers.IntegerField()
    failed = serializers.IntegerField()


class MessageSerializer(serializers.ModelSerializer):
    programme = ScopedPrimaryKeyRelatedField(model=Programme, action=VIEW)
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False, allow_null=True)
    rollout_wave = ScopedPrimaryKeyRelatedField(model=RolloutWave, required=False, allow_null=True)
    cutover_task = ScopedPrimaryKeyRelatedField(model=Task, required=False, allow_null=True)
    delivery = serializers.SerializerMethodField(help_text="Emails to its recipients by outbox state (zeros until it is sent).")

    class Meta:
        model = Message
        fields = ["id", "programme", "title", "purpose", "channel", "planned_on", "starts_at", "ends_at", "location", "owner", "rollout_wave",
                  "cutover_task", "subject", "body", "status", "audience_size", "submitted_by", "approved_by", "approved_at", "sent_at",
                  "delivery", "created_at", "updated_at"]
        read_only_fields = ["status", "audience_size", "submitted_by", "approved_by", "approved_at", "sent_at", "created_at", "updated_at"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | QuerySet):
            fields["programme"].read_only = True  # a message stays in its programme's plan
        return fields

    @extend_schema_field(DeliverySerializer)
    def get_delivery(self, message: Message) -> dict[str, int]:
        counts = getattr(message, "delivery_counts", None)
        if counts is None:
            counts = delivery_counts(message)
        return counts


def delivery_counts(message: Message) -> dict[str, int]:
    rows = dict(message.recipients.filter(outbox__isnull=False).values("outbox__status").annotate(n=Count("pk")).values_list("outbox__status", "n"))
    return {"pending": rows.get(OUTBOX.PENDING, 0), "sent": rows.get(OUTBOX.SENT, 0), "failed": rows.get(OUTBOX.FAILED, 0)}


class ReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why the message goes back to draft (shown on it).")


class MessageViewSet(MessageSendViewSetMixin, ActionScopedMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The comms plans of the programmes you may see. Change managers plan
    their programmes' messages and approve each other's (never their own);
    champions see the messages reaching their units; the Board and auditors read."""

    scoped_model = Message
    serializer_class = MessageSerializer
    filterset_class = MessageFilterSet
    permission_classes = [ActionScopedPermission]
    action_rights = {"submit": CHANGE, "approve": APPROVE, "return_": APPROVE, "mark_done": CHANGE, "cancel": CHANGE,
                     **SENDING_ACTION_RIGHTS}
    ordering_fields = ["planned_on", "status", "audience_size"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        counts = {f"delivery_{s}": Count("recipients", filter=Q(recipients__outbox__status=s)) for s in OUTBOX.values}
        return queryset.select_related("programme").annotate(**counts).order_by("planned_on", "pk")

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        for obj in (args[0] if args and isinstance(args[0], list | QuerySet) else args[:1]):
            if isinstance(obj, Message) and hasattr(obj, "delivery_pending"):
                obj.delivery_counts = {s: getattr(obj, f"delivery_{s}") for s in OUTBOX.values}  # type: ignore[attr-defined]
        return super().get_serializer(*args, **kwargs)

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        programme = data.pop("programme")
        with service_errors():
            serializer.instance = services.message_create(programme=programme, actor=cast(User, self.request.user), **data)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        with service_errors():
            serializer.instance = services.message_update(message=cast(Message, serializer.instance), actor=cast(User, self.request.user),
                                                          **serializer.validated_data)

    def _done(self, message: Message) -> Response:
        return Response(self.get_serializer(self.base_queryset(Message.objects.all()).get(pk=message.pk)).data)

    def _step(self, service: Any, **kwargs: Any) -> Response:
        message = self.get_object()
        with service_errors():
            message = service(message=message, actor=cast(User, self.request.user), **kwargs)
        return self._done(message)

    @extend_schema(request=None, responses={200: MessageSerializer, 400: OpenApiResponse(description="Not a draft, incomplete, or no audience.")})
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        """Submit a draft for approval (its audience must reach someone)."""
        return self._step(services.message_submit)

    @extend_schema(request=None, responses={200: MessageSerializer, 400: OpenApiResponse(description="Not for approval."),
                                            403: OpenApiResponse(description="Your own submission, or not a change manager of the programme.")})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Approve a message for approval (never one you submitted)."""
        return self._step(services.message_approve)

    @extend_schema(request=ReturnSerializer, responses={200: MessageSerializer, 400: OpenApiResponse(description="Not for approval, or no reason.")})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request: Request, pk: str | None = None) -> Response:
        """Return a message for approval to draft, with the reason."""
        body = ReturnSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._step(services.message_return, reason=body.validated_data["reason"])

    @extend_schema(request=None, responses={200: MessageSerializer, 400: OpenApiResponse(description="Not approved, or sent by email.")})
    @action(detail=True, methods=["post"])
    def mark_done(self, request: Request, pk: str | None = None) -> Response:
        """An approved post, briefing or cascade went out."""
        return self._step(services.message_mark_done)

    @extend_schema(request=None, responses={200: MessageSerializer, 400: OpenApiResponse(description="Already cancelled, or a sent email or post.")})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Cancel a message: one not yet sent leaves the plan; a sent event is
        called off with a cancellation to everyone who had it (as `cancel_invitation/`,
        which also reports the emails queued)."""
        return self._step(services.message_cancel)


class AudienceRuleSerializer(serializers.ModelSerializer):
    message = ScopedPrimaryKeyRelatedField(model=Message, action=CHANGE)
    unit = ScopedPrimaryKeyRelatedField(model=Unit, required=False, allow_null=True)
    impact_line = ScopedPrimaryKeyRelatedField(model=ImpactLine, required=False, allow_null=True)
    impact_assessment = ScopedPrimaryKeyRelatedField(model=ImpactAssessment, required=False, allow_null=True)
    stakeholder = ScopedPrimaryKeyRelatedField(model=Stakeholder, required=False, allow_null=True)
    description = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = AudienceRule
        fields = ["id", "message", "kind", "unit", "role_group", "impact_line", "impact_assessment", "stakeholder", "description"]


class AudienceRuleFilterSet(django_filters.FilterSet):
    message = IdFilter(field_name="message")

    class Meta:
        model = AudienceRule
        fields = ["message"]


class AudienceRuleViewSet(ActionScopedMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet):
    """The parts of a message's audience: seen with the message, added and
    removed by those who change it."""

    scoped_model = AudienceRule
    serializer_class = AudienceRuleSerializer
    filterset_class = AudienceRuleFilterSet
    permission_classes = [ActionScopedPermission]
    http_method_names = ["get", "post", "delete", "head", "options"]

    def base_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("unit", "impact_line", "impact_assessment", "stakeholder").order_by("message", "pk")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        with service_errors():
            serializer.instance = services.audience_rule_add(actor=cast(User, self.request.user), **data)

    def perform_destroy(self, instance: AudienceRule) -> None:
        with service_errors():
            services.audience_rule_remove(rule=instance, actor=cast(User, self.request.user))

