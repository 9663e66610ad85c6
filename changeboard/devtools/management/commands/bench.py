"""`manage.py bench <benchmark>`: reproducible speed measurements at met scale.

Each benchmark prints one JSON object. Absolute times on shared machines are
noise, so every benchmark also measures a baseline in the same run (for
example the raw speed of a bulk insert on the same database) and reports its
own time as a ratio to it.

Benchmarks write to the configured database (DATABASE_URL): run them on a
scratch database, never on one holding real data. See docs/performance.md.

    bench import [--rows 45000] [--seed 2026] [--repeat 3] [--force]
        The HR staff import at 45,000 rows: preview + commit of a fresh file,
        a re-import of the same file (which must change nothing), and the raw
        baseline of reading the file with the csv module and inserting its
        rows unvalidated into a bare table, all in the same run.

    bench heatmap [--runs 10]
        The portfolio change-load heatmap at met scale (seeds met data into
        an empty database).

    bench board [--runs 20] [--no-double] [--force]
        The Programme Board's portfolio and programme dashboards (median and
        p95 server time), a board pack's generation (HTML, PDF, XLSX), and
        the dashboards again after doubling the survey responses, at met
        scale (seeds met data into an empty database).

    bench cutover [--tasks 2000] [--seed 2026] [--repeats 15] [--runs 20] [--no-live]
        The cutover scheduler on the met runbook against a networkx computation
        of the same network (ratio_to_networkx), the conflict warnings,
        finishing a task in a live run, the live page and the MS Project
        import of the 2,000 tasks.

    bench survey [--responses 2000] [--concurrency 32] [--workers 4] [--threads 8] [--emails 45000] [--seed 2026] [--force]
        Survey submissions posted by concurrent threads to a real gunicorn
        server on this database (latency, throughput, lost and doubled
        responses under double clicks), against a baseline view on the same
        server that inserts one row; then a 45,000-person wave's emails
        delivered from the outbox to a local SMTP sink (emails per second,
        each Message-ID received exactly once). Refuses a database that
        holds staff and is not named like a scratch one, unless --force.

    bench hypercare [--queries 50000] [--raises 1000] [--concurrency 16] [--workers 4] [--threads 4] [--runs 20] [--seed 2026] [--force]
        Raising hypercare queries through the public form on a real server
        against a baseline view, the queue and period dashboard at met
        scale, and the SLA state of every open query.

    bench engagement [--emails 45000] [--runs 10] [--seed 2026] [--force]
        Resolving the audience of a message to every impacted person (every
        approved impact assessment of every programme), the comms collision
        heatmap and its drill-down as a Board member (median and p95), and a
        message to --emails people sent with the real service and delivered
        from the outbox to a local SMTP sink, against the same messages sent
        straight over one SMTP connection (ratio_to_smtp_baseline, each
        Message-ID exactly once). Seeds met data into an empty database;
        refuses a database that holds staff and is not named like a
        scratch one, unless --force.

    bench network [--runs 20] [--seed 2026]
        Champion coverage at met scale (45,000 staff, 12 programmes, about
        1,800 champions): the coverage page as a change manager and for the
        portfolio (median and p95, target p95 under 300 ms), the coverage
        service, every programme's gaps and candidates (`all_gaps`, target
        under 2 s), and the grouped impacted-people query as the baseline
        (ratios). Seeds met data into an empty database; writes only two
        users, deleted afterwards.

    bench scale [--responses 2000] [--page-views 2000] [--emails 45000] [--concurrency 16] [--threads 4] [--outage-seconds 5]
                [--recovery-timeout 180] [--seed-scale met|demo|none] [--no-kill] [--no-restart] [--fast-forward-leases]
                [--seed 2026] [--force]
        The multi-process layout on PostgreSQL and a Redis of its own: survey
        submissions and signed-in page views against 1 and then 2 gunicorn
        processes, a wave's emails sent by 1 and then 2 task workers to an
        SMTP sink, a worker killed (SIGKILL) during that send and during a
        board pack build (nothing lost, nothing doubled), and Redis
        restarted while pages are served (errors during the outage, time
        to a healthy /readyz). Refuses SQLite. Seeds met data into an empty
        database.

    bench capability [--runs 20] [--seed 2026]
        The change approach page with its live evidence and a journey page
        with its survey-fed emotion lane at met scale, as a Board member and
        as the programme's change manager (median and p95, target p95 under
        300 ms), the approach PDF (target under 10 s), and the programme's
        own page as the baseline (ratios). Seeds met data into an empty
        database; writes only two users, deleted afterwards.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import tempfile
import time
from argparse import ArgumentParser
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Max

DEFAULT_ROWS = 45_000
DEFAULT_SEED = 2026
RAW_TABLE = "bench_raw_staff"

FORCE = "Metropolitan Police Service"
BUSINESS_GROUPS = ("Frontline Policing", "Met Operations", "Specialist Operations", "Professionalism", "Shared Services")
COMMAND_WORDS = ("Central", "North", "South", "East", "West", "Airports", "Roads", "Marine", "Public Order", "Counter Terrorism",
                 "Intelligence", "Forensics", "Custody", "Contact", "Training", "Digital")
BOROUGHS = ("Westminster", "Camden", "Islington", "Hackney", "Lambeth", "Southwark", "Lewisham", "Greenwich", "Bexley", "Bromley",
            "Croydon", "Sutton", "Merton", "Wandsworth", "Kingston", "Richmond", "Hounslow", "Ealing", "Hillingdon", "Harrow",
            "Brent", "Barnet", "Enfield", "Haringey", "Waltham Forest", "Redbridge", "Havering", "Newham", "Barking", "Tower Hamlets")
TEAM_KINDS = ("Response Team", "Neighbourhood Team", "CID", "Safeguarding", "Case Progression", "Proactive Team")
FIRST_NAMES = ("Amelia", "Oliver", "Isla", "George", "Ava", "Noah", "Mia", "Arthur", "Ivy", "Muhammad", "Freya", "Leo", "Chloé",
               "Kwame", "Priya", "Tomasz", "Aisha", "Daniel", "Grace", "Owen", "Zara", "Ethan", "Sofia", "Ryan")
LAST_NAMES = ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Khan", "Okafor", "Nowak",
              "Hart", "Shah", "Mensah", "Price", "Reyes", "O'Brien", "Evans", "Thomas", "Roberts", "Walker", "Wright", "Green")
LOCATIONS = ("Charing Cross", "Marylebone", "Brixton", "Lewisham", "Croydon", "Wembley", "Stoke Newington", "Hendon", "Lambeth HQ")
SHIFTS = ("Response 10-hour 5-team rota", "Neighbourhood 8-hour earlies and lates", "Office hours, Monday to Friday",
          "CID 8-hour earlies and lates", "Custody 12-hour 24/7 rota")


SCRATCH_FORCE_HELP = "Run even on a database that holds staff and is not named like a scratch one."


def add_server_options(parser: ArgumentParser, defaults: Any) -> None:
    """--concurrency, --workers and --threads of a benchmark that starts a
    real server, with the defaults of its module (DEFAULT_CONCURRENCY,
    DEFAULT_WORKERS, DEFAULT_THREADS)."""
    parser.add_argument("--concurrency", type=int, default=defaults.DEFAULT_CONCURRENCY,
                        help=f"Client threads posting at once (default {defaults.DEFAULT_CONCURRENCY}).")
    parser.add_argument("--workers", type=int, default=defaults.DEFAULT_WORKERS,
                        help=f"gunicorn worker processes (default {defaults.DEFAULT_WORKERS}).")
    parser.add_argument("--threads", type=int, default=defaults.DEFAULT_THREADS,
                        help=f"Threads per gunicorn worker (default {defaults.DEFAULT_THREADS}).")


def add_force_option(parser: ArgumentParser, help: str = SCRATCH_FORCE_HELP) -> None:  # noqa: A002  (argparse's own word)
    parser.add_argument("--force", action="store_true", help=help)


class Command(BaseCommand):
    help = "Run a benchmark (on a scratch database) and print its figures as one JSON object."

    def add_arguments(self, parser: ArgumentParser) -> None:
        benchmarks = parser.add_subparsers(dest="benchmark", required=True, metavar="benchmark")
        imp = benchmarks.add_parser("import", help="The HR staff import at met scale, against the raw bulk-insert baseline.")
        imp.add_argument("--rows", type=int, default=DEFAULT_ROWS, help=f"Rows in the generated file (default {DEFAULT_ROWS}).")
        imp.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Random seed: the same seed gives the same file.")
        add_force_option(imp, "Run even though staff exist (they and all units are deleted first).")
        imp.add_argument("--repeat", type=int, default=3, help="Rounds to run; each figure is the fastest round's (default 3).")
        heat = benchmarks.add_parser("heatmap", help="The portfolio change-load heatmap at met scale (seeds met data into an empty database).")
        heat.add_argument("--runs", type=int, default=10, help="Timed runs of each measurement (default 10).")
        board = benchmarks.add_parser("board", help="The Board's dashboards and board pack at met scale, and the dashboards "
                                                    "again after doubling the responses (seeds met data into an empty database).")
        board.add_argument("--runs", type=int, default=20, help="Timed runs of each dashboard (default 20).")
        board.add_argument("--no-double", action="store_true", help="Skip doubling the responses.")
        add_force_option(board, "Double the responses even on a database not named like a scratch one.")
        cutover = benchmarks.add_parser("cutover", help="The cutover scheduler against networkx on the met runbook, conflicts, finishing "
                                                        "a task in a live run, the live page and the MS Project import.")
        cutover.add_argument("--tasks", type=int, default=2000, help="Tasks in the runbook (default 2000, the met runbook).")
        cutover.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Random seed of the generated runbook.")
        cutover.add_argument("--repeats", type=int, default=15, help="Timed schedule computations of each kind (default 15).")
        cutover.add_argument("--runs", type=int, default=20, help="Timed runs of the other measurements (default 20).")
        cutover.add_argument("--no-live", action="store_true", help="Skip the live run (finishing tasks, the live page).")
        from changeboard.devtools.bench import survey as survey_bench

        survey = benchmarks.add_parser("survey", help="Survey submissions against a real server, and a 45,000-person wave's emails, "
                                                      "each against a baseline.")
        survey.add_argument("--responses", type=int, default=survey_bench.DEFAULT_RESPONSES,
                            help=f"People invited and posting their answers (default {survey_bench.DEFAULT_RESPONSES}; 0 skips).")
        add_server_options(survey, survey_bench)
        survey.add_argument("--emails", type=int, default=survey_bench.DEFAULT_EMAILS,
                            help=f"People in the emailed wave (default {survey_bench.DEFAULT_EMAILS}; 0 skips).")
        survey.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Random seed for the answers and double clicks.")
        add_force_option(survey)
        from changeboard.devtools.bench import hypercare as hypercare_bench

        hyper = benchmarks.add_parser("hypercare", help="Raising hypercare queries against a real server and a baseline, the queue "
                                                        "and period dashboard at met scale, and the SLA state of every open query.")
        hyper.add_argument("--queries", type=int, default=hypercare_bench.DEFAULT_QUERIES,
                           help=f"Hypercare queries to measure on (default {hypercare_bench.DEFAULT_QUERIES:,}; re-seeds when different).")
        hyper.add_argument("--raises", type=int, default=hypercare_bench.DEFAULT_RAISES,
                           help=f"Queries raised through the server (default {hypercare_bench.DEFAULT_RAISES}; 0 skips).")
        add_server_options(hyper, hypercare_bench)
        hyper.add_argument("--runs", type=int, default=hypercare_bench.DEFAULT_RUNS, help="Timed runs of each page (default 20).")
        hyper.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Random seed for the data and the posts.")
        add_force_option(hyper)
        from changeboard.devtools.bench import engagement as engagement_bench

        eng = benchmarks.add_parser("engagement", help="Resolving an everyone-impacted audience, the comms collision heatmap and its "
                                                       "drill-down at met scale, and a message's emails through the outbox against a "
                                                       "straight SMTP baseline.")
        eng.add_argument("--emails", type=int, default=engagement_bench.DEFAULT_EMAILS,
                         help=f"People the emailed message goes to (default {engagement_bench.DEFAULT_EMAILS}; 0 skips).")
        eng.add_argument("--runs", type=int, default=engagement_bench.DEFAULT_RUNS,
                         help=f"Timed runs of each resolution and page (default {engagement_bench.DEFAULT_RUNS}).")
        eng.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Random seed of the met data when it seeds an empty database.")
        add_force_option(eng)
        from changeboard.devtools.bench import network as network_bench

        net = benchmarks.add_parser("network", help="Champion coverage at met scale: the coverage page, the service and every "
                                                    "programme's gaps and candidates, against the grouped impacted-people query.")
        net.add_argument("--runs", type=int, default=network_bench.DEFAULT_RUNS,
                         help=f"Timed runs of each page and computation (default {network_bench.DEFAULT_RUNS}; all_gaps at most "
                              f"{network_bench.GAPS_RUNS}).")
        net.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Random seed of the met data when it seeds an empty database.")
        from changeboard.devtools.bench import capability as capability_bench

        cap = benchmarks.add_parser("capability", help="The change approach page with its live evidence, a journey with its survey-fed "
                                                       "lane and the approach PDF at met scale, against the programme's own page.")
        cap.add_argument("--runs", type=int, default=capability_bench.DEFAULT_RUNS,
                         help=f"Timed runs of each page (default {capability_bench.DEFAULT_RUNS}).")
        cap.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Random seed of the met data when it seeds an empty database.")
        from changeboard.devtools.bench import scale as scale_bench

        scale = benchmarks.add_parser("scale", help="Several web processes and task workers on PostgreSQL and Redis, under load and "
                                                    "faults (a worker killed, Redis restarted).")
        scale.add_argument("--responses", type=int, default=scale_bench.DEFAULT_RESPONSES,
                           help=f"Survey submissions per web run (default {scale_bench.DEFAULT_RESPONSES}; 0 skips).")
        scale.add_argument("--page-views", type=int, default=scale_bench.DEFAULT_PAGE_VIEWS,
                           help=f"Signed-in page views per web run (default {scale_bench.DEFAULT_PAGE_VIEWS}; 0 skips).")
        scale.add_argument("--emails", type=int, default=scale_bench.DEFAULT_EMAILS,
                           help=f"Emails sent by the task workers (default {scale_bench.DEFAULT_EMAILS}; 0 skips).")
        scale.add_argument("--concurrency", type=int, default=scale_bench.DEFAULT_CONCURRENCY,
                           help=f"Client threads (default {scale_bench.DEFAULT_CONCURRENCY}).")
        scale.add_argument("--threads", type=int, default=scale_bench.DEFAULT_THREADS,
                           help=f"Threads per gunicorn process (default {scale_bench.DEFAULT_THREADS}).")
        scale.add_argument("--outage-seconds", type=float, default=scale_bench.DEFAULT_OUTAGE_SECONDS,
                           help=f"How long Redis stays stopped (default {scale_bench.DEFAULT_OUTAGE_SECONDS}).")
        scale.add_argument("--recovery-timeout", type=float, default=scale_bench.DEFAULT_RECOVERY_SECONDS,
                           help=f"Seconds to wait for a killed worker's work to be finished (default {scale_bench.DEFAULT_RECOVERY_SECONDS}).")
        scale.add_argument("--seed-scale", choices=["met", "demo", "none"], default="met",
                           help="Data seeded into an empty database first (default met; none for a quick run).")
        scale.add_argument("--no-kill", action="store_true", help="Skip killing workers.")
        scale.add_argument("--no-restart", action="store_true", help="Skip the Redis restart.")
        scale.add_argument("--fast-forward-leases", action="store_true",
                           help="End a killed worker's email leases once the survivor is idle instead of waiting them out.")
        scale.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Random seed for the answers and double clicks.")
        add_force_option(scale)

    def handle(self, *args: Any, **options: Any) -> None:
        runners: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {"import": bench_import, "heatmap": bench_heatmap,
                                                                           "survey": bench_survey, "board": bench_board,
                                                                           "cutover": bench_cutover, "hypercare": bench_hypercare,
                                                                           "engagement": bench_engagement, "network": bench_network,
                                                                           "capability": bench_capability, "scale": bench_scale}
        result = runners[options["benchmark"]](options)
        self.stdout.write(json.dumps(result))


def _figures(benchmark: str, run: Callable[..., dict[str, Any]], errors: tuple[type[Exception], ...] = (), **kwargs: Any) -> dict[str, Any]:
    """One benchmark's JSON object: its name, the database and its figures;
    a benchmark's own "cannot run here" error becomes a command error."""
    from changeboard.devtools.bench.common import BenchError

    caught: tuple[type[Exception], ...] = (BenchError, *errors)
    try:
        figures = run(**kwargs)
    except caught as exc:
        raise CommandError(str(exc)) from exc
    return {"benchmark": benchmark, "database": connection.vendor, **figures}


