"""Readiness scores per programme x unit x closed survey wave, from the
maintained `ElementTally` roll-up (never from the answers row by row).

Definitions (also shown on the page, see `FORMULA`):

- **Element mean** (Awareness, Desire, Knowledge, Ability, Reinforcement):
  for one team (the unit a response came from) the mean of its agreement
  answers (1-5) to the element's questions, T/A (sum over answers). A unit
  above teams is the **headcount-weighted** mean of its teams' means, the
  weight of a team being the people *invited* in it for that wave (the
  wave's `AudienceCell` counts: the headcount the survey was sent to, known
  per wave, unlike today's `subtree_headcounts`). If no team of the group
  had anyone invited (for example only imported responses), the weights are
  the teams' responses.
- **Readiness index** (0-100): the mean of the five element means, mapped
  linearly from the 1-5 scale: index = 25 x (mean of element means - 1), so
  1 -> 0, 3 -> 50, 5 -> 100. No index unless all five elements have answers.
- **95% confidence interval** of the index, normal approximation: for each
  element, s^2 = (Q - T^2/A) / (A - 1) from the pooled sums of values (T),
  squares (Q) and answers (A) of the group, and
  Var(mean_e) = s^2 x sum_t (w_t / W)^2 / n_t over its teams (n_t responses
  answering the element; with weights proportional to responses this is
  s^2 / n). The elements are not independent, so the index's standard error
  is bounded from above (Cauchy-Schwarz): SE(index) <= 5 x sum_e SE(mean_e);
  half-width = 1.96 x that bound.
- **Barrier point**: the first element, in ADKAR order, whose mean is below 3.
- **Trend**: the index minus the index of the previous wave (the previous
  round of the same series; otherwise the programme's previous closed wave),
  when both are shown.
- **Responses**: the most responses answering any one element; **response
  rate**: responses through personal links over people invited
  (`AudienceCell`), as on the wave's tracking page.

Suppression (the same for the page, its exports and the API): "Not enough
data" - never a number - when, for any element, a source present (personal
links, imports) has fewer responses than the wave's `min_responses`, or when
the interval's half-width is over `MAX_HALF_WIDTH` index points. Secondary
suppression: among the rows below one parent (its child units with
responses, and the people directly in it) when exactly one is hidden, the
shown row with the fewest responses is hidden too, so a hidden figure cannot
be worked out from the parent and its visible children; and when the
parent's own figure is hidden, at least two of its rows (or its only row)
are hidden, so it cannot be rebuilt from its children. A unit's own figure
(its "All of" row, the API's `unit` filter, the trend) is shown only when it
is shown among its parent's rows, whatever the reader's scope, so no filter
can reveal a figure hidden elsewhere.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, cast

from django.db import transaction
from django.db.models import BigIntegerField, Count, ExpressionWrapper, F, Q, Sum

from changeboard.organisation.models import Unit
from changeboard.portfolio.models import Programme
from changeboard.surveys.models import Adkar, AudienceCell, Question, SurveyWave
from changeboard.surveys.tracking import complement

from .models import ElementTally, Rag, UnitScore

ELEMENTS: list[str] = list(Adkar.values)
ELEMENT_LABELS = dict(Adkar.choices)
MAX_HALF_WIDTH = 15.0
BARRIER_BELOW = 3.0
Z95 = 1.96
RECENT_WAVES = 4
NOT_ENOUGH = "Not enough data"
GREEN_FROM = 62.5  # a mean of 3.5 on the 1-5 scale
RED_BELOW = 50.0  # a mean below 3

FORMULA = (
    "Readiness index = 25 x (mean of the five ADKAR element means - 1): 1 maps to 0, 3 to 50 and 5 to 100. "
    "A unit above teams weights each team's element means by the people invited in it for that wave. "
    "The 95% confidence interval uses the normal approximation, from each element's variance of answers over the "
    "responses answering it, with the elements' standard errors added (an upper bound, as they are correlated). "
    f"The barrier point is the first element, in ADKAR order, with a mean below {BARRIER_BELOW:g}. "
    f"'{NOT_ENOUGH}' is shown when a source has fewer responses than the wave's threshold, when the interval is wider "
    f"than plus or minus {MAX_HALF_WIDTH:g} points, or when another unit below the same parent is hidden and this one "
    "would let it be worked out."
)



@dataclass
class WaveData:
    """One wave's tallies and audience counts, keyed by team path and kept in
    path order, so the teams of any subtree are one contiguous range (found by
    bisection) and a unit's figure reads only its own teams."""

    # team path -> element -> [(source, responses, answers, total, total of squares)]
    teams: dict[str, dict[str, list[tuple[str, int, int, int, int]]]]
    team_paths: list[str]
    cells: dict[str, tuple[int, int]]  # path -> (invited, responded)
    cell_paths: list[str]

    @staticmethod
    def _range(paths: list[str], prefix: str) -> list[str]:
        lo = bisect.bisect_left(paths, prefix)
        hi = bisect.bisect_left(paths, prefix + "\uffff")
        return paths[lo:hi]

    def subtree(self, prefix: str) -> tuple[list[str], list[str]]:
        return self._range(self.team_paths, prefix), self._range(self.cell_paths, prefix)

    def exact(self, path: str) -> tuple[list[str], list[str]]:
        return ([path] if path in self.teams else []), ([path] if path in self.cells else [])


