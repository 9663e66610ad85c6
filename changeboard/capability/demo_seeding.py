"""The change approach, journeys and capability building in the demo and met
seeds (called by `devtools.seeding` after the network seed; imports nothing
above capability but the apps it reads).

**Demo** (`seed_capability(scale="demo")`), the case study's story on the
custody programme (`network.seeding.CUSTODY_PROGRAMME`, Rostering):

- One **approved approach at version 2**: real text in every section, group
  approaches for its impacted groups (Met Detention's police staff and
  officers, the contact centre), promises on several measures. Version 2
  tightened the champion ratio from 1:40 to 1:25 (which the demo's
  deliberate custody coverage gap makes NOT hold), rewrote the training
  section for night shifts and added the overdue-actions promise.
- **Three journeys**: the custody (detention) officer on nights, the custody
  sergeant, and the response officer bringing a detained person in; four
  stages, steps with today's and tomorrow's way, pain points, ADKAR elements
  and manual emotions dipping at go-live (Ability). In the demo's survey
  tallies the custody suites are too small to report (their lanes show the
  team's own judgement, "not enough answers"), so the response officers'
  journey is placed on the response teams whose answers in the programme's
  latest closed wave reach the threshold: its lane is survey-fed, with touchpoints to the programme's own seeded comms,
  champion activities, cutover tasks and its course.
- **A dozen practitioners** (business change leads and champions), each
  assessed twice (a self-assessment months ago, their coach's recently,
  showing growth), coached by the programme's change lead (`lead2`) or the
  admin, 15 coaching sessions, and the programme's **handover plan**. The
  demo champion's account (found from the HR record by email, as the network
  seed finds it) is linked to their practitioner record; a demo change
  manager with an HR record would be too, and own their programmes' handover
  items (`_own_handover`). No audit row is fabricated: the handover page
  reads the evidence from the audit trail. Two business change leads get
  demo accounts (`bcl1`, `bcl2`) and launch a pulse wave and decide a
  readiness review through the real services (`_own_people_act`).

**Met** (`scale="met"`): an approved version-1 approach with groups and
promises for every programme, two journeys for the programme with most
people impacted, ~60 practitioners with two assessments each; all in bulk.

Writes through the models (`bulk_create`), mirroring what the services write
(their audit rows are not written: the seed's one summary row records it).
Everything follows from the seed and `today`.
"""

from __future__ import annotations

import datetime as dt
import importlib
import random
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from changeboard.accounts.models import Role, User
from changeboard.organisation.models import Staff, Unit
from changeboard.portfolio.models import Programme
from changeboard.surveys.models import Adkar, RoleGroup

from .models import (
    Approach,
    ApproachVersion,
    Assessment,
    CoachingSession,
    Competency,
    Emotion,
    Framework,
    GroupApproach,
    HandoverActivity,
    HandoverItem,
    Journey,
    Measure,
    Practitioner,
    PractitionerRole,
    Promise,
    Rating,
    Requirement,
    Section,
    Stage,
    Step,
    Touchpoint,
)

CUSTODY_PROGRAMME = "ROTA"  # = network.seeding.CUSTODY_PROGRAMME (not imported: capability sits beside network)
DETENTION = "Met Detention"
CONTACT_CENTRE = "Met Contact Centre"
CUSTODY_SUITE_PREFIX = "Custody Suite "
CHANGE_LEAD = "lead2"  # the custody programme's change manager in the demo accounts
COACH_TOO = "admin"
OWN_PEOPLE = ("bcl1", "bcl2")  # demo accounts of the custody programme's first two business change leads
PRACTITIONERS = {"demo": 12, "met": 60, "tiny": 4}
LEADS_SHARE = 3  # one practitioner in three is a business change lead
SESSIONS = {"demo": 15, "met": 0, "tiny": 3}
BATCH = 2000

FRAMEWORK_NAME = "Change practitioner framework"
BUSINESS_CHANGE_LEAD = "Business change lead"
CHAMPION_ROLE = "Change champion"
CHANGE_MANAGER_ROLE = "Change manager"
# code, name, level 1-4 descriptors
COMPETENCIES: tuple[tuple[str, str, tuple[str, str, str, str]], ...] = (
    ("impact-assessment", "Impact assessment", (
        "Knows what an impact assessment is for and who reads it.",
        "Writes impact lines for one team with help: who, what changes, how much.",
        "Runs an impact assessment for a programme wave, with the business, unaided.",
        "Reviews others' assessments and teaches the method.")),
    ("stakeholder-engagement", "Stakeholder engagement", (
        "Knows who the key stakeholders are.", "Keeps the register and plans engagements with help.",
        "Engages senior stakeholders and moves their position on their own.", "Coaches others to map and engage stakeholders.")),
    ("communications", "Communications", (
        "Knows the comms plan and its channels.", "Drafts messages for approval.",
        "Plans and sends the communications for a wave, audience by audience.", "Sets the comms approach for a programme.")),
    ("readiness", "Readiness", (
        "Knows what the ADKAR elements mean.", "Reads the readiness results with help.",
        "Runs a survey wave and a readiness review, and acts on the results.", "Designs readiness criteria and checkpoints.")),
    ("cutover", "Cutover", (
        "Knows what a runbook is.", "Owns tasks in a runbook.", "Runs a rehearsal and the live cutover's business tasks.",
        "Plans a cutover and its rehearsals.")),
    ("hypercare", "Hypercare", (
        "Knows how to raise a query.", "Triages queries with help.", "Runs the hypercare desk and the exit criteria.",
        "Designs hypercare for a programme.")),
    ("coaching", "Coaching", (
        "Knows what coaching is.", "Supports peers informally.", "Coaches champions and team leaders.",
        "Coaches coaches; builds the force's capability.")),
)
ROLE_LEVELS: dict[str, tuple[str, dict[str, int]]] = {
    BUSINESS_CHANGE_LEAD: ("Leads the change in a command or BCU, the programme's person in the force.",
                           {"impact-assessment": 3, "stakeholder-engagement": 3, "communications": 3, "readiness": 3, "cutover": 3,
                            "hypercare": 2, "coaching": 2}),
    CHAMPION_ROLE: ("Supports colleagues on their shift through the change.",
                    {"impact-assessment": 1, "stakeholder-engagement": 2, "communications": 2, "readiness": 2, "cutover": 1,
                     "hypercare": 2, "coaching": 2}),
    CHANGE_MANAGER_ROLE: ("Runs the people side of a programme.",
                          {"impact-assessment": 4, "stakeholder-engagement": 3, "communications": 3, "readiness": 4, "cutover": 3,
                           "hypercare": 3, "coaching": 3}),
}


