"""The plumbing of `manage.py bench engagement` on the small test world (no
timing assertions): the audience of every approved assessment, the heatmap
and its drill-down, a message's emails through the outbox to the SMTP sink
against the straight SMTP baseline, and the clean-up afterwards.

Transactional: the benchmark refuses to run inside a transaction (the
outbox commits as it delivers)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from changeboard.accounts.models import User
from changeboard.conftest import make_staff
from changeboard.core.models import AuditEntry, OutboxMessage
from changeboard.devtools.bench import engagement as bench
from changeboard.engagement.models import Message, Recipient
from changeboard.impacts.models import ImpactAssessment, ImpactLine
from changeboard.organisation.models import Staff, Unit
from changeboard.portfolio.models import Programme

pytest.importorskip("aiosmtpd")
pytestmark = pytest.mark.django_db(transaction=True)

KEYS = {"audience_people", "audience_resolve_ms_median", "audience_resolve_ms_p95", "heatmap_ms_median", "heatmap_ms_p95",
        "drilldown_ms_median", "drilldown_ms_p95", "emails_per_second", "smtp_baseline_per_second", "ratio_to_smtp_baseline",
        "ratio_to_smtp_baseline_is", "sink_missing", "sink_duplicated", "sink_unexpected", "message_ids_once"}


def _impacted(world: Any) -> None:
    """One approved assessment reaching Central West (two people), and a
    draft one reaching the whole force (not counted)."""
    approved = ImpactAssessment.objects.create(programme=world.programme_a, title="Response", status=ImpactAssessment.Status.APPROVED)
    ImpactLine.objects.create(assessment=approved, title="Response", severity=2).units.set([world.central_west])
    draft = ImpactAssessment.objects.create(programme=world.programme_b, title="Everyone, one day")
    ImpactLine.objects.create(assessment=draft, title="Everyone", severity=1).units.set([world.root])
    make_staff("100002", world.team, first_name="Cam")


def test_bench_engagement_at_a_tiny_size(world: Any) -> None:
    _impacted(world)
    other = OutboxMessage.objects.create(key="other-1", kind="other", to_address="someone@example.org", subject="Not the bench's",
                                         body="Held while the benchmark delivers.", next_attempt_at=timezone.now())
    held_until = other.next_attempt_at
    audit_rows, staff, units = AuditEntry.objects.count(), Staff.objects.count(), Unit.objects.count()

    out = io.StringIO()
    call_command("bench", "engagement", "--emails", "30", "--runs", "2", "--force", stdout=out)
    figures: dict[str, Any] = json.loads(out.getvalue().strip().splitlines()[-1])

    assert set(figures) >= KEYS
    assert figures["benchmark"] == "engagement" and figures["database"] == connection.vendor
    assert "seed_seconds" not in figures  # a database with units is not seeded again
    # The audience: the approved assessment's people, counted the same both ways.
    assert figures["audience_rules"] == 1 and figures["audience_impact_lines"] == 1
    assert figures["audience_people"] == figures["audience_people_counted"] == 2
    assert figures["drilldown_cell"].startswith(f"unit {world.central_west.pk}, week ")
    assert figures["heatmap_ms_p95"] >= figures["heatmap_ms_median"] > 0
    # The emails: every one delivered once, marked sent, and the baseline sent the same messages.
    assert figures["emails"] == figures["recipients"] == figures["delivered"] == figures["marked_sent"] == figures["sink_received"] == 30
    assert figures["sink_missing"] == figures["sink_duplicated"] == figures["sink_unexpected"] == figures["delivery_failures"] == 0
    assert figures["message_ids_once"] is True
    assert figures["smtp_baseline_emails"] == 30 and figures["ratio_to_smtp_baseline"] > 0
    assert figures["other_emails_held"] == 1

    # Cleaned up: nothing of the benchmark's is left, the other email waits as it did.
    assert not Programme.objects.filter(code=bench.PROGRAMME_CODE).exists()
    assert not Message.objects.exists() and not Recipient.objects.exists()
    assert not OutboxMessage.objects.filter(key__startswith="eng-").exists()
    assert not User.objects.filter(username=bench.BENCH_USER).exists()
    assert (AuditEntry.objects.count(), Staff.objects.count(), Unit.objects.count()) == (audit_rows, staff, units)
    other.refresh_from_db()
    assert other.status == OutboxMessage.Status.PENDING and other.next_attempt_at == held_until


def test_bench_engagement_refuses_a_database_that_is_not_scratch(world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("changeboard.devtools.bench.common.looks_like_scratch", lambda: False)
    with pytest.raises(CommandError, match="does not look like a scratch one"):
        call_command("bench", "engagement", "--emails", "1", "--runs", "1")
    assert not Programme.objects.filter(code=bench.PROGRAMME_CODE).exists()
    assert not Unit.objects.filter(code=bench.ROOT_CODE).exists()


def test_bench_engagement_needs_an_approved_assessment(world: Any) -> None:
    """A database with units but nothing impacted: a clear error, and the clean-up still runs."""
    staff = Staff.objects.count()
    with pytest.raises(CommandError, match="No approved impact assessments"):
        call_command("bench", "engagement", "--emails", "0", "--runs", "1", "--force")
    assert not Programme.objects.filter(code=bench.PROGRAMME_CODE).exists()
    assert not User.objects.filter(username=bench.BENCH_USER).exists()
    assert not Message.objects.exists() and Staff.objects.count() == staff
