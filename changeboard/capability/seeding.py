"""The default change practitioner framework: seven competencies with a
descriptor per level, written for police change work, and three practitioner
roles with the level each needs. The data migration `0002_default_framework`
and `ensure_default_framework()` (for transactional tests, which flush the
tables the migration filled) both write these same definitions.

Levels: 1 aware, 2 practising with help, 3 independent, 4 expert who can
coach others."""

from __future__ import annotations

from typing import Any

FRAMEWORK_NAME = "Change practitioner framework"
FRAMEWORK_DESCRIPTION = ("What the force's own change people need to be able to do to land a change without outside help: "
                         "from assessing its impact on officers and staff to supporting them after go-live.")

# (code, name, description, [level 1, level 2, level 3, level 4])
COMPETENCIES: list[tuple[str, str, str, list[str]]] = [
    ("impact-assessment", "Impact assessment",
     "Working out who a change touches, how much, and when, from units and role groups down to shifts.",
     ["Knows what an impact assessment is for and can read one: which units, role groups and shifts are affected and how heavily.",
      "Drafts impact lines for a unit with a lead's help, finding the people affected from the HR data and checking them with supervisors.",
      "Writes a whole programme's impact assessment alone, rates each impact's size consistently, and gets it approved without rework.",
      "Reviews other programmes' assessments, spots change load building up on the same response teams or custody suites, "
      "and teaches others to assess."]),
    ("stakeholder-engagement", "Stakeholder engagement",
     "Knowing who matters to the change (chief officers, federation, staff associations, BCU commanders) and keeping them with it.",
     ["Knows who the programme's key stakeholders are and why each matters.",
      "Prepares for and takes part in stakeholder meetings, records what was agreed, with a lead setting the agenda.",
      "Maps the stakeholders, plans and holds engagements alone, and acts when a commander or the federation turns against the change.",
      "Handles the hardest relationships (chief officers, staff associations) across programmes and coaches others to engage them."]),
    ("communications", "Communications",
     "Telling people what is changing for them, in plain words, through the channels officers and staff actually read.",
     ["Knows the force's channels (briefings, intranet, shift parades, email) and the approval route for a message.",
      "Writes messages from a template and plans when they go, with a lead checking wording and timing.",
      "Plans a programme's communications alone, targets each message at the people affected, and checks it landed.",
      "Keeps the attention load on front-line teams in check across programmes and coaches others to write plainly."]),
    ("readiness", "Readiness",
     "Measuring whether people are ready (surveys, criteria, reviews) and acting on what the measures say.",
     ["Knows the ADKAR elements and can read a readiness score and its suppression rules.",
      "Runs a survey wave and tracks readiness actions with a lead's help.",
      "Runs waves and readiness reviews alone, turns low scores into actions with owners, and gives a go/no-go view the Board trusts.",
      "Designs the readiness approach for a programme, challenges weak evidence at review, and coaches others to run reviews."]),
    ("cutover", "Cutover",
     "Planning and running the move to the new way: runbooks, rehearsals and the go-live itself, around 24/7 operations.",
     ["Knows what a runbook and a rehearsal are and what their part in a go-live would be.",
      "Writes runbook tasks and takes part in a rehearsal with a lead running it.",
      "Builds a runbook, runs a rehearsal and a live cutover alone, including the fallback decision at the point of no return.",
      "Runs cutovers touching custody or control rooms, where the service cannot stop, and coaches others to run them."]),
    ("hypercare", "Hypercare",
     "Supporting people after go-live: floor-walking, queries, fixes, and knowing when support can end.",
     ["Knows how hypercare works: where queries go, the service levels, and how to escalate.",
      "Floor-walks and logs queries and fixes with a lead deciding priorities.",
      "Runs a hypercare period alone: staffs it across shifts, spots trends in queries, and recommends exit on the evidence.",
      "Designs hypercare for large roll-outs across BCUs and coaches others to run and close it."]),
    ("coaching", "Coaching",
     "Building others' capability so the force can run the next change without outside help.",
     ["Knows what coaching is and how it differs from telling someone what to do.",
      "Shares what they know with a colleague on a task, with a coach's guidance.",
      "Coaches champions and colleagues alone through a change activity, agreeing goals and following up actions.",
      "Builds a coaching network across the force and coaches the coaches."]),
]

# (name, description, {code: level}, default level for codes not listed)
ROLES: list[tuple[str, str, dict[str, int], int]] = [
    ("Business change lead", "Leads the people side of a change for their part of the force, day to day.",
     {"hypercare": 2, "cutover": 2, "coaching": 2}, 3),
    ("Change champion", "A volunteer on the front line who helps colleagues through the change alongside the day job.",
     {"communications": 2, "stakeholder-engagement": 2, "readiness": 2}, 1),
    ("Change manager", "Accountable for the people side of a whole programme and for building the force's own capability.",
     {"impact-assessment": 4, "readiness": 4, "coaching": 4}, 3),
]


def write_default(framework_model: Any, competency_model: Any, role_model: Any, requirement_model: Any) -> Any:
    """Write the default framework with the given model classes (the real ones
    or the migration's historical ones); nothing if it already exists."""
    existing = framework_model.objects.filter(name=FRAMEWORK_NAME).first()
    if existing is not None:
        return existing
    is_current = not framework_model.objects.filter(is_current=True).exists()
    framework = framework_model.objects.create(name=FRAMEWORK_NAME, description=FRAMEWORK_DESCRIPTION, is_current=is_current)
    competencies = {}
    for order, (code, name, description, levels) in enumerate(COMPETENCIES, start=1):
        competencies[code] = competency_model.objects.create(
            framework=framework, code=code, name=name, description=description, order=order,
            level_1=levels[0], level_2=levels[1], level_3=levels[2], level_4=levels[3])
    for name, description, levels_by_code, default in ROLES:
        role = role_model.objects.create(framework=framework, name=name, description=description)
        requirement_model.objects.bulk_create([
            requirement_model(role=role, competency=competency, level=levels_by_code.get(code, default))
            for code, competency in competencies.items()])
    return framework


def ensure_default_framework() -> Any:
    """The default framework, written if missing (transactional tests flush
    what the data migration wrote)."""
    from .models import Competency, Framework, PractitionerRole, Requirement

    return write_default(Framework, Competency, PractitionerRole, Requirement)
