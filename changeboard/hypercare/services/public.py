"""The public side of hypercare, for people without an account: raising a
query from the link in the go-live communications, and a requester's
status page (found from the reference AND the email or staff number the
query was raised with), with their reopen.

Limits, counted in Django's cache (shared across processes when Redis is
configured; `LocMemCache` otherwise, per process):

- flood control on raising: at most `PER_PERSON_HOUR` queries an hour per
  member of staff, and `PER_IP_HOUR` submissions an hour from one address
  (every submission counts there, so a script walking staff numbers is
  stopped too). A refusal says when to try again (`Limited.retry_after`,
  the `Retry-After` header) and the form keeps everything typed;
- a double submit (same person, same title, within `DUPLICATE_SECONDS`)
  answers the query already raised instead of raising a second one: the
  person's staff record is locked while it is looked for, so two
  simultaneous submits cannot both create one;
- status lookups are throttled like sign-in: failures per address and per
  reference within a cool-off window, the same answer for an unknown
  reference and a wrong email, and a locked client is refused before the
  lookup (so a right answer teaches it nothing either).

Each limit can be changed in settings (`HYPERCARE_PUBLIC_PER_PERSON_HOUR`,
`HYPERCARE_PUBLIC_PER_IP_HOUR`, `HYPERCARE_STATUS_FAILURES_PER_IP`,
`HYPERCARE_STATUS_FAILURES_PER_REFERENCE`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import time
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from changeboard.organisation.models import Staff

from ..models import Attachment, Category, Period, Priority, Query, QueryEvent
from .attachments import CheckedFile, attachment_add, attachments_check
from .queries import query_create, query_transition, staff_lookup

__all__ = [
    "DUPLICATE_SECONDS", "PUBLIC_PRIORITIES", "Limited", "TimelineEntry", "can_reopen", "period_for_token", "public_raise",
    "public_reopen", "public_timeline", "status_lookup", "unknown_person_message",
]

logger = logging.getLogger(__name__)

# P1 (critical) is the support team's call: the public suggests P2 to P4.
PUBLIC_PRIORITIES = [(Priority.P2.value, "High: I cannot do an important part of my job"),
                     (Priority.P3.value, "Medium: I can work, but it is slowing me down"),
                     (Priority.P4.value, "Low: a question or a minor problem")]
DUPLICATE_SECONDS = 60
HOUR = 3600
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{8,40}")
REFERENCE_SHAPE = re.compile(r"HC-[A-Z0-9]{8}")


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def per_person_hour() -> int:
    return _setting("HYPERCARE_PUBLIC_PER_PERSON_HOUR", 5)


def per_ip_hour() -> int:
    return _setting("HYPERCARE_PUBLIC_PER_IP_HOUR", 30)


def status_failures_per_ip() -> int:
    return _setting("HYPERCARE_STATUS_FAILURES_PER_IP", 10)


def status_failures_per_reference() -> int:
    return _setting("HYPERCARE_STATUS_FAILURES_PER_REFERENCE", 5)


def status_window() -> int:
    """The status lookup's cool-off, in seconds: sign-in's (`LOGIN_COOLOFF_MINUTES`)."""
    return max(60, int(float(getattr(settings, "AXES_COOLOFF_TIME", 0.25)) * 3600))


class Limited(Exception):
    """Refused by a limit; `retry_after` is the seconds until it lifts."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = max(1, retry_after)


# ---------------------------------------------------------------- counters in the cache


def _hashed(value: str) -> str:
    """Cache keys hold no address, staff id or reference in the clear."""
    return hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()[:32]


def _window(seconds: int) -> tuple[int, int]:
    """The current fixed window's number and the seconds left in it."""
    now = int(time.time())
    return now // seconds, seconds - now % seconds


def _count(key: str, seconds: int) -> int:
    """Add one to a counter that lasts for its window; its new value. A
    cache that fails lets the request through (logged): refusing every
    genuine query because Redis is down would be worse."""
    number, left = _window(seconds)
    full = f"hypercare:{key}:{number}"
    try:
        if cache.add(full, 1, timeout=left + 1):
            return 1
        return int(cache.incr(full))
    except ValueError:  # expired between add and incr
        cache.set(full, 1, timeout=left + 1)
        return 1
    except Exception:  # noqa: BLE001  (any cache failure: fail open, loudly)
        logger.warning("Hypercare limits: the cache is not answering; the limit is not applied")
        return 0


