"""Cutover runbooks for the demo and met seeds (called by `devtools.seeding`;
imports nothing above cutover).

- Demo (`seed_demo_runbook`): one runbook of about 150 tasks for the next
  go-live of Case Management (CMS, the demo change manager's programme): the
  weekend before the wave goes live, from Friday 18:00. Streams Business,
  Technology, Comms and Support with sub-streams; milestones, a go/no-go
  decision point, validations, communication tasks, a rollback point (due
  by Sunday noon), fixed starts on Monday morning, owners among the demo
  users and three teams, about 1.5 links per task with some SS/FF links and
  lags.
- Met (`seed_met_runbook`): a generated runbook of 2,000 tasks and about
  3,000 links (`generate_network`, also what `bench cutover` times), for
  the next go-live of Command and Control Modernisation, overlapping the
  demo cutover's weekend and sharing its teams, so the conflicts have work.
- `seed_rehearsal(runbook)`: one finished rehearsal (in the past), run
  through the runs services as operators would (start and finish each task
  in turn, actual durations drawn from the seed); the demo seed gives the
  demo runbook one.

The runbook and teams go through the services (audited); tasks and links
are bulk-created, then the whole network is scheduled once and refused if
it cannot be (never expected: the generators only link forwards and set due
times from the computed schedule).

Everything follows from the seed and the date the next go-live is counted
from (`today`), so two seeds on the same day give the same runbooks.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from changeboard.accounts.models import User
from changeboard.core import audit
from changeboard.portfolio.models import Programme, RolloutWave

from .models import RUNBOOK_TZ, Dependency, Run, Runbook, RunTask, Task, Team
from .scheduling import Link, Node, Schedule, ScheduleError, schedule
from .services import runbooks as runbook_services
from .services import runs as run_services

DEMO_PROGRAMME = "CMS"
MET_PROGRAMME = "CCM"
MET_TASKS = 2000
MINUTE = dt.timedelta(minutes=1)

# Teams: (name, description, demo usernames in it). Portfolio-wide, so both runbooks share them.
TEAMS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Technology cutover team", "Deploys, configures and tests the new system over the cutover weekend.", ("admin",)),
    ("Data migration team", "Extracts, transforms, loads and reconciles the legacy data.", ("admin",)),
    ("Service desk and floor-walkers", "First-line support and floor-walking at the stations on go-live.", ("champion",)),
)
MET_TEAMS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Contact centre systems", "Command and control application support.", ()),
    ("Network and telephony", "Telephony routing, networks and radio gateways.", ()),
    ("Dispatch trainers", "Trainers and super-users for dispatchers.", ()),
)


@dataclass
class TaskSpec:
    """A task before it exists; times in minutes from the planned start."""

    ref: str
    title: str
    stream: str
    sub_stream: str = ""
    kind: str = Task.Kind.NORMAL
    duration: int = 30
    owner: str = ""  # a demo username, or a team name
    not_before: int | None = None
    due_by: int | None = None
    rollback_point: bool = False
    message_subject: str = ""
    message_body: str = ""
    outline_level: int = 2


@dataclass
class Plan:
    tasks: list[TaskSpec] = field(default_factory=list)
    links: list[tuple[str, str, str, int]] = field(default_factory=list)  # (predecessor, successor, type, lag)

    def add(self, title: str, stream: str, sub_stream: str = "", *, after: tuple[str | tuple[str, str, int], ...] = (), **fields: Any) -> str:
        ref = f"T-{(len(self.tasks) + 1) * 10:04d}"
        kind = fields.get("kind", Task.Kind.NORMAL)
        if kind == Task.Kind.MILESTONE:
            fields["duration"] = 0
        self.tasks.append(TaskSpec(ref=ref, title=title, stream=stream, sub_stream=sub_stream, **fields))
        for pred in after:
            if isinstance(pred, tuple):
                self.links.append((pred[0], ref, pred[1], pred[2]))
            else:
                self.links.append((pred, ref, "FS", 0))
        return ref

    def network(self) -> tuple[list[Node], list[Link]]:
        return ([Node(t.ref, t.duration, t.not_before, t.due_by) for t in self.tasks],
                [Link(p, s, kind, lag) for p, s, kind, lag in self.links])

    def schedule(self) -> Schedule:
        nodes, links = self.network()
        return schedule(nodes, links)


# The demo runbook ----------------------------------------------------------------------------------------------------

DATA_SETS = ("Crime reports", "Suspects", "Victims", "Witnesses", "Exhibits", "Case files", "Court results", "Charges",
             "Intelligence links", "Custody references", "Attachments", "Officer notes", "Tasks and reminders", "Audit history")
INTERFACES = ("CPS case file exchange", "Courts results feed", "PNC updates", "Custody record lookup")
CONFIGURATION = ("force structure", "user roles and permissions", "offence codes", "court list", "case file templates",
                 "disclosure schedules", "workflow queues", "retention rules")
VERIFICATIONS = ("Response team records a test crime", "CID opens a test investigation", "Safeguarding adds a vulnerable victim",
                 "Case progression builds a test file", "Criminal justice unit submits a test file to the CPS",
                 "Supervisor reviews a test crime", "Property store books a test exhibit", "Front counter records a walk-in report",
                 "Custody links a test detainee", "Intelligence links a test nominal")
BOROUGHS = ("Westminster", "Hammersmith and Fulham", "Kensington and Chelsea")
STATIONS = ("Charing Cross", "Belgravia", "Hammersmith", "Kensington", "Notting Hill", "Shepherd's Bush")


def demo_plan(seed: int, go_live: dt.date, planned_start: dt.datetime) -> Plan:
    """The ~150-task weekend cutover of a case management system, minutes from `planned_start`."""
    rng = random.Random(seed)

    def minutes(low: int, high: int, step: int = 5) -> int:
        return rng.randrange(low, high + 1, step)

    monday_six = round((dt.datetime.combine(go_live, dt.time(6, 0), tzinfo=RUNBOOK_TZ) - planned_start) / MINUTE)
    p = Plan()
    start = p.add("Cutover starts", "Business", "Cutover management", kind=Task.Kind.MILESTONE, owner="lead", outline_level=1)

    # Friday evening: readiness checks, backups, notices.
    checks = [
        p.add("Confirm business readiness checklist is complete", "Business", "Readiness", after=(start,), duration=30, owner="lead"),
        p.add("Confirm the SRO's go/no-go criteria", "Business", "Readiness", after=(start,), duration=20, owner="lead"),
        p.add("Confirm floor-walker rota for Monday", "Support", "Floor-walking", after=(start,), duration=20,
              owner="Service desk and floor-walkers"),
        p.add("Confirm training completion in the wave's units", "Business", "Readiness", after=(start,), duration=30, owner="champion"),
    ]
    tech = [p.add(title, "Technology", "Infrastructure", after=(start,), duration=duration, owner="Technology cutover team")
            for title, duration in (("Check production environment health", 30), ("Confirm disaster recovery site is ready", 30),
                                    ("Confirm monitoring and alerting are live", 20), ("Confirm licences and certificates", 15))]
    backup = p.add("Take full backup of the legacy crime system", "Technology", "Infrastructure", after=(tech[0],), duration=120,
                   owner="Technology cutover team")
    restore = p.add("Verify the backup restores", "Technology", "Infrastructure", kind=Task.Kind.VALIDATION, after=((backup, "FF", 30),),
                    duration=60, owner="Technology cutover team")
    for station in STATIONS:
        p.add(f"Issue paper crime forms at {station}", "Business", "Business continuity", after=(start,), duration=minutes(15, 30),
              owner="champion")
    bridge = p.add("Open the cutover bridge call", "Support", "Service desk", after=(start,), duration=10, owner="Service desk and floor-walkers")
    queue = p.add("Set up the cutover incident queue", "Support", "Service desk", after=(bridge,), duration=20,
                  owner="Service desk and floor-walkers")
    notice = p.add("Send the cutover start notice to all users", "Comms", "Internal", kind=Task.Kind.COMMUNICATION, after=(start,),
                   duration=10, owner="lead", message_subject="Case management cutover starts tonight",
                   message_body="The crime and case systems move to the new case management system this weekend. "
                                "Record anything urgent on paper forms from 22:00 tonight.")
    brief = p.add("Brief the service desk on the cutover weekend", "Comms", "Internal", kind=Task.Kind.COMMUNICATION, after=(notice,),
                  duration=15, owner="lead", message_subject="Service desk briefing: cutover weekend",
                  message_body="What to expect and who to call during the case management cutover.")
    decision = p.add("Go/no-go decision: proceed with the cutover", "Business", "Cutover management", kind=Task.Kind.DECISION,
                     after=(*checks, *tech[1:], restore, queue, brief), duration=30, owner="lead", outline_level=1)

    # The freeze.
    freeze = p.add("Freeze the legacy crime recording system", "Technology", "Application", after=(decision,), duration=30,
                   owner="Technology cutover team")
    read_only = p.add("Switch the legacy system to read-only", "Technology", "Application", after=(freeze,), duration=15,
                      owner="Technology cutover team")
    p.add("Tell officers the legacy system is frozen", "Comms", "Internal", kind=Task.Kind.COMMUNICATION, after=((freeze, "SS", 10),),
          duration=10, owner="lead", message_subject="Legacy crime system now read-only",
          message_body="Use the paper forms until the new system is live on Monday morning.")
    frozen = p.add("Legacy system frozen", "Technology", "Application", kind=Task.Kind.MILESTONE, after=(read_only,), outline_level=1,
                   owner="Technology cutover team")

    # Data migration: extract, transform, load and reconcile each data set.
    reconciled: list[str] = []
    previous_extract = None
    for name in DATA_SETS:
        extract = p.add(f"Extract {name.lower()}", "Technology", "Data migration",
                        after=((previous_extract, "SS", 20),) if previous_extract else (frozen,), duration=minutes(20, 60),
                        owner="Data migration team")
        transform = p.add(f"Transform {name.lower()}", "Technology", "Data migration", after=(extract,), duration=minutes(20, 90),
                          owner="Data migration team")
        load = p.add(f"Load {name.lower()}", "Technology", "Data migration", after=((transform, "SS", 15),),
                     duration=minutes(30, 120), owner="Data migration team")
        check = p.add(f"Reconcile {name.lower()} counts", "Technology", "Data migration", kind=Task.Kind.VALIDATION,
                      after=((load, "FF", 15),) if len(reconciled) % 2 else (load,),
                      duration=minutes(15, 30), owner="admin" if len(reconciled) % 3 == 0 else "Data migration team")
        reconciled.append(check)
        previous_extract = extract
    migrated = p.add("Data migration complete", "Technology", "Data migration", kind=Task.Kind.MILESTONE, after=tuple(reconciled),
                     outline_level=1, owner="Data migration team")

    # Deployment and configuration, alongside the migration.
    deploy = p.add("Deploy case management release 1.0 to production", "Technology", "Application", after=(frozen,), duration=90,
                   owner="Technology cutover team")
    configured = []
    for item in CONFIGURATION:
        configured.append(p.add(f"Apply configuration: {item}", "Technology", "Application",
                                after=(deploy,), duration=minutes(15, 45),
                                owner="Technology cutover team"))
    smoke = p.add("Smoke test the application", "Technology", "Testing", kind=Task.Kind.VALIDATION, after=tuple(configured), duration=45,
                  owner="Technology cutover team")
    performance = p.add("Check performance under load", "Technology", "Testing", kind=Task.Kind.VALIDATION,
                        after=((smoke, "SS", 15), migrated), duration=60, owner="Technology cutover team")
    interfaces = []
    for name in INTERFACES:
        setup = p.add(f"Configure interface: {name}", "Technology", "Integration", after=(deploy,), duration=minutes(20, 40),
                      owner="Technology cutover team")
        interfaces.append(p.add(f"Test interface: {name}", "Technology", "Integration", kind=Task.Kind.VALIDATION,
                                after=(setup, migrated), duration=minutes(20, 45), owner="Technology cutover team"))
    end_to_end = p.add("End-to-end test: report to charge", "Technology", "Testing", kind=Task.Kind.VALIDATION,
                       after=(*interfaces, smoke), duration=60, owner="lead")

    # The last moment to roll back: due by Sunday noon (or the hour after the plan reaches it).
    rollback = p.add("Last point to roll back to the legacy system", "Business", "Cutover management", kind=Task.Kind.MILESTONE,
                     rollback_point=True, after=(end_to_end, performance), outline_level=1, owner="lead")

    # Business verification by the units going live.
    verified = [p.add(f"Business verification: {title}", "Business", "Verification", kind=Task.Kind.VALIDATION,
                      after=(rollback,), duration=minutes(20, 45),
                      owner="champion" if n % 2 else "lead")
                for n, title in enumerate(VERIFICATIONS)]
    signed = p.add("Business verification signed off", "Business", "Verification", kind=Task.Kind.MILESTONE, after=tuple(verified),
                   outline_level=1, owner="lead")

    # Access for the units going live.
    access = [p.add(f"Enable user accounts: {borough}", "Business", "Access", after=((rollback, "FS", 15),), duration=30,
                    owner="Technology cutover team") for borough in BOROUGHS]
    access.append(p.add("Enable super-user accounts", "Business", "Access", after=(rollback,), duration=20, owner="Technology cutover team"))
    access.append(p.add("Confirm access for the night shift", "Business", "Access", kind=Task.Kind.VALIDATION, after=tuple(access),
                        duration=30, owner="champion"))

    # Legacy decommissioning preparation.
    archive = p.add("Archive the legacy database", "Technology", "Infrastructure", after=(signed,), duration=90, owner="Technology cutover team")
    p.add("Disable legacy write access for good", "Technology", "Infrastructure", after=(archive,), duration=20, owner="Technology cutover team")
    p.add("Redirect legacy bookmarks to the new system", "Technology", "Infrastructure", after=(signed,), duration=30,
          owner="Technology cutover team")

    # Go-live communications, the earliest on Monday 06:00.
    live = p.add("Case management live", "Business", "Cutover management", kind=Task.Kind.MILESTONE, after=(signed, *access),
                 not_before=monday_six, outline_level=1, owner="lead")
    comms = (("Go-live announcement to all officers and staff", "Internal", "Case management is live",
              "From today record crimes and build case files in the new case management system."),
             ("Notify the CPS of go-live", "Stakeholders", "Case files now come from the new system", "Files from the wave's units now "
              "arrive from the new case management system."),
             ("Notify the courts of go-live", "Stakeholders", "Court results: new system live", "Results for the wave's cases go to the new system."),
             ("Publish the quick reference guides", "Internal", "Quick reference guides", "The guides are on the intranet."),
             ("Update the intranet banner", "Internal", "Intranet: case management live", "Banner text for the intranet home page."),
             ("Brief duty officers at morning parade", "Internal", "Parade briefing: case management", "Briefing notes for duty officers."),
             ("Send the super-user contact list", "Internal", "Your super-users", "Who to ask on each shift."),
             ("Thank the cutover team", "Internal", "Thank you", "The cutover is complete."))
    said = []
    for n, (title, sub, subject, body) in enumerate(comms):
        said.append(p.add(title, "Comms", sub, kind=Task.Kind.COMMUNICATION,
                          after=((live, "SS", 0),) if n < 6 else ((live, "FS", 120),), duration=10 + 5 * (n % 3), owner="lead",
                          message_subject=subject, message_body=body))

    # Support on go-live, from Monday 06:00.
    support = [p.add(f"Floor-walkers on site: {station}", "Support", "Floor-walking", after=((live, "SS", 0),), not_before=monday_six,
                     duration=8 * 60, owner="Service desk and floor-walkers") for station in STATIONS]
    desk = p.add("Service desk ready for go-live calls", "Support", "Service desk", after=((live, "SS", -30),), duration=30,
                 owner="Service desk and floor-walkers")
    for title in ("Incident triage rota active", "Hypercare daily stand-up booked", "Known-issues log published",
                  "Escalation route to the supplier confirmed", "First-day call volumes reviewed", "Hypercare handover agreed",
                  "Super-user drop-in sessions booked", "Feedback form for officers opened", "Printer and scanner checks done",
                  "Workaround guide for known issues sent"):
        support.append(p.add(title, "Support", "Hypercare", after=(desk,), duration=minutes(15, 60), owner="Service desk and floor-walkers"))
    p.add("Cutover complete", "Business", "Cutover management", kind=Task.Kind.MILESTONE, after=(*support, *said[:6]), outline_level=1,
          owner="lead")

    # The rollback point's deadline: Sunday 12:00, or the next hour the plan can meet.
    timings = p.schedule().timings
    sunday_noon = round((dt.datetime.combine(go_live - dt.timedelta(days=1), dt.time(12, 0), tzinfo=RUNBOOK_TZ) - planned_start) / MINUTE)
    spec = next(t for t in p.tasks if t.ref == rollback)
    spec.due_by = max(sunday_noon, -(-timings[rollback].ef // 60) * 60)
    return p


# The met runbook -----------------------------------------------------------------------------------------------------

MET_STREAMS = (
    ("Technology", ("Application", "Data migration", "Infrastructure", "Integration", "Testing", "Telephony")),
    ("Business", ("Readiness", "Verification", "Access", "Cutover management")),
    ("Comms", ("Internal", "Stakeholders")),
    ("Support", ("Service desk", "Floor-walking", "Hypercare")),
)


def generate_network(tasks: int, seed: int, *, fixed_every: int = 97, due_every: int = 89) -> Plan:
    """A deterministic, schedulable network of `tasks` tasks and about 1.5
    links per task: each task waits on 1 to 3 of the 60 before it (so no
    loops), mostly finish-to-start, some start-to-start and finish-to-finish
    with lags, a few start-to-finish; a milestone every so often, a few fixed
    starts, and due times set from the schedule so they can be met."""
    rng = random.Random(seed)
    p = Plan()
    owners = [name for name, _, _ in TEAMS + MET_TEAMS]
    for i in range(tasks):
        stream, subs = MET_STREAMS[rng.randrange(len(MET_STREAMS))] if i else MET_STREAMS[1]
        sub = subs[rng.randrange(len(subs))]
        roll = rng.random()
        kind = (Task.Kind.MILESTONE if roll < 0.03 else Task.Kind.VALIDATION if roll < 0.13
                else Task.Kind.COMMUNICATION if stream == "Comms" else Task.Kind.NORMAL)
        if i == tasks // 3:
            kind = Task.Kind.DECISION
        after: list[tuple[str, str, int]] = []
        if i:
            count = 1 if rng.random() < 0.55 else 2 if rng.random() < 0.89 else 3
            window = list(range(max(0, i - 60), i))
            for j in sorted(rng.sample(window, min(count, len(window)))):
                link = rng.random()
                pred = f"T-{(j + 1) * 10:05d}"
                if link < 0.80:
                    after.append((pred, "FS", rng.choice((0, 0, 0, 5, 15, -5))))
                elif link < 0.90:
                    after.append((pred, "SS", rng.choice((0, 10, 30))))
                elif link < 0.98:
                    after.append((pred, "FF", rng.choice((0, 5, 15))))
                else:
                    after.append((pred, "SF", rng.choice((30, 60))))
        duration = 0 if kind == Task.Kind.MILESTONE else rng.randrange(5, 95, 5)
        ref = f"T-{(i + 1) * 10:05d}"
        p.tasks.append(TaskSpec(
            ref=ref, title=f"{sub}: step {i + 1}", stream=stream, sub_stream=sub, kind=kind, duration=duration,
            owner=owners[rng.randrange(len(owners))],
            rollback_point=kind == Task.Kind.MILESTONE and i > tasks // 2 and not any(t.rollback_point for t in p.tasks),
            message_subject=f"{sub} update {i + 1}" if kind == Task.Kind.COMMUNICATION else "",
            message_body="Cutover progress update." if kind == Task.Kind.COMMUNICATION else ""))
        p.links.extend((pred, ref, kind_, lag) for pred, kind_, lag in after)
    # Fixed starts a quarter of an hour after where the plan would start them anyway; then due times it can meet.
    timings = p.schedule().timings
    for n, spec in enumerate(p.tasks):
        if n and n % fixed_every == 0:
            spec.not_before = timings[spec.ref].es + 15
    timings = p.schedule().timings
    for n, spec in enumerate(p.tasks):
        if n and n % due_every == 0:
            spec.due_by = timings[spec.ref].ef + 60
    return p


# Writing a plan ------------------------------------------------------------------------------------------------------


def ensure_teams(specs: tuple[tuple[str, str, tuple[str, ...]], ...], actor: User | None) -> dict[str, Team]:
    """The seed's teams (created through the service if missing), members among the demo users that exist."""
    users = {u.username: u for u in User.objects.filter(is_demo=True)}
    teams = {t.name: t for t in Team.objects.filter(name__in=[name for name, _, _ in specs])}
    for name, description, members in specs:
        if name not in teams:
            teams[name] = runbook_services.team_save(name=name, description=description, actor=actor,
                                                     members=[users[m] for m in members if m in users])
    return teams


