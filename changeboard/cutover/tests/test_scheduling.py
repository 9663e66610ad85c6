"""The critical-path scheduler against networks worked out by hand (every
expected number is derived in the comment beside it), its refusals, and the
predecessor notation."""

from __future__ import annotations

import pytest

from ..scheduling import Link, Node, ScheduleError, format_predecessors, parse_predecessors, schedule


def timings(nodes: list[Node], links: list[Link]) -> dict[str, tuple[int, int, int, int, int]]:
    result = schedule(nodes, links)
    return {ref: (t.es, t.ef, t.ls, t.lf, t.float) for ref, t in result.timings.items()}


def test_finish_to_start_with_a_parallel_branch() -> None:
    # A(30); B(60) and C(20) after A; D(10) after B and C.
    # Forward: A 0-30, B 30-90, C 30-50, D starts at max(90, 50) = 90, ends 100. Finish 100.
    # Backward: D LF 100 LS 90; B LF = LS(D) = 90, LS 30; C LF 90, LS 70 (float 40); A LF = min(30, 70) = 30, LS 0.
    nodes = [Node("A", 30), Node("B", 60), Node("C", 20), Node("D", 10)]
    links = [Link("A", "B"), Link("A", "C"), Link("B", "D"), Link("C", "D")]
    assert timings(nodes, links) == {"A": (0, 30, 0, 30, 0), "B": (30, 90, 30, 90, 0), "C": (30, 50, 70, 90, 40),
                                     "D": (90, 100, 90, 100, 0)}
    result = schedule(nodes, links)
    assert result.finish == 100
    assert result.critical_path == ["A", "B", "D"]


def test_start_to_start_and_finish_to_finish_with_lags() -> None:
    # A(60). B(30) SS A +15: ES(B) = ES(A) + 15 = 15, EF 45.
    # C(20) FF A +10: EF(C) >= EF(A) + 10 = 70, so ES 50, EF 70. Finish = 70.
    # Backward: C LF 70 LS 50 (float 0); B LF 70 LS 40 (float 25).
    # A: via B (SS): LF(B) - d(B) - 15 + d(A) = 70 - 30 - 15 + 60 = 85; via C (FF): LF(C) - 10 = 60;
    #    LF(A) = min(70, 85, 60) = 60, LS 0, float 0.
    nodes = [Node("A", 60), Node("B", 30), Node("C", 20)]
    links = [Link("A", "B", "SS", 15), Link("A", "C", "FF", 10)]
    assert timings(nodes, links) == {"A": (0, 60, 0, 60, 0), "B": (15, 45, 40, 70, 25), "C": (50, 70, 50, 70, 0)}
    assert schedule(nodes, links).critical_path == ["A", "C"]


def test_start_to_finish_and_a_negative_lag() -> None:
    # A(30). B(20) SF A +50: EF(B) >= ES(A) + 50 = 50, so ES 30, EF 50.
    # C(40) FS A -10 (a lead): ES(C) = EF(A) - 10 = 20, EF 60. Finish 60.
    # Backward: C LF 60 LS 20 (float 0); B LF 60 LS 40 (float 10).
    # A: via B (SF): LF(B) - 50 + d(A) = 60 - 50 + 30 = 40; via C (FS): LF(C) - d(C) + 10 = 60 - 40 + 10 = 30;
    #    LF(A) = 30, LS 0, float 0.
    nodes = [Node("A", 30), Node("B", 20), Node("C", 40)]
    links = [Link("A", "B", "SF", 50), Link("A", "C", "FS", -10)]
    assert timings(nodes, links) == {"A": (0, 30, 0, 30, 0), "B": (30, 50, 40, 60, 10), "C": (20, 60, 20, 60, 0)}
    assert schedule(nodes, links).critical_path == ["A", "C"]


def test_a_lead_never_starts_a_task_before_the_planned_start() -> None:
    # B(10) SS A -20 would start at -20: it starts at 0, the runbook's start. Finish = max(30, 10) = 30.
    # Backward: B LF 30 LS 20 (float 20); A via B (SS): 30 - 10 + 20 + 30 = 70, so LF(A) = 30, float 0.
    assert timings([Node("A", 30), Node("B", 10)], [Link("A", "B", "SS", -20)]) == {"A": (0, 30, 0, 30, 0), "B": (0, 10, 20, 30, 20)}


