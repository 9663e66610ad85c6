"""The persona x URL matrix of the champion's own page, accept and decline,
the dashboard, recognition, thanks and the pulse: 403 out of role, 404 out
of scope, the sign-in page for the anonymous."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from changeboard.core.tests.test_permissions import DENY, HIDDEN, LOGIN, OK, PERSONAS, _check, _client, expect

from .mine_data import nominate_persona, other_champion

COVERED_NAMES = {"network-dashboard", "network-mine", "champion-accept", "champion-decline", "network-recognition", "thanks-send",
                 "network-pulse"}

EVERYONE = expect(OK)
SURVEY_READERS = expect(admin=OK, board=OK, lead=OK, lead2=OK, champion=OK, auditor=DENY)
THANK_A = expect(admin=OK, lead=OK, lead2=HIDDEN)
THANK_B = expect(admin=OK, lead=HIDDEN, lead2=OK)
NOBODY = expect(admin=HIDDEN, lead=HIDDEN, lead2=HIDDEN)

PAGES: list[tuple[str, Callable[[Any], dict[str, Any]], dict[str, Any]]] = [
    ("network-dashboard", lambda d: {}, EVERYONE),
    ("network-mine", lambda d: {}, EVERYONE),
    ("network-recognition", lambda d: {}, EVERYONE),
    ("thanks-send", lambda d: {"pk": d["mine"].pk}, THANK_A),
    ("thanks-send", lambda d: {"pk": d["other"].pk}, THANK_B),
    ("thanks-send", lambda d: {"pk": d["other"].pk + 1000}, NOBODY),
    ("network-pulse", lambda d: {}, SURVEY_READERS),
]


def _data(world: Any) -> dict[str, Any]:
    return {"mine": nominate_persona(world, accept=True), "other": other_champion(world)}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "expected"), PAGES, ids=[f"{p[0]}-{i}" for i, p in enumerate(PAGES)])
def test_page_matrix(client: Any, world: Any, persona: str, name: str, kwargs: Any, expected: dict[str, Any]) -> None:
    data = _data(world)
    _check(_client(client, world, persona).get(reverse(name, kwargs=kwargs(data))), expected[persona])


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_recognition_export_follows_the_page(client: Any, world: Any, persona: str) -> None:
    _data(world)
    response = _client(client, world, persona).get(reverse("network-recognition"), {"export": "csv"})
    _check(response, EVERYONE[persona])
    if persona != "anonymous":
        assert response["Content-Type"].startswith("text/csv")


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", ["champion-accept", "champion-decline"])
def test_only_the_nominee_answers(client: Any, world: Any, persona: str, name: str) -> None:
    champion = nominate_persona(world)
    response = _client(client, world, persona).post(reverse(name, args=[champion.pk]))
    if persona == "champion":
        assert response.status_code == 302 and response["Location"] == reverse("network-mine")
    else:
        _check(response, LOGIN if persona == "anonymous" else HIDDEN)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_thanks_post_matrix(client: Any, world: Any, persona: str) -> None:
    data = _data(world)
    response = _client(client, world, persona).post(reverse("thanks-send", args=[data["mine"].pk]),
                                                    {"programme": world.programme_a.pk, "message": "Thank you"})
    expected = THANK_A[persona]
    if expected == OK:
        assert response.status_code == 302
    else:
        _check(response, expected)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_pulse_post_matrix(client: Any, world: Any, persona: str) -> None:
    response = _client(client, world, persona).post(reverse("network-pulse"), {"programme": world.programme_a.pk})
    expected = expect(admin=302, lead=302, lead2=OK, board=DENY, champion=DENY, auditor=DENY)[persona]
    if expected == 302:
        assert response.status_code == 302
    else:
        _check(response, expected)  # lead2: programme A is not theirs, a form error
