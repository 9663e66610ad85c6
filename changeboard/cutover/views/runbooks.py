"""Runbook pages: the list (filter, export), the plan page (the schedule,
its critical path listed and drawn, rollback points, streams), creating,
changing, deleting and copying runbooks, templates, and the runbook's
change history.

The schedule is computed on every read (`services.runbooks.runbook_schedule`)
from two queries (tasks with their owners, links), never one per task. A
plan that cannot be scheduled (the services refuse to save one, so only
data written around them) shows the scheduler's message, never a 500.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import TemplateView

from changeboard.accounts.http import AuthenticatedHttpRequest
from changeboard.core.models import AuditEntry
from changeboard.core.params import parse_page
from changeboard.core.scoping import ADD, CHANGE, DELETE, VIEW, can, is_admin
from changeboard.core.times import when
from changeboard.core.views import ScopedDetailView, ScopedListView, ScopedMixin, ServiceFormView

from ..charts import chart_rows, gantt
from ..filtersets.runbooks import RunbookFilterSet
from ..forms.runbooks import RunbookCopyForm, RunbookEditForm, RunbookForm, SaveAsTemplateForm
from ..models import Dependency, Runbook
from ..scheduling import ScheduleError, format_predecessors
from ..services import runbooks as services
from ..services.calendar import runbook_conflicts
from ..services.transfer import IMPORT_MODES
from ..tables.runbooks import RunbookTable

TASKS_PER_PAGE = 100
HISTORY_PER_PAGE = 50


def runbook_crumbs(runbook: Runbook) -> list[tuple[str, str]]:
    return [("Cutover runbooks", reverse("runbook-list")), (runbook.title, runbook.get_absolute_url())]


def can_change(user: Any, runbook: Runbook) -> bool:
    return Runbook.objects.restrict(user, CHANGE).filter(pk=runbook.pk).exists()


def predecessor_text(links: list[Dependency], refs: dict[int, str]) -> dict[int, str]:
    """Each task's predecessors in the notation people write (`T-010, T-020SS+15`)."""
    by_task: dict[int, list[tuple[str, str, int]]] = defaultdict(list)
    for link in links:
        by_task[link.successor_id].append((refs.get(link.predecessor_id, "?"), link.link_type, link.lag_minutes))
    return {pk: format_predecessors(sorted(items)) for pk, items in by_task.items()}