# --------------------------------------------------------------------------
# The framework


def _local_framework() -> Framework:
    """The default framework's names, by get_or_create (harmless when they exist)."""
    framework, _ = Framework.objects.get_or_create(
        name=FRAMEWORK_NAME, defaults={"description": "What a change practitioner in the force needs to know and do.", "is_current": True})
    competencies: dict[str, Competency] = {}
    for order, (code, name, levels) in enumerate(COMPETENCIES, start=1):
        competencies[code], _ = Competency.objects.get_or_create(
            framework=framework, code=code,
            defaults={"name": name, "order": order, "level_1": levels[0], "level_2": levels[1], "level_3": levels[2], "level_4": levels[3]})
    for role_name, (description, levels_by_code) in ROLE_LEVELS.items():
        role, _ = PractitionerRole.objects.get_or_create(framework=framework, name=role_name, defaults={"description": description})
        for code, level in levels_by_code.items():
            Requirement.objects.get_or_create(role=role, competency=competencies[code], defaults={"level": level})
    return framework


def _ensure_default() -> Any:
    """The capability app's own `capability.seeding.ensure_default_framework`, or None where it is not there."""
    try:
        module: Any = importlib.import_module("changeboard.capability.seeding")
    except ModuleNotFoundError:
        return None
    ensure = getattr(module, "ensure_default_framework", None)
    return ensure if callable(ensure) else None


def default_framework() -> Framework:
    """The default framework: the capability app's own (`capability.seeding.ensure_default_framework`) where it exists, else the local one."""
    ensure = _ensure_default()
    if ensure is None:
        return _local_framework()
    framework = ensure()
    if not isinstance(framework, Framework):
        framework = Framework.objects.filter(name=FRAMEWORK_NAME).first()
    return framework if framework is not None and framework.competencies.exists() else _local_framework()


# --------------------------------------------------------------------------
# Clearing


def clear_capability_data() -> dict[str, int]:
    """Delete every approach, journey, practitioner, assessment, coaching
    session and handover item (before the staff and units they protect).
    The framework stays when the capability app provides it (like the other
    apps' policies); the one this seed made itself, for want of it, goes."""
    counts = {"capability_approaches": Approach.objects.count(), "capability_journeys": Journey.objects.count(),
              "capability_practitioners": Practitioner.objects.count()}
    CoachingSession.objects.all().delete()
    HandoverItem.objects.all().delete()
    Rating.objects.all().delete()
    Assessment.objects.all().delete()
    Practitioner.objects.all().delete()
    Journey.objects.all().delete()  # stages, steps and touchpoints with them
    Approach.objects.all().delete()  # groups, promises and versions with it
    if _ensure_default() is None:
        Framework.objects.filter(name=FRAMEWORK_NAME).delete()  # competencies, roles and requirements with it
    return counts


# --------------------------------------------------------------------------
# Approaches

CUSTODY_TEXT = {
    "objectives": (
        "Every custody officer, sergeant and inspector in Met Detention and every contact centre team is rostered in the new "
        "system from go-live, with no shift left uncovered and rest days protected. The Board will know it has worked when "
        "95% of duties are planned in the new system four weeks after go-live, overtime claims match the roster, and no suite "
        "reports a gap in its minimum staffing."),
    "case_for_change": (
        "Custody rosters are kept today in three spreadsheets and a paper duty book per suite; the duty states are re-keyed "
        "into the HR system every week. Suites run short at night without anyone seeing it until the shift starts, and rest "
        "days are cancelled at short notice. The current rostering contract ends next year: if the force does not move, it "
        "loses support for the system the contact centre depends on."),
    "principles": (
        "1. The night shift hears it first, not last: every briefing and training slot is offered at 22:00 as well as 10:00.\n"
        "2. Nobody is trained more than three weeks before they use the system.\n"
        "3. Champions on every suite and shift, from the teams themselves.\n"
        "4. Decisions at go/no-go rest on the readiness survey and the criteria, not on the plan."),
    "risks": (
        "Night-shift custody staff miss the training (mitigation: 22:00 sessions, cover from the Detention Standards team).\n"
        "A suite without a champion goes live unsupported (mitigation: the coverage page is reviewed weekly; a floor-walker "
        "from the programme team covers any gap in go-live week).\n"
        "Sergeants keep the paper duty book in parallel (mitigation: the paper book is withdrawn on day 3, agreed with the "
        "custody inspectors)."),
    "governance": (
        "The Rostering programme board (monthly, chaired by the SRO) approves this approach and its versions. The readiness "
        "review for each wave meets two weeks before go-live; the go/no-go is taken by the SRO with the Met Detention "
        "superintendent on the Thursday before go-live."),
}
TRAINING_V1 = "Two-hour classroom course for everyone in the month before go-live, booked through the training unit."
TRAINING_V2 = ("Ninety-minute classroom sessions in each suite's own training room, run at 10:00 and at 22:00 so night shifts are "
               "trained on shift; e-learning (ROTA-101) first; no one trained more than three weeks before go-live; a floor-walker "
               "on every shift in go-live week.")
