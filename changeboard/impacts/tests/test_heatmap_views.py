"""Heatmap, drill-down, hotspots, what-if and the load API through HTTP."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from changeboard.core.tests.test_permissions import DENY, HIDDEN, LOGIN, OK, PERSONAS, _check, _client, expect
from changeboard.impacts import services
from changeboard.impacts.models import WaveMoveProposal

from .conftest import JAN4

Q = "start=2027-01-04&weeks=4"
VIEWERS = expect(admin=OK, board=OK, lead=OK, lead2=OK, champion=OK)


def _get(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_heatmap_page_shows_load_and_saturation(client: Any, scenario: Any) -> None:
    w = scenario
    services.tolerance_set(unit=w.westminster, tolerance=Decimal("4.5"), actor=w.users["admin"])
    client.force_login(w.users["board"])
    body = _get(client, f"/impacts/load/?{Q}&within={w.central_west.pk}")
    assert "Response Team 1" in body and "cb-band-over" in body
    assert 'aria-label="Response Team 1, week of 11 Jan 2027: load 5.0, saturated"' in body
    assert "2 saturated unit-weeks" in body
    # The default view shows the top three levels only.
    top = _get(client, f"/impacts/load/?{Q}")
    row_headers = re.findall(r'<th scope="row"[^>]*>\s*(?:<a[^>]*>)?([^<]+)', top)
    assert [h.strip() for h in row_headers] == ["Test Force", "Frontline Policing", "Central West BCU", "North BCU"]


def test_drill_down_names_the_lines(client: Any, scenario: Any) -> None:
    w = scenario
    client.force_login(w.users["board"])
    body = _get(client, f"/impacts/load/{w.team.pk}/2027-01-13/?{Q}")
    assert "Load per person" in body and "5.0" in body
    assert "New finance system" in body and "New case file" in body


def test_exports_csv_and_svg(client: Any, scenario: Any) -> None:
    w = scenario
    client.force_login(w.users["board"])
    response = client.get(f"/impacts/load/?{Q}&export=csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    team_rows = [r for r in rows if r[0] == w.team.full_path]
    assert [r[4] for r in team_rows] == ["3.0", "5.0", "2.0", "0.0"]
    svg = client.get(f"/impacts/load.svg?{Q}")
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content and b"Central West BCU" in svg.content


def test_what_if_changes_the_view_and_saves_a_proposal(client: Any, scenario: Any) -> None:
    w = scenario
    client.force_login(w.users["board"])
    moved = _get(client, f"/impacts/load/?{Q}&within={w.central_west.pk}&whatif={w.programme_b.pk}&move_{w.wave_b.pk}=2027-01-04")
    assert "What-if view: not saved" in moved
    r = client.post("/impacts/proposals/", {f"move_{w.wave_b.pk}": "2027-01-04", "note": "Avoid the April peak"})
    assert r.status_code == 302
    proposal = WaveMoveProposal.objects.get()
    assert proposal.proposed_date == dt.date(2027, 1, 4) and proposal.original_date == dt.date(2027, 4, 1)
    # The Board member proposes but cannot apply; programme B's lead can.
    assert client.post(f"/impacts/proposals/{proposal.pk}/decide/", {"decision": "apply"}).status_code == 403
    client.force_login(w.users["lead"])
    assert client.post(f"/impacts/proposals/{proposal.pk}/decide/", {"decision": "apply"}).status_code == 404
    client.force_login(w.users["lead2"])
    assert client.post(f"/impacts/proposals/{proposal.pk}/decide/", {"decision": "apply"}).status_code == 302
    w.wave_b.refresh_from_db()
    assert w.wave_b.go_live_date == dt.date(2027, 1, 4)


def test_other_programmes_drafts_stay_out_of_the_heatmap(client: Any, scenario: Any) -> None:
    w = scenario
    draft = services.assessment_create(programme=w.programme_a, title="Secret draft", actor=w.users["lead"])
    services.line_save(assessment=draft, actor=w.users["lead"], units=[w.team], title="Hidden change", severity=5,
                       start_date=JAN4, end_date=dt.date(2027, 1, 31))
    client.force_login(w.users["lead"])
    own = client.get(f"/api/v1/load/?{Q}&drafts=on").json()
    team = next(u for u in own["units"] if u["id"] == w.team.pk)
    assert team["load"] == [8.0, 10.0, 7.0, 5.0]
    client.force_login(w.users["lead2"])
    other = client.get(f"/api/v1/load/?{Q}&drafts=on").json()
    team = next(u for u in other["units"] if u["id"] == w.team.pk)
    assert team["load"] == [3.0, 5.0, 2.0, 0.0]
    assert "Hidden change" not in _get(client, f"/impacts/load/{w.team.pk}/2027-01-04/?{Q}&drafts=on")


def test_champion_sees_only_their_units(client: Any, scenario: Any) -> None:
    w = scenario
    client.force_login(w.users["champion"])
    data = client.get(f"/api/v1/load/?{Q}").json()
    assert {u["name"] for u in data["units"]} == {"Westminster", "Response Team 1"}
    assert client.get(f"/impacts/load/{w.camden.pk}/2027-01-11/").status_code == 404


def test_heatmap_page_query_count_does_not_grow_with_lines(client: Any, scenario: Any, django_assert_max_num_queries: Any) -> None:
    client.force_login(scenario.users["board"])
    with django_assert_max_num_queries(25):
        client.get(f"/impacts/load/?{Q}")


MATRIX = [
    ("heatmap", lambda w: {}, {**VIEWERS}),
    ("heatmap-svg", lambda w: {}, {**VIEWERS}),
    ("hotspots", lambda w: {}, {**VIEWERS}),
    ("load-cell", lambda w: {"unit": w.team.pk, "week": "2027-01-11"}, {**VIEWERS}),
    ("load-cell", lambda w: {"unit": w.camden.pk, "week": "2027-01-11"}, {**VIEWERS, "champion": HIDDEN}),
    ("proposal-list", lambda w: {}, {**VIEWERS}),
    ("tolerances", lambda w: {}, {**VIEWERS}),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "expected"), MATRIX, ids=[f"{m[0]}-{i}" for i, m in enumerate(MATRIX)])
def test_load_page_matrix(client: Any, scenario: Any, persona: str, name: str, kwargs: Any, expected: dict[str, Any]) -> None:
    _check(_client(client, scenario, persona).get(reverse(name, kwargs=kwargs(scenario)) + f"?{Q}"), expected[persona])


@pytest.mark.parametrize("persona", PERSONAS)
def test_load_api_and_decide_matrix(client: Any, scenario: Any, persona: str) -> None:
    w = scenario
    c = _client(client, w, persona)
    api = c.get(f"/api/v1/load/?{Q}")
    assert api.status_code == {"anonymous": 401, "auditor": 403}.get(persona, 200)
    proposal = services.proposal_create(wave=w.wave_a, proposed_date=dt.date(2027, 5, 1), actor=w.users["admin"])
    decide = c.post(f"/impacts/proposals/{proposal.pk}/decide/", {"decision": "discard"})
    expected = {"admin": 302, "lead": 302, "lead2": HIDDEN, "board": DENY, "champion": DENY, "auditor": DENY, "anonymous": LOGIN}[persona]
    _check(decide, expected)
    save = _client(client, w, persona).post("/impacts/proposals/", {f"move_{w.wave_a.pk}": "2027-06-01"})
    # lead2 cannot see programme AAA, so not its waves either.
    saved = {"admin": 302, "board": 302, "lead": 302, "lead2": HIDDEN, "champion": DENY, "auditor": DENY, "anonymous": LOGIN}[persona]
    _check(save, saved)




def test_only_admins_set_tolerances(client: Any, scenario: Any) -> None:
    w = scenario
    client.force_login(w.users["board"])
    assert client.post("/impacts/tolerances/", {"unit": w.westminster.pk, "tolerance": "3"}).status_code == 403
    client.force_login(w.users["admin"])
    r = client.post("/impacts/tolerances/", {"unit": w.westminster.pk, "tolerance": "4.5"})
    assert r.status_code == 302
    assert "4.5" in _get(client, "/impacts/tolerances/")
    r = client.post("/impacts/tolerances/", {"unit": "", "tolerance": "0"})
    assert r.status_code == 200 and "There is a problem" in r.content.decode()


COVERED_NAMES = {m[0] for m in MATRIX} | {"api-load", "proposal-decide"}


def test_what_if_states_its_effect_and_the_proposal_records_it(client: Any, scenario: Any) -> None:
    """Issue 18: saturated unit-weeks before -> after, changed cells marked
    (and said), and the saved proposal keeps those two counts."""
    from decimal import Decimal

    w = scenario
    services.tolerance_set(unit=w.westminster, tolerance=Decimal("4.5"), actor=w.users["admin"])
    a = services.assessment_new_version(assessment=w.assessments[0], actor=w.users["admin"])
    services.line_save(assessment=a, actor=w.users["admin"], units=[w.team], title="Go-live support", severity=2, wave=w.wave_a,
                       weeks_before_go_live=1, weeks_after_go_live=1, hours_per_person=Decimal("1"))
    services.assessment_submit(assessment=a, actor=w.users["lead"])
    services.assessment_approve(assessment=a, actor=w.users["admin"])
    client.force_login(w.users["board"])
    plain = _get(client, f"/impacts/load/?{Q}&within={w.central_west.pk}")
    found = re.search(r"(\d+) saturated unit-weeks? across", plain)
    assert found is not None
    before = int(found.group(1))
    moved = _get(client, f"/impacts/load/?{Q}&within={w.central_west.pk}&whatif={w.programme_a.pk}&move_{w.wave_a.pk}=2027-01-11")
    found = re.search(r"(\d+) saturated unit-weeks? across", moved)
    assert found is not None
    after = int(found.group(1))
    assert after > before
    assert f"Effect: saturated unit-weeks {before} → {after}" in moved
    assert "cb-changed" in moved and ", changed by the what-if" in moved
    assert "cb-changed" not in plain
    r = client.post(f"/impacts/proposals/?{Q}&within={w.central_west.pk}", {f"move_{w.wave_a.pk}": "2027-01-11"})
    assert r.status_code == 302
    proposal = WaveMoveProposal.objects.get()
    # The whole view's units (not just the drill-down): at least the rows shown.
    assert proposal.saturated_before is not None and proposal.saturated_after is not None
    assert proposal.saturated_after - proposal.saturated_before >= after - before > 0
    listing = _get(client, "/impacts/proposals/")
    assert f"{proposal.saturated_before} → {proposal.saturated_after}" in listing
