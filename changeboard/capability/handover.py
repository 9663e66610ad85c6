"""The handover evidence: for each activity the change team does, who in
the force has done it themselves, read from the audit trail the existing
services write (never typed in). Each activity has one signature:

| activity | service | audit row |
|---|---|---|
| survey wave | `surveys.services.wave_launch` | `surveys.surveywave`, update, after.status "scheduled" |
| board pack | `reports.packs.pack_request` | `reports.boardpack`, create (portfolio-wide: counts for every programme) |
| readiness review | `readiness.services.reviews.review_decide` | `readiness.review`, update, before.decision "" and after.decision set |
| rehearsal | `cutover.services.runs.run_start` (kind rehearsal) | `cutover.run`, create, after.kind "rehearsal" |
| comms | `engagement.services.sending.message_send` | `engagement.message`, update, after.sending "message" |
| impact assessment | `impacts.services.assessment_submit` | `impacts.impactassessment`, update, before.status "draft", after.status "submitted" |

A row belongs to a programme through its object id (the programme's waves,
reviews, rehearsal runs, messages, assessments). The actor counts as the
force's own when linked to an active `Practitioner` (`Practitioner.user`);
any other signed-in actor is the change team; the system (no actor) is
neither. One query per activity for the ids, one for the audit rows, one
for the practitioners and one for the plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from changeboard.core.models import AuditEntry
from changeboard.core.scoping import PROGRAMME_MEMBER_ROLES, UNIT_ROLES, VIEW, can
from changeboard.cutover.models import Run
from changeboard.engagement.models import Message
from changeboard.impacts.models import ImpactAssessment
from changeboard.portfolio.models import Programme
from changeboard.readiness.models import Review
from changeboard.surveys.models import SurveyWave

from .models import HandoverActivity, HandoverItem, Practitioner

DEFAULT_TIMES = 2
ALONE = "alone"
HANDING_OVER = "handing_over"
NOT_YET = "not_yet"
STATUS_LABELS = {ALONE: "The force runs it alone", HANDING_OVER: "Handing over", NOT_YET: "Not yet"}


@dataclass(frozen=True)
class Signature:
    object_type: str
    action: str
    match: Q  # on the audit row's before/after
    ids: Callable[[Programme], QuerySet] | None  # the programme's objects; None: portfolio-wide


SIGNATURES: dict[str, Signature] = {
    HandoverActivity.SURVEY_WAVE: Signature("surveys.surveywave", "update", Q(after__status=SurveyWave.Status.SCHEDULED),
                                            lambda p: SurveyWave.objects.filter(programme=p)),
    HandoverActivity.BOARD_PACK: Signature("reports.boardpack", "create", Q(), None),
    HandoverActivity.READINESS_REVIEW: Signature("readiness.review", "update",
                                                 Q(before__decision="", after__decision__in=list(Review.Decision.values)),
                                                 lambda p: Review.objects.filter(programme=p)),
    HandoverActivity.REHEARSAL: Signature("cutover.run", "create", Q(after__kind=Run.Kind.REHEARSAL),
                                          lambda p: Run.objects.filter(runbook__programme=p, kind=Run.Kind.REHEARSAL)),
    HandoverActivity.COMMS: Signature("engagement.message", "update", Q(after__sending="message"),
                                      lambda p: Message.objects.filter(programme=p)),
    HandoverActivity.IMPACT_ASSESSMENT: Signature("impacts.impactassessment", "update",
                                                  Q(before__status=ImpactAssessment.Status.DRAFT, after__status=ImpactAssessment.Status.SUBMITTED),
                                                  lambda p: ImpactAssessment.objects.filter(programme=p)),
}


@dataclass
class Doer:
    """One of the force's own people who did the activity."""

    practitioner: Practitioner
    times: int = 0
    last: dt.datetime | None = None
    entry_ids: list[int] = field(default_factory=list)