GROUPS: tuple[tuple[str, str, dict[str, str]], ...] = (
    (DETENTION, RoleGroup.STAFF, {
        "sponsorship": "The Met Detention superintendent sponsors the change and opens each suite's briefing.",
        "engagement": "Custody inspectors meet the programme team fortnightly; detention officers' representatives join the design reviews.",
        "communications": "Monthly intranet update, a briefing at shift change (days and nights), a one-page guide in every suite.",
        "training": TRAINING_V2,
        "champions": "One detention officer champion per suite and shift (at least 1:25), with two hours a month agreed.",
        "checkpoints": "Readiness survey pulse every week from eight weeks out; go/no-go needs Knowledge and Ability at 3.5 or above.",
        "reinforcement": "Floor-walkers for two weeks; duty states from the new system only after day 3; a 30-day check-in per suite.",
    }),
    (DETENTION, RoleGroup.OFFICER, {
        "sponsorship": "The custody chief inspector; each suite's inspector owns the suite's readiness.",
        "engagement": "Custody sergeants test the duty planning screens in the model office before go-live.",
        "communications": "Sergeants' briefing pack and a weekly note from the chief inspector in the last month.",
        "training": "Sergeants trained first, in a half-day session on approving duty changes and rest-day protection.",
        "champions": "Sergeants are not champions; they release detention officer champions for their hours.",
        "checkpoints": "Each sergeant signs off their suite's roster in the new system a week before go-live.",
        "reinforcement": "The paper duty book is withdrawn on day 3; inspectors review overtime against the roster monthly.",
    }),
    (CONTACT_CENTRE, "", {
        "sponsorship": "The head of the Met Contact Centre.",
        "engagement": "Team managers on each site are the programme's sounding board.",
        "communications": "Team meeting cascade and a message on the call-handling screens' start page.",
        "training": "E-learning and a one-hour team session; supervisors have a longer session on shift swaps.",
        "champions": "Two champions per team at 1:25.",
        "checkpoints": "The same readiness pulse and criteria as Met Detention.",
        "reinforcement": "Shift swaps only through the new system from week 2.",
    }),
)
PROMISES_V2: tuple[tuple[str, str, str, str], ...] = (
    (Section.CHAMPIONS, Measure.CHAMPION_RATIO, "25", "A champion for every 25 people on every suite and shift (1:25)."),
    (Section.CHECKPOINTS, Measure.READINESS_SCORE, "70", "Readiness at 70% or more in the last pulse before go/no-go."),
    (Section.CHECKPOINTS, Measure.RESPONSE_RATE, "40", "At least 40% of impacted people answer each readiness pulse."),
    (Section.COMMUNICATIONS, Measure.COMMS_SENT, "6", "At least six communications reach impacted people before go-live."),
    (Section.REINFORCEMENT, Measure.OVERDUE_ACTIONS, "3", "No more than three readiness actions overdue at any time."),
)
CHAMPION_RATIO_V1 = "40"
GENERIC_GROUP = {
    "sponsorship": "The command's senior leader sponsors the change for the group.",
    "engagement": "Team leaders meet the programme team monthly.",
    "communications": "Monthly update and a briefing before each wave.",
    "training": "E-learning first, then a short classroom session within three weeks of go-live.",
    "champions": "A champion per site and shift, at 1:25.",
    "checkpoints": "Readiness pulse before go/no-go; the criteria reviewed two weeks out.",
    "reinforcement": "Floor-walkers in go-live week; a 30-day check-in.",
}
GENERIC_PROMISES: tuple[tuple[str, str, str, str], ...] = (
    (Section.CHAMPIONS, Measure.CHAMPION_RATIO, "25", ""),
    (Section.CHECKPOINTS, Measure.READINESS_SCORE, "70", ""),
    (Section.CHECKPOINTS, Measure.RESPONSE_RATE, "35", ""),
)
SECTION_FIELDS = ("objectives", "case_for_change", "principles", "risks", "governance")
GROUP_FIELDS = ("sponsorship", "engagement", "communications", "training", "champions", "checkpoints", "reinforcement")


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=dt.UTC)


def content_of(approach: Approach, groups: Sequence[GroupApproach], promises: Sequence[Promise]) -> dict[str, Any]:
    """The approach as frozen in a version: its sections, groups and promises."""
    return {
        "sections": {name: getattr(approach, name) for name in SECTION_FIELDS},
        "groups": [{"unit": g.unit_id, "unit_name": g.unit.name, "role_group": g.role_group, **{f: getattr(g, f) for f in GROUP_FIELDS}}
                   for g in groups],
        "promises": [{"section": p.section, "measure": p.measure, "target": str(p.target), "wording": p.wording} for p in promises],
    }


def _approach(programme: Programme, text: dict[str, str], groups: list[tuple[Unit, str, dict[str, str]]],
              promises: Sequence[tuple[str, str, str, str]], *, lead: User | None, approver: User | None, approved: dt.date,
              note: str = "") -> tuple[Approach, list[GroupApproach], list[Promise]]:
    approach = Approach.objects.create(
        programme=programme, status=Approach.Status.APPROVED, version=1, change_note=note, created_by=lead, submitted_by=lead,
        submitted_at=_at(approved - dt.timedelta(days=3)), approved_by=approver, approved_at=_at(approved, 15), **text)
    rows = GroupApproach.objects.bulk_create([GroupApproach(approach=approach, unit=unit, role_group=rg, **fields) for unit, rg, fields in groups])
    kept = Promise.objects.bulk_create([Promise(approach=approach, section=s, measure=m, target=Decimal(t), wording=w) for s, m, t, w in promises])
    return approach, rows, kept


