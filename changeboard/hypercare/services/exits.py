"""Exit criteria, evaluated live on a period's queries, and the exit
decision (exit, or extend to a new end date) with its frozen snapshot.

The criteria (decided for issue 12, see docs/decisions.md):
- `no_open_p1`: no query open at P1 (the threshold is not used: none means none).
- `sla_met`: of the queries resolved in the last 14 days (rolling, up to the
  moment evaluated) that were P1 or P2 when their resolution clock stopped,
  the share whose RESOLUTION SLA was met is at least the threshold %. The
  response SLA is shown beside it but does not decide: a slow first answer
  to a query then resolved in time is not a reason to keep hypercare
  running. No P1/P2 resolved in the window passes ("none resolved"): there
  is nothing missed.
- `new_per_day`: at most N new queries on each of the last five WORKING
  days (the support team's days, bank holidays off), the window ending today
  once today's working day is over, otherwise on the last full working day.
  Fewer than five working days since go-live fails ("too early to tell").
- `training_gaps`: no unit (the requester's unit) with more than M open
  training-gap queries.

`exit_decide` records a decision by the programme's change managers, the
Board (`decide` in `Period.role_actions`) or an admin, and freezes each
criterion's figure, pass or fail and counts as they stood (`snapshot`),
like a readiness review. Exit marks the period exited (its end becomes
today when that is earlier); extend moves its end to a later date.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from changeboard.accounts.models import User
from changeboard.core import audit

from ..models import ExitCriterion, ExitDecision, Period, Priority, Query
from .sla import LONDON, ClockState, WorkingCalendar, sla_states

Kind = ExitCriterion.Kind
Decision = ExitDecision.Decision
DECIDE = "decide"
SLA_WINDOW_DAYS = 14
RUN_DAYS = 5
SLA_PRIORITIES = (Priority.P1, Priority.P2)
KIND_ORDER: dict[str, int] = {str(kind): index for index, kind in enumerate((Kind.NO_OPEN_P1, Kind.SLA_MET, Kind.NEW_PER_DAY, Kind.TRAINING_GAPS))}


def _number(value: Decimal) -> str:
    """'90', '92.5' (no trailing zeros, never exponent notation)."""
    text = f"{value.normalize():f}"
    return text


def rule_text(kind: str, threshold: Decimal) -> str:
    """What passes, in words."""
    if kind == Kind.NO_OPEN_P1:
        return "No P1 query open"
    if kind == Kind.SLA_MET:
        return f"At least {_number(threshold)}% of P1 and P2 queries resolved in the last {SLA_WINDOW_DAYS} days met the resolution SLA"
    if kind == Kind.NEW_PER_DAY:
        return f"At most {_number(threshold)} new queries a day on each of the last {RUN_DAYS} working days"
    return f"No unit with more than {_number(threshold)} open training-gap queries"


def _row(criterion: ExitCriterion, passed: bool, figure: Decimal | int | None, figure_text: str, detail: str,
         counts: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    return {"id": criterion.pk, "kind": criterion.kind, "label": criterion.get_kind_display(),
            "threshold": _number(Decimal(criterion.threshold)), "rule": rule_text(criterion.kind, Decimal(criterion.threshold)),
            "passed": passed, "figure": None if figure is None else str(figure), "figure_text": figure_text, "detail": detail,
            "counts": counts, "evaluated_at": now}


def _no_open_p1(period: Period, criterion: ExitCriterion, now: dt.datetime) -> dict[str, Any]:
    open_p1 = Query.objects.filter(period=period, status__in=Query.OPEN_STATUSES, priority=Priority.P1, created_at__lte=now).count()
    return _row(criterion, open_p1 == 0, open_p1, f"{open_p1} open P1", "", {"open_p1": open_p1}, now)


def _sla_met(period: Period, criterion: ExitCriterion, now: dt.datetime) -> dict[str, Any]:
    since = now - dt.timedelta(days=SLA_WINDOW_DAYS)
    resolved = Query.objects.filter(period=period, resolved_at__gt=since, resolved_at__lte=now)
    states = [s for s in sla_states(resolved, now=now).values() if s.resolution.priority in SLA_PRIORITIES]
    total = len(states)
    met = sum(1 for s in states if s.resolution.state == ClockState.MET)
    response_met = sum(1 for s in states if s.response.state == ClockState.MET)
    counts = {"resolved": total, "met": met, "breached": total - met, "response_met": response_met}
    if total == 0:
        return _row(criterion, True, None, "None resolved", f"No P1 or P2 query was resolved in the last {SLA_WINDOW_DAYS} days.",
                    counts, now)
    threshold = Decimal(criterion.threshold)
    share = (Decimal(met * 100) / total).quantize(Decimal("0.1"))
    passed = Decimal(met * 100) >= threshold * total  # exact: no rounding decides a pass
    detail = (f"{met} of {total} met the resolution SLA; {response_met} of {total} met the response SLA "
              "(shown, not counted).")
    return _row(criterion, passed, share, f"{_number(share)}%", detail, counts, now)


def run_window(period: Period, now: dt.datetime, calendar: WorkingCalendar | None = None) -> list[dt.date]:
    """The last `RUN_DAYS` working days, oldest first, ending today once
    today's working day is over, otherwise on the last full working day."""
    calendar = calendar or WorkingCalendar.for_period(period)
    local = now.astimezone(LONDON)
    day = local.date()
    if not (calendar.is_working_day(day) and local.time() >= period.day_ends):
        day -= dt.timedelta(days=1)
    days: list[dt.date] = []
    while len(days) < RUN_DAYS:
        if calendar.is_working_day(day):
            days.append(day)
        day -= dt.timedelta(days=1)
    return days[::-1]


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(0), tzinfo=LONDON)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=LONDON)
    return start, end


