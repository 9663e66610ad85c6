"""The comms plan's pages: the calendar (a month of weeks, or a list with
exports), a message (status, audience rules, the audience size and its
units, the workflow), creating and changing one, and the approval page."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import defaultdict
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from changeboard.accounts.http import AuthenticatedHttpRequest
from changeboard.core.params import id_or_404
from changeboard.core.scoping import ADD, CHANGE, can
from changeboard.core.views import ScopedDetailView, ScopedListView, ScopedMixin, ServiceFormView

from ..filtersets.messages import MessageFilterSet
from ..forms.messages import AudienceRuleForm, MessageForm, ReturnForm
from ..models import AudienceRule, Message, MessageReach
from ..services import attention
from ..services import messages as services
from ..tables.messages import MessageTable

APPROVE = "approve"
MONTH = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)
TOP_UNITS = 15


def parse_month(value: str | None, today: dt.date) -> dt.date:
    """`YYYY-MM` (ASCII digits, a real month, years 2000–2100) or this month."""
    match = MONTH.match(value or "")
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return dt.date(year, month, 1)
    return today.replace(day=1)


def month_weeks(first: dt.date, messages_: QuerySet) -> list[list[tuple[dt.date, bool, list[Message]]]]:
    """The month's weeks (Monday first), each day with whether it is in the
    month and its messages."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    by_day: dict[dt.date, list[Message]] = defaultdict(list)
    for message in messages_.filter(planned_on__range=(weeks[0][0], weeks[-1][-1])).select_related("programme").order_by("planned_on", "starts_at", "pk"):
        by_day[message.planned_on].append(message)
    return [[(day, day.month == first.month, by_day.get(day, [])) for day in week] for week in weeks]


