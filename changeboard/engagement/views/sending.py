"""Sending a message and its delivery states: the deliveries page
(`message-deliveries`: counts by outbox state and the recipients, with
addresses for the senders only) and the confirmation pages that send,
send an update and cancel an invitation (`message-send`,
`message-send-update`, `message-cancel-invitation`), each a POST with CSRF
through `services.sending`. No open or click tracking anywhere."""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django import forms
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import TemplateView

from changeboard.accounts.http import AuthenticatedHttpRequest
from changeboard.core.params import StrictTableMixin
from changeboard.core.scoping import CHANGE, VIEW
from changeboard.core.views import ScopedMixin, ServiceFormView

from ..models import Message, Recipient
from ..services import sending as services
from ..tables.sending import RecipientTable

PER_PAGE = 50


def message_crumbs(message: Message) -> list[tuple[str, str]]:
    return [("Comms calendar", reverse("message-list")), (str(message), reverse("message-detail", args=[message.pk]))]


class MessageDeliveriesView(ScopedMixin, StrictTableMixin, TemplateView):
    """Counts by delivery state and the paginated recipients of one message.
    Who may read recipients is the `Recipient` role rule (champions may not);
    which messages, the message's scope (out of scope: 404)."""

    model = Recipient
    template_name = "engagement/message_deliveries.html"
    table_class = RecipientTable  # type: ignore[assignment]  # django-tables2 declares it None

    def get_table_pagination(self, table: Any) -> dict[str, int]:
        return {"per_page": PER_PAGE}

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.message = get_object_or_404(Message.objects.restrict(request.user, VIEW).select_related("programme"), pk=kwargs["pk"])
        self.senders = services.can_send(request.user, self.message)
        return super().get(request, *args, **kwargs)

    def get_table_data(self) -> QuerySet:
        return (Recipient.objects.filter(message=self.message).select_related("staff", "stakeholder", "unit", "outbox")
                .order_by("pk"))

    def get_table_kwargs(self) -> dict[str, Any]:
        # Addresses are personal data: only the senders (the programme's change managers, admins) see them.
        return {} if self.senders else {"exclude": ("address",)}

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [*message_crumbs(self.message), ("Deliveries", "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        message = self.message
        context.update(
            page_title=f"Deliveries: {message}", message=message, counts=services.delivery_counts(message),
            can_send=self.senders and message.sends_email and message.status == Message.Status.APPROVED,
            can_update=self.senders and message.channel == Message.Channel.EVENT and message.status == Message.Status.SENT,
            show_addresses=self.senders,
        )
        return context


class ConfirmForm(forms.Form):
    """A confirmation: no fields, the button is the decision."""


class _SendingConfirmView(ServiceFormView):
    request: AuthenticatedHttpRequest  # signed in (LoginRequiredMixin)
    model = Message
    action = CHANGE
    form_class = ConfirmForm
    template_name = "engagement/message_deliveries_confirm.html"
    heading: ClassVar[str] = ""
    explanation: ClassVar[str] = ""

    def get_object(self) -> Model | None:
        return get_object_or_404(self.get_queryset().select_related("programme", "rollout_wave"), pk=self.kwargs["pk"])

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [*message_crumbs(cast(Message, self.object)), (self.heading, "")]

    def get_cancel_url(self) -> str:
        return reverse("message-detail", args=[cast(Message, self.object).pk])

    def get_success_url(self, saved: Model) -> str:  # type: ignore[override]  # ServiceFormView passes the saved object
        return reverse("message-deliveries", args=[saved.pk])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        message = cast(Message, self.object)
        context.update(page_title=f"{self.heading}: {message}", heading=self.heading, explanation=self.explanation, message=message,
                       recipients=Recipient.objects.filter(message=message, kind=Recipient.Kind.MESSAGE).count())
        return context

    def run(self, message: Message) -> services.Sending:
        raise NotImplementedError

    def perform(self, form: ConfirmForm) -> Model:
        result = self.run(cast(Message, self.object))
        self.success_message = self.done(result)
        return result.message

    def done(self, result: services.Sending) -> str:
        text = f"{result.queued} email{'s' if result.queued != 1 else ''} queued."
        if result.without_email:
            text += (f" {result.without_email} {'person has' if result.without_email == 1 else 'people have'} no email address "
                     "on their HR record: they are listed below.")
        return text


class MessageSendView(_SendingConfirmView):
    heading = "Send the message"
    explanation = ("Everyone the audience reaches today (leavers left out) gets their own copy, with their name, unit and the "
                   "rollout wave's date filled in. An event also carries a calendar invitation. This cannot be undone.")
    submit_label = "Send now"

    def run(self, message: Message) -> services.Sending:
        return services.message_send(message=message, actor=self.request.user)


class MessageSendUpdateView(_SendingConfirmView):
    heading = "Send the updated invitation"
    explanation = ("Everyone who had the invitation and is still in post gets the new time and place; their calendars "
                   "replace the event rather than adding a second one.")
    submit_label = "Send the update"

    def run(self, message: Message) -> services.Sending:
        return services.message_send_update(message=message, actor=self.request.user)


class MessageCancelInvitationView(_SendingConfirmView):
    heading = "Cancel the event"
    explanation = ("Everyone who had the invitation and is still in post gets a cancellation, which removes the event from "
                   "their calendars. The message is marked cancelled. This cannot be undone.")
    submit_label = "Cancel the event"

    def run(self, message: Message) -> services.Sending:
        return services.message_cancel_invitation(message=message, actor=self.request.user)