def bench_heatmap(options: dict[str, Any]) -> dict[str, Any]:
    from changeboard.devtools.bench.heatmap import run

    return _figures("heatmap", run, runs=options["runs"])


def bench_board(options: dict[str, Any]) -> dict[str, Any]:
    from changeboard.devtools.bench.board import run

    return _figures("board", run, runs=options["runs"], double=not options["no_double"], force=options["force"])


def bench_cutover(options: dict[str, Any]) -> dict[str, Any]:
    from changeboard.devtools.bench.cutover import BenchFailure, run

    return _figures("cutover", run, (BenchFailure,), tasks=options["tasks"], seed=options["seed"], repeats=options["repeats"],
                    runs=options["runs"], live=not options["no_live"])


def bench_survey(options: dict[str, Any]) -> dict[str, Any]:
    from changeboard.devtools.bench.survey import run

    return _figures("survey", run, responses=options["responses"], emails=options["emails"], concurrency=options["concurrency"],
                    workers=options["workers"], threads=options["threads"], seed=options["seed"], force=options["force"])


def bench_hypercare(options: dict[str, Any]) -> dict[str, Any]:
    from changeboard.devtools.bench.hypercare import run

    return _figures("hypercare", run, queries=options["queries"], raises=options["raises"], concurrency=options["concurrency"],
                    workers=options["workers"], threads=options["threads"], runs=options["runs"], seed=options["seed"],
                    force=options["force"])