class RunbookListView(ScopedListView):
    model = Runbook
    table_class = RunbookTable
    filterset_class = RunbookFilterSet
    template_name = "cutover/runbook_list.html"
    page_title = "Cutover runbooks"
    export_name = "runbooks"
    export_columns = [("Programme", "programme__code"), ("Runbook", "title"), ("Rollout wave", "rollout_wave__name"),
                      ("Mode", "mode"), ("Template", "is_template"), ("Tasks", "task_count"), ("Planned start (UTC)", "planned_start")]

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("programme", "rollout_wave").annotate(task_count=Count("tasks")).order_by("planned_start", "title", "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(can_add=can(user, Runbook, ADD), can_add_template=is_admin(user))
        return context


class RunbookDetailView(ScopedDetailView):
    """The plan page."""

    model = Runbook
    template_name = "cutover/runbook_detail.html"
    context_object_name = "runbook"

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("programme", "rollout_wave", "copied_from")

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Cutover runbooks", reverse("runbook-list")), (self.object.title, "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        runbook: Runbook = self.object
        user = self.request.user
        tasks, links = services.plan(runbook)
        refs = {task.pk: task.ref for task in tasks}
        preds = predecessor_text(links, refs)
        schedule = None
        try:
            schedule = services.compute(runbook, tasks, links)
        except ScheduleError as error:
            context["schedule_error"] = str(error)
        streams = sorted({task.stream for task in tasks})
        stream = self.request.GET.get("stream", "")
        stream = stream if stream in streams else ""
        rows: list[dict[str, Any]] = []
        timings = {row.task.pk: row for row in schedule.rows} if schedule else {}
        for task in tasks:
            if stream and task.stream != stream:
                continue
            rows.append({"task": task, "predecessors": preds.get(task.pk, ""), "timing": timings.get(task.pk)})
        page = Paginator(rows, TASKS_PER_PAGE).get_page(parse_page(self.request.GET.get("page")) or 1)
        if schedule is not None:
            selected = [timings[r["task"].pk] for r in rows]
            drawn, note = chart_rows(schedule, selected)
            context["chart"] = gantt(schedule, drawn, total=len(selected), note=note)
            context["stream_summary"] = self.stream_summary(schedule)
        editable = can_change(user, runbook)
        context.update(
            page_title=runbook.title, schedule=schedule, rows=page.object_list, page=page, streams=streams, stream=stream,
            task_total=len(tasks), link_total=len(links), start_label=when(runbook.planned_start),
            finish_label=when(schedule.finish) if schedule else "", can_change=editable,
            can_edit_plan=editable and runbook.mode not in services.FROZEN_MODES,
            can_delete=Runbook.objects.restrict(user, DELETE).filter(pk=runbook.pk).exists(),
            can_copy=can(user, Runbook, ADD), can_save_template=is_admin(user) and not runbook.is_template,
            runs=list(runbook.runs.all()), history=list(services.runbook_history(runbook)[:5]),
            can_import=editable and runbook.mode in IMPORT_MODES,
        )
        if not runbook.is_template:
            context["conflicts"] = runbook_conflicts(runbook, user)
        return context

    @staticmethod
    def stream_summary(schedule: services.RunbookSchedule) -> list[dict[str, Any]]:
        groups: dict[str, list[services.TaskTiming]] = defaultdict(list)
        for row in schedule.rows:
            groups[row.task.stream].append(row)
        return [{"stream": name, "tasks": len(items), "critical": sum(1 for r in items if r.critical),
                 "start": when(min(r.earliest_start for r in items)), "finish": when(max(r.earliest_finish for r in items)),
                 "work": sum(r.task.duration_minutes for r in items)}
                for name, items in sorted(groups.items())]


class RunbookHistoryView(ScopedDetailView):
    """The runbook's change history: its own audit rows and those of its tasks and links, newest first."""

    model = Runbook
    template_name = "cutover/runbook_history.html"
    context_object_name = "runbook"

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [*runbook_crumbs(self.object), ("Change history", "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        page = Paginator(services.runbook_history(self.object), HISTORY_PER_PAGE).get_page(parse_page(self.request.GET.get("page")) or 1)
        context.update(page_title=f"Change history: {self.object.title}", page=page,
                       entries=[(entry, changes(entry)) for entry in page.object_list])
        return context


def changes(entry: AuditEntry) -> str:
    """What an audit row changed, in a line: the fields whose values differ."""
    before, after = entry.before or {}, entry.after or {}
    if entry.action == "create":
        return f"Created ({after['tasks']} tasks, {after['links']} links copied)" if "tasks" in after else "Created"
    if entry.action == "delete":
        return "Deleted"
    skip = {"updated_at", "created_at", "runbook"}
    names = [name for name in sorted(set(before) | set(after)) if name not in skip and before.get(name) != after.get(name)]
    if names == ["predecessors"]:
        return "Predecessors: " + (format_predecessors([tuple(p) for p in after["predecessors"]]) or "none")
    return "Changed " + ", ".join(name.replace("_", " ") for name in names) if names else "No change"


class RunbookCreateView(ServiceFormView):
    request: AuthenticatedHttpRequest
    model = Runbook
    action = ADD
    form_class = RunbookForm
    page_title = "Create a runbook"
    submit_label = "Create runbook"
    success_message = "Runbook created."

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Cutover runbooks", reverse("runbook-list")), ("New runbook", "")]

    def get_cancel_url(self) -> str:
        return reverse("runbook-list")

    def perform(self, form: RunbookForm) -> Model:
        data = dict(form.cleaned_data)
        wave = data.pop("rollout_wave")
        return services.runbook_create(programme=wave.programme, rollout_wave=wave, actor=self.request.user, **data)


class AdminOnlyMixin:
    """Templates are changed by portfolio admins only: 403 for anyone else."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not is_admin(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]  # a mixin before a view


class TemplateCreateView(AdminOnlyMixin, ServiceFormView):
    request: AuthenticatedHttpRequest
    model = Runbook
    action = ADD
    form_class = RunbookEditForm
    page_title = "Create a runbook template"
    intro = "A template belongs to no programme: change managers copy it into their rollout waves."
    submit_label = "Create template"
    success_message = "Template created."

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "intro": self.intro}

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Cutover runbooks", reverse("runbook-list")), ("New template", "")]

    def get_cancel_url(self) -> str:
        return reverse("runbook-list")

    def perform(self, form: RunbookEditForm) -> Model:
        return services.runbook_create(is_template=True, actor=self.request.user, **form.cleaned_data)


class RunbookEditView(ServiceFormView):
    request: AuthenticatedHttpRequest
    model = Runbook
    action = CHANGE
    form_class = RunbookEditForm
    submit_label = "Save runbook"
    success_message = "Runbook saved."

    def get_object(self) -> Model | None:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def get_initial(self) -> dict[str, Any]:
        runbook = cast(Runbook, self.object)
        return {"title": runbook.title, "description": runbook.description, "planned_start": runbook.planned_start,
                "late_threshold_minutes": runbook.late_threshold_minutes}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page_title"] = f"Change runbook: {self.object}"
        context["intro"] = "Moving the planned start moves every task without a fixed time; fixed times stay where they are."
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [*runbook_crumbs(cast(Runbook, self.object)), ("Change", "")]

    def perform(self, form: RunbookEditForm) -> Model:
        return services.runbook_update(runbook=cast(Runbook, self.object), actor=self.request.user, **form.cleaned_data)


class RunbookDeleteView(ScopedMixin, TemplateView):
    request: AuthenticatedHttpRequest
    model = Runbook
    action = DELETE
    template_name = "cutover/runbook_confirm_delete.html"

    def get_runbook(self) -> Runbook:
        if not hasattr(self, "_runbook"):
            self._runbook = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        return self._runbook

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [*runbook_crumbs(self.get_runbook()), ("Delete", "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        runbook = self.get_runbook()
        context.update(runbook=runbook, page_title=f"Delete the runbook “{runbook.title}”?", task_count=runbook.tasks.count(),
                       has_runs=runbook.runs.exists())
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        runbook = self.get_runbook()
        try:
            services.runbook_delete(runbook=runbook, actor=self.request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(runbook.get_absolute_url())
        messages.success(request, "Runbook deleted.")
        return redirect("runbook-list")


class RunbookCopyView(ServiceFormView):
    """Copy a runbook or template the user can see into a rollout wave they
    may change; fixed times move with the planned start."""

    request: AuthenticatedHttpRequest
    model = Runbook
    action = ADD
    form_class = RunbookCopyForm
    submit_label = "Copy runbook"
    success_message = "Runbook copied."

    def get_object(self) -> Model | None:
        return get_object_or_404(Runbook.objects.restrict(self.request.user, VIEW), pk=self.kwargs["pk"])

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self) -> dict[str, Any]:
        source = cast(Runbook, self.object)
        return {"title": f"Copy of {source.title}" if not source.is_template else source.title, "planned_start": source.planned_start}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        source = cast(Runbook, self.object)
        context["page_title"] = f"Copy {'template' if source.is_template else 'runbook'}: {source.title}"
        context["intro"] = (f"The copy has the {source.tasks.count()} tasks and their links, in planning. It starts with no runs.")
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [*runbook_crumbs(cast(Runbook, self.object)), ("Copy", "")]

    def perform(self, form: RunbookCopyForm) -> Model:
        data = form.cleaned_data
        wave = data["rollout_wave"]
        return services.runbook_copy(source=cast(Runbook, self.object), title=data["title"], planned_start=data["planned_start"],
                                     programme=wave.programme, rollout_wave=wave, actor=self.request.user)


class RunbookSaveTemplateView(AdminOnlyMixin, ServiceFormView):
    request: AuthenticatedHttpRequest
    model = Runbook
    action = ADD
    form_class = SaveAsTemplateForm
    submit_label = "Save as template"
    success_message = "Template saved."

    def get_object(self) -> Model | None:
        return get_object_or_404(Runbook.objects.restrict(self.request.user, VIEW).filter(is_template=False), pk=self.kwargs["pk"])

    def get_initial(self) -> dict[str, Any]:
        return {"title": f"{cast(Runbook, self.object).title} (template)"}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page_title"] = f"Save as a template: {self.object}"
        context["intro"] = "The template keeps the tasks, their links and their fixed times; it belongs to no programme."
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [*runbook_crumbs(cast(Runbook, self.object)), ("Save as template", "")]

    def perform(self, form: SaveAsTemplateForm) -> Model:
        return services.runbook_save_as_template(source=cast(Runbook, self.object), title=form.cleaned_data["title"],
                                                 actor=self.request.user)


