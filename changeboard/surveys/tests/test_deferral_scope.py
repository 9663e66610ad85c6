"""Who a wave deferred is a list of names and staff numbers: it follows the
staff rule (a champion sees their units and below only), on the page, its
CSV export and the wave page's count, as every persona."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from changeboard.conftest import make_staff
from changeboard.core.tests.test_permissions import DENY, HIDDEN, LOGIN, PERSONAS, _check, _client
from changeboard.organisation.services import unit_ensure_path
from changeboard.surveys.models import Deferral
from changeboard.surveys.tests.test_pages import Surveys

IN_TEAM = ("Dana", "Deferin", "910001")          # Westminster's team: the champion's units
NEXT_DOOR = ("Eli", "Kensingtonian", "910002")   # Central West BCU, outside Westminster
CAMDEN = ("Fox", "Camdener", "910003")            # another BCU altogether
EVERYONE = {IN_TEAM, NEXT_DOOR, CAMDEN}

# Who each persona sees in programme A's wave's deferrals (None: no page).
SEES: dict[str, Any] = {
    "admin": EVERYONE, "board": EVERYONE, "lead": EVERYONE, "champion": {IN_TEAM},
    "lead2": HIDDEN, "auditor": DENY, "anonymous": LOGIN,
}


@pytest.fixture
def s(world: Any) -> Surveys:
    surveys = Surveys(world)
    kensington = unit_ensure_path(full_path="Test Force > Frontline Policing > Central West BCU > Kensington", actor=None, known={})
    for (first, last, number), unit in ((IN_TEAM, world.team), (NEXT_DOOR, kensington), (CAMDEN, world.camden)):
        staff = make_staff(number, unit, first_name=first, last_name=last)
        Deferral.objects.create(wave=surveys.open, staff=staff, reason=Deferral.Reason.NO_EMAIL)
    return surveys


def _shown(body: str) -> set[tuple[str, str, str]]:
    return {person for person in EVERYONE if person[1] in body or person[2] in body}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_deferral_page_and_its_csv_show_only_people_in_scope(client: Any, s: Surveys, persona: str) -> None:
    c = _client(client, s.world, persona)
    url = reverse("wave-deferrals", args=[s.open.pk])
    expected = SEES[persona]
    page = c.get(url)
    export = c.get(url + "?export=csv")
    if not isinstance(expected, set):
        _check(page, expected)
        _check(export, expected)
        return
    assert page.status_code == 200 and export.status_code == 200
    assert _shown(page.content.decode()) == expected
    csv = b"".join(export.streaming_content).decode() if export.streaming else export.content.decode()
    assert _shown(csv) == expected
    rows = [line for line in csv.splitlines()[1:] if line.strip()]
    assert len(rows) == len(expected)


@pytest.mark.parametrize(("persona", "count"), [("admin", 3), ("board", 3), ("lead", 3), ("champion", 1)])
def test_the_wave_page_counts_the_deferrals_in_scope(client: Any, s: Surveys, persona: str, count: int) -> None:
    page = _client(client, s.world, persona).get(s.open.get_absolute_url()).content.decode()
    assert f"{count} {'person was' if count == 1 else 'people were'} not invited by this wave" in page


def test_the_rule_lives_on_the_queryset(s: Surveys) -> None:
    champion = s.world.users["champion"]
    assert {d.staff.staff_number for d in Deferral.objects.restrict(champion)} == {IN_TEAM[2]}
    assert Deferral.objects.restrict(s.world.users["lead2"]).count() == 0
    assert Deferral.objects.restrict(s.world.users["auditor"]).count() == 0
    assert Deferral.objects.restrict(s.world.users["board"]).count() == 3