def write_plan(*, plan: Plan, programme: Programme, wave: RolloutWave, title: str, description: str, planned_start: dt.datetime,
               actor: User | None, teams: dict[str, Team]) -> Runbook:
    """The runbook through the service, its tasks and links in bulk, one
    schedule check at the end (ScheduleError if it cannot be scheduled)."""
    runbook = runbook_services.runbook_create(title=title, planned_start=planned_start, actor=actor, programme=programme,
                                              rollout_wave=wave, description=description)
    users = {u.username: u for u in User.objects.filter(is_demo=True)}
    fallback = {"Technology": "Technology cutover team", "Data migration": "Data migration team"}
    objects = []
    for position, spec in enumerate(plan.tasks, start=1):
        user = users.get(spec.owner)
        team = teams.get(spec.owner) if user is None else None
        if user is None and team is None:  # a demo user who is not there (the met scale has none): the stream's team
            team = teams.get(fallback.get(spec.sub_stream, fallback.get(spec.stream, "Service desk and floor-walkers")))
        objects.append(Task(
            runbook=runbook, ref=spec.ref, position=position * 10, outline_level=spec.outline_level, title=spec.title, stream=spec.stream,
            sub_stream=spec.sub_stream, kind=spec.kind, duration_minutes=spec.duration, owner_user=user, owner_team=team,
            not_before=planned_start + spec.not_before * MINUTE if spec.not_before is not None else None,
            due_by=planned_start + spec.due_by * MINUTE if spec.due_by is not None else None, rollback_point=spec.rollback_point,
            message_subject=spec.message_subject, message_body=spec.message_body))
    Task.objects.bulk_create(objects, batch_size=1000)
    ids = dict(Task.objects.filter(runbook=runbook).values_list("ref", "pk"))
    Dependency.objects.bulk_create([Dependency(predecessor_id=ids[p], successor_id=ids[s], link_type=kind, lag_minutes=lag)
                                    for p, s, kind, lag in plan.links], batch_size=2000)
    computed = runbook_services.runbook_schedule(runbook)  # raises ScheduleError, naming the tasks
    audit.record(actor=actor, action="update", obj=runbook, after={"seeded_tasks": len(objects), "seeded_links": len(plan.links),
                                                                   "scheduled_finish": computed.finish.isoformat()})
    return runbook


