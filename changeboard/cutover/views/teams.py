"""Team pages: the list, a team (its members and the tasks it owns in the
runbooks the reader may see), creating and changing a team (change managers
and admins)."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Count, Model, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse

from changeboard.accounts.http import AuthenticatedHttpRequest
from changeboard.core.scoping import ADD, CHANGE, VIEW, can
from changeboard.core.views import ScopedDetailView, ScopedListView, ServiceFormView

from ..filtersets.teams import TeamFilterSet
from ..forms.teams import TeamForm
from ..models import Task, Team
from ..services import runbooks as services
from ..tables.teams import TeamTable


def team_crumbs() -> list[tuple[str, str]]:
    return [("Cutover runbooks", reverse("runbook-list")), ("Teams", reverse("team-list"))]


class TeamListView(ScopedListView):
    model = Team
    table_class = TeamTable
    filterset_class = TeamFilterSet
    template_name = "cutover/team_list.html"
    page_title = "Cutover teams"
    export_name = "cutover-teams"
    export_columns = [("Team", "name"), ("Description", "description"), ("Members", "member_count"), ("Tasks owned", "task_count")]

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().annotate(member_count=Count("members", distinct=True), task_count=Count("tasks", distinct=True)).order_by("name")

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Cutover runbooks", reverse("runbook-list")), ("Teams", "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "can_add": can(self.request.user, Team, ADD)}


class TeamDetailView(ScopedDetailView):
    model = Team
    template_name = "cutover/team_detail.html"
    context_object_name = "team"

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [*team_crumbs(), (self.object.name, "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        team: Team = self.object
        user = self.request.user
        tasks = (Task.objects.restrict(user, VIEW).filter(owner_team=team)
                 .select_related("runbook", "runbook__programme").order_by("runbook__planned_start", "runbook__pk", "position", "pk"))
        context.update(page_title=team.name, members=team.members.order_by("first_name", "last_name", "username"), tasks=tasks,
                       can_change=Team.objects.restrict(user, CHANGE).filter(pk=team.pk).exists())
        return context


class TeamCreateView(ServiceFormView):
    request: AuthenticatedHttpRequest
    model = Team
    action = ADD
    form_class = TeamForm
    page_title = "Create a team"
    submit_label = "Create team"
    success_message = "Team created."

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [*team_crumbs(), ("New team", "")]

    def get_cancel_url(self) -> str:
        return reverse("team-list")

    def perform(self, form: TeamForm) -> Model:
        return services.team_save(actor=self.request.user, **form.cleaned_data)


class TeamEditView(ServiceFormView):
    request: AuthenticatedHttpRequest
    model = Team
    action = CHANGE
    form_class = TeamForm
    submit_label = "Save team"
    success_message = "Team saved."

    def get_object(self) -> Model | None:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def get_initial(self) -> dict[str, Any]:
        team = cast(Team, self.object)
        return {"name": team.name, "description": team.description, "members": list(team.members.values_list("pk", flat=True))}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "page_title": f"Change team: {self.object}"}

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        team = cast(Team, self.object)
        return [*team_crumbs(), (team.name, team.get_absolute_url()), ("Change", "")]

    def perform(self, form: TeamForm) -> Model:
        return services.team_save(team=cast(Team, self.object), actor=self.request.user, **form.cleaned_data)