@dataclass
class Score:
    label: str
    unit: Unit | None
    wave: SurveyWave
    responses: int = 0
    invited: int = 0
    responded: int = 0
    means: dict[str, float | None] = field(default_factory=dict)
    index: float | None = None
    half_width: float | None = None
    reason: str = ""  # why hidden: "few", "wide", "secondary"; "" when shown
    trend: float | None = None
    directly: bool = False

    @property
    def shown(self) -> bool:
        return not self.reason and self.index is not None

    @property
    def ci(self) -> tuple[float, float] | None:
        if not self.shown or self.half_width is None:
            return None
        return (round(max(0.0, self.index - self.half_width), 1), round(min(100.0, self.index + self.half_width), 1))  # type: ignore[operator]

    @property
    def barrier(self) -> str | None:
        if not self.shown:
            return None
        for element in ELEMENTS:
            mean = self.means.get(element)
            if mean is not None and mean < BARRIER_BELOW:
                return element
        return None

    @property
    def rate(self) -> float | None:
        if not self.shown or not self.invited:
            return None
        return round(100 * self.responded / self.invited, 1)

    def shown_means(self) -> list[float | None]:
        return [round(self.means[e], 2) if self.shown and self.means.get(e) is not None else None for e in ELEMENTS]  # type: ignore[arg-type]

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "label": self.label, "unit_id": self.unit.pk if self.unit is not None and not self.directly else None,
            "directly": self.directly, "wave_id": self.wave.pk, "shown": self.shown,
        }
        if not self.shown:
            data.update(status=NOT_ENOUGH, index=None, ci_low=None, ci_high=None, responses=None, response_rate=None,
                        means=dict.fromkeys(ELEMENTS), barrier=None, trend=None)
            return data
        low, high = self.ci or (None, None)
        data.update(status="ok", index=round(self.index, 1), ci_low=low, ci_high=high, responses=self.responses,  # type: ignore[arg-type]
                    response_rate=self.rate, means=dict(zip(ELEMENTS, self.shown_means(), strict=True)),
                    barrier=self.barrier, trend=None if self.trend is None else round(self.trend, 1))
        return data


def _load(wave: SurveyWave, top_path: str) -> WaveData:
    """The tallies and audience counts of the wave's teams at or below a path."""
    teams: dict[str, dict[str, list[tuple[str, int, int, int, int]]]] = defaultdict(lambda: defaultdict(list))
    rows = (ElementTally.objects.filter(wave=wave, unit__path__startswith=top_path)
            .values("unit__path", "element", "source")
            .annotate(n=Sum("responses"), a=Sum("answers"), t=Sum("total"), q=Sum("total_sq")).order_by())
    for r in rows:
        teams[r["unit__path"]][r["element"]].append((r["source"], r["n"], r["a"], r["t"], r["q"]))
    if not teams and wave.status == SurveyWave.Status.CLOSED:
        _load_untallied(wave, top_path, teams)
    cells = (AudienceCell.objects.filter(wave=wave, unit__path__startswith=top_path).values("unit__path")
             .annotate(i=Sum("invited"), r=Sum("responded")).order_by())
    counts = {c["unit__path"]: (c["i"] or 0, c["r"] or 0) for c in cells}
    return WaveData(dict(teams), sorted(teams), counts, sorted(counts))


