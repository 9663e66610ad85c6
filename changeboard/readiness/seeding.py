"""Readiness criteria, training records, reviews and actions for the demo and
met seeds, written through the services (small volumes) except for the
training records (bulk) and back-dated statuses and actions (a seed shows
history the services would only let accumulate over months).

Per programme, for the first two rollout waves still to go live:
- two criteria fed from the survey scores (Knowledge at least 3.5, critical;
  Desire at least 3.0), evaluated when the worker has built the scores;
- one fed from training completion (critical), with completions seeded for
  the first wave's staff: most units pass, a few fall short;
- three assessed by hand (access provisioned (critical), super-users in
  place, business continuity plan), mostly green, with a few ambers and a
  critical red for every third programme, each with a link as evidence;
- the four default review checkpoints of each wave;
- actions from each source: some done, some open, some overdue.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from changeboard.accounts.models import User
from changeboard.organisation.models import Staff, subtree_q
from changeboard.portfolio.models import Programme, RolloutWave

from .models import Action, Criterion, CriterionStatus, Rag, TrainingRecord
from .services import actions as action_services
from .services import criteria as criteria_services
from .services import reviews as review_services

MANUAL = [
    ("technology", "Access and accounts provisioned for every user", "critical", "Accounts created and tested", "100% of users"),
    ("people", "Super-users in place in each team", "high", "Named super-users per team", "At least one per team"),
    ("organisation", "Local business continuity plan signed off", "medium", "Signed-off plan", "Signed off by the unit lead"),
]


def seed_readiness(*, seed: int, actor: User | None = None, today: dt.date | None = None) -> dict[str, int]:
    day = today or timezone.localdate()
    rng = random.Random(seed)
    counts = {"criteria": 0, "training_records": 0, "reviews": 0, "actions": 0}
    for index, programme in enumerate(Programme.objects.order_by("code")):
        waves = list(RolloutWave.objects.filter(programme=programme, go_live_date__gte=day).order_by("go_live_date", "pk")[:2])
        if not waves:
            continue
        first = waves[0]
        course = f"{programme.code}-101"
        counts["training_records"] += _training(first, course, rng, day)
        fed: list[dict[str, Any]] = [
            {"category": "people", "title": "Staff know how to work the new way", "criticality": "critical", "feed": "score",
             "element": "knowledge", "threshold": Decimal("3.5"), "measure": "Knowledge mean in the latest readiness survey"},
            {"category": "people", "title": "Staff want the change", "criticality": "high", "feed": "score", "element": "desire",
             "threshold": Decimal("3.0"), "measure": "Desire mean in the latest readiness survey"},
            {"category": "people", "title": f"Staff trained on {programme.name}", "criticality": "critical", "feed": "training",
             "course": course, "threshold": Decimal("90"), "measure": f"Share of staff who completed {course}", "rollout_wave": first},
        ]
        for fields in fed:
            criteria_services.criterion_save(programme=programme, actor=actor, due_date=first.go_live_date - dt.timedelta(weeks=2), **fields)
        for n, (category, title, criticality, measure, pass_mark) in enumerate(MANUAL):
            criterion = criteria_services.criterion_save(
                programme=programme, actor=actor, category=category, title=title, criticality=criticality, measure=measure,
                pass_mark=pass_mark, due_date=first.go_live_date - dt.timedelta(weeks=4 - n), owner=programme.change_lead)
            _manual_statuses(criterion, rng, red_allowed=index % 3 == 0 and criticality == "critical", day=day)
            criteria_services.evidence_add(criterion=criterion, title=f"{title}: tracker", actor=actor,
                                           url=f"https://sharepoint.example.police.uk/sites/{programme.code.lower()}/readiness/{n + 1}")
        counts["criteria"] += len(fed) + len(MANUAL)
        for wave in waves:
            counts["reviews"] += len(review_services.reviews_add_defaults(rollout_wave=wave, actor=actor))
        counts["actions"] += _actions(programme, first, rng, day, actor)
    return counts


def _training(wave: RolloutWave, course: str, rng: random.Random, day: dt.date) -> int:
    """Completions for the wave's staff: most units at 92-99%, one in four
    units at 60-85% (short of the 90% pass mark)."""
    records: list[TrainingRecord] = []
    for unit in wave.units.all():
        share = rng.uniform(0.60, 0.85) if rng.random() < 0.25 else rng.uniform(0.92, 0.99)
        staff = list(Staff.objects.current().filter(subtree_q([unit.path], "unit__path")).values_list("pk", flat=True))
        for pk in staff:
            if rng.random() < share:
                records.append(TrainingRecord(staff_id=pk, course=course, completed_on=day - dt.timedelta(days=rng.randint(1, 60))))
    TrainingRecord.objects.bulk_create(records, batch_size=5000, ignore_conflicts=True)
    return len(records)


def _manual_statuses(criterion: Criterion, rng: random.Random, red_allowed: bool, day: dt.date) -> None:
    statuses = list(criterion.statuses.select_related("unit"))
    for i, status in enumerate(statuses):
        roll = rng.random()
        status.rag = Rag.RED if red_allowed and i == 0 else Rag.AMBER if roll < 0.2 else Rag.GREEN
        status.note = {Rag.RED: "Accounts not yet provisioned for response teams", Rag.AMBER: "In progress"}.get(status.rag, "")
        status.as_of = day - dt.timedelta(days=rng.randint(1, 20))
    CriterionStatus.objects.bulk_update(statuses, ["rag", "note", "as_of"])


def _actions(programme: Programme, wave: RolloutWave, rng: random.Random, day: dt.date, actor: User | None) -> int:
    """Five actions: two open, one done, two overdue (back-dated: a new
    action cannot be raised late, so the seed moves their due dates)."""
    units = list(wave.units.all()[:3])
    criterion = Criterion.objects.filter(programme=programme, feed="training").first()
    made = [
        action_services.action_create(programme=programme, title="Run extra training sessions for the teams below the pass mark",
                                      due_date=day + dt.timedelta(days=21), actor=actor, owner=programme.change_lead,
                                      unit=units[0] if units else None, source=Action.Source.CRITERION, criterion=criterion),
        action_services.action_create(programme=programme, title="Champions to brief each shift on why the change is needed",
                                      due_date=day + dt.timedelta(days=14), actor=actor, owner=programme.change_lead,
                                      unit=units[-1] if units else None),
        action_services.action_create(programme=programme, title="Confirm super-user names with each team leader",
                                      due_date=day + dt.timedelta(days=7), actor=actor, owner=programme.change_lead),
        action_services.action_create(programme=programme, title="Agree cover for abstraction during training weeks",
                                      due_date=day + dt.timedelta(days=7), actor=actor, owner=programme.change_lead,
                                      unit=units[0] if units else None),
        action_services.action_create(programme=programme, title="Publish the go-live FAQ on the intranet",
                                      due_date=day + dt.timedelta(days=7), actor=actor, owner=programme.change_lead),
    ]
    action_services.action_update(action=made[2], actor=actor, status=Action.Status.DONE)
    for action in made[3:]:
        Action.objects.filter(pk=action.pk).update(due_date=day - dt.timedelta(days=rng.randint(3, 20)), created_at=timezone.now() - dt.timedelta(days=30))
    return len(made)
