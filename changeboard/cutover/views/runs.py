"""Run pages: starting a run, the live view (polled by htmx, the same on
a reload without JavaScript), operators' one-click start and finish,
pausing, resuming and abandoning, re-estimating the plan from a rehearsal,
the post-implementation summary and the run log (CSV).

Reading a run follows its runbook (`Run.parent_path`): the programme's
people, the Board, auditors, champions of the units going live, and anyone
who owns a task in it. Starting, finishing and the rest go through
`services.runs`, which decides who may act on a task (its owner, the
owning team, the programme's change managers, admins): anyone else who can
see the run is refused (403).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View

from changeboard.accounts.http import AuthenticatedHttpRequest
from changeboard.core import exports
from changeboard.core.params import parse_page
from changeboard.core.scoping import ADD, CHANGE, VIEW
from changeboard.core.views import ScopedDetailView, ScopedMixin, ServiceFormView

from ..forms.runs import ReestimateForm, RunReasonForm, RunStartForm
from ..models import RUNBOOK_TZ, Run, Runbook, RunTask, Task
from ..services import runs as services

PER_PAGE = 50


def runbook_url(runbook: Runbook) -> str:
    return runbook.get_absolute_url()


def crumbs(runbook: Runbook) -> list[tuple[str, str]]:
    return [("Cutover runbooks", reverse("runbook-list")), (runbook.title, runbook_url(runbook))]


def run_crumbs(run: Run) -> list[tuple[str, str]]:
    return [*crumbs(run.runbook), (str(run), run.get_absolute_url())]


def _run_queryset(request: HttpRequest, action: str = VIEW) -> QuerySet:
    return Run.objects.restrict(request.user, action).select_related("runbook__programme", "runbook__rollout_wave", "started_by")


class RunStartView(ServiceFormView):
    """Start a rehearsal or the live run of a runbook the user may change."""

    request: AuthenticatedHttpRequest
    model = Run
    action = ADD
    form_class = RunStartForm
    submit_label = "Start the run"
    success_message = "The run has started."

    def get_object(self) -> Model | None:
        self.runbook = get_object_or_404(Runbook.objects.restrict(self.request.user, CHANGE), pk=self.kwargs["runbook_pk"])
        return None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        local = self.runbook.planned_start.astimezone(RUNBOOK_TZ)
        context.update(page_title=f"Start a run: {self.runbook.title}",
                       intro=f"The live run counts from the runbook's planned start, {services.when(local)}. A rehearsal "
                             "counts from the moment it starts, and its fixed times move with it.")
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [*crumbs(self.runbook), ("Start a run", "")]

    def get_cancel_url(self) -> str:
        return runbook_url(self.runbook)

    def perform(self, form: RunStartForm) -> Model:
        return services.run_start(runbook=self.runbook, kind=form.cleaned_data["kind"], actor=self.request.user,
                                  send_test_messages=form.cleaned_data["send_test_messages"])


def _my_order(row: services.TaskProjection) -> tuple[int, int]:
    rank = {"in_progress": 0, "pending": 2, "done": 3}[row.task.status]
    if row.startable:
        rank = 1
    return rank, row.task.position


class RunDetailView(ScopedDetailView):
    """The live view. `?live=1` answers the polled region alone."""

    model = Run
    template_name = "cutover/run_detail.html"
    context_object_name = "run"

    def get_queryset(self) -> QuerySet:
        return _run_queryset(self.request)

    def get_template_names(self) -> list[str]:
        if self.request.GET.get("live") == "1":
            return ["cutover/_run_live.html"]
        return [self.template_name]

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [*crumbs(self.object.runbook), (str(self.object), "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        run: Run = self.object
        user = self.request.user
        projection = services.run_projection(run)
        teams = services.team_ids(user)
        manages = services.manages(user, run.runbook)
        acts = {row.task.pk for row in projection.rows if manages or services.owns(user, row.task, teams)}
        mine = sorted((row for row in projection.rows if services.owns(user, row.task, teams)), key=_my_order)
        pending_decisions = any(row.task.kind == Task.Kind.DECISION and row.task.status != RunTask.Status.DONE for row in projection.rows)
        page = Paginator(projection.rows, PER_PAGE).get_page(parse_page(self.request.GET.get("page")) or 1)
        context.update(
            page_title=f"{run}: {run.runbook.title}", runbook=run.runbook, runbook_url=runbook_url(run.runbook), p=projection,
            mine=mine, acts=acts, manages=manages, gate=services.gate(run.runbook) if pending_decisions else None,
            gate_holds=run.kind == Run.Kind.LIVE, page=page, tz_name=projection.now.astimezone(RUNBOOK_TZ).tzname(),
            running=run.status == Run.Status.RUNNING, can_reestimate=manages and run.kind == Run.Kind.REHEARSAL and not run.is_open,
        )
        return context


class RunTaskActionView(ScopedMixin, View):
    """POST only: start or finish a task (as the signed-in operator)."""

    request: AuthenticatedHttpRequest
    model = RunTask
    http_method_names = ["post"]
    step = "start"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        run_task = get_object_or_404(RunTask.objects.restrict(request.user, VIEW).select_related("run"), pk=kwargs["pk"])
        back = redirect(f"{reverse('run-detail', args=[run_task.run_id])}#task-{run_task.pk}")
        try:
            if self.step == "start":
                services.run_task_start(run_task=run_task, actor=self.request.user)
                messages.success(request, f"{run_task.ref} started.")
            else:
                result = request.POST.get("result", "")
                services.run_task_finish(run_task=run_task, actor=self.request.user,
                                         result=result if result in RunTask.Result.values else "",
                                         comment=request.POST.get("comment", "")[:2000])
                messages.success(request, f"{run_task.ref} finished.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return back


class _RunControlView(ServiceFormView):
    """Pause, resume or abandon: the programme's change managers and admins."""

    request: AuthenticatedHttpRequest
    model = Run
    action = CHANGE
    form_class = RunReasonForm
    reason_required = False
    reason_label = "Reason"
    reason_help = ""
    verb = ""

    def get_object(self) -> Model | None:
        self.run = get_object_or_404(_run_queryset(self.request, CHANGE), pk=self.kwargs["pk"])
        return self.run

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs.update(required=self.reason_required, label=self.reason_label, help_text=self.reason_help)
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page_title"] = f"{self.verb.capitalize()} {self.run}: {self.run.runbook.title}"
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [*run_crumbs(self.run), (self.verb.capitalize(), "")]


