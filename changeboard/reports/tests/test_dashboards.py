"""The Programme Board's dashboards: summary figures against hand-worked
survey data (RAG bands, "not enough data", units not ready and why, critical
criteria at red, overdue actions, the as-of date), the permission matrix of
both pages, and a query count that does not grow with programmes or responses."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse

from changeboard.core.tests.test_permissions import DENY, HIDDEN, LOGIN, OK, PERSONAS, _check, _client
from changeboard.portfolio.models import Programme, RolloutWave
from changeboard.readiness.models import Action, Criterion, CriterionStatus, Criticality, Rag, Review
from changeboard.readiness.tests.helpers import closed_wave, respond, team
from changeboard.reports import summary

COVERED_NAMES = {"portfolio-dashboard", "programme-dashboard"}

A, D, K, AB, R = "awareness", "desire", "knowledge", "ability", "reinforcement"
AS_OF = dt.date(2027, 2, 20)  # after the four waves closed, before wave_a goes live (1 March 2027)


@pytest.fixture(autouse=True)
def _today_is_as_of(monkeypatch: Any) -> None:
    """The dashboards refuse an as-of date after today: in these tests today is AS_OF."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: AS_OF)


@pytest.fixture
def readiness(world: Any) -> dict[str, Any]:
    """Four closed waves of programme A answered by two Westminster teams
    (the arithmetic of each figure is beside it), and one of programme B with
    too few responses to show."""
    t2 = team("Response Team 2")
    waves = []
    # Wave 1: every answer 3 or 4 (five of each) -> every element mean 3.5 -> index 25 x 2.5 = 62.5: green (the boundary).
    # Interval: s^2 = (125 - 35^2/10) / 9 = 0.2778 per element; half-width well under 15, so shown.
    w = closed_wave(world.programme_a, "Pulse 1", dt.date(2027, 1, 8))
    respond(w, world.team, [3, 4] * 5, invited=20)
    respond(w, t2, [3, 4] * 5, invited=20)
    waves.append(w)
    # Wave 2: every answer 3 -> means 3 -> index 50: amber (red is below 50); no mean below 3, no barrier point.
    w = closed_wave(world.programme_a, "Pulse 2", dt.date(2027, 1, 22))
    respond(w, world.team, [3] * 10, invited=20)
    respond(w, t2, [3] * 10, invited=20)
    waves.append(w)
    # Wave 3: knowledge 2, the rest 5 -> mean 4.4 -> index 85, but knowledge is a barrier point: amber, never green.
    w = closed_wave(world.programme_a, "Pulse 3", dt.date(2027, 2, 5))
    values = {A: [5] * 10, D: [5] * 10, K: [2] * 10, AB: [5] * 10, R: [5] * 10}
    respond(w, world.team, values, invited=20)
    respond(w, t2, values, invited=20)
    waves.append(w)
    # Wave 4: every answer 2 -> index 25: red, barrier point awareness (the first element below 3).
    # Team 2 has 3 responses (< 5): not enough data; team 1 is then hidden too (secondary suppression).
    w = closed_wave(world.programme_a, "Pulse 4", dt.date(2027, 2, 19))
    respond(w, world.team, [2] * 10, invited=20)
    respond(w, t2, [2] * 3, invited=10)
    waves.append(w)
    # Programme B: three responses in Camden -> not enough data everywhere.
    wb = closed_wave(world.programme_b, "B pulse", dt.date(2027, 2, 1))
    respond(wb, world.camden, [4] * 3, invited=10)
    return {"t2": t2, "waves": waves, "wave_b": wb}


def test_rag_bands_over_the_waves(world: Any, readiness: dict[str, Any]) -> None:
    s = summary.programme(world.programme_a, None, AS_OF).as_dict()
    assert s["top_unit"] == "Westminster"
    assert [w["title"] for w in s["waves"]] == ["Pulse 1", "Pulse 2", "Pulse 3", "Pulse 4"]
    top = s["heatmap"][0]
    assert top["unit"] == "Westminster"
    assert [(c["index"], c["rag"]) for c in top["scores"]] == [(62.5, "green"), (50.0, "amber"), (85.0, "amber"), (25.0, "red")]
    assert [c["barrier_label"] for c in top["scores"]] == ["", "", "Knowledge", "Awareness"]
    # The trend is the change against the previous wave: 85 - 50 = +35, 25 - 85 = -60.
    assert [c["trend"] for c in top["scores"]] == [None, -12.5, 35.0, -60.0]
    # The ADKAR trend reads the top unit's element means wave by wave.
    assert [t["means"][K] for t in s["trend"]] == [3.5, 3.0, 2.0, 2.0]
    assert [t["means"][A] for t in s["trend"]] == [3.5, 3.0, 5.0, 2.0]