def bench_engagement(options: dict[str, Any]) -> dict[str, Any]:
    from changeboard.devtools.bench.engagement import run

    return _figures("engagement", run, emails=options["emails"], runs=options["runs"], seed=options["seed"], force=options["force"])


def bench_network(options: dict[str, Any]) -> dict[str, Any]:
    from changeboard.devtools.bench.network import run

    return _figures("network", run, runs=options["runs"], seed=options["seed"])


def bench_capability(options: dict[str, Any]) -> dict[str, Any]:
    from changeboard.devtools.bench.capability import run

    return _figures("capability", run, runs=options["runs"], seed=options["seed"])


def bench_scale(options: dict[str, Any]) -> dict[str, Any]:
    from changeboard.devtools.bench.scale import run

    return _figures("scale", run, responses=options["responses"], page_views=options["page_views"], emails=options["emails"],
                    concurrency=options["concurrency"], threads=options["threads"], outage=options["outage_seconds"],
                    recovery=options["recovery_timeout"], seed_scale=options["seed_scale"], kill=not options["no_kill"],
                    restart=not options["no_restart"], fast_forward=options["fast_forward_leases"], seed=options["seed"],
                    force=options["force"])


# --------------------------------------------------------------------------
# bench import


def generate_staff_csv(rows: int, seed: int, ranks: list[tuple[str, str]]) -> bytes:
    """A deterministic HR export: ~700 units in a 5-level tree under one
    root, a management chain from the force head down to team members, rows
    shuffled so many line managers appear after the people they manage.

    `ranks` is (code, name) pairs; the file uses names and codes both."""
    rng = random.Random(seed)
    # The tree: force > 5 business groups > 30 commands > 120 boroughs > ~545 teams.
    commands: list[str] = []
    for g, group in enumerate(BUSINESS_GROUPS):
        for c in range(6):
            commands.append(f"{FORCE} > {group} > {COMMAND_WORDS[(g * 6 + c) % len(COMMAND_WORDS)]} Command {g * 6 + c + 1}")
    boroughs = [f"{command} > {BOROUGHS[(i * 4 + b) % len(BOROUGHS)]} {b + 1}" for i, command in enumerate(commands) for b in range(4)]
    teams = [f"{borough} > {TEAM_KINDS[(i + t) % len(TEAM_KINDS)]} {t + 1}" for i, borough in enumerate(boroughs) for t in range(4 + (i % 2) + (i % 3 == 0))]

    people: list[dict[str, str]] = []

    def person(unit: str, manager: str, role: str) -> str:
        number = str(100000 + len(people))
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        code, name = rng.choice(ranks)
        start = dt.date(1990, 1, 1) + dt.timedelta(days=rng.randrange(12_500))
        leave = start + dt.timedelta(days=rng.randrange(300, 9000)) if rng.random() < 0.02 else None
        people.append({
            "staff_number": number,
            "first_name": first,
            "last_name": last,
            "email": f"{first.lower().replace('é', 'e')}.{last.lower().replace(chr(39), '')}.{number}@met.example.police.uk",
            "unit_path": unit,
            "role": role,
            "rank_or_grade": name if rng.random() < 0.5 else code,
            "location": rng.choice(LOCATIONS),
            "shift_pattern": rng.choice(SHIFTS),
            "line_manager_staff_number": manager,
            "start_date": start.strftime("%d/%m/%Y") if rng.random() < 0.5 else start.isoformat(),
            "leave_date": "" if leave is None else leave.strftime("%d/%m/%Y"),
        })
        return number

    head = person(FORCE, "", "Commissioner")
    heads: dict[str, str] = {FORCE: head}
    for unit in [f"{FORCE} > {g}" for g in BUSINESS_GROUPS] + commands + boroughs + teams:
        heads[unit] = person(unit, heads[unit.rsplit(" > ", 1)[0]], "Head of unit")
    per_team = max(0, rows - len(people)) // len(teams) + 1
    for team in teams:
        supervisor = heads[team]
        for i in range(per_team):
            if len(people) >= rows:
                break
            if i % 9 == 0:
                supervisor = person(team, heads[team], "Supervisor")
            else:
                person(team, supervisor, "Officer")
    people = people[:rows]
    rng.shuffle(people)

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(people[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(people)
    return buffer.getvalue().encode("utf-8")


def _flush_organisation() -> None:
    from changeboard.core.models import PendingUpload
    from changeboard.organisation.models import Staff, Unit

    with transaction.atomic():
        Staff.objects.update(line_manager=None)
        Staff.objects.all().delete()
        Unit.objects.all().delete()
        PendingUpload.objects.filter(kind=PendingUpload.Kind.STAFF).delete()


def _raw_baseline(path: Path) -> float:
    """Read the file with the csv module and insert every row, unchecked,
    into a bare table of twelve text columns, in one transaction."""
    from changeboard.organisation.importing import COLUMNS

    quote = connection.ops.quote_name
    columns = ", ".join(f"{quote(c)} text" for c in COLUMNS)
    placeholders = ", ".join(["%s"] * len(COLUMNS))
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {quote(RAW_TABLE)}")
        cursor.execute(f"CREATE TABLE {quote(RAW_TABLE)} ({columns})")
    try:
        started = time.perf_counter()
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            next(reader)
            rows = list(reader)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {quote(RAW_TABLE)} VALUES ({placeholders})", rows)  # noqa: S608  (fixed names)
        return time.perf_counter() - started
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {quote(RAW_TABLE)}")


def bench_import(options: dict[str, Any]) -> dict[str, Any]:
    """Each round starts from empty staff and unit tables: preview + commit
    of the generated file, the same again (the re-import, which must change
    nothing), then the raw baseline. Each figure is the fastest round's
    (preview and commit from the round with the fastest total), the usual
    estimator for timings on a shared machine, where noise only ever adds
    time; all rounds are listed too."""
    from changeboard.core.models import AuditEntry
    from changeboard.organisation import importing
    from changeboard.organisation.models import RankGrade, Staff, Unit

    if Staff.objects.exists() and not options["force"]:
        raise CommandError(
            "Staff already exist in this database. The import benchmark deletes all staff and units: run it on a scratch "
            "database (set DATABASE_URL), or pass --force if this one is disposable."
        )
    ranks = list(RankGrade.objects.values_list("code", "name"))
    if not ranks:
        raise CommandError("No ranks or grades: run `manage.py migrate` first.")
    rows = options["rows"]
    data = generate_staff_csv(rows, options["seed"], ranks)
    rounds: list[dict[str, float]] = []
    reimport_changed = 0
    audit_rows = 0

    with tempfile.TemporaryDirectory(prefix="changeboard-bench-") as tmp:
        path = Path(tmp) / "staff.csv"
        path.write_bytes(data)
        for _ in range(max(1, options["repeat"])):
            _flush_organisation()
            audit_before = AuditEntry.objects.count()
            audit_last_id = AuditEntry.objects.aggregate(last=Max("id"))["last"] or 0

            started = time.perf_counter()
            previewed = importing.preview(path.read_bytes(), path.name)
            preview_seconds = time.perf_counter() - started
            committed = importing.commit(path.read_bytes(), path.name, actor=None)
            seconds = time.perf_counter() - started
            if previewed.problems or committed.created != rows:
                raise CommandError(f"The generated file did not import cleanly: {committed.summary()}")
            audit_rows = AuditEntry.objects.count() - audit_before

            started = time.perf_counter()
            importing.preview(path.read_bytes(), path.name)
            again = importing.commit(path.read_bytes(), path.name, actor=None)
            reimport_seconds = time.perf_counter() - started
            reimport_changed = max(reimport_changed, again.changed + again.units_created)

            # Each round starts from the same state: its audit rows go too.
            AuditEntry.objects.filter(id__gt=audit_last_id).delete()
            rounds.append({
                "seconds": seconds, "preview_seconds": preview_seconds, "commit_seconds": seconds - preview_seconds,
                "reimport_seconds": reimport_seconds, "raw_insert_seconds": _raw_baseline(path),
            })

    fastest = min(rounds, key=lambda r: r["seconds"])
    best = {**fastest, "reimport_seconds": min(r["reimport_seconds"] for r in rounds),
            "raw_insert_seconds": min(r["raw_insert_seconds"] for r in rounds)}
    return {
        "benchmark": "import",
        "database": connection.vendor,
        "rows": rows,
        "rounds": len(rounds),
        "units": Unit.objects.count(),
        "seconds": round(best["seconds"], 3),
        "preview_seconds": round(best["preview_seconds"], 3),
        "commit_seconds": round(best["commit_seconds"], 3),
        "rows_per_second": round(rows / best["seconds"]),
        "raw_insert_seconds": round(best["raw_insert_seconds"], 3),
        "ratio_to_raw": round(best["seconds"] / best["raw_insert_seconds"], 2),
        "reimport_seconds": round(best["reimport_seconds"], 3),
        "reimport_changed": reimport_changed,
        "audit_rows_written": audit_rows,
        "with_line_manager": Staff.objects.filter(line_manager__isnull=False).count(),
        "all_rounds": [{k: round(v, 3) for k, v in r.items()} for r in rounds],
    }
