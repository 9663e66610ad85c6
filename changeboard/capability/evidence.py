"""The live evidence behind an approach's promises: one function per
`Measure`, each reading what the app that owns the figure already computes
(champion coverage, stored readiness scores, sent messages, criterion
statuses, engagements, readiness actions), never re-deriving it.

`holds` is True or False, or None when there is no data yet (a survey
figure hidden by suppression counts as no data)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from changeboard.engagement.models import Engagement, EngagementPolicy, Message, StakeholderAssessment
from changeboard.network.services.coverage import Coverage, coverage, staff_groups
from changeboard.portfolio.models import Programme
from changeboard.readiness.models import Action, CriterionStatus, Rag
from changeboard.readiness.services.actions import overdue_actions
from changeboard.reports.summary import top_scores

from .models import Approach, Measure, Promise

ENGAGED_DAYS = 90
AT_MOST = {Measure.CHAMPION_RATIO, Measure.OVERDUE_ACTIONS}


@dataclass(frozen=True)
class Evidence:
    measure: str
    target: Decimal
    actual: float | None
    display: str
    holds: bool | None
    detail: str
    url: str

    @property
    def status(self) -> str:
        return "no data yet" if self.holds is None else ("holding" if self.holds else "not holding")

    @property
    def tag(self) -> str:
        return "grey" if self.holds is None else ("green" if self.holds else "red")

    def as_dict(self) -> dict[str, Any]:
        return {"measure": self.measure, "target": str(self.target), "actual": self.actual, "display": self.display, "holds": self.holds,
                "status": self.status, "detail": self.detail, "url": self.url}


def _holds(measure: str, actual: float | None, target: Decimal) -> bool | None:
    if actual is None:
        return None
    return actual <= float(target) if measure in AT_MOST else actual >= float(target)


def _url(name: str, programme: Programme, **kwargs: Any) -> str:
    return f"{reverse(name, kwargs=kwargs)}?programme={programme.pk}" if not kwargs else reverse(name, kwargs=kwargs)


def _evidence(measure: str, target: Decimal, actual: float | None, display: str, detail: str, url: str) -> Evidence:
    return Evidence(measure, target, actual, display, _holds(measure, actual, target), detail, url)


class Shared:
    """What one request reads once and several figures use: the staff in
    post grouped as champion coverage counts them (a list page's rows), each
    programme's champion coverage (the approach page's champion ratio and
    its scope headcounts) and each programme's stored top-unit score (the
    readiness score and the response rate)."""

    def __init__(self) -> None:
        self._groups: dict[dt.date, Any] = {}
        self._coverage: dict[tuple[int, dt.date], Coverage] = {}
        self._scores: dict[tuple[int, dt.date], Any] = {}

    def groups(self, day: dt.date) -> Any:
        if day not in self._groups:
            self._groups[day] = staff_groups(day)
        return self._groups[day]

    def coverage(self, programme: Programme, day: dt.date) -> Coverage:
        key = (programme.pk, day)
        if key not in self._coverage:
            self._coverage[key] = coverage(programme, day, _groups=self.groups(day))
        return self._coverage[key]

    def top_score(self, programme: Programme, day: dt.date) -> Any:
        key = (programme.pk, day)
        if key not in self._scores:
            self._scores[key] = _top_score(programme, day)
        return self._scores[key]


def champion_ratio(programme: Programme, target: Decimal, day: dt.date, shared: Shared | None = None) -> Evidence:
    cov = shared.coverage(programme, day) if shared is not None else coverage(programme, day)
    url = _url("network-coverage", programme)
    if not cov.impacted:
        return _evidence(Measure.CHAMPION_RATIO, target, None, "no impacted people yet", "No approved impact assessment reaches anyone.", url)
    if not cov.champions:
        return Evidence(measure=Measure.CHAMPION_RATIO, target=target, actual=None, display="no active champion", holds=False,
                        detail=f"{cov.impacted} impacted people and no active champion.", url=url)
    per = cov.impacted / cov.champions
    return _evidence(Measure.CHAMPION_RATIO, target, per, f"1:{round(per)}", f"{cov.impacted} impacted people, {cov.champions} active champions.",
                     url)


def _top_score(programme: Programme, day: dt.date) -> Any:
    """The stored top-unit score of the latest closed wave (as the Board dashboard reads it)."""
    return top_scores([programme.pk], day).get(programme.pk)


def readiness_score(programme: Programme, target: Decimal, day: dt.date, shared: Shared | None = None) -> Evidence:
    score = shared.top_score(programme, day) if shared is not None else _top_score(programme, day)
    url = reverse("programme-scores", kwargs={"programme_pk": programme.pk})
    if score is None:
        return _evidence(Measure.READINESS_SCORE, target, None, "no closed wave yet", "No survey wave has closed with scores.", url)
    if not score.shown or score.index is None:
        return _evidence(Measure.READINESS_SCORE, target, None, "not enough data",
                         f"{score.wave.title}: too few answers to show a figure.", url)
    return _evidence(Measure.READINESS_SCORE, target, score.index, f"{score.index:.0f}%", f"{score.wave.title}, {score.unit.name}.", url)


def response_rate(programme: Programme, target: Decimal, day: dt.date, shared: Shared | None = None) -> Evidence:
    score = shared.top_score(programme, day) if shared is not None else _top_score(programme, day)
    url = reverse("programme-scores", kwargs={"programme_pk": programme.pk})
    if score is None:
        return _evidence(Measure.RESPONSE_RATE, target, None, "no closed wave yet", "No survey wave has closed with scores.", url)
    if not score.shown or score.response_rate is None:
        return _evidence(Measure.RESPONSE_RATE, target, None, "not enough data", f"{score.wave.title}: too few answers to show a figure.", url)
    return _evidence(Measure.RESPONSE_RATE, target, score.response_rate, f"{score.response_rate:.0f}%", f"{score.wave.title}.", url)


def comms_sent(programme: Programme, target: Decimal, day: dt.date, shared: Shared | None = None) -> Evidence:
    sent = Message.objects.filter(programme=programme, status=Message.Status.SENT).count()
    return _evidence(Measure.COMMS_SENT, target, sent, str(sent), f"{sent} communication{'s' if sent != 1 else ''} sent or done.",
                     _url("message-list", programme))


def criteria_met(programme: Programme, target: Decimal, day: dt.date, shared: Shared | None = None) -> Evidence:
    statuses = CriterionStatus.objects.filter(criterion__programme=programme).exclude(rag__in=(Rag.NOT_ASSESSED, Rag.NO_DATA))
    assessed = statuses.count()
    url = reverse("criteria-list", kwargs={"programme_pk": programme.pk})
    if not assessed:
        return _evidence(Measure.CRITERIA_MET, target, None, "none assessed yet", "No criterion has been assessed for any unit.", url)
    met = statuses.filter(rag=Rag.GREEN).count()
    pct = 100 * met / assessed
    return _evidence(Measure.CRITERIA_MET, target, pct, f"{pct:.0f}%", f"{met} of {assessed} criterion statuses green.", url)


def stakeholders_engaged(programme: Programme, target: Decimal, day: dt.date, shared: Shared | None = None) -> Evidence:
    policy = EngagementPolicy.current()
    key = Q(influence__gte=policy.key_threshold) | Q(impact_judgement__gte=policy.key_threshold)
    recent = Engagement.objects.filter(assessment=OuterRef("pk"), status=Engagement.Status.DONE,
                                       happened_on__gte=day - dt.timedelta(days=ENGAGED_DAYS), happened_on__lte=day)
    keys = StakeholderAssessment.objects.filter(key, programme=programme, stakeholder__active=True)
    total = keys.count()
    url = _url("stakeholder-list", programme)
    if not total:
        return _evidence(Measure.STAKEHOLDERS_ENGAGED, target, None, "no key stakeholders yet", "No key stakeholder is assessed.", url)
    engaged = keys.filter(Exists(recent)).count()
    pct = 100 * engaged / total
    return _evidence(Measure.STAKEHOLDERS_ENGAGED, target, pct, f"{pct:.0f}%",
                     f"{engaged} of {total} key stakeholders engaged in the last {ENGAGED_DAYS} days.", url)


def overdue(programme: Programme, target: Decimal, day: dt.date, shared: Shared | None = None) -> Evidence:
    count = overdue_actions(Action.objects.filter(programme=programme), day).count()
    return _evidence(Measure.OVERDUE_ACTIONS, target, count, str(count), f"{count} overdue readiness action{'s' if count != 1 else ''}.",
                     f"{reverse('action-list')}?programme={programme.pk}&overdue=true")


MEASURES: dict[str, Callable[[Programme, Decimal, dt.date, Shared | None], Evidence]] = {
    Measure.CHAMPION_RATIO: champion_ratio,
    Measure.READINESS_SCORE: readiness_score,
    Measure.RESPONSE_RATE: response_rate,
    Measure.COMMS_SENT: comms_sent,
    Measure.CRITERIA_MET: criteria_met,
    Measure.STAKEHOLDERS_ENGAGED: stakeholders_engaged,
    Measure.OVERDUE_ACTIONS: overdue,
}


def promised(promise: Promise) -> str:
    """The promise as a figure: 1:25, 70%, 12."""
    target = promise.target.normalize() if promise.target == promise.target.to_integral() else promise.target
    if promise.measure == Measure.CHAMPION_RATIO:
        return f"1:{target:f}"
    if promise.measure in (Measure.READINESS_SCORE, Measure.RESPONSE_RATE, Measure.CRITERIA_MET, Measure.STAKEHOLDERS_ENGAGED):
        return f"{target:f}%"
    return f"{target:f}"


def promise_evidence(promise: Promise, day: dt.date | None = None) -> Evidence:
    return MEASURES[promise.measure](promise.approach.programme, promise.target, day or timezone.localdate(), None)


def approach_evidence(approach: Approach, day: dt.date | None = None, shared: Shared | None = None) -> list[tuple[Promise, Evidence]]:
    on = day or timezone.localdate()
    promises = list(approach.promises.select_related("approach__programme").order_by("section", "measure"))
    # Promises of one approach share figures (the readiness score and the response rate come from one stored score).
    shared = shared if shared is not None else Shared()
    return [(p, MEASURES[p.measure](approach.programme, p.target, on, shared)) for p in promises]


def promises_summary(approach: Approach, evidence: list[tuple[Promise, Evidence]] | None = None,
                     shared: Shared | None = None) -> tuple[int, int, int]:
    """(held, total, no data) over the approach's promises."""
    rows = evidence if evidence is not None else approach_evidence(approach, shared=shared)
    return (sum(1 for _, e in rows if e.holds), len(rows), sum(1 for _, e in rows if e.holds is None))