def test_not_enough_data_is_never_a_colour(world: Any, readiness: dict[str, Any]) -> None:
    s = summary.programme(world.programme_a, None, AS_OF).as_dict()
    rows = {row["unit"]: row["scores"][-1] for row in s["heatmap"]}
    for unit in ("Response Team 1", "Response Team 2"):
        assert rows[unit]["rag"] == Rag.NO_DATA and rows[unit]["index"] is None and rows[unit]["responses"] is None
    assert rows["Response Team 2"]["reason"] == "Not enough data"
    assert rows["Response Team 1"]["reason"] == "Not enough data"
    line_b = next(line for line in summary.portfolio(None, AS_OF).as_dict()["programmes"] if line["programme"] == "BBB")
    assert line_b["score"]["rag"] == Rag.NO_DATA and line_b["score"]["rag_label"] == "Not enough data"


def test_response_rates_and_barriers_of_the_latest_wave(world: Any, readiness: dict[str, Any]) -> None:
    s = summary.programme(world.programme_a, None, AS_OF).as_dict()
    latest = {u["unit"]: u for u in s["latest"]}
    # Westminster: 13 responses through links of 30 invited = 43.3%.
    assert latest["Westminster"]["response_rate"] == pytest.approx(43.3)
    assert latest["Westminster"]["responses"] == 13
    assert latest["Westminster"]["barrier_label"] == "Awareness"
    assert latest["Response Team 2"]["response_rate"] is None  # hidden with its figure


def test_units_not_ready_and_why(world: Any, readiness: dict[str, Any]) -> None:
    criterion = Criterion.objects.create(programme=world.programme_a, title="Trainers booked", criticality=Criticality.CRITICAL)
    CriterionStatus.objects.create(criterion=criterion, unit=world.central_west, rag=Rag.RED, as_of=dt.date(2027, 2, 10))
    minor = Criterion.objects.create(programme=world.programme_a, title="Posters up", criticality=Criticality.LOW)
    CriterionStatus.objects.create(criterion=minor, unit=world.central_west, rag=Rag.RED, as_of=dt.date(2027, 2, 10))
    p = summary.portfolio(None, AS_OF).as_dict()
    by_unit = {(n["programme"], n["unit"]): n for n in p["not_ready"]}
    a = by_unit[("AAA", "Central West BCU")]
    # Central West BCU has only Westminster's teams: the same 25 (red) as Westminster, dated by Pulse 4's closing.
    assert a["score"]["index"] == 25.0 and a["score"]["as_of"] == dt.date(2027, 2, 19)
    assert a["reasons"] == ["Readiness 25 (red)", "Barrier point: Awareness", "Critical criterion at red: Trainers booked"]
    assert a["reds"] == [{"id": criterion.pk, "title": "Trainers booked", "as_of": dt.date(2027, 2, 10)}]  # critical only
    assert a["go_live"] == dt.date(2027, 3, 1) and a["rollout_wave"] == "Wave 1"
    # Issue 18: a unit with no figure is "not enough data", its own category, never a not-ready exception.
    assert ("BBB", "North BCU") not in by_unit
    b = next(n for n in p["no_data"] if (n["programme"], n["unit"]) == ("BBB", "North BCU"))
    assert b["reason"] == "Not enough data" and b["go_live"] == dt.date(2027, 4, 1) and b["rollout_wave"] == "Wave 1"
    # Exceptions are ordered by go-live: programme A's wave (1 March) first.
    assert [n["programme"] for n in p["not_ready"]] == ["AAA"]
    assert p["critical"] == [{"programme": "AAA", "programme_id": world.programme_a.pk, "unit_id": world.central_west.pk,
                              "unit": "Central West BCU", "criteria": ["Trainers booked"], "items": a["reds"]}]
    assert p["barriers"][0]["barrier"] == "Awareness" and p["barriers"][0]["as_of"] == dt.date(2027, 2, 19)
    line = next(line for line in p["programmes"] if line["programme"] == "AAA")
    assert (line["not_ready"], line["critical_reds"], line["next_go_live"]) == (1, 1, dt.date(2027, 3, 1))
    assert line["score"]["index"] == 25.0 and line["top_unit"] == "Westminster" and line["score"]["trend"] == -60.0


