"""The email outbox: services write messages in their own transaction with
`outbox_add`; the worker sends them with `deliver_due`.

Delivery is at-least-once with a stable Message-ID per message: a worker
killed mid-send leaves its messages claimed until their lease runs out, then
another run sends them; an SMTP failure is retried with exponential back-off
and, after `MAX_ATTEMPTS`, shown as failed on the outbox page, where an
administrator may retry it.

What a message costs the database, and what a crash can double:

- **The lease** is taken for the whole batch by `claim_batch` (one UPDATE)
  and renewed only when it runs low: before a send, if the message's lease
  has less than `LEASE_MARGIN` left, the worker renews it for the next
  messages it expects to reach within `LEASE_MARGIN` at its pace so far (at
  most `RENEW_CHUNK`; one conditional UPDATE on its own claim token). So no
  message is ever sent with less than `LEASE_MARGIN` of its lease left, and
  one another worker took over after our lease ran out (its claim token
  differs) is skipped, never sent twice. A fast batch renews nothing.
- **Marking sent** is one UPDATE per chunk of `MARK_CHUNK` sends
  (`... WHERE id IN (...) AND claim = <token>`), not one per message; a
  failure, a skipped message or the end of the batch flushes the chunk
  first, and so does a slow send (pending marks older than `MARK_AGE`) and
  a lease running low (a sent message is marked while it still has at least
  `LEASE_MARGIN` of its lease, so no other worker can claim it meanwhile).
- **A crash** (the process killed between a send and the flush of its chunk)
  therefore re-sends, after the lease, at most the `MARK_CHUNK - 1` messages
  already handed to the server but not yet marked, plus the one in flight:
  at most one chunk. Each carries its stable Message-ID (derived from the
  unique key), so a receiving server or client that de-duplicates drops the
  repeat. Nothing is lost: an unmarked message stays pending.
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
from django.db.models import F, Q
from django.tasks import task
from django.utils import timezone

from . import audit
from .audit import Actor
from .models import OutboxMessage
from .tasks import enqueue

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE = dt.timedelta(minutes=2)
BATCH = 500
# A message is sent only with at least this much of its lease left; a renewal covers at most RENEW_CHUNK messages.
LEASE_MARGIN = dt.timedelta(seconds=90)
RENEW_CHUNK = 100
# Sends marked in one UPDATE (what a crash may send twice), and the longest a send waits to be marked.
MARK_CHUNK = 2
MARK_AGE = dt.timedelta(seconds=1)
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

    def queue() -> None:
        # With the broker down the messages wait: the scheduler's next pass queues delivery (`has_due`).
        enqueue(deliver_outbox)

    transaction.on_commit(queue)


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


def _retrying(update: Any) -> int:
    """Run a bookkeeping UPDATE, retried on a transient database error
    (SQLite busy): left claimed, a sent message would be sent again when its
    lease ran out."""
    for attempt in range(5):
        try:
            return int(update())
        except OperationalError:
            if attempt == 4:
                raise
            time.sleep(0.2 * (attempt + 1))
    return 0  # pragma: no cover  (the loop returns or raises)


def _mark_sent(messages: list[OutboxMessage]) -> None:
    """Record a chunk of sends in one UPDATE (only those still under this worker's claim)."""
    if not messages:
        return
    token = messages[0].claim
    ids = [m.pk for m in messages]
    _retrying(lambda: OutboxMessage.objects.filter(pk__in=ids, claim=token).update(
        status=Status.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1, claim="", claimed_until=None, last_error="",
    ))


def _renew(messages: list[OutboxMessage], now: dt.datetime) -> set[int]:
    """Extend this worker's lease on `messages`; returns the ids it still
    holds (one another worker claimed after our lease ran out is not ours)."""
    token = messages[0].claim
    ids = [m.pk for m in messages]
    until = now + LEASE
    renewed = _retrying(lambda: OutboxMessage.objects.filter(pk__in=ids, claim=token, status=Status.PENDING)
                        .update(claimed_until=until))
    if renewed == len(ids):
        held = set(ids)
    else:
        held = set(OutboxMessage.objects.filter(pk__in=ids, claim=token, status=Status.PENDING).values_list("pk", flat=True))
    for message in messages:
        if message.pk in held:
            message.claimed_until = until
    return held


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


class _Batch:
    """One worker's pass over a claimed batch: lease renewal when it runs
    low, sends marked a chunk at a time (see the module docstring)."""

    def __init__(self, batch: list[OutboxMessage]) -> None:
        self.batch = batch
        self.started = timezone.now()
        self.unmarked: list[OutboxMessage] = []
        self.first_unmarked_at: dt.datetime | None = None
        self.lost: set[int] = set()  # taken over by another worker

    def holds(self, index: int) -> bool:
        """Whether this worker may send `batch[index]` now: it holds the
        message with at least LEASE_MARGIN of its lease left (renewing it,
        and the next ones at this pace, when it runs low)."""
        message = self.batch[index]
        if message.pk in self.lost:
            return False
        now = timezone.now()
        if message.claimed_until is not None and message.claimed_until - now >= LEASE_MARGIN:
            return True
        elapsed = (now - self.started).total_seconds()
        pace = elapsed / index if index else 0.0
        reach = RENEW_CHUNK if pace <= 0 else max(1, min(RENEW_CHUNK, int(LEASE_MARGIN.total_seconds() / pace)))
        chunk = [m for m in self.batch[index:index + reach] if m.pk not in self.lost]
        held = _renew(chunk, now)
        self.lost.update(m.pk for m in chunk if m.pk not in held)
        return message.pk in held

    def sent(self, message: OutboxMessage) -> None:
        if not self.unmarked:
            self.first_unmarked_at = timezone.now()
        self.unmarked.append(message)
        if len(self.unmarked) >= MARK_CHUNK:
            self.flush()

    def flush_if_due(self) -> None:
        """Before the next send: mark what was sent if it has waited MARK_AGE,
        or if its lease has less than LEASE_MARGIN left (a sent message must
        be marked before another worker could claim it again)."""
        if not self.unmarked:
            return
        now = timezone.now()
        if (self.first_unmarked_at and now - self.first_unmarked_at >= MARK_AGE) or any(
                m.claimed_until is None or m.claimed_until - now < LEASE_MARGIN for m in self.unmarked):
            self.flush()

    def flush(self) -> None:
        chunk, self.unmarked = self.unmarked, []
        _mark_sent(chunk)


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
    run = _Batch(batch)
    try:
        for index, message in enumerate(batch):
            run.flush_if_due()
            if not run.holds(index):
                run.flush()
                continue
            try:
                connection.send_messages([_email(message)])
            except Exception as exc:  # noqa: BLE001
                run.flush()
                _failed(message, exc)
                counts["failed"] += 1
                # A broken connection fails every later message: reconnect.
                try:
                    connection.close()
                    connection.open()
                except Exception as lost:  # noqa: BLE001
                    rest = batch[index + 1:]
                    _unreachable(rest, lost)
                    counts["postponed"] = len(rest)
                    return counts
                continue
            run.sent(message)
            counts["sent"] += 1
    finally:
        # Also on an error escaping the loop: what was handed to the server is recorded.
        run.flush()
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
