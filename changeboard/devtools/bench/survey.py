"""`manage.py bench survey`: survey submissions and survey emails under load.

Two measurements, each with a baseline taken in the same run:

1. **Submissions** against a real server: the benchmark starts gunicorn
   (several workers, several threads each) on a free port, on the configured
   database, serving the site plus a baseline view (`survey_urls.py`). It
   sends a wave to `--responses` people with the real services, fetches each
   person's survey page (untimed: the CSRF cookie and form token), then posts
   every form from `--concurrency` threads and times each POST. About 5% of
   the links are posted twice at the same moment (a double click). Then the
   database is checked: `lost` = posts answered "Thank you" with no stored
   response, `doubled` = responses beyond one per link. The baseline posts
   the same forms, from the same threads, to a view that inserts one row.
2. **Emails**: a wave to `--emails` people (45,000 by default) is sent with
   the real services (invitations and outbox rows), then the outbox is
   delivered in-process (`core.outbox.deliver_due`) to a local SMTP sink
   (aiosmtpd), which records each Message-ID: each must arrive exactly once.

The people are the benchmark's own (a unit tree of their own, "Survey
benchmark", teams of 60), not the seeded force: seeded data already has this
week's invitations, so the contact budget would combine or defer a quarter of
a census of it, and its queued emails must not be sent. Everything the
benchmark makes is deleted afterwards (and before, if a run was interrupted).
"""

from __future__ import annotations

import datetime as dt
import http.client
import os
import random
import re
import statistics
import tempfile
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection
from django.db.models import Max, Sum
from django.test.utils import override_settings
from django.utils import timezone

from . import common

# The shared machinery, under the names the other benchmarks and the tests import from here.
from .common import (  # noqa: F401  (re-exported)
    CSRF_FIELD,
    MESSAGE_ID,
    SCRATCH_WORDS,
    SMTP_BASELINE,
    TEAM_SIZE,
    BenchError,
    database_url,
    free_port,
    looks_like_scratch,
)
from .common import Clients as _Clients
from .common import Sink as _Sink  # noqa: F401  (re-exported)
from .common import percentile as _percentile
from .common import smtp_baseline as _smtp_baseline  # noqa: F401  (re-exported)
from .common import tail as _tail

SERVER_MODULE = "changeboard.devtools.bench.survey_urls:application"

DEFAULT_RESPONSES = 2_000
DEFAULT_EMAILS = 45_000
DEFAULT_CONCURRENCY = 32
DEFAULT_WORKERS = 4
DEFAULT_THREADS = 8
DOUBLE_SHARE = 0.05
ROOT_NAME = "Survey benchmark"
ROOT_CODE = "SURVEY-BENCH"
PROGRAMME_CODE = "SURVEY-BENCH"
TEXT_ANSWERS = ("More time to practise before go-live.", "A quick reference card.", "Clear dates for our team's training.")


# --------------------------------------------------------------------------
# The benchmark's own people, programme and waves


def make_people(groups: dict[str, int]) -> dict[str, Any]:
    """The benchmark's own people: a unit tree under "Survey benchmark" (see `common.make_people`)."""
    return common.make_people(groups, root_name=ROOT_NAME, root_code=ROOT_CODE, email_domain="survey-bench.example")


def send_wave(programme: Any, unit: Any, title: str) -> tuple[Any, Any, float]:
    """A wave to everyone in `unit`, sent with the real services: created
    with `wave_create`, scheduled, and opened by `send_waves` (the service
    the worker's `open_due` calls), which applies the contact budget and
    writes invitations and outbox rows. `wave_launch` is not used: it queues
    the worker's `open_due`, which would also open other waves due in this
    database. Returns the wave, the send result and its seconds."""
    from changeboard.surveys import services
    from changeboard.surveys.models import SurveyWave

    instrument = services.default_instrument()
    if instrument is None:
        raise BenchError("No default survey instrument: run `manage.py migrate` first.")
    today = timezone.localdate()
    wave = services.wave_create(programme=programme, instrument=instrument, title=title, opens_on=today,
                                closes_on=today + dt.timedelta(days=7), actor=None, units=[unit],
                                audience_source=SurveyWave.Source.MANUAL)
    SurveyWave.objects.filter(pk=wave.pk).update(status=SurveyWave.Status.SCHEDULED)
    wave.refresh_from_db()
    with override_settings(OUTBOX_SEND=False):  # no delivery task queued: the benchmark delivers itself
        started = time.perf_counter()
        result = services.send_waves(waves=[wave], today=today)
        seconds = time.perf_counter() - started
    return wave, result, seconds