def likert_sums(answers: Any) -> Any:
    """Agreement answers grouped as the tallies keep them: per wave, unit,
    role group, ADKAR element and source, with responses, answers, sum and
    sum of squares (the roll-up's build and a just-closed wave's page)."""
    square = ExpressionWrapper(F("value") * F("value"), output_field=BigIntegerField())
    return (answers.filter(question__kind=Question.Kind.LIKERT, value__isnull=False).exclude(question__adkar="")
            .values("response__wave_id", "response__unit_id", "response__role_group", "question__adkar", "response__source")
            .annotate(n=Count("response_id", distinct=True), a=Count("id"), t=Sum("value"), q=Sum(square))
            .order_by())


def _load_untallied(wave: SurveyWave, top_path: str, teams: dict[str, dict[str, list[tuple[str, int, int, int, int]]]]) -> None:
    """A wave just closed, its roll-up not built yet by the worker: the same
    sums straight from its answers (the tallies' own grouping), so a page
    read in the meantime shows what it will show once they are built."""
    from changeboard.surveys.models import Answer

    grouped = list(likert_sums(Answer.objects.filter(response__wave=wave, response__unit__path__startswith=top_path)))
    paths = dict(Unit.objects.filter(pk__in={g["response__unit_id"] for g in grouped}).values_list("pk", "path"))
    merged: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for g in grouped:  # one tally row per (unit, role group, element, source): summed over role groups as `_load` does
        acc = merged[(paths[g["response__unit_id"]], g["question__adkar"], g["response__source"])]
        for i, key in enumerate(("n", "a", "t", "q")):
            acc[i] += g[key] or 0
    for (path, element, source), (n, a, t, q) in merged.items():
        teams[path][element].append((source, n, a, t, q))


def _figure(label: str, unit: Unit | None, wave: SurveyWave, data: WaveData, selected: tuple[list[str], list[str]],
            directly: bool = False) -> Score | None:
    """The score of the selected teams (and audience cells); None without responses."""
    teams, cell_paths = selected
    if not teams:
        return None
    invited = {t: data.cells.get(t, (0, 0))[0] for t in teams}
    score = Score(label, unit, wave, directly=directly)
    score.invited = sum(data.cells[p][0] for p in cell_paths)
    score.responded = sum(data.cells[p][1] for p in cell_paths)
    by_invited = sum(invited.values()) > 0
    few = False
    ses: list[float] = []
    for element in ELEMENTS:
        per_source: dict[str, int] = defaultdict(int)
        team_n: dict[str, int] = defaultdict(int)
        team_a: dict[str, int] = defaultdict(int)
        team_t: dict[str, int] = defaultdict(int)
        big_t = big_q = big_a = 0
        for path in teams:
            for source, n, a, t, q in data.teams[path].get(element, ()):
                per_source[source] += n
                team_n[path] += n
                team_a[path] += a
                team_t[path] += t
                big_t, big_q, big_a = big_t + t, big_q + q, big_a + a
        score.responses = max(score.responses, sum(per_source.values()))
        present = [n for n in per_source.values() if n]
        if not present or any(n < wave.min_responses for n in present):
            few = True
        weights = {p: (invited[p] if by_invited else team_n[p]) for p in team_a if team_a[p]}
        total_w = sum(weights.values())
        if not total_w:
            score.means[element] = None
            ses.append(math.inf)
            continue
        score.means[element] = sum(w * team_t[p] / team_a[p] for p, w in weights.items()) / total_w
        if big_a < 2:
            ses.append(math.inf)
            continue
        variance = max(0.0, (big_q - big_t * big_t / big_a) / (big_a - 1))
        ses.append(math.sqrt(variance * sum((w / total_w) ** 2 / team_n[p] for p, w in weights.items())))
    if all(score.means.get(e) is not None for e in ELEMENTS):
        score.index = 25 * (sum(score.means[e] for e in ELEMENTS) / len(ELEMENTS) - 1)  # type: ignore[misc]
        score.half_width = Z95 * 5 * sum(ses)
    if few or score.index is None:
        score.reason = "few"
    elif score.half_width is None or score.half_width > MAX_HALF_WIDTH:
        score.reason = "wide"
    return score


