"""The capability overview: per programme the user may view, its change
approach (status, version and how many of its promises hold), journeys, practitioners, coaching sessions in
the last 90 days and the activities the force runs alone; and a portfolio row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.views.generic import TemplateView

from changeboard.core.scoping import can
from changeboard.core.views import ScopedMixin
from changeboard.portfolio.models import Programme

from ..evidence import Shared, promises_summary
from ..handover import programme_handover_summary, visible_programmes
from ..models import Approach, CoachingSession, HandoverItem, Journey, Practitioner

COACHING_DAYS = 90


@dataclass
class Row:
    programme: Programme | None  # None: the portfolio
    approach: Approach | None
    journeys: int
    practitioners: int
    sessions: int
    alone: int
    total: int
    promises: tuple[int, int, int] | None = None  # (holding, promises, no data yet); None: no approach


class DashboardView(ScopedMixin, TemplateView):
    model = Approach
    template_name = "capability/dashboard.html"
    page_title = "Approach and capability"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        programmes = list(visible_programmes(user, Approach).exclude(status="closed").order_by("code"))
        ids = [p.pk for p in programmes]
        since = timezone.localdate() - dt.timedelta(days=COACHING_DAYS)
        approaches = {a.programme_id: a for a in Approach.objects.restrict(user).filter(programme__in=ids)}
        journeys = dict(Journey.objects.restrict(user).filter(programme__in=ids).values_list("programme").annotate(n=Count("pk")).order_by())
        practitioners = dict(Practitioner.objects.filter(active=True, programmes__in=ids).values_list("programmes")
                             .annotate(n=Count("pk", distinct=True)).order_by())
        sessions = dict(CoachingSession.objects.restrict(user).filter(held_on__gte=since, practitioner__programmes__in=ids)
                        .values_list("practitioner__programmes").annotate(n=Count("pk", distinct=True)).order_by())
        show_handover = can(user, HandoverItem)
        rows = []
        shared = Shared()
        for p in programmes:
            alone, total = programme_handover_summary(p) if show_handover else (0, 0)
            approach = approaches.get(p.pk)
            promises = promises_summary(approach, shared=shared) if approach is not None else None
            rows.append(Row(p, approach, journeys.get(p.pk, 0), practitioners.get(p.pk, 0), sessions.get(p.pk, 0), alone, total, promises))
        portfolio = Row(None, None, sum(r.journeys for r in rows),
                        Practitioner.objects.filter(active=True, programmes__in=ids).distinct().count(),
                        CoachingSession.objects.restrict(user).filter(held_on__gte=since).filter(Q(practitioner__programmes__in=ids)).distinct().count(),
                        sum(r.alone for r in rows), sum(r.total for r in rows))
        context.update(rows=rows, portfolio=portfolio, days=COACHING_DAYS, show_handover=show_handover,
                       approved=sum(1 for r in rows if r.approach is not None and r.approach.version > 0))
        return context