def test_fixed_start_and_due_time() -> None:
    # A(30); B(30) not before minute 60: ES 60, EF 90; C(15) after A, due by 120: ES 30, EF 45. Finish 90.
    # Backward: B LF 90 LS 60 (float 0: the fixed start puts it on the critical path);
    # C LF = min(90, due 120) = 90, LS 75 (float 45); A LF = LS(C) = 75, LS 45 (float 45).
    nodes = [Node("A", 30), Node("B", 30, not_before=60), Node("C", 15, due_by=120)]
    links = [Link("A", "C")]
    assert timings(nodes, links) == {"A": (0, 30, 45, 75, 45), "B": (60, 90, 60, 90, 0), "C": (30, 45, 75, 90, 45)}
    assert schedule(nodes, links).critical_path == ["B"]
    # A due time earlier than the finish caps the latest finish: C due by 60 gives LF(C) 60, LS 45 (float 15),
    # and A LF = 45, LS 15 (float 15).
    nodes[2] = Node("C", 15, due_by=60)
    assert timings(nodes, links)["C"] == (30, 45, 45, 60, 15)
    assert timings(nodes, links)["A"] == (0, 30, 15, 45, 15)


def test_an_empty_runbook_finishes_at_its_start() -> None:
    result = schedule([], [])
    assert result.finish == 0 and result.critical_path == [] and result.timings == {}


def test_a_loop_is_refused_naming_its_tasks() -> None:
    # Links A -> B -> C -> A: walking back from A (the first stuck task) meets C, B, then A again.
    nodes = [Node("A", 10), Node("B", 10), Node("C", 10), Node("D", 10)]
    with pytest.raises(ScheduleError) as caught:
        schedule(nodes, [Link("A", "B"), Link("B", "C"), Link("C", "A"), Link("C", "D")])
    assert sorted(caught.value.refs) == ["A", "B", "C"]
    assert "B → C → A → B" in str(caught.value)


def test_a_dangling_link_is_refused_naming_it() -> None:
    with pytest.raises(ScheduleError) as caught:
        schedule([Node("A", 10)], [Link("X", "A")])
    assert caught.value.refs == ["X"] and "X → A" in str(caught.value)


def test_an_impossible_due_time_is_refused_naming_the_task() -> None:
    # B waits on A (60), so cannot finish before 60 + 30 = 90, but is due by 60.
    with pytest.raises(ScheduleError) as caught:
        schedule([Node("A", 60), Node("B", 30, due_by=60)], [Link("A", "B")])
    assert caught.value.refs == ["B"] and "due time" in str(caught.value)


@pytest.mark.parametrize(("nodes", "links", "refs"), [
    ([Node("A", 1), Node("A", 2)], [], ["A"]),
    ([Node("A", 1)], [Link("A", "A")], ["A"]),
    ([Node("A", 1), Node("B", 1)], [Link("A", "B", "XX")], ["A", "B"]),
])
def test_other_bad_networks_are_refused(nodes: list[Node], links: list[Link], refs: list[str]) -> None:
    with pytest.raises(ScheduleError) as caught:
        schedule(nodes, links)
    assert caught.value.refs == refs


@pytest.mark.parametrize(("text", "expected"), [
    ("", []),
    (" , ", []),
    ("T-010", [("T-010", "FS", 0)]),
    ("T-010, T-020SS+15; T-030ff-10", [("T-010", "FS", 0), ("T-020", "SS", 15), ("T-030", "FF", -10)]),
    ("T-010 SF + 5", [("T-010", "SF", 5)]),
    ("T-010FS", [("T-010", "FS", 0)]),
    ("12FS+30", [("12", "FS", 30)]),
])
def test_parse_predecessors(text: str, expected: list[tuple[str, str, int]]) -> None:
    assert parse_predecessors(text) == expected


def test_a_known_id_that_looks_like_a_link_type_is_read_as_the_id() -> None:
    assert parse_predecessors("PASS, T-1SS", known={"PASS", "T-1"}) == [("PASS", "FS", 0), ("T-1", "SS", 0)]
    # Without knowing the IDs, "PASS" reads as task "PA" start-to-start.
    assert parse_predecessors("PASS") == [("PA", "SS", 0)]


@pytest.mark.parametrize("text", ["A B", "T-1, T-1", "A\x00", "X" * 21])
def test_unreadable_predecessors_are_refused_naming_them(text: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_predecessors(text)
    assert caught.value.refs


def test_format_is_the_inverse_of_parse() -> None:
    links = [("T-010", "FS", 0), ("T-020", "SS", 15), ("T-030", "FF", -10), ("T-040", "FS", 5)]
    text = format_predecessors(links)
    assert text == "T-010, T-020SS+15, T-030FF-10, T-040FS+5"
    assert parse_predecessors(text) == links
