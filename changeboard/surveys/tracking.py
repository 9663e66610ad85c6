"""Live response tracking: invited, responded and response rate per unit
and role group of a wave, from the maintained `AudienceCell` counts.

Anonymity rule for participation: a group with fewer people invited than
the wave's score threshold (`min_responses`) shows neither its responses
nor its rate, so nobody can tell whether the one or two people in a tiny
team answered. Its numbers still count in the totals above it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Sum

from changeboard.organisation.models import Unit

from .models import AudienceCell, RoleGroup, SurveyWave


@dataclass
class RateRow:
    label: str
    invited: int
    responded: int
    imported: int
    threshold: int
    unit: Unit | None = None
    has_children: bool = False

    @property
    def suppressed(self) -> bool:
        return self.invited < self.threshold

    @property
    def rate(self) -> float | None:
        """Responses through personal links over people invited."""
        if self.suppressed or not self.invited:
            return None
        return round(100 * self.responded / self.invited, 1)

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"label": self.label, "invited": self.invited, "suppressed": self.suppressed}
        if self.unit is not None:
            data.update(unit_id=self.unit.pk, unit_code=self.unit.code)
        if self.suppressed:
            data.update(responded=None, imported=None, response_rate=None)
        else:
            data.update(responded=self.responded, imported=self.imported, response_rate=self.rate)
        return data


def wave_total(wave: SurveyWave) -> RateRow:
    sums = wave.cells.aggregate(invited=Sum("invited"), responded=Sum("responded"), imported=Sum("imported"))
    return RateRow("All units", sums["invited"] or 0, sums["responded"] or 0, sums["imported"] or 0, wave.min_responses)


def _top_unit(paths: list[str]) -> Unit | None:
    """The deepest unit above every unit the wave reached."""
    if not paths:
        return None
    common = paths[0]
    for path in paths[1:]:
        while not path.startswith(common):
            common = common[: len(common) - Unit.steplen]
    common = common[: len(common) - len(common) % Unit.steplen]
    return Unit.objects.filter(path=common).first() if common else None


def unit_rows(wave: SurveyWave, parent: Unit | None = None) -> tuple[Unit | None, list[RateRow]]:
    """One row per child of `parent` (by default the deepest unit above all
    the wave's audience) that had anyone invited, rolled up from the teams."""
    cells = list(wave.cells.values_list("unit__path", "invited", "responded", "imported"))
    if parent is None:
        parent = _top_unit(sorted({c[0] for c in cells}))
        if parent is None:
            return None, []
    rows: list[RateRow] = []
    for child in parent.get_children().order_by("name"):
        mine = [c for c in cells if c[0].startswith(child.path)]
        if not mine:
            continue
        rows.append(RateRow(
            child.name, sum(c[1] for c in mine), sum(c[2] for c in mine), sum(c[3] for c in mine), wave.min_responses,
            unit=child, has_children=any(len(c[0]) > len(child.path) for c in mine),
        ))
    own = [c for c in cells if c[0] == parent.path]
    if own:
        rows.append(RateRow(f"{parent.name} (directly)", sum(c[1] for c in own), sum(c[2] for c in own), sum(c[3] for c in own),
                            wave.min_responses, unit=None))
    return parent, rows


def role_group_rows(wave: SurveyWave) -> list[RateRow]:
    labels = dict(RoleGroup.choices)
    sums = (AudienceCell.objects.filter(wave=wave).values("role_group")
            .annotate(invited=Sum("invited"), responded=Sum("responded"), imported=Sum("imported")).order_by("role_group"))
    return [RateRow(labels.get(s["role_group"], s["role_group"]), s["invited"], s["responded"], s["imported"], wave.min_responses)
            for s in sums]
