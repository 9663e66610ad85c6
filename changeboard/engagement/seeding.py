"""Stakeholders, engagements and comms plans for the demo and met seeds
(called by `devtools.seeding` after the impacts, surveys, cutover and
hypercare; imports nothing above engagement).

- **The register**: about 60 stakeholders mapped per programme: external
  people and bodies shared by the portfolio (a Police Federation rep, the
  Unison branch, the IOPC liaison, local authority and CPS contacts...),
  groups (the units of the programme's waves and role groups within them)
  and people from the organisation model (senior officers and staff above
  the waves' units, and team leaders in them). Influence and interest are
  spread so that every quadrant of the power/interest grid is populated.
- **Engagements** over the six months before `today`: done (key points,
  concerns, now and then a position change, which the assessment's current
  position follows), planned (some overdue) and a few cancelled. In each
  programme `DEBT_PER_PROGRAMME` high-influence stakeholders are behind
  their target position with no engagement done in the last
  `EngagementPolicy.debt_days` (engagement debt); every other key
  stakeholder behind target was engaged recently.
- **The comms plan**: 10-20 messages per programme (met: 15-25) from four
  months back to four months ahead, across the channels and the workflow
  (past: sent or cancelled; near: approved or for approval; far: drafts),
  with audiences by unit, role group, impact line, impact assessment and
  stakeholder. `audience.reach_refresh` gives each its size and reach.
- **The Central West collision week** (`collision_week(today)`: the week
  three weeks after `today`): Case Management, Rostering and Shared Support
  Services each have messages reaching every Central West team that week,
  four items in all, above the default weekly limit of three, so a new
  briefing planned there shows the collision.
- **Deliveries**: two small sent emails (Case Management's and Rostering's
  senior stakeholder updates) have a `Recipient` and a sent outbox message
  per person; big sent messages have none.

Rows are written with `bulk_create`; everything follows from the seed and
`today` (two seeds on the same day give the same rows).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import F, Q
from django.utils import timezone

from changeboard.accounts.models import User
from changeboard.core.models import OutboxMessage
from changeboard.core.scoping import subtree_q
from changeboard.impacts.models import ImpactAssessment, ImpactLine
from changeboard.organisation.models import Staff, Unit
from changeboard.portfolio.models import Programme, RolloutWave
from changeboard.surveys.models import RoleGroup

from .models import (
    AudienceRule,
    Engagement,
    EngagementPolicy,
    Message,
    MessageReach,
    Recipient,
    Stakeholder,
    StakeholderAssessment,
)
from .services.audience import audience_q, audience_staff, reach_refresh

LONDON = ZoneInfo("Europe/London")
BATCH = 2000
HISTORY_DAYS = 182  # engagements over the last six months
DEBT_PER_PROGRAMME = 4
MESSAGES = {"met": (15, 25)}
MESSAGES_DEFAULT = (10, 20)
COLLISION_UNIT = "Central West"
COLLISION_WEEKS_AHEAD = 3
OUTBOX_KIND = "engagement-message"
EMAIL_DOMAIN = "example.org.uk"

# Per programme: (bodies and externals, groups, senior people, team leaders).
SHARE = (10, 14, 14, 22)
SENIOR_RANKS = ("COMM", "DEPCOMM", "AC", "DAC", "CMDR", "SPS", "CSUPT", "BAND-A", "SUPT", "DSU", "CI", "DCI")
LEADER_RANKS = ("INSP", "DI", "BAND-B", "BAND-C", "PS", "DS")

# External people and bodies (portfolio-wide): (kind, name, organisation, role, influence, interest).
EXTERNALS: tuple[tuple[str, str, str, str, tuple[int, int], tuple[int, int]], ...] = (
    ("body", "Metropolitan Police Federation", "", "Staff association for officers up to chief inspector", (4, 5), (4, 5)),
    ("body", "Unison Metropolitan Police and Justice branch", "", "Trade union for police staff", (4, 5), (3, 5)),
    ("body", "Police Superintendents' Association, Met branch", "", "Staff association for superintendents", (3, 4), (2, 4)),
    ("body", "GMB police staff section", "", "Trade union for police staff", (2, 3), (2, 4)),
    ("body", "Met Black Police Association", "", "Staff network", (2, 3), (3, 5)),
    ("external", "Dan Whitfield", "Metropolitan Police Federation", "Workplace representative", (3, 5), (4, 5)),
    ("external", "Grace Achebe", "Unison", "Branch secretary", (3, 5), (4, 5)),
    ("external", "Martin Hale", "Independent Office for Police Conduct", "Oversight liaison, London", (4, 5), (1, 2)),
    ("external", "Sophie Lang", "Westminster City Council", "Head of community safety", (1, 2), (1, 3)),
    ("external", "Kwabena Mensah", "London Borough of Lambeth", "Community safety partnership manager", (1, 2), (2, 3)),
    ("external", "Ruth Okonjo", "Crown Prosecution Service, London North", "Area business manager", (3, 4), (2, 4)),
    ("external", "Alan Pryce", "Crown Prosecution Service, London South", "Senior district crown prosecutor", (3, 4), (1, 3)),
    ("external", "Hannah Fairley", "Mayor's Office for Policing and Crime", "Head of oversight", (4, 5), (1, 2)),
    ("external", "Tom Ashby", "HM Courts and Tribunals Service", "Listing manager, London", (1, 2), (1, 2)),
    ("external", "Nadia Rahman", "Independent Advisory Group", "Chair", (2, 3), (1, 2)),
    ("external", "Owen Pritchard", "Hammersmith and Fulham Council", "Community safety officer", (1, 2), (1, 2)),
)

PURPOSES = ("Introduce the programme and its timeline", "Walk through the impact on their teams", "Agree abstraction for training",
            "Go-live readiness check-in", "Discuss concerns raised by the team", "Review the rollout plan for their area",
            "Brief on the new process", "Agree the cascade to their teams", "Demonstrate the new system", "Follow up on actions")
KEY_POINTS = ("Supportive of the aims; wants a clear date for training.", "Asked for the rota impact in numbers before agreeing abstraction.",
              "Happy with the plan; will cascade to team leaders.", "Wants early sight of the quick reference guides.",
              "Agreed a floor-walker at each station for the first week.", "Keen to pilot in their area.")
CONCERNS = ("Abstraction during the summer leave period.", "Overtime to cover training.", "Double keying during the transition.",
            "Whether the new system works on older devices.", "Workload of supervisors during go-live.", "Data migration of live cases.",
            "Consultation with staff associations.", "")
ATTENDEES = ("Programme change lead; business change manager.", "Change lead, the stakeholder and their deputy.",
             "Business change team, two team leaders.")

# Message templates by channel: (title, purpose).
MESSAGE_TEMPLATES: dict[str, tuple[tuple[str, str], ...]] = {
    Message.Channel.EMAIL: (("{code}: what changes and when", "Tell the wave's staff what changes on {wave_date}."),
                            ("{code}: book your training", "Get everyone booked onto training before go-live."),
                            ("{code}: go-live reminder", "Remind staff of the go-live date and where to get help.")),
    Message.Channel.INTRANET: (("{code}: programme update", "A monthly update on the intranet and Teams."),
                               ("{code}: questions and answers", "Answers to the questions raised in briefings.")),
    Message.Channel.BRIEFING: (("{code}: senior leaders' briefing", "Brief senior leaders before the wave."),
                               ("{code}: supervisors' briefing", "Brief supervisors on the new process and their role.")),
    Message.Channel.CASCADE: (("{code}: team meeting cascade", "Team leaders cascade the key messages in team meetings."),),
    Message.Channel.EVENT: (("{code}: drop-in session", "Drop-in session for questions and demonstrations."),
                            ("{code}: demonstration day", "Hands-on demonstration of the new system.")),
}
CHANNEL_WEIGHTS = {Message.Channel.EMAIL: 5, Message.Channel.INTRANET: 3, Message.Channel.BRIEFING: 3, Message.Channel.CASCADE: 2,
                   Message.Channel.EVENT: 2}
BODY = ("Dear {first_name},\n\n{purpose}\n\nYour unit, {unit}, goes live on {wave_date}. Your team leader has the details, "
        "and the programme's intranet page has the quick reference guides.\n\nThe {name} programme team")


def collision_week(today: dt.date) -> dt.date:
    """The Monday of the Central West collision week."""
    return today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=COLLISION_WEEKS_AHEAD)


def collision_unit() -> Unit | None:
    return Unit.objects.filter(name__contains=COLLISION_UNIT).order_by("depth", "path").first()


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), LONDON).astimezone(dt.UTC)


def _weekday(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=max(0, 7 - day.isoweekday() + 1)) if day.isoweekday() > 5 else day


# --------------------------------------------------------------------------
# The register


@dataclass
class _Register:
    """The stakeholders made so far, found again by what they stand for."""

    by_key: dict[tuple[object, ...], Stakeholder] = field(default_factory=dict)

    def get(self, key: tuple[object, ...], make: Stakeholder) -> Stakeholder:
        return self.by_key.setdefault(key, make)

    def save(self) -> None:
        Stakeholder.objects.bulk_create([s for s in self.by_key.values() if s.pk is None], batch_size=BATCH)


def _externals(register: _Register, actor: User | None) -> list[tuple[Stakeholder, tuple[int, int], tuple[int, int]]]:
    out = []
    for kind, name, organisation, role, influence, interest in EXTERNALS:
        slug = "".join(c for c in name.lower() if c.isalnum())[:24]
        stakeholder = register.get(("external", name), Stakeholder(
            kind=Stakeholder.Kind.GROUP if kind == "body" else Stakeholder.Kind.EXTERNAL,
            group_kind=Stakeholder.GroupKind.BODY if kind == "body" else "", name=name, organisation=organisation,
            role_title=role, email=f"{slug}@{EMAIL_DOMAIN}", created_by=actor))
        out.append((stakeholder, influence, interest))
    return out


def _programme_units(programme: Programme) -> list[Unit]:
    units: dict[int, Unit] = {}
    for wave in programme.waves.order_by("go_live_date", "pk").prefetch_related("units"):
        for unit in sorted(wave.units.all(), key=lambda u: u.path):
            units.setdefault(unit.pk, unit)
    return list(units.values())


def _groups(register: _Register, units: list[Unit], count: int, rng: random.Random, actor: User | None) -> list[Stakeholder]:
    """The waves' units and the units just below them, and role groups in them."""
    if not units:
        return []
    below = list(Unit.objects.filter(subtree_q([u.path for u in units])).exclude(pk__in=[u.pk for u in units])
                 .filter(depth__lte=max(u.depth for u in units) + 1).order_by("path"))
    candidates = units + rng.sample(below, min(len(below), max(0, count // 2 - len(units))))
    out: list[Stakeholder] = []
    for unit in candidates[: count // 2 + 1]:
        out.append(register.get(("unit", unit.pk), Stakeholder(kind=Stakeholder.Kind.GROUP, group_kind=Stakeholder.GroupKind.UNIT,
                                                               unit=unit, name=unit.name, created_by=actor)))
    for unit in units:
        for group in (RoleGroup.OFFICER, RoleGroup.STAFF):
            if len(out) >= count:
                break
            out.append(register.get(("role_group", unit.pk, group), Stakeholder(
                kind=Stakeholder.Kind.GROUP, group_kind=Stakeholder.GroupKind.ROLE_GROUP, unit=unit, role_group=group,
                name=f"{RoleGroup(group).label} in {unit.name}", created_by=actor)))
    return out[:count]


def _people(register: _Register, units: list[Unit], ranks: tuple[str, ...], count: int, today: dt.date, rng: random.Random,
            actor: User | None, exclude: tuple[Stakeholder, ...] = ()) -> list[Stakeholder]:
    """People of these ranks in the units (a person may be mapped by several programmes)."""
    if count <= 0:
        return []
    if not units:
        return []
    rows = list(Staff.objects.current(today).filter(subtree_q([u.path for u in units], "unit__path"), rank_grade__code__in=ranks)
                .exclude(pk__in=[s.staff_id for s in exclude]).order_by("pk").values_list("pk", "first_name", "last_name", "role", "unit_id"))
    chosen = rng.sample(rows, min(count, len(rows)))
    out = []
    for pk, first, last, role, unit_id in sorted(chosen):
        out.append(register.get(("staff", pk), Stakeholder(kind=Stakeholder.Kind.PERSON, staff_id=pk, name=f"{first} {last}",
                                                           role_title=role, known_unit_id=unit_id, created_by=actor)))
    return out


# --------------------------------------------------------------------------
# Assessments and engagements


@dataclass
class _Mapping:
    stakeholder: Stakeholder
    influence: int
    interest: int
    target: int
    start: int
    debt: bool = False


def _range(rng: random.Random, bounds: tuple[int, int]) -> int:
    return rng.randint(*bounds)


def _spread_quadrants(mappings: list[_Mapping], rng: random.Random) -> None:
    """Every quadrant of the grid (low is 1-2, high 4-5) holds someone."""
    quadrants = [(True, True), (True, False), (False, True), (False, False)]
    for high_influence, high_interest in quadrants:
        def inside(m: _Mapping, hi: bool = high_influence, hn: bool = high_interest) -> bool:
            return (m.influence >= 4 if hi else m.influence <= 2) and (m.interest >= 4 if hn else m.interest <= 2)
        if any(inside(m) for m in mappings) or not mappings:
            continue
        m = mappings[rng.randrange(len(mappings))]
        m.influence = rng.randint(4, 5) if high_influence else rng.randint(1, 2)
        m.interest = rng.randint(4, 5) if high_interest else rng.randint(1, 2)


def _mappings(externals: list[tuple[Stakeholder, tuple[int, int], tuple[int, int]]], groups: list[Stakeholder],
              senior: list[Stakeholder], leaders: list[Stakeholder], rng: random.Random) -> list[_Mapping]:
    out: list[_Mapping] = []
    for stakeholder, influence, interest in externals:
        out.append(_Mapping(stakeholder, _range(rng, influence), _range(rng, interest), 0, 0))
    for stakeholder in groups:
        unit_group = stakeholder.group_kind == Stakeholder.GroupKind.UNIT
        out.append(_Mapping(stakeholder, rng.randint(1, 3) if unit_group else rng.randint(2, 4), rng.randint(3, 5) if unit_group else rng.randint(2, 5), 0, 0))
    for stakeholder in senior:
        out.append(_Mapping(stakeholder, rng.randint(4, 5), rng.randint(2, 5), 0, 0))
    for stakeholder in leaders:
        out.append(_Mapping(stakeholder, rng.choice((2, 2, 3, 3, 4)), rng.randint(3, 5), 0, 0))
    _spread_quadrants(out, rng)
    for m in out:
        key = m.influence >= 4
        m.target = rng.choice((4, 4, 5)) if key else rng.choice((3, 4, 4))
        m.start = rng.choices([1, 2, 3, 4, 5], weights=[1, 3, 4, 3, 1])[0]
    key_behind = [m for m in out if m.influence >= 4]
    for m in rng.sample(key_behind, min(DEBT_PER_PROGRAMME, len(key_behind))):
        m.debt = True
        m.target = max(m.target, 4)
        m.start = min(m.start, m.target - 1)
    return out


def _engagements(assessment: StakeholderAssessment, mapping: _Mapping, owner: User | None, actor: User | None, today: dt.date,
                 debt_days: int, rng: random.Random) -> list[Engagement]:
    """Six months of engagements; sets the assessment's current position from the last change."""
    key = mapping.influence >= 4
    done_count = rng.randint(1, 4) if key else rng.choices([0, 1, 2, 3], weights=[3, 4, 2, 1])[0]
    if mapping.debt:
        earliest, latest = HISTORY_DAYS, debt_days + 7  # nothing done in the last debt_days
        done_count = rng.choice((0, 1, 1, 2))
    else:
        earliest, latest = HISTORY_DAYS, 1
    days_ago = sorted((rng.randint(latest, earliest) for _ in range(done_count)), reverse=True)
    behind = mapping.start < mapping.target
    if not mapping.debt and key and behind and (not days_ago or days_ago[-1] >= debt_days):
        days_ago.append(rng.randint(3, debt_days - 7))  # key and behind target: engaged recently
    position = mapping.start
    out: list[Engagement] = []
    for ago in days_ago:
        day = _weekday(today - dt.timedelta(days=ago))
        if day >= today:
            day = today - dt.timedelta(days=1)
        after = None
        roll = rng.random()
        ceiling = mapping.target - 1 if mapping.debt else 5
        if roll < 0.25 and position < ceiling:
            position += 1
            after = position
        elif roll > 0.95 and position > 1:
            position -= 1
            after = position
        planned = rng.random() < 0.8
        out.append(Engagement(
            assessment=assessment, purpose=rng.choice(PURPOSES), method=rng.choice(Engagement.Method.values),
            planned_on=day - dt.timedelta(days=rng.randint(0, 3)) if planned else None, owner=owner, status=Engagement.Status.DONE,
            happened_on=day, attendees=rng.choice(ATTENDEES), key_points=rng.choice(KEY_POINTS), concerns=rng.choice(CONCERNS),
            position_after=after, created_by=actor))
    assessment.current_position = position
    # Planned: one ahead for most, overdue for the debts and for some others, now and then cancelled.
    if mapping.debt and rng.random() < 0.6 or rng.random() < 0.08:
        out.append(Engagement(assessment=assessment, purpose=rng.choice(PURPOSES), method=rng.choice(Engagement.Method.values),
                              planned_on=_weekday(today - dt.timedelta(days=rng.randint(7, 30))), owner=owner, created_by=actor))
    if rng.random() < (0.7 if key else 0.4):
        out.append(Engagement(assessment=assessment, purpose=rng.choice(PURPOSES), method=rng.choice(Engagement.Method.values),
                              planned_on=_weekday(today + dt.timedelta(days=rng.randint(2, 60))), owner=owner, created_by=actor))
    if rng.random() < 0.05:
        out.append(Engagement(assessment=assessment, purpose=rng.choice(PURPOSES), method=rng.choice(Engagement.Method.values),
                              planned_on=_weekday(today - dt.timedelta(days=rng.randint(10, 120))), owner=owner,
                              status=Engagement.Status.CANCELLED, created_by=actor))
    return out


# --------------------------------------------------------------------------
# The comms plan


@dataclass
class _PlannedMessage:
    message: Message
    rules: list[AudienceRule]
    recipients: bool = False  # a small sent email: write its deliveries


def _status(day: dt.date, today: dt.date, rng: random.Random) -> str:
    if day < today:
        return Message.Status.CANCELLED if rng.random() < 0.08 else Message.Status.SENT
    ahead = (day - today).days
    if ahead <= 14:
        return rng.choice((Message.Status.APPROVED, Message.Status.APPROVED, Message.Status.FOR_APPROVAL))
    if ahead <= 45:
        return rng.choice((Message.Status.APPROVED, Message.Status.FOR_APPROVAL, Message.Status.DRAFT))
    return rng.choice((Message.Status.DRAFT, Message.Status.DRAFT, Message.Status.FOR_APPROVAL))


def _message(programme: Programme, *, title: str, purpose: str, channel: str, day: dt.date, status: str, wave: RolloutWave | None,
             owner: User | None, actor: User | None, rng: random.Random) -> Message:
    message = Message(programme=programme, title=title[:200], purpose=purpose[:300], channel=channel, planned_on=day, status=status,
                      rollout_wave=wave, owner=owner, created_by=actor, uid=uuid.UUID(int=rng.getrandbits(128), version=4))
    if channel in (Message.Channel.BRIEFING, Message.Channel.EVENT):
        hour = rng.choice((9, 10, 14))
        message.starts_at, message.ends_at = _at(day, hour), _at(day, hour + 1, 30 if channel == Message.Channel.EVENT else 0)
        message.location = rng.choice(("Microsoft Teams", "Briefing room, New Scotland Yard", "Lecture theatre, Hendon Peel Centre",
                                       "Conference room, Empress State Building"))
    if message.sends_email:
        message.subject = title[:200]
        message.body = BODY.format(first_name="{first_name}", purpose=purpose, unit="{unit}", wave_date="{wave_date}", name=programme.name)
    if status != Message.Status.DRAFT:
        message.submitted_by = owner or actor
    if status in (Message.Status.APPROVED, Message.Status.SENT) or (status == Message.Status.CANCELLED and rng.random() < 0.5):
        message.approved_by = actor or owner
        message.approved_at = _at(day - dt.timedelta(days=rng.randint(3, 10)), 11)
    if status == Message.Status.SENT:
        message.sent_at = _at(day, 9)
    return message


@dataclass
class _Context:
    programme: Programme
    waves: list[RolloutWave]
    wave_units: dict[int, list[Unit]]
    lines: list[ImpactLine]
    assessment: ImpactAssessment | None
    bodies: list[Stakeholder]
    senior: list[Stakeholder]


def _audience(ctx: _Context, wave: RolloutWave | None, rng: random.Random) -> list[AudienceRule]:
    units = ctx.wave_units.get(wave.pk, []) if wave else []
    lines = [line for line in ctx.lines if wave is None or line.wave_id == wave.pk] or ctx.lines
    options = ["unit", "role_group", "impact_line", "stakeholder"] + (["assessment"] if ctx.assessment else [])
    choice = rng.choices(options, weights=[4, 3, 4, 1, 1][: len(options)])[0]
    if choice == "impact_line" and lines:
        return [AudienceRule(kind=AudienceRule.Kind.IMPACT_LINE, impact_line=rng.choice(lines))]
    if choice == "assessment" and ctx.assessment:
        return [AudienceRule(kind=AudienceRule.Kind.ASSESSMENT, impact_assessment=ctx.assessment)]
    if choice == "stakeholder" and ctx.bodies:
        return [AudienceRule(kind=AudienceRule.Kind.STAKEHOLDER, stakeholder=s) for s in rng.sample(ctx.bodies, min(2, len(ctx.bodies)))]
    if not units:
        return [AudienceRule(kind=AudienceRule.Kind.IMPACT_LINE, impact_line=rng.choice(lines))] if lines else []
    if choice == "role_group":
        return [AudienceRule(kind=AudienceRule.Kind.ROLE_GROUP, unit=unit, role_group=rng.choice((RoleGroup.OFFICER, RoleGroup.STAFF)))
                for unit in rng.sample(units, min(2, len(units)))]
    return [AudienceRule(kind=AudienceRule.Kind.UNIT, unit=unit) for unit in rng.sample(units, min(3, len(units)))]


def _calendar(ctx: _Context, count: int, today: dt.date, owner: User | None, actor: User | None, rng: random.Random,
              reaches: Callable[[list[AudienceRule]], bool]) -> list[_PlannedMessage]:
    out: list[_PlannedMessage] = []
    days = sorted(_weekday(today + dt.timedelta(days=rng.randint(-120, 120))) for _ in range(count))
    channels = list(CHANNEL_WEIGHTS)
    for day in days:
        channel = rng.choices(channels, weights=list(CHANNEL_WEIGHTS.values()))[0]
        title, purpose = rng.choice(MESSAGE_TEMPLATES[channel])
        upcoming = [w for w in ctx.waves if w.go_live_date >= day]
        wave = upcoming[0] if upcoming else (ctx.waves[-1] if ctx.waves else None)
        wave_date = f"{wave.go_live_date:%-d %B %Y}" if wave else "the go-live date"
        name = f"{title.format(code=ctx.programme.code)}" + (f" ({wave.name.split(' – ')[0]})" if wave else "")
        message = _message(ctx.programme, title=name, purpose=purpose.format(wave_date=wave_date), channel=channel, day=day,
                           status=_status(day, today, rng), wave=wave, owner=owner, actor=actor, rng=rng)
        rules = _audience(ctx, wave, rng)
        for _ in range(3):  # an audience nobody is in (a role no one holds at this scale): choose again
            if reaches(rules):
                break
            rules = _audience(ctx, wave, rng)
        out.append(_PlannedMessage(message, rules))
    # A small sent email to senior stakeholders and the staff associations, with its deliveries.
    people = ctx.senior[:6]
    if people and ctx.programme.code in SMALL_SENT:
        day = _weekday(today - dt.timedelta(days=rng.randint(5, 20)))
        message = _message(ctx.programme, title=f"{ctx.programme.code}: update for senior stakeholders",
                           purpose="A monthly update for the programme's senior stakeholders.", channel=Message.Channel.EMAIL, day=day,
                           status=Message.Status.SENT, wave=ctx.waves[0] if ctx.waves else None, owner=owner, actor=actor, rng=rng)
        rules = [AudienceRule(kind=AudienceRule.Kind.STAKEHOLDER, stakeholder=s) for s in people + ctx.bodies[:1]]
        out.append(_PlannedMessage(message, rules, recipients=True))
    return out


SMALL_SENT = ("CMS", "ROTA")
# The collision week: (programme, channel, title, weekday, status, audience: "line" for the CMS pilot's
# whole-unit impact line, else "unit").
COLLISION: tuple[tuple[str, str, str, int, str, str], ...] = (
    ("CMS", Message.Channel.BRIEFING, "CMS: Central West pilot go-live briefing", 1, Message.Status.APPROVED, "line"),
    ("CMS", Message.Channel.EMAIL, "CMS: your training and go-live dates, Central West pilot", 2, Message.Status.APPROVED, "unit"),
    ("ROTA", Message.Channel.CASCADE, "ROTA: duty planning changes, team meeting cascade", 2, Message.Status.APPROVED, "unit"),
    ("SSS", Message.Channel.INTRANET, "SSS: self-service for Central West and Central South", 3, Message.Status.FOR_APPROVAL, "unit"),
)


def _collision(contexts: dict[str, _Context], owners: dict[int, User | None], today: dt.date, actor: User | None,
               rng: random.Random) -> list[_PlannedMessage]:
    unit = collision_unit()
    if unit is None:
        return []
    monday = collision_week(today)
    out = []
    for code, channel, title, weekday, status, audience in COLLISION:
        ctx = contexts.get(code)
        if ctx is None:
            continue
        reaching = [w for w in ctx.waves if any(unit.path.startswith(u.path) or u.path.startswith(unit.path) for u in ctx.wave_units[w.pk])]
        wave = reaching[0] if reaching else None
        message = _message(ctx.programme, title=title, purpose="Prepare Central West's teams for the change.", channel=channel,
                           day=monday + dt.timedelta(days=weekday), status=status, wave=wave, owner=owners[ctx.programme.pk],
                           actor=actor, rng=rng)
        rules: list[AudienceRule] = []
        if audience == "line":
            line = next((ln for ln in ctx.lines if not ln.roles and any(u.pk == unit.pk for u in ln.units.all())), None)
            if line is not None:
                rules = [AudienceRule(kind=AudienceRule.Kind.IMPACT_LINE, impact_line=line)]
        if not rules:
            rules = [AudienceRule(kind=AudienceRule.Kind.UNIT, unit=unit)]
        out.append(_PlannedMessage(message, rules))
    return out


class ReachIndex:
    """Every message's reach from one read of the staff in post: the same
    answer as `audience.reach_refresh` (a test holds them equal), without
    one resolution query per message (the met comms plans are 300 messages
    over 45,000 staff)."""

    def __init__(self, day: dt.date) -> None:
        self.unit_of: dict[int, int] = {}
        self.by_path: dict[str, set[int]] = defaultdict(set)
        self.by_kind: dict[str | None, set[int]] = defaultdict(set)
        self.by_role: dict[str, set[int]] = defaultdict(set)
        self.by_rank: dict[int | None, set[int]] = defaultdict(set)
        rows = Staff.objects.current(day).values_list("pk", "unit_id", "unit__path", "role", "rank_grade_id", "rank_grade__kind")
        for pk, unit_id, path, role, rank_id, kind in rows.iterator(chunk_size=BATCH):
            self.unit_of[pk] = unit_id
            self.by_path[path].add(pk)
            self.by_kind[kind].add(pk)
            self.by_role[role].add(pk)
            self.by_rank[rank_id].add(pk)
        self._subtrees: dict[str, frozenset[int]] = {}
        self._lines: dict[int, frozenset[int]] = {}

    def subtree(self, path: str) -> frozenset[int]:
        if path not in self._subtrees:
            self._subtrees[path] = frozenset().union(*(ids for p, ids in self.by_path.items() if p.startswith(path)))
        return self._subtrees[path]

    def role_group(self, group: str) -> set[int]:
        known = [g for g in RoleGroup.values if g != RoleGroup.UNKNOWN]
        if group == RoleGroup.UNKNOWN:
            return set().union(*(ids for kind, ids in self.by_kind.items() if kind not in known))
        return self.by_kind.get(group, set())

    def group(self, unit: Unit | None, role_group: str) -> set[int]:
        ids = set(self.subtree(unit.path)) if unit is not None else set(self.unit_of)
        return ids & self.role_group(role_group) if role_group else ids

    def line(self, line: ImpactLine) -> frozenset[int]:
        if line.pk not in self._lines:
            ids: set[int] = set().union(*(self.subtree(u.path) for u in line.units.all()))
            if line.roles:
                ids &= set().union(*(self.by_role.get(r, set()) for r in line.roles))
            ranks = [r.pk for r in line.rank_grades.all()]
            if ranks:
                ids &= set().union(*(self.by_rank.get(r, set()) for r in ranks))
            self._lines[line.pk] = frozenset(ids)
        return self._lines[line.pk]

    def reach(self, rules: list[AudienceRule], lines_of: dict[int, list[ImpactLine]]) -> tuple[int, Counter[int]] | None:
        """(audience size, headcount per unit id), or None for a rule it does not know (champions)."""
        ids: set[int] = set()
        contacts: set[tuple[int, str, str]] = set()
        kinds = AudienceRule.Kind
        for rule in rules:
            if rule.kind == kinds.UNIT:
                ids |= self.group(rule.unit, rule.role_group) if rule.unit is not None else set()
            elif rule.kind == kinds.ROLE_GROUP:
                ids |= self.group(rule.unit, rule.role_group)
            elif rule.kind == kinds.IMPACT_LINE:
                ids |= self.line(rule.impact_line) if rule.impact_line is not None else set()
            elif rule.kind == kinds.ASSESSMENT:
                for line in lines_of.get(rule.impact_assessment_id or 0, []):
                    ids |= self.line(line)
            elif rule.kind == kinds.STAKEHOLDER and rule.stakeholder is not None:
                s = rule.stakeholder
                if not s.active:
                    continue
                if s.kind == Stakeholder.Kind.PERSON:
                    ids |= {s.staff_id} & self.unit_of.keys() if s.staff_id else set()
                elif s.kind == Stakeholder.Kind.GROUP and s.group_kind in (Stakeholder.GroupKind.UNIT, Stakeholder.GroupKind.ROLE_GROUP):
                    ids |= self.group(s.unit, s.role_group)
                elif s.email:
                    contacts.add((s.pk, s.display_name, s.email))
            else:
                return None
        per_unit: Counter[int] = Counter(self.unit_of[i] for i in ids)
        return len(ids) + len(contacts), per_unit


def _personal(text: str, first: str, last: str, unit: str, wave_date: str) -> str:
    return text.replace("{first_name}", first).replace("{last_name}", last).replace("{unit}", unit).replace("{wave_date}", wave_date)


def _deliveries(message: Message, today: dt.date) -> int:
    """A Recipient and a sent outbox message per person of a small sent email."""
    wave_date = f"{message.rollout_wave.go_live_date:%-d %B %Y}" if message.rollout_wave else ""
    sent = message.sent_at or _at(today, 9)
    rows: list[tuple[Recipient, OutboxMessage]] = []
    for staff in audience_staff(message, today).select_related("unit").order_by("pk"):
        if not staff.email:
            continue
        key = f"eng-{message.pk}-{Recipient.Kind.MESSAGE}-0-{staff.pk}"
        rows.append((Recipient(message=message, staff=staff, unit=staff.unit),
                     OutboxMessage(key=key, kind=OUTBOX_KIND, to_address=staff.email, subject=message.subject,
                                   body=_personal(message.body, staff.first_name, staff.last_name, staff.unit.name, wave_date),
                                   status=OutboxMessage.Status.SENT, attempts=1, next_attempt_at=sent, sent_at=sent)))
    _, contacts = audience_q(message, today)
    for contact in contacts:
        key = f"eng-{message.pk}-{Recipient.Kind.MESSAGE}-0-s{contact.stakeholder_id}"
        rows.append((Recipient(message=message, stakeholder_id=contact.stakeholder_id),
                     OutboxMessage(key=key, kind=OUTBOX_KIND, to_address=contact.email, subject=message.subject,
                                   body=_personal(message.body, contact.name, "", "", wave_date), status=OutboxMessage.Status.SENT,
                                   attempts=1, next_attempt_at=sent, sent_at=sent)))
    outbox = OutboxMessage.objects.bulk_create([o for _, o in rows])
    for (recipient, _), row in zip(rows, outbox, strict=True):
        recipient.outbox = row
    Recipient.objects.bulk_create([r for r, _ in rows])
    return len(rows)


# --------------------------------------------------------------------------
# Entry points


def clear_engagement_data() -> dict[str, int]:
    """Delete the register, assessments, engagements, comms plans (with their
    rules, reach and recipients) and the engagement emails in the outbox. The
    policy stays."""
    counts = {"stakeholders": Stakeholder.objects.count(), "engagement_messages": Message.objects.count()}
    Recipient.objects.all().delete()
    OutboxMessage.objects.filter(kind__startswith="engagement").delete()
    MessageReach.objects.all().delete()
    AudienceRule.objects.all().delete()
    Message.objects.all().delete()
    Engagement.objects.all().delete()
    StakeholderAssessment.objects.all().delete()
    Stakeholder.objects.all().delete()
    return counts


def seed_engagement(*, scale: str, seed: int, actor: User | None = None, today: dt.date | None = None) -> dict[str, int]:
    """The register, engagements and comms plans for every programme (see the
    module docstring). Call after the impacts and demo accounts."""
    day = today or timezone.localdate()
    rng = random.Random(f"engagement:{seed}")
    policy = EngagementPolicy.current()
    programmes = list(Programme.objects.select_related("change_lead").order_by("code"))
    if not programmes:
        return {}
    register = _Register()
    externals = _externals(register, actor)
    owners: dict[int, User | None] = {p.pk: p.change_lead for p in programmes}
    plans: list[tuple[Programme, list[_Mapping]]] = []
    contexts: dict[str, _Context] = {}
    n_external, n_groups, n_senior, n_leaders = SHARE
    lines_by_programme: dict[int, list[ImpactLine]] = defaultdict(list)
    for line in ImpactLine.objects.filter(assessment__status=ImpactAssessment.Status.APPROVED).select_related("assessment") \
            .prefetch_related("units", "rank_grades").order_by("pk"):
        lines_by_programme[line.assessment.programme_id].append(line)
    assessments = {a.programme_id: a for a in ImpactAssessment.objects.filter(status=ImpactAssessment.Status.APPROVED).order_by("pk")}
    for programme in programmes:
        units = _programme_units(programme)
        # Senior people: above and in the waves' units (the commands and BCUs they report into).
        tops = sorted({u.path[: 3 * Unit.steplen] if u.depth > 3 else u.path for u in units})
        above = list(Unit.objects.filter(path__in=tops).order_by("path"))
        chosen = [e for e in externals if e[0].group_kind == Stakeholder.GroupKind.BODY][:2]
        chosen += rng.sample([e for e in externals if e not in chosen], n_external - len(chosen))
        groups = _groups(register, units, n_groups, rng, actor)
        senior = _people(register, above or units, SENIOR_RANKS, n_senior, day, rng, actor)
        leaders = _people(register, units, LEADER_RANKS, n_leaders + n_senior - len(senior), day, rng, actor)
        # A small programme (a few teams at demo scale): more leaders from the business groups above.
        groups_above = list(Unit.objects.filter(path__in=sorted({u.path[: 2 * Unit.steplen] for u in units})).order_by("path"))
        leaders += _people(register, groups_above or units, LEADER_RANKS + SENIOR_RANKS, n_leaders + n_senior - len(senior) - len(leaders),
                           day, rng, actor, exclude=(*senior, *leaders))
        plans.append((programme, _mappings(chosen, groups, senior, leaders, rng)))
        waves = list(programme.waves.order_by("go_live_date", "pk").prefetch_related("units"))
        contexts[programme.code] = _Context(
            programme, waves, {w.pk: sorted(w.units.all(), key=lambda u: u.path) for w in waves}, lines_by_programme[programme.pk],
            assessments.get(programme.pk), [s for s, _, _ in chosen if s.kind == Stakeholder.Kind.GROUP], senior)
    register.save()

    # Assessments and their engagements.
    rows: list[StakeholderAssessment] = []
    engagements: list[tuple[StakeholderAssessment, list[Engagement]]] = []
    for programme, mappings in plans:
        owner = owners[programme.pk]
        for m in mappings:
            assessment = StakeholderAssessment(
                stakeholder=m.stakeholder, programme=programme, influence=m.influence, interest=m.interest,
                impact_judgement=rng.randint(1, 5) if m.stakeholder.kind == Stakeholder.Kind.GROUP and rng.random() < 0.5 else None,
                target_position=m.target, owner=owner,
                notes="Behind target and overdue for contact." if m.debt else "")
            engagements.append((assessment, _engagements(assessment, m, owner, actor, day, policy.debt_days, rng)))
            rows.append(assessment)
    StakeholderAssessment.objects.bulk_create(rows, batch_size=BATCH)
    flat: list[Engagement] = []
    for assessment, items in engagements:
        for item in items:
            item.assessment = assessment
            flat.append(item)
    Engagement.objects.bulk_create(flat, batch_size=BATCH)

    # Comms plans, the collision week, reach and the small sent emails' deliveries.
    low, high = MESSAGES.get(scale, MESSAGES_DEFAULT)
    index = ReachIndex(day)
    lines_of: dict[int, list[ImpactLine]] = defaultdict(list)
    for programme_lines in lines_by_programme.values():
        for line in programme_lines:
            lines_of[line.assessment_id].append(line)

    def reaches_anyone(rules: list[AudienceRule]) -> bool:
        reach = index.reach(rules, lines_of)
        return reach is None or reach[0] > 0

    planned: list[_PlannedMessage] = []
    for programme in programmes:
        planned += _calendar(contexts[programme.code], rng.randint(low, high), day, owners[programme.pk], actor, rng, reaches_anyone)
    planned += _collision(contexts, owners, day, actor, rng)
    reaches = [index.reach(p.rules, lines_of) for p in planned]
    for p, reach in zip(planned, reaches, strict=True):
        p.message.audience_size = reach[0] if reach else 0
    Message.objects.bulk_create([p.message for p in planned], batch_size=BATCH)
    rules = []
    for p in planned:
        for rule in p.rules:
            rule.message = p.message
            rules.append(rule)
    AudienceRule.objects.bulk_create(rules, batch_size=BATCH)
    MessageReach.objects.bulk_create(
        [MessageReach(message=p.message, unit_id=unit_id, headcount=n) for p, reach in zip(planned, reaches, strict=True) if reach
         for unit_id, n in sorted(reach[1].items())], batch_size=BATCH)
    for p, reach in zip(planned, reaches, strict=True):
        if reach is None:  # a rule the index does not resolve: the service's own resolution
            reach_refresh(p.message, day)
    recipients = sum(_deliveries(p.message, day) for p in planned if p.recipients)
    return {
        "stakeholders": len(register.by_key),
        "stakeholder_assessments": len(rows),
        "engagements": len(flat),
        "engagement_messages": len(planned),
        "engagement_recipients": recipients,
    }


def key_debt_q(today: dt.date, debt_days: int, key_threshold: int) -> Q:
    """Assessments in engagement debt as the seed means it (for its tests and
    the demo notes): influence at or above the key threshold, behind target,
    no engagement done since `today - debt_days`."""
    since = today - dt.timedelta(days=debt_days)
    recent = Engagement.objects.filter(status=Engagement.Status.DONE, happened_on__gt=since).values("assessment_id")
    return Q(influence__gte=key_threshold, current_position__lt=F("target_position")) & ~Q(pk__in=recent)
