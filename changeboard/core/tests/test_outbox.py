"""The email outbox against a real SMTP server (an aiosmtpd sink on
127.0.0.1): delivery with stable Message-IDs, back-off on failure, giving up
and retrying, leases, and a worker killed in the middle of a batch.

Time is a fake clock (`django.utils.timezone.now` patched), so back-off and
lease expiry are checked exactly and without waiting.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import os
import signal
import socket
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from changeboard.accounts.models import Role
from changeboard.conftest import make_user
from changeboard.core import outbox
from changeboard.core.models import AuditEntry, OutboxMessage

Status = OutboxMessage.Status
REAL_NOW = timezone.now


# ---------------------------------------------------------------- the SMTP sink


class Sink:
    """An SMTP server's handler that keeps what it accepted. It can refuse
    recipients or data, and can hold the Nth DATA until released (then drop
    it unanswered, as a server does when its client vanishes)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: list[Message] = []
        self.rcpt_reply: str | None = None
        self.refuse: set[str] = set()
        self.data_reply: str | None = None
        self.hang_up_on: set[str] = set()
        self.block_on: int | None = None
        self.blocking = threading.Event()
        self.release = threading.Event()
        self.data_calls = 0

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]) -> str:
        if self.rcpt_reply or address in self.refuse:
            return (self.rcpt_reply or "550 5.1.1 <{address}>: Recipient address rejected").format(address=address)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.data_calls += 1
            number = self.data_calls
        if number == self.block_on:
            self.blocking.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 60)
            return "421 4.3.2 Connection lost before the message was accepted"
        if self.data_reply:
            return self.data_reply
        hang_up = self.hang_up_on & set(envelope.rcpt_tos)
        if hang_up:
            self.hang_up_on -= hang_up
            server.transport.close()
            return "421 4.4.2 Connection dropped"
        with self.lock:
            self.received.append(email.message_from_bytes(envelope.original_content or envelope.content))
        return "250 2.0.0 Accepted"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [m["Message-ID"] for m in self.received]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def sink() -> Iterator[Sink]:
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port  # type: ignore[attr-defined]
    try:
        yield handler
    finally:
        handler.release.set()
        controller.stop()


def smtp_mailers(port: int) -> dict[str, Any]:
    """MAILERS whose default mailer is SMTP on this machine's `port`."""
    return {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                        "OPTIONS": {"host": "127.0.0.1", "port": port, "username": "", "password": "", "use_tls": False, "timeout": 10}}}


@pytest.fixture
def mail(settings: Any, sink: Sink) -> Sink:
    """Real SMTP delivery to the sink."""
    settings.OUTBOX_SEND = True
    settings.MAILERS = smtp_mailers(sink.port)  # type: ignore[attr-defined]
    return sink


class Clock:
    def __init__(self) -> None:
        self.now = REAL_NOW().replace(microsecond=0)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(timezone, "now", fake)
    return fake


def queue(count: int, prefix: str = "test") -> list[OutboxMessage]:
    """Rows written straight to the table (outbox_add would also ask the
    worker to deliver, which runs at once in a transactional test)."""
    rows = [OutboxMessage(key=f"{prefix}:{n}", kind="test", to_address=f"person{n}@example.police.uk", subject=f"Message {n}",
                          body=f"Hello {n}", next_attempt_at=timezone.now()) for n in range(1, count + 1)]
    OutboxMessage.objects.bulk_create(rows)
    return list(OutboxMessage.objects.filter(key__startswith=f"{prefix}:").order_by("id"))


def statuses() -> Counter[str]:
    return Counter(OutboxMessage.objects.values_list("status", flat=True))


def assert_each_received_once(sink: Sink, rows: list[OutboxMessage]) -> None:
    ids = sink.message_ids()
    assert Counter(ids) == Counter(row.message_id for row in rows), ids
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.SENT}


# ---------------------------------------------------------------- delivery


