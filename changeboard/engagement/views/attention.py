"""The comms collision heatmap (one attention budget across the portfolio),
its drill-down, and the policy page.

Attention is portfolio-wide by design: every programme's items count in a
team's week, whoever looks. Scoping narrows the *units* (a champion sees
their own units and below), not the items counted.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView

from changeboard.core import exports
from changeboard.core.scoping import CHANGE, can
from changeboard.core.views import ScopedMixin, ServiceFormView
from changeboard.organisation.models import Unit
from changeboard.portfolio.models import Programme

from ..forms.attention import AttentionFilterForm, AttentionFilters, PolicyForm
from ..models import EngagementPolicy
from ..services import attention
from ..services.attention import week_label


def band(count: int, limit: int) -> str:
    """Colour band of a cell (the load heatmap's classes); over is also said in text."""
    if count <= 0:
        return "none"
    if count > limit:
        return "over"
    if count == limit:
        return "high"
    if count * 2 > limit:
        return "medium"
    return "low"


class AttentionMixin(ScopedMixin):
    """Reads the filters from the query string; rows are the units the user may see.
    The area is the units' (who may read the organisation reads its attention:
    admins, the Board, change managers, champions; not auditors, who read no units)."""

    model = Unit
    request: Any  # a page's HttpRequest, or the API's Request (api/attention.py)

    @property
    def filter_form(self) -> AttentionFilterForm:
        if not hasattr(self, "_form"):
            # Attention is portfolio-wide: every programme may be chosen, whoever looks.
            self._form = AttentionFilterForm(self.request.GET or None, programmes=Programme.objects.order_by("code"),
                                             units=Unit.objects.restrict(self.request.user))
        return self._form

    def filters(self) -> AttentionFilters:
        return self.filter_form.to_filters(timezone.localdate())

    def row_units(self, filters: AttentionFilters) -> list[Unit]:
        visible = Unit.objects.restrict(self.request.user).order_by("path")
        if filters.within is not None:
            visible = visible.filter(path__startswith=filters.within.path)
        rows = list(visible.filter(level=filters.level))
        if not rows:
            # Nothing in view at that level (a champion of one team asking for commands): their top units instead.
            top = visible.order_by("depth").values_list("depth", flat=True).first()
            rows = list(visible.filter(depth=top)) if top is not None else []
        return rows

    def table(self) -> tuple[attention.Grid, list[tuple[Unit, list[int]]]]:
        if not hasattr(self, "_table"):
            filters = self.filters()
            g = attention.grid(filters.start, filters.weeks, filters.programmes)
            self._table = (g, [(u, g.busiest(u.path)) for u in self.row_units(filters)])
        return self._table

    def query(self, **extra: Any) -> str:
        params = [(k, v) for k, vs in self.request.GET.lists() for v in vs if k not in extra and k != "export"]
        params += [(k, v) for k, v in extra.items() if v is not None]
        return urlencode(params)


class HeatmapView(AttentionMixin, TemplateView):
    template_name = "engagement/attention_heatmap.html"
    page_title = "Comms collision heatmap"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("export") == "csv":
            return self.export()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        g, table = self.table()
        query = self.query()
        # Cells are built here, not in the template: hundreds of units x weeks.
        cell_base = reverse("attention-cell", args=[1, "2026-W01"]).rsplit("/1/2026-W01/", 1)[0] + "/"
        safe_query = escape(query)
        labels = [(week_label(w), f"{w.day} {w:%b %Y}") for w in g.weeks]
        rows = []
        over_cells = 0
        for unit, counts in table:
            name = escape(unit.name)
            cells = []
            for count, (iso, label) in zip(counts, labels, strict=True):
                css = band(count, g.limit)
                if not count:
                    cells.append('<td class="govuk-table__cell cb-band-none"><span class="govuk-visually-hidden">none</span></td>')
                    continue
                over = count > g.limit
                over_cells += over
                cells.append(
                    f'<td class="govuk-table__cell cb-band-{css}"><a '
                    f'href="{cell_base}{unit.pk}/{iso}/?{safe_query}" aria-label="{name}, week of {label}: {count} item'
                    f'{"s" if count != 1 else ""}{", over the limit" if over else ""}">{count}{"!" if over else ""}</a></td>')
            rows.append({"unit": unit, "cells_html": mark_safe("".join(cells))})  # noqa: S308  (every value is escaped or numeric)
        context.update(form=self.filter_form, rows=rows, weeks=g.weeks, limit=g.limit, query=query, over_cells=over_cells,
                       level_label=dict(Unit.Level.choices).get(self.filters().level, ""),
                       can_change_policy=can(self.request.user, EngagementPolicy, CHANGE))
        return context

    def export(self) -> HttpResponse:
        g, table = self.table()
        headers = ["unit_path", "unit_code", "level", "week", "week_start", "busiest_unit_count", "limit", "over_limit"]

        def rows() -> Any:
            for unit, counts in table:
                for week, count in zip(g.weeks, counts, strict=True):
                    yield [unit.full_path, unit.code, unit.level, week_label(week), week, count, g.limit, "yes" if count > g.limit else "no"]

        return exports.export_response("csv", "attention", headers, rows())  # type: ignore[return-value]  # a CSV export streams


class CellView(AttentionMixin, TemplateView):
    """Drill-down: the items behind one unit-week."""

    template_name = "engagement/attention_cell.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        visible = Unit.objects.restrict(self.request.user)
        unit = get_object_or_404(visible, pk=self.kwargs["unit_pk"])
        week = attention.parse_week(self.kwargs["week"])
        if week is None:
            raise Http404
        c = attention.cell(unit, week, self.filters().programmes, visible_units=visible)
        query = self.query()
        context.update(cell=c, unit=unit, week=week, week_label=week_label(week), query=query,
                       page_title=f"{unit.name}, week {week_label(week)}")
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Comms collision heatmap", f"{reverse('attention-heatmap')}?{self.query()}"), ("Drill-down", "")]


class PolicyView(ServiceFormView):
    """The portfolio's weekly attention limit (admins set it)."""

    model = EngagementPolicy
    action = CHANGE
    form_class = PolicyForm
    page_title = "Weekly attention limit"
    submit_label = "Save the limit"
    success_message = "The weekly attention limit has been saved."

    def get_initial(self) -> dict[str, Any]:
        return {"weekly_limit": EngagementPolicy.current().weekly_limit}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["intro"] = "One limit for the whole portfolio: how many items may ask for one team's attention in one week."
        return context

    def get_cancel_url(self) -> str:
        return reverse("attention-heatmap")

    def perform(self, form: PolicyForm) -> Any:
        return attention.policy_update(weekly_limit=form.cleaned_data["weekly_limit"], actor=self.request.user)

    def get_success_url(self, saved: Any) -> str:  # type: ignore[override]  # ServiceFormView passes the saved object
        return reverse("attention-heatmap")