def _children(wave: SurveyWave, parent: Unit, data: WaveData, parent_shown: bool, children: list[Unit] | None = None) -> list[Score]:
    """The rows below `parent`, with secondary suppression. When the parent's
    own figure is hidden, at least two of its rows are hidden too (or its only
    row), so the parent cannot be rebuilt from its children either. Children
    are taken in (name, id) order in Python, so every database breaks ties
    between equally small rows the same way."""
    if children is None:
        children = list(Unit.objects.get_children(parent))
    rows: list[Score] = []
    for child in sorted(children, key=lambda u: (u.name, u.pk)):
        score = _figure(child.name, child, wave, data, data.subtree(child.path))
        if score is not None:
            rows.append(score)
    own = _figure(f"{parent.name} (directly)", parent, wave, data, data.exact(parent.path), directly=True)
    if own is not None:
        rows.append(own)

    def hide(s: Score) -> None:
        s.reason = "secondary"

    complement(rows, lambda s: s.shown, hide, lambda s: s.responses)
    if not parent_shown and rows and all(r.shown for r in rows):
        hide(min(rows, key=lambda s: s.responses))
        complement(rows, lambda s: s.shown, hide, lambda s: s.responses)
    return rows


def _own(wave: SurveyWave, unit: Unit, data: WaveData) -> Score | None:
    """A unit's own figure as shown among its parent's rows (worked out from
    the top of the tree down, so every consumer sees the same)."""
    parent = Unit.objects.get_parent(unit)
    if parent is None:
        return _figure(unit.name, unit, wave, data, data.subtree(unit.path))
    above = _own(wave, parent, data)
    rows = _children(wave, parent, data, above is not None and above.shown)
    return next((s for s in rows if s.unit is not None and s.unit.pk == unit.pk and not s.directly), None)


@dataclass
class Breakdown:
    wave: SurveyWave
    unit: Unit
    parent: Score | None
    rows: list[Score]

    def all_rows(self) -> list[Score]:
        return ([self.parent] if self.parent is not None else []) + self.rows


def breakdown(wave: SurveyWave, parent: Unit) -> Breakdown:
    """The parent's own figure and one row per child with responses (and the
    people directly in the parent), suppression applied."""
    data = _load(wave, parent.path[: Unit.steplen])
    own = _own(wave, parent, data)
    rows = _children(wave, parent, data, own is not None and own.shown)
    if own is not None:
        own.label = f"All of {parent.name}"
    return Breakdown(wave, parent, own, rows)


def closed_waves(programme: Programme, limit: int | None = RECENT_WAVES) -> list[SurveyWave]:
    """The programme's closed waves, oldest first (the latest `limit`)."""
    waves = list(SurveyWave.objects.filter(programme=programme, status=SurveyWave.Status.CLOSED).order_by("-closes_on", "-pk")[:limit])
    return waves[::-1]


def previous_wave(wave: SurveyWave) -> SurveyWave | None:
    """The previous round of the same series, else the programme's previous closed wave."""
    closed = SurveyWave.objects.filter(programme_id=wave.programme_id, status=SurveyWave.Status.CLOSED).exclude(pk=wave.pk)
    root = wave.series_id or wave.pk
    earlier = closed.filter(Q(pk=root) | Q(series_id=root), round_number__lt=wave.round_number).order_by("-round_number").first()
    if earlier is not None:
        return earlier
    return closed.filter(Q(closes_on__lt=wave.closes_on) | Q(closes_on=wave.closes_on, pk__lt=wave.pk)).order_by("-closes_on", "-pk").first()


def with_trend(current: Breakdown) -> Breakdown:
    """Fill each shown row's trend from the same unit in the previous wave."""
    prev_wave = previous_wave(current.wave)
    if prev_wave is None:
        return current
    before = breakdown(prev_wave, current.unit)
    old = {(r.unit.pk if r.unit is not None else None, r.directly): r for r in before.all_rows()}
    old_parent = before.parent
    for row in current.all_rows():
        match = old_parent if row is current.parent else old.get((row.unit.pk if row.unit is not None else None, row.directly))
        if row.shown and match is not None and match.shown:
            row.trend = row.index - match.index  # type: ignore[operator]
    return current