def _new_per_day(period: Period, criterion: ExitCriterion, now: dt.datetime) -> dict[str, Any]:
    days = run_window(period, now)
    first, _ = _day_bounds(days[0])
    _, last = _day_bounds(days[-1])
    raised = Query.objects.filter(period=period, created_at__gte=first, created_at__lt=last).values_list("created_at", flat=True)
    per_day = Counter(at.astimezone(LONDON).date() for at in raised)
    figures = {d.isoformat(): per_day.get(d, 0) for d in days}
    most = max(figures.values())
    detail = "; ".join(f"{d:%a} {d.day} {d:%b}: {figures[d.isoformat()]}" for d in days)
    counts = {"days": figures}
    if days[0] < period.starts_on:
        return _row(criterion, False, most, "Too early to tell",
                    f"Fewer than {RUN_DAYS} working days since go-live ({period.starts_on:%d %b %Y}). {detail}", counts, now)
    passed = Decimal(most) <= Decimal(criterion.threshold)
    return _row(criterion, passed, most, f"At most {most} a day", detail, counts, now)


def _training_gaps(period: Period, criterion: ExitCriterion, now: dt.datetime) -> dict[str, Any]:
    per_unit = list(Query.objects.filter(period=period, status__in=Query.OPEN_STATUSES, category__is_training_gap=True,
                                         created_at__lte=now)
                    .values("unit_id", "unit__name").annotate(n=Count("pk")).order_by("-n", "unit__name"))
    threshold = Decimal(criterion.threshold)
    over = [row for row in per_unit if Decimal(row["n"]) > threshold]
    most = per_unit[0]["n"] if per_unit else 0
    total = sum(row["n"] for row in per_unit)
    if over:
        detail = "Over: " + ", ".join(f"{row['unit__name']} ({row['n']})" for row in over[:5]) + (
            f" and {len(over) - 5} more" if len(over) > 5 else "") + "."
    elif per_unit:
        detail = f"Most in one unit: {per_unit[0]['unit__name']} ({most})."
    else:
        detail = "No open training-gap queries."
    counts = {"open_training_gaps": total, "units_over": len(over), "most_in_a_unit": most}
    return _row(criterion, not over, most, f"{most} in one unit", detail, counts, now)


EVALUATORS = {Kind.NO_OPEN_P1: _no_open_p1, Kind.SLA_MET: _sla_met, Kind.NEW_PER_DAY: _new_per_day, Kind.TRAINING_GAPS: _training_gaps}