@pytest.mark.django_db
def test_messages_are_delivered_once_with_their_stable_message_id(mail: Sink) -> None:
    assert outbox.outbox_add(key="survey-invitation:1", kind="survey-invitation", to_address="alex@example.police.uk",
                             subject="A short survey", body="Hello Alex")
    assert outbox.outbox_add(key="survey-invitation:2", kind="survey-invitation", to_address="blair@example.police.uk",
                             subject="A short survey", body="Hello Blair")
    rows = list(OutboxMessage.objects.order_by("id"))

    assert outbox.deliver_due() == {"claimed": 2, "sent": 2, "failed": 0, "postponed": 0}
    assert_each_received_once(mail, rows)
    by_id = {m["Message-ID"]: m for m in mail.received}
    for row in rows:
        received = by_id[row.message_id]
        assert received["To"] == row.to_address and received["Subject"] == row.subject
        assert str(received.get_payload()).strip() == row.body
        row.refresh_from_db()
        assert (row.attempts, row.claim, row.claimed_until, row.last_error) == (1, "", None, "")
        assert row.sent_at is not None

    assert outbox.deliver_due() == {"claimed": 0, "sent": 0, "failed": 0, "postponed": 0}
    assert len(mail.received) == 2


def test_the_message_id_depends_on_the_key_only() -> None:
    first = OutboxMessage(key="survey-reminder:7:1", to_address="a@example.police.uk")
    again = OutboxMessage(key="survey-reminder:7:1", to_address="b@example.police.uk", subject="Other")
    other = OutboxMessage(key="survey-reminder:7:2")
    assert first.message_id == again.message_id != other.message_id
    assert first.message_id.startswith("<") and first.message_id.endswith("@changeboard.outbox>")


@pytest.mark.django_db
def test_deliver_due_sends_batch_after_batch_and_counts(mail: Sink) -> None:
    rows = queue(5)
    assert outbox.deliver_batch(limit=2) == {"claimed": 2, "sent": 2, "failed": 0, "postponed": 0}
    assert statuses() == {Status.SENT: 2, Status.PENDING: 3}
    assert outbox.deliver_due() == {"claimed": 3, "sent": 3, "failed": 0, "postponed": 0}
    assert_each_received_once(mail, rows)


@pytest.mark.django_db
def test_nothing_is_sent_when_sending_is_off(mail: Sink, settings: Any) -> None:
    settings.OUTBOX_SEND = False
    queue(2)
    assert outbox.deliver_due() == {"claimed": 0, "sent": 0, "failed": 0, "postponed": 0}
    assert mail.received == [] and statuses() == {Status.PENDING: 2}


# ---------------------------------------------------------------- failures


BACKOFF_MINUTES = [1, 2, 4, 8, 16, 32, 64]  # after failures 1 to 7; the 8th gives up


@pytest.mark.django_db
def test_a_temporary_failure_is_retried_with_exponential_back_off(mail: Sink, clock: Clock) -> None:
    rows = queue(2)
    mail.data_reply = "451 4.3.0 Try again later"
    for attempt, minutes in enumerate(BACKOFF_MINUTES[:3], start=1):
        assert outbox.deliver_due() == {"claimed": 2, "sent": 0, "failed": 2, "postponed": 0}
        for row in OutboxMessage.objects.all():
            assert (row.status, row.attempts) == (Status.PENDING, attempt)
            assert row.next_attempt_at == clock.now + dt.timedelta(minutes=minutes)
            assert (row.claim, row.claimed_until) == ("", None)
            assert row.last_error == "SMTPDataError 451"
        clock.advance(minutes=minutes, seconds=-1)
        assert outbox.deliver_due()["claimed"] == 0  # not before its time
        clock.advance(seconds=1)
    assert mail.received == []

    mail.data_reply = None  # the server recovers
    assert outbox.deliver_due() == {"claimed": 2, "sent": 2, "failed": 0, "postponed": 0}
    assert_each_received_once(mail, rows)
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {4}
    assert outbox.deliver_due()["claimed"] == 0
    assert len(mail.received) == 2


