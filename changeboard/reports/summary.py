"""What the Programme Board sees, as data: the portfolio summary and one
programme's summary, for an as-of date. The dashboards render these, and the
board pack freezes them (`as_dict`), so a page and its pack show the same
figures.

Everything here reads maintained roll-ups and small tables - stored unit
scores (`readiness.UnitScore`), criterion statuses, actions, reviews, the
impact heatmap's matrices - with a fixed number of grouped queries, never the
survey answers, so the cost does not grow with the responses.

Readiness RAG (from a shown readiness index; `readiness.scores.rag_for`):
green at 62.5 or more (a mean of 3.5 on the 1-5 scale) with no barrier
point, red below 50 (a mean below 3), amber otherwise, and "Not enough data"
- never a colour - when the figure is hidden or there is none.

A unit is *not ready for its wave* (a rollout wave going live on or after
the as-of date) when its latest readiness is shown and not green (or has a
barrier point), or when a critical criterion is at red for it. A unit going
live whose readiness is hidden or missing is *not enough data*: its own
category (`NoData`), never a "not ready" exception, so the exceptions list
holds only real exceptions (issue 18). A unit with no figure and a critical
criterion at red is in both: the red is the exception.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q

from changeboard.accounts.models import User
from changeboard.core.scoping import ScopedQuerySet
from changeboard.impacts import load
from changeboard.impacts.models import ImpactAssessment
from changeboard.organisation.models import Unit
from changeboard.portfolio.models import Programme, RolloutWave
from changeboard.readiness.models import Action, CriterionStatus, Criticality, Rag, Review, UnitScore
from changeboard.readiness.scores import ELEMENT_LABELS, ELEMENTS, NOT_ENOUGH, latest_scores, rag_for
from changeboard.reports.sections import Section, programme_sections
from changeboard.surveys.models import SurveyWave

HOTSPOT_WEEKS = 12
HOTSPOT_DEPTH = 3  # force, business groups, commands: the Board's default view of load
HOTSPOT_LIMIT = 10
HEATMAP_WAVES = 8
TREND_WAVES = 12
OVERDUE_LISTED = 50  # rows listed; the counts are never capped


def score_dict(score: UnitScore | None) -> dict[str, Any]:
    """A stored unit score as plain data, with its RAG and the date of the
    data behind it (the wave's closing date); hidden figures carry no numbers."""
    if score is None:
        return {"rag": Rag.NO_DATA.value, "rag_label": NOT_ENOUGH, "shown": False, "reason": "No survey results yet",
                "index": None, "trend": None, "barrier": "", "barrier_label": "", "responses": None, "response_rate": None,
                "means": dict.fromkeys(ELEMENTS), "wave": "", "wave_id": None, "as_of": None}
    rag = rag_for(score)
    return {
        "rag": rag, "rag_label": Rag(rag).label, "shown": score.shown,
        # Never why: which sibling is the small group and which its complement is not for readers to know.
        "reason": "" if score.shown else NOT_ENOUGH,
        "index": score.index, "trend": score.trend, "barrier": score.barrier, "barrier_label": ELEMENT_LABELS.get(score.barrier, ""),
        "responses": score.responses, "response_rate": score.response_rate,
        "means": {e: score.mean(e) for e in ELEMENTS}, "wave": score.wave.title, "wave_id": score.wave_id, "as_of": score.wave.closes_on,
    }


@dataclass
class NotReady:
    """A unit going live in a rollout wave that is not ready: `score_reasons`
    come from its latest readiness figure (dated `score["as_of"]`), `reds`
    are its critical criteria at red, each with the date of its assessment;
    `reasons` is both as plain text (for exports)."""

    programme: Programme
    rollout_wave: RolloutWave
    unit: Unit
    score: dict[str, Any]
    score_reasons: list[str]
    reds: list[dict[str, Any]]

    @property
    def reasons(self) -> list[str]:
        return [*self.score_reasons, *(f"Critical criterion at red: {r['title']}" for r in self.reds)]

    @property
    def critical_reds(self) -> list[str]:
        return [r["title"] for r in self.reds]

    def as_dict(self) -> dict[str, Any]:
        return {"programme": self.programme.code, "programme_id": self.programme.pk, "rollout_wave": self.rollout_wave.name,
                "go_live": self.rollout_wave.go_live_date, "unit": self.unit.name, "unit_id": self.unit.pk,
                "score": self.score, "reasons": self.reasons, "score_reasons": self.score_reasons,
                "critical_reds": self.critical_reds, "reds": self.reds}


@dataclass
class NoData:
    """A unit going live in a rollout wave with no readiness figure to judge
    it by: `reason` says why (no survey results yet, or not enough data)."""

    programme: Programme
    rollout_wave: RolloutWave
    unit: Unit
    score: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {"programme": self.programme.code, "programme_id": self.programme.pk, "rollout_wave": self.rollout_wave.name,
                "go_live": self.rollout_wave.go_live_date, "unit": self.unit.name, "unit_id": self.unit.pk,
                "reason": self.score["reason"] or NOT_ENOUGH, "wave": self.score["wave"], "as_of": self.score["as_of"]}


def _score_reasons(score: dict[str, Any]) -> list[str]:
    """Why a shown readiness figure is not green, in words (the RAG never by
    colour alone). A hidden or missing figure is no reason: that unit is
    "not enough data", its own category."""
    reasons: list[str] = []
    if not score["shown"]:
        return reasons
    if score["rag"] != Rag.GREEN:
        reasons.append(f"Readiness {score['index']:.0f} ({score['rag_label'].lower()})")
    if score["barrier"]:
        reasons.append(f"Barrier point: {score['barrier_label']}")
    return reasons


def _not_ready(programme: Programme, waves: list[RolloutWave], scores: dict[int, UnitScore],
               reds: dict[int, list[dict[str, Any]]]) -> tuple[list[NotReady], list[NoData]]:
    """The units going live that are not ready (real exceptions), and those
    with no readiness figure (not enough data)."""
    found: list[NotReady] = []
    no_data: list[NoData] = []
    for wave in waves:
        for unit in sorted(wave.units.all(), key=lambda u: u.path):
            score = score_dict(scores.get(unit.pk))
            reasons = _score_reasons(score)
            unit_reds = reds.get(unit.pk, [])
            if reasons or unit_reds:
                found.append(NotReady(programme, wave, unit, score, reasons, unit_reds))
            if not score["shown"]:
                no_data.append(NoData(programme, wave, unit, score))
    return found, no_data


def _critical_reds(programmes: list[int], names: dict[int, str] | None = None) -> dict[tuple[int, int], list[dict[str, Any]]]:
    """(programme id, unit id) -> the critical criteria at red there (id,
    title and the date of the data behind the status), in one query; fills
    `names` (unit id -> name) on the way."""
    found: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
    rows = (CriterionStatus.objects.filter(criterion__programme_id__in=programmes, criterion__criticality=Criticality.CRITICAL, rag=Rag.RED)
            .values_list("criterion__programme_id", "unit_id", "unit__name", "criterion_id", "criterion__title", "as_of")
            .order_by("criterion__title", "criterion_id"))
    for programme_id, unit_id, unit_name, criterion_id, title, as_of in rows:
        found[(programme_id, unit_id)].append({"id": criterion_id, "title": title, "as_of": as_of})
        if names is not None:
            names[unit_id] = unit_name
    return found


def _scoped(queryset: ScopedQuerySet, user: User | None) -> ScopedQuerySet:
    """`user=None` is the whole portfolio (a board pack); otherwise what the user may see."""
    return queryset if user is None else queryset.restrict(user)


def _open_at(as_of: dt.date) -> Q:
    """Open on `as_of`: raised by then and not closed by then (today this is
    the open statuses; for a past date the action's own history decides)."""
    return Q(created_at__date__lte=as_of) & (Q(closed_at__isnull=True, status__in=Action.OPEN_STATUSES) | Q(closed_at__date__gt=as_of))


def _overdue(as_of: dt.date) -> Q:
    return _open_at(as_of) & Q(due_date__lt=as_of)


def _upcoming_waves(programme_ids: list[int], as_of: dt.date) -> dict[int, list[RolloutWave]]:
    found: dict[int, list[RolloutWave]] = defaultdict(list)
    for wave in RolloutWave.objects.filter(programme_id__in=programme_ids, go_live_date__gte=as_of).prefetch_related("units").order_by("go_live_date", "pk"):
        found[wave.programme_id].append(wave)
    return found


def _closed_with_scores(waves: Any, as_of: dt.date) -> Any:
    """Closed waves (by `as_of`) whose unit scores are stored: a wave that has
    just closed (scores not built yet) or closed with no responses is skipped,
    so the Board sees the latest figures there are, not a blank."""
    stored = Exists(UnitScore.objects.filter(wave_id=OuterRef("pk"), is_top=True))  # uses the (wave, unit) index
    return waves.filter(stored, status=SurveyWave.Status.CLOSED, closes_on__lte=as_of)


def top_scores(programme_ids: list[int], as_of: dt.date) -> dict[int, UnitScore]:
    """Per programme, the stored top-unit score of its latest closed wave."""
    latest: dict[int, int] = {}
    for programme_id, wave_id in (_closed_with_scores(SurveyWave.objects.filter(programme_id__in=programme_ids), as_of)
                                  .order_by("programme_id", "-closes_on", "-pk").values_list("programme_id", "pk")):
        latest.setdefault(programme_id, wave_id)
    rows = UnitScore.objects.filter(wave_id__in=latest.values(), is_top=True).select_related("wave", "unit")
    return {row.wave.programme_id: row for row in rows}


@dataclass
class ProgrammeLine:
    programme: Programme
    next_go_live: dt.date | None
    score: dict[str, Any]
    top_unit: str
    not_ready: list[NotReady]
    critical_reds: int
    open_actions: int
    overdue_actions: int
    no_data: list[NoData] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)  # from apps above reports (`sections.py`)

    def as_dict(self) -> dict[str, Any]:
        return {"programme": self.programme.code, "programme_id": self.programme.pk, "name": self.programme.name,
                "phase": self.programme.get_phase_display(), "next_go_live": self.next_go_live, "score": self.score, "top_unit": self.top_unit,
                "not_ready": len(self.not_ready), "no_data": len(self.no_data), "critical_reds": self.critical_reds, "open_actions": self.open_actions,
                "overdue_actions": self.overdue_actions}