def test_a_green_unit_is_ready(world: Any) -> None:
    wave = closed_wave(world.programme_a, "Pulse", dt.date(2027, 2, 1))
    respond(wave, world.team, [4, 5] * 5, invited=10)  # means 4.5 -> index 87.5, green
    p = summary.portfolio(None, AS_OF).as_dict()
    assert not [n for n in p["not_ready"] if n["programme"] == "AAA"]
    line = next(line for line in p["programmes"] if line["programme"] == "AAA")
    assert line["score"]["rag"] == "green" and line["score"]["index"] == 87.5


def test_as_of_date_picks_the_waves_and_the_go_lives(world: Any, readiness: dict[str, Any]) -> None:
    # Before any wave closed: no survey results, and central west not ready for want of them.
    early = summary.portfolio(None, dt.date(2027, 1, 1)).as_dict()
    assert not early["has_readiness"]
    assert not [n for n in early["not_ready"] if n["programme"] == "AAA"]
    a = next(n for n in early["no_data"] if n["programme"] == "AAA")
    assert a["reason"] == "No survey results yet" and a["as_of"] is None
    # As of 25 January, Pulse 2 is the latest: 50, amber.
    mid = summary.portfolio(None, dt.date(2027, 1, 25)).as_dict()
    line = next(line for line in mid["programmes"] if line["programme"] == "AAA")
    assert (line["score"]["index"], line["score"]["rag"], line["score"]["wave"]) == (50.0, "amber", "Pulse 2")
    assert len(summary.programme(world.programme_a, None, dt.date(2027, 1, 25)).waves) == 2
    # After wave A's go-live, its units are no longer "going live".
    late = summary.portfolio(None, dt.date(2027, 3, 2)).as_dict()
    assert late["not_ready"] == [] and [n["programme"] for n in late["no_data"]] == ["BBB"]
    assert next(line for line in late["programmes"] if line["programme"] == "AAA")["next_go_live"] is None


def test_overdue_and_open_actions(world: Any) -> None:
    def action(title: str, due: dt.date, status: str = Action.Status.OPEN) -> Action:
        return Action.objects.create(programme=world.programme_a, title=title, due_date=due, status=status, unit=world.central_west)

    action("Late", dt.date(2027, 2, 1))
    action("Late but working", dt.date(2027, 2, 10), Action.Status.IN_PROGRESS)
    action("Done late", dt.date(2027, 1, 1), Action.Status.DONE)
    action("Due today", AS_OF)
    action("Later", dt.date(2027, 3, 1))
    p = summary.portfolio(None, AS_OF).as_dict()
    assert [(a["title"], a["days_overdue"]) for a in p["overdue"]] == [("Late", 19), ("Late but working", 10)]
    line = next(line for line in p["programmes"] if line["programme"] == "AAA")
    assert (line["open_actions"], line["overdue_actions"]) == (4, 2)
    s = summary.programme(world.programme_a, None, AS_OF)
    assert s.open_actions == 4 and [a.title for a in s.overdue] == ["Late", "Late but working"]