@pytest.mark.django_db
def test_a_refused_message_gives_up_after_max_attempts_keeps_no_address_and_can_be_retried(mail: Sink, clock: Clock) -> None:
    [row] = queue(1)
    mail.rcpt_reply = "550 5.1.1 <{address}>: Recipient address rejected"
    assert len(BACKOFF_MINUTES) + 1 == outbox.MAX_ATTEMPTS
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        assert outbox.deliver_due() == {"claimed": 1, "sent": 0, "failed": 1, "postponed": 0}
        row.refresh_from_db()
        assert row.attempts == attempt
        assert row.to_address not in row.last_error and "@" not in row.last_error
        assert row.last_error == "SMTPRecipientsRefused"
        if attempt < outbox.MAX_ATTEMPTS:
            assert row.status == Status.PENDING
            assert row.next_attempt_at == clock.now + dt.timedelta(minutes=BACKOFF_MINUTES[attempt - 1])
            clock.now = row.next_attempt_at
    assert row.status == Status.FAILED
    clock.advance(days=2)
    assert outbox.deliver_due()["claimed"] == 0

    admin = make_user("admin", Role.ADMIN)
    mail.rcpt_reply = None
    outbox.outbox_retry(message=row, actor=admin)
    row.refresh_from_db()
    assert (row.status, row.attempts, row.next_attempt_at) == (Status.PENDING, 0, clock.now)
    entry = AuditEntry.objects.get(object_type="core.outboxmessage", object_id=str(row.pk))
    assert (entry.actor, entry.action) == (admin, "update")
    assert entry.before == {"status": "failed", "attempts": outbox.MAX_ATTEMPTS}
    assert entry.after == {"status": "pending", "attempts": 0}

    assert outbox.deliver_due() == {"claimed": 1, "sent": 1, "failed": 0, "postponed": 0}
    assert_each_received_once(mail, [row])


@pytest.mark.django_db
def test_one_refused_recipient_does_not_stop_the_rest_of_the_batch(mail: Sink, clock: Clock) -> None:
    rows = queue(3)
    mail.refuse = {rows[1].to_address}
    assert outbox.deliver_due() == {"claimed": 3, "sent": 2, "failed": 1, "postponed": 0}
    assert Counter(mail.message_ids()) == Counter([rows[0].message_id, rows[2].message_id])
    assert statuses() == {Status.SENT: 2, Status.PENDING: 1}
    mail.refuse = set()
    clock.advance(minutes=1)
    assert outbox.deliver_due() == {"claimed": 1, "sent": 1, "failed": 0, "postponed": 0}
    assert_each_received_once(mail, rows)


@pytest.mark.django_db
def test_a_dropped_connection_is_reopened_for_the_rest_of_the_batch(mail: Sink, clock: Clock) -> None:
    rows = queue(3)
    mail.hang_up_on = {rows[1].to_address}
    assert outbox.deliver_due() == {"claimed": 3, "sent": 2, "failed": 1, "postponed": 0}
    assert Counter(mail.message_ids()) == Counter([rows[0].message_id, rows[2].message_id])
    failed = OutboxMessage.objects.get(pk=rows[1].pk)
    assert (failed.status, failed.attempts, failed.last_error) == (Status.PENDING, 1, "SMTPServerDisconnected")
    clock.advance(minutes=1)
    assert outbox.deliver_due() == {"claimed": 1, "sent": 1, "failed": 0, "postponed": 0}
    assert_each_received_once(mail, rows)