def top_unit(waves: list[SurveyWave]) -> Unit | None:
    """The deepest unit above every team with responses in these waves."""
    paths = sorted(set(ElementTally.objects.filter(wave__in=waves).values_list("unit__path", flat=True).distinct()))
    if not paths:
        return None
    common = paths[0]
    for path in paths[1:]:
        while not path.startswith(common):
            common = common[: len(common) - Unit.steplen]
    return Unit.objects.filter(path=common).first() if common else None


def programme_scores(programme: Programme, parent: Unit, waves: list[SurveyWave]) -> list[Breakdown]:
    """One breakdown (with trends) per wave, for the same parent unit."""
    return [with_trend(breakdown(wave, parent)) for wave in waves]


def _common_path(paths: list[str]) -> str:
    common = paths[0]
    for path in paths[1:]:
        while not path.startswith(common):
            common = common[: len(common) - Unit.steplen]
    return common


def _stored(wave: SurveyWave, score: Score, top: str) -> UnitScore:
    assert score.unit is not None
    row = UnitScore(wave=wave, unit=score.unit, is_top=score.unit.path == top, shown=score.shown, reason=score.reason)
    if score.shown:
        low, high = score.ci or (None, None)
        row.index, row.ci_low, row.ci_high = round(score.index, 1), low, high  # type: ignore[arg-type]
        row.responses, row.response_rate, row.barrier = score.responses, score.rate, score.barrier or ""
        for element, mean in zip(ELEMENTS, score.shown_means(), strict=True):
            setattr(row, element, mean)
    return row


def _wave_scores(wave: SurveyWave) -> list[UnitScore]:
    """Every unit's figure for one wave, top down: a unit's figure is its row
    among its parent's rows, exactly as `breakdown` shows it."""
    data = _load(wave, "")
    if not data.team_paths:
        return []
    prefixes = {p[:end] for p in data.team_paths for end in range(Unit.steplen, len(p) + 1, Unit.steplen)}
    units = {u.path: u for u in Unit.objects.filter(path__in=prefixes)}
    kids: dict[str, list[Unit]] = defaultdict(list)
    for path, unit in units.items():
        if len(path) > Unit.steplen and path[: -Unit.steplen] in units:
            kids[path[: -Unit.steplen]].append(unit)
    top = _common_path(data.team_paths)
    found: list[UnitScore] = []
    queue: list[Score] = []
    for path, unit in units.items():
        if len(path) == Unit.steplen:
            root = _figure(unit.name, unit, wave, data, data.subtree(path))
            if root is not None:
                queue.append(root)
    while queue:
        score = queue.pop()
        assert score.unit is not None
        found.append(_stored(wave, score, top))
        rows = _children(wave, score.unit, data, score.shown, children=kids.get(score.unit.path, []))
        queue.extend(r for r in rows if not r.directly)
    return found


def _set_trends(wave: SurveyWave) -> list[UnitScore]:
    """Each shown row's change against the same unit in the previous wave."""
    before = previous_wave(wave)
    old = {} if before is None else dict(UnitScore.objects.filter(wave=before, shown=True).values_list("unit_id", "index"))
    changed = []
    for row in UnitScore.objects.filter(wave=wave):
        trend = round(row.index - cast(float, old[row.unit_id]), 1) if row.shown and row.index is not None and row.unit_id in old else None
        if trend != row.trend:
            row.trend = trend
            changed.append(row)
    UnitScore.objects.bulk_update(changed, ["trend"], batch_size=1000)
    return changed


def store_waves(wave_ids: list[int]) -> int:
    """Replace the stored unit scores of these waves (closed ones get rows,
    others none), oldest first, then refresh the trends of the waves that
    follow each of them. Returns the rows written."""
    waves = list(SurveyWave.objects.filter(pk__in=wave_ids).order_by("closes_on", "pk"))
    written = 0
    for wave in waves:
        rows = _wave_scores(wave) if wave.status == SurveyWave.Status.CLOSED else []
        with transaction.atomic():
            UnitScore.objects.filter(wave=wave).delete()
            UnitScore.objects.bulk_create(rows, batch_size=1000)
            _set_trends(wave)
        written += len(rows)
    later = (SurveyWave.objects.filter(programme_id__in={w.programme_id for w in waves}, status=SurveyWave.Status.CLOSED)
             .exclude(pk__in=wave_ids).order_by("closes_on", "pk"))
    stored = {w.pk for w in waves}
    for wave in later:
        before = previous_wave(wave)
        if before is not None and before.pk in stored:
            _set_trends(wave)
    return written


