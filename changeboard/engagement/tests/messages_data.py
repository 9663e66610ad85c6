"""A hand-worked organisation for the comms plan's tests, on top of the
shared `world` (Test Force > Frontline > Central West BCU > Westminster >
Response Team 1; North BCU > Camden):

| who        | unit          | rank or grade     | note                        |
|------------|---------------|-------------------|-----------------------------|
| staff_in   | Response Team | PC (officer)      | the world's                 |
| staff_out  | Camden        | PC (officer)      | the world's                 |
| west_pc    | Westminster   | PS (officer)      | role "Custody sergeant"     |
| west_band  | Westminster   | BAND-D (staff)    | role "Custody sergeant"     |
| team_none  | Response Team | none recorded     |                             |
| team_sc    | Response Team | SC (other)        |                             |
| leaver     | Response Team | PC                | leaves today: out           |
| flagged    | Westminster   | PC                | marked a leaver: out        |
| starter    | Westminster   | PC                | starts tomorrow: out        |
| mover      | Camden, moved | PC                | moved to Response Team      |

Programme A (Central West goes live) has an approved assessment with two
lines: "Custody" (Westminster, role Custody sergeant) and "Response"
(Response Team 1, PC only); a draft assessment with one line over the whole
force; programme B an approved assessment over Camden.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from changeboard.accounts.models import Role
from changeboard.conftest import make_staff, make_user
from changeboard.impacts.models import ImpactAssessment, ImpactLine
from changeboard.organisation.models import RankGrade

from ..models import Message, Stakeholder, StakeholderAssessment
from ..services.messages import audience_rule_add, message_create

APPROVED = ImpactAssessment.Status.APPROVED


def rank(code: str) -> RankGrade:
    return RankGrade.objects.get(code=code)


class Comms:
    def __init__(self, world: Any) -> None:
        self.world = w = world
        today = timezone.localdate()
        self.today = today
        self.west_pc = make_staff("300001", w.westminster, rank_grade=rank("PS"), role="Custody sergeant", first_name="Cara")
        self.west_band = make_staff("300002", w.westminster, rank_grade=rank("BAND-D"), role="Custody sergeant", first_name="Dev")
        self.team_none = make_staff("300003", w.team, rank_grade=None, first_name="Eli")
        self.team_sc = make_staff("300004", w.team, rank_grade=rank("SC"), first_name="Fay")
        self.leaver = make_staff("300005", w.team, leave_date=today, first_name="Gus")
        self.flagged = make_staff("300006", w.westminster, is_leaver=True, first_name="Hal")
        self.starter = make_staff("300007", w.westminster, start_date=today + dt.timedelta(days=1), first_name="Ida")
        self.mover = make_staff("300008", w.camden, first_name="Jo")
        self.mover.unit = w.team
        self.mover.save()
        self.lead_a2 = make_user("lead_a2", Role.CHANGE_MANAGER, programmes=[w.programme_a])
        # Programme A's approved assessment and its lines.
        self.assessment = ImpactAssessment.objects.create(programme=w.programme_a, title="Custody and response", status=APPROVED)
        self.custody = ImpactLine.objects.create(assessment=self.assessment, title="Custody", severity=3, roles=["Custody sergeant"])
        self.custody.units.set([w.westminster])
        self.response = ImpactLine.objects.create(assessment=self.assessment, title="Response", severity=2)
        self.response.units.set([w.team])
        self.response.rank_grades.set([rank("PC")])
        self.draft = ImpactAssessment.objects.create(programme=w.programme_a, title="Draft thoughts")
        self.draft_line = ImpactLine.objects.create(assessment=self.draft, title="Everyone", severity=1)
        self.draft_line.units.set([w.root])
        self.assessment_b = ImpactAssessment.objects.create(programme=w.programme_b, title="Case files", status=APPROVED)
        self.line_b = ImpactLine.objects.create(assessment=self.assessment_b, title="Camden files", severity=2)
        self.line_b.units.set([w.camden])
        # Stakeholders mapped to programme A.
        self.person = Stakeholder.objects.create(kind=Stakeholder.Kind.PERSON, staff=self.west_pc)
        self.external = Stakeholder.objects.create(kind=Stakeholder.Kind.EXTERNAL, name="Pat Partner", organisation="CPS",
                                                   email="pat@cps.example")
        self.federation = Stakeholder.objects.create(kind=Stakeholder.Kind.GROUP, group_kind=Stakeholder.GroupKind.BODY,
                                                     name="Police Federation", email="fed@example.org")
        self.officers_west = Stakeholder.objects.create(kind=Stakeholder.Kind.GROUP, group_kind=Stakeholder.GroupKind.ROLE_GROUP,
                                                        name="Westminster officers", unit=w.westminster, role_group="officer")
        self.unmapped = Stakeholder.objects.create(kind=Stakeholder.Kind.EXTERNAL, name="Nobody Mapped", email="n@example.org")
        for s in (self.person, self.external, self.federation, self.officers_west):
            StakeholderAssessment.objects.create(stakeholder=s, programme=w.programme_a, influence=4, interest=4)

    def message(self, **fields: Any) -> Message:
        defaults: dict[str, Any] = {"title": "Custody briefing", "channel": Message.Channel.INTRANET, "planned_on": dt.date(2027, 2, 10)}
        defaults.update(fields)
        programme = defaults.pop("programme", self.world.programme_a)
        return message_create(programme=programme, actor=self.world.users["lead"], **defaults)

    def event(self, **fields: Any) -> Message:
        london = timezone.get_current_timezone()
        defaults: dict[str, Any] = {
            "title": "Custody briefing", "channel": Message.Channel.EVENT, "planned_on": dt.date(2027, 2, 10),
            "starts_at": dt.datetime(2027, 2, 10, 9, 0, tzinfo=london), "ends_at": dt.datetime(2027, 2, 10, 10, 0, tzinfo=london),
            "location": "Westminster briefing room", "subject": "Custody changes", "body": "Dear {first_name}, see you there.",
        }
        defaults.update(fields)
        return self.message(**defaults)

    def with_line(self, message: Message) -> Message:
        audience_rule_add(message=message, kind="impact_line", impact_line=self.custody, actor=self.world.users["lead"])
        message.refresh_from_db()
        return message
