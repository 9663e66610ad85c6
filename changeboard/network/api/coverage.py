"""Coverage through the API: the coverage page's headline and tables, and a
programme's gaps with their candidates, with the pages' scopes
(`views.coverage.CoverageMixin`: the programme within the user's view,
blank for portfolio-wide; a champion narrowed to their units)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from changeboard.core.scoping import VIEW, can
from changeboard.organisation.models import Staff
from changeboard.portfolio.models import Programme

from ..services import coverage as services
from ..views.coverage import CANDIDATES, CoverageMixin


class _CoverageAPI(CoverageMixin, APIView):
    scoped_model = Programme

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        # DRF authenticates and checks permissions; skip the page mixin's.
        return APIView.dispatch(self, request, *args, **kwargs)


def _headline(cov: services.Coverage) -> dict[str, Any]:
    return {"programme": cov.programme.pk if cov.programme else None, "day": cov.day, "target_ratio": cov.target,
            "target_source": cov.target_source, "impacted": cov.impacted, "champions": cov.champions,
            "impacted_per_champion": cov.per_champion, "needed": cov.needed, "gaps": len(cov.gaps)}


class CoverageAPIView(_CoverageAPI):
    @extend_schema(parameters=[OpenApiParameter("programme", OpenApiTypes.INT, description="Blank: every programme you may view")],
                   responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        """A programme's (or the portfolio's) coverage: the headline and every table (site and shift, location, shift pattern,
        role group, unit)."""
        cov = self.get_coverage()
        units = [dict(cell.as_dict(), unit=pk, path=cov.units[pk][0]) for pk, cell in sorted(cov.by_unit.items(), key=lambda i: cov.units[i[0]][0])]
        return Response(dict(_headline(cov), by_site_shift=[c.as_dict() for c in cov.by_site_shift],
                             by_location=[c.as_dict() for c in cov.by_location], by_shift=[c.as_dict() for c in cov.by_shift],
                             by_role_group=[c.as_dict() for c in cov.by_role_group], by_unit=units))


class GapsAPIView(_CoverageAPI):
    @extend_schema(parameters=[OpenApiParameter("programme", OpenApiTypes.INT, description="Blank: every programme you may view")],
                   responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        """Site-and-shift gaps with their candidates. With a programme: its gaps; blank: each programme's you may view.
        Candidates show to those who may read staff records (champions: within their units)."""
        programme = self.chosen_programme()
        chosen = [programme] if programme is not None else list(self.programmes())
        show = can(request.user, Staff, VIEW)
        visible = Staff.objects.restrict(request.user) if self.narrow_units() is not None else None
        units = self.narrow_units()
        result = []
        for p in chosen:
            cov = services.coverage(p, units=units)
            gaps = []
            for gap in cov.gaps:
                row = gap.as_dict()
                if show:
                    found = services.candidates(p, gap.key[0], gap.key[1], limit=CANDIDATES)
                    if visible is not None:
                        ok = set(visible.filter(pk__in=[c.staff.pk for c in found]).values_list("pk", flat=True))
                        found = [c for c in found if c.staff.pk in ok]
                    row["candidates"] = [{"staff": c.staff.pk, "name": c.staff.full_name, "unit": c.staff.unit.name, "role": c.staff.role,
                                          "in_pool": c.in_pool, "spare_hours": c.spare_hours, "in_gap_units": c.in_gap_units}
                                         for c in found]
                gaps.append(row)
            result.append({"programme": p.pk, "code": p.code, "target_ratio": cov.target, "gaps": gaps})
        return Response({"programmes": result})