@dataclass
class Portfolio:
    as_of: dt.date
    lines: list[ProgrammeLine]
    hotspots: list[dict[str, Any]]
    saturated_units: int
    hotspot_weeks: tuple[dt.date, dt.date]
    not_ready: list[NotReady] = field(default_factory=list)
    critical: list[dict[str, Any]] = field(default_factory=list)
    barriers: list[dict[str, Any]] = field(default_factory=list)
    overdue: list[Action] = field(default_factory=list)
    overdue_count: int = 0
    no_data: list[NoData] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)  # from apps above reports (`sections.py`)

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of, "hotspot_weeks": list(self.hotspot_weeks), "saturated_units": self.saturated_units,
            "programmes": [line.as_dict() for line in self.lines],
            # False until a survey wave of a shown programme has closed: the page says so instead of a table of blanks.
            "has_readiness": any(line.score["as_of"] is not None for line in self.lines),
            "hotspots": [{"unit": h["unit"].name, "unit_id": h["unit"].pk, "context": h["context"], "week": h["week"], "load": h["load"],
                          "tolerance": h["tolerance"], "programmes": h["programmes"]} for h in self.hotspots],
            "not_ready": [n.as_dict() for n in self.not_ready], "no_data": [n.as_dict() for n in self.no_data],
            "critical": self.critical, "barriers": self.barriers,
            "overdue": [action_dict(a, self.as_of) for a in self.overdue], "overdue_count": self.overdue_count,
            "sections": [section.as_dict() for section in self.sections],
        }


