"""The approach's "Scope and impacted groups", read from the programme's
approved impact assessments, never retyped: each unit an approved impact
line reaches, with the lines' severity, job roles, ranks or grades and the
people impacted there now (in post, counted with the engagement app's own
`impacted_q`, the rule the comms audiences and champion coverage use)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils import timezone

from changeboard.engagement.services.audience import impacted_q, in_post
from changeboard.impacts.models import ImpactAssessment, ImpactLine, Severity
from changeboard.organisation.models import Unit
from changeboard.portfolio.models import Programme
from changeboard.surveys.models import RoleGroup, role_group_for


@dataclass
class ImpactedGroup:
    unit: Unit
    severity: int = 0
    headcount: int = 0
    lines: list[str] = field(default_factory=list)
    roles: set[str] = field(default_factory=set)
    ranks: set[str] = field(default_factory=set)
    role_groups: set[str] = field(default_factory=set)
    every_role_group: bool = False

    @property
    def severity_label(self) -> str:
        return Severity(self.severity).label

    @property
    def role_group(self) -> str:
        """The one role group every line narrows to, else blank (every role group)."""
        return next(iter(self.role_groups)) if len(self.role_groups) == 1 and not self.every_role_group else ""

    @property
    def role_group_label(self) -> str:
        return RoleGroup(self.role_group).label if self.role_group else "Every role group"


def impacted_groups(programme: Programme, day: dt.date | None = None, *, headcounts: Mapping[int, int] | None = None) -> list[ImpactedGroup]:
    """The programme's impacted groups by unit (tree order), from its approved
    impact assessments. `headcounts` (unit pk -> people impacted in its
    subtree, e.g. champion coverage's `by_unit` for the same programme and
    day, which counts by the same rule) saves a count query per unit."""
    lines = list(ImpactLine.objects.filter(assessment__programme=programme, assessment__status=ImpactAssessment.Status.APPROVED)
                 .prefetch_related("units", "rank_grades").order_by("pk"))
    if not lines:
        return []
    groups: dict[int, ImpactedGroup] = {}
    for line in lines:
        ranks = list(line.rank_grades.all())
        for unit in line.units.all():
            group = groups.setdefault(unit.pk, ImpactedGroup(unit=unit))
            group.severity = max(group.severity, line.severity)
            group.lines.append(line.title)
            group.roles.update(line.roles or [])
            group.ranks.update(r.name for r in ranks)
            if ranks:
                group.role_groups.update(role_group_for(r.kind) for r in ranks)
            else:
                group.every_role_group = True
    if headcounts is not None:
        for group in groups.values():
            group.headcount = headcounts.get(group.unit.pk, 0)
        return sorted(groups.values(), key=lambda g: g.unit.path)
    people = in_post(day or timezone.localdate()).filter(impacted_q(programme))
    for group in groups.values():
        group.headcount = people.filter(unit__path__startswith=group.unit.path).count()
    return sorted(groups.values(), key=lambda g: g.unit.path)
