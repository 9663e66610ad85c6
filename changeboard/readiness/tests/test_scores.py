"""Scores, intervals, barrier points, roll-ups and suppression against
hand-worked examples (the arithmetic is in the comments)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any, cast

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from changeboard.core.tests.test_permissions import _client
from changeboard.organisation.models import Unit
from changeboard.organisation.services import unit_ensure_path
from changeboard.readiness import scores

from .helpers import closed_wave, respond, team

A, D, K, AB, R = "awareness", "desire", "knowledge", "ability", "reinforcement"
GOOD = [3, 4, 4, 5, 4] * 2  # T = 40, Q = 2 x (9+16+16+25+16) = 164, A = 10
LOW = [2, 3, 3, 2, 3] * 2  # T = 26, Q = 2 x (4+9+9+4+9) = 70, A = 10


def row_for(b: scores.Breakdown, unit: Any) -> scores.Score:
    return next(r for r in b.rows if r.unit is not None and r.unit.pk == unit.pk and not r.directly)


def test_index_interval_and_barrier_of_one_team(world: Any) -> None:
    wave = closed_wave(world.programme_a, "Pulse 1", dt.date(2027, 1, 15))
    respond(wave, world.team, {A: GOOD, D: GOOD, K: LOW, AB: GOOD, R: GOOD}, invited=20)
    b = scores.breakdown(wave, world.westminster)
    s = row_for(b, world.team)
    # Means: 4, 4, 2.6, 4, 4 -> mean 3.72 -> index 25 x 2.72 = 68.0
    assert [round(m, 2) for m in s.shown_means()] == [4.0, 4.0, 2.6, 4.0, 4.0]  # type: ignore[arg-type]
    assert s.index == pytest.approx(68.0)
    # GOOD: s^2 = (164 - 40^2/10) / 9 = 4/9; SE = sqrt(4/9 / 10) = 0.210819
    # LOW:  s^2 = (70 - 26^2/10) / 9 = 2.4/9; SE = sqrt(0.266667 / 10) = 0.163299
    # half-width = 1.96 x 5 x (4 x 0.210819 + 0.163299) = 1.96 x 5 x 1.006575 = 9.8644
    assert s.half_width == pytest.approx(9.8644, abs=1e-3)
    assert s.ci == (58.1, 77.9)
    assert s.barrier == K  # the first (only) element below 3
    assert s.responses == 10 and s.rate == 50.0  # 10 of 20 invited


def test_the_barrier_is_the_first_element_below_three_in_adkar_order(world: Any) -> None:
    score = scores.Score("x", None, None, index=50.0, means={A: 3.5, D: 2.9, K: 2.0, AB: 4.0, R: 1.0})  # type: ignore[arg-type]
    assert score.barrier == D
    score.means[D] = 3.0  # not below 3
    assert score.barrier == K


def test_a_wide_interval_is_not_enough_data(world: Any) -> None:
    wave = closed_wave(world.programme_a, "Pulse 1", dt.date(2027, 1, 15))
    respond(wave, world.team, [3, 4, 4, 5, 4], invited=10)
    # 5 responses: s^2 = (82 - 20^2/5) / 4 = 0.5; SE = sqrt(0.5/5) = 0.316228 per element
    # half-width = 1.96 x 5 x 5 x 0.316228 = 15.49 > 15 points: too wide to call.
    s = row_for(scores.breakdown(wave, world.westminster), world.team)
    assert s.half_width == pytest.approx(15.4952, abs=1e-3)
    assert not s.shown and s.reason == "wide"
    assert s.as_dict()["index"] is None and s.as_dict()["status"] == scores.NOT_ENOUGH


def test_units_roll_up_weighted_by_people_invited(world: Any) -> None:
    wave = closed_wave(world.programme_a, "Pulse 1", dt.date(2027, 1, 15))
    t2 = team("Response Team 2")
    respond(wave, world.team, [4] * 10, invited=20)
    respond(wave, t2, [2] * 10, invited=10)
    b = scores.breakdown(wave, world.westminster)
    # Each element: (20 x 4 + 10 x 2) / 30 = 3.3333 -> index 25 x 2.3333 = 58.33 (pooled, unweighted, would be 50).
    assert b.parent is not None and b.parent.index == pytest.approx(58.3333, abs=1e-3)
    # Pooled per element: A = 20, T = 60, Q = 10x16 + 10x4 = 200; s^2 = (200 - 180)/19 = 1.052632
    # sum (w/W)^2 / n = (2/3)^2/10 + (1/3)^2/10 = 0.055556; SE = sqrt(1.052632 x 0.055556) = 0.241825
    # half-width = 1.96 x 5 x 5 x 0.241825 = 11.849
    assert b.parent.half_width == pytest.approx(11.849, abs=1e-2)
    assert b.parent.barrier is None
    assert row_for(b, t2).index == pytest.approx(25.0) and row_for(b, t2).barrier == A
    assert row_for(b, world.team).index == pytest.approx(75.0)
    # Westminster rolls up again into Central West with the same weights.
    up = scores.breakdown(wave, world.central_west)
    assert row_for(up, world.westminster).index == pytest.approx(58.3333, abs=1e-3)


def test_trend_against_the_previous_wave(world: Any) -> None:
    first = closed_wave(world.programme_a, "Pulse 1", dt.date(2027, 1, 15))
    second = closed_wave(world.programme_a, "Pulse 2", dt.date(2027, 2, 15))
    respond(first, world.team, [3] * 10, invited=20)  # index 50, SE 0
    respond(second, world.team, [4] * 10, invited=20)  # index 75
    assert scores.previous_wave(second) == first
    b = scores.with_trend(scores.breakdown(second, world.westminster))
    assert row_for(b, world.team).trend == pytest.approx(25.0)


@pytest.fixture
def hidden(world: Any) -> Any:
    """Westminster: team 1 and team 2 with 10 responses each, team 3 with 3
    (under the threshold of 5), in one closed wave of AAA."""
    wave = closed_wave(world.programme_a, "Pulse 1", dt.date(2027, 1, 15))
    world.t2, world.t3 = team("Response Team 2"), team("Response Team 3")
    respond(wave, world.team, GOOD, invited=12)
    respond(wave, world.t2, [4, 4, 5, 5, 3] * 2, invited=12)
    respond(wave, world.t3, [1, 1, 2], invited=4)
    world.survey = wave
    return world


def test_primary_and_secondary_suppression_among_siblings(hidden: Any) -> None:
    b = scores.breakdown(hidden.survey, hidden.westminster)
    by = {cast(Unit, r.unit).pk: r for r in b.rows}
    assert by[hidden.t3.pk].reason == "few"
    # One hidden sibling would be derivable from Westminster and the others: a second one is hidden.
    assert sum(not r.shown for r in b.rows) == 2
    assert by[hidden.team.pk].reason == "secondary" or by[hidden.t2.pk].reason == "secondary"
    assert b.parent is not None and b.parent.shown


def test_a_hidden_unit_cannot_be_recovered_by_drilling_down_or_filtering(client: Any, hidden: Any) -> None:
    b = scores.breakdown(hidden.survey, hidden.westminster)
    forced = next(r for r in b.rows if r.reason == "secondary").unit
    assert forced is not None
    c = _client(client, hidden, "board")
    url = reverse("api-scores")
    for unit in (forced, hidden.t3):
        data = c.get(url, {"programme": hidden.programme_a.pk, "wave": hidden.survey.pk, "unit": unit.pk}).json()
        rows = data["waves"][0]["rows"]
        # The unit's own figure and its only row (the people directly in it) are both hidden.
        assert rows and all(r["index"] is None and r["status"] == scores.NOT_ENOUGH for r in rows), rows
    # Westminster's breakdown through the API hides the same two rows as the page.
    data = c.get(url, {"programme": hidden.programme_a.pk, "wave": hidden.survey.pk, "unit": hidden.westminster.pk}).json()
    shown = {r["unit_id"] for r in data["waves"][0]["rows"] if r["shown"]}
    assert shown == {hidden.westminster.pk, ({hidden.team.pk, hidden.t2.pk} - {forced.pk}).pop()}


def test_a_hidden_parent_cannot_be_rebuilt_from_its_children(world: Any) -> None:
    """Central West has Westminster (hidden by secondary suppression beside a
    small sibling) and its teams below it all shown would give it away."""
    wave = closed_wave(world.programme_a, "Pulse 1", dt.date(2027, 1, 15))
    t2 = team("Response Team 2")
    small = unit_ensure_path(
        full_path="Test Force > Frontline Policing > Central West BCU > Paddington", actor=None, known={})
    respond(wave, world.team, [4] * 10, invited=10)
    respond(wave, t2, [3] * 10, invited=10)
    respond(wave, small, [2, 2], invited=2)
    up = scores.breakdown(wave, world.central_west)
    assert row_for(up, small).reason == "few" and row_for(up, world.westminster).reason == "secondary"
    down = scores.breakdown(wave, world.westminster)
    assert down.parent is not None and not down.parent.shown
    assert sum(not r.shown for r in down.rows) == 2  # both teams: Westminster cannot be rebuilt


def test_the_xlsx_export_hides_the_same_figures(client: Any, hidden: Any) -> None:
    c = _client(client, hidden, "board")
    url = reverse("programme-scores", kwargs={"programme_pk": hidden.programme_a.pk})
    page = c.get(url, {"unit": hidden.westminster.pk})
    assert page.status_code == 200 and scores.NOT_ENOUGH in page.content.decode()
    response = c.get(url, {"unit": hidden.westminster.pk, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    status, index = header.index("Status"), header.index("Readiness index")
    assert len(body) == 4  # All of Westminster + three teams
    hidden_rows = [r for r in body if r[status] == scores.NOT_ENOUGH]
    assert len(hidden_rows) == 2 and all(r[index] is None and all(v is None for v in r[index:index + 12]) for r in hidden_rows)
    csv = c.get(url, {"unit": hidden.westminster.pk, "format": "csv"})
    assert b"".join(csv.streaming_content).decode().count(scores.NOT_ENOUGH) == 2


def test_stored_unit_scores_match_the_page_for_every_unit(world: Any) -> None:
    """`UnitScore` rows (what dashboards and packs read) hold each unit's
    figure exactly as the scores page shows it among its parent's rows,
    hidden ones included, with the trend against the previous wave."""
    from changeboard.readiness.models import UnitScore

    t2 = team("Response Team 2")
    small = unit_ensure_path(full_path="Test Force > Frontline Policing > Central West BCU > Paddington", actor=None, known={})
    first = closed_wave(world.programme_a, "Pulse 1", dt.date(2027, 1, 15))
    respond(first, world.team, [3] * 10, invited=10)
    respond(first, t2, [3] * 10, invited=10)
    second = closed_wave(world.programme_a, "Pulse 2", dt.date(2027, 2, 15))
    respond(second, world.team, [4] * 10, invited=10)
    respond(second, t2, [3] * 10, invited=10)
    respond(second, small, [2, 2], invited=2)
    stored = {r.unit_id: r for r in UnitScore.objects.filter(wave=second)}
    for parent in (world.root, world.frontline, world.central_west, world.westminster):
        for row in scores.with_trend(scores.breakdown(second, parent)).rows:
            if row.directly:
                continue
            assert row.unit is not None
            got = stored[row.unit.pk]
            assert got.shown == row.shown and got.reason == row.reason, row.label
            if row.shown:
                d = row.as_dict()
                assert (got.index, got.ci_low, got.ci_high, got.responses, got.trend) == (d["index"], d["ci_low"], d["ci_high"], d["responses"], d["trend"])
                assert [got.mean(e) for e in scores.ELEMENTS] == [d["means"][e] for e in scores.ELEMENTS]
            else:
                assert got.index is None and got.responses is None and got.awareness is None
    assert stored[world.westminster.pk].reason == "secondary" and stored[small.pk].reason == "few"
    assert UnitScore.objects.get(wave=second, is_top=True).unit == world.central_west
    # Central West: Pulse 1 all 3s -> 50; Pulse 2 weighted by invited (4 x 10 + 3 x 10 + 2 x 2) / 22 = 3.3636 -> 59.1: +9.1.
    assert (stored[world.central_west.pk].index, stored[world.central_west.pk].trend) == (59.1, 9.1)
    latest = scores.latest_unit_scores(world.programme_a, [world.team, world.westminster], as_of=dt.date(2027, 1, 31))
    assert latest[world.team.pk].wave == first and latest[world.westminster.pk].shown


def test_stored_trends_follow_a_rebuilt_earlier_wave(world: Any) -> None:
    from changeboard.readiness.models import UnitScore
    from changeboard.readiness.tallies import rebuild
    from changeboard.surveys.models import Answer

    first = closed_wave(world.programme_a, "Pulse 1", dt.date(2027, 1, 15))
    respond(first, world.team, [3] * 10, invited=10)
    second = closed_wave(world.programme_a, "Pulse 2", dt.date(2027, 2, 15))
    respond(second, world.team, [4] * 10, invited=10)
    assert UnitScore.objects.get(wave=second, unit=world.team).trend == 25.0
    Answer.objects.filter(response__wave=first).update(value=2)
    rebuild([first.pk])
    assert UnitScore.objects.get(wave=second, unit=world.team).trend == 50.0