def action_dict(action: Action, as_of: dt.date) -> dict[str, Any]:
    return {"id": action.pk, "programme": action.programme.code, "title": action.title, "unit": action.unit.name if action.unit else "",
            "owner": action.owner.get_full_name() if action.owner else "", "due_date": action.due_date,
            "status": action.get_status_display(), "source": action.get_source_display(), "days_overdue": (as_of - action.due_date).days}


def hotspot_summary(user: User | None, as_of: dt.date) -> tuple[list[dict[str, Any]], int, tuple[dt.date, dt.date]]:
    """Saturated units (force to command level) over the next weeks, from the
    approved impact assessments: the largest loads first, and how many units
    are saturated in at least one of those weeks."""
    filters = load.default_filters(as_of, weeks=HOTSPOT_WEEKS)
    units = list(_scoped(Unit.objects.all(), user).filter(depth__lte=HOTSPOT_DEPTH).order_by("path"))
    heatmap = load.compute(filters, units, ImpactAssessment.objects.filter(status=ImpactAssessment.Status.APPROVED))
    saturated = int(heatmap.saturated.any(axis=1).sum()) if units else 0
    return load.hotspots(heatmap, limit=HOTSPOT_LIMIT), saturated, (filters.start, filters.end)


def portfolio(user: User | None, as_of: dt.date) -> Portfolio:
    """Every programme the user may see (`None`: all of them) on one page, exceptions first."""
    programmes = list(_scoped(Programme.objects.all(), user).exclude(status=Programme.Status.CLOSED).order_by("code"))
    ids = [p.pk for p in programmes]
    tops = top_scores(ids, as_of)
    waves = _upcoming_waves(ids, as_of)
    names: dict[int, str] = {}
    reds = _critical_reds(ids, names)
    latest = latest_scores({pid: {u.pk for w in going for u in w.units.all()} for pid, going in waves.items()}, as_of)
    # (open, overdue) actions per programme; not named `overdue`, which is an Action property.
    counts: dict[int, tuple[int, int]] = {
        row["programme_id"]: (row["n_open"], row["n_overdue"]) for row in Action.objects.filter(programme_id__in=ids).values("programme_id")
        .annotate(n_open=Count("pk", filter=_open_at(as_of)), n_overdue=Count("pk", filter=_overdue(as_of))).order_by()}
    lines: list[ProgrammeLine] = []
    everyone_not_ready: list[NotReady] = []
    everyone_no_data: list[NoData] = []
    for programme in programmes:
        going = waves.get(programme.pk, [])
        scores = {unit_id: row for (pid, unit_id), row in latest.items() if pid == programme.pk}
        by_unit = {unit_id: found for (pid, unit_id), found in reds.items() if pid == programme.pk}
        not_ready, no_data = _not_ready(programme, going, scores, by_unit)
        everyone_not_ready += not_ready
        everyone_no_data += no_data
        top = tops.get(programme.pk)
        next_go_live = min((w.go_live_date for w in going), default=None)
        n_open, n_overdue = counts.get(programme.pk, (0, 0))
        lines.append(ProgrammeLine(programme, next_go_live, score_dict(top), top.unit.name if top else "", not_ready,
                                   sum(len(t) for (pid, _), t in reds.items() if pid == programme.pk), n_open, n_overdue, no_data))
    hotspots, saturated, weeks = hotspot_summary(user, as_of)
    overdue_all = _scoped(Action.objects.all(), user).filter(_overdue(as_of), programme__in=ids)
    overdue_count = overdue_all.count()
    overdue = list(overdue_all.select_related("programme", "unit", "owner").order_by("due_date", "pk")[:OVERDUE_LISTED])
    code = {p.pk: p.code for p in programmes}
    critical: list[dict[str, Any]] = [{"programme": code[pid], "programme_id": pid, "unit_id": uid, "criteria": [r["title"] for r in found], "items": found}
                for (pid, uid), found in sorted(reds.items())]
    for c in critical:
        c["unit"] = names.get(c["unit_id"], "")
    barriers = [{"programme": n.programme.code, "programme_id": n.programme.pk, "unit": n.unit.name, "unit_id": n.unit.pk,
                 "rollout_wave": n.rollout_wave.name, "go_live": n.rollout_wave.go_live_date, "barrier": n.score["barrier_label"],
                 "wave": n.score["wave"], "as_of": n.score["as_of"]}
                for n in everyone_not_ready if n.score["barrier"]]
    everyone_not_ready.sort(key=lambda n: (n.rollout_wave.go_live_date, n.programme.code, n.unit.path))
    everyone_no_data.sort(key=lambda n: (n.rollout_wave.go_live_date, n.programme.code, n.unit.path))
    return Portfolio(as_of, lines, hotspots, saturated, weeks, everyone_not_ready, critical, barriers, overdue, overdue_count,
                     everyone_no_data)