@pytest.mark.django_db
def test_a_refused_connection_is_retried_and_everything_is_sent_once_the_server_is_back(mail: Sink, clock: Clock,
                                                                                    settings: Any) -> None:
    rows = queue(3)
    settings.MAILERS = smtp_mailers(free_port())  # nothing listens there
    assert outbox.deliver_due() == {"claimed": 3, "sent": 0, "failed": 0, "postponed": 3}
    for row in OutboxMessage.objects.all():
        # An outage is not the messages' fault: no attempt is used up.
        assert (row.status, row.attempts, row.last_error) == (Status.PENDING, 0, "Mail server unreachable (ConnectionRefusedError)")
        assert row.next_attempt_at == clock.now + outbox.UNREACHABLE_RETRY
    clock.advance(minutes=1)
    assert outbox.deliver_due()["claimed"] == 0  # not before the retry time
    # A long outage never fails the messages.
    for _ in range(outbox.MAX_ATTEMPTS + 2):
        clock.advance(seconds=outbox.UNREACHABLE_RETRY.total_seconds())
        assert outbox.deliver_due()["postponed"] == 3
    assert set(OutboxMessage.objects.values_list("status", "attempts")) == {(Status.PENDING, 0)}

    settings.MAILERS = smtp_mailers(mail.port)  # type: ignore[attr-defined]
    clock.advance(seconds=outbox.UNREACHABLE_RETRY.total_seconds())
    assert outbox.deliver_due() == {"claimed": 3, "sent": 3, "failed": 0, "postponed": 0}
    assert_each_received_once(mail, rows)


@pytest.mark.django_db
def test_failed_messages_are_retried_together(clock: Clock) -> None:
    from changeboard.core.outbox import outbox_retry_failed

    rows = queue(3)
    OutboxMessage.objects.filter(pk__in=[r.pk for r in rows[:2]]).update(status=Status.FAILED, attempts=outbox.MAX_ATTEMPTS)
    assert outbox_retry_failed(actor=None) == 2
    assert set(OutboxMessage.objects.values_list("status", "attempts")) == {(Status.PENDING, 0)}


# ---------------------------------------------------------------- leases and dead workers


@pytest.mark.django_db
def test_an_abandoned_claim_is_sent_after_its_lease(mail: Sink, clock: Clock) -> None:
    rows = queue(3)
    assert [m.pk for m in outbox.claim_batch()] == [r.pk for r in rows]  # a worker that then dies
    assert outbox.deliver_due()["claimed"] == 0
    clock.advance(seconds=outbox.LEASE.total_seconds())
    assert outbox.deliver_due()["claimed"] == 0  # the lease runs to its very end
    clock.advance(seconds=1)
    assert outbox.deliver_due() == {"claimed": 3, "sent": 3, "failed": 0, "postponed": 0}
    assert_each_received_once(mail, rows)


class WorkerKilled(BaseException):
    """Not an Exception: like a kill, nothing in the worker catches it."""


@pytest.mark.django_db
def test_a_worker_dying_mid_batch_leaves_the_rest_for_the_next_run(mail: Sink, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = queue(5)
    real_email = outbox._email
    calls: list[int] = []

    def dies_on_third(message: OutboxMessage) -> Any:
        calls.append(message.pk)
        if len(calls) == 3:
            raise WorkerKilled
        return real_email(message)

    monkeypatch.setattr(outbox, "_email", dies_on_third)
    with pytest.raises(WorkerKilled):
        outbox.deliver_due()
    monkeypatch.setattr(outbox, "_email", real_email)
    assert statuses() == {Status.SENT: 2, Status.PENDING: 3}
    assert OutboxMessage.objects.filter(status=Status.PENDING, claimed_until__gt=clock.now).count() == 3

    assert outbox.deliver_due()["claimed"] == 0
    clock.advance(seconds=outbox.LEASE.total_seconds() + 1)
    assert outbox.deliver_due() == {"claimed": 3, "sent": 3, "failed": 0, "postponed": 0}
    assert_each_received_once(mail, rows)
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}


