"""`manage.py bench cutover`: the cutover figures of issue 11 on the met
runbook (2,000 tasks, ~3,000 links), each measurement a function:

1. `schedule_figures`: the full schedule computation (forward and backward
   pass, float, critical path) by `cutover.scheduling.schedule` against a
   networkx computation of the same network in the same run (a DiGraph,
   `topological_sort`, the same four link-type formulas, the same critical
   path rule), timed alternately `repeats` times each; both must give
   identical timings, finish and critical path, or the bench fails.
   `ratio_to_networkx` = median ours / median networkx (target <= 1.0).
2. `conflict_figures`: the portfolio conflict warnings (every active
   runbook's schedule, the overlap sweep and the saturation check) and one
   runbook's conflicts, median and p95.
3. `finish_task_figures`: the server time of finishing one task in a live
   run (`services.runs.run_task_finish`), median and p95 (target p95 < 100 ms).
4. `live_page_figures`: the live run page's server time through the test
   client (`run-detail`), median and p95 (target p95 < 500 ms), and the
   fragment its htmx polling fetches (`?live=1`).
5. `mspdi_figures`: importing the runbook's MS Project XML export into an
   empty runbook (`importing.mspdi_import_seconds`), in seconds (target
   < 5 s), and a file shaped as MS Project writes one
   (`mspdi.synthetic_project`) of the same size.

The live run of 3 and 4 is abandoned at the end (its runbook ends
ABANDONED, so a second bench builds a new one: use a scratch database).
Any failure raises: no figure is left out silently.

The runbook: the seeded met runbook when one of `--tasks` tasks exists, else
one built by the met seed's generator (`cutover.seeding.generate_network`)
for the first programme with a rollout wave (a BENCH programme if none).
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from typing import Any

import networkx as nx  # type: ignore[import-untyped]  # networkx ships no type stubs (a dev dependency, the bench's baseline only)
from django.db import transaction
from django.test import Client
from django.urls import reverse

from changeboard.cutover import seeding
from changeboard.cutover.models import Runbook, Task
from changeboard.cutover.scheduling import Link, Node, Schedule, schedule
from changeboard.cutover.services import calendar
from changeboard.cutover.services import runs as run_services
from changeboard.cutover.services.runbooks import network, plan
from changeboard.devtools.bench.heatmap import _p95

DEFAULT_TASKS = seeding.MET_TASKS
DEFAULT_SEED = 2026
DEFAULT_REPEATS = 15
DEFAULT_RUNS = 20
BENCH_USER = "bench-cutover"


class BenchFailure(Exception):
    """The two computations disagree, or the runbook cannot be built."""


def _ms(values: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(values), 2), "p95": round(_p95(values), 2)}


# The networkx baseline ------------------------------------------------------------------------------------------------


def networkx_schedule(nodes: list[Node], links: list[Link]) -> Schedule:
    """The same critical path method on a networkx DiGraph: topological order
    from `nx.topological_sort`, the four link types' formulas of
    `scheduling` (forward from the planned start and fixed starts, backward
    from the finish and due times), the critical path as the tasks with no
    float in order of earliest start."""
    from changeboard.cutover.scheduling import ScheduleError, Timing

    graph = nx.DiGraph()
    for i, node in enumerate(nodes):
        graph.add_node(node.ref, d=node.duration, nb=node.not_before, due=node.due_by, i=i)
    for link in links:
        graph.add_edge(link.predecessor, link.successor, t=link.type, lag=link.lag)
    order = list(nx.topological_sort(graph))
    data = graph.nodes
    es: dict[str, int] = {}
    for v in order:
        d = data[v]["d"]
        start = max(data[v]["nb"] or 0, 0)
        for p, _, edge in graph.in_edges(v, data=True):
            kind, lag = edge["t"], edge["lag"]
            if kind == "FS":
                bound = es[p] + data[p]["d"] + lag
            elif kind == "SS":
                bound = es[p] + lag
            elif kind == "FF":
                bound = es[p] + data[p]["d"] + lag - d
            else:
                bound = es[p] + lag - d
            start = max(start, bound)
        es[v] = start
    ef = {v: es[v] + data[v]["d"] for v in order}
    late = [v for v in order if data[v]["due"] is not None and ef[v] > data[v]["due"]]
    if late:
        raise ScheduleError("due times cannot be met", late)
    finish = max(ef.values(), default=0)
    lf: dict[str, int] = {}
    for v in reversed(order):
        d = data[v]["d"]
        latest = finish if data[v]["due"] is None else min(finish, data[v]["due"])
        for _, s, edge in graph.out_edges(v, data=True):
            kind, lag = edge["t"], edge["lag"]
            if kind == "FS":
                bound = lf[s] - data[s]["d"] - lag
            elif kind == "SS":
                bound = lf[s] - data[s]["d"] - lag + d
            elif kind == "FF":
                bound = lf[s] - lag
            else:
                bound = lf[s] - lag + d
            latest = min(latest, bound)
        lf[v] = latest
    timings = {v: Timing(es[v], ef[v], lf[v] - data[v]["d"], lf[v]) for v in order}
    critical = sorted((v for v in order if lf[v] - data[v]["d"] - es[v] <= 0), key=lambda v: (es[v], ef[v], data[v]["i"]))
    return Schedule(timings=timings, finish=finish, critical_path=critical, order=order)


def same_schedule(ours: Schedule, theirs: Schedule) -> bool:
    return (ours.finish == theirs.finish and ours.critical_path == theirs.critical_path
            and {r: (t.es, t.ef, t.ls, t.lf) for r, t in ours.timings.items()} == {r: (t.es, t.ef, t.ls, t.lf) for r, t in theirs.timings.items()})


# The runbook ---------------------------------------------------------------------------------------------------------


def bench_runbook(tasks: int, seed: int) -> Runbook:
    """The seeded met runbook of `tasks` tasks, or one built like it."""
    from changeboard.portfolio.models import Programme, RolloutWave

    suffix = f"({tasks:,} tasks)"
    found = Runbook.objects.filter(is_template=False, title__endswith=suffix, mode=Runbook.Mode.PLANNING).order_by("pk").first()
    if found is not None and found.tasks.count() == tasks:
        return found
    wave = RolloutWave.objects.select_related("programme").order_by("go_live_date", "pk").first()
    with transaction.atomic():
        if wave is None:
            programme = Programme.objects.create(code="BENCH", name="Cutover benchmark", status="active", phase="build")
            wave = RolloutWave.objects.create(programme=programme, name="Bench wave", go_live_date=dt.date(2027, 1, 18))
        runbook = seeding.seed_met_runbook(seed=seed, actor=None, today=wave.go_live_date, tasks=tasks, programme_code=wave.programme.code)
    if runbook is None:
        raise BenchFailure("Could not build the benchmark runbook.")
    return runbook


# 1. The schedule against networkx ------------------------------------------------------------------------------------


def schedule_figures(runbook: Runbook, repeats: int) -> dict[str, Any]:
    tasks, links = plan(runbook)
    nodes, edges = network(tasks, links, runbook.planned_start)
    ours_ms: list[float] = []
    theirs_ms: list[float] = []
    ours = theirs = None
    for _ in range(max(1, repeats)):
        started = time.perf_counter()
        ours = schedule(nodes, edges)
        ours_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        theirs = networkx_schedule(nodes, edges)
        theirs_ms.append((time.perf_counter() - started) * 1000)
    assert ours is not None and theirs is not None
    if not same_schedule(ours, theirs):
        raise BenchFailure("The scheduler and the networkx computation disagree on this network.")
    ratio = statistics.median(ours_ms) / statistics.median(theirs_ms)
    return {
        "tasks": len(nodes), "links": len(edges), "link_types": {k: sum(1 for e in edges if e.type == k) for k in ("FS", "SS", "FF", "SF")},
        "critical_path_tasks": len(ours.critical_path), "finish_minutes": ours.finish, "identical_to_networkx": True,
        "schedule_ms": _ms(ours_ms), "networkx_ms": _ms(theirs_ms), "ratio_to_networkx": round(ratio, 3), "schedule_repeats": len(ours_ms),
    }


# 2. Conflicts --------------------------------------------------------------------------------------------------------


def conflict_figures(runbook: Runbook, runs: int, user: Any) -> dict[str, Any]:
    portfolio: list[float] = []
    one: list[float] = []
    cpu: list[float] = []  # this process's CPU time (SQLite runs in it): steadier than wall time on a shared machine
    found = calendar.Conflicts(overlaps=[], saturated=[], visible=set())
    for _ in range(max(1, runs)):
        started, started_cpu = time.perf_counter(), time.process_time()
        found = calendar.portfolio_conflicts(user)
        portfolio.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        started = time.perf_counter()
        calendar.runbook_conflicts(runbook, user)
        one.append((time.perf_counter() - started) * 1000)
    return {"conflicts_ms": _ms(portfolio), "conflicts_cpu_ms": _ms(cpu), "runbook_conflicts_ms": _ms(one),
            "active_runbooks": calendar.active_runbooks().count(),
            "overlaps": len(found.overlaps), "saturated_unit_weeks": len(found.saturated)}


# 3 and 4. A live run ------------------------------------------------------------------------------------------------


def start_live_run(runbook: Runbook, user: Any) -> Any:
    return run_services.run_start(runbook=runbook, kind="live", actor=user)


def finish_task_figures(run: Any, runs: int, user: Any) -> dict[str, Any]:
    """Finish `runs` tasks in the order of their planned finish, each at that
    time (so fixed starts have passed), timing each successful service call;
    a task still waiting (a finish-to-finish link, a lead) is passed over."""
    from django.core.exceptions import ValidationError

    times: list[float] = []
    refused = 0
    for task in run.tasks.exclude(kind=Task.Kind.DECISION).order_by("planned_finish", "position").iterator():
        if len(times) >= max(1, runs):
            break
        result = "pass" if task.kind == Task.Kind.VALIDATION else ""
        started = time.perf_counter()
        try:
            run_services.run_task_finish(run_task=task, actor=user, result=result, now=task.planned_finish)
        except ValidationError:
            refused += 1
            continue
        times.append((time.perf_counter() - started) * 1000)
    if not times:
        raise BenchFailure("No task of the live run could be finished.")
    return {"finish_task_ms": _ms(times), "finish_task_runs": len(times), "finish_task_passed_over": refused}


def live_page_figures(run: Any, runs: int, user: Any) -> dict[str, Any]:
    """The live run page (`run-detail`: progress by stream, startable, in
    progress and late tasks, the projection, rollback points) and the
    fragment its polling fetches, through the test client: server time
    (the view, its queries and templates), after one warm-up request each."""
    client = Client()
    client.force_login(user)
    page = reverse("run-detail", args=[run.pk])
    figures: dict[str, Any] = {}
    poll = {"HX-Request": "true", "X-Background-Poll": "1"}
    for name, url, headers in (("live_page", page, {}), ("live_fragment", f"{page}?live=1", poll)):
        response = client.get(url, headers=headers)
        if response.status_code != 200:
            raise BenchFailure(f"{url} answered {response.status_code}.")
        times: list[float] = []
        for _ in range(max(1, runs)):
            started = time.perf_counter()
            client.get(url, headers=headers)
            times.append((time.perf_counter() - started) * 1000)
        figures.update({f"{name}_ms": _ms(times), f"{name}_runs": len(times)})
    return figures


# 5. MS Project import ------------------------------------------------------------------------------------------------


def mspdi_figures(runbook: Runbook, user: Any) -> dict[str, Any]:
    """The runbook's own MS Project XML export imported into an empty runbook
    of the same wave (`importing.mspdi_import_seconds`: read, check every row,
    schedule, write, re-schedule, audit), and the same for a file shaped as
    MS Project writes one (`mspdi.synthetic_project`: outline levels, all
    four link types, leads); each must make every task. The scratch
    runbooks are deleted afterwards, so the bench can be run again."""
    from changeboard.cutover import exporting, importing, mspdi
    from changeboard.cutover.services import runbooks as runbook_services

    figures: dict[str, Any] = {}
    tasks = runbook.tasks.count()
    for name, data, expected in (("mspdi_import_s", exporting.runbook_mspdi(runbook), tasks),
                                 ("mspdi_synthetic_import_s", mspdi.synthetic_project(tasks=tasks, links=round(tasks * 1.5)), tasks)):
        target = runbook_services.runbook_create(title=f"{runbook.title} (MS Project import)", planned_start=runbook.planned_start,
                                                 actor=user, programme=runbook.programme, rollout_wave=runbook.rollout_wave)
        seconds, report = importing.mspdi_import_seconds(runbook=target, data=data, actor=user)
        imported = target.tasks.count()
        if imported != expected:
            raise BenchFailure(f"The MS Project import made {imported} tasks of {expected}.")
        figures[name] = round(seconds, 3)
        figures[name.replace("_import_s", "_bytes")] = len(data)
        if name == "mspdi_import_s":
            figures["mspdi_tasks"] = imported
            figures["mspdi_links"] = report.links
        runbook_services.runbook_delete(runbook=target, actor=user)
    return figures


# The whole bench -----------------------------------------------------------------------------------------------------


def bench_user() -> Any:
    from changeboard.accounts.models import Role, User

    user, _ = User.objects.get_or_create(username=BENCH_USER, defaults={"role": Role.ADMIN, "first_name": "Cutover", "last_name": "Bench"})
    return user


def run(*, tasks: int = DEFAULT_TASKS, seed: int = DEFAULT_SEED, repeats: int = DEFAULT_REPEATS, runs: int = DEFAULT_RUNS,
        live: bool = True) -> dict[str, Any]:
    started = time.perf_counter()
    runbook = bench_runbook(tasks, seed)
    user = bench_user()
    figures: dict[str, Any] = {"runbook": runbook.pk, "build_seconds": round(time.perf_counter() - started, 3)}
    figures.update(schedule_figures(runbook, repeats))
    figures.update(conflict_figures(runbook, runs, user))
    figures.update(mspdi_figures(runbook, user))
    if not live:
        figures.update({"finish_task_ms": None, "live_page_ms": None, "live_note": "skipped (--no-live)"})
        return figures
    live_run = start_live_run(runbook, user)
    try:
        figures.update(finish_task_figures(live_run, runs, user))
        figures.update(live_page_figures(live_run, runs, user))
    finally:
        live_run.refresh_from_db()
        if live_run.status in ("running", "paused"):
            run_services.run_abandon(run=live_run, actor=user, reason="Benchmark run.")
    return figures
