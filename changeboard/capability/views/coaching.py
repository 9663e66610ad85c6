"""Coaching pages: the list (filter by coachee and coach; CSV/XLSX), recording
a session (`?practitioner=` preselects the coachee), one session and
changing it. Goals, agreed actions and notes show only to the coach and the
coachee (`CoachingSession.private_to`): never in the list or its exports."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse

from changeboard.accounts.http import AuthenticatedHttpRequest
from changeboard.core import exports
from changeboard.core.params import parse_id
from changeboard.core.scoping import ADD, CHANGE, can
from changeboard.core.views import ScopedDetailView, ScopedListView, ServiceFormView

from ..filtersets.coaching import CoachingSessionFilterSet
from ..forms.coaching import CoachingSessionForm
from ..models import CoachingSession
from ..services import coaching as services
from ..tables.coaching import CoachingSessionTable


def _crumbs(*rest: tuple[str, str]) -> list[tuple[str, str]]:
    return [("Coaching", reverse("coaching-list")), *rest]


class CoachingListView(ScopedListView):
    model = CoachingSession
    table_class = CoachingSessionTable
    filterset_class = CoachingSessionFilterSet
    template_name = "capability/coaching_list.html"
    page_title = "Coaching sessions"
    export_name = "coaching-sessions"
    # The public part only: goals, actions and notes are never exported.
    export_columns = [("Date", "held_on"), ("Coachee staff number", "practitioner__staff__staff_number"),
                      ("Coachee first name", "practitioner__staff__first_name"), ("Coachee last name", "practitioner__staff__last_name"),
                      ("Coach", "coach__username"), ("Areas", "areas"), ("Next session", "next_session")]

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("practitioner__staff", "coach").prefetch_related("areas")

    def export(self, fmt: str, queryset: QuerySet) -> HttpResponse:
        rows = [[s.held_on, s.practitioner.staff.staff_number, s.practitioner.staff.first_name, s.practitioner.staff.last_name,
                 s.coach.get_username(), "; ".join(a.name for a in s.areas.all()), s.next_session]
                for s in queryset.select_related("practitioner__staff", "coach").prefetch_related("areas")]
        return cast(HttpResponse, exports.export_response(fmt, self.export_name, [label for label, _ in self.export_columns], rows))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_add"] = can(self.request.user, CoachingSession, ADD) and services.coachable(self.request.user).exists()
        return context


class CoachingDetailView(ScopedDetailView):
    model = CoachingSession
    template_name = "capability/coaching_detail.html"
    context_object_name = "session"

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("practitioner__staff", "coach").prefetch_related("areas")

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return _crumbs((str(self.object), ""))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        session: CoachingSession = self.object
        context.update(page_title=f"Coaching: {session.practitioner}, {session.held_on:%-d %B %Y}", private=session.private_to(self.request.user),
                       can_change=services.may_update(self.request.user, session))
        return context


class CoachingAddView(ServiceFormView):
    request: AuthenticatedHttpRequest
    model = CoachingSession
    action = ADD
    form_class = CoachingSessionForm
    template_name = "capability/coaching_form.html"
    submit_label = "Record session"
    success_message = "Coaching session recorded."
    page_title = "Record a coaching session"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = {**super().get_form_kwargs(), "user": self.request.user, "adding": True}
        chosen = parse_id(self.request.GET.get("practitioner"))
        if chosen is not None:
            kwargs["initial"] = {**kwargs.get("initial", {}), "practitioner": chosen}
        return kwargs

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return _crumbs(("Record a session", ""))

    def get_cancel_url(self) -> str:
        return reverse("coaching-list")

    def perform(self, form: CoachingSessionForm) -> Model:
        data = form.cleaned_data
        return services.session_record(practitioner=data["practitioner"], held_on=data["held_on"], areas=data["areas"], goals=data["goals"],
                                       agreed_actions=data["agreed_actions"], notes=data["notes"], next_session=data.get("next_session"),
                                       actor=self.request.user)


class CoachingEditView(ServiceFormView):
    """The session's coach changes it (anyone else: 403; out of scope: 404)."""

    request: AuthenticatedHttpRequest
    model = CoachingSession
    action = CHANGE
    form_class = CoachingSessionForm
    template_name = "capability/coaching_form.html"
    success_message = "Coaching session saved."

    def get_object(self) -> Model | None:
        session = get_object_or_404(CoachingSession.objects.restrict(self.request.user, CHANGE).select_related("practitioner__staff"),
                                    pk=self.kwargs["pk"])
        if not services.may_update(self.request.user, session):
            raise PermissionDenied
        return session

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user, "adding": False}

    def get_initial(self) -> dict[str, Any]:
        session = cast(CoachingSession, self.object)
        return {"held_on": session.held_on, "areas": list(session.areas.values_list("pk", flat=True)), "goals": session.goals,
                "agreed_actions": session.agreed_actions, "notes": session.notes, "next_session": session.next_session}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page_title"] = f"Change: {self.object}"
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        session = cast(CoachingSession, self.object)
        return _crumbs((str(session), session.get_absolute_url()), ("Change", ""))

    def perform(self, form: CoachingSessionForm) -> Model:
        data = form.cleaned_data
        return services.session_update(session=cast(CoachingSession, self.object), actor=self.request.user, held_on=data["held_on"],
                                       areas=data["areas"], goals=data["goals"], agreed_actions=data["agreed_actions"], notes=data["notes"],
                                       next_session=data.get("next_session"))