def _peek(key: str, seconds: int) -> int:
    number, _ = _window(seconds)
    try:
        return int(cache.get(f"hypercare:{key}:{number}", 0) or 0)
    except Exception:  # noqa: BLE001
        logger.warning("Hypercare limits: the cache is not answering; the limit is not applied")
        return 0


def _wait_text(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def flood_check_address(ip: str) -> None:
    """Count a submission from this address; Limited past `per_ip_hour()`."""
    if _count(f"raise-ip:{_hashed(ip or 'unknown')}", HOUR) > per_ip_hour():
        _, left = _window(HOUR)
        raise Limited(f"Too many queries have been sent from this network in the last hour. Nothing has been saved: "
                      f"what you typed is still below. Try again in {_wait_text(left)}, or contact the support team "
                      f"if it is urgent.", left)


def flood_check_person(staff: Staff) -> None:
    """Count a query raised by this person; Limited past `per_person_hour()`."""
    if _count(f"raise-person:{_hashed(str(staff.pk))}", HOUR) > per_person_hour():
        _, left = _window(HOUR)
        raise Limited(f"You have raised {per_person_hour()} queries in the last hour, the most we accept from one person. "
                      f"Nothing has been saved: what you typed is still below. Try again in {_wait_text(left)}, or "
                      f"contact the support team if it is urgent.", left)


# ---------------------------------------------------------------- raising


def period_for_token(token: str) -> Period | None:
    """The period a public link names, if it still takes queries (planned or
    active; an exited period's link is unknown). A token of the wrong shape
    is unknown before any query (a NUL byte never reaches the database)."""
    if not isinstance(token, str) or not TOKEN_SHAPE.fullmatch(token):
        return None
    return (Period.objects.exclude(status=Period.Status.EXITED).select_related("rollout_wave__programme")
            .filter(public_token=token).first())


def unknown_person_message() -> str:
    return ("We cannot find a current member of staff with that staff number or work email. Check it and try again "
            "(your staff number is on your payslip and warrant or ID card).")


def _recent_duplicate(period: Period, staff: Staff, title: str) -> Query | None:
    since = timezone.now() - dt.timedelta(seconds=DUPLICATE_SECONDS)
    return (Query.objects.filter(period=period, source=Query.Source.PUBLIC, unit=staff.unit, contact_email=staff.email,
                                 contact_name=f"{staff.first_name} {staff.last_name}".strip(), title=title.strip(),
                                 created_at__gte=since)
            .order_by("-created_at").first())


@dataclass(frozen=True)
class Raised:
    query: Query
    created: bool


@transaction.atomic
def public_raise(*, period: Period, identifier: str, category: Category, priority: str, title: str, description: str,
                 files: list[Any] | None = None, ip: str = "") -> Raised:
    """Raise a query from the public form. `identifier` is the person's
    staff number or work email. Raises ValidationError (on the form's
    fields) or Limited; either way nothing is saved."""
    flood_check_address(ip)
    errors: dict[str, list[str]] = {}
    # One submission at a time per person (the row stays locked to the end):
    # a double submit finds the first.
    staff = staff_lookup(identifier, for_update=True)
    if staff is None:
        errors["identifier"] = [unknown_person_message()]
    if priority not in dict(PUBLIC_PRIORITIES):
        errors["priority"] = ["Choose how much it is affecting your work"]
    checked: list[CheckedFile] = []
    try:
        checked = attachments_check(list(files or []))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    assert staff is not None
    duplicate = _recent_duplicate(period, staff, title)
    if duplicate is not None:
        return Raised(duplicate, created=False)
    flood_check_person(staff)
    query = query_create(period=period, category=category, title=title, description=description, actor=None,
                         source=Query.Source.PUBLIC, staff=staff, priority=priority)
    stored: list[Attachment] = []
    try:
        for file in checked:
            stored.append(attachment_add(query=query, file=file, actor=None))
    except Exception:
        # The rows roll back with the transaction; their files must go too.
        for attachment in stored:
            attachment.file.storage.delete(cast(str, attachment.file.name))
        raise
    return Raised(query, created=True)


# ---------------------------------------------------------------- the status page


def _normal_reference(reference: str) -> str:
    return reference.strip().upper().replace(" ", "")


def _throttled(ip: str, reference: str) -> None:
    window = status_window()
    _, left = _window(window)
    message = (f"Too many unsuccessful attempts to find a query. For your security, try again in {_wait_text(left)}, "
               f"or contact the support team.")
    if _peek(f"status-ip:{_hashed(ip or 'unknown')}", window) >= status_failures_per_ip():
        raise Limited(message, left)
    if reference and _peek(f"status-ref:{_hashed(reference)}", window) >= status_failures_per_reference():
        raise Limited(message, left)


def _failed(ip: str, reference: str) -> None:
    window = status_window()
    _count(f"status-ip:{_hashed(ip or 'unknown')}", window)
    if reference:
        _count(f"status-ref:{_hashed(reference)}", window)


def _raised_by(query: Query, identifier: str) -> bool:
    """Whether the person who gives `identifier` (email, or staff number) raised the query."""
    value = identifier.strip()
    if not value:
        return False
    if "@" in value:
        return bool(query.contact_email) and query.contact_email.lower() == value.lower()
    staff = Staff.objects.filter(staff_number=value).first()
    if staff is None:
        return False
    if query.contact_email:
        return bool(staff.email) and staff.email.lower() == query.contact_email.lower()
    return query.unit_id == staff.unit_id and query.contact_name == f"{staff.first_name} {staff.last_name}".strip()


NOT_FOUND = ("We cannot find a query with that reference raised with that email or staff number. Check both and try "
             "again: the reference is in the confirmation and in our emails, and looks like HC-7KQ2MX4P.")


def status_lookup(*, reference: str, identifier: str, ip: str) -> Query:
    """The query with this reference raised by this person, or a
    ValidationError with one message for every wrong answer (unknown
    reference, wrong email, wrong staff number). Limited when this address
    or this reference has failed too often lately."""
    normal = _normal_reference(reference)
    _throttled(ip, normal)
    query = None
    if REFERENCE_SHAPE.fullmatch(normal):
        query = Query.objects.select_related("period", "category").filter(reference=normal).first()
    if query is None or not _raised_by(query, identifier):
        _failed(ip, normal)
        raise ValidationError(NOT_FOUND)
    return query


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    heading: str
    text: str


def public_timeline(query: Query) -> list[TimelineEntry]:
    """What the requester may see of the history: when it was raised, each
    status change and each comment sent to them. Never internal notes,
    assignments, assignee names, priority or category changes."""
    labels = dict(Query.Status.choices)
    entries: list[TimelineEntry] = []
    for event in query.events.filter(kind__in=[QueryEvent.Kind.CREATED, QueryEvent.Kind.STATUS, QueryEvent.Kind.COMMENT]).order_by("at", "pk"):
        if event.kind == QueryEvent.Kind.CREATED:
            entries.append(TimelineEntry(event.at, "Query raised", ""))
        elif event.kind == QueryEvent.Kind.STATUS:
            heading = f"Status: {labels.get(event.to_value, event.to_value).lower()}"
            # A status note is shown when it was sent to the requester, or is
            # the requester's own reason for reopening.
            shown = event.to_requester or (event.to_value == Query.Status.REOPENED and event.actor_id is None)
            entries.append(TimelineEntry(event.at, heading, event.text if shown else ""))
        elif event.to_requester:
            entries.append(TimelineEntry(event.at, "Message from the support team", event.text))
    return entries


def reopen_deadline(query: Query) -> dt.datetime | None:
    if query.status != Query.Status.RESOLVED or query.resolved_at is None:
        return None
    return query.resolved_at + dt.timedelta(days=query.period.reopen_days)


def can_reopen(query: Query, now: dt.datetime | None = None) -> bool:
    deadline = reopen_deadline(query)
    return deadline is not None and (now or timezone.now()) <= deadline


@transaction.atomic
def public_reopen(*, query: Query, reason: str) -> Query:
    """The requester reopens their resolved query (within the period's
    `reopen_days`), saying why; a ValidationError otherwise."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Tell us why the problem is not solved"]})
    return query_transition(query=query, status=Query.Status.REOPENED, actor=None, comment=reason, by_requester=True)