def next_wave(code: str, today: dt.date) -> RolloutWave | None:
    """The programme's next rollout wave going live on or after `today` (else its last)."""
    waves = RolloutWave.objects.filter(programme__code=code).select_related("programme").order_by("go_live_date", "pk")
    return waves.filter(go_live_date__gte=today).first() or waves.last()


def friday_evening(go_live: dt.date, hour: int = 18) -> dt.datetime:
    """18:00 Europe/London on the Friday before `go_live` (the cutover weekend), in UTC."""
    days_back = (go_live.weekday() - 4) % 7 or 7
    return dt.datetime.combine(go_live - dt.timedelta(days=days_back), dt.time(hour, 0), tzinfo=RUNBOOK_TZ).astimezone(dt.UTC)


def seed_demo_runbook(*, seed: int, actor: User | None, today: dt.date | None = None) -> Runbook | None:
    wave = next_wave(DEMO_PROGRAMME, today or timezone.localdate())
    if wave is None:
        return None
    teams = ensure_teams(TEAMS, actor)
    start = friday_evening(wave.go_live_date)
    plan = demo_plan(seed, wave.go_live_date, start)
    return write_plan(plan=plan, programme=wave.programme, wave=wave, title=f"{wave.programme.code} go-live cutover: {wave.name}",
                      description="The weekend cutover from the legacy crime and case systems to the new case management system.",
                      planned_start=start, actor=actor, teams=teams)