def test_criteria_counts_and_upcoming_reviews(world: Any) -> None:
    criterion = Criterion.objects.create(programme=world.programme_a, title="Kit issued", criticality=Criticality.HIGH)
    CriterionStatus.objects.create(criterion=criterion, unit=world.central_west, rag=Rag.GREEN)
    CriterionStatus.objects.create(criterion=criterion, unit=world.westminster, rag=Rag.RED)
    CriterionStatus.objects.create(criterion=criterion, unit=world.team, rag=Rag.RED)
    Review.objects.create(programme=world.programme_a, rollout_wave=world.wave_a, checkpoint=Review.Checkpoint.T6, scheduled_on=dt.date(2027, 2, 25))
    Review.objects.create(programme=world.programme_a, rollout_wave=world.wave_a, checkpoint=Review.Checkpoint.T12, scheduled_on=dt.date(2027, 1, 1))
    s = summary.programme(world.programme_a, None, AS_OF).as_dict()
    assert s["criteria"] == [{"id": criterion.pk, "title": "Kit issued", "criticality": "High",
                              "counts": {"green": 1, "amber": 0, "red": 2, "no_data": 0, "not_assessed": 0}}]
    assert [r["checkpoint"] for r in s["reviews"]] == ["T-6 weeks"]  # the January one is long past


# --- pages ---------------------------------------------------------------------------------------

DASHBOARD_READERS = {"admin": OK, "board": OK, "lead": OK, "lead2": OK, "champion": DENY, "auditor": DENY, "anonymous": LOGIN}
MATRIX = [
    ("portfolio-dashboard", lambda w: {}, DASHBOARD_READERS),
    ("programme-dashboard", lambda w: {"pk": w.programme_a.pk}, {**DASHBOARD_READERS, "lead2": HIDDEN}),
    ("programme-dashboard", lambda w: {"pk": w.programme_b.pk}, {**DASHBOARD_READERS, "lead": HIDDEN}),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "expected"), MATRIX, ids=[f"{m[0]}-{i}" for i, m in enumerate(MATRIX)])
def test_permission_matrix(client: Any, world: Any, persona: str, name: str, kwargs: Any, expected: dict[str, Any]) -> None:
    _check(_client(client, world, persona).get(reverse(name, kwargs=kwargs(world))), expected[persona])


def test_a_lead_sees_only_their_programmes(client: Any, world: Any) -> None:
    page = _client(client, world, "lead").get(reverse("portfolio-dashboard")).content.decode()
    assert "AAA: Shared Services" in page and "BBB" not in page


def test_portfolio_page_exceptions_first_with_dates(client: Any, world: Any, readiness: dict[str, Any]) -> None:
    page = _client(client, world, "board").get(reverse("portfolio-dashboard"), {"as_of": "2027-02-20"}).content.decode()
    assert "Exceptions as of 20 February 2027" in page
    assert page.index("Units not ready for their go-live") < page.index("Barrier point: Awareness") < page.index('id="programmes"')
    assert "closed 19 Feb 2027" in page
    assert reverse("programme-dashboard", args=[world.programme_a.pk]) in page
    assert f"{reverse('programme-scores', args=[world.programme_a.pk])}?unit={world.central_west.pk}" in page
    # Programme B's readiness is words only: no tag, no colour.
    row_b = page[page.index("BBB: Case Files"):]
    row_b = row_b[:row_b.index("</tr>")]
    assert "Not enough data" in row_b and "govuk-tag" not in row_b
    assert "25 <strong class=\"govuk-tag govuk-tag--red\">Red</strong>" in page
    assert 'src="data:image/svg+xml;base64,' in page


def test_a_bad_as_of_date_shows_an_error_and_todays_data(client: Any, world: Any) -> None:
    c = _client(client, world, "board")
    for bad in ("next tuesday", "2027-02-30", "1066-10-14"):
        response = c.get(reverse("portfolio-dashboard"), {"as_of": bad})
        assert response.status_code == 200
        page = response.content.decode()
        assert "govuk-error-summary" in page and "govuk-error-message" in page
        assert response.context["as_of"] == response.context["today"]
    response = c.get(reverse("programme-dashboard", args=[world.programme_a.pk]), {"as_of": "nonsense"})
    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()


def test_empty_states(client: Any, world: Any) -> None:
    c = _client(client, world, "board")
    page = c.get(reverse("portfolio-dashboard")).content.decode()
    assert "No survey wave has closed yet" in page
    page = c.get(reverse("programme-dashboard", args=[world.programme_a.pk])).content.decode()
    assert "there are no readiness figures yet" in page
    Programme.objects.update(status=Programme.Status.CLOSED)
    assert "There are no open programmes for you to see." in c.get(reverse("portfolio-dashboard")).content.decode()