@dataclass
class ProgrammeSummary:
    programme: Programme
    as_of: dt.date
    waves: list[SurveyWave]  # the recent closed waves, oldest first
    top: Unit | None
    units: list[Unit]  # the heatmap's rows: the top unit, then its children with figures
    grid: dict[tuple[int, int], dict[str, Any]]  # (unit id, wave id) -> score_dict
    trend: list[dict[str, Any]]  # per wave: the top unit's element means
    latest: list[dict[str, Any]]  # per row unit: its latest figure (barrier, rate)
    criteria: list[dict[str, Any]]
    reviews: list[Review]
    not_ready: list[NotReady]
    open_actions: int
    overdue: list[Action]
    overdue_count: int
    no_data: list[NoData] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)  # from apps above reports (`sections.py`)

    def as_dict(self) -> dict[str, Any]:
        return {
            "programme": self.programme.code, "programme_id": self.programme.pk, "name": self.programme.name,
            "phase": self.programme.get_phase_display(), "as_of": self.as_of, "top_unit": self.top.name if self.top else "",
            "waves": [{"id": w.pk, "title": w.title, "closes_on": w.closes_on} for w in self.waves],
            "heatmap": [{"unit": u.name, "unit_id": u.pk, "scores": [self.grid.get((u.pk, w.pk)) or score_dict(None) for w in self.waves]}
                        for u in self.units],
            "trend": self.trend, "latest": self.latest, "criteria": self.criteria,
            "reviews": [{"id": r.pk, "title": str(r), "checkpoint": r.get_checkpoint_display(), "rollout_wave": r.rollout_wave.name,
                         "scheduled_on": r.scheduled_on, "decision": r.get_decision_display()} for r in self.reviews],
            "not_ready": [n.as_dict() for n in self.not_ready], "no_data": [n.as_dict() for n in self.no_data],
            "open_actions": self.open_actions,
            "overdue": [action_dict(a, self.as_of) for a in self.overdue], "overdue_count": self.overdue_count,
            "sections": [section.as_dict() for section in self.sections],
        }


