"""The approach's section on a programme's Board dashboard and board pack:
whether each promise of its change approach holds. Registered with
`reports.sections` in `apps.py`."""

from __future__ import annotations

import datetime as dt

from changeboard.portfolio.models import Programme
from changeboard.reports.sections import Section

from ..evidence import approach_evidence, promised, promises_summary
from ..models import Approach


def approach_section(programme: Programme, as_of: dt.date) -> Section | None:
    approach = Approach.objects.filter(programme=programme).first()
    if approach is None:
        return None
    evidence = approach_evidence(approach, as_of)
    held, total, no_data = promises_summary(approach, evidence)
    rows = [{"section": p.get_section_display(), "promise": str(p), "target": promised(p), "actual": e.display, "holds": e.holds,
             "status": e.status} for p, e in evidence]
    summary = {"approach_id": approach.pk, "status": approach.get_status_display(), "version": approach.version, "held": held,
               "total": total, "no_data": no_data}
    return Section(key="approach", title="Change approach: do its promises hold?", template="capability/_board_approach.html",
                   rows=[{"summary": summary}, *rows])
