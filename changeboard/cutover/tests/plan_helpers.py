"""Building runbooks for the planning tests: a plan through the services,
so every plan a test uses was scheduled and audited as a user's would be."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..models import RUNBOOK_TZ, Runbook, Task
from ..services import runbooks as services

# Saturday 6 March 2027, 22:00 in London (GMT, so 22:00 UTC).
START = dt.datetime(2027, 3, 6, 22, 0, tzinfo=RUNBOOK_TZ)


def make_runbook(world: Any, *, programme: str = "a", title: str = "Go-live weekend", start: dt.datetime = START) -> Runbook:
    wave = world.wave_a if programme == "a" else world.wave_b
    return services.runbook_create(title=title, planned_start=start, programme=wave.programme, rollout_wave=wave, actor=None)


def make_template(title: str = "Standard cutover", start: dt.datetime = START) -> Runbook:
    return services.runbook_create(title=title, planned_start=start, is_template=True, actor=None)


def add(runbook: Runbook, ref: str, duration: int = 30, predecessors: str = "", **fields: Any) -> Task:
    fields.setdefault("title", f"Task {ref}")
    if fields.get("kind") == Task.Kind.COMMUNICATION:
        fields.setdefault("message_subject", f"About {ref}")
    return services.task_save_with_predecessors(runbook=runbook, actor=None, predecessors=predecessors, ref=ref,
                                                duration_minutes=duration, **fields)


def small_plan(runbook: Runbook) -> dict[str, Task]:
    """A(30) -> B(60) -> D(10); A -> C(20) -> D; D -> R (a rollback milestone).
    Worked by hand: A 0-30, B 30-90, C 30-50 (float 40), D 90-100, R 100.
    Critical path A, B, D, R; finish 100 minutes after the start."""
    tasks = {"A": add(runbook, "A", 30, stream="Technology")}
    tasks["B"] = add(runbook, "B", 60, "A", stream="Technology")
    tasks["C"] = add(runbook, "C", 20, "A", stream="Business")
    tasks["D"] = add(runbook, "D", 10, "B, C", stream="Business")
    tasks["R"] = add(runbook, "R", 0, "D", kind=Task.Kind.MILESTONE, rollback_point=True, stream="Business", title="Last moment to roll back")
    return tasks
