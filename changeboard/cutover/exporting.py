"""A runbook written out: CSV and XLSX with the import's own columns (so an
exported runbook imports unchanged), and MS Project XML (`mspdi`). Reads
only; the pages and the API serve the bytes (`views.transfer`,
`api.transfer`)."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

from django.http import HttpResponse, StreamingHttpResponse

from changeboard.core import exports

from . import mspdi
from .importing import HEADERS, when_text
from .models import RUNBOOK_TZ, Dependency, Runbook, Task
from .scheduling import format_predecessors
from .services.runbooks import local, runbook_schedule

FORMATS = ("csv", "xlsx", "xml")


def _owner(task: Task) -> str:
    if task.owner_user_id and task.owner_user is not None:
        return task.owner_user.get_username()
    return task.owner_team.name if task.owner_team_id and task.owner_team is not None else ""


def runbook_rows(runbook: Runbook) -> list[list[str]]:
    """One row per task, in the runbook's order, in the import's columns."""
    tasks = list(runbook.tasks.select_related("owner_user", "owner_team").order_by("position", "pk"))
    refs = {task.pk: task.ref for task in tasks}
    order = {task.pk: i for i, task in enumerate(tasks)}
    links: dict[int, list[tuple[int, str, str, int]]] = defaultdict(list)
    for predecessor, successor, kind, lag in Dependency.objects.filter(successor__runbook=runbook).values_list(
            "predecessor_id", "successor_id", "link_type", "lag_minutes"):
        links[successor].append((order.get(predecessor, 0), refs[predecessor], kind, lag))
    return [[task.ref, task.title, task.stream, task.sub_stream, task.kind, str(task.duration_minutes),
             format_predecessors([(ref, kind, lag) for _, ref, kind, lag in sorted(links[task.pk])]), _owner(task),
             when_text(task.not_before), when_text(task.due_by), task.description, "yes" if task.rollback_point else "no",
             str(task.outline_level), task.message_subject, task.message_body] for task in tasks]


def filename(runbook: Runbook) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", runbook.title).strip("-").lower()[:60] or "runbook"
    return f"runbook-{runbook.pk}-{slug}"


def _naive(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(RUNBOOK_TZ).replace(tzinfo=None)


def runbook_mspdi(runbook: Runbook) -> bytes:
    """The runbook as MS Project XML, with its schedule's start and finish."""
    plan = runbook_schedule(runbook)
    uid = {row.task.pk: i for i, row in enumerate(plan.rows, start=1)}
    incoming: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
    for link in plan.links:
        incoming[link.successor_id].append((uid[link.predecessor_id], link.link_type, link.lag_minutes))

    def naive(moment: dt.datetime | None) -> dt.datetime | None:
        shown = local(moment)
        return shown.replace(tzinfo=None) if shown is not None else None

    tasks = [mspdi.OutTask(
        uid=uid[row.task.pk], ref=row.task.ref, name=row.task.title, outline_level=row.task.outline_level,
        duration_minutes=row.task.duration_minutes, milestone=row.task.kind == Task.Kind.MILESTONE, stream=row.task.stream,
        sub_stream=row.task.sub_stream, kind=row.task.kind, rollback_point=row.task.rollback_point, notes=row.task.description,
        start=_naive(row.earliest_start), finish=_naive(row.earliest_finish), not_before=naive(row.task.not_before),
        due_by=naive(row.task.due_by), owner=_owner(row.task), links=sorted(incoming[row.task.pk]),
    ) for row in plan.rows]
    return mspdi.write_project(title=runbook.title, start=_naive(plan.start), finish=_naive(plan.finish), tasks=tasks)


def export_response(runbook: Runbook, fmt: str) -> HttpResponse | StreamingHttpResponse:
    """The download of a runbook in `fmt` (one of `FORMATS`)."""
    name = filename(runbook)
    if fmt == "xml":
        response = HttpResponse(runbook_mspdi(runbook), content_type="application/xml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.xml"'
        return response
    return exports.export_response(fmt, name, HEADERS, runbook_rows(runbook))
