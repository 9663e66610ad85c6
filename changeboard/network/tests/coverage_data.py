"""A small hand-worked organisation for the coverage tests.

On top of the shared `world` (Test Force > Frontline Policing > Central West
BCU > Westminster > Response Team 1; North BCU > Camden) and a unit nobody's
impact assessment reaches (Test Force > Specialist Operations):

    staff                 unit          site           shift  group    notes
    W1 Wren               Westminster   Charing Cross  Night  officer  nominated champion for A (not counted)
    W2 Ash                Westminster   Charing Cross  Night  officer  ended champion for A (not counted)
    W3 Birch, W4 Cedar    Westminster   Charing Cross  Night  officer
    W5 Leaver             Westminster   Charing Cross  Night  officer  a leaver, "active" champion for A (not counted)
    W6 Dale               Westminster   Charing Cross  Day    staff    active champion for A, looks after Westminster
    W7 Elm                Westminster   Charing Cross  Day    staff
    Alex Inscope          Team          Holborn        Day    officer  (world.staff_in)
    T2 Fir                Team          Holborn        Day    officer  active champion for A, looks after the team
    T3 Gale               Team          Holborn        Day    officer
    T4 Hale               Team          Holborn        Night  staff
    Blair Outscope        Camden        Holborn        Day    officer  (world.staff_out)
    C2 Ivy                Camden        Holborn        Night  officer  active champion for B only
    X1..X4 Pool*          Specialist    Charing Cross  Night  officer  active champions for B (pool members)

Programme A: an approved assessment reaching Westminster (with the team),
and a draft one reaching Camden (ignored). Programme B: an approved
assessment reaching Camden and the team. The portfolio's ratio is 3.

Hours (agreed / asked by B): X1 4 / 2 (2 spare), X2 4 / 4 (fully
committed), X3 4 / 6 (over-committed), X4 6 / 1 (5 spare).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from changeboard.conftest import World, make_staff
from changeboard.impacts.models import ImpactAssessment, ImpactLine
from changeboard.organisation.models import RankGrade, Staff, Unit
from changeboard.organisation.services import unit_ensure_path
from changeboard.portfolio.models import Programme

from ..models import Champion, NetworkPolicy, Support

DAY = dt.date(2026, 12, 1)
CX, HOL = "Charing Cross", "Holborn"


@dataclass
class Org:
    specialist: Unit
    staff: dict[str, Staff]
    champions: dict[str, Champion]


def assess(programme: Programme, units: list[Unit], status: str = "approved") -> ImpactAssessment:
    assessment = ImpactAssessment.objects.create(programme=programme, title=f"{programme.code} {status}", status=status)
    line = ImpactLine.objects.create(assessment=assessment, title="New system", severity=3)
    line.units.set(units)
    return assessment


def champion(staff: Staff, programmes: list[tuple[Programme, Any]], units: list[Unit], status: str = Champion.Status.ACTIVE,
             agreed: Any = 4, end: dt.date | None = None) -> Champion:
    c = Champion.objects.create(staff=staff, status=status, hours_agreed=Decimal(str(agreed)), start_date=dt.date(2026, 1, 1), end_date=end)
    c.units.set(units)
    for programme, hours in programmes:
        Support.objects.create(champion=c, programme=programme, hours_asked=Decimal(str(hours)))
    return c


def build(w: World) -> Org:
    specialist = unit_ensure_path(full_path="Test Force > Specialist Operations", actor=None)
    pc, band = RankGrade.objects.get(code="PC"), RankGrade.objects.get(code="BAND-D")
    s: dict[str, Staff] = {}

    def person(key: str, number: str, unit: Unit, last: str, loc: str, shift: str, grade: RankGrade, **extra: Any) -> None:
        s[key] = make_staff(number, unit, first_name=key, last_name=last, location=loc, shift_pattern=shift, rank_grade=grade, **extra)

    person("W1", "300001", w.westminster, "Wren", CX, "Night", pc)
    person("W2", "300002", w.westminster, "Ash", CX, "Night", pc)
    person("W3", "300003", w.westminster, "Birch", CX, "Night", pc)
    person("W4", "300004", w.westminster, "Cedar", CX, "Night", pc)
    person("W5", "300005", w.westminster, "Leaver", CX, "Night", pc, is_leaver=True)
    person("W6", "300006", w.westminster, "Dale", CX, "Day", band)
    person("W7", "300007", w.westminster, "Elm", CX, "Day", band)
    Staff.objects.filter(pk=w.staff_in.pk).update(location=HOL, shift_pattern="Day")
    s["Alex"] = Staff.objects.get(pk=w.staff_in.pk)
    person("T2", "300012", w.team, "Fir", HOL, "Day", pc)
    person("T3", "300013", w.team, "Gale", HOL, "Day", pc)
    person("T4", "300014", w.team, "Hale", HOL, "Night", band)
    Staff.objects.filter(pk=w.staff_out.pk).update(location=HOL, shift_pattern="Day")
    s["Blair"] = Staff.objects.get(pk=w.staff_out.pk)
    person("C2", "300022", w.camden, "Ivy", HOL, "Night", pc)
    for i in range(1, 5):
        person(f"X{i}", f"30003{i}", specialist, f"Pool{i}", CX, "Night", pc)

    a, b = w.programme_a, w.programme_b
    assess(a, [w.westminster])
    assess(a, [w.camden], status="draft")
    assess(b, [w.camden, w.team])
    NetworkPolicy.objects.update_or_create(pk=NetworkPolicy.current().pk, defaults={"target_ratio": 3})

    c = {
        "W1": champion(s["W1"], [(a, 2)], [w.westminster], status=Champion.Status.NOMINATED),
        "W2": champion(s["W2"], [(a, 2)], [w.westminster], status=Champion.Status.ENDED, end=dt.date(2026, 6, 30)),
        "W5": champion(s["W5"], [(a, 2)], [w.westminster]),
        "W6": champion(s["W6"], [(a, 2)], [w.westminster]),
        "T2": champion(s["T2"], [(a, 2)], [w.team]),
        "C2": champion(s["C2"], [(b, 2)], [w.camden]),
        "X1": champion(s["X1"], [(b, 2)], [specialist], agreed=4),
        "X2": champion(s["X2"], [(b, 4)], [specialist], agreed=4),
        "X3": champion(s["X3"], [(b, 6)], [specialist], agreed=4),
        "X4": champion(s["X4"], [(b, 1)], [specialist], agreed=6),
    }
    return Org(specialist, s, c)
