"""The skills matrix maths against hand-worked data.

A (business change lead: needs 3 in impact assessment, engagement,
communications and readiness; 2 in cutover, hypercare and coaching):
  15 Jan self: all 2, coaching 1   (their first: this is "first")
  10 Feb coach: all 2, readiness 1
  20 Apr self: all 3               (a later self does not beat the coach)
   5 May coach: impact 3, rest 2   (latest: impact 3, the rest 2)
  gaps: engagement, communications, readiness short by 1 -> 3
B (change champion: needs 2 in engagement, communications, readiness, 1 elsewhere):
   1 Mar self: all 1, communications 3 (marked self)
  gaps: engagement and readiness short by 1 -> 2
C: never assessed (no levels, no gaps, left out of the averages).

Quarters (average of every level known at the quarter's end):
  2026 Q1: A 6x2 + 1 = 13, B 6x1 + 3 = 9 -> 22 / 14 = 1.57
  2026 Q2: A 3 + 6x2 = 15, B 9           -> 24 / 14 = 1.71"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from changeboard.conftest import make_staff

from ..skills import export_table, level_on, practitioner_history, quarter_end, quarters_between, skills_matrix
from .factories import framework, make_assessment, make_practitioner

TODAY = dt.date(2026, 6, 30)
CODES = ["impact-assessment", "stakeholder-engagement", "communications", "readiness", "cutover", "hypercare", "coaching"]


@pytest.fixture
def people(world: Any) -> dict[str, Any]:
    a = make_practitioner(world.staff_in, coach=world.users["lead"])
    b = make_practitioner(world.staff_out, role_name="Change champion")
    c = make_practitioner(make_staff("100070", world.team, first_name="Cam", last_name="Zed"), role_name="Change champion")
    make_assessment(a, "self", level=2, levels={"coaching": 1}, assessed_on=dt.date(2026, 1, 15))
    make_assessment(a, "coach", level=2, levels={"readiness": 1}, assessed_on=dt.date(2026, 2, 10))
    make_assessment(a, "self", level=3, assessed_on=dt.date(2026, 4, 20))
    make_assessment(a, "coach", level=2, levels={"impact-assessment": 3}, assessed_on=dt.date(2026, 5, 5))
    make_assessment(b, "self", level=1, levels={"communications": 3}, assessed_on=dt.date(2026, 3, 1))
    make_assessment(b, "coach", level=4, assessed_on=dt.date(2026, 7, 20))  # after "today": not counted
    return {"a": a, "b": b, "c": c}


def _by(row: Any, attr: str) -> dict[str, Any]:
    return {cell.competency.code: getattr(cell, attr) for cell in row.cells}


def test_latest_coach_level_beats_self_and_gaps_follow_the_role(people: dict[str, Any]) -> None:
    matrix = skills_matrix([people["a"], people["b"], people["c"]], framework(), today=TODAY)
    a, b, c = matrix.rows
    assert [cell.competency.code for cell in a.cells] == CODES
    assert _by(a, "level") == dict.fromkeys(CODES, 2) | {"impact-assessment": 3}
    assert not any(_by(a, "self_only").values())
    assert _by(a, "gap") == {"impact-assessment": 0, "stakeholder-engagement": 1, "communications": 1, "readiness": 1, "cutover": 0,
                             "hypercare": 0, "coaching": 0}
    assert a.gaps == 3
    assert _by(b, "level") == dict.fromkeys(CODES, 1) | {"communications": 3}
    assert all(_by(b, "self_only").values())
    assert _by(b, "gap")["communications"] == -1 and b.gaps == 2
    assert _by(c, "level") == dict.fromkeys(CODES) and c.gaps == 0 and c.last_assessed is None
    assert a.last_assessed == dt.date(2026, 5, 5) and b.last_assessed == dt.date(2026, 3, 1)


def test_per_competency_average_and_number_short(people: dict[str, Any]) -> None:
    matrix = skills_matrix([people["a"], people["b"], people["c"]], framework(), today=TODAY)
    summary = {s.competency.code: (s.average, s.short, s.assessed) for s in matrix.summaries}
    assert summary == {"impact-assessment": (2.0, 0, 2), "stakeholder-engagement": (1.5, 2, 2), "communications": (2.5, 1, 2),
                       "readiness": (1.5, 2, 2), "cutover": (1.5, 0, 2), "hypercare": (1.5, 0, 2), "coaching": (1.5, 0, 2)}
    assert matrix.short_total == 5
    assert matrix.average == round(24 / 14, 2)


def test_first_against_latest_per_practitioner_and_competency(people: dict[str, Any]) -> None:
    matrix = skills_matrix([people["a"], people["b"], people["c"]], framework(), today=TODAY)
    a, b, _ = matrix.rows
    assert _by(a, "first") == dict.fromkeys(CODES, 2) | {"coaching": 1}
    assert _by(a, "change") == dict.fromkeys(CODES, 0) | {"impact-assessment": 1, "coaching": 1}
    assert a.first_average == 1.86 and a.latest_average == 2.14
    assert b.first_average == b.latest_average == round(9 / 7, 2)
    firsts = {s.competency.code: s.first_average for s in matrix.summaries}
    assert firsts == {"impact-assessment": 1.5, "stakeholder-engagement": 1.5, "communications": 2.5, "readiness": 1.5, "cutover": 1.5,
                      "hypercare": 1.5, "coaching": 1.0}


def test_quarterly_average_across_the_matrix(people: dict[str, Any]) -> None:
    matrix = skills_matrix([people["a"], people["b"], people["c"]], framework(), today=TODAY)
    assert matrix.quarters == [("2026 Q1", 1.57), ("2026 Q2", 1.71)]
    later = skills_matrix([people["a"], people["b"]], framework(), today=dt.date(2026, 8, 1))  # B's coach (all 4) now counts
    assert later.quarters[-1] == ("2026 Q3", round((15 + 28) / 14, 2))


def test_a_programme_matrix_is_its_practitioners_only(world: Any, people: dict[str, Any]) -> None:
    people["a"].programmes.set([world.programme_a])
    matrix = skills_matrix(people["a"].__class__.objects.filter(programmes=world.programme_a), framework(), today=TODAY)
    assert [row.practitioner for row in matrix.rows] == [people["a"]]
    assert matrix.quarters == [("2026 Q1", round(13 / 7, 2)), ("2026 Q2", round(15 / 7, 2))]


def test_same_day_coach_wins_and_helpers() -> None:
    day = dt.date(2026, 3, 3)
    assert level_on([(day, 2, "self", 4), (day, 1, "coach", 2)], day) == (2, False)
    assert level_on([(day, 2, "self", 4)], day) == (4, True)
    assert level_on([(day, 2, "self", 4)], day - dt.timedelta(days=1)) == (None, False)
    assert quarters_between(dt.date(2025, 11, 5), dt.date(2026, 2, 1)) == [(2025, 4), (2026, 1)]
    assert quarter_end(2025, 4) == dt.date(2025, 12, 31) and quarter_end(2026, 1) == dt.date(2026, 3, 31)


def test_history_and_export(people: dict[str, Any]) -> None:
    history = practitioner_history(people["a"], framework())
    assert [day for day, _ in history] == [dt.date(2026, 1, 15), dt.date(2026, 2, 10), dt.date(2026, 4, 20), dt.date(2026, 5, 5)]
    readiness = framework().competencies.get(code="readiness").pk
    assert [levels[readiness] for _, levels in history] == [2, 1, 1, 2]  # the 20 Apr self does not beat the 10 Feb coach
    headers, rows = export_table(skills_matrix([people["a"], people["b"]], framework(), today=TODAY))
    assert headers[:4] == ["Practitioner", "Staff number", "Role", "Last assessed"] and headers[-1] == "Competencies short"
    assert rows[0][-1] == 3 and rows[1][-1] == 2
    index = headers.index("Communications: self-assessed")
    assert rows[1][index] == "yes" and rows[1][index - 1] == 3
