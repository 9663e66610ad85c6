"""Live response tracking: invited, responded and response rate per unit
and role group of a wave, from the maintained `AudienceCell` counts.

Anonymity rule for participation: a group with fewer people invited than
the wave's score threshold (`min_responses`) shows neither its responses
nor its rate, so nobody can tell whether the one or two people in a tiny
team answered. Its numbers still count in the totals above it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Avg, Count, Sum

from changeboard.organisation.models import Unit

from .models import Adkar, Answer, AudienceCell, Question, Response, RoleGroup, SurveyWave


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
    for child in Unit.objects.get_children(parent).order_by("name"):
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


@dataclass
class GroupReadiness:
    """ADKAR means and comments for one group of a wave, with the wave's
    anonymity thresholds applied: no means under `min_responses` responses,
    no comments under `min_comments`."""

    label: str
    responses: int
    means: dict[str, float | None]
    comments: list[str] | None
    min_responses: int
    min_comments: int

    @property
    def scored(self) -> bool:
        return self.responses >= self.min_responses

    @property
    def mean_list(self) -> list[float | None]:
        """The means in ADKAR order (Awareness first)."""
        return [self.means.get(value) for value in Adkar.values]


def readiness(wave: SurveyWave, parent: Unit | None = None, comment_limit: int = 30) -> list[GroupReadiness]:
    """One group per child of `parent` (as in `unit_rows`), aggregated in the
    database. Comments come in random order (responses have random ids)."""
    parent, rows = unit_rows(wave, parent)
    groups: list[GroupReadiness] = []
    for row in rows:
        if row.unit is None:
            continue
        responses = Response.objects.filter(wave=wave, unit__path__startswith=row.unit.path)
        count = responses.count()
        means: dict[str, float | None] = dict.fromkeys(Adkar.values)
        comments: list[str] | None = None
        if count >= wave.min_responses:
            averages = (Answer.objects.filter(response__in=responses, question__kind=Question.Kind.LIKERT).exclude(question__adkar="")
                        .values("question__adkar").annotate(mean=Avg("value"), n=Count("id")))
            for item in averages:
                means[item["question__adkar"]] = round(float(item["mean"]), 2)
        if count >= wave.min_comments:
            comments = list(Answer.objects.filter(response__in=responses, question__kind=Question.Kind.TEXT).exclude(text="")
                            .order_by("response_id").values_list("text", flat=True)[:comment_limit])
        groups.append(GroupReadiness(row.label, count, means if count >= wave.min_responses else {}, comments,
                                     wave.min_responses, wave.min_comments))
    return groups