def _custody_approach(programme: Programme, lead: User | None, approver: User | None, today: dt.date) -> Approach | None:
    units = {u.name: u for u in Unit.objects.filter(name__in=(DETENTION, CONTACT_CENTRE)).exclude(level=Unit.Level.TEAM)}
    groups = [(units[name], rg, dict(fields)) for name, rg, fields in GROUPS if name in units]
    if not groups:
        return None
    v1_day, v2_day = today - dt.timedelta(days=120), today - dt.timedelta(days=30)
    # Version 1, as first approved.
    v1_groups = [(unit, rg, {**fields, "training": TRAINING_V1} if fields["training"] == TRAINING_V2 else fields) for unit, rg, fields in groups]
    v1_promises = [(s, m, CHAMPION_RATIO_V1 if m == Measure.CHAMPION_RATIO else t, w.replace("25 people", "40 people").replace("1:25", "1:40"))
                   for s, m, t, w in PROMISES_V2 if m != Measure.OVERDUE_ACTIONS]
    v1_text = {**CUSTODY_TEXT, "risks": CUSTODY_TEXT["risks"].split("\n")[0]}
    approach, group_rows, promise_rows = _approach(programme, v1_text, v1_groups, v1_promises, lead=lead, approver=approver, approved=v1_day,
                                                   note="First approved version.")
    v1_content = content_of(approach, group_rows, promise_rows)
    ApproachVersion.objects.create(approach=approach, number=1, content=v1_content, changes=[], note="First approved version.",
                                   submitted_by=lead, approved_by=approver, approved_at=_at(v1_day, 15))
    # Version 2: what the first month of readiness results taught.
    note = ("Champion ratio tightened from 1:40 to 1:25 after the first pulses; training rewritten for night shifts; "
            "risks added for uncovered suites and the paper duty book; overdue actions promised.")
    approach.risks = CUSTODY_TEXT["risks"]
    approach.version, approach.change_note = 2, note
    approach.submitted_at, approach.approved_at = _at(v2_day - dt.timedelta(days=2)), _at(v2_day, 15)
    approach.save()
    changes: list[dict[str, Any]] = [{"part": "section:risks", "label": "Risks", "before": v1_text["risks"], "after": approach.risks}]
    for row in group_rows:
        if row.training == TRAINING_V1:
            changes.append({"part": f"group:{row.unit_id}:{row.role_group or 'all'}:training", "label": f"{row}: training", "before": row.training, "after": TRAINING_V2})
            row.training = TRAINING_V2
            row.save(update_fields=["training"])
    for promise in promise_rows:
        if promise.measure == Measure.CHAMPION_RATIO:
            new = next(p for p in PROMISES_V2 if p[1] == Measure.CHAMPION_RATIO)
            changes.append({"part": "promise:champion_ratio", "label": "Promise: champion coverage", "before": f"1:{CHAMPION_RATIO_V1}",
                            "after": "1:25"})
            promise.target, promise.wording = Decimal(new[2]), new[3]
            promise.save(update_fields=["target", "wording"])
    added = [p for p in PROMISES_V2 if p[1] == Measure.OVERDUE_ACTIONS]
    promise_rows += Promise.objects.bulk_create([Promise(approach=approach, section=s, measure=m, target=Decimal(t), wording=w)
                                                 for s, m, t, w in added])
    changes += [{"part": f"promise:{m}", "label": "Promise added", "before": "", "after": w} for _, m, _, w in added]
    ApproachVersion.objects.create(approach=approach, number=2, content=content_of(approach, group_rows, promise_rows), changes=changes,
                                   note=note, submitted_by=lead, approved_by=approver, approved_at=_at(v2_day, 15))
    return approach


def _met_approaches(programmes: list[Programme], approver: User | None, today: dt.date, skip: set[int]) -> int:
    """An approved v1 for every programme (but `skip`), in bulk."""
    wave_units: dict[int, list[Unit]] = {}
    for programme in programmes:
        units: list[Unit] = []
        for wave in programme.waves.order_by("go_live_date", "pk").prefetch_related("units"):
            units += [u for u in wave.units.all() if u not in units]
        wave_units[programme.pk] = units[:3]
    todo = [p for p in programmes if p.pk not in skip]
    approaches = [Approach(programme=p, status=Approach.Status.APPROVED, version=1, created_by=p.change_lead, submitted_by=p.change_lead,
                           approved_by=approver, submitted_at=_at(today - dt.timedelta(days=62)), approved_at=_at(today - dt.timedelta(days=60)),
                           objectives=f"{p.name}: {p.description}", case_for_change=f"Why {p.name} now: {p.description}",
                           principles=CUSTODY_TEXT["principles"], risks="Training abstraction at busy times; late nominations of champions.",
                           governance="The programme board approves the approach; readiness review two weeks before each go-live.",
                           change_note="First approved version.")
                  for p in todo]
    Approach.objects.bulk_create(approaches, batch_size=BATCH)
    groups = [GroupApproach(approach=a, unit=u, role_group="", **GENERIC_GROUP) for a in approaches for u in wave_units[a.programme.pk]]
    GroupApproach.objects.bulk_create(groups, batch_size=BATCH)
    promises = [Promise(approach=a, section=s, measure=m, target=Decimal(t), wording=w) for a in approaches for s, m, t, w in GENERIC_PROMISES]
    Promise.objects.bulk_create(promises, batch_size=BATCH)
    by_approach: dict[int, tuple[list[GroupApproach], list[Promise]]] = {a.pk: ([], []) for a in approaches}
    for g in groups:
        by_approach[g.approach.pk][0].append(g)
    for pr in promises:
        by_approach[pr.approach.pk][1].append(pr)
    ApproachVersion.objects.bulk_create([
        ApproachVersion(approach=a, number=1, content=content_of(a, *by_approach[a.pk]), changes=[], note="First approved version.",
                        submitted_by=a.submitted_by, approved_by=approver, approved_at=a.approved_at or timezone.now())
        for a in approaches], batch_size=BATCH)
    return len(approaches)


# --------------------------------------------------------------------------
# Journeys

