"""Live response tracking: invited, responded and response rate per unit
and role group of a wave, from the maintained `AudienceCell` counts.

Anonymity rule for participation: a group with fewer people invited than
the wave's score threshold (`min_responses`) shows neither its responses
nor its rate, so nobody can tell whether the one or two people in a tiny
team answered. Its numbers still count in the totals above it.
"""

from __future__ import annotations

from collections.abc import Callable
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


def _rate_exposed(rows: list[RateRow]) -> Any:
    """Whether the rows hidden so far, taken together, still give something
    away once subtracted from their parent: fewer people than the threshold,
    or all-or-nothing (nobody, or everybody, answered) when the parent is not."""
    invited, responded = sum(r.invited for r in rows), sum(r.responded for r in rows)

    def exposed(hidden: list[RateRow]) -> bool:
        inv, resp = sum(r.invited for r in hidden), sum(r.responded for r in hidden)
        extreme = resp in {0, inv} and 0 < responded < invited
        return inv < rows[0].threshold or extreme

    return exposed


def _suppress_rates(rows: list[RateRow], parent_hidden: bool = False) -> None:
    """Primary suppression is by size (`RateRow.suppressed`); then hide more
    siblings until the hidden ones cannot be worked out from the parent; and
    when the parent itself is hidden, every row under it is."""
    if not rows:
        return
    if parent_hidden:
        for row in rows:
            row.forced = True
        return
    complement(rows, lambda r: not r.suppressed, lambda r: setattr(r, "forced", True), lambda r: r.invited, _rate_exposed(rows))


def _children_rows(wave: SurveyWave, cells: list[tuple[str, int, int, int]], parent: Unit) -> list[RateRow]:
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
    return rows


def _is_below(unit: Unit, top: Unit) -> bool:
    return len(unit.path) > len(top.path) and unit.path.startswith(top.path)


def unit_rows(wave: SurveyWave, parent: Unit | None = None) -> tuple[Unit | None, list[RateRow]]:
    """One row per child of `parent` (by default the deepest unit above all
    the wave's audience) that had anyone invited, rolled up from the teams.

    The same rows whoever asks and whichever level they start from: a unit
    hidden in the table of its parent's children hides all of its own
    children too, so adding them up cannot give it (and, by subtraction, the
    sibling it was hidden with) back."""
    cells = list(wave.cells.values_list("unit__path", "invited", "responded", "imported"))
    top = _top_unit(sorted({c[0] for c in cells}))
    if parent is None:
        parent = top
        if parent is None:
            return None, []
    rows = _children_rows(wave, cells, parent)
    _suppress_rates(rows, top is not None and _is_below(parent, top) and _rate_hidden(wave, cells, parent, top))
    return parent, rows


def _rate_hidden(wave: SurveyWave, cells: list[tuple[str, int, int, int]], unit: Unit, top: Unit) -> bool:
    """Whether `unit`'s row is hidden in the table of its parent's children."""
    parent = Unit.objects.get_parent(unit)
    if parent is None:
        return False
    rows = _children_rows(wave, cells, parent)
    _suppress_rates(rows, _is_below(parent, top) and _rate_hidden(wave, cells, parent, top))
    return next((r.suppressed for r in rows if r.unit is not None and r.unit.pk == unit.pk), False)


def role_group_rows(wave: SurveyWave) -> list[RateRow]:
    """One row per role group, with the same secondary suppression as the
    unit rows: their total is shown as "All units"."""
    labels = dict(RoleGroup.choices)
    sums = (AudienceCell.objects.filter(wave=wave).values("role_group")
            .annotate(invited=Sum("invited"), responded=Sum("responded"), imported=Sum("imported")).order_by("role_group"))
    rows = [RateRow(labels.get(s["role_group"], s["role_group"]), s["invited"], s["responded"], s["imported"], wave.min_responses)
            for s in sums]
    _suppress_rates(rows)
    return rows


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
    unit: Unit | None = None
    count_shown: bool = True  # False where the response-rate table hides the group's responses

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


def complement(rows: list[Any], shown: Any, hide: Any, size: Any, exposed: Any = None) -> None:
    """Secondary suppression among siblings: when exactly one row is hidden,
    hide the shown row of the smallest `size` too, so the hidden figure
    cannot be worked out from the parent's total and the others. Shared by
    every table of survey figures (rates, the wave's readiness, scores).

    `exposed(hidden_rows)`, when given, says whether the hidden rows taken
    together still give something away (e.g. fewer people than the
    threshold); the smallest shown rows are then hidden one by one until
    they do not, or none is left."""
    hidden = [r for r in rows if not shown(r)]
    visible = sorted((r for r in rows if shown(r)), key=size)
    while hidden and visible and (len(hidden) == 1 or (exposed is not None and exposed(hidden))):
        row = visible.pop(0)
        hide(row)
        hidden.append(row)


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


