"""The capability section on a programme's Board dashboard and board pack:
which activities the force's own people now run without help (registered
with `reports.sections` in `apps.py`)."""

from __future__ import annotations

import datetime as dt

from changeboard.portfolio.models import Programme
from changeboard.reports.sections import Section

from ..handover import ALONE, handover_view


def handover_section(programme: Programme, as_of: dt.date) -> Section | None:
    """None when the programme has no plan and no evidence; else per activity its status and who in the force does it."""
    rows = handover_view(programme, as_of=as_of)
    if not any(r.item is not None or r.evidence for r in rows):
        return None
    alone = sum(1 for r in rows if r.status == ALONE)
    lines = [{"activity": r.label, "status": r.status, "status_label": r.status_label, "times_required": r.times_required,
              "people": [{"name": str(d.practitioner), "times": d.times} for d in r.doers], "team": r.team_count,
              "owner": str(r.owner) if r.owner is not None else ""} for r in rows]
    return Section(key="capability-handover", title="Can the force run it without us?", template="capability/_board_handover.html",
                   rows=[{"summary": {"alone": alone, "total": len(rows)}}, *lines])
