"""Audience resolution against the hand-worked organisation in
`messages_data` (subtrees, role groups including "not recorded", impact
lines with roles and ranks, an assessment's lines, stakeholders as a person,
a group and an external contact, leavers and starters out on the day, a
mover counted in the new unit, the union without double counting, the
the registered champions), and `reach_refresh`'s counts per unit."""

from __future__ import annotations

from typing import Any

import pytest

from changeboard.organisation.models import Staff

from ..models import AudienceRule, Message, MessageReach
from ..services import audience
from ..services.messages import audience_rule_add
from .messages_data import Comms


@pytest.fixture
def c(world: Any) -> Comms:
    return Comms(world)


def add(c: Comms, message: Message, kind: str, **target: Any) -> None:
    audience_rule_add(message=message, kind=kind, actor=c.world.users["lead"], **target)


def people(message: Message) -> set[Staff]:
    return set(audience.audience_staff(message))


def test_a_unit_reaches_everyone_in_post_at_or_below_it(c: Comms) -> None:
    w = c.world
    m = c.message()
    add(c, m, "unit", unit=w.westminster)
    assert people(m) == {w.staff_in, c.west_pc, c.west_band, c.team_none, c.team_sc, c.mover}
    m.refresh_from_db()
    assert m.audience_size == 6
    # The leaver (leaves today), the flagged leaver and tomorrow's starter are out; Camden is a sibling.
    assert not people(m) & {c.leaver, c.flagged, c.starter, w.staff_out}


def test_a_unit_within_a_role_group(c: Comms) -> None:
    m = c.message()
    add(c, m, "unit", unit=c.world.westminster, role_group="officer")
    assert people(m) == {c.world.staff_in, c.west_pc, c.mover}


@pytest.mark.parametrize(("group", "within", "expected"), [
    ("unknown", None, {"team_none"}),
    ("other", "central_west", {"team_sc"}),
    ("staff", None, {"west_band"}),
    ("officer", "team", {"staff_in", "mover"}),
    ("officer", "camden", {"staff_out"}),
])
def test_role_groups_force_wide_or_within_a_unit(c: Comms, group: str, within: str | None, expected: set[str]) -> None:
    m = c.message()
    add(c, m, "role_group", role_group=group, unit=getattr(c.world, within) if within else None)
    named = {name: getattr(c, name, None) or getattr(c.world, name) for name in expected}
    assert people(m) == set(named.values())


def test_an_impact_line_with_roles_and_one_with_ranks(c: Comms) -> None:
    custody, response = c.message(), c.message()
    add(c, custody, "impact_line", impact_line=c.custody)
    add(c, response, "impact_line", impact_line=c.response)
    assert people(custody) == {c.west_pc, c.west_band}
    assert people(response) == {c.world.staff_in, c.mover}  # PCs only: not the SC, not the unrecorded, not the leaver


def test_an_assessment_is_the_union_of_its_lines(c: Comms) -> None:
    m = c.message()
    add(c, m, "assessment", impact_assessment=c.assessment)
    assert people(m) == {c.west_pc, c.west_band, c.world.staff_in, c.mover}


def test_stakeholders_person_group_and_external(c: Comms) -> None:
    m = c.message()
    add(c, m, "stakeholder", stakeholder=c.person)
    add(c, m, "stakeholder", stakeholder=c.officers_west)
    add(c, m, "stakeholder", stakeholder=c.external)
    add(c, m, "stakeholder", stakeholder=c.federation)
    assert people(m) == {c.west_pc, c.world.staff_in, c.mover}
    size, per_unit, contacts = audience.audience_counts(m)
    assert [x.stakeholder_id for x in contacts] == sorted([c.external.pk, c.federation.pk])
    assert size == 3 + 2
    assert sum(per_unit.values()) == 3


def test_a_person_stakeholder_who_left_is_out(c: Comms) -> None:
    m = c.message()
    add(c, m, "stakeholder", stakeholder=c.person)
    assert people(m) == {c.west_pc}
    Staff.objects.filter(pk=c.west_pc.pk).update(is_leaver=True)
    assert people(m) == set()
    assert audience.reach_refresh(m) == 0


def test_the_union_counts_each_person_once(c: Comms) -> None:
    m = c.message()
    add(c, m, "unit", unit=c.world.team)
    add(c, m, "impact_line", impact_line=c.response)
    add(c, m, "role_group", role_group="officer", unit=c.world.westminster)
    m.refresh_from_db()
    assert people(m) == {c.world.staff_in, c.team_none, c.team_sc, c.mover, c.west_pc}
    assert m.audience_size == 5


def test_reach_per_unit_counts_a_mover_in_the_new_unit(c: Comms) -> None:
    w = c.world
    m = c.message()
    add(c, m, "unit", unit=w.frontline)
    reach = dict(MessageReach.objects.filter(message=m).values_list("unit_id", "headcount"))
    assert reach == {w.team.pk: 4, w.westminster.pk: 2, w.camden.pk: 1}
    # The mover moves back to Camden: the next refresh follows.
    Staff.objects.filter(pk=c.mover.pk).update(unit=w.camden)
    assert audience.reach_refresh(m) == 7
    reach = dict(MessageReach.objects.filter(message=m).values_list("unit_id", "headcount"))
    assert reach == {w.team.pk: 3, w.westminster.pk: 2, w.camden.pk: 2}


def test_leavers_are_out_on_the_day_they_leave_not_before(c: Comms) -> None:
    m = c.message()
    add(c, m, "unit", unit=c.world.team)
    yesterday = c.today.fromordinal(c.today.toordinal() - 1)
    assert c.leaver in set(audience.audience_staff(m, yesterday))
    assert c.leaver not in set(audience.audience_staff(m, c.today))


def test_with_no_champion_provider_the_champions_rule_reaches_nobody(c: Comms, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audience, "_champion_providers", [])
    a = c.message()
    add(c, a, "champions")
    assert people(a) == set()


def test_a_registered_champion_provider_says_who_the_champions_are(c: Comms, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db.models import Q

    monkeypatch.setattr(audience, "_champion_providers", [])
    audience.register_champion_provider(lambda programme, day: Q(pk=c.team_sc.pk))
    m = c.message()
    add(c, m, "champions")
    assert people(m) == {c.team_sc}


def test_an_empty_rule_never_means_everyone(c: Comms) -> None:
    """Rows written around the service (an old import, a bad edit) with no
    target resolve to nobody, not the whole force."""
    m = c.message()
    AudienceRule.objects.create(message=m, kind="role_group")
    AudienceRule.objects.create(message=m, kind="unit")
    AudienceRule.objects.create(message=m, kind="impact_line")
    assert people(m) == set()
    assert audience.reach_refresh(m) == 0
    from ..models import Stakeholder

    empty_group = Stakeholder.objects.create(kind=Stakeholder.Kind.GROUP, group_kind=Stakeholder.GroupKind.UNIT, name="Nothing")
    AudienceRule.objects.create(message=m, kind="stakeholder", stakeholder=empty_group)
    assert audience.reach_refresh(m) == 0


def test_inactive_stakeholders_reach_nobody(c: Comms) -> None:
    m = c.message()
    add(c, m, "stakeholder", stakeholder=c.officers_west)
    type(c.officers_west).objects.filter(pk=c.officers_west.pk).update(active=False)
    assert audience.reach_refresh(m) == 0