def cleanup(audit_after: int | None = None) -> None:
    """Delete what the benchmark made: its programme (waves, cells,
    responses, answers, deferrals), its people's invitations and emails, its
    people and units, its baseline table, and (given the last audit id from
    before the run) the audit rows it wrote."""
    from changeboard.core.models import AuditEntry, OutboxMessage
    from changeboard.organisation.models import Staff, Unit
    from changeboard.portfolio.models import Programme
    from changeboard.surveys.models import Invitation

    from .survey_urls import BASELINE_TABLE

    root = Unit.objects.filter(code=ROOT_CODE).first()
    if root is not None:
        mine = Invitation.objects.filter(staff__unit__path__startswith=root.path)
        keys = [f"survey-invitation:{pk}" for pk in mine.values_list("pk", flat=True)]
        for start in range(0, len(keys), 900):
            OutboxMessage.objects.filter(key__in=keys[start:start + 900]).delete()
    Programme.objects.filter(code=PROGRAMME_CODE).delete()
    if root is not None:
        Invitation.waves.through.objects.filter(invitation__staff__unit__path__startswith=root.path).delete()
        Invitation.objects.filter(staff__unit__path__startswith=root.path).delete()
        Staff.objects.filter(unit__path__startswith=root.path).delete()
        Unit.objects.filter(path__startswith=root.path).delete()
    if audit_after is not None:
        AuditEntry.objects.filter(id__gt=audit_after).delete()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(BASELINE_TABLE)}")


# --------------------------------------------------------------------------
# Submissions against a real server


HIDDEN_WAVES = re.compile(rb'<input type="hidden" name="waves" value="(\d+)"')


@dataclass
class _Form:
    token: str
    cookie: str
    body: str


@dataclass
class _Result:
    token: str
    kind: str  # thanks, already, error
    ms: float


def _prepare(clients: _Clients, token: str, fields: list[tuple[str, str, int]], seed: int) -> _Form:
    """GET the survey page (untimed): the CSRF cookie and form token, then
    a valid answer to every question."""
    status, response, data = clients.request("GET", f"/s/{token}/")
    if status != 200:
        raise BenchError(f"The survey page answered {status} for a fresh link.")
    cookie = ""
    for header in response.msg.get_all("Set-Cookie") or []:
        if header.startswith("csrftoken="):
            cookie = header.split(";", 1)[0]
    match = CSRF_FIELD.search(data)
    if not cookie or not match:
        raise BenchError("The survey page set no CSRF cookie or form token.")
    for name, _, _ in fields:
        if name.encode() not in data:
            raise BenchError(f"The survey page has no field {name}.")
    rng = random.Random(f"{seed}:{token}")
    answers: list[tuple[str, str]] = [("csrfmiddlewaretoken", match.group(1).decode())]
    answers += [("waves", pk.decode()) for pk in HIDDEN_WAVES.findall(data)]  # the sections shown, as a browser sends them
    for name, kind, options in fields:
        if kind == "likert":
            answers.append((name, str(rng.randint(1, 5))))
        elif kind == "scale":
            answers.append((name, str(rng.randint(0, 10))))
        elif kind == "choice":
            answers.append((name, str(rng.randint(1, options))))
        else:
            answers.append((name, rng.choice(TEXT_ANSWERS)))
    return _Form(token, cookie, urllib.parse.urlencode(answers))


def _post(clients: _Clients, path: str, form: _Form) -> _Result:
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": form.cookie}
    started = time.perf_counter()
    try:
        status, _, data = clients.request("POST", path, body=form.body, headers=headers)
    except (http.client.HTTPException, OSError):
        return _Result(form.token, "error", (time.perf_counter() - started) * 1000)
    ms = (time.perf_counter() - started) * 1000
    if status == 200 and b"already answered this survey" in data:
        kind = "already"
    elif status == 200 and (b"govuk-panel__title\">Thank you" in data or data == b"ok"):
        kind = "thanks"
    else:
        kind = f"error {status}"
    return _Result(form.token, kind, ms)


def _timed(pool: ThreadPoolExecutor, clients: _Clients, path: Callable[[_Form], str], jobs: list[_Form]) -> tuple[float, list[_Result]]:
    started = time.perf_counter()
    results = list(pool.map(lambda form: _post(clients, path(form), form), jobs))
    return time.perf_counter() - started, results


