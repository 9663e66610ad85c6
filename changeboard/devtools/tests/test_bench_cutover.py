"""`bench cutover` at a small size: the scheduler and the networkx baseline
agree on the generated network (and disagree when they should), the JSON
has every figure (a live run's task finishes and page, the MS Project
imports), and the command prints one JSON object."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from changeboard.cutover import seeding
from changeboard.cutover.models import Runbook
from changeboard.cutover.scheduling import Link, Node, schedule
from changeboard.devtools.bench import cutover as bench


def test_networkx_gives_the_same_schedule_on_a_hand_worked_network() -> None:
    nodes = [Node("A", 30), Node("B", 20), Node("C", 40, not_before=10), Node("D", 10, due_by=200), Node("E", 0)]
    links = [Link("A", "B"), Link("A", "C", "SS", 5), Link("B", "D", "FF", 10), Link("C", "D", "SF", 60), Link("D", "E", "FS", -5)]
    ours, theirs = schedule(nodes, links), bench.networkx_schedule(nodes, links)
    assert bench.same_schedule(ours, theirs)
    # D: FF from B gives EF >= 50 + 10; SF from C gives EF >= 10 + 60, so D is 60-70; E: FS -5 gives 65.
    assert {r: (t.es, t.ef) for r, t in theirs.timings.items()} == {"A": (0, 30), "B": (30, 50), "C": (10, 50), "D": (60, 70), "E": (65, 65)}
    # Backward: C's latest finish is 70 - 60 + 40 = 50 (no float), A's 35 (5), B's 60 (10), E's 70 (5).
    assert theirs.finish == 70 and theirs.critical_path == ["C", "D"]
    assert {r: t.float for r, t in theirs.timings.items()} == {"A": 5, "B": 10, "C": 0, "D": 0, "E": 5}
    # A different network is told apart.
    assert not bench.same_schedule(ours, bench.networkx_schedule(nodes, [*links[:-1], Link("D", "E", "FS", 5)]))


def test_they_agree_on_the_generated_met_network() -> None:
    plan = seeding.generate_network(2000, 2026)
    nodes, links = plan.network()
    assert bench.same_schedule(schedule(nodes, links), bench.networkx_schedule(nodes, links))


def test_the_bench_at_a_small_size(world: Any) -> None:
    figures = bench.run(tasks=120, seed=3, repeats=3, runs=3)
    assert figures["tasks"] == 120 and 150 <= figures["links"] <= 210
    assert figures["identical_to_networkx"] is True and figures["ratio_to_networkx"] > 0
    assert figures["schedule_ms"]["median"] > 0 and figures["networkx_ms"]["p95"] >= figures["networkx_ms"]["median"]
    assert figures["conflicts_ms"]["median"] > 0 and figures["active_runbooks"] == 1
    # The live run: three tasks finished through the service, the page and its polled fragment timed three times each.
    assert figures["finish_task_runs"] == 3 and figures["finish_task_ms"]["p95"] >= figures["finish_task_ms"]["median"] > 0
    assert figures["live_page_runs"] == 3 and figures["live_page_ms"]["median"] > 0 and figures["live_fragment_ms"]["median"] > 0
    # MS Project: the runbook's own export and a file as MS Project writes one, every task imported; the scratch runbooks gone.
    assert figures["mspdi_tasks"] == 120 and figures["mspdi_links"] == figures["links"] and figures["mspdi_import_s"] > 0
    assert figures["mspdi_synthetic_import_s"] > 0 and figures["mspdi_bytes"] > 0
    runbook = Runbook.objects.get(pk=figures["runbook"])
    assert not Runbook.objects.filter(title__endswith="(MS Project import)").exists()
    # The live run was abandoned at the end, its runbook with it: a second bench builds a new one.
    [live] = runbook.runs.all()
    assert (live.kind, live.status, runbook.mode) == ("live", "abandoned", "abandoned")
    again = bench.run(tasks=120, seed=3, repeats=1, runs=1, live=False)
    assert again["runbook"] != figures["runbook"] and again["finish_task_ms"] is None and again["live_note"] == "skipped (--no-live)"
    # A planning runbook is used again.
    assert bench.run(tasks=120, seed=3, repeats=1, runs=1, live=False)["runbook"] == again["runbook"]


@pytest.mark.django_db
def test_the_command_prints_one_json_object(world: Any) -> None:
    out = StringIO()
    call_command("bench", "cutover", "--tasks", "60", "--repeats", "2", "--runs", "2", "--no-live", stdout=out)
    figures = json.loads(out.getvalue())
    assert figures["benchmark"] == "cutover" and figures["tasks"] == 60 and figures["mspdi_tasks"] == 60
    assert figures["finish_task_ms"] is None and figures["live_page_ms"] is None and figures["live_note"] == "skipped (--no-live)"
