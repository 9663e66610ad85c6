"""The handover page (`?programme=`): per activity its status, whom it is
handed to, who in the force did it and when (linked to the audit entries for
those who may read the trail), the change team's count and the target date;
and the plan items' add, change and delete pages."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import TemplateView

from changeboard.accounts.http import AuthenticatedHttpRequest
from changeboard.core.forms import GovukFormMixin
from changeboard.core.models import AuditEntry
from changeboard.core.params import id_or_404
from changeboard.core.scoping import ADD, CHANGE, DELETE, VIEW, can
from changeboard.core.views import ScopedMixin, ServiceFormView
from changeboard.portfolio.models import Programme

from ..forms.handover import HandoverItemForm
from ..handover import handover_view, programme_handover_summary, visible_programmes
from ..models import HandoverActivity, HandoverItem
from ..services import handover as services


def _url(programme: Programme) -> str:
    return f"{reverse('handover')}?programme={programme.pk}"


class HandoverView(ScopedMixin, TemplateView):
    model = HandoverItem
    template_name = "capability/handover.html"
    page_title = "Handover"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        programmes = visible_programmes(user).order_by("code")
        raw = self.request.GET.get("programme")
        programme = None
        if raw:
            programme = programmes.filter(pk=id_or_404(raw)).first()
            if programme is None:
                raise Http404
        else:
            programme = programmes.exclude(status="closed").first() or programmes.first()
        rows = handover_view(programme) if programme is not None else []
        alone, total = programme_handover_summary(programme, rows) if programme is not None else (0, 0)
        context.update(programmes=programmes, programme=programme, rows=rows, alone=alone, total=total,
                       can_plan=programme is not None and services.may_plan(user, programme),
                       can_audit=can(user, AuditEntry, VIEW),
                       page_title=f"Handover: {programme.code}" if programme is not None else "Handover")
        return context


class HandoverItemAddView(ServiceFormView):
    """Add an activity to a programme's plan (`?programme=` required; `?activity=` preselects it)."""

    request: AuthenticatedHttpRequest
    model = HandoverItem
    action = ADD
    form_class = HandoverItemForm
    template_name = "capability/handover_form.html"
    submit_label = "Add to the plan"
    success_message = "Added to the handover plan."
    page_title = "Add to the handover plan"

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        self.programme: Programme | None = None
        if request.user.is_authenticated and can(request.user, HandoverItem, ADD):
            self.programme = get_object_or_404(visible_programmes(request.user), pk=id_or_404(request.GET.get("programme")))
            if not services.may_plan(request.user, self.programme):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = {**super().get_form_kwargs(), "programme": self.programme, "adding": True}
        activity = self.request.GET.get("activity")
        if activity in HandoverActivity.values:
            kwargs["initial"] = {**kwargs.get("initial", {}), "activity": activity}
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page_title"] = f"Add to the handover plan: {cast(Programme, self.programme).code}"
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Handover", _url(cast(Programme, self.programme))), ("Add to the plan", "")]

    def get_cancel_url(self) -> str:
        return _url(cast(Programme, self.programme))

    def get_success_url(self, saved: Model) -> str:  # type: ignore[override]
        return _url(cast(Programme, self.programme))

    def perform(self, form: HandoverItemForm) -> Model:
        data = form.cleaned_data
        return services.item_create(programme=cast(Programme, self.programme), activity=data["activity"], owner=data.get("owner"),
                                    target_date=data.get("target_date"), times_required=data["times_required"], note=data.get("note") or "",
                                    actor=self.request.user)


class _OneItem(ServiceFormView):
    request: AuthenticatedHttpRequest
    model = HandoverItem
    template_name = "capability/handover_form.html"

    def get_object(self) -> Model | None:
        return get_object_or_404(HandoverItem.objects.restrict(self.request.user, self.action).select_related("programme"), pk=self.kwargs["pk"])

    def item(self) -> HandoverItem:
        return cast(HandoverItem, self.object)

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Handover", _url(self.item().programme)), (str(self.item()), "")]

    def get_cancel_url(self) -> str:
        return _url(self.item().programme)

    def get_success_url(self, saved: Model) -> str:  # type: ignore[override]
        return _url(self.item().programme)


class HandoverItemEditView(_OneItem):
    action = CHANGE
    form_class = HandoverItemForm
    success_message = "Handover plan saved."

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "programme": self.item().programme, "adding": False}

    def get_initial(self) -> dict[str, Any]:
        item = self.item()
        return {"owner": item.owner_id, "target_date": item.target_date, "times_required": item.times_required, "note": item.note}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page_title"] = f"Change the plan: {self.item()}"
        return context

    def perform(self, form: HandoverItemForm) -> Model:
        data = form.cleaned_data
        return services.item_update(item=self.item(), owner=data.get("owner"), target_date=data.get("target_date"),
                                    times_required=data["times_required"], note=data.get("note") or "", actor=self.request.user)


class ConfirmForm(GovukFormMixin, forms.Form):
    pass


class HandoverItemDeleteView(_OneItem):
    action = DELETE
    form_class = ConfirmForm
    submit_label = "Remove from the plan"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page_title"] = f"Remove from the plan: {self.item()}"
        context["intro"] = "The activity's evidence stays in the audit trail; only the plan item (owner, target date, times required) is removed."
        context["warning"] = True
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        programme = self.item().programme
        services.item_delete(item=self.item(), actor=self.request.user)
        messages.success(self.request, "Removed from the handover plan.")
        return redirect(_url(programme))


__all__ = ["HandoverItemAddView", "HandoverItemDeleteView", "HandoverItemEditView", "HandoverView"]
