"""Writes for hypercare queries: raising one (from the public form, on
someone's behalf, by the support team, or from an import), and every step
of its life, each one a `QueryEvent` (the SLA clocks read the events) and
an audit row. Updates the requester should hear about (a status change, a
comment to them) go through the outbox to the contact email, keyed by the
event so nothing is sent twice.

The rules of a query's life (`TRANSITIONS`):
- the first response is the first step out of "new" by the support side, or
  the first comment to the requester;
- "waiting on requester" pauses the resolution clock until it leaves it;
- a resolved query can be reopened by its raiser within the period's
  `reopen_days`, or by the support team at any time before it is closed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from changeboard.accounts.models import User
from changeboard.core import audit
from changeboard.core.outbox import outbox_add
from changeboard.impacts.models import ImpactLine
from changeboard.organisation.models import Staff, Unit

from ..models import Category, Period, Priority, Query, QueryEvent
from .feedback import spike_check_on_commit

Status = Query.Status
Kind = QueryEvent.Kind

TRANSITIONS: dict[str, set[str]] = {
    Status.NEW: {Status.ASSIGNED, Status.IN_PROGRESS, Status.WAITING, Status.RESOLVED, Status.CLOSED},
    Status.ASSIGNED: {Status.IN_PROGRESS, Status.WAITING, Status.RESOLVED, Status.CLOSED},
    Status.IN_PROGRESS: {Status.ASSIGNED, Status.WAITING, Status.RESOLVED, Status.CLOSED},
    Status.WAITING: {Status.IN_PROGRESS, Status.ASSIGNED, Status.RESOLVED, Status.CLOSED},
    Status.REOPENED: {Status.ASSIGNED, Status.IN_PROGRESS, Status.WAITING, Status.RESOLVED, Status.CLOSED},
    Status.RESOLVED: {Status.CLOSED, Status.REOPENED},
    Status.CLOSED: set(),
}
NOTIFY_KIND = "hypercare-update"
RELATED_FIELDS = ["period", "category", "unit", "impact_line", "raised_by", "assignee"]


def staff_lookup(identifier: str, *, for_update: bool = False) -> Staff | None:
    """The current member of staff with this staff number or email
    (case-insensitive), with their unit. `for_update` locks the person's row
    (not the unit's) until the transaction ends."""
    value = identifier.strip()
    if not value:
        return None
    people = Staff.objects.filter(is_leaver=False).select_related("unit")
    if for_update:
        people = people.select_for_update(of=("self",))
    if "@" in value:
        return people.filter(email__iexact=value).order_by("pk").first()
    return people.filter(staff_number=value).first()


def _event(query: Query, kind: str, at: dt.datetime, actor: Any, from_value: str = "", to_value: str = "", text: str = "",
           to_requester: bool = False) -> QueryEvent:
    return QueryEvent.objects.create(query=query, kind=kind, at=at, actor=actor if getattr(actor, "is_authenticated", False) else None,
                                     from_value=from_value, to_value=to_value, text=text, to_requester=to_requester)


def _notify(query: Query, event: QueryEvent, subject: str, body: str) -> None:
    if query.contact_email:
        outbox_add(key=f"hypercare-event-{event.pk}", kind=NOTIFY_KIND, to_address=query.contact_email,
                   subject=f"{query.reference}: {subject}", body=body)


def _check_category(period: Period, category: Category) -> None:
    if category.period_id != period.pk:
        raise ValidationError({"category": "Choose one of this period's categories."})
    if not category.active:
        raise ValidationError({"category": "That category is no longer in use: choose another."})


@transaction.atomic
def query_create(*, period: Period, category: Category, title: str, actor: User | None, source: str,
                 unit: Unit | None = None, staff: Staff | None = None, role: str = "", contact_name: str = "",
                 contact_email: str = "", priority: str = Priority.P3, description: str = "",
                 impact_line: ImpactLine | None = None, external_ref: str = "", tags: str = "",
                 created_at: dt.datetime | None = None) -> Query:
    """Raise a query. With `staff` (the person found by staff number or
    email) the unit and role come from the organisation model and the
    contact details from their record; otherwise `unit` is required."""
    if period.status == Period.Status.EXITED and source != Query.Source.IMPORT:
        raise ValidationError("Hypercare for this wave has ended: raise it with the service desk.")
    _check_category(period, category)
    if staff is not None:
        unit, role = staff.unit, staff.role
        contact_name = contact_name or f"{staff.first_name} {staff.last_name}".strip()
        contact_email = contact_email or staff.email
    if unit is None:
        raise ValidationError({"unit": "Choose the unit the query comes from."})
    if impact_line is not None and impact_line.assessment.programme_id != period.rollout_wave.programme_id:
        raise ValidationError({"impact_line": "That impact line belongs to another programme."})
    now = created_at or timezone.now()
    query = Query(period=period, category=category, title=title.strip(), description=description.strip(), unit=unit, role=role,
                  contact_name=contact_name.strip(), contact_email=contact_email.strip(), priority=priority, source=source,
                  impact_line=impact_line, external_ref=external_ref.strip(), tags=tags.strip(), created_at=now,
                  raised_by=actor if getattr(actor, "is_authenticated", False) else None)
    # The field checks (lengths, choices); not the related objects', which
    # the caller has just loaded and the database's foreign keys guard, nor
    # the random reference's uniqueness (its unique index does). The
    # service-desk reference's per-period uniqueness only where there is one.
    query.clean_fields(exclude=RELATED_FIELDS)
    if query.external_ref:
        query.validate_constraints()
    query.save()
    if category.is_training_gap:
        spike_check_on_commit(query)
    event = _event(query, Kind.CREATED, now, actor, to_value=query.status)
    audit.record(actor=actor, action="create", obj=query, after=audit.snapshot(query, exclude=("contact_name", "contact_email")))
    _notify(query, event, "we have your query",
            f"Thank you: your query \"{query.title}\" has reference {query.reference}. Keep it to check its status.")
    return query


def _locked(query: Query) -> Query:
    return Query.objects.select_for_update(of=("self",)).select_related("period").get(pk=query.pk)


def _responded(query: Query, at: dt.datetime) -> None:
    if query.first_response_at is None:
        query.first_response_at = at


@transaction.atomic
def query_transition(*, query: Query, status: str, actor: User | None, comment: str = "", by_requester: bool = False,
                     at: dt.datetime | None = None) -> Query:
    """Move a query to `status` (see `TRANSITIONS`). The requester may only
    reopen their resolved query, within the period's `reopen_days`."""
    query = _locked(query)
    now = at or timezone.now()
    if status not in TRANSITIONS.get(query.status, set()):
        raise ValidationError(f"A query that is {query.get_status_display().lower()} cannot become "
                              f"{Status(status).label.lower() if status in Status.values else status}.")
    if by_requester:
        if status != Status.REOPENED:
            raise ValidationError("You can only reopen your query.")
        assert query.resolved_at is not None
        if now > query.resolved_at + dt.timedelta(days=query.period.reopen_days):
            raise ValidationError(f"This query was resolved more than {query.period.reopen_days} days ago: raise a new one.")
    before = query.status
    query.status = status
    if not by_requester and before in (Status.NEW, Status.REOPENED) and status != Status.CLOSED:
        _responded(query, now)
    if status == Status.RESOLVED:
        query.resolved_at = now
    elif status == Status.REOPENED:
        query.resolved_at = None
    if status == Status.CLOSED:
        query.closed_at = now
        if query.resolved_at is None:
            query.resolved_at = now
    query.save()
    event = _event(query, Kind.STATUS, now, actor, before, status, comment.strip(), to_requester=bool(comment.strip()) and not by_requester)
    audit.record(actor=actor, action="update", obj=query, before={"status": before}, after={"status": status})
    if not by_requester:
        text = f"Your query \"{query.title}\" is now: {query.get_status_display().lower()}."
        if comment.strip():
            text += f"\n\n{comment.strip()}"
        _notify(query, event, query.get_status_display().lower(), text)
    return query


@transaction.atomic
def query_assign(*, query: Query, assignee: User | None, actor: User | None, at: dt.datetime | None = None) -> Query:
    """Give a query to someone on the support team (None: unassign). A new
    or reopened query becomes "assigned" (its first response)."""
    query = _locked(query)
    now = at or timezone.now()
    team = query.period.support_team
    if assignee is not None and (team is None or not team.members.filter(pk=assignee.pk).exists()):
        raise ValidationError({"assignee": "Assign the query to someone on the period's support team."})
    if not query.is_open:
        raise ValidationError("Only an open query can be assigned.")
    before = query.assignee_id
    query.assignee = assignee
    if assignee is not None and query.status in (Status.NEW, Status.REOPENED):
        _event(query, Kind.STATUS, now, actor, query.status, Status.ASSIGNED)
        query.status = Status.ASSIGNED
        _responded(query, now)
    query.save()
    _event(query, Kind.ASSIGNED, now, actor, str(before or ""), str(assignee.pk if assignee else ""))
    audit.record(actor=actor, action="update", obj=query, before={"assignee": before}, after={"assignee": query.assignee_id})
    return query


@transaction.atomic
def query_comment(*, query: Query, text: str, actor: User | None, to_requester: bool = False, at: dt.datetime | None = None) -> QueryEvent:
    """A note on the timeline; sent to the requester (and counted as the
    first response) when `to_requester`."""
    query = _locked(query)
    now = at or timezone.now()
    if not text.strip():
        raise ValidationError({"text": "Write the comment."})
    if to_requester:
        _responded(query, now)
        query.save()
    event = _event(query, Kind.COMMENT, now, actor, text=text.strip(), to_requester=to_requester)
    audit.record(actor=actor, action="update", obj=query, after={"comment": event.pk, "to_requester": to_requester})
    if to_requester:
        _notify(query, event, "an update on your query", text.strip())
    return event


@transaction.atomic
def query_update(*, query: Query, actor: User | None, at: dt.datetime | None = None, **fields: Any) -> Query:
    """Change a query's priority, category, title, description, impact line or tags.
    A priority or category change is on the timeline (the SLA follows the priority)."""
    allowed = {"priority", "category", "title", "description", "impact_line", "tags"}
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise ValidationError(f"These cannot be changed on a query: {', '.join(unknown)}.")
    query = _locked(query)
    now = at or timezone.now()
    before = audit.snapshot(query, exclude=("contact_name", "contact_email"))
    if "category" in fields and fields["category"].pk != query.category_id:
        _check_category(query.period, fields["category"])
        _event(query, Kind.CATEGORY, now, actor, str(query.category_id), str(fields["category"].pk))
        if fields["category"].is_training_gap:
            spike_check_on_commit(query)
    if "priority" in fields and fields["priority"] != query.priority:
        if fields["priority"] not in Priority.values:
            raise ValidationError({"priority": "Choose P1, P2, P3 or P4."})
        _event(query, Kind.PRIORITY, now, actor, query.priority, fields["priority"])
    impact_line = fields.get("impact_line")
    if impact_line is not None and impact_line.assessment.programme_id != query.period.rollout_wave.programme_id:
        raise ValidationError({"impact_line": "That impact line belongs to another programme."})
    for name, value in fields.items():
        setattr(query, name, value.strip() if isinstance(value, str) else value)
    # The field checks (lengths, choices); not the related objects', which
    # the caller has just loaded and the database's foreign keys guard, nor
    # the random reference's uniqueness (its unique index does). The
    # service-desk reference's per-period uniqueness only where there is one.
    query.clean_fields(exclude=RELATED_FIELDS)
    if query.external_ref:
        query.validate_constraints()
    query.save()
    audit.record(actor=actor, action="update", obj=query, before=before, after=audit.snapshot(query, exclude=("contact_name", "contact_email")))
    return query
