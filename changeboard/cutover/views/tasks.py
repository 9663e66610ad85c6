"""Task pages: adding, changing and deleting a task of a runbook's plan
(its predecessors typed as one line, saved with the task in one
transaction), and a task's own page with its links and its place in the
schedule. A refusal (a loop, an unknown predecessor, a fixed time that
cannot be met) shows on the form, naming the tasks, with the input kept."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import TemplateView

from changeboard.accounts.http import AuthenticatedHttpRequest
from changeboard.core.scoping import ADD, CHANGE, DELETE
from changeboard.core.times import when
from changeboard.core.views import ScopedDetailView, ScopedMixin, ServiceFormView

from ..forms.tasks import TaskForm, task_initial
from ..models import Runbook, Task
from ..scheduling import ScheduleError, format_predecessors
from ..services import runbooks as services
from .runbooks import runbook_crumbs


def task_predecessors(task: Task) -> str:
    links = task.predecessor_links.select_related("predecessor").order_by("predecessor__ref")
    return format_predecessors([(link.predecessor.ref, link.link_type, link.lag_minutes) for link in links])


def task_crumbs(task: Task) -> list[tuple[str, str]]:
    return [*runbook_crumbs(task.runbook), (task.ref, task.get_absolute_url())]


class _TaskFormView(ServiceFormView):
    request: AuthenticatedHttpRequest
    model = Task
    form_class = TaskForm
    template_name = "cutover/task_form.html"
    runbook: Runbook

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "runbook": self.runbook}

    def get_success_url(self, saved: Model) -> str:  # type: ignore[override]
        return f"{self.runbook.get_absolute_url()}#task-{saved.pk}"

    def perform(self, form: TaskForm) -> Model:
        return services.task_save_with_predecessors(
            runbook=self.runbook, task=cast(Task | None, self.object), predecessors=form.cleaned_data.get("predecessors") or "",
            actor=self.request.user, **form.task_fields(), **form.audience())


class TaskCreateView(_TaskFormView):
    action = ADD
    submit_label = "Add task"
    success_message = "Task added."

    def get_object(self) -> Model | None:
        self.runbook = get_object_or_404(Runbook.objects.restrict(self.request.user, CHANGE), pk=self.kwargs["runbook_pk"])
        return None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "page_title": "Add a task"}

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [*runbook_crumbs(self.runbook), ("New task", "")]

    def get_cancel_url(self) -> str:
        return self.runbook.get_absolute_url()


class TaskEditView(_TaskFormView):
    action = CHANGE
    submit_label = "Save task"
    success_message = "Task saved."

    def get_object(self) -> Model | None:
        task = get_object_or_404(self.get_queryset().select_related("runbook"), pk=self.kwargs["pk"])
        self.runbook = task.runbook
        return task

    def get_initial(self) -> dict[str, Any]:
        task = cast(Task, self.object)
        return task_initial(task, task_predecessors(task))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "page_title": f"Change task {self.object}"}

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [*task_crumbs(cast(Task, self.object)), ("Change", "")]


class TaskDeleteView(ScopedMixin, TemplateView):
    request: AuthenticatedHttpRequest
    model = Task
    action = DELETE
    template_name = "cutover/task_confirm_delete.html"

    def get_task(self) -> Task:
        if not hasattr(self, "_task"):
            self._task = get_object_or_404(self.get_queryset().select_related("runbook"), pk=self.kwargs["pk"])
        return self._task

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [*task_crumbs(self.get_task()), ("Delete", "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        task = self.get_task()
        context.update(task=task, page_title=f"Delete the task {task.ref} “{task.title}”?",
                       successors=[link.successor.ref for link in task.successor_links.select_related("successor")])
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        task = self.get_task()
        try:
            services.task_delete(task=task, actor=self.request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(task.get_absolute_url())
        messages.success(request, f"Task {task.ref} deleted.")
        return redirect(task.runbook.get_absolute_url())


class TaskDetailView(ScopedDetailView):
    model = Task
    template_name = "cutover/task_detail.html"
    context_object_name = "task"

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("runbook", "runbook__programme", "owner_user", "owner_team")

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [*runbook_crumbs(self.object.runbook), (self.object.ref, "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        task: Task = self.object
        timing = None
        try:
            schedule = services.runbook_schedule(task.runbook)
            timing = next(row for row in schedule.rows if row.task.pk == task.pk)
        except ScheduleError as error:
            context["schedule_error"] = str(error)
        editable = Task.objects.restrict(self.request.user, CHANGE).filter(pk=task.pk).exists()
        context.update(
            page_title=f"{task.ref} {task.title}", timing=timing,
            times={"es": when(timing.earliest_start), "ef": when(timing.earliest_finish), "ls": when(timing.latest_start),
                   "lf": when(timing.latest_finish)} if timing else {},
            not_before=when(task.not_before) if task.not_before else "", due_by=when(task.due_by) if task.due_by else "",
            predecessors=task.predecessor_links.select_related("predecessor").order_by("predecessor__position", "predecessor__pk"),
            successors=task.successor_links.select_related("successor").order_by("successor__position", "successor__pk"),
            audience_users=task.audience_users.all(), audience_teams=task.audience_teams.all(), audience_units=task.audience_units.all(),
            can_change=editable and task.runbook.mode not in services.FROZEN_MODES,
        )
        return context