def bench_submissions(*, programme: Any, unit: Any, responses: int, concurrency: int, workers: int, threads: int,
                      seed: int, env: dict[str, str] | None = None) -> dict[str, Any]:
    """`env` is added to the server's environment (`bench scale` points it at its own Redis)."""
    from changeboard.surveys.models import Answer, AudienceCell, Invitation, Question, Response

    from .survey_urls import BASELINE_TABLE

    wave, sent, _ = send_wave(programme, unit, "Benchmark: survey submissions")
    tokens = sorted(Invitation.objects.filter(waves=wave).values_list("token", flat=True))
    if len(tokens) != responses or sent.invited != responses:
        raise BenchError(f"Expected {responses} invitations, the send made {sent.invited}.")
    from changeboard.surveys import services

    fields = [(services.field_name(wave, q), q.kind, len(q.choices)) for q in wave.instrument.ordered_questions()]
    kinds = {Question.Kind.LIKERT: "likert", Question.Kind.SCALE: "scale", Question.Kind.CHOICE: "choice"}
    fields = [(name, kinds.get(kind, "text"), options) for name, kind, options in fields]
    rng = random.Random(seed)
    doubles = set(rng.sample(tokens, round(len(tokens) * DOUBLE_SHARE))) if tokens else set()

    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {quote(BASELINE_TABLE)}")
        key = "id integer PRIMARY KEY AUTOINCREMENT" if connection.vendor == "sqlite" else "id bigserial PRIMARY KEY"
        cursor.execute(f"CREATE TABLE {quote(BASELINE_TABLE)} ({key}, note varchar(64) NOT NULL)")

    with tempfile.TemporaryDirectory(prefix="changeboard-bench-") as tmp, \
            common.server(module=SERVER_MODULE, workers=workers, threads=threads, log=Path(tmp) / "server.log", env=env) as port, \
            ThreadPoolExecutor(max_workers=concurrency) as pool:
        clients = _Clients(port)
        try:
            forms = list(pool.map(lambda token: _prepare(clients, token, fields, seed), tokens))
            # Adjacent jobs run at the same moment on two threads: a double click.
            jobs = [job for form in forms for job in ([form, form] if form.token in doubles else [form])]
            warm = [forms[i % len(forms)] for i in range(min(len(forms), 4 * workers * threads))] if forms else []
            _timed(pool, clients, lambda _: "/bench/baseline/", warm)
            first_baseline = _timed(pool, clients, lambda _: "/bench/baseline/", jobs)
            submit_seconds, results = _timed(pool, clients, lambda form: f"/s/{form.token}/", jobs)
            second_baseline = _timed(pool, clients, lambda _: "/bench/baseline/", jobs)
        finally:
            clients.close()
        log_tail = _tail(Path(tmp) / "server.log")

    thanked = Counter(r.token for r in results if r.kind == "thanks")
    kinds_seen = Counter(r.kind for r in results)
    used = set(Invitation.objects.filter(waves=wave, used=True).values_list("token", flat=True))
    stored = Response.objects.filter(wave=wave).count()
    cells = AudienceCell.objects.filter(wave=wave).aggregate(n=Sum("responded"))["n"] or 0
    answers = Answer.objects.filter(response__wave=wave).count()
    lost = max(0, len(set(thanked) - used), len(thanked) - stored)
    doubled = max(0, stored - len(used), cells - len(used), sum(1 for n in thanked.values() if n > 1))
    baselines = [first_baseline, second_baseline]
    best_seconds, best = min(baselines, key=lambda b: b[0])
    baseline_errors = sum(1 for seconds, rs in baselines for r in rs if r.kind != "thanks")
    latencies = [r.ms for r in results]
    per_second = len(thanked) / submit_seconds if submit_seconds else 0.0
    baseline_per_second = len(best) / best_seconds if best_seconds else 0.0
    figures: dict[str, Any] = {
        "server": f"gunicorn, {workers} workers x {threads} threads (gthread), DB_CONN_MAX_AGE={os.environ.get('DB_CONN_MAX_AGE', '0')}",
        "concurrency": concurrency,
        "links": len(tokens),
        "double_clicks": len(doubles),
        "posts": len(jobs),
        "submit_seconds": round(submit_seconds, 3),
        "responses_per_second": round(per_second, 1),
        "posts_per_second": round(len(jobs) / submit_seconds, 1) if submit_seconds else 0.0,
        "p50_ms": round(statistics.median(latencies), 1) if latencies else 0.0,
        "p95_ms": round(common.p95(latencies), 1) if latencies else 0.0,
        "p99_ms": round(_percentile(latencies, 0.99), 1),
        "baseline_posts": len(best),
        "baseline_per_second": round(baseline_per_second, 1),
        "baseline_p50_ms": round(statistics.median([r.ms for r in best]), 1) if best else 0.0,
        "baseline_p99_ms": round(_percentile([r.ms for r in best], 0.99), 1),
        "baseline_runs_per_second": [round(len(rs) / s, 1) if s else 0.0 for s, rs in baselines],
        "ratio_to_baseline": round(baseline_per_second / per_second, 2) if per_second else None,
        "ratio_to_baseline_is": "baseline_per_second / responses_per_second (how many times faster the bare insert is)",
        "acknowledged": len(thanked),
        "already_answered": kinds_seen.get("already", 0),
        "errors": sum(n for kind, n in kinds_seen.items() if kind.startswith("error")),
        "baseline_errors": baseline_errors,
        "responses_stored": stored,
        "links_used": len(used),
        "cells_responded": cells,
        "answers_stored": answers,
        "stored_without_thanks": len(used - set(thanked)),
        "lost": lost,
        "doubled": doubled,
    }
    if figures["errors"] or baseline_errors:
        figures["server_log_tail"] = log_tail[-2000:]
    return figures