class RunPauseView(_RunControlView):
    verb = "pause"
    submit_label = "Pause the run"
    success_message = "The run is paused: no task can start or finish until it is resumed."
    reason_help = "Shown on the live page to everyone running tasks."

    def perform(self, form: RunReasonForm) -> Model:
        return services.run_pause(run=self.run, actor=self.request.user, reason=form.cleaned_data["reason"])


class RunResumeView(_RunControlView):
    verb = "resume"
    submit_label = "Resume the run"
    success_message = "The run has resumed."
    reason_label = "Note"
    reason_help = "For the record, for example who agreed to resume."

    def perform(self, form: RunReasonForm) -> Model:
        return services.run_resume(run=self.run, actor=self.request.user, reason=form.cleaned_data["reason"])


class RunAbandonView(_RunControlView):
    verb = "abandon"
    submit_label = "Abandon the run"
    success_message = "The run has been abandoned."
    reason_required = True
    reason_help = "Abandoning the live run abandons the runbook: it cannot be run again."

    def perform(self, form: RunReasonForm) -> Model:
        return services.run_abandon(run=self.run, actor=self.request.user, reason=form.cleaned_data["reason"])


class RunReestimateView(ServiceFormView):
    """After a rehearsal: choose the tasks whose planned duration becomes the rehearsal's actual."""

    request: AuthenticatedHttpRequest
    model = Run
    action = CHANGE
    form_class = ReestimateForm
    template_name = "cutover/run_reestimate.html"
    submit_label = "Re-estimate the chosen tasks"
    success_message = "The plan's durations have been re-estimated."

    def get_object(self) -> Model | None:
        self.run = get_object_or_404(_run_queryset(self.request, CHANGE), pk=self.kwargs["pk"])
        plan = dict(Task.objects.filter(runbook=self.run.runbook_id).values_list("ref", "duration_minutes"))
        self.rows = []
        for run_task in self.run.tasks.filter(status=RunTask.Status.DONE).order_by("position", "pk"):
            actual = run_task.actual_minutes
            if run_task.ref in plan and actual is not None and run_task.kind != Task.Kind.MILESTONE and actual != plan[run_task.ref]:
                self.rows.append((run_task, plan[run_task.ref], actual))
        return self.run

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["choices"] = [(rt.ref, f"{rt.ref} {rt.title}: planned {plan} min, took {actual} min") for rt, plan, actual in self.rows]
        kwargs["initial"] = {"refs": [rt.ref for rt, _, _ in self.rows]}
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(page_title=f"Re-estimate from {self.run}: {self.run.runbook.title}", run=self.run, rows=self.rows,
                       finished=self.run.kind == Run.Kind.REHEARSAL and not self.run.is_open)
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [*run_crumbs(self.run), ("Re-estimate", "")]

    def get_cancel_url(self) -> str:
        return self.run.get_absolute_url()

    def perform(self, form: ReestimateForm) -> Model:
        services.runbook_reestimate(runbook=self.run.runbook, run=self.run, actor=self.request.user, refs=form.cleaned_data["refs"])
        return self.run.runbook

    def get_success_url(self, saved: Model) -> str:  # type: ignore[override]
        return runbook_url(self.run.runbook)


class RunSummaryView(ScopedDetailView):
    """The post-implementation summary (also useful mid-run)."""

    model = Run
    template_name = "cutover/run_summary.html"
    context_object_name = "run"

    def get_queryset(self) -> QuerySet:
        return _run_queryset(self.request)

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [*run_crumbs(self.object), ("Summary", "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(page_title=f"Summary of {self.object}: {self.object.runbook.title}", summary=services.run_summary(self.object))
        return context


class RunLogView(ScopedMixin, View):
    """The run log as CSV: who did what, when (usernames only)."""

    model = Run

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        run = get_object_or_404(_run_queryset(request), pk=kwargs["pk"])
        name = f"run-log-{run.runbook_id}-{run.kind}-{run.number}"
        return exports.export_response("csv", name, services.LOG_HEADERS, services.run_log(run))  # type: ignore[return-value]  # a CSV export streams