def seed_met_runbook(*, seed: int, actor: User | None, today: dt.date | None = None, tasks: int = MET_TASKS,
                     programme_code: str = MET_PROGRAMME) -> Runbook | None:
    wave = next_wave(programme_code, today or timezone.localdate())
    if wave is None:
        return None
    teams = ensure_teams(TEAMS + MET_TEAMS, actor)
    demo_wave = next_wave(DEMO_PROGRAMME, today or timezone.localdate())
    # From the demo cutover's Friday, two hours later: the two share teams that weekend.
    start = friday_evening(demo_wave.go_live_date if demo_wave else wave.go_live_date, hour=20)
    plan = generate_network(tasks, seed)
    return write_plan(plan=plan, programme=wave.programme, wave=wave, title=f"{wave.programme.code} cutover: {wave.name} ({tasks:,} tasks)",
                      description="The generated met-scale runbook: a long, wide cutover network.", planned_start=start, actor=actor,
                      teams=teams)


@transaction.atomic
def seed_cutover(*, scale: str, seed: int, actor: User | None, today: dt.date | None = None) -> dict[str, int]:
    """The cutover part of `manage.py seed`: the demo runbook at every scale,
    and the 2,000-task runbook at met scale."""
    books = [seed_demo_runbook(seed=seed, actor=actor, today=today)]
    if scale == "met":
        books.append(seed_met_runbook(seed=seed, actor=actor, today=today))
    made = [b for b in books if b is not None]
    return {"runbooks": len(made), "runbook_tasks": Task.objects.filter(runbook__in=made).count(),
            "runbook_links": Dependency.objects.filter(successor__runbook__in=made).count()}