def exit_rows(period: Period, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Each exit criterion of the period, evaluated live: its rule in words,
    figure, pass or fail, detail, counts and the moment evaluated (the
    context `exit_rows` of `hypercare/_exit_criteria.html`)."""
    now = now or timezone.now()
    criteria = sorted(period.exit_criteria.all(), key=lambda c: KIND_ORDER.get(c.kind, 99))
    return [EVALUATORS[Kind(c.kind)](period, c, now) for c in criteria]


def exit_snapshot(period: Period, now: dt.datetime) -> dict[str, Any]:
    """What a decision freezes: each criterion as evaluated, and the period's counts."""
    rows = exit_rows(period, now)
    queries = Query.objects.filter(period=period, created_at__lte=now)
    by_status = dict(queries.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    open_count = sum(by_status.get(s, 0) for s in Query.OPEN_STATUSES)
    return {
        "evaluated_at": now.isoformat(),
        "starts_on": period.starts_on.isoformat(), "ends_on": period.ends_on.isoformat(),
        "criteria": [{**row, "evaluated_at": now.isoformat()} for row in rows],
        "passed": sum(1 for r in rows if r["passed"]), "failed": sum(1 for r in rows if not r["passed"]),
        "all_passed": all(r["passed"] for r in rows),
        "counts": {"raised": sum(by_status.values()), "open": open_count, "by_status": by_status},
    }


def can_decide(actor: User | None, period: Period) -> bool:
    """The programme's change managers, the Board and admins."""
    return bool(actor) and Period.objects.restrict(actor, DECIDE).filter(pk=period.pk).exists()


@transaction.atomic
def exit_decide(*, period: Period, decision: str, reason: str, new_end: dt.date | None, actor: User | None,
                at: dt.datetime | None = None) -> ExitDecision:
    """Record an exit or an extension, frozen with the criteria as they stand
    (`at`: when it was decided, now unless a seed writes history)."""
    if not can_decide(actor, period):
        raise PermissionDenied("Only the programme's change managers or the Board can decide the exit.")
    period = Period.objects.select_for_update().get(pk=period.pk)
    reason = "\n".join(line.rstrip() for line in (reason or "").strip().splitlines())
    now = at or timezone.now()
    today = timezone.localdate(now)
    errors: dict[str, str] = {}
    if decision not in Decision.values:
        errors["decision"] = "Choose exit or extend."
    if period.status == Period.Status.EXITED:
        raise ValidationError("Hypercare for this wave has already ended.")
    if not reason:
        errors["reason"] = "Enter the reason for the decision."
    if decision == Decision.EXTEND:
        if new_end is None:
            errors["new_end"] = "Enter the new end date."
        elif new_end <= period.ends_on:
            errors["new_end"] = f"The new end date must be after the current end, {period.ends_on:%d %B %Y}."
    elif decision == Decision.EXIT and new_end is not None:
        errors["new_end"] = "Leave the new end date blank to exit."
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(period, exclude=("public_token",))
    record = ExitDecision.objects.create(period=period, decision=decision, new_end=new_end if decision == Decision.EXTEND else None,
                                         reason=reason, decided_by=actor if getattr(actor, "is_authenticated", False) else None,
                                         decided_at=now, snapshot=exit_snapshot(period, now))
    if decision == Decision.EXIT:
        period.status = Period.Status.EXITED
        period.ends_on = max(period.starts_on, min(period.ends_on, today))
    else:
        assert new_end is not None
        period.ends_on = new_end
    period.save(update_fields=["status", "ends_on"])
    audit.record(actor=actor, action="create", obj=record, after=audit.snapshot(record, exclude=("snapshot",)))
    audit.record(actor=actor, action="update", obj=period, before=before, after=audit.snapshot(period, exclude=("public_token",)))
    return record


@transaction.atomic
def exit_criterion_update(*, criterion: ExitCriterion, threshold: Any, actor: User | None) -> ExitCriterion:
    """Change a criterion's threshold (the SLA's lowest passing %, or the most allowed)."""
    if criterion.kind == Kind.NO_OPEN_P1:
        raise ValidationError({"threshold": "No open P1 has no threshold: none means none."})
    try:
        value = Decimal(str(threshold).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"threshold": "Enter the threshold as a number."}) from None
    if not value.is_finite() or value < 0:
        raise ValidationError({"threshold": "Enter a threshold of 0 or more."})
    if criterion.kind == Kind.SLA_MET and value > 100:
        raise ValidationError({"threshold": "Enter a percentage between 0 and 100."})
    if criterion.kind != Kind.SLA_MET and value != value.to_integral_value():
        raise ValidationError({"threshold": "Enter a whole number of queries."})
    if value >= Decimal("100000"):
        raise ValidationError({"threshold": "Enter a threshold below 100,000."})
    criterion = ExitCriterion.objects.select_for_update().get(pk=criterion.pk)
    before = audit.snapshot(criterion)
    criterion.threshold = value.quantize(Decimal("0.1"))
    criterion.save(update_fields=["threshold"])
    audit.record(actor=actor, action="update", obj=criterion, before=before, after=audit.snapshot(criterion))
    return criterion
