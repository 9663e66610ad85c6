"""Hypercare trend pages: the period dashboard, a programme's trends across
its periods and the portfolio's trends, each with its charts, their tables
and a CSV/XLSX download of every table (`?table=<key>&format=csv|xlsx`).

Who: anyone who may view a period reads its dashboard (404 outside scope);
a programme's trends show the periods of it the user may view; the
portfolio's trends are the Board's, admins' and change managers' (for their
programmes), like the Board's dashboards (`reports.models.Dashboard`).
Someone who may not view queries (the Board) gets aggregates only
(`services.trends`)."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from changeboard.core import exports
from changeboard.core.params import parse_id
from changeboard.core.views import ScopedMixin
from changeboard.organisation.models import Unit
from changeboard.portfolio.models import Programme
from changeboard.reports.models import Dashboard

from .. import charts
from ..models import Period
from ..services import exits as exit_services
from ..services import trends as service
from ..tables import trends as tables

FORMATS = ("csv", "xlsx")


class TrendsView(ScopedMixin, TemplateView):
    """The shared machinery: the chosen unit, the figures, the downloads."""

    model = Period
    template_name = "hypercare/trends_page.html"
    export_slug = "hypercare"

    def chosen_unit(self) -> Unit | None:
        raw = self.request.GET.get("unit")
        if raw in (None, ""):
            return None
        pk = parse_id(raw)
        if pk is None:
            raise Http404
        return get_object_or_404(Unit, pk=pk)

    def periods(self) -> list[Period]:
        raise NotImplementedError

    def heading(self) -> str:
        raise NotImplementedError

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        periods = self.periods()
        self.trends = service.trends(request.user, periods, title=self.heading(), unit=self.chosen_unit())
        table, fmt = request.GET.get("table"), request.GET.get("format")
        if table is not None or fmt is not None:
            if table not in tables.TABLES or fmt not in FORMATS:
                raise Http404
            data = tables.TABLES[table](self.trends)
            return cast(HttpResponse, exports.export_response(fmt, f"{self.export_slug}-{table}", data.headers, data.rows))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        t = self.trends
        unit = self.trends.units.parent if self.trends.units.chosen else None
        context.update(
            t=t, page_title=t.title, charts=charts.trend_charts(t, self.export_slug), tables=tables.all_tables(t),
            now=timezone.now(), unit_query=f"unit={unit.pk}&" if unit is not None else "", formats=FORMATS,
        )
        return context


class PeriodDashboardView(TrendsView):
    template_name = "hypercare/period_dashboard.html"

    def periods(self) -> list[Period]:
        self.period = get_object_or_404(Period.objects.restrict(self.request.user).select_related("rollout_wave__programme"),
                                        pk=self.kwargs["pk"])
        self.export_slug = f"hypercare-period-{self.period.pk}"
        return [self.period]

    def heading(self) -> str:
        wave = self.period.rollout_wave
        return f"Hypercare dashboard: {wave.programme.code} {wave.name}"

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Hypercare periods", reverse("period-list")), (str(self.period), "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(period=self.period, exit_rows=exit_services.exit_rows(self.period),
                       decision=self.period.decisions.select_related("decided_by").first(),
                       programme_url=reverse("hypercare-programme", args=[self.period.rollout_wave.programme_id]))
        return context


class ProgrammeTrendsView(TrendsView):
    """A programme's hypercare across its periods (those the user may view)."""

    def periods(self) -> list[Period]:
        user = self.request.user
        pk = self.kwargs["programme_pk"]
        visible = Period.objects.restrict(user).filter(rollout_wave__programme_id=pk)
        self.programme = get_object_or_404(Programme.objects.filter(
            Q(pk__in=Programme.objects.restrict(user).values("pk")) | Q(pk__in=visible.values("rollout_wave__programme_id"))), pk=pk)
        self.export_slug = f"hypercare-{self.programme.code.lower()}"
        return list(visible.select_related("rollout_wave__programme").order_by("starts_on", "pk"))

    def heading(self) -> str:
        return f"Hypercare trends: {self.programme.code} {self.programme.name}"

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Hypercare periods", reverse("period-list")), (self.programme.name, "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(programme=self.programme, period_links=True)
        return context


class PortfolioTrendsView(TrendsView):
    """Every period the user may view, across the portfolio: the Board,
    admins and change managers (their programmes); champions and auditors 403."""

    model = Dashboard  # type: ignore[assignment]  # who may: the Board's dashboards' rule

    def periods(self) -> list[Period]:
        self.export_slug = "hypercare-portfolio"
        return list(Period.objects.restrict(self.request.user).select_related("rollout_wave__programme").order_by("starts_on", "pk"))

    def heading(self) -> str:
        return "Hypercare trends: the portfolio"

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Hypercare periods", reverse("period-list")), ("Portfolio trends", "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(period_links=True)
        return context