# --------------------------------------------------------------------------
# Emails to an SMTP sink


def bench_emails(*, programme: Any, unit: Any, emails: int) -> dict[str, Any]:
    from changeboard.core.models import OutboxMessage
    from changeboard.core.outbox import deliver_due
    from changeboard.surveys.models import Invitation

    wave, sent, send_seconds = send_wave(programme, unit, "Benchmark: survey emails")
    keys = [f"survey-invitation:{pk}" for pk in Invitation.objects.filter(waves=wave).values_list("pk", flat=True)]
    ours: list[OutboxMessage] = []
    for start in range(0, len(keys), 900):
        ours.extend(OutboxMessage.objects.filter(key__in=keys[start:start + 900]).only("id", "key", "to_address", "subject", "body"))
    if len(ours) != emails or sent.invited != emails:
        raise BenchError(f"Expected {emails} queued emails, the send queued {len(ours)}.")
    expected = {m.message_id for m in ours}
    with common.others_held({m.id for m in ours}) as held, common.smtp_sink() as sink:
        baseline_count, baseline_seconds = common.smtp_baseline(ours[:SMTP_BASELINE])
        sink.ids.clear()
        started = time.perf_counter()
        totals = deliver_due(max_batches=emails // 100 + 10)
        seconds = time.perf_counter() - started
        received = list(sink.ids)

    sent_rows = 0
    for start in range(0, len(keys), 900):
        sent_rows += OutboxMessage.objects.filter(key__in=keys[start:start + 900], status=OutboxMessage.Status.SENT).count()
    return {
        "emails": emails,
        "send_seconds": round(send_seconds, 3),
        "invitations_per_second": round(emails / send_seconds, 1) if send_seconds else 0.0,
        "deliver_seconds": round(seconds, 3),
        "emails_per_second": round(totals["sent"] / seconds, 1) if seconds else 0.0,
        "smtp_baseline_emails": baseline_count,
        "smtp_baseline_per_second": round(baseline_count / baseline_seconds, 1) if baseline_seconds else 0.0,
        "ratio_to_smtp_baseline": round((baseline_count / baseline_seconds) / (totals["sent"] / seconds), 2)
        if baseline_seconds and seconds and totals["sent"] else None,
        "ratio_to_smtp_baseline_is": "smtp_baseline_per_second / emails_per_second (the same messages sent straight over one "
                                     "SMTP connection to the same sink, without the outbox's claims and per-message commits)",
        "delivered": totals["sent"],
        "delivery_failures": totals["failed"],
        "delivery_postponed": totals.get("postponed", 0),
        "marked_sent": sent_rows,
        **common.sink_figures(received, expected),
        "other_emails_held": len(held),
    }


# --------------------------------------------------------------------------
# The command's entry point


def run(*, responses: int = DEFAULT_RESPONSES, emails: int = DEFAULT_EMAILS, concurrency: int = DEFAULT_CONCURRENCY,
        workers: int = DEFAULT_WORKERS, threads: int = DEFAULT_THREADS, seed: int = 2026, force: bool = False) -> dict[str, Any]:
    from changeboard.core.models import AuditEntry
    from changeboard.portfolio.models import Programme

    common.refuse_unless_scratch(force, "The survey benchmark writes people, waves, responses and emails (and deletes them afterwards)")
    if connection.in_atomic_block:
        raise BenchError("Run the benchmark outside a transaction: its server must see what it writes.")
    database_url()  # fails early on a database the server could not open
    cleanup()  # leftovers of an interrupted run
    audit_after = AuditEntry.objects.aggregate(last=Max("id"))["last"] or 0
    figures: dict[str, Any] = {"seed": seed}
    try:
        parts = make_people({"Submissions": responses, "Emails": emails})
        programme = Programme.objects.create(code=PROGRAMME_CODE, name="Survey benchmark",
                                             description="Made and deleted by `manage.py bench survey`.")
        if responses > 0:
            figures.update(bench_submissions(programme=programme, unit=parts["Submissions"], responses=responses,
                                             concurrency=concurrency, workers=workers, threads=threads, seed=seed))
        if emails > 0:
            figures.update(bench_emails(programme=programme, unit=parts["Emails"], emails=emails))
    finally:
        cleanup(audit_after)
    return figures