@pytest.mark.django_db
def test_a_slow_batch_does_not_send_what_another_worker_took_over(mail: Sink, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each send takes 70 seconds, so the batch outlives its two-minute lease
    and a second worker claims what the first has not reached: the first
    must leave those alone, or they arrive twice."""
    rows = queue(3)
    real_email = outbox._email
    taken: list[OutboxMessage] = []

    def slow(message: OutboxMessage) -> Any:
        clock.advance(seconds=70)
        if message.pk == rows[1].pk:
            taken.extend(outbox.claim_batch())  # the other worker, now past the original lease
        return real_email(message)

    monkeypatch.setattr(outbox, "_email", slow)
    assert outbox.deliver_batch() == {"claimed": 3, "sent": 2, "failed": 0, "postponed": 0}
    assert [m.pk for m in taken] == [rows[2].pk]
    monkeypatch.setattr(outbox, "_email", real_email)
    clock.advance(seconds=outbox.LEASE.total_seconds() + 1)  # the other worker died too
    assert outbox.deliver_due() == {"claimed": 1, "sent": 1, "failed": 0, "postponed": 0}
    assert_each_received_once(mail, rows)


def _subprocess_database_url() -> str:
    db = connection.settings_dict
    user = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_a_worker_process_killed_mid_data_loses_and_doubles_nothing(sink: Sink, settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real worker process sends over SMTP and is SIGKILLed while the server
    holds its third message; after the lease, another run sends the rest."""
    if connection.vendor != "postgresql":
        pytest.skip("The worker process needs the test database: on SQLite it is in memory, private to this process "
                    "(test_a_worker_dying_mid_batch_leaves_the_rest_for_the_next_run covers every backend)")
    rows = queue(5)
    sink.block_on = 3
    env = {
        **os.environ,
        "DATABASE_URL": _subprocess_database_url(),
        "OUTBOX_SEND": "true",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),  # type: ignore[attr-defined]
        "EMAIL_USE_TLS": "false",
    }
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "shell", "-c", "from changeboard.core.outbox import deliver_due; print(deliver_due())"],
        cwd=Path(django_settings.BASE_DIR), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        if not sink.blocking.wait(60):
            worker.kill()
            pytest.fail(f"The worker never reached the third message:\n{worker.communicate()[0]}")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        sink.release.set()
    assert worker.returncode == -signal.SIGKILL
    assert Counter(sink.message_ids()) == Counter(r.message_id for r in rows[:2])
    assert statuses() == {Status.SENT: 2, Status.PENDING: 3}
    assert OutboxMessage.objects.filter(status=Status.PENDING).exclude(claim="").count() == 3

    # This process delivers next: nothing while the dead worker's lease holds, everything after.
    settings.OUTBOX_SEND = True
    settings.MAILERS = smtp_mailers(sink.port)  # type: ignore[attr-defined]
    leases = [lease for lease in OutboxMessage.objects.filter(status=Status.PENDING).values_list("claimed_until", flat=True) if lease]
    assert len(leases) == 3
    fake = Clock()
    monkeypatch.setattr(timezone, "now", fake)
    fake.now = min(leases) - dt.timedelta(seconds=1)
    assert outbox.deliver_due()["claimed"] == 0
    fake.now = max(leases) + dt.timedelta(seconds=1)
    assert outbox.deliver_due() == {"claimed": 3, "sent": 3, "failed": 0, "postponed": 0}
    assert_each_received_once(sink, rows)


# ---------------------------------------------------------------- queueing


