"""The email outbox: services write messages in their own transaction with
`outbox_add`; the worker sends them with `deliver_due`.

Delivery is at-least-once with a stable Message-ID per message, committed
one message at a time: a worker killed mid-send leaves the message claimed
until its lease runs out, then another run sends it; an SMTP failure is
retried with exponential back-off and, after `MAX_ATTEMPTS`, shown as
failed on the outbox page, where an administrator may retry it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import time
import uuid
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, mailers
from django.db import OperationalError, transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from . import audit
from .audit import Actor
from .models import OutboxMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE = dt.timedelta(minutes=2)
BATCH = 500
Status = OutboxMessage.Status


def backoff(attempts: int) -> dt.timedelta:
    """One minute after the first failure, doubling, at most six hours."""
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def outbox_add(*, key: str, kind: str, to_address: str, subject: str, body: str,
               alternatives: list[list[str]] | None = None, attachments: list[list[str]] | None = None) -> bool:
    """Queue one message (call inside the business transaction). A key already
    queued is left alone, so repeating the business step never doubles a
    message. `alternatives` are [content, MIME type] pairs (a calendar
    invitation), `attachments` [file name, content, MIME type] triples.
    Returns whether a message was added."""
    _, created = OutboxMessage.objects.get_or_create(
        key=key, defaults={"kind": kind, "to_address": to_address, "subject": subject[:200], "body": body, "next_attempt_at": timezone.now(),
                           "alternatives": alternatives or [], "attachments": attachments or []},
    )
    if created:
        schedule_delivery()
    return created


def outbox_add_many(messages: list[OutboxMessage]) -> int:
    """Queue many prepared (unsaved) messages at once; keys already present are skipped."""
    now = timezone.now()
    for message in messages:
        message.next_attempt_at = message.next_attempt_at or now
    messages = list({m.key: m for m in messages}.values())  # one per key, even within the list
    keys = [m.key for m in messages]
    existing: set[str] = set()
    for start in range(0, len(keys), 900):
        existing.update(OutboxMessage.objects.filter(key__in=keys[start:start + 900]).values_list("key", flat=True))
    fresh = [m for m in messages if m.key not in existing]
    OutboxMessage.objects.bulk_create(fresh, batch_size=1000)
    if fresh:
        schedule_delivery()
    return len(fresh)


def schedule_delivery() -> None:
    """Ask the worker to deliver once the current transaction commits."""
    if not settings.OUTBOX_SEND:
        return

    def enqueue() -> None:
        deliver_outbox.enqueue()

    transaction.on_commit(enqueue)


def _claimable(now: dt.datetime) -> Q:
    return Q(status=Status.PENDING, next_attempt_at__lte=now) & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))


def claim_batch(limit: int = BATCH) -> list[OutboxMessage]:
    """Claim up to `limit` due messages for this worker. The claim is one
    conditional UPDATE, so two workers never hold the same message."""
    now = timezone.now()
    token = uuid.uuid4().hex
    ids = list(OutboxMessage.objects.filter(_claimable(now)).order_by("next_attempt_at", "id").values_list("id", flat=True)[:limit])
    if not ids:
        return []
    OutboxMessage.objects.filter(_claimable(now), id__in=ids).update(claim=token, claimed_until=now + LEASE)
    return list(OutboxMessage.objects.filter(claim=token, claimed_until__gt=now).order_by("id"))


def _failed(message: OutboxMessage, error: Exception) -> None:
    attempts = message.attempts + 1
    # The class and SMTP code only: a server's message may quote the address.
    code = getattr(error, "smtp_code", "")
    summary = f"{type(error).__name__}{f' {code}' if code else ''}"
    fields: dict[str, Any] = {"attempts": attempts, "claim": "", "claimed_until": None, "last_error": summary}
    if attempts >= MAX_ATTEMPTS:
        fields["status"] = Status.FAILED
    else:
        fields["next_attempt_at"] = timezone.now() + backoff(attempts)
    OutboxMessage.objects.filter(pk=message.pk, claim=message.claim).update(**fields)
    log.warning("Outbox message %s failed (attempt %s): %s", message.pk, attempts, summary)


UNREACHABLE_RETRY = dt.timedelta(minutes=5)


def _unreachable(messages: list[OutboxMessage], error: Exception) -> None:
    """The server could not be reached: not the messages' fault, so it does
    not count as an attempt (an outage must not fail a whole wave); they are
    released and tried again in a few minutes, with the reason shown."""
    summary = f"Mail server unreachable ({type(error).__name__})"
    for message in messages:
        OutboxMessage.objects.filter(pk=message.pk, claim=message.claim).update(
            claim="", claimed_until=None, last_error=summary, next_attempt_at=timezone.now() + UNREACHABLE_RETRY,
        )
    log.warning("Outbox: mail server unreachable, %s messages postponed: %s", len(messages), type(error).__name__)


def _mark_sent(message: OutboxMessage) -> None:
    """Record a send. Retried on a transient database error (SQLite busy):
    left claimed, the message would be sent again when its lease ran out."""
    for attempt in range(5):
        try:
            OutboxMessage.objects.filter(pk=message.pk, claim=message.claim).update(
                status=Status.SENT, sent_at=timezone.now(), attempts=message.attempts + 1, claim="", claimed_until=None, last_error="",
            )
            return
        except OperationalError:
            if attempt == 4:
                raise
            time.sleep(0.2 * (attempt + 1))


def _email(message: OutboxMessage) -> EmailMessage:
    """The plain-text body first; other renderings (an iCalendar invitation)
    as alternatives, so calendar clients offer to accept it."""
    email = EmailMultiAlternatives(
        subject=message.subject, body=message.body, from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_address], headers={"Message-ID": message.message_id},
    )
    for content, mimetype in message.alternatives or []:
        email.attach_alternative(content, mimetype)
    for filename, content, mimetype in message.attachments or []:
        email.attach(filename, content, mimetype)
    return email


def deliver_batch(limit: int = BATCH) -> dict[str, int]:
    """Send one claimed batch over one connection of the default mailer
    (settings.MAILERS["default"]), opened once for the batch."""
    batch = claim_batch(limit)
    counts = {"claimed": len(batch), "sent": 0, "failed": 0, "postponed": 0}
    if not batch:
        return counts
    connection = mailers.default
    try:
        connection.open()
    except Exception as exc:  # noqa: BLE001  (any failure to connect is retried)
        _unreachable(batch, exc)
        counts["postponed"] = len(batch)
        return counts
    try:
        for message in batch:
            # Renew the lease before each send, so a slow batch keeps its
            # messages; one another worker claimed after the lease ran out is
            # left to that worker instead of being sent twice.
            if not OutboxMessage.objects.filter(pk=message.pk, claim=message.claim, status=Status.PENDING).update(
                claimed_until=timezone.now() + LEASE,
            ):
                continue
            try:
                connection.send_messages([_email(message)])
            except Exception as exc:  # noqa: BLE001
                _failed(message, exc)
                counts["failed"] += 1
                # A broken connection fails every later message: reconnect.
                try:
                    connection.close()
                    connection.open()
                except Exception as lost:  # noqa: BLE001
                    rest = batch[batch.index(message) + 1:]
                    _unreachable(rest, lost)
                    counts["postponed"] = len(rest)
                    return counts
                continue
            _mark_sent(message)
            counts["sent"] += 1
    finally:
        with contextlib.suppress(Exception):
            connection.close()
    return counts


def deliver_due(max_batches: int = 1000) -> dict[str, int]:
    """Send everything due now, batch after batch."""
    totals = {"claimed": 0, "sent": 0, "failed": 0, "postponed": 0}
    if not settings.OUTBOX_SEND:
        return totals
    for _ in range(max_batches):
        counts = deliver_batch()
        for name in totals:
            totals[name] += counts[name]
        if counts["claimed"] == 0 or counts["sent"] == 0:
            break
    return totals


@task
def deliver_outbox() -> dict[str, int]:
    """Send the emails waiting in the outbox (the worker's task)."""
    return deliver_due()


def has_due() -> bool:
    return OutboxMessage.objects.filter(_claimable(timezone.now())).exists()


@transaction.atomic
def outbox_retry(*, message: OutboxMessage, actor: Actor) -> OutboxMessage:
    """Send a failed message again (an administrator's decision)."""
    before = {"status": message.status, "attempts": message.attempts}
    message.status = Status.PENDING
    message.attempts = 0
    message.next_attempt_at = timezone.now()
    message.claim = ""
    message.claimed_until = None
    message.save(update_fields=["status", "attempts", "next_attempt_at", "claim", "claimed_until"])
    audit.record(actor=actor, action="update", obj=message, object_repr=str(message), before=before, after={"status": message.status, "attempts": 0})
    schedule_delivery()
    return message


@transaction.atomic
def outbox_retry_failed(*, actor: Actor) -> int:
    """Send every failed message again (after an outage was fixed)."""
    failed = OutboxMessage.objects.filter(status=Status.FAILED)
    count = failed.update(status=Status.PENDING, attempts=0, next_attempt_at=timezone.now(), claim="", claimed_until=None)
    if count:
        audit.record(actor=actor, action="update", object_type="core.outboxmessage", object_repr="Failed messages retried",
                     after={"retried": count})
        schedule_delivery()
    return count
