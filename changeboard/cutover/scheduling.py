"""The critical path method over a runbook's network, in whole minutes from
the runbook's planned start. Pure Python, no database: `services` feeds it
the tasks and links and `bench cutover` times it against networkx.

For a link predecessor p -> successor s with lag L (minutes, negative for a
lead), where ES/EF are the earliest start/finish and d the duration:

    FS: ES(s) >= EF(p) + L          SS: ES(s) >= ES(p) + L
    FF: EF(s) >= EF(p) + L          SF: EF(s) >= ES(p) + L

A task also starts no earlier than the planned start (0) and its fixed
"not before" time. The backward pass mirrors the links from the project
finish (the latest earliest finish), a task's "due by" time capping its
latest finish. Total float is LS - ES; the critical path is the tasks with
no float, in order of their earliest start.

Refusals name the tasks: a cycle (the tasks on it), a link to a task not in
the network, and fixed times that cannot be met (a task whose earliest
finish is after its due time).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field


class ScheduleError(ValueError):
    """The network cannot be scheduled; `refs` are the tasks at fault."""

    def __init__(self, message: str, refs: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.refs = list(refs)


@dataclass(frozen=True)
class Node:
    ref: str
    duration: int
    not_before: int | None = None  # minutes from the planned start
    due_by: int | None = None


@dataclass(frozen=True)
class Link:
    predecessor: str
    successor: str
    type: str = "FS"
    lag: int = 0


@dataclass
class Timing:
    es: int
    ef: int
    ls: int = 0
    lf: int = 0

    @property
    def float(self) -> int:
        return self.ls - self.es

    @property
    def critical(self) -> bool:
        return self.ls - self.es <= 0


@dataclass
class Schedule:
    timings: dict[str, Timing]
    finish: int
    critical_path: list[str] = field(default_factory=list)
    order: list[str] = field(default_factory=list)


LINK_TYPES = ("FS", "SS", "FF", "SF")


def _cycle(refs: list[str], preds: list[list[tuple[int, str, int]]], stuck: set[int]) -> list[str]:
    """One cycle among the nodes a topological sort could not place: each
    of them waits on at least one other, so walking back must loop."""
    seen: dict[int, int] = {}
    path: list[int] = []
    node = min(stuck)
    while node not in seen:
        seen[node] = len(path)
        path.append(node)
        node = min(p for p, _, _ in preds[node] if p in stuck)
    return [refs[i] for i in reversed(path[seen[node]:])]


def schedule(nodes: list[Node], links: list[Link]) -> Schedule:
    """Forward and backward pass; raises `ScheduleError` naming the tasks."""
    refs = [n.ref for n in nodes]
    index = {ref: i for i, ref in enumerate(refs)}
    if len(index) != len(refs):
        seen: set[str] = set()
        twice = sorted({r for r in refs if r in seen or seen.add(r)})  # type: ignore[func-returns-value]  # set.add in a filter
        raise ScheduleError(f"These task IDs are used twice: {', '.join(twice)}.", twice)
    n = len(nodes)
    dur = [node.duration for node in nodes]
    preds: list[list[tuple[int, str, int]]] = [[] for _ in range(n)]
    succs: dict[int, list[tuple[int, str, int]]] = {i: [] for i in range(n)}
    dangling = sorted({f"{link.predecessor} → {link.successor}" for link in links
                       if link.predecessor not in index or link.successor not in index})
    if dangling:
        raise ScheduleError(f"These links name a task that is not in the runbook: {', '.join(dangling)}.",
                            [r for link in links for r in (link.predecessor, link.successor) if r not in index])
    indegree = [0] * n
    for link in links:
        if link.type not in LINK_TYPES:
            raise ScheduleError(f"Link {link.predecessor} → {link.successor} has an unknown type {link.type!r}.",
                                [link.predecessor, link.successor])
        p, s = index[link.predecessor], index[link.successor]
        if p == s:
            raise ScheduleError(f"Task {link.predecessor} cannot depend on itself.", [link.predecessor])
        preds[s].append((p, link.type, link.lag))
        succs[p].append((s, link.type, link.lag))
        indegree[s] += 1

    # Kahn's algorithm, stable in the runbook's order.
    order: list[int] = [i for i in range(n) if indegree[i] == 0]
    head = 0
    while head < len(order):
        i = order[head]
        head += 1
        for s, _, _ in succs[i]:
            indegree[s] -= 1
            if indegree[s] == 0:
                order.append(s)
    if len(order) < n:
        placed = set(order)
        loop = _cycle(refs, preds, {i for i in range(n) if i not in placed})
        raise ScheduleError(f"These tasks wait on each other in a loop: {' → '.join([*loop, loop[0]])}.", loop)

    es = [0] * n
    for i in order:
        start = nodes[i].not_before or 0
        start = max(start, 0)
        d = dur[i]
        for p, kind, lag in preds[i]:
            if kind == "FS":
                bound = es[p] + dur[p] + lag
            elif kind == "SS":
                bound = es[p] + lag
            elif kind == "FF":
                bound = es[p] + dur[p] + lag - d
            else:  # SF
                bound = es[p] + lag - d
            if bound > start:
                start = bound
        es[i] = start
    ef = [es[i] + dur[i] for i in range(n)]
    late = [refs[i] for i in range(n) if nodes[i].due_by is not None and ef[i] > nodes[i].due_by]  # type: ignore[operator]  # checked
    if late:
        raise ScheduleError(
            f"These tasks cannot finish by their due time, given their fixed starts and predecessors: {', '.join(late)}.", late)
    finish = max(ef, default=0)

    lf = [finish] * n
    for i in reversed(order):
        latest = finish
        due = nodes[i].due_by
        if due is not None and due < latest:
            latest = due
        d = dur[i]
        for s, kind, lag in succs[i]:
            if kind == "FS":
                bound = lf[s] - dur[s] - lag
            elif kind == "SS":
                bound = lf[s] - dur[s] - lag + d
            elif kind == "FF":
                bound = lf[s] - lag
            else:  # SF
                bound = lf[s] - lag + d
            if bound < latest:
                latest = bound
        lf[i] = latest

    timings = {refs[i]: Timing(es[i], ef[i], lf[i] - dur[i], lf[i]) for i in range(n)}
    critical = sorted((i for i in range(n) if lf[i] - dur[i] - es[i] <= 0), key=lambda i: (es[i], ef[i], i))
    return Schedule(timings=timings, finish=finish, critical_path=[refs[i] for i in critical], order=[refs[i] for i in order])


# Predecessors as people write them (and MS Project shows them) ---------------------------------------------------------

PREDECESSOR_HELP = ("Comma-separated task IDs, each optionally followed by the link type (FS, SS, FF or SF; FS if "
                    "omitted) and a lag in minutes, e.g. \"T-010, T-020SS+15, T-030FF-10\".")


PREDECESSOR_RE = re.compile(r"^(?P<ref>\S+?)(?:\s*(?P<type>FS|SS|FF|SF)(?:\s*(?P<lag>[+-]\s*\d{1,6}))?)?$", re.IGNORECASE)


def parse_predecessors(text: str, known: Iterable[str] = ()) -> list[tuple[str, str, int]]:
    """`"T-010, T-020SS+15"` -> `[("T-010", "FS", 0), ("T-020", "SS", 15)]`.
    A lag follows a link type, as MS Project writes it, so a hyphen in an
    ID is never read as a lead; an item that is itself a `known` ID is that
    ID. Raises `ScheduleError` naming what it cannot read."""
    known_refs = set(known)
    result: list[tuple[str, str, int]] = []
    seen: set[str] = set()
    for raw in text.replace(";", ",").split(","):
        item = raw.strip()
        if not item:
            continue
        match = PREDECESSOR_RE.match(item)
        if item in known_refs or match is None:
            ref, kind, lag = item, "FS", 0
        else:
            ref, kind = match["ref"], (match["type"] or "FS").upper()
            lag = int(match["lag"].replace(" ", "")) if match["lag"] else 0
        if not ref or len(ref) > 20 or any(ch.isspace() for ch in ref) or not ref.isprintable():
            raise ScheduleError(f"Cannot read the predecessor {item!r}: write a task ID, then optionally FS/SS/FF/SF and a "
                                f"lag in minutes, e.g. T-020SS+15.", [item])
        if ref in seen:
            raise ScheduleError(f"Predecessor {ref} is listed twice.", [ref])
        seen.add(ref)
        result.append((ref, kind, lag))
    return result


def format_predecessors(links: list[tuple[str, str, int]]) -> str:
    """The inverse of `parse_predecessors`."""
    parts = []
    for ref, kind, lag in links:
        text = ref if kind == "FS" and not lag else f"{ref}{kind}"
        if lag:
            text += f"{lag:+d}"
        parts.append(text)
    return ", ".join(parts)