class MessageListView(ScopedListView):
    """The comms calendar: a month (weeks as rows, days as columns) by
    default, or the list (`?view=list`) with CSV and XLSX downloads; both
    filtered alike."""

    model = Message
    table_class = MessageTable
    filterset_class = MessageFilterSet
    template_name = "engagement/comms_calendar.html"
    page_title = "Comms calendar"
    export_name = "comms-plan"
    export_columns = [("Programme", "programme__code"), ("Message", "title"), ("Purpose", "purpose"), ("Channel", "channel"),
                      ("Planned day", "planned_on"), ("Starts", "starts_at"), ("Ends", "ends_at"), ("Location", "location"),
                      ("Owner", "owner__username"), ("Status", "status"), ("Audience", "audience_size"), ("Rollout wave", "rollout_wave__name")]

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("programme", "owner")

    def get_template_names(self) -> list[str]:
        if getattr(self.request, "htmx", False):
            return ["engagement/comms_results.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        list_view = self.request.GET.get("view") == "list"
        first = parse_month(self.request.GET.get("month"), timezone.localdate())
        context.update(
            list_view=list_view, month=first, can_add=can(self.request.user, Message, ADD),
            previous_month=(first - dt.timedelta(days=1)).strftime("%Y-%m"),
            next_month=(first + dt.timedelta(days=32)).replace(day=1).strftime("%Y-%m"),
            weekdays=list(calendar.day_name),
        )
        if not list_view:
            context["weeks"] = month_weeks(first, self.object_list)
        return context


class MessageDetailView(ScopedDetailView):
    model = Message
    template_name = "engagement/message_detail.html"
    context_object_name = "message"

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("programme", "owner", "rollout_wave", "cutover_task", "submitted_by", "approved_by")

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Comms calendar", reverse("message-list")), (str(self.object), "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        message: Message = self.object
        context.update(message_context(self.request, message))
        # Free text, bounded; a NUL byte cannot reach PostgreSQL.
        unit_search = (self.request.GET.get("unit_q") or "").replace("\x00", "").strip()[:100]
        context["unit_search"] = unit_search
        if context["can_change"] and message.status in services.EDITABLE:
            context["rule_form"] = kwargs.get("rule_form") or AudienceRuleForm(message=message, unit_search=unit_search, prefix="rule")
        context["page_title"] = str(message)
        return context


def message_context(request: HttpRequest, message: Message) -> dict[str, Any]:
    """What the message and approval pages both show: rights (including
    sending), rules, the audience's units, and the attention budget's
    warnings and suggestions to combine while the message is still planned
    (a warning, never a block: approving stays the same service)."""
    user = request.user
    may_change = Message.objects.restrict(user, CHANGE).filter(pk=message.pk).exists()
    may_approve = Message.objects.restrict(user, APPROVE).filter(pk=message.pk).exists()
    planned = message.status in services.EDITABLE
    reach = list(MessageReach.objects.filter(message=message).select_related("unit").order_by("-headcount", "unit__name", "pk")[:TOP_UNITS])
    return {
        "can_change": may_change,
        "can_approve": may_approve and message.status == Message.Status.FOR_APPROVAL and services.can_approve(message, user),
        "own_submission": services.is_own_submission(message, user),
        "rules": list(message.audience_rules.select_related("unit", "impact_line__assessment", "impact_assessment", "stakeholder")),
        "reach": reach,
        "reach_units": MessageReach.objects.filter(message=message).count(),
        "return_reason": services.last_return_reason(message),
        "attention_warnings": attention.approval_warnings(message) if planned else [],
        "attention_suggestions": attention.combine_suggestions(message) if planned else [],
        "editable": message.status in services.EDITABLE,
        "sends_email": message.sends_email,
        "can_send": may_change and message.sends_email and message.status == Message.Status.APPROVED,
        "can_resend": may_change and message.channel == Message.Channel.EVENT and message.status == Message.Status.SENT,
        "has_deliveries": message.status in (Message.Status.SENT, Message.Status.CANCELLED) and message.recipients.exists(),
    }


class MessageCreateView(ServiceFormView):
    request: AuthenticatedHttpRequest
    model = Message
    action = ADD
    form_class = MessageForm
    template_name = "engagement/message_form.html"
    page_title = "Plan a message"
    submit_label = "Save as draft"
    success_message = "Message saved as a draft. Add its audience, then submit it for approval."

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = {**super().get_form_kwargs(), "user": self.request.user}
        programme = self.request.GET.get("programme")
        if programme:
            kwargs["initial"] = {"programme": programme}
        return kwargs

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Comms calendar", reverse("message-list")), ("Plan a message", "")]

    def get_cancel_url(self) -> str:
        return reverse("message-list")

    def perform(self, form: MessageForm) -> Model:
        return services.message_create(programme=form.cleaned_data["programme"], actor=self.request.user, **form.service_kwargs())


class MessageEditView(ServiceFormView):
    request: AuthenticatedHttpRequest
    model = Message
    action = CHANGE
    form_class = MessageForm
    template_name = "engagement/message_form.html"
    success_message = "Message saved."

    def get_object(self) -> Model | None:
        return get_object_or_404(self.get_queryset().select_related("programme"), pk=id_or_404(self.kwargs["pk"]))

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        message = cast(Message, self.object)
        context["page_title"] = f"Change {Message.objects.get(pk=message.pk).title}"
        context["message_obj"] = message
        if message.status in (Message.Status.FOR_APPROVAL, Message.Status.APPROVED):
            context["intro"] = "Saving any change but the owner puts the message back to draft: it must be approved again."
        if message.status == Message.Status.SENT:
            context["blocked"] = services.SENT_NOT_EDITABLE
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        message = cast(Message, self.object)
        return [("Comms calendar", reverse("message-list")), (message.title, message.get_absolute_url()), ("Change", "")]

    def perform(self, form: MessageForm) -> Model:
        return services.message_update(message=cast(Message, self.object), actor=self.request.user, **form.service_kwargs())


class MessageMixin(ScopedMixin):
    """POST-only actions on one message (`pk`), found within the user's scope for the view's action."""

    request: HttpRequest
    kwargs: dict[str, Any]
    model = Message

    def get_message(self) -> Message:
        return get_object_or_404(Message.objects.restrict(self.request.user, self.action).select_related("programme"),
                                 pk=id_or_404(self.kwargs["pk"]))

    def done(self, message: Message) -> HttpResponse:
        return redirect(reverse("message-detail", args=[message.pk]))


class RuleAddView(MessageMixin, View):
    action = CHANGE
    http_method_names = ["post"]

    def post(self, request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        message = self.get_message()
        form = AudienceRuleForm(request.POST, message=message, prefix="rule")
        if form.is_valid():
            try:
                services.audience_rule_add(message=message, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                from changeboard.core.forms import add_service_errors

                add_service_errors(form, exc)
            else:
                message.refresh_from_db()
                messages.success(request, f"Audience changed: it now reaches {message.audience_size} {'person' if message.audience_size == 1 else 'people'}.")
                return self.done(message)
        view = MessageDetailView()
        view.setup(request, pk=message.pk)
        view.object = message
        return view.render_to_response(view.get_context_data(rule_form=form, object=message))


class RuleRemoveView(MessageMixin, View):
    action = CHANGE
    http_method_names = ["post"]

    def post(self, request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        message = self.get_message()
        rule = get_object_or_404(AudienceRule, message=message, pk=id_or_404(self.kwargs["rule_pk"]))
        try:
            services.audience_rule_remove(rule=rule, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Audience rule removed.")
        return self.done(message)


class StepView(MessageMixin, View):
    """Submit, mark as done or cancel: one POST each, through the service."""

    action = CHANGE
    http_method_names = ["post"]
    step = ""
    STEPS = {"submit": (services.message_submit, "Submitted for approval."),
             "done": (services.message_mark_done, "Marked as done."),
             "cancel": (services.message_cancel, "Message cancelled.")}

    def post(self, request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        message = self.get_message()
        service, text = self.STEPS[self.step]
        try:
            service(message=message, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, text)
        return self.done(message)


class ApproveView(MessageMixin, TemplateView):
    """The approval page: the message, its audience size and units (and
    the attention warnings); approve, or return to draft with a reason."""

    action = APPROVE
    template_name = "engagement/message_approve.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        message = self.get_message()
        context = super().get_context_data(**kwargs)
        context.update(message_context(self.request, message))
        context.update(message=message, page_title=f"Approve {message.title}", return_form=kwargs.get("return_form") or ReturnForm(prefix="return"))
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        message = self.get_message()
        return [("Comms calendar", reverse("message-list")), (message.title, message.get_absolute_url()), ("Approve", "")]

    def post(self, request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        message = self.get_message()
        if request.POST.get("decision") == "return":
            form = ReturnForm(request.POST, prefix="return")
            if form.is_valid():
                try:
                    services.message_return(message=message, reason=form.cleaned_data["reason"], actor=request.user)
                except ValidationError as exc:
                    from changeboard.core.forms import add_service_errors

                    add_service_errors(form, exc)
                else:
                    messages.success(request, "Returned to draft.")
                    return self.done(message)
            return self.render_to_response(self.get_context_data(return_form=form))
        try:
            services.message_approve(message=message, actor=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
            return redirect(reverse("message-approve", args=[message.pk]))
        messages.success(request, "Message approved.")
        return self.done(message)




