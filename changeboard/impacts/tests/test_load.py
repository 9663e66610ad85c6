"""Change load against hand-worked examples.

The test force (see conftest): Response Team 1 sits in Westminster in
Central West BCU; Camden in North BCU; both under Frontline Policing.

    Response Team 1: 2 response officers, 2 detectives (4 people)
    Camden:          2 response officers               (2 people)

    Line 1 (AAA): Central West BCU, severity 3, 4 Jan - 17 Jan 2027 (2 weeks), 4 hours
    Line 2 (BBB): Frontline Policing, response officers only, severity 4,
                  11 Jan - 24 Jan 2027, 2 hours

Load per person (severity x reached / headcount), weeks from 4 Jan:

                      w1 (4 Jan)   w2 (11 Jan)        w3 (18 Jan)   w4
    Response Team 1   3*4/4 = 3    3 + 4*2/4 = 5      4*2/4 = 2     0
    Camden            0            4*2/2 = 4          4             0
    Frontline (6)     3*4/6 = 2    2 + 4*4/6 = 4.67   2.67          0
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from changeboard.impacts import load, services
from changeboard.impacts.models import ImpactAssessment, ImpactReach
from changeboard.organisation.models import Unit

from .conftest import JAN4


def _heatmap(world: Any, **kwargs: Any) -> load.Heatmap:
    filters = load.LoadFilters(start=JAN4, end=dt.date(2027, 1, 25), **kwargs)
    return load.compute(filters, list(Unit.objects.all()), ImpactAssessment.objects.all())


def _row(heatmap: load.Heatmap, unit: Unit, values: str = "load") -> list[float]:
    return [round(float(v), 2) for v in getattr(heatmap, values)[heatmap.row(unit)]]


def test_reach_counts_subtrees_and_role_filters(scenario: Any) -> None:
    w = scenario
    reach1 = dict(ImpactReach.objects.filter(line=w.line1).values_list("unit__name", "headcount"))
    assert reach1 == {"Response Team 1": 4, "Westminster": 4, "Central West BCU": 4, "Frontline Policing": 4, "Test Force": 4}
    reach2 = dict(ImpactReach.objects.filter(line=w.line2).values_list("unit__name", "headcount"))
    assert reach2 == {"Response Team 1": 2, "Westminster": 2, "Central West BCU": 2, "Camden": 2, "North BCU": 2, "Frontline Policing": 4, "Test Force": 4}
    assert services.line_headcount(w.line2) == 4
    assert w.line2.__class__.objects.get(pk=w.line2.pk).reached_roles == {"Response officer": 4}


def test_load_matches_the_hand_worked_table(scenario: Any) -> None:
    w = scenario
    heatmap = _heatmap(w)
    assert [load.week_label(x) for x in heatmap.weeks] == ["2027-W01", "2027-W02", "2027-W03", "2027-W04"]
    assert _row(heatmap, w.team) == [3.0, 5.0, 2.0, 0.0]
    assert _row(heatmap, w.camden) == [0.0, 4.0, 4.0, 0.0]
    assert _row(heatmap, w.frontline) == [2.0, 4.67, 2.67, 0.0]
    # Hours: line 1 spreads 4 hours over 2 weeks, line 2 2 hours over 2 weeks.
    assert _row(heatmap, w.team, "hours") == [2.0, 2.5, 0.5, 0.0]


def test_saturation_uses_the_nearest_tolerance(scenario: Any) -> None:
    w = scenario
    assert not _heatmap(w).saturated.any()  # portfolio default is 6
    services.tolerance_set(unit=w.westminster, tolerance=Decimal("4.5"), actor=w.users["admin"])
    heatmap = _heatmap(w)
    assert heatmap.tolerance[heatmap.row(w.team)] == 4.5  # inherited from Westminster
    assert heatmap.saturated[heatmap.row(w.team)].tolist() == [False, True, False, False]
    assert not heatmap.saturated[heatmap.row(w.camden)].any()
    spots = load.hotspots(heatmap)
    assert [(h["unit"].name, h["week"], h["load"]) for h in spots] == [
        ("Westminster", dt.date(2027, 1, 11), 5.0), ("Response Team 1", dt.date(2027, 1, 11), 5.0),
    ]  # equal loads: the unit higher in the tree first
    assert spots[0]["programmes"] == ["AAA", "BBB"]


def test_drill_down_lists_the_lines_behind_a_cell(scenario: Any) -> None:
    w = scenario
    heatmap = _heatmap(w)
    found = heatmap.contributors(heatmap.row(w.team), 1)
    assert [(c["programme"].code, c["reached"], c["load"]) for c in found] == [("AAA", 4, 3.0), ("BBB", 2, 2.0)]


def test_leavers_drop_out(scenario: Any, django_capture_on_commit_callbacks: Any) -> None:
    from changeboard.organisation.models import Staff
    from changeboard.organisation.signals import staff_changed

    Staff.objects.filter(staff_number="100003").update(is_leaver=True)
    with django_capture_on_commit_callbacks(execute=True):
        staff_changed.send(sender=Staff)  # what an HR import commit sends
    heatmap = _heatmap(scenario)
    # Team now 3 people: w1 = 3*3/3 = 3; w2 = 3 + 4*2/3 = 5.67
    assert _row(heatmap, scenario.team) == [3.0, 5.67, 2.67, 0.0]


def test_wave_lines_move_with_the_wave_and_in_what_if(scenario: Any) -> None:
    w = scenario
    a = services.assessment_new_version(assessment=w.assessments[0], actor=w.users["admin"])
    services.line_save(assessment=a, actor=w.users["admin"], units=[w.team], title="Go-live support", severity=2, wave=w.wave_a,
                       weeks_before_go_live=1, weeks_after_go_live=1)
    services.assessment_submit(assessment=a, actor=w.users["lead"])  # nobody approves their own
    services.assessment_approve(assessment=a, actor=w.users["admin"])
    # Wave A goes live 1 March 2027: outside January, so January is unchanged.
    assert _row(_heatmap(w), w.team) == [3.0, 5.0, 2.0, 0.0]
    # What-if: move the wave to 11 January -> the line covers 4-17 January.
    moved = _heatmap(w, wave_dates={w.wave_a.pk: dt.date(2027, 1, 11)})
    assert _row(moved, w.team) == [5.0, 7.0, 2.0, 0.0]
    # Nothing was saved by the what-if.
    w.wave_a.refresh_from_db()
    assert w.wave_a.go_live_date == dt.date(2027, 3, 1)
    # Applying a proposal moves the wave for real.
    proposal = services.proposal_create(wave=w.wave_a, proposed_date=dt.date(2027, 1, 11), actor=w.users["admin"])
    services.proposal_decide(proposal=proposal, apply=True, actor=w.users["admin"])
    assert _row(_heatmap(w), w.team) == [5.0, 7.0, 2.0, 0.0]


def test_drafts_count_only_when_asked(scenario: Any) -> None:
    w = scenario
    draft = services.assessment_create(programme=w.programme_a, title="Extra", actor=w.users["admin"])
    services.line_save(assessment=draft, actor=w.users["admin"], units=[w.team], title="Draft change", severity=5,
                       start_date=dt.date(2027, 1, 25), end_date=dt.date(2027, 1, 31))
    assert _row(_heatmap(w), w.team)[3] == 0.0
    assert _row(_heatmap(w, include_drafts=True), w.team)[3] == 5.0


def test_filters_by_programme_and_dimension(scenario: Any) -> None:
    w = scenario
    assert _row(_heatmap(w, programmes=[w.programme_b.pk]), w.team) == [0.0, 2.0, 2.0, 0.0]
    assert _row(_heatmap(w, dimension="technology"), w.team) == [3.0, 3.0, 0.0, 0.0]


def test_roles_hit_by_three_programmes(scenario: Any) -> None:
    w = scenario
    from changeboard.portfolio.models import Programme

    c = Programme.objects.create(code="CCC", name="Third")
    a = services.assessment_create(programme=c, title="CCC impacts", actor=w.users["admin"])
    services.line_save(assessment=a, actor=w.users["admin"], units=[w.team], roles=["Response officer"], title="Radios", severity=1,
                       start_date=dt.date(2027, 1, 18), end_date=dt.date(2027, 1, 20))
    services.assessment_submit(assessment=a, actor=w.users["lead"])  # nobody approves their own
    services.assessment_approve(assessment=a, actor=w.users["admin"])
    hits = load.roles_hit(_heatmap(w))
    assert [(r["month"], r["role"], r["programmes"]) for r in hits] == [(dt.date(2027, 1, 1), "Response officer", ["AAA", "BBB", "CCC"])]
