"""Live response tracking: invited, responded and response rate per unit
and role group of a wave, from the maintained `AudienceCell` counts.

Anonymity rule for participation: a group with fewer people invited than
the wave's score threshold (`min_responses`) shows neither its responses
nor its rate, so nobody can tell whether the one or two people in a tiny
team answered. Its numbers still count in the totals above it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Sum

from changeboard.accounts.models import User
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
    forced: bool = False  # hidden so that a hidden sibling cannot be derived

    @property
    def suppressed(self) -> bool:
        return self.forced or self.invited < self.threshold

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


def breakdown_parent(user: User | AnonymousUser, unit_id: int | None) -> tuple[bool, Unit | None]:
    """The unit whose children a breakdown shows, within the user's unit
    scope: (False, None) when the asked-for unit is unknown or out of scope.
    A champion starts at their own unit rather than above it."""
    visible = Unit.objects.restrict(user)
    if unit_id is not None:
        parent = visible.filter(pk=unit_id).first()
        return parent is not None, parent
    if isinstance(user, User) and user.role == "champion":
        return True, user.units.order_by("path").first()
    return True, None


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
    complement(rows, lambda r: not r.suppressed, lambda r: setattr(r, "forced", True), lambda r: r.invited)
    return parent, rows


def role_group_rows(wave: SurveyWave) -> list[RateRow]:
    labels = dict(RoleGroup.choices)
    sums = (AudienceCell.objects.filter(wave=wave).values("role_group")
            .annotate(invited=Sum("invited"), responded=Sum("responded"), imported=Sum("imported")).order_by("role_group"))
    return [RateRow(labels.get(s["role_group"], s["role_group"]), s["invited"], s["responded"], s["imported"], wave.min_responses)
            for s in sums]


@dataclass
class GroupReadiness:
    """ADKAR means and comments for one group of a closed wave, with the
    wave's anonymity thresholds applied (see `readiness`)."""

    label: str
    responses: int
    means: dict[str, float | None]
    counts: dict[str, int]
    comments: list[str] | None
    min_responses: int
    min_comments: int

    @property
    def scored(self) -> bool:
        return any(value is not None for value in self.means.values())

    @property
    def mean_list(self) -> list[float | None]:
        """The means in ADKAR order (Awareness first)."""
        return [self.means.get(value) for value in Adkar.values]


def _meets(by_source: dict[str, int], threshold: int) -> bool:
    """Each source present (personal links, imports) must reach the
    threshold on its own, so imported rows cannot unlock a few real ones."""
    present = [n for n in by_source.values() if n]
    return bool(present) and all(n >= threshold for n in present)


def complement(rows: list[Any], shown: Any, hide: Any, size: Any) -> None:
    """Secondary suppression among siblings: when exactly one row is hidden,
    hide the shown row of the smallest `size` too, so the hidden figure
    cannot be worked out from the parent's total and the others. Shared by
    every table of survey figures (rates, the wave's readiness, scores)."""
    hidden = [r for r in rows if not shown(r)]
    visible = [r for r in rows if shown(r)]
    if len(hidden) == 1 and visible:
        hide(min(visible, key=size))


def _group(wave: SurveyWave, label: str, responses: Any, comment_limit: int) -> GroupReadiness:
    """The thresholded figures of one group of responses."""
    by_source = dict(responses.values_list("source").annotate(n=Count("id")).values_list("source", "n"))
    sums: dict[str, dict[str, tuple[int, int, int]]] = {}
    for item in (Answer.objects.filter(response__in=responses, question__kind=Question.Kind.LIKERT).exclude(question__adkar="")
                 .values("question__adkar", "response__source")
                 .annotate(people=Count("response", distinct=True), total=Sum("value"), answers=Count("id"))):
        sums.setdefault(item["question__adkar"], {})[item["response__source"]] = (item["people"], item["total"], item["answers"])
    means: dict[str, float | None] = {}
    counts: dict[str, int] = {}
    for element in Adkar.values:
        per_source = sums.get(element, {})
        counts[element] = sum(p for p, _, _ in per_source.values())
        if _meets({k: v[0] for k, v in per_source.items()}, wave.min_responses):
            means[element] = round(sum(t for _, t, _ in per_source.values()) / sum(a for _, _, a in per_source.values()), 2)
        else:
            means[element] = None
    comments: list[str] | None = None
    if _meets(by_source, wave.min_comments):
        comments = list(Answer.objects.filter(response__in=responses, question__kind=Question.Kind.TEXT).exclude(text="")
                        .order_by("response_id").values_list("text", flat=True)[:comment_limit])
    return GroupReadiness(label, sum(by_source.values()), means, counts, comments, wave.min_responses, wave.min_comments)


def readiness_total(wave: SurveyWave, parent: Unit | None = None, comment_limit: int = 30) -> GroupReadiness:
    """The whole wave (or everything at and below `parent`) as one group:
    the parent of the rows `readiness` returns, with the same thresholds."""
    responses = Response.objects.filter(wave=wave)
    if parent is not None:
        responses = responses.filter(unit__path__startswith=parent.path)
    return _group(wave, f"All of {parent.name}" if parent is not None else "All units", responses, comment_limit)


def readiness(wave: SurveyWave, parent: Unit | None = None, comment_limit: int = 30) -> list[GroupReadiness]:
    """One group per row of `unit_rows` (the units below `parent`, plus the
    people directly in it), aggregated in the database.

    Shown only for closed waves (by the pages), so a figure cannot be
    compared before and after one person answers. An element's mean needs
    `min_responses` responses that answered it, and comments need
    `min_comments` responses; each source must reach the threshold alone;
    and secondary suppression hides a second sibling when one is hidden.
    Comments come in random order (responses have random ids).
    """
    parent, rows = unit_rows(wave, parent)
    groups: list[GroupReadiness] = []
    for row in rows:
        if row.unit is not None:
            responses = Response.objects.filter(wave=wave, unit__path__startswith=row.unit.path)
        elif parent is not None:
            responses = Response.objects.filter(wave=wave, unit=parent)
        else:
            continue
        groups.append(_group(wave, row.label, responses, comment_limit))
    for element in Adkar.values:
        complement(groups, lambda g, e=element: g.means[e] is not None,
                    lambda g, e=element: g.means.__setitem__(e, None), lambda g, e=element: g.counts[e])
    complement(groups, lambda g: g.comments is not None, lambda g: setattr(g, "comments", None), lambda g: g.responses)
    return groups