# stage, [(step, today, tomorrow, pain points, ADKAR element, emotion)]
StepSpec = tuple[str, str, str, str, str, int]
CUSTODY_OFFICER_STAGES: tuple[tuple[str, tuple[StepSpec, ...]], ...] = (
    ("Hearing about it", (
        ("Hears about the new rostering system", "Hears second-hand at handover, often from the day shift.",
         "Briefed at the 19:00 shift change by the suite's champion, with the go-live date.", "Nights hear last; rumours about lost rest days.",
         Adkar.AWARENESS, Emotion.NEUTRAL),
        ("Decides whether it is worth it", "Sees rostering as the sergeant's problem.",
         "Sees own rest days and swaps on the phone, with fewer short-notice changes.", "Worry that night allowances will be wrong.",
         Adkar.DESIRE, Emotion.POSITIVE),
    )),
    ("Training", (
        ("Completes the e-learning", "No e-learning; learns from colleagues.", "Completes ROTA-101 on a quiet night, 40 minutes.",
         "Cannot reach the e-learning from the custody terminals.", Adkar.KNOWLEDGE, Emotion.NEUTRAL),
        ("Attends the classroom session", "Classroom sessions only in the day.", "22:00 session in the suite's training room.",
         "Abstraction when the suite is busy; sessions cancelled at short notice.", Adkar.KNOWLEDGE, Emotion.NEGATIVE),
    )),
    ("Go-live week", (
        ("Checks the first week's duties", "Reads the paper duty book at the desk.", "Checks duties in the new system at the start of the shift.",
         "Log-in problems on shared terminals at 03:00, with nobody to ask.", Adkar.ABILITY, Emotion.VERY_NEGATIVE),
        ("Requests a shift swap", "Asks the sergeant and writes it in the book.", "Requests the swap in the system; the sergeant approves it.",
         "Swap requests wait for the day shift to approve.", Adkar.ABILITY, Emotion.NEGATIVE),
    )),
    ("Settling in", (
        ("Uses the roster without help", "", "Plans leave and swaps in the system without thinking about it.", "",
         Adkar.REINFORCEMENT, Emotion.POSITIVE),
    )),
)
SERGEANT_STAGES: tuple[tuple[str, tuple[StepSpec, ...]], ...] = (
    ("Hearing about it", (
        ("Briefed by the custody inspector", "Email from the programme.", "Sergeants' briefing pack and the chief inspector's note.", "",
         Adkar.AWARENESS, Emotion.POSITIVE),
    )),
    ("Training", (
        ("Half-day session on duty planning", "None.", "Half-day session on approving changes and rest-day protection.",
         "Hard to release sergeants from the suite.", Adkar.KNOWLEDGE, Emotion.NEUTRAL),
    )),
    ("Go-live week", (
        ("Signs off the suite's roster", "Paper duty book, re-keyed weekly.", "Signs off in the system; minimum staffing warnings shown.",
         "Warnings for the night shift the first week.", Adkar.ABILITY, Emotion.NEGATIVE),
        ("Approves swaps and overtime", "By hand in the duty book.", "In the system, the same shift.", "", Adkar.ABILITY, Emotion.NEUTRAL),
    )),
    ("Settling in", (
        ("Withdraws the paper duty book", "Kept in parallel.", "Withdrawn on day 3.", "Some keep a private copy.",
         Adkar.REINFORCEMENT, Emotion.POSITIVE),
    )),
)
RESPONSE_STAGES: tuple[tuple[str, tuple[StepSpec, ...]], ...] = (
    ("Hearing about it", (
        ("Hears the custody suites are changing rosters", "Not told.", "A line in the borough's weekly bulletin.",
         "Does not see why it matters to response teams.", Adkar.AWARENESS, Emotion.NEUTRAL),
    )),
    ("Training", (
        ("No training needed", "", "Knows to phone ahead if the suite shows as short-staffed.", "", "", Emotion.NEUTRAL),
    )),
    ("Go-live week", (
        ("Brings a detained person in", "Queue at the suite when it is short at night.", "Suite staffing visible; diverted before arriving.",
         "Diversions to a further suite at night.", Adkar.ABILITY, Emotion.NEGATIVE),
    )),
    ("Settling in", (
        ("Waits less at the custody desk", "Long waits at shift change.", "Shorter waits; the shift change is better covered.", "",
         "", Emotion.POSITIVE),
    )),
)


def _touch_targets(programme: Programme) -> dict[str, list[tuple[str, str]]]:
    """(ref, label) of the programme's own records a journey can link to."""
    from changeboard.cutover.models import Task
    from changeboard.engagement.models import Message
    from changeboard.network.models import Activity

    messages = [(str(pk), title) for pk, title in Message.objects.filter(programme=programme).order_by("pk").values_list("pk", "title")[:6]]
    activities = [(str(pk), f"{kind.replace('_', ' ').capitalize()} on {day:%d %b}")
                  for pk, kind, day in Activity.objects.filter(programme=programme).order_by("date", "pk").values_list("pk", "kind", "date")[:4]]
    tasks = [(str(pk), title) for pk, title in Task.objects.filter(runbook__programme=programme, runbook__is_template=False)
             .order_by("position", "pk").values_list("pk", "title")[:4]]
    return {Touchpoint.Kind.MESSAGE: messages, Touchpoint.Kind.ACTIVITY: activities, Touchpoint.Kind.TASK: tasks,
            Touchpoint.Kind.COURSE: [(f"{programme.code}-101", f"{programme.name} e-learning")]}


# Which touchpoint kinds each stage's steps get (the stage's index).
STAGE_TOUCH = {0: (Touchpoint.Kind.MESSAGE, Touchpoint.Kind.ACTIVITY), 1: (Touchpoint.Kind.COURSE, Touchpoint.Kind.MESSAGE),
               2: (Touchpoint.Kind.TASK, Touchpoint.Kind.ACTIVITY), 3: (Touchpoint.Kind.MESSAGE,)}


def _journey(programme: Programme, title: str, persona: str, description: str, units: Sequence[Unit], role_group: str,
             stages: Sequence[tuple[str, Sequence[StepSpec]]], targets: dict[str, list[tuple[str, str]]], lead: User | None) -> Journey:
    journey = Journey.objects.create(programme=programme, title=title, persona=persona, persona_description=description,
                                     role_group=role_group, created_by=lead)
    journey.units.set(units)
    stage_rows = Stage.objects.bulk_create([Stage(journey=journey, order=n, name=name) for n, (name, _) in enumerate(stages, start=1)])
    steps: list[tuple[int, Step]] = []
    for index, (stage, (_, specs)) in enumerate(zip(stage_rows, stages, strict=True)):
        for order, (name, today, tomorrow, pains, adkar, emotion) in enumerate(specs, start=1):
            steps.append((index, Step(stage=stage, order=order, name=name, today=today, tomorrow=tomorrow, pain_points=pains,
                                      adkar=adkar, emotion=emotion)))
    Step.objects.bulk_create([s for _, s in steps])
    used: dict[str, int] = {}
    touchpoints: list[Touchpoint] = []
    for index, step in steps:
        for kind in STAGE_TOUCH.get(index, ()):
            choices = targets.get(kind, [])
            if choices:
                ref, label = choices[used.get(kind, 0) % len(choices)]
                used[kind] = used.get(kind, 0) + 1
                touchpoints.append(Touchpoint(step=step, kind=kind, ref=ref, label=label[:200]))
    Touchpoint.objects.bulk_create(touchpoints, ignore_conflicts=True)
    return journey


