"""Coverage pages: a programme's (or the portfolio's) coverage, the map by
unit tree, one gap with its people and candidates, the programme's own
target and the portfolio policy.

Who sees what: the area is the programmes' (whoever may view a programme
reads its coverage: admins, the Board, change managers, champions; not
auditors). A programme out of the user's view answers 404; portfolio-wide
is the union over the programmes the user may view. **Champions** see
coverage narrowed to their units: only the impacted people at or below the
units they look after and the champions working there (`coverage(units=)`),
the map starting at their own units, and a gap's people and candidates
within their units. The names of a gap's people show to those who may read
the programme's impact assessments; candidates to those who may read staff
records, with a "Nominate" link for the programme's change managers.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import TemplateView

from changeboard.core import exports
from changeboard.core.params import parse_id, parse_page
from changeboard.core.scoping import ADD, CHANGE, UNIT_ROLES, VIEW, can
from changeboard.core.views import ScopedMixin, ServiceFormView
from changeboard.impacts.models import ImpactAssessment
from changeboard.organisation.models import Staff, Unit
from changeboard.portfolio.models import Programme

from ..forms.coverage import CoverageTargetForm, PolicyForm, ProgrammeChooserForm
from ..models import Champion, CoverageTarget, NetworkPolicy
from ..services import coverage as services
from ..services.champions import may_ask_for
from ..tables.coverage import SITE_SHIFT_EXPORT, export_rows

PEOPLE_PER_PAGE = 25
CANDIDATES = 10



SHOWN = 50  # rows of the gaps and site-and-shift tables on the page; ?all=1 and the export show every one

class CoverageMixin(ScopedMixin):
    """Reads `?programme=` (blank: portfolio-wide) within the user's view, and
    narrows a champion to their units. Shared by the pages and the API."""

    model = Programme
    request: Any

    def programmes(self) -> Any:
        return Programme.objects.restrict(self.request.user).exclude(status="closed").order_by("code")

    def chosen_programme(self, required: bool = False) -> Programme | None:
        if not hasattr(self, "_programme"):
            raw = self.request.GET.get("programme", "")
            if raw == "":
                self._programme = None
            else:
                pk = parse_id(raw)
                if pk is None:
                    raise Http404("No such programme.")
                self._programme = get_object_or_404(Programme.objects.restrict(self.request.user), pk=pk)
        if required and self._programme is None:
            raise Http404("Choose a programme.")
        return self._programme

    def narrow_units(self) -> list[Unit] | None:
        user = self.request.user
        return list(user.units.all()) if getattr(user, "role", None) in UNIT_ROLES else None

    def get_coverage(self) -> services.Coverage:
        if not hasattr(self, "_coverage"):
            programme = self.chosen_programme()
            self._coverage = services.coverage(programme, programmes=None if programme else self.programmes(),
                                               units=self.narrow_units())
        return self._coverage

    def programme_query(self) -> str:
        programme = self.chosen_programme()
        return f"?programme={programme.pk}" if programme else ""


class CoverageView(CoverageMixin, TemplateView):
    template_name = "network/coverage.html"
    page_title = "Champion coverage"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        fmt = request.GET.get("export")
        if fmt in {"csv", "xlsx"}:
            cov = self.get_coverage()
            name = f"coverage-{cov.programme.code if cov.programme else 'portfolio'}"
            return exports.export_response(fmt, name, SITE_SHIFT_EXPORT, export_rows(cov.by_site_shift))  # type: ignore[return-value]  # a CSV export streams
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        cov = self.get_coverage()
        programme = cov.programme
        # At met scale a programme has thousands of site-and-shift cells: the
        # page lists the most urgent, the export (and ?all=1) has every one.
        show_all = self.request.GET.get("all") == "1"
        gaps = cov.gaps
        site_shift = cov.by_site_shift if show_all else cov.by_site_shift[:SHOWN]
        context.update(
            cov=cov, programme=programme, narrowed=self.narrow_units() is not None, gaps=gaps,
            gaps_shown=gaps if show_all else gaps[:SHOWN], show_all=show_all, shown=SHOWN,
            site_shift_hidden=len(cov.by_site_shift) - len(site_shift),
            form=ProgrammeChooserForm(self.request.GET or None, programmes=self.programmes()),
            tables=[("site-shift", "By site and shift", "Site and shift", site_shift, True),
                    ("location", "By location", "Location", cov.by_location, False),
                    ("shift", "By shift pattern", "Shift pattern", cov.by_shift, False),
                    ("role-group", "By role group", "Role group", cov.by_role_group, False)],
            query=self.programme_query(),
            can_set_target=programme is not None and can(self.request.user, CoverageTarget, CHANGE)
            and Programme.objects.restrict(self.request.user, CHANGE).filter(pk=programme.pk).exists(),
        )
        if programme is not None:
            context["page_title"] = f"Champion coverage: {programme.code} {programme.name}"
        return context


class CoverageMapView(CoverageMixin, TemplateView):
    """The unit tree with drill-down (`?unit=`: that unit's children)."""

    template_name = "network/coverage_map.html"
    page_title = "Coverage map"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from ..charts import coverage_bars

        context = super().get_context_data(**kwargs)
        cov = self.get_coverage()
        unit = None
        raw = self.request.GET.get("unit", "")
        if raw != "":
            pk = parse_id(raw)
            if pk is None or pk not in cov.units:
                raise Http404("No such unit in your view.")
            unit = get_object_or_404(Unit.objects.restrict(self.request.user), pk=pk)
        rows = cov.unit_children(unit)
        trail: list[tuple[str, int]] = []
        if unit is not None:
            step = Unit.steplen
            by_path = {path: pk for pk, (path, _, _) in cov.units.items()}
            for end in range(step, len(unit.path), step):
                pk = by_path.get(unit.path[:end])
                if pk is not None:
                    trail.append((cov.units[pk][1], pk))
        context.update(cov=cov, unit=unit, rows=rows, trail=trail, query=self.programme_query(),
                       programme=cov.programme, chart=coverage_bars(rows, cov.target, unit.name if unit else "the top of the tree"),
                       form=ProgrammeChooserForm(self.request.GET or None, programmes=self.programmes()))
        if unit is not None:
            context["page_title"] = f"Coverage map: {unit.name}"
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Champion coverage", reverse("network-coverage") + self.programme_query()), ("Coverage map", "")]


class GapView(CoverageMixin, TemplateView):
    """One site-and-shift cell of a programme: its impacted people and who could champion them."""

    template_name = "network/gap.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        programme = self.chosen_programme(required=True)
        if programme is None:  # for the type checker: required raised already
            raise Http404
        key = services.split_slug(self.request.GET.get("cell", ""))
        if key is None:
            raise Http404("No such cell.")
        cov = self.get_coverage()
        cell = next((c for c in cov.by_site_shift if c.key == key), None)
        if cell is None:
            raise Http404("Nobody impacted and no champion in that cell.")
        user = self.request.user
        units = self.narrow_units()
        page = None
        if can(user, ImpactAssessment, VIEW):
            people = services.uncovered_people(programme, key[0], key[1], units=units)
            page = Paginator(people, PEOPLE_PER_PAGE).get_page(parse_page(self.request.GET.get("page")) or 1)
        candidates = None
        if can(user, Staff, VIEW):
            found = services.candidates(programme, key[0], key[1], limit=CANDIDATES)
            if units is not None:
                visible = set(Staff.objects.restrict(user).filter(pk__in=[c.staff.pk for c in found]).values_list("pk", flat=True))
                found = [c for c in found if c.staff.pk in visible]
            candidates = found
        context.update(programme=programme, cell=cell, page=page, candidates=candidates, narrowed=units is not None,
                       may_nominate=can(user, Champion, ADD) and may_ask_for(user, programme),
                       page_title=f"Gap: {cell.label} ({programme.code})")
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Champion coverage", reverse("network-coverage") + self.programme_query()), ("Gap", "")]


class CoverageTargetView(ServiceFormView):
    """A programme's own target ratio (its change managers), or back to the portfolio's."""

    model = CoverageTarget
    action = CHANGE
    form_class = CoverageTargetForm
    template_name = "network/coverage_target.html"
    submit_label = "Save the target"
    success_message = "The programme's coverage target has been saved."

    def get_programme(self) -> Programme:
        if not hasattr(self, "_programme"):
            self._programme = get_object_or_404(Programme.objects.restrict(self.request.user, CHANGE), pk=self.kwargs["pk"])
        return self._programme

    def get_object(self) -> Any:
        return self.get_programme()

    def get_initial(self) -> dict[str, Any]:
        own = CoverageTarget.objects.filter(programme=self.get_programme()).first()
        return {"target_ratio": own.target_ratio if own else None}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        programme = self.get_programme()
        context.update(programme=programme, portfolio_ratio=NetworkPolicy.current().target_ratio,
                       page_title=f"Coverage target: {programme.code} {programme.name}")
        return context

    def get_cancel_url(self) -> str:
        return f"{reverse('network-coverage')}?programme={self.get_programme().pk}"

    def perform(self, form: CoverageTargetForm) -> Any:
        ratio = form.cleaned_data.get("target_ratio")
        programme = self.get_programme()
        if ratio:
            services.coverage_target_set(programme=programme, target_ratio=ratio, actor=self.request.user)
        else:
            services.coverage_target_clear(programme=programme, actor=self.request.user)
        return programme

    def get_success_url(self, saved: Any) -> str:  # type: ignore[override]  # ServiceFormView passes the saved object
        return self.get_cancel_url()


class PolicyView(ServiceFormView):
    """The portfolio's target ratio and default hours (admins)."""

    model = NetworkPolicy
    action = CHANGE
    form_class = PolicyForm
    template_name = "network/policy.html"
    page_title = "Champion network policy"
    submit_label = "Save the policy"
    success_message = "The champion network policy has been saved."

    def get_initial(self) -> dict[str, Any]:
        policy = NetworkPolicy.current()
        return {"target_ratio": policy.target_ratio, "default_hours": policy.default_hours}

    def get_cancel_url(self) -> str:
        return reverse("network-coverage")

    def perform(self, form: PolicyForm) -> Any:
        return services.policy_update(target_ratio=form.cleaned_data["target_ratio"], default_hours=form.cleaned_data["default_hours"],
                                      actor=self.request.user)

    def get_success_url(self, saved: Any) -> str:  # type: ignore[override]
        return reverse("network-coverage")