def test_programme_page_drills_down_to_the_scores(client: Any, world: Any, readiness: dict[str, Any]) -> None:
    page = _client(client, world, "lead").get(reverse("programme-dashboard", args=[world.programme_a.pk]), {"as_of": "2027-02-20"})
    html = page.content.decode()
    for unit in (world.westminster, world.team, readiness["t2"]):
        assert f"{reverse('programme-scores', args=[world.programme_a.pk])}?unit={unit.pk}" in html
    assert [c.key for c in page.context["charts"]] == ["heatmap", "trend", "response_rates"]
    assert "ADKAR element means over time: Westminster" in html


def test_the_board_link_is_in_the_navigation_for_those_who_may_see_it(client: Any, world: Any) -> None:
    href = f'href="{reverse("portfolio-dashboard")}"'
    assert href in _client(client, world, "board").get(reverse("home")).content.decode()
    client.logout()
    assert href not in _client(client, world, "champion").get(reverse("home")).content.decode()


def _grow(world: Any, n: int) -> None:
    """More programmes, rollout waves, units, closed waves, responses, criteria and actions."""
    for i in range(n):
        programme = Programme.objects.create(code=f"P{i}", name=f"Programme {i}", status="active", phase="build")
        wave = RolloutWave.objects.create(programme=programme, name="Wave 1", go_live_date=dt.date(2027, 5, 1))
        unit = team(f"Team {i}")
        wave.units.set([unit, world.westminster])
        survey = closed_wave(programme, f"P{i} pulse", dt.date(2027, 2, 1))
        respond(survey, unit, [2, 3, 4] * 4, invited=20)
        criterion = Criterion.objects.create(programme=programme, title=f"C{i}", criticality=Criticality.CRITICAL)
        CriterionStatus.objects.create(criterion=criterion, unit=unit, rag=Rag.RED)
        Action.objects.create(programme=programme, title=f"A{i}", due_date=dt.date(2027, 1, 1), unit=unit)


@pytest.mark.parametrize("name", ["portfolio-dashboard", "programme-dashboard"])
def test_query_count_does_not_grow(client: Any, world: Any, readiness: dict[str, Any], name: str,
                                   django_assert_max_num_queries: Any) -> None:
    """The same number of queries with 2 programmes as with 6 and three times the responses."""
    c = _client(client, world, "board")
    url = reverse(name, kwargs={} if name == "portfolio-dashboard" else {"pk": world.programme_a.pk})
    c.get(url, {"as_of": "2027-02-20"})  # warm the session and caches

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        c.get(url, {"as_of": "2027-02-20"})
    _grow(world, 4)
    for wave in readiness["waves"]:
        respond(wave, world.team, [3, 4] * 10, invited=20)
    with django_assert_max_num_queries(len(before.captured_queries)):
        assert c.get(url, {"as_of": "2027-02-20"}).status_code == 200
    assert len(before.captured_queries) <= 30


def test_not_enough_data_is_its_own_collapsible_category(client: Any, world: Any, readiness: dict[str, Any]) -> None:
    """Issue 18: units going live with no figure are listed, with their count,
    in a details element after the real exceptions, never as "not ready"."""
    page = _client(client, world, "board").get(reverse("portfolio-dashboard"), {"as_of": "2027-02-20"}).content.decode()
    not_ready = page[page.index('id="not-ready"'):page.index('id="hotspots"')]
    table = not_ready[:not_ready.index('<details')]
    assert "North BCU" not in table and "Central West BCU" in table
    details = not_ready[not_ready.index('<details'):not_ready.index('</details>')]
    assert 'class="govuk-details"' in details and "Not enough data: 1 unit going live" in details and "North BCU" in details
    assert re.search(r"\bNone\b", page) is None


def test_programme_page_has_no_literal_none(client: Any, world: Any, readiness: dict[str, Any]) -> None:
    page = _client(client, world, "board").get(reverse("programme-dashboard", args=[world.programme_a.pk]),
                                               {"as_of": "2027-02-20"}).content.decode()
    assert "Response Team 1" in page
    assert re.search(r"\bNone\b", page) is None
