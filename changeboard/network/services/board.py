"""The network's section on a programme's Board dashboard and board pack:
feedback from the floor that became actions, so the Board sees what
champions hear as soon as it is acted on (not only once it falls overdue).

Registered with `reports.sections` in `apps.py`; rows are as of the
summary's date and carry only what the action carries (a theme's withheld
text never reached its action)."""

from __future__ import annotations

import datetime as dt

from changeboard.portfolio.models import Programme
from changeboard.readiness.models import Action
from changeboard.reports.sections import Section

from ..models import Theme

LIMIT = 10


def floor_section(programme: Programme, as_of: dt.date) -> Section | None:
    heard = Theme.objects.filter(programme=programme, heard_on__lte=as_of)
    if not heard.exists():
        return None
    actioned = (heard.filter(action__isnull=False, action__created_at__date__lte=as_of)
                .exclude(action__status__in=(Action.Status.DONE, Action.Status.CANCELLED))
                .select_related("action", "unit").order_by("action__due_date", "action__pk"))
    rows = [{"action_id": t.action_id, "title": t.action.title, "unit": t.unit.name, "category": t.get_category_display(),
             "sentiment": t.get_sentiment_display(), "due": t.action.due_date, "status": t.action.get_status_display()}
            for t in actioned[:LIMIT] if t.action is not None]
    recent = heard.filter(heard_on__gt=as_of - dt.timedelta(days=30))
    summary = {"heard_30_days": recent.count(), "negative_30_days": recent.filter(sentiment=Theme.Sentiment.NEGATIVE).count(),
               "open_actions": actioned.count(), "shown": len(rows)}
    return Section(key="network", title="Feedback from the floor", template="network/_board_section.html",
                   rows=[{"summary": summary}, *rows])
