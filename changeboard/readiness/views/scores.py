"""The programme's readiness scores page (and its CSV/XLSX export): units x
recent closed waves, with a drill-down by unit and the ADKAR table of one
wave. The figures and suppression come from `scores`; the API uses the same
`select`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import TemplateView

from changeboard.accounts.models import User
from changeboard.core import exports
from changeboard.core.params import parse_id
from changeboard.core.views import ScopedMixin
from changeboard.organisation.models import Unit
from changeboard.portfolio.models import Programme
from changeboard.surveys import tracking
from changeboard.surveys.models import SurveyWave

from .. import scores
from ..models import ElementTally


@dataclass
class Selection:
    programme: Programme
    unit: Unit | None
    waves: list[SurveyWave]
    chosen: SurveyWave | None
    breakdowns: list[scores.Breakdown]

    @property
    def chosen_breakdown(self) -> scores.Breakdown | None:
        return next((b for b in self.breakdowns if self.chosen is not None and b.wave.pk == self.chosen.pk), None)

    def grid(self) -> list[dict[str, Any]]:
        """Rows (the parent's own figure, its children, the people directly
        in it) x the waves' columns: a Score or None (no responses)."""
        order: dict[tuple[int | None, bool], dict[str, Any]] = {}
        for b in self.breakdowns:
            for row in b.all_rows():
                key = (row.unit.pk if row.unit is not None else None, row.directly)
                entry = order.setdefault(key, {"label": row.label, "unit": row.unit, "directly": row.directly,
                                               "is_parent": row is b.parent, "cells": {}})
                entry["cells"][b.wave.pk] = row
        rows = list(order.values())
        rows.sort(key=lambda r: (not r["is_parent"], r["directly"], r["label"]))
        for r in rows:
            r["cell_list"] = [r["cells"].get(w.pk) for w in self.waves]
        return rows


def select(user: User | AnonymousUser, programme: Programme, unit_param: Any = None, wave_param: Any = None, only_wave: bool = False) -> Selection:
    """The unit, waves and scores a request asks for; Http404 for a unit out
    of the user's scope or a wave not closed in this programme."""
    if unit_param not in (None, "") and parse_id(unit_param) is None:
        raise Http404
    ok, unit = tracking.breakdown_parent(user, parse_id(unit_param))
    if not ok:
        raise Http404
    waves = scores.closed_waves(programme)
    chosen = waves[-1] if waves else None
    if wave_param not in (None, ""):
        chosen = SurveyWave.objects.filter(programme=programme, status=SurveyWave.Status.CLOSED, pk=parse_id(wave_param) or 0).first()
        if chosen is None:
            raise Http404
        if only_wave:
            waves = [chosen]
        elif chosen not in waves:
            waves = sorted([*waves, chosen], key=lambda w: (w.closes_on, w.pk))
    if unit is None and waves:
        unit = scores.top_unit(waves)
    breakdowns = scores.programme_scores(programme, unit, waves) if unit is not None else []
    return Selection(programme, unit, waves, chosen, breakdowns)


EXPORT_HEADERS = ["Unit", "Wave", "Wave closed on", "Status", "Readiness index", "95% CI low", "95% CI high", "Responses",
                  "Response rate (%)", *[scores.ELEMENT_LABELS[e] for e in scores.ELEMENTS], "Barrier point", "Trend"]


def export_rows(selection: Selection) -> list[list[Any]]:
    """Exactly the figures of the page: every row and wave, suppressed alike."""
    out: list[list[Any]] = []
    for b in selection.breakdowns:
        for row in b.all_rows():
            d = row.as_dict()
            barrier = scores.ELEMENT_LABELS.get(d["barrier"], "") if d["barrier"] else ""
            out.append([row.label, b.wave.title, b.wave.closes_on, d["status"], d["index"], d["ci_low"], d["ci_high"], d["responses"],
                        d["response_rate"], *[d["means"][e] for e in scores.ELEMENTS], barrier, d["trend"]])
    return out


class ProgrammeScoresView(ScopedMixin, TemplateView):
    model = ElementTally
    template_name = "readiness/programme_scores.html"
    page_title = "Readiness scores"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.programme = get_object_or_404(Programme.objects.restrict(request.user), pk=kwargs["programme_pk"])
        self.selection = select(request.user, self.programme, request.GET.get("unit"), request.GET.get("wave"))
        fmt = request.GET.get("format")
        if fmt in ("csv", "xlsx"):
            return cast(HttpResponse, exports.export_response(fmt, f"readiness-{self.programme.code}", EXPORT_HEADERS, export_rows(self.selection)))
        return super().get(request, *args, **kwargs)

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Programmes", reverse("programme-list")), (self.programme.name, self.programme.get_absolute_url())]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        sel = self.selection
        parent_of = Unit.objects.get_parent(sel.unit) if sel.unit is not None else None
        visible_up = parent_of is not None and Unit.objects.restrict(self.request.user).filter(pk=parent_of.pk).exists()
        context.update(
            page_title=f"Readiness scores: {self.programme.name}", programme=self.programme, selection=sel,
            grid=sel.grid(), chosen=sel.chosen_breakdown, elements=[scores.ELEMENT_LABELS[e] for e in scores.ELEMENTS],
            formula=scores.FORMULA, not_enough=scores.NOT_ENOUGH, max_half_width=scores.MAX_HALF_WIDTH,
            up=parent_of if visible_up else None,
            unit_query=f"unit={sel.unit.pk}&" if sel.unit is not None and self.request.GET.get("unit") else "",
        )
        return context