def programme(programme: Programme, user: User | None, as_of: dt.date) -> ProgrammeSummary:
    """One programme: readiness by unit over its recent waves, the trend of
    each ADKAR element, barrier points and response rates, criteria, upcoming
    reviews, units not ready and overdue actions."""
    closed = _closed_with_scores(SurveyWave.objects.filter(programme=programme), as_of).order_by("-closes_on", "-pk")
    trend_waves = list(closed[:TREND_WAVES])[::-1]
    waves = trend_waves[-HEATMAP_WAVES:]
    top_row = UnitScore.objects.filter(wave=trend_waves[-1], is_top=True).select_related("unit").first() if trend_waves else None
    top = top_row.unit if top_row else None
    grid: dict[tuple[int, int], dict[str, Any]] = {}
    units: list[Unit] = []
    trend: list[dict[str, Any]] = []
    latest: list[dict[str, Any]] = []
    if top is not None:
        rows = (UnitScore.objects.filter(wave__in=trend_waves).filter(Q(unit=top) | Q(unit__path__startswith=top.path, unit__depth=top.depth + 1))
                .select_related("wave", "unit"))
        by_unit: dict[int, Unit] = {}
        for row in rows:
            grid[(row.unit_id, row.wave_id)] = score_dict(row)
            by_unit[row.unit_id] = row.unit
        children = sorted((u for u in by_unit.values() if u.pk != top.pk), key=lambda u: (u.name, u.pk))
        units = [top, *children]
        for wave in trend_waves:
            s = grid.get((top.pk, wave.pk)) or score_dict(None)
            trend.append({"wave": wave.title, "closes_on": wave.closes_on, "index": s["index"], "means": s["means"], "shown": s["shown"]})
        last = trend_waves[-1]
        for unit in units:
            s = grid.get((unit.pk, last.pk)) or score_dict(None)
            latest.append({"unit": unit.name, "unit_id": unit.pk, **s})
        grid = {k: v for k, v in grid.items() if k[1] in {w.pk for w in waves}}
    criteria = []
    statuses = (CriterionStatus.objects.filter(criterion__programme=programme).values("criterion_id", "criterion__title", "criterion__criticality", "rag")
                .annotate(n=Count("pk")).order_by("criterion__title"))
    by_criterion: dict[int, dict[str, Any]] = {}
    for counted in statuses:
        entry = by_criterion.setdefault(counted["criterion_id"], {"id": counted["criterion_id"], "title": counted["criterion__title"],
                                                                  "criticality": Criticality(counted["criterion__criticality"]).label,
                                                                  "counts": dict.fromkeys(Rag.values, 0)})
        entry["counts"][counted["rag"]] += counted["n"]
    criteria = list(by_criterion.values())
    reviews = list(Review.objects.filter(programme=programme, decision="", scheduled_on__gte=as_of - dt.timedelta(days=7))
                   .select_related("rollout_wave").order_by("scheduled_on", "pk")[:10])
    going = _upcoming_waves([programme.pk], as_of).get(programme.pk, [])
    scores = {unit_id: row for (_, unit_id), row in latest_scores({programme.pk: {u.pk for w in going for u in w.units.all()}}, as_of).items()}
    reds = {unit_id: found for (_, unit_id), found in _critical_reds([programme.pk]).items()}
    actions = Action.objects.filter(programme=programme)
    overdue = list(actions.filter(_overdue(as_of)).select_related("programme", "unit", "owner").order_by("due_date", "pk")[:OVERDUE_LISTED])
    not_ready, no_data = _not_ready(programme, going, scores, reds)
    return ProgrammeSummary(programme, as_of, waves, top, units, grid, trend, latest, criteria, reviews,
                            not_ready, actions.filter(_open_at(as_of)).count(), overdue,
                            actions.filter(_overdue(as_of)).count(), no_data, programme_sections(programme, as_of))
