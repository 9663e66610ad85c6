"""`manage.py bench engagement`: audience resolution, the attention heatmap
and sending a message's emails, at met scale (issue 13, Deliver 9).

1. **Data.** On an empty database, seeds the met force (which brings the
   engagement register and comms plans). Refuses a database that holds
   staff and is not named like a scratch one, unless `--force`.
2. **Audience.** A message (of the benchmark's own programme) whose rules
   are every approved impact assessment of every programme: the audience of
   a portfolio-wide "everyone impacted" message. Resolved `--runs` times with
   the service the send uses (`audience.audience_staff`, every person's id
   and address read), and counted as the comms pages count it
   (`audience.audience_counts`): median and p95, and the people count.
   Target: under 1 s.
3. **Heatmap.** The comms collision heatmap page (`attention-heatmap`) and
   its drill-down (`attention-cell`, the seeded Central West collision week)
   through the test client as a Board member (server time: views, queries,
   templates), `--runs` times after one warm-up: median and p95. Target:
   under 500 ms at p95.
4. **Sending.** `--emails` people of the benchmark's own (a unit tree of
   its own, as the survey benchmark makes; seeded data's messages and emails
   are left alone) get an approved email message, sent with the real service
   (`sending.message_send`: recipients and outbox rows), then delivered
   in-process by `core.outbox.deliver_due` to a local SMTP sink (aiosmtpd)
   that records each Message-ID. In the same run the first
   `common.SMTP_BASELINE` of the same messages are sent straight over one
   SMTP connection (no database work): `ratio_to_smtp_baseline` = baseline
   emails a second / ours (target at most 2). Other queued emails wait
   while the benchmark's are delivered.

Everything it makes is deleted afterwards (and before, if a run was
interrupted): its programme, message, recipients and emails, its people and
units, its Board user and the audit rows it wrote.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from django.db import connection
from django.db.models import Max
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from .common import (
    SMTP_BASELINE,
    BenchError,
    delete_people,
    make_people,
    others_held,
    p95,
    refuse_unless_scratch,
    sink_figures,
    smtp_baseline,
    smtp_sink,
    timed,
)

DEFAULT_EMAILS = 45_000
DEFAULT_RUNS = 10
ROOT_NAME = "Engagement benchmark"
ROOT_CODE = "ENG-BENCH"  # unit codes are at most 30 characters: "ENG-BENCH-RECIPIENTS-0001"
PROGRAMME_CODE = "ENGAGEMENT-BENCH"
BENCH_USER = "bench-engagement"
EMAIL_DOMAIN = "engagement-bench.example"


def _ms(values: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(values), 1) if values else 0.0, "p95": round(p95(values), 1) if values else 0.0}


def _seed(seed: int) -> dict[str, Any]:
    from changeboard.devtools.seeding import seed_force
    from changeboard.organisation.models import Unit

    if Unit.objects.exists():
        return {}
    started = time.perf_counter()
    seed_force(scale="met", seed=seed)
    return {"seed_seconds": round(time.perf_counter() - started, 1)}


def _programme() -> Any:
    from changeboard.portfolio.models import Programme

    return Programme.objects.create(code=PROGRAMME_CODE, name="Engagement benchmark",
                                    description="Made and deleted by `manage.py bench engagement`.")


def _message(programme: Any, title: str) -> Any:
    from changeboard.engagement.models import Message

    return Message.objects.create(programme=programme, title=title, channel=Message.Channel.EMAIL, planned_on=timezone.localdate(),
                                  status=Message.Status.APPROVED, subject=title, purpose="Benchmark.",
                                  body="Dear {first_name},\n\nA benchmark message for {unit}.\n")


def cleanup(audit_after: int | None = None) -> None:
    """Delete what the benchmark made (see the module docstring)."""
    from changeboard.accounts.models import User
    from changeboard.core.models import AuditEntry, OutboxMessage
    from changeboard.engagement.models import Message, Recipient
    from changeboard.portfolio.models import Programme

    for pk in Message.objects.filter(programme__code=PROGRAMME_CODE).values_list("pk", flat=True):
        Recipient.objects.filter(message_id=pk).delete()
        OutboxMessage.objects.filter(key__startswith=f"eng-{pk}-").delete()
    Programme.objects.filter(code=PROGRAMME_CODE).delete()  # its messages, rules and reach with it
    delete_people(ROOT_CODE)
    User.objects.filter(username=BENCH_USER).delete()
    if audit_after is not None:
        AuditEntry.objects.filter(id__gt=audit_after).delete()


def bench_audience(programme: Any, runs: int) -> dict[str, Any]:
    """Every impacted person of the portfolio: one rule per approved impact assessment."""
    from changeboard.engagement.models import AudienceRule
    from changeboard.engagement.services import audience
    from changeboard.impacts.models import ImpactAssessment, ImpactLine

    message = _message(programme, "Benchmark: everyone impacted")
    assessments = list(ImpactAssessment.objects.filter(status=ImpactAssessment.Status.APPROVED).order_by("pk").values_list("pk", flat=True))
    if not assessments:
        raise BenchError("No approved impact assessments: the audience benchmark needs a seeded database.")
    AudienceRule.objects.bulk_create([AudienceRule(message=message, kind=AudienceRule.Kind.ASSESSMENT, impact_assessment_id=pk)
                                      for pk in assessments])
    people: list[tuple[int, str]] = []

    def resolve() -> None:
        nonlocal people
        people = list(audience.audience_staff(message).order_by("pk").values_list("pk", "email"))

    counted = 0

    def count() -> None:
        nonlocal counted
        counted = audience.audience_counts(message)[0]

    resolve()  # warm-up
    resolve_ms = timed(resolve, runs)
    count_ms = timed(count, runs)
    stats, counts = _ms(resolve_ms), _ms(count_ms)
    return {
        "audience_rules": len(assessments),
        "audience_impact_lines": ImpactLine.objects.filter(assessment_id__in=assessments).count(),
        "audience_people": len(people),
        "audience_people_counted": counted,
        "audience_resolve_ms_median": stats["median"],
        "audience_resolve_ms_p95": stats["p95"],
        "audience_count_ms_median": counts["median"],
        "audience_count_ms_p95": counts["p95"],
        "audience_resolve_is": "audience_staff(message): every person's id and address, as message_send reads them (target < 1000 ms)",
    }


def bench_heatmap(runs: int) -> dict[str, Any]:
    """The heatmap page and its drill-down as a Board member."""
    from changeboard.accounts.models import Role, User
    from changeboard.engagement.seeding import collision_unit, collision_week
    from changeboard.engagement.services.attention import week_label
    from changeboard.organisation.models import Unit

    user, _ = User.objects.get_or_create(username=BENCH_USER, defaults={"role": Role.BOARD, "email": "bench-engagement@example.police.uk"})
    client = Client()
    client.force_login(user)

    def page(url: str) -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise BenchError(f"{url} answered {response.status_code}.")

    heatmap = reverse("attention-heatmap")
    unit = collision_unit() or Unit.objects.order_by("depth", "path").first()
    if unit is None:
        raise BenchError("No units: the heatmap benchmark needs a seeded database.")
    week = collision_week(timezone.localdate())
    drill = reverse("attention-cell", args=[unit.pk, week_label(week)])
    started = time.perf_counter()
    page(heatmap)
    first = (time.perf_counter() - started) * 1000
    page_stats = _ms(timed(lambda: page(heatmap), runs))
    page(drill)
    drill_stats = _ms(timed(lambda: page(drill), runs))
    return {
        "heatmap_ms_first": round(first, 1),
        "heatmap_ms_median": page_stats["median"],
        "heatmap_ms_p95": page_stats["p95"],
        "drilldown_cell": f"unit {unit.pk}, week {week_label(week)}",
        "drilldown_ms_median": drill_stats["median"],
        "drilldown_ms_p95": drill_stats["p95"],
    }


def bench_emails(programme: Any, emails: int) -> dict[str, Any]:
    from changeboard.core.models import OutboxMessage
    from changeboard.core.outbox import deliver_due
    from changeboard.engagement.models import AudienceRule, Recipient
    from changeboard.engagement.services.sending import message_send

    parts = make_people({"Recipients": emails}, root_name=ROOT_NAME, root_code=ROOT_CODE, email_domain=EMAIL_DOMAIN)
    message = _message(programme, "Benchmark: a message to everyone in a unit")
    AudienceRule.objects.create(message=message, kind=AudienceRule.Kind.UNIT, unit=parts["Recipients"])
    with override_settings(OUTBOX_SEND=False):  # no delivery task queued: the benchmark delivers itself
        started = time.perf_counter()
        sent = message_send(message=message, actor=None)
        send_seconds = time.perf_counter() - started
    ours = list(OutboxMessage.objects.filter(key__startswith=f"eng-{message.pk}-").order_by("pk")
                .only("id", "key", "to_address", "subject", "body"))
    if len(ours) != emails or sent.queued != emails:
        raise BenchError(f"Expected {emails} queued emails, the send queued {sent.queued} ({len(ours)} found).")
    expected = {m.message_id for m in ours}
    with others_held({m.id for m in ours}) as held, smtp_sink() as sink:
        baseline_count, baseline_seconds = smtp_baseline(ours[:SMTP_BASELINE])
        sink.ids.clear()
        started = time.perf_counter()
        totals = deliver_due(max_batches=emails // 100 + 10)
        seconds = time.perf_counter() - started
        received = list(sink.ids)
    sent_rows = OutboxMessage.objects.filter(key__startswith=f"eng-{message.pk}-", status=OutboxMessage.Status.SENT).count()
    ours_per_second = totals["sent"] / seconds if seconds else 0.0
    baseline_per_second = baseline_count / baseline_seconds if baseline_seconds else 0.0
    return {
        "emails": emails,
        "recipients": Recipient.objects.filter(message=message).count(),
        "send_seconds": round(send_seconds, 3),
        "send_per_second": round(emails / send_seconds, 1) if send_seconds else 0.0,
        "deliver_seconds": round(seconds, 3),
        "emails_per_second": round(ours_per_second, 1),
        "smtp_baseline_emails": baseline_count,
        "smtp_baseline_per_second": round(baseline_per_second, 1),
        "ratio_to_smtp_baseline": round(baseline_per_second / ours_per_second, 2) if baseline_per_second and ours_per_second else None,
        "ratio_to_smtp_baseline_is": "smtp_baseline_per_second / emails_per_second (the same messages sent straight over one SMTP "
                                     "connection to the same sink, without the outbox's claims and marks; target at most 2)",
        "delivered": totals["sent"],
        "delivery_failures": totals["failed"],
        "delivery_postponed": totals.get("postponed", 0),
        "marked_sent": sent_rows,
        **sink_figures(received, expected),
        "other_emails_held": len(held),
    }


def run(*, emails: int = DEFAULT_EMAILS, runs: int = DEFAULT_RUNS, seed: int = 2026, force: bool = False) -> dict[str, Any]:
    from changeboard.core.models import AuditEntry
    from changeboard.engagement.models import Message
    from changeboard.organisation.models import Staff, Unit

    refuse_unless_scratch(force, "The engagement benchmark writes a programme, messages, people and emails (and deletes them "
                                 "afterwards), and seeds met data into an empty database")
    if connection.in_atomic_block:
        raise BenchError("Run the benchmark outside a transaction: its deliveries commit as they go.")
    runs = max(1, runs)
    cleanup()  # leftovers of an interrupted run
    figures: dict[str, Any] = {"seed": seed, **_seed(seed)}
    figures.update(units=Unit.objects.count(), staff=Staff.objects.current().count(), messages=Message.objects.count(), runs=runs)
    audit_after = AuditEntry.objects.aggregate(last=Max("id"))["last"] or 0
    try:
        figures.update(bench_heatmap(runs))
        programme = _programme()
        figures.update(bench_audience(programme, runs))
        if emails > 0:
            figures.update(bench_emails(programme, emails))
    finally:
        cleanup(audit_after)
    return figures

