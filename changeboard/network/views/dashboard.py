"""The network dashboard: per programme the user may view, coverage, gaps,
over-committed champions, activities this month, open themes and the latest
champion pulse; and a portfolio row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.views.generic import TemplateView

from changeboard.core.scoping import can
from changeboard.core.views import ScopedMixin
from changeboard.portfolio.models import Programme

from ..models import Activity, Champion, Theme
from ..services.coverage import Coverage, coverage
from ..services.load import loads
from ..services.pulse import PulseResult, latest_results


@dataclass
class Row:
    programme: Programme | None  # None: the portfolio
    coverage: Coverage
    over: int
    activities: int
    themes: int
    pulse: PulseResult | None = None


class DashboardView(ScopedMixin, TemplateView):
    model = Champion
    template_name = "network/dashboard.html"
    page_title = "Champion network"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        programmes = list(Programme.objects.restrict(user).exclude(status="closed").order_by("code"))
        today = timezone.localdate()
        month_start = today.replace(day=1)
        activities: dict[int, int] = {}
        if can(user, Activity):
            activities = dict(Activity.objects.restrict(user).filter(status=Activity.Status.DONE, date__gte=month_start, date__lte=today)
                              .values_list("programme_id").annotate(n=Count("id")).values_list("programme_id", "n"))
        themes: dict[int, int] = {}
        if can(user, Theme):
            themes = dict(Theme.objects.restrict(user).filter(status=Theme.Status.OPEN)
                          .values_list("programme_id").annotate(n=Count("id")).values_list("programme_id", "n"))
        all_loads = loads()
        over: dict[int, int] = {}
        for load in all_loads:
            if load.over:
                for programme, _ in load.asks:
                    over[programme.pk] = over.get(programme.pk, 0) + 1
        pulse = latest_results(programmes)
        rows = [Row(p, coverage(p), over.get(p.pk, 0), activities.get(p.pk, 0), themes.get(p.pk, 0), pulse.get(p.pk)) for p in programmes]
        context["rows"] = rows
        if len(programmes) > 1:
            context["portfolio"] = Row(None, coverage(None), sum(1 for load in all_loads if load.over),
                                       sum(activities.get(p.pk, 0) for p in programmes), sum(themes.get(p.pk, 0) for p in programmes))
        context["month_start"] = month_start
        return context