RECENT_FOR_LATEST = 6


def latest_scores(units_by_programme: dict[int, Any], as_of: dt.date | None = None) -> dict[tuple[int, int], UnitScore]:
    """(programme id, unit id) -> the stored score of the programme's most
    recent closed wave (closing on or before `as_of`) that has a figure for
    the unit. Bare tuples from the programmes' latest few waves first, older
    waves only for units still without a figure, then the chosen rows: three
    small queries for any number of programmes."""
    wanted = {pid: {int(getattr(u, "pk", u)) for u in units} for pid, units in units_by_programme.items() if units}
    if not wanted:
        return {}
    waves = SurveyWave.objects.filter(programme_id__in=wanted, status=SurveyWave.Status.CLOSED)
    if as_of is not None:
        waves = waves.filter(closes_on__lte=as_of)
    newest_first: dict[int, list[int]] = defaultdict(list)
    for programme_id, wave_id in waves.order_by("programme_id", "-closes_on", "-pk").values_list("programme_id", "pk"):
        newest_first[programme_id].append(wave_id)
    programme_of = {w: pid for pid, ids in newest_first.items() for w in ids}
    rank = {w: i for ids in newest_first.values() for i, w in enumerate(ids)}
    chosen: dict[tuple[int, int], tuple[int, int]] = {}  # key -> (rank of its wave, row id)

    def scan(wave_ids: list[int], unit_ids: set[int]) -> None:
        for wave_id, unit_id, row_id in (UnitScore.objects.filter(wave_id__in=wave_ids, unit_id__in=unit_ids)
                                         .values_list("wave_id", "unit_id", "pk")):
            key = (programme_of[wave_id], unit_id)
            if unit_id in wanted[key[0]] and (key not in chosen or rank[wave_id] < chosen[key][0]):
                chosen[key] = (rank[wave_id], row_id)

    scan([w for ids in newest_first.values() for w in ids[:RECENT_FOR_LATEST]], set().union(*wanted.values()))
    missing = {(pid, u) for pid, units in wanted.items() for u in units if (pid, u) not in chosen}
    older = [w for pid, ids in newest_first.items() if any(m[0] == pid for m in missing) for w in ids[RECENT_FOR_LATEST:]]
    if older:
        scan(older, {u for _, u in missing})
    rows = UnitScore.objects.filter(pk__in=[row_id for _, row_id in chosen.values()]).select_related("wave", "unit")
    return {(row.wave.programme_id, row.unit_id): row for row in rows}


def latest_unit_scores(programme: Programme, units: Any, as_of: dt.date | None = None) -> dict[int, UnitScore]:
    """Per unit, the stored score of the programme's most recent closed wave
    (closing on or before `as_of`) that has a figure for it."""
    return {unit_id: row for (_, unit_id), row in latest_scores({programme.pk: units}, as_of).items()}


def rag_for(score: Any) -> str:
    """The RAG of a shown readiness figure (a `Score` or a `UnitScore`):
    green from 62.5 with no barrier point, red below 50, amber otherwise;
    'not enough data' - never a colour - when it is hidden or missing."""
    if score is None or not score.shown or score.index is None:
        return Rag.NO_DATA.value
    if score.index < RED_BELOW:
        return Rag.RED.value
    if score.index >= GREEN_FROM and not score.barrier:
        return Rag.GREEN.value
    return Rag.AMBER.value


def wave_rows(wave: SurveyWave, parent: Unit | None) -> tuple[Unit | None, list[dict[str, Any]], str]:
    """A closed wave broken down under `parent` (or its top unit) as the
    scores page shows it: registered with `surveys.tracking` for the wave
    page, so both pages show the same figures."""
    unit = parent if parent is not None else top_unit([wave])
    rows: list[dict[str, Any]] = []
    if unit is not None:
        b = breakdown(wave, unit)
        for row in b.all_rows():
            d = row.as_dict()
            rows.append({"label": row.label, "shown": d["shown"], "index": d["index"], "responses": d["responses"],
                         "means": [d["means"][e] for e in ELEMENTS], "is_parent": row is b.parent})
    return unit, rows, NOT_ENOUGH