@dataclass
class HandoverRow:
    activity: str
    label: str
    item: HandoverItem | None
    times_required: int
    doers: list[Doer]
    team_count: int
    status: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def owner(self) -> Practitioner | None:
        return self.item.owner if self.item is not None else None

    @property
    def target_date(self) -> dt.date | None:
        return self.item.target_date if self.item is not None else None

    @property
    def evidence(self) -> int:
        return sum(d.times for d in self.doers) + self.team_count


def status_for(doers: list[Doer], times_required: int) -> str:
    if any(d.times >= times_required for d in doers):
        return ALONE
    if any(d.times for d in doers):
        return HANDING_OVER
    return NOT_YET


def _entries(programme: Programme, as_of: dt.date | None) -> QuerySet:
    parts = []
    for sig in SIGNATURES.values():
        q = Q(object_type=sig.object_type, action=sig.action) & sig.match
        if sig.ids is not None:
            ids = [str(pk) for pk in sig.ids(programme).values_list("pk", flat=True)]
            if not ids:
                continue
            q &= Q(object_id__in=ids)
        parts.append(q)
    entries = AuditEntry.objects.filter(reduce(or_, parts), actor__isnull=False)
    if as_of is not None:
        entries = entries.filter(timestamp__lt=timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())))
    return entries


def _activity_of(object_type: str) -> str:
    for activity, sig in SIGNATURES.items():
        if sig.object_type == object_type:
            return activity
    return ""


def handover_view(programme: Programme, as_of: dt.date | None = None) -> list[HandoverRow]:
    """Per activity, in the order of `HandoverActivity`: the plan item, the
    force's own people who did it (times, last date, the audit entries), the
    change team's count and the status."""
    items = {i.activity: i for i in HandoverItem.objects.filter(programme=programme).select_related("owner__staff")}
    rows = list(_entries(programme, as_of).order_by("timestamp", "pk").values_list("pk", "object_type", "actor_id", "timestamp"))
    actor_ids = {r[2] for r in rows}
    by_user: dict[int, Practitioner] = {}
    for practitioner in Practitioner.objects.filter(active=True, user_id__in=actor_ids).select_related("staff").order_by("pk"):
        by_user.setdefault(practitioner.user_id, practitioner)  # type: ignore[arg-type]  # filtered on user ids, never None
    doers: dict[str, dict[int, Doer]] = {a: {} for a in SIGNATURES}
    team: dict[str, int] = dict.fromkeys(SIGNATURES, 0)
    for pk, object_type, actor_id, timestamp in rows:
        activity = _activity_of(object_type)
        person = by_user.get(actor_id)
        if person is None:
            team[activity] += 1
            continue
        doer = doers[activity].setdefault(person.pk, Doer(person))
        doer.times += 1
        doer.last = timestamp
        doer.entry_ids.append(pk)
    result = []
    for activity, label in HandoverActivity.choices:
        item = items.get(activity)
        times = item.times_required if item is not None else DEFAULT_TIMES
        found = sorted(doers[activity].values(), key=lambda d: (-d.times, str(d.practitioner)))
        result.append(HandoverRow(activity=activity, label=label, item=item, times_required=times, doers=found, team_count=team[activity],
                                  status=status_for(found, times)))
    return result


def programme_handover_summary(programme: Programme, rows: list[HandoverRow] | None = None) -> tuple[int, int]:
    """(activities the force runs alone, activities)."""
    rows = rows if rows is not None else handover_view(programme)
    return sum(1 for r in rows if r.status == ALONE), len(rows)


def visible_programmes(user: Any, model: type[Model] = HandoverItem) -> QuerySet[Programme]:
    """The programmes whose `model` rows (handover, approach: programme-scoped)
    the user may view: the programme model's own scope where the role reads
    programmes; a role that may view `model` but not programmes (auditors)
    holds it with no programme narrowing, so sees every programme's."""
    if can(user, Programme, VIEW):
        return Programme.objects.restrict(user)
    role = getattr(user, "role", None)
    if can(user, model, VIEW) and role not in PROGRAMME_MEMBER_ROLES and role not in UNIT_ROLES:
        return Programme.objects.all()
    return Programme.objects.none()