def _total_rate_hidden(wave: SurveyWave, parent: Unit | None) -> bool:
    """Whether the response-rate tables hide the responses of everyone at and
    below `parent` (the whole wave when None)."""
    cells = list(wave.cells.values_list("unit__path", "invited", "responded", "imported"))
    top = _top_unit(sorted({c[0] for c in cells}))
    if parent is None or top is None or not _is_below(parent, top):
        return wave_total(wave).suppressed
    return _rate_hidden(wave, cells, parent, top)


Memo = dict[int, GroupReadiness | None]


def _own_group(wave: SurveyWave, unit: Unit | None, memo: Memo) -> GroupReadiness | None:
    """`unit` as a row of its parent's table (what the level above shows of
    it), or None when it is the top of the wave's tree. Only whether its
    figures are shown matters here, so the comments are not fetched."""
    if unit is None:
        return None
    if unit.pk not in memo:
        top = _top_unit(sorted(set(wave.cells.values_list("unit__path", flat=True))))
        found = None
        if top is not None and _is_below(unit, top):
            upper = readiness(wave, Unit.objects.get_parent(unit), 0, memo)
            found = next((g for g in upper if g.unit is not None and g.unit.pk == unit.pk), None)
        memo[unit.pk] = found
    return memo[unit.pk]


def readiness_total(wave: SurveyWave, parent: Unit | None = None, comment_limit: int = 30, memo: Memo | None = None) -> GroupReadiness:
    """The whole wave (or everything at and below `parent`) as one group:
    the parent of the rows `readiness` returns, with the same thresholds,
    and hidden wherever the level above hid `parent`."""
    responses = Response.objects.filter(wave=wave)
    if parent is not None:
        responses = responses.filter(unit__path__startswith=parent.path)
    total = _group(wave, f"All of {parent.name}" if parent is not None else "All units", responses, comment_limit)
    total.count_shown = not _total_rate_hidden(wave, parent)
    own = _own_group(wave, parent, {} if memo is None else memo)
    if own is not None:
        for element in Adkar.values:
            if own.means[element] is None:
                total.means[element] = None
        if own.comments is None:
            total.comments = None
    return total


def readiness_level(wave: SurveyWave, parent: Unit | None = None, comment_limit: int = 30) -> tuple[list[GroupReadiness], GroupReadiness]:
    """`readiness` and `readiness_total` for one page, working out the levels
    above once."""
    memo: Memo = {}
    groups = readiness(wave, parent, comment_limit, memo)
    return groups, readiness_total(wave, parent, comment_limit, memo)


def readiness(wave: SurveyWave, parent: Unit | None = None, comment_limit: int = 30, memo: Memo | None = None) -> list[GroupReadiness]:
    """One group per row of `unit_rows` (the units below `parent`, plus the
    people directly in it), aggregated in the database.

    Shown only for closed waves (by the pages), so a figure cannot be
    compared before and after one person answers. An element's mean needs
    `min_responses` responses that answered it, and comments need
    `min_comments` responses; each source must reach the threshold alone.
    Secondary suppression (`complement`), the same for means and comments:
    the groups hidden in a table must together reach the threshold (so
    subtracting the shown ones from the parent gives nothing smaller away),
    and whatever the level above hid of `parent` stays hidden in all its
    children, so they cannot be added up to it.
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
        group = _group(wave, row.label, responses, comment_limit)
        group.unit = row.unit
        group.count_shown = not row.suppressed
        groups.append(group)
    own = _own_group(wave, parent, {} if memo is None else memo)
    for element in Adkar.values:
        if own is not None and own.means[element] is None:
            for g in groups:
                g.means[element] = None
            continue
        complement(groups, lambda g, e=element: g.means[e] is not None,
                   lambda g, e=element: g.means.__setitem__(e, None), lambda g, e=element: g.counts[e],
                   lambda hidden, e=element: sum(g.counts[e] for g in hidden) < wave.min_responses)
    if own is not None and own.comments is None:
        for g in groups:
            g.comments = None
    else:
        complement(groups, lambda g: g.comments is not None, lambda g: setattr(g, "comments", None), lambda g: g.responses,
                   lambda hidden: sum(g.responses for g in hidden) < wave.min_comments)
    return groups


# ---------------------------------------------------------------------------
# A closed wave's readiness scores by unit are the readiness app's, which sits
# above surveys: it registers the function that breaks a wave down when it
# loads, so the wave page shows the very figures of the scores page without
# surveys importing readiness.

WaveScoreRows = Callable[[SurveyWave, Unit | None], tuple[Unit | None, list[dict[str, Any]], str]]
_wave_score_rows: list[WaveScoreRows] = []


def register_wave_score_rows(provider: WaveScoreRows) -> None:
    """Called once by the readiness app's `ready()`."""
    _wave_score_rows[:] = [provider]


def wave_score_rows(wave: SurveyWave, parent: Unit | None) -> tuple[Unit | None, list[dict[str, Any]], str]:
    """(the unit broken down, its rows as the scores page shows them, the
    words for a hidden figure); no rows when no readiness app is installed."""
    if not _wave_score_rows:
        return parent, [], "Not enough data"
    return _wave_score_rows[0](wave, parent)