def _custody_journeys(programme: Programme, lead: User | None) -> int:
    suites = list(Unit.objects.filter(name__startswith=CUSTODY_SUITE_PREFIX, level=Unit.Level.TEAM).order_by("path"))
    if not suites:
        return 0
    targets = _touch_targets(programme)
    response = _answered_teams(programme, "Response Team ", RoleGroup.OFFICER)
    _journey(programme, "A night shift in custody, from briefing to go-live", "Custody officer (police staff detention officer)",
             "Works 12-hour nights in a custody suite; hears about changes last; cares about rest days and night allowances; "
             "worried about logging in at 03:00 with nobody to ask.", suites, RoleGroup.STAFF, CUSTODY_OFFICER_STAGES, targets, lead)
    _journey(programme, "Running the suite's roster", "Custody sergeant",
             "Runs the suite on a shift; signs off the roster and approves swaps; keeps the paper duty book today.",
             suites[1:2] or suites, RoleGroup.OFFICER, SERGEANT_STAGES, targets, lead)
    _journey(programme, "Bringing a detained person in", "Response officer bringing a detained person in",
             "A response officer arriving at the suite with a detained person; not rostered by custody but feels its gaps.",
             response or suites[:1], RoleGroup.OFFICER, RESPONSE_STAGES, targets, lead)
    return 3


def _answered_teams(programme: Programme, prefix: str, role_group: str) -> list[Unit]:
    """The fewest teams named `prefix`... whose answers in the programme's
    latest closed readiness wave reach its reporting threshold for the role
    group (most answers first), so a persona there has a survey-fed lane."""
    from changeboard.surveys.models import AudienceCell, SurveyWave

    wave = SurveyWave.objects.filter(programme=programme, status=SurveyWave.Status.CLOSED).order_by("-closes_on", "-pk").first()
    if wave is None:
        return []
    answered: dict[int, int] = {}
    for unit_id, responded in AudienceCell.objects.filter(wave=wave, role_group=role_group, responded__gt=0, unit__name__startswith=prefix,
                                                          unit__level=Unit.Level.TEAM).order_by("unit__path").values_list("unit_id", "responded"):
        answered[unit_id] = answered.get(unit_id, 0) + responded
    chosen: list[int] = []
    for unit_id in sorted(answered, key=lambda u: -answered[u]):
        if sum(answered[u] for u in chosen) >= wave.min_responses:
            break
        chosen.append(unit_id)
    return list(Unit.objects.filter(pk__in=chosen).order_by("path"))


def _largest(programmes: list[Programme], today: dt.date) -> Programme | None:
    from changeboard.engagement.services.audience import impacted_q, in_post

    sized = [(in_post(today).filter(impacted_q(p)).count(), -p.pk, p) for p in programmes]
    return max(sized, key=lambda row: (row[0], row[1]))[2] if sized else None


def _met_journeys(programme: Programme) -> int:
    units = []
    for wave in programme.waves.order_by("go_live_date", "pk").prefetch_related("units")[:1]:
        units = list(wave.units.all())
    if not units:
        return 0
    targets = _touch_targets(programme)
    _journey(programme, f"{programme.name}: police staff, first wave", "Police staff in the first wave", "", units, RoleGroup.STAFF,
             CUSTODY_OFFICER_STAGES, targets, programme.change_lead)
    _journey(programme, f"{programme.name}: officers, first wave", "Police officers in the first wave", "", units, RoleGroup.OFFICER,
             SERGEANT_STAGES, targets, programme.change_lead)
    return 2


# --------------------------------------------------------------------------
# Practitioners, assessments, coaching, handover

SESSION_GOALS = (
    ("Run the next readiness pulse without the programme team.", "Set up the wave; agree the reminder plan with the champions."),
    ("Present the readiness results at the programme board.", "Draft the three messages the Board must hear; rehearse with the coach."),
    ("Plan the night-shift training.", "Book the 22:00 sessions; ask Detention Standards for cover."),
    ("Lead the runbook rehearsal's business tasks.", "Walk through the go-live tasks with the suite inspectors."),
    ("Write the impact lines for the second wave.", "Meet the contact centre managers; draft the lines; review together."),
    ("Coach two champions.", "Observe a champion's briefing and give feedback."),
)
NOTES = ("Confident on the data; less so presenting to senior officers.", "Good progress: ran the session alone last week.",
         "Found the coverage page useful to spot the night-shift gap.", "Needs more practice on the go/no-go criteria.")


