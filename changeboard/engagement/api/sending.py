"""Sending through the API: a mixin for the comms plan's `MessageViewSet`
(`api-message`), which mixes it in after merge. Its actions call the same
services as the pages:

- POST `/api/v1/messages/<pk>/send/`, `.../send_update/`, `.../cancel_invitation/`
  (a change to the message: the viewset's `action_rights` must map them to
  "change", see `SENDING_ACTION_RIGHTS`);
- GET `/api/v1/messages/<pk>/deliveries/`: counts by outbox state and the
  recipients, paginated by the viewset's paginator; addresses only for the
  senders (the programme's change managers, admins).
"""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from changeboard.accounts.models import User
from changeboard.core.api import service_errors
from changeboard.core.scoping import CHANGE, VIEW, can

from ..models import Message, Recipient
from ..services import sending as services

SENDING_ACTION_RIGHTS = {"send": CHANGE, "send_update": CHANGE, "cancel_invitation": CHANGE, "deliveries": VIEW}


class SendingResultSerializer(serializers.Serializer):
    kind = serializers.CharField()
    sequence = serializers.IntegerField()
    recipients = serializers.IntegerField(help_text="People written as recipients (with or without an address).")
    queued = serializers.IntegerField(help_text="Emails added to the outbox now.")
    without_email = serializers.IntegerField(help_text="Staff with no email address on their HR record (listed, not sent).")
    contacts = serializers.IntegerField(help_text="External contacts among the recipients.")
    status = serializers.CharField(help_text="The message's status afterwards.")


class RecipientSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    unit = serializers.CharField(source="unit.name", default=None, read_only=True)
    delivery = serializers.CharField(source="outbox.status", default="no_email", read_only=True)
    last_error = serializers.CharField(source="outbox.last_error", default="", read_only=True)

    class Meta:
        model = Recipient
        fields = ["id", "name", "unit", "kind", "sequence", "delivery", "last_error"]

    def get_name(self, record: Recipient) -> str:
        if record.staff is not None:
            return f"{record.staff.first_name} {record.staff.last_name}"
        return record.stakeholder.display_name if record.stakeholder is not None else ""


class RecipientWithAddressSerializer(RecipientSerializer):
    address = serializers.CharField(source="outbox.to_address", default="", read_only=True)

    class Meta(RecipientSerializer.Meta):
        fields = [*RecipientSerializer.Meta.fields, "address"]


def _result(result: services.Sending) -> dict[str, Any]:
    return {"kind": result.kind, "sequence": result.sequence, "recipients": result.recipients, "queued": result.queued,
            "without_email": result.without_email, "contacts": result.contacts, "status": result.message.status}


class MessageSendViewSetMixin:
    """Mix into the `Message` viewset (on `ActionScopedMixin`, with
    `action_rights` including `SENDING_ACTION_RIGHTS`)."""

    request: Any  # the viewset's DRF request
    get_object: Any
    paginate_queryset: Any
    get_paginated_response: Any

    def _sent(self, run: Any) -> Response:
        message = cast(Message, self.get_object())
        with service_errors():
            result = run(message=message, actor=cast(User, self.request.user))
        return Response(SendingResultSerializer(_result(result)).data)

    @extend_schema(request=None, responses={200: SendingResultSerializer, 400: OpenApiResponse(description="Not approved, or not an email.")})
    @action(detail=True, methods=["post"])
    def send(self, request: Request, pk: str | None = None) -> Response:
        """Send an approved email or event message to its audience as it stands today."""
        return self._sent(services.message_send)

    @extend_schema(request=None, responses={200: SendingResultSerializer, 400: OpenApiResponse(description="Not a sent event.")})
    @action(detail=True, methods=["post"])
    def send_update(self, request: Request, pk: str | None = None) -> Response:
        """Send a sent event's new time or place to everyone who had it (SEQUENCE + 1)."""
        return self._sent(services.message_send_update)

    @extend_schema(request=None, responses={200: SendingResultSerializer, 400: OpenApiResponse(description="Not a sent event.")})
    @action(detail=True, methods=["post"])
    def cancel_invitation(self, request: Request, pk: str | None = None) -> Response:
        """Call off a sent event: METHOD:CANCEL to everyone who had it."""
        return self._sent(services.message_cancel_invitation)

    @extend_schema(request=None, responses={200: RecipientSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, pk: str | None = None) -> Response:
        """The recipients and the state of their email (addresses for the senders only). No open or click tracking."""
        if not can(request.user, Recipient, VIEW):
            raise PermissionDenied("You may not read a message's recipients.")
        message = cast(Message, self.get_object())
        rows = Recipient.objects.filter(message=message).select_related("staff", "stakeholder", "unit", "outbox").order_by("pk")
        serializer = RecipientWithAddressSerializer if services.can_send(request.user, message) else RecipientSerializer
        page = self.paginate_queryset(rows)
        if page is not None:
            response = self.get_paginated_response(serializer(page, many=True).data)
            response.data["counts"] = services.delivery_counts(message)
            return response
        return Response({"counts": services.delivery_counts(message), "results": serializer(rows, many=True).data})