def clear_cutover_data() -> dict[str, int]:
    """Delete what the seed made: every programme's runbooks (and their runs) and the seed's teams."""
    runbooks = Runbook.objects.filter(is_template=False)
    count = runbooks.count()
    runbooks.delete()
    Team.objects.filter(name__in=[name for name, _, _ in TEAMS + MET_TEAMS]).delete()
    return {"runbooks": count}


# One finished rehearsal ----------------------------------------------------------------------------------------------


def rehearsal_actuals(durations: dict[str, int], not_before: dict[str, int | None], links: list[list[Any]], seed: int) -> Schedule:
    """When each task of a rehearsal happens: its planned duration scaled by
    a factor drawn from the seed (most run a little long, some short), then
    a forward pass over the run's links, so every start and finish respects
    the link types the run enforces."""
    rng = random.Random(seed)
    nodes = [Node(ref, round(d * rng.choice((0.8, 0.9, 1.0, 1.0, 1.1, 1.2, 1.4))) if d else 0, not_before.get(ref)) for ref, d in durations.items()]
    return schedule(nodes, [Link(str(p), str(s), str(kind), int(lag)) for p, s, kind, lag in links])


def seed_rehearsal(runbook: Runbook, *, seed: int = 2026, actor: User | None = None, days_before: int = 14,
                   now: dt.datetime | None = None) -> Run:
    """One finished rehearsal of `runbook`, begun at 18:00 Europe/London
    `days_before` days before its planned start or before `now`, whichever
    is earlier (so a rehearsal is always in the past): started with
    `run_start`, then each task started and finished in turn
    (`run_task_start`, `run_task_finish`) at its simulated time, validations
    passing. Acts as `actor`, by default the programme's change lead."""
    actor = actor or (runbook.programme.change_lead if runbook.programme else None)
    if actor is None:
        raise ValueError("A rehearsal needs someone to run it: give an actor, or set the programme's change lead.")
    day = (min(runbook.planned_start, now or timezone.now()) - dt.timedelta(days=days_before)).astimezone(RUNBOOK_TZ).date()
    began = dt.datetime.combine(day, dt.time(18, 0), tzinfo=RUNBOOK_TZ).astimezone(dt.UTC)
    run = run_services.run_start(runbook=runbook, kind=Run.Kind.REHEARSAL, actor=actor, now=began)
    tasks = {t.ref: t for t in run.tasks.all()}
    offsets = {ref: (round((t.not_before - run.planned_start) / MINUTE) if t.not_before else None) for ref, t in tasks.items()}
    try:
        actual = rehearsal_actuals({ref: t.duration_minutes for ref, t in tasks.items()}, offsets, run.links, seed)
    except ScheduleError as error:
        raise ValueError(f"The rehearsal's plan cannot be run: {error}") from error
    for ref in actual.order:
        timing = actual.timings[ref]
        task = tasks[ref]
        result = RunTask.Result.PASS if task.kind == Task.Kind.VALIDATION else ""
        started = max(run.planned_start + timing.es * MINUTE, began)
        task = run_services.run_task_start(run_task=task, actor=actor, now=started)
        run_services.run_task_finish(run_task=task, actor=actor, result=result, comment="Rehearsed." if result else "",
                                     now=max(started, run.planned_start + timing.ef * MINUTE))
    run.refresh_from_db()
    return run