def _pick_staff(programme: Programme | None, count: int, today: dt.date, exclude: set[int]) -> tuple[list[Staff], list[Staff]]:
    """(business change leads, champions): supervisors and managers of the
    programme's impacted units, and its champions (or impacted people)."""
    from changeboard.engagement.services.audience import impacted_q, in_post
    from changeboard.network.models import Champion

    leads_wanted = max(1, count // LEADS_SHARE)
    people = in_post(today).exclude(pk__in=exclude)
    if programme is not None:
        people = people.filter(impacted_q(programme))
    leads = list(people.filter(role__in=("Custody inspector", "Custody officer", "Contact centre manager", "Contact centre supervisor",
                                          "Head of team", "Team leader", "Inspector", "Response inspector"))
                 .order_by("staff_number")[:leads_wanted])
    taken = exclude | {s.pk for s in leads}
    champions_q = Champion.objects.filter(status=Champion.Status.ACTIVE).exclude(staff_id__in=taken)
    if programme is not None:
        champions_q = champions_q.filter(supports__programme=programme)
    ids = list(champions_q.order_by("staff__staff_number").values_list("staff_id", flat=True)[: count - len(leads)])
    champions = list(Staff.objects.filter(pk__in=ids).order_by("staff_number"))
    if len(leads) + len(champions) < count:
        taken |= {s.pk for s in champions}
        champions += list(people.exclude(pk__in=taken).order_by("staff_number")[: count - len(leads) - len(champions)])
    return leads, champions


def _levels(need: dict[int, int], rng: random.Random, lead: bool) -> tuple[dict[int, int], dict[int, int]]:
    """(first, later) levels per competency: the later never lower, most
    areas a level up, a few already at what the role needs."""
    first: dict[int, int] = {}
    later: dict[int, int] = {}
    for competency, required in need.items():
        start = max(1, min(4, required - rng.choice((1, 1, 2) if lead else (0, 1, 1))))
        first[competency] = start
        later[competency] = min(4, start + rng.choice((0, 1, 1, 1, 2)))
    return first, later


def _practitioners(framework: Framework, programme: Programme | None, scale: str, rng: random.Random, today: dt.date,
                   coaches: list[User], linked: dict[int, User], spread: Sequence[Programme] = ()) -> tuple[list[Practitioner], int]:
    """The practitioners, each assessed twice (self, months ago; coach, recently). Returns them and the assessments written."""
    roles = {r.name: r for r in PractitionerRole.objects.filter(framework=framework)}
    competencies = list(framework.competencies.order_by("order"))
    requirement = {(r.role_id, r.competency_id): r.level for r in Requirement.objects.filter(role__framework=framework)}
    count = PRACTITIONERS.get(scale, 12)
    leads, champions = _pick_staff(programme, count - len(linked), today, set(linked))
    linked_staff = list(Staff.objects.filter(pk__in=linked).order_by("staff_number"))
    rows: list[tuple[Staff, PractitionerRole, User | None]] = []
    for staff in linked_staff:
        user = linked[staff.pk]
        rows.append((staff, roles[CHAMPION_ROLE if user.role == Role.CHAMPION else BUSINESS_CHANGE_LEAD], user))
    rows += [(s, roles[BUSINESS_CHANGE_LEAD], None) for s in leads] + [(s, roles[CHAMPION_ROLE], None) for s in champions]
    practitioners = [Practitioner(staff=s, user=u, role=r, coach=coaches[n % len(coaches)] if coaches else None,
                                  added_at=_at(today - dt.timedelta(days=200 + n)))
                     for n, (s, r, u) in enumerate(rows)]
    Practitioner.objects.bulk_create(practitioners, batch_size=BATCH)
    through = Practitioner.programmes.through
    if programme is not None:  # all on the one programme, but a linked change manager on their own programmes
        own = {user.pk: list(user.programmes.values_list("pk", flat=True)) for user in linked.values() if user.role == Role.CHANGE_MANAGER}
        through.objects.bulk_create([through(practitioner_id=p.pk, programme_id=pid) for p in practitioners
                                     for pid in (own.get(p.user.pk) or [programme.pk] if p.user is not None else [programme.pk])],
                                    batch_size=BATCH)
    elif spread:  # round the portfolio
        through.objects.bulk_create([through(practitioner_id=p.pk, programme_id=spread[n % len(spread)].pk) for n, p in enumerate(practitioners)],
                                    batch_size=BATCH)
    assessments: list[Assessment] = []
    levels: list[dict[int, int]] = []
    for practitioner in practitioners:
        need = {c.pk: requirement.get((practitioner.role.pk, c.pk), 2) for c in competencies}
        first, later = _levels(need, rng, practitioner.role.name == BUSINESS_CHANGE_LEAD)
        months = rng.randint(4, 7)
        assessments.append(Assessment(practitioner=practitioner, kind=Assessment.Kind.SELF, assessor=practitioner.user,
                                      assessed_on=today - dt.timedelta(days=30 * months + rng.randint(0, 20)),
                                      note="First self-assessment, when joining the programme."))
        assessments.append(Assessment(practitioner=practitioner, kind=Assessment.Kind.COACH, assessor=practitioner.coach,
                                      assessed_on=today - dt.timedelta(days=rng.randint(5, 30)), note=rng.choice(NOTES)))
        levels += [first, later]
    Assessment.objects.bulk_create(assessments, batch_size=BATCH)
    Rating.objects.bulk_create([Rating(assessment=a, competency_id=c, level=lvl) for a, lv in zip(assessments, levels, strict=True)
                                for c, lvl in lv.items()], batch_size=BATCH)
    return practitioners, len(assessments)


def _sessions(practitioners: list[Practitioner], competencies: list[Competency], count: int, rng: random.Random, today: dt.date) -> int:
    coached = [p for p in practitioners if p.coach_id is not None]
    if not coached or not count:
        return 0
    sessions: list[CoachingSession] = []
    for n in range(count):
        practitioner = coached[n % len(coached)]
        held = today - dt.timedelta(days=7 + 30 * (n // len(coached)) + rng.randint(0, 9))
        goals, actions = SESSION_GOALS[n % len(SESSION_GOALS)]
        assert practitioner.coach is not None
        sessions.append(CoachingSession(practitioner=practitioner, coach=practitioner.coach, held_on=held, goals=goals, agreed_actions=actions,
                                        notes=rng.choice(NOTES), next_session=held + dt.timedelta(days=28)))
    CoachingSession.objects.bulk_create(sessions)
    through = CoachingSession.areas.through
    areas = []
    for session in sessions:
        for competency in rng.sample(competencies, k=min(len(competencies), rng.randint(1, 3))):
            areas.append(through(coachingsession_id=session.pk, competency_id=competency.pk))
    through.objects.bulk_create(areas)
    return len(sessions)


def _handover(programme: Programme, practitioners: list[Practitioner], today: dt.date) -> int:
    leads = [p for p in practitioners if p.role.name == BUSINESS_CHANGE_LEAD] or practitioners
    if not leads:
        return 0
    items = [HandoverItem(programme=programme, activity=activity, owner=leads[n % len(leads)],
                          target_date=today + dt.timedelta(weeks=4 + 3 * n), times_required=2 if n % 2 else 1,
                          note="Done with the programme team once; next time alone, the coach observing.")
             for n, activity in enumerate(HandoverActivity.values)]
    HandoverItem.objects.bulk_create(items)
    return len(items)


def _linked_accounts(today: dt.date) -> dict[int, User]:
    """staff id -> demo account, for the demo champions and change managers
    with an HR record in post (found by email, as the network seed finds
    them: in the demo, the champion)."""
    from changeboard.engagement.services.audience import in_post

    out: dict[int, User] = {}
    accounts = User.objects.filter(is_demo=True, role__in=(Role.CHAMPION, Role.CHANGE_MANAGER)).exclude(email="").exclude(username__in=OWN_PEOPLE)
    for user in accounts.order_by("pk"):
        staff = in_post(today).filter(email__iexact=user.email).first()
        if staff is not None:
            out[staff.pk] = user
    return out


def _own_handover(practitioners: list[Practitioner], today: dt.date, skip: set[int]) -> int:
    """The handover items of a linked change manager's own programmes (not
    `skip`): the activities their seeded actions are evidence of, owned by them."""
    items: list[HandoverItem] = []
    for practitioner in practitioners:
        user = practitioner.user
        if user is None or user.role != Role.CHANGE_MANAGER:
            continue
        for programme in user.programmes.exclude(pk__in=skip).order_by("code"):
            skip.add(programme.pk)
            items += [HandoverItem(programme=programme, activity=activity, owner=practitioner, target_date=today + dt.timedelta(weeks=6 + 2 * n),
                                   times_required=1, note="Ran it with the programme team watching; the next one alone.")
                      for n, activity in enumerate((HandoverActivity.REHEARSAL, HandoverActivity.READINESS_REVIEW, HandoverActivity.BOARD_PACK))]
    HandoverItem.objects.bulk_create(items)
    return len(items)


def _own_people_act(programme: Programme, practitioners: list[Practitioner], today: dt.date, password: str) -> int:
    """Give the programme's first business change leads (practitioners with
    no account) demo accounts, change managers on the programme, created as
    the demo accounts are (`accounts.services.user_create`), and have them act
    THROUGH THE REAL SERVICES, so the handover page reads real audit rows:
    the first launches the next readiness pulse (a wave opening in ten
    weeks: nobody is invited yet), the second holds the T-12 readiness
    review of the programme's next rollout wave and records its decision.
    Each activity's plan asks for it once (`_handover`), so both read "the
    force runs it alone"; the rest stays "Not yet". Returns the survey waves
    it launched (the survey seed's own count does not include them)."""
    from changeboard.accounts.services import user_create
    from changeboard.readiness.models import Review
    from changeboard.readiness.services.reviews import review_decide, review_save
    from changeboard.surveys import services as survey_services

    leads = [p for p in practitioners if p.user_id is None and p.role.name == BUSINESS_CHANGE_LEAD][: len(OWN_PEOPLE)]
    users: list[User] = []
    for username, practitioner in zip(OWN_PEOPLE, leads, strict=False):
        staff = practitioner.staff
        if (existing := User.objects.filter(username=username, is_demo=True).first()) is not None:  # seeded again: link, do not act twice
            Practitioner.objects.filter(pk=practitioner.pk).update(user=existing)
            continue
        user = user_create(username=username, role=Role.CHANGE_MANAGER, actor=None, password=password, first_name=staff.first_name,
                           last_name=staff.last_name, email=staff.email, programmes=[programme], is_demo=True)
        Practitioner.objects.filter(pk=practitioner.pk).update(user=user)
        users.append(user)
    instrument = survey_services.default_instrument()
    if users and instrument is not None:
        opens = today + dt.timedelta(weeks=10)
        wave = survey_services.wave_create(programme=programme, instrument=instrument, title=f"{programme.name} readiness pulse",
                                           opens_on=opens, closes_on=opens + dt.timedelta(days=14), actor=users[0])
        survey_services.wave_launch(wave=wave, actor=users[0])
        launched = 1
    else:
        launched = 0
    rollout = programme.waves.filter(go_live_date__gte=today).order_by("go_live_date", "pk").first()
    if len(users) > 1 and rollout is not None:
        review = review_save(programme=programme, actor=users[1], rollout_wave=rollout, checkpoint=Review.Checkpoint.T12,
                             title=f"{rollout.name}: T-12 weeks", scheduled_on=today - dt.timedelta(days=1))
        review_decide(review=review, decision=Review.Decision.CONDITIONS, held_on=today - dt.timedelta(days=1), actor=users[1],
                      conditions="Night-shift training sessions booked in every custody suite before go-live.",
                      notes="Held by the business change lead, the programme team observing.", override_reason="")
    return launched


# --------------------------------------------------------------------------
# Entry point


@transaction.atomic
def seed_capability(*, scale: str, seed: int, actor: User | None = None, today: dt.date | None = None,
                    password: str | None = None) -> dict[str, int]:
    """Approaches, journeys, practitioners, assessments, coaching and handover
    (see the module docstring). Replaces any already there. With `password`
    (the demo accounts'), the custody programme's first business change
    leads get demo accounts and act through the services (`_own_people_act`)."""
    day = today or timezone.localdate()
    rng = random.Random(f"capability:{seed}")
    clear_capability_data()
    framework = default_framework()
    programmes = list(Programme.objects.select_related("change_lead").order_by("code"))
    if not programmes:
        return {}
    admin = User.objects.filter(username=COACH_TOO, is_demo=True).first() or actor
    board = User.objects.filter(username="board", is_demo=True).first() or actor
    competencies = list(framework.competencies.order_by("order"))
    counts = {"capability_approaches": 0, "capability_journeys": 0, "capability_practitioners": 0, "capability_assessments": 0,
              "capability_sessions": 0, "capability_handover_items": 0}
    custody = next((p for p in programmes if p.code == CUSTODY_PROGRAMME), None)
    if scale == "met":
        counts["capability_approaches"] = _met_approaches(programmes, board, day, set())
        largest = _largest(programmes, day)
        counts["capability_journeys"] = _met_journeys(largest) if largest is not None else 0
        coaches = [p.change_lead for p in programmes if p.change_lead is not None] or ([admin] if admin else [])
        practitioners, assessed = _practitioners(framework, None, scale, rng, day, coaches, {}, programmes)
    else:
        lead = User.objects.filter(username=CHANGE_LEAD, is_demo=True).first() or (custody.change_lead if custody else None)
        if custody is not None and _custody_approach(custody, lead, board, day) is not None:
            counts["capability_approaches"] = 1
            counts["capability_journeys"] = _custody_journeys(custody, lead)
        coaches = [u for u in (lead, admin) if u is not None]
        practitioners, assessed = _practitioners(framework, custody, scale, rng, day, coaches, _linked_accounts(day))
        counts["capability_sessions"] = _sessions(practitioners, competencies, SESSIONS.get(scale, 0), rng, day)
        if custody is not None:
            counts["capability_handover_items"] = _handover(custody, practitioners, day)
        counts["capability_handover_items"] += _own_handover(practitioners, day, {custody.pk} if custody else set())
        if custody is not None and password is not None:
            counts["capability_survey_waves"] = _own_people_act(custody, practitioners, day, password)
    counts["capability_practitioners"], counts["capability_assessments"] = len(practitioners), assessed
    return counts
