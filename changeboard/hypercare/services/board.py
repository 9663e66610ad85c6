"""Hypercare on the Programme Board's programme dashboard and in the board
pack (`reports.sections`): each period of the programme that had begun by
the as-of date, its status then, and the latest exit decision recorded by
then with the criteria as that decision froze them. Only frozen decisions
are shown, never a live evaluation, so a pack for a past date stays true."""

from __future__ import annotations

import datetime as dt
from typing import Any

from changeboard.portfolio.models import Programme
from changeboard.reports.sections import Section

from ..models import ExitDecision, Period


def _decision_row(decision: ExitDecision | None) -> dict[str, Any]:
    if decision is None:
        return {"decision": "", "decided_on": None, "reason": "", "new_end": None, "passed": None, "failed": None, "criteria": []}
    snapshot = decision.snapshot or {}
    return {"decision": decision.get_decision_display(), "decided_on": decision.decided_at.date(), "reason": decision.reason,
            "new_end": decision.new_end, "passed": snapshot.get("passed"), "failed": snapshot.get("failed"),
            "criteria": [{"label": row.get("label", ""), "passed": row.get("passed"), "figure": row.get("figure", "")}
                         for row in snapshot.get("criteria", [])]}


def hypercare_section(programme: Programme, as_of: dt.date) -> Section | None:
    periods = list(Period.objects.filter(rollout_wave__programme=programme, starts_on__lte=as_of)
                   .select_related("rollout_wave").order_by("starts_on", "pk"))
    if not periods:
        return None
    by_period: dict[int, ExitDecision] = {}
    decisions = ExitDecision.objects.filter(period__in=periods, decided_at__date__lte=as_of).order_by("decided_at", "pk")
    for decision in decisions:
        by_period[decision.period_id] = decision  # the latest by the as-of date wins
    rows = []
    for period in periods:
        latest = by_period.get(period.pk)
        exited = latest is not None and latest.decision == ExitDecision.Decision.EXIT
        ends_on = latest.new_end if latest is not None and latest.new_end else period.ends_on
        rows.append({"period_id": period.pk, "wave": period.rollout_wave.name, "starts_on": period.starts_on, "ends_on": ends_on,
                     "status": "Exited" if exited else ("Ended, no exit decision" if ends_on < as_of else "In hypercare"),
                     **_decision_row(latest)})
    return Section(key="hypercare", title="Hypercare and exit decisions", template="hypercare/_board_section.html", rows=rows)