@pytest.mark.django_db
def test_outbox_add_is_idempotent_by_key(settings: Any, django_capture_on_commit_callbacks: Any) -> None:
    settings.OUTBOX_SEND = True
    with django_capture_on_commit_callbacks() as first:
        assert outbox.outbox_add(key="k:1", kind="test", to_address="a@example.police.uk", subject="First", body="One")
    with django_capture_on_commit_callbacks() as second:
        assert not outbox.outbox_add(key="k:1", kind="test", to_address="b@example.police.uk", subject="Second", body="Two")
    assert (len(first), len(second)) == (1, 0)  # delivery is asked for only when something was queued
    row = OutboxMessage.objects.get(key="k:1")
    assert (row.to_address, row.subject, row.body, row.status) == ("a@example.police.uk", "First", "One", Status.PENDING)
    assert OutboxMessage.objects.count() == 1

    again = [OutboxMessage(key="k:1", kind="test", to_address="c@example.police.uk", subject="Third", body="Three"),
             OutboxMessage(key="k:2", kind="test", to_address="d@example.police.uk", subject="Fourth", body="Four")]
    assert outbox.outbox_add_many(again) == 1
    assert sorted(OutboxMessage.objects.values_list("key", "subject")) == [("k:1", "First"), ("k:2", "Fourth")]
    assert outbox.outbox_add_many([OutboxMessage(key="k:2", kind="test", to_address="e@example.police.uk", subject="x", body="")]) == 0
    assert OutboxMessage.objects.count() == 2


@pytest.mark.django_db
def test_nothing_is_scheduled_when_sending_is_off(settings: Any, django_capture_on_commit_callbacks: Any) -> None:
    settings.OUTBOX_SEND = False
    with django_capture_on_commit_callbacks() as callbacks:
        assert outbox.outbox_add(key="k:1", kind="test", to_address="a@example.police.uk", subject="s", body="b")
    assert callbacks == []


# ---------------------------------------------------------------- settings


def test_mail_settings_are_mailers_with_no_deprecated_email_setting() -> None:
    """Django 6.1's MAILERS, not the EMAIL_* settings it deprecates: loading
    the settings warns of nothing."""
    import warnings

    from django.conf import DEPRECATED_EMAIL_SETTINGS, Settings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loaded = Settings("changeboard.settings")
    assert not [w for w in caught if "MAILERS" in str(w.message)]
    assert not [name for name in DEPRECATED_EMAIL_SETTINGS if loaded.is_overridden(name)]
    assert set(getattr(loaded, "MAILERS")) == {"default"}


