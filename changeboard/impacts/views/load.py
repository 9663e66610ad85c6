"""The portfolio change-load heatmap, its drill-down, hotspots and what-if."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views import View
from django.views.generic import TemplateView

from changeboard.core import exports
from changeboard.core.params import date_or_404, parse_date, parse_id
from changeboard.core.scoping import ADD, CHANGE, can
from changeboard.core.views import ScopedMixin, ServiceFormView
from changeboard.organisation.models import Unit
from changeboard.portfolio.models import Programme, RolloutWave

from .. import load, services
from ..forms import LoadFilterForm, ToleranceForm
from ..models import DEFAULT_TOLERANCE, ImpactAssessment, LoadTolerance, WaveMoveProposal

MAX_DEPTH = 3  # force, business groups, commands: the Board's default view


class LoadMixin(ScopedMixin):
    """Reads the filters and what-if moves from the query string and computes
    the heatmap over the units the user may see."""

    model = ImpactAssessment
    request: Any  # the view's: a page's HttpRequest, or the API's Request (api/load.py)

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)  # type: ignore[misc]  # a mixin: the View it is mixed into has setup()
        self._heatmap: load.Heatmap | None = None

    @property
    def filter_form(self) -> LoadFilterForm:
        if not hasattr(self, "_form"):
            programmes = Programme.objects.restrict(self.request.user).order_by("code")
            self._form = LoadFilterForm(self.request.GET or None, programmes=programmes, units=Unit.objects.restrict(self.request.user))
        return self._form

    def wave_moves(self) -> dict[int, dt.date]:
        """`move_<wave id>=yyyy-mm-dd` pairs for waves the user may see."""
        moves: dict[int, dt.date] = {}
        for key, value in self.request.GET.items():
            if not key.startswith("move_") or not value:
                continue
            wave_id, day = parse_id(key[5:]), parse_date(value)
            if wave_id is None or day is None:
                continue
            moves[wave_id] = day
        if moves:
            visible = set(RolloutWave.objects.restrict(self.request.user).filter(pk__in=moves).values_list("pk", flat=True))
            moves = {k: v for k, v in moves.items() if k in visible}
        return moves

    def filters(self) -> load.LoadFilters:
        filters = self.filter_form.to_filters(timezone.localdate())
        filters.wave_dates = self.wave_moves()
        return filters

    def all_units(self) -> list[Unit]:
        units = Unit.objects.restrict(self.request.user).order_by("path")
        group = self.filter_form.cleaned_data.get("business_group") if self.filter_form.is_valid() else None
        if group is not None:
            units = units.filter(path__startswith=group.path)
        return list(units)

    def visible_assessments(self) -> Any:
        """The assessments whose lines count (the model's `counting_load` rule)."""
        return ImpactAssessment.objects.counting_load(self.request.user)

    def heatmap(self) -> load.Heatmap:
        if self._heatmap is None:
            self._heatmap = load.compute(self.filters(), self.all_units(), self.visible_assessments())
        return self._heatmap

    def baseline(self) -> load.Heatmap | None:
        """The same heatmap without the what-if's moves (None when there are none)."""
        heatmap = self.heatmap()
        if not heatmap.filters.wave_dates:
            return None
        if getattr(self, "_baseline", None) is None:
            self._baseline = load.compute(replace(heatmap.filters, wave_dates={}), heatmap.units, self.visible_assessments())
        return self._baseline

    def query(self, **extra: Any) -> str:
        params = [(k, v) for k, v in self.request.GET.lists() for v in v if k not in extra and k not in {"export", "within"}]
        params += [(k, v) for k, v in extra.items() if v is not None]
        return urlencode(params)


class HeatmapView(LoadMixin, TemplateView):
    template_name = "impacts/heatmap.html"
    page_title = "Change load heatmap"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        fmt = request.GET.get("export")
        if fmt in {"csv", "xlsx"}:
            return self.export(fmt)
        return super().get(request, *args, **kwargs)

    def rows(self, heatmap: load.Heatmap) -> tuple[list[dict[str, Any]], Unit | None]:
        within_id = self.request.GET.get("within")
        within = None
        if within_id and (within_pk := parse_id(within_id)) is not None:
            within = next((u for u in heatmap.units if u.pk == within_pk), None)
            if within is None:
                raise Http404
        if within is not None:
            chosen = [u for u in heatmap.units if u.path.startswith(within.path) and u.depth <= within.depth + 2]
        else:
            top = min((u.depth for u in heatmap.units), default=1)
            chosen = [u for u in heatmap.units if u.depth <= max(MAX_DEPTH, top)]
        has_children = {u.path[: -Unit.steplen] for u in heatmap.units if u.depth > 1}
        # Cells are built here, not in the template: a year of weeks for
        # dozens of units is thousands of cells, and the template engine
        # would spend most of the page's time on them.
        weeks = [(week.isoformat(), f"{week.day} {week:%b %Y}") for week in heatmap.weeks]
        cell_base = reverse("load-cell", args=[0, "0"]).rsplit("/0/0/", 1)[0] + "/"
        query = escape(self.query())
        base = self.baseline()
        # The what-if's changed cells (issue 18), highlighted and said in words.
        changed = (base.load != heatmap.load) if base is not None and base.load.shape == heatmap.load.shape else None
        rows = []
        for unit in chosen:
            i = heatmap.row(unit)
            name = escape(unit.name)
            tolerance = float(heatmap.tolerance[i])
            cells = []
            for w, (iso, label) in enumerate(weeks):
                value = round(float(heatmap.load[i, w]), 1)
                css = load.band(value, tolerance)
                moved = changed is not None and bool(changed[i, w])
                if moved:
                    css += " cb-changed"
                if not value:
                    said = "none, changed by the what-if" if moved else "none"
                    cells.append(f'<td class="govuk-table__cell cb-band-{css}"><span class="govuk-visually-hidden">{said}</span></td>')
                    continue
                over = value > tolerance
                cells.append(
                    f'<td class="govuk-table__cell cb-band-{css}"><a href="{cell_base}{unit.pk}/{iso}/?{query}" '
                    f'aria-label="{name}, week of {label}: load {value}{", saturated" if over else ""}{", changed by the what-if" if moved else ""}">'
                    f'{value}{"!" if over else ""}</a></td>'
                )
            rows.append({
                "unit": unit,
                "indent": unit.depth - (within.depth if within else 1),
                "expandable": unit.path in has_children and unit != within,
                "headcount": int(heatmap.headcount[i]),
                "tolerance": tolerance,
                "cells_html": mark_safe("".join(cells)),  # noqa: S308  (every value above is escaped or numeric)
            })
        return rows, within

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        heatmap = self.heatmap()
        rows, within = self.rows(heatmap)
        whatif_programme = None
        pid = parse_id(self.request.GET.get("whatif"))
        if pid is not None:
            whatif_programme = Programme.objects.restrict(self.request.user).filter(pk=pid).first()
        moves = heatmap.filters.wave_dates
        waves = list(whatif_programme.waves.all()) if whatif_programme else []
        for wave in waves:
            wave.moved_to = moves.get(wave.pk)  # type: ignore[attr-defined]  # an annotation for the template only
        context.update(
            form=self.filter_form,
            heatmap=heatmap,
            rows=rows,
            within=within,
            ancestors=[u for u in heatmap.units if within and within.path.startswith(u.path) and u != within],
            weeks=[{"date": w, "label": load.week_label(w)} for w in heatmap.weeks],
            hotspots=load.hotspots(heatmap, limit=10),
            roles=load.roles_hit(heatmap)[:10],
            query=self.query(),
            base_query=self.query(**{k: None for k in self.request.GET if k.startswith("move_")}),
            whatif_programme=whatif_programme,
            whatif_programmes=Programme.objects.restrict(self.request.user).order_by("code"),
            waves=waves,
            moves=[(RolloutWave.objects.get(pk=k), v) for k, v in moves.items()],
            can_propose=can(self.request.user, WaveMoveProposal, ADD),
            saturated_count=int(heatmap.saturated.sum()),
            saturated_before=int(base.saturated.sum()) if (base := self.baseline()) is not None else None,
            changed_cells=int((base.load != heatmap.load).sum()) if base is not None and base.load.shape == heatmap.load.shape else 0,
            line_count=len(heatmap.lines),
        )
        return context

    def export(self, fmt: str) -> HttpResponse:
        heatmap = self.heatmap()
        headers = ["unit_path", "unit_code", "week", "week_start", "load_per_person", "hours_per_person", "tolerance", "saturated"]

        def rows() -> Any:
            for i, unit in enumerate(heatmap.units):
                for w, week in enumerate(heatmap.weeks):
                    cell = heatmap.cell(i, w)
                    yield [unit.full_path, unit.code, load.week_label(week), week, cell["load"], cell["hours"], cell["tolerance"], "yes" if cell["saturated"] else "no"]

        return exports.export_response(fmt, "change-load", headers, rows())  # type: ignore[return-value]  # a CSV export streams; get() keeps the stubs' HttpResponse


class HeatmapSvgView(LoadMixin, TemplateView):
    """The same heatmap as a server-rendered SVG, for the board pack."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        heatmap = self.heatmap()
        return HttpResponse(heatmap_svg(heatmap, [u for u in heatmap.units if u.depth <= MAX_DEPTH]), content_type="image/svg+xml")


def heatmap_svg(heatmap: load.Heatmap, units: list[Unit]) -> str:
    """Render rows of the heatmap as SVG: one rect and one label per cell."""
    label_width, cell, top = 260, 34, 60
    rows = []
    for r, unit in enumerate(units):
        i = heatmap.row(unit)
        rows.append({
            "y": top + r * cell, "ty": top + r * cell + cell * 0.62, "name": unit.name, "indent": 8 + (unit.depth - 1) * 12,
            "cells": [{"x": label_width + w * cell, "tx": label_width + w * cell + cell / 2, **heatmap.cell(i, w)} for w in range(len(heatmap.weeks))],
        })
    weeks = [{"x": label_width + w * cell + cell / 2, "label": load.week_label(week)[-3:]} for w, week in enumerate(heatmap.weeks)]
    return render_to_string("impacts/heatmap.svg", {
        "rows": rows, "weeks": weeks, "cell": cell, "width": label_width + len(heatmap.weeks) * cell + 10,
        "height": top + len(units) * cell + 40, "legend_y": top + len(units) * cell + 24,
        "title": f"Change load per person, {load.week_label(heatmap.weeks[0])} to {load.week_label(heatmap.weeks[-1])}" if heatmap.weeks else "Change load",
    })


class CellView(LoadMixin, TemplateView):
    """Drill-down: the impact lines behind one unit-week."""

    template_name = "impacts/load_cell.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        unit = get_object_or_404(Unit.objects.restrict(self.request.user), pk=self.kwargs["unit"])
        week = load.monday(date_or_404(self.kwargs["week"]))
        filters = self.filters()
        filters.start = filters.end = week
        heatmap = load.compute(filters, [unit], self.visible_assessments())
        cell = heatmap.cell(0, 0)
        context.update(
            unit=unit, week=week, week_label=load.week_label(week), cell=cell, headcount=int(heatmap.headcount[0]),
            contributors=heatmap.contributors(0, 0), page_title=f"{unit.name}, week {load.week_label(week)}", query=self.query(),
        )
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Change load", f"/impacts/load/?{self.query()}"), ("Drill-down", "")]


class HotspotsView(LoadMixin, TemplateView):
    template_name = "impacts/hotspots.html"
    page_title = "Hotspots"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        heatmap = self.heatmap()
        context.update(form=self.filter_form, hotspots=load.hotspots(heatmap, limit=200), roles=load.roles_hit(heatmap), query=self.query(),
                       weeks=heatmap.weeks)
        return context


class ProposalListView(ScopedMixin, TemplateView):
    """Saved what-if moves; POST saves the moves in the query as proposals."""

    model = WaveMoveProposal
    template_name = "impacts/proposals.html"
    page_title = "Proposed wave moves"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        proposals = list(self.get_queryset().select_related("wave__programme", "proposed_by")[:200])
        editable = set(Programme.objects.restrict(self.request.user, "change").values_list("pk", flat=True))
        context["proposals"] = proposals
        context["decidable"] = {p.pk for p in proposals if p.wave.programme_id in editable}
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can(request.user, WaveMoveProposal, ADD):
            raise PermissionDenied
        waves = RolloutWave.objects.restrict(request.user)
        moves: list[tuple[RolloutWave, dt.date]] = []
        for key, value in request.POST.items():
            if key.startswith("move_") and value:
                wave = get_object_or_404(waves, pk=wave_pk) if (wave_pk := parse_id(key[5:])) else None
                day = parse_date(value)
                if wave is None or day is None:
                    continue
                moves.append((wave, day))
        before, after = whatif_effect(request, {wave.pk: day for wave, day in moves}) if moves else (None, None)
        saved = 0
        for wave, day in moves:
            services.proposal_create(wave=wave, proposed_date=day, actor=request.user, note=request.POST.get("note", "")[:300],
                                     saturated_before=before, saturated_after=after)
            saved += 1
        messages.success(request, f"Saved {saved} proposed move{'s' if saved != 1 else ''}." if saved else "There were no moves to save.")
        return redirect("proposal-list")


class _LoadReader(LoadMixin, View):
    """LoadMixin's reading of the filters, outside a page."""


def whatif_effect(request: HttpRequest, moves: dict[int, dt.date]) -> tuple[int, int]:
    """Saturated unit-weeks before and after these moves, in the heatmap the
    proposer was looking at (its filters come in the query string, the
    moves in the form), recomputed here rather than trusted from the form."""
    helper = _LoadReader()
    helper.setup(request)
    filters = helper.filter_form.to_filters(timezone.localdate())
    units, visible = helper.all_units(), helper.visible_assessments()
    before = load.compute(filters, units, visible)
    after = load.compute(replace(filters, wave_dates=moves), units, visible)
    return int(before.saturated.sum()), int(after.saturated.sum())


def _can_decide(user: Any, proposal: WaveMoveProposal) -> bool:
    """Only someone who may edit the wave's programme applies or discards."""
    return Programme.objects.restrict(user, "change").filter(pk=proposal.wave.programme_id).exists()


class ProposalDecideView(ScopedMixin, TemplateView):
    model = WaveMoveProposal
    http_method_names = ["post"]  # a decision is only posted (a GET had no template: a server error)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        proposal = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        if not _can_decide(request.user, proposal):
            raise PermissionDenied
        apply = request.POST.get("decision") == "apply"
        try:
            services.proposal_decide(proposal=proposal, apply=apply, actor=request.user)
        except Exception as exc:  # noqa: BLE001  (a validation message for the user)
            messages.error(request, str(getattr(exc, "message", exc)))
        else:
            messages.success(request, "The wave has been moved." if apply else "The proposal has been discarded.")
        return redirect("proposal-list")


class ToleranceView(ServiceFormView):
    """The portfolio's saturation tolerance and units' own (admins set them)."""

    model = LoadTolerance
    action = CHANGE
    form_class = ToleranceForm
    template_name = "impacts/tolerances.html"
    page_title = "Saturation tolerances"
    submit_label = "Set tolerance"
    success_message = "Tolerance saved."

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Everyone who reads the heatmap may read the tolerances; only admins set them.
        if request.method == "GET" and request.user.is_authenticated and can(request.user, LoadTolerance):
            return TemplateView.as_view(template_name=self.template_name, extra_context=self._context(None))(request)
        return super().dispatch(request, *args, **kwargs)

    def _context(self, form: Any) -> dict[str, Any]:
        overrides = LoadTolerance.objects.restrict(self.request.user).select_related("unit").order_by("unit__path")
        default = next((t.tolerance for t in overrides if t.unit_id is None), DEFAULT_TOLERANCE)
        return {"page_title": self.page_title, "default": default, "overrides": [t for t in overrides if t.unit_id],
                "form": form if form is not None else (ToleranceForm() if can(self.request.user, LoadTolerance, CHANGE) else None),
                "submit_label": self.submit_label}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(self._context(context.get("form")))
        return context

    def perform(self, form: ToleranceForm) -> Any:
        return services.tolerance_set(unit=form.cleaned_data["unit"], tolerance=form.cleaned_data["tolerance"], actor=self.request.user)

    def get_success_url(self, saved: Any) -> str:  # type: ignore[override]  # ServiceFormView passes the saved object
        return reverse("tolerances")