def test_the_email_environment_variables_map_into_the_default_mailer(monkeypatch: pytest.MonkeyPatch) -> None:
    from changeboard.settings import mailers_from_env

    for name, value in {"EMAIL_HOST": "smtp.example.org", "EMAIL_PORT": "2525", "EMAIL_HOST_USER": "board",
                        "EMAIL_HOST_PASSWORD": "s3cret", "EMAIL_USE_TLS": "true", "EMAIL_TIMEOUT": "7"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("EMAIL_BACKEND", raising=False)
    assert mailers_from_env() == {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": {
        "host": "smtp.example.org", "port": 2525, "username": "board", "password": "s3cret", "use_tls": True, "timeout": 7}}}
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    assert mailers_from_env() == {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend", "OPTIONS": {}}}


# ---------------------------------------------------------------- chunked bookkeeping (the faster outbox)


class CountingUpdates:
    """Counts the UPDATE statements the worker runs on the outbox table."""

    def __init__(self) -> None:
        self.sql: list[str] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.lstrip().upper().startswith("UPDATE") and "core_outboxmessage" in sql:
            self.sql.append(sql)
        return execute(sql, params, many, context)


@pytest.mark.django_db
def test_a_fast_batch_renews_no_lease_and_marks_sent_a_chunk_at_a_time(mail: Sink) -> None:
    rows = queue(7)
    updates = CountingUpdates()
    with connection.execute_wrapper(updates):
        assert outbox.deliver_batch() == {"claimed": 7, "sent": 7, "failed": 0, "postponed": 0}
    # One claim, then ceil(7 / MARK_CHUNK) marks: no lease renewal, not one UPDATE per message.
    assert len(updates.sql) == 1 + -(-7 // outbox.MARK_CHUNK)
    assert_each_received_once(mail, rows)
    assert set(OutboxMessage.objects.values_list("attempts", "claim", "claimed_until")) == {(1, "", None)}


@pytest.mark.django_db
def test_chunk_boundaries_a_failure_mid_chunk_marks_what_was_sent_first(mail: Sink, clock: Clock) -> None:
    rows = queue(5)
    mail.refuse = {rows[1].to_address, rows[4].to_address}  # the second of a chunk, and the last of the batch
    assert outbox.deliver_batch() == {"claimed": 5, "sent": 3, "failed": 2, "postponed": 0}
    sent = set(OutboxMessage.objects.filter(status=Status.SENT).values_list("pk", flat=True))
    assert sent == {rows[0].pk, rows[2].pk, rows[3].pk}
    for pk in (rows[1].pk, rows[4].pk):
        row = OutboxMessage.objects.get(pk=pk)
        assert (row.status, row.attempts, row.claim) == (Status.PENDING, 1, "")
    mail.refuse = set()
    clock.advance(minutes=1)
    assert outbox.deliver_due() == {"claimed": 2, "sent": 2, "failed": 0, "postponed": 0}
    assert_each_received_once(mail, rows)


@pytest.mark.django_db
def test_a_killed_worker_doubles_at_most_one_chunk_each_with_its_message_id(mail: Sink, clock: Clock,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The process dies between handing a message to the server and marking
    its chunk (no `finally` runs on a real kill: simulated by making the mark
    itself die). After the lease, the unmarked chunk is sent again, with the
    same Message-IDs; nothing is lost."""
    rows = queue(5)
    real_mark = outbox._mark_sent
    marks: list[int] = []

    def dies_on_second_mark(messages: list[OutboxMessage]) -> None:
        marks.append(len(messages))
        if len(marks) == 2:
            raise WorkerKilled
        real_mark(messages)

    monkeypatch.setattr(outbox, "_mark_sent", dies_on_second_mark)
    with pytest.raises(WorkerKilled):
        outbox.deliver_due()
    monkeypatch.setattr(outbox, "_mark_sent", real_mark)
    assert statuses() == {Status.SENT: outbox.MARK_CHUNK, Status.PENDING: 5 - outbox.MARK_CHUNK}
    clock.advance(seconds=outbox.LEASE.total_seconds() + 1)
    assert outbox.deliver_due()["sent"] == 5 - outbox.MARK_CHUNK
    received = Counter(mail.message_ids())
    assert set(received) == {r.message_id for r in rows}  # nothing lost
    doubled = [mid for mid, n in received.items() if n > 1]
    assert len(doubled) == outbox.MARK_CHUNK  # exactly the unmarked chunk, at most one chunk
    assert all(n <= 2 for n in received.values())


@pytest.mark.django_db
def test_a_message_another_worker_claimed_is_not_sent_twice(mail: Sink, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first worker stalls past its lease while sending its third
    message; a second worker claims what is left and sends it. The first
    must skip every later message the second now holds. (The message in
    flight during the stall may arrive twice, with its one Message-ID: that
    is at-least-once delivery, as before the chunking.)"""
    rows = queue(6)
    real_email = outbox._email
    second: list[dict[str, int]] = []

    def stalls(message: OutboxMessage) -> Any:
        if message.pk == rows[2].pk and not second:
            second.append({})
            clock.advance(seconds=outbox.LEASE.total_seconds() + 5)
            second[0] = outbox.deliver_batch()  # the other worker, past our lease
        return real_email(message)

    monkeypatch.setattr(outbox, "_email", stalls)
    first = outbox.deliver_batch()
    assert second[0] == {"claimed": 4, "sent": 4, "failed": 0, "postponed": 0}  # rows 2-5: 0 and 1 were marked sent
    assert first == {"claimed": 6, "sent": 3, "failed": 0, "postponed": 0}  # rows 0-2, then 3-5 skipped
    received = Counter(mail.message_ids())
    assert received[rows[2].message_id] == 2  # in flight during the stall
    assert all(received[r.message_id] == 1 for r in rows if r.pk != rows[2].pk)
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.SENT}
