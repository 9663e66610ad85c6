"""The readiness survey API: the permission matrix (every endpoint as every
persona, in the style of core/tests/test_permissions.py), creating and
launching waves, response rates with the anonymity threshold, and
answering by link.

The set-up (`Surveys`): programme AAA (lead's) has a draft wave and an open
wave; BBB (lead2's) has a draft wave and its own questionnaire. The open
wave asked the three officers of Response Team 1 and the one in Camden.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from changeboard.conftest import make_staff
from changeboard.core.tests.test_permissions import API_LOGIN, DENY, HIDDEN, OK, PERSONAS, READERS, _client, expect
from changeboard.surveys import services
from changeboard.surveys.models import Answer, Invitation, Response, SurveyWave

NOT_ALLOWED = 405


class Surveys:
    def __init__(self, world: Any) -> None:
        self.world = world
        admin = world.users["admin"]
        self.today = timezone.localdate()
        make_staff("100002", world.team, first_name="Casey", last_name="Teamtwo")
        make_staff("100003", world.team, first_name="Drew", last_name="Teamthree")
        # The open wave below reports groups of three: the portfolio allows it.
        services.policy_update(contact_window_days=14, min_responses=3, min_comments=10, reminder_after_days=3, actor=admin)
        default = services.default_instrument()
        assert default is not None
        self.default = default
        self.instrument_b = services.instrument_create(name="Case files pulse", programme=world.programme_b, base=self.default, actor=admin)
        self.draft = self.wave(world.programme_a, "Shared services pulse", [world.team])
        self.draft_b = self.wave(world.programme_b, "Case files pulse", [world.camden], instrument=self.instrument_b)
        self.open = self.wave(world.programme_a, "Shared services baseline", [world.frontline], min_responses=3)
        services.wave_launch(wave=self.open, actor=admin)
        services.open_due(self.today)
        self.open.refresh_from_db()
        assert self.open.status == SurveyWave.Status.OPEN

    def wave(self, programme: Any, title: str, units: list[Any], instrument: Any = None, **fields: Any) -> SurveyWave:
        return services.wave_create(programme=programme, instrument=instrument or self.default, title=title, opens_on=self.today,
                                    closes_on=self.today + dt.timedelta(days=14), actor=self.world.users["admin"],
                                    audience_source="manual", units=units, **fields)

    def token(self, staff_number: str = "100001", wave: SurveyWave | None = None) -> str:
        return Invitation.objects.get(staff__staff_number=staff_number, waves=wave or self.open).token

    def answers(self, wave: SurveyWave | None = None, **values: Any) -> dict[str, Any]:
        wave = wave or self.open
        return {f"w{wave.pk}-{code.replace('_', '-')}": value for code, value in values.items()}


@pytest.fixture
def surveys(world: Any) -> Surveys:
    return Surveys(world)


def _get(client: Any, url: str) -> Any:
    return client.get(url, HTTP_ACCEPT="application/json")


def _post(client: Any, url: str, body: Any = None) -> Any:
    return client.post(url, body if body is not None else {}, content_type="application/json")


def _login(client: Any, world: Any, persona: str) -> Any:
    client.logout()
    return _client(client, world, persona)


def _api(expected: dict[str, Any]) -> dict[str, Any]:
    return {**expected, "anonymous": API_LOGIN}


def _new_wave(s: Surveys) -> dict[str, Any]:
    w = s.world
    return {"programme": w.programme_a.pk, "instrument": s.default.pk, "title": "Through the API",
            "opens_on": str(s.today + dt.timedelta(days=7)), "closes_on": str(s.today + dt.timedelta(days=21)),
            "audience_source": "manual", "units": [w.team.pk]}


READ_A = _api({**READERS, "lead2": HIDDEN})
READ_B = _api({**READERS, "lead": HIDDEN, "champion": HIDDEN})
EVERYONE = dict.fromkeys(PERSONAS, OK)

# (method, url name, kwargs, body, expectations per persona)
API: list[tuple[str, str, Callable[[Surveys], dict[str, Any]], Callable[[Surveys], Any], dict[str, Any]]] = [
    ("get", "api-survey-instrument-list", lambda s: {}, lambda s: None, _api(READERS)),
    ("get", "api-survey-instrument-detail", lambda s: {"pk": s.default.pk}, lambda s: None, _api(READERS)),
    ("get", "api-survey-instrument-detail", lambda s: {"pk": s.instrument_b.pk}, lambda s: None, READ_B),
    # Read-only: a role that may add questionnaires is told the method is not allowed.
    ("post", "api-survey-instrument-list", lambda s: {}, lambda s: {"name": "x"}, _api(expect(admin=405, lead=405, lead2=405))),
    ("get", "api-survey-wave-list", lambda s: {}, lambda s: None, _api(READERS)),
    ("get", "api-survey-wave-detail", lambda s: {"pk": s.draft.pk}, lambda s: None, READ_A),
    ("get", "api-survey-wave-detail", lambda s: {"pk": s.draft_b.pk}, lambda s: None, READ_B),
    # lead2 may create waves, but not for AAA: the programme is not found (400).
    ("post", "api-survey-wave-list", lambda s: {}, _new_wave, _api(expect(admin=201, lead=201, lead2=400))),
    ("patch", "api-survey-wave-detail", lambda s: {"pk": s.draft.pk}, lambda s: {"title": "x"},
     _api(expect(admin=NOT_ALLOWED, lead=NOT_ALLOWED, lead2=NOT_ALLOWED))),
    # Change managers never delete waves (403); for admins the API has no delete.
    ("delete", "api-survey-wave-detail", lambda s: {"pk": s.draft.pk}, lambda s: None, _api(expect(admin=NOT_ALLOWED))),
    ("post", "api-survey-wave-launch", lambda s: {"pk": s.draft.pk}, lambda s: None, _api(expect(admin=OK, lead=OK, lead2=HIDDEN))),
    ("post", "api-survey-wave-launch", lambda s: {"pk": s.draft_b.pk}, lambda s: None, _api(expect(admin=OK, lead=HIDDEN, lead2=OK))),
    # POST only: once the role may read waves at all, a GET is not allowed.
    ("get", "api-survey-wave-launch", lambda s: {"pk": s.draft.pk}, lambda s: None, _api(expect(NOT_ALLOWED, auditor=DENY))),
    ("get", "api-survey-wave-audience", lambda s: {"pk": s.draft.pk}, lambda s: None, READ_A),
    ("get", "api-survey-wave-audience", lambda s: {"pk": s.draft_b.pk}, lambda s: None, READ_B),
    ("get", "api-survey-wave-rates", lambda s: {"pk": s.open.pk}, lambda s: None, READ_A),
    # Answering by link needs no account, and an account changes nothing.
    ("get", "api-survey-respond", lambda s: {"token": s.token()}, lambda s: None, EVERYONE),
    ("get", "api-survey-respond", lambda s: {"token": "not-a-real-token"}, lambda s: None, dict.fromkeys(PERSONAS, HIDDEN)),
    ("post", "api-survey-respond", lambda s: {"token": s.token()}, lambda s: s.answers(aw_why=4), dict.fromkeys(PERSONAS, 201)),
    ("post", "api-survey-respond", lambda s: {"token": "not-a-real-token"}, lambda s: {}, dict.fromkeys(PERSONAS, HIDDEN)),
]




@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "name", "kwargs", "body", "expected"), API, ids=[f"{a[0]}-{a[1]}-{n}" for n, a in enumerate(API)])
def test_api_matrix(request: Any, client: Any, world: Any, persona: str, method: str, name: str, kwargs: Any, body: Any,
                    expected: dict[str, Any]) -> None:
    s = Surveys(world)
    url = reverse(name, kwargs=kwargs(s))
    c = _client(client, world, persona)
    if method == "get":
        response = _get(c, url)
    else:
        response = getattr(c, method)(url, body(s) or {}, content_type="application/json")
    assert response.status_code == expected[persona], (response.status_code, expected[persona], getattr(response, "data", None))


def test_every_survey_api_url_is_in_the_matrix() -> None:
    names = {f"api-survey-instrument-{kind}" for kind in ("list", "detail")}
    names |= {f"api-survey-wave-{kind}" for kind in ("list", "detail", "launch", "audience", "rates")}
    names |= {"api-survey-respond"}
    assert names - COVERED_NAMES == set()


# ---------------------------------------------------------------- questionnaires


def test_instruments_carry_their_questions_in_order(client: Any, surveys: Surveys) -> None:
    c = _login(client, surveys.world, "lead")
    rows = _get(c, reverse("api-survey-instrument-list")).json()["results"]
    assert [r["name"] for r in rows] == ["Readiness survey"]  # not BBB's
    data = _get(c, reverse("api-survey-instrument-detail", args=[surveys.default.pk])).json()
    codes = [q["code"] for q in data["questions"]]
    assert codes == [q.code for q in surveys.default.ordered_questions()]
    assert codes[0] == "aw-why" and codes[-1] == "one-thing"
    first = data["questions"][0]
    assert set(first) == {"position", "code", "text", "hint", "kind", "adkar", "choices"}
    assert first["kind"] == "likert" and first["adkar"] == "awareness" and first["choices"] == []
    assert data["programme"] is None and data["is_default"] is True and data["locked"] is True  # the open wave was sent with it
    lead2 = _login(client, surveys.world, "lead2")
    assert {r["name"] for r in _get(lead2, reverse("api-survey-instrument-list")).json()["results"]} == {"Readiness survey", "Case files pulse"}


def test_board_sees_every_programmes_questionnaires(client: Any, surveys: Surveys) -> None:
    c = _login(client, surveys.world, "board")
    names = {r["name"] for r in _get(c, reverse("api-survey-instrument-list")).json()["results"]}
    assert names == {"Readiness survey", "Case files pulse"}


# ---------------------------------------------------------------- waves


def test_waves_list_filters_and_scopes(client: Any, surveys: Surveys) -> None:
    w = surveys.world
    c = _login(client, w, "admin")
    url = reverse("api-survey-wave-list")
    titles = {r["title"] for r in _get(c, url).json()["results"]}
    assert titles == {"Shared services pulse", "Case files pulse", "Shared services baseline"}
    assert {r["title"] for r in _get(c, f"{url}?programme={w.programme_b.pk}").json()["results"]} == {"Case files pulse"}
    assert {r["title"] for r in _get(c, f"{url}?status=open").json()["results"]} == {"Shared services baseline"}
    assert {r["title"] for r in _get(c, f"{url}?status=draft&programme={w.programme_a.pk}").json()["results"]} == {"Shared services pulse"}
    lead = _login(client, w, "lead")
    assert {r["title"] for r in _get(lead, url).json()["results"]} == {"Shared services pulse", "Shared services baseline"}
    # Another programme is not a choice for this lead.
    assert _get(lead, f"{url}?programme={w.programme_b.pk}").status_code == 400
    detail = _get(lead, reverse("api-survey-wave-detail", args=[surveys.draft.pk])).json()
    assert detail["programme_code"] == "AAA" and detail["status"] == "draft" and detail["units"] == [w.team.pk]
    assert detail["instrument_name"] == "Readiness survey" and detail["min_responses"] == 3  # the policy set above


def test_change_managers_create_waves(client: Any, surveys: Surveys) -> None:
    w = surveys.world
    url = reverse("api-survey-wave-list")
    c = _login(client, w, "lead")
    response = _post(c, url, {**_new_wave(surveys), "status": "open", "min_responses": 4})
    assert response.status_code == 201, response.json()
    created = SurveyWave.objects.get(pk=response.json()["id"])
    assert created.status == "draft" and created.created_by == w.users["lead"] and created.min_responses == 4
    assert list(created.units.all()) == [w.team] and created.programme == w.programme_a
    assert response.json()["status"] == "draft" and "created_by" not in response.json()
    # Another programme does not exist for this lead.
    response = _post(c, url, {**_new_wave(surveys), "programme": w.programme_b.pk})
    assert response.status_code == 400 and set(response.json()) == {"programme"}
    assert _post(_login(client, w, "board"), url, _new_wave(surveys)).status_code == 403


@pytest.mark.parametrize(("change", "field"), [
    ({"closes_on": "2020-01-01"}, "closes_on"),
    ({"units": []}, "units"),
    ({"min_responses": 2}, "min_responses"),
    ({"recurrence": "weekly"}, "repeat_until"),
    ({"sampling": "stratified"}, "sample_per_unit"),
    ({"title": ""}, "title"),
    ({"opens_on": "not a date"}, "opens_on"),
    ({"audience_source": "everyone"}, "audience_source"),
])
def test_create_validation_errors_are_per_field(client: Any, surveys: Surveys, change: dict[str, Any], field: str) -> None:
    c = _login(client, surveys.world, "lead")
    before = SurveyWave.objects.count()
    response = _post(c, reverse("api-survey-wave-list"), {**_new_wave(surveys), **change})
    assert response.status_code == 400, response.json()
    assert field in response.json(), response.json()
    assert all(isinstance(m, str) and m for m in response.json()[field])
    assert SurveyWave.objects.count() == before


def test_create_refuses_another_programmes_instrument(client: Any, surveys: Surveys) -> None:
    c = _login(client, surveys.world, "admin")
    response = _post(c, reverse("api-survey-wave-list"), {**_new_wave(surveys), "instrument": surveys.instrument_b.pk})
    assert response.status_code == 400 and response.json() == {"instrument": ["That instrument belongs to another programme."]}
    # For the lead, BBB's questionnaire does not exist at all.
    response = _post(_login(client, surveys.world, "lead"), reverse("api-survey-wave-list"),
                     {**_new_wave(surveys), "instrument": surveys.instrument_b.pk})
    assert response.status_code == 400 and "instrument" in response.json()


def test_launch_schedules_and_sends(client: Any, surveys: Surveys, django_capture_on_commit_callbacks: Any) -> None:
    c = _login(client, surveys.world, "lead")
    url = reverse("api-survey-wave-launch", args=[surveys.draft.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(c, url)
    assert response.status_code == 200, response.json()
    surveys.draft.refresh_from_db()
    # Opens today, so the worker sent it straight away.
    assert surveys.draft.status == SurveyWave.Status.OPEN
    assert response.json()["id"] == surveys.draft.pk
    # Its three people were asked by AAA's other wave today: the contact budget defers them.
    assert surveys.draft.deferrals.count() == 3 and not Invitation.objects.filter(waves=surveys.draft).exists()
    again = _post(c, url)
    assert again.status_code == 400 and again.json() == ["Only a draft wave can be launched."]


def test_launch_a_wave_opening_later_only_schedules(client: Any, surveys: Surveys, django_capture_on_commit_callbacks: Any) -> None:
    wave = surveys.wave(surveys.world.programme_a, "Later", [surveys.world.team])
    SurveyWave.objects.filter(pk=wave.pk).update(opens_on=surveys.today + dt.timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(_login(client, surveys.world, "admin"), reverse("api-survey-wave-launch", args=[wave.pk]))
    assert response.status_code == 200 and response.json()["status"] == "scheduled"
    assert not Invitation.objects.filter(waves=wave).exists()


def test_launch_needs_the_programme_in_change_scope(client: Any, surveys: Surveys) -> None:
    w = surveys.world
    # lead is on AAA's team; taking them off it takes away the right to launch, not to see.
    w.users["lead"].programmes.set([])
    c = _login(client, w, "lead")
    assert _post(c, reverse("api-survey-wave-launch", args=[surveys.draft.pk])).status_code == 404


def test_audience_is_counts_only(client: Any, surveys: Surveys) -> None:
    c = _login(client, surveys.world, "lead")
    data = _get(c, reverse("api-survey-wave-audience", args=[surveys.draft.pk])).json()
    assert data == {"eligible": 3, "to_invite": 3, "units": 1, "without_email": 0}


# ---------------------------------------------------------------- rates


def _rates(client: Any, wave: SurveyWave, query: str = "") -> dict[str, Any]:
    response = _get(client, reverse("api-survey-wave-rates", args=[wave.pk]) + query)
    assert response.status_code == 200, response.status_code
    return response.json()


def test_rates_suppress_small_groups(client: Any, surveys: Surveys) -> None:
    w = surveys.world
    _post(client, reverse("api-survey-respond", args=[surveys.token("100001")]), surveys.answers(aw_why=4))
    _post(client, reverse("api-survey-respond", args=[surveys.token("200001")]), surveys.answers(aw_why=2))
    c = _login(client, w, "board")
    data = _rates(c, surveys.open)
    assert data["threshold"] == 3
    assert data["total"] == {"label": "All units", "invited": 4, "suppressed": False, "responded": 2, "imported": 0, "response_rate": 50.0}
    assert data["parent"] == {"id": w.frontline.pk, "code": w.frontline.code, "name": w.frontline.name}
    rows = {r["label"]: r for r in data["units"]}
    # Central West is hidden with North, its only sibling (secondary suppression).
    assert rows["Central West BCU"] == {"label": "Central West BCU", "unit_id": w.central_west.pk, "unit_code": w.central_west.code,
                                        "invited": 3, "suppressed": True, "responded": None, "imported": None, "response_rate": None,
                                        "has_children": True}
    # One person was invited in North BCU: nobody may tell whether they answered.
    north = rows["North BCU"]
    assert north["suppressed"] is True and north["invited"] == 1
    assert north["responded"] is None and north["imported"] is None and north["response_rate"] is None
    assert data["role_groups"] == [{"label": "Police officers", "invited": 4, "suppressed": False, "responded": 2, "imported": 0,
                                    "response_rate": 50.0}]
    # Drilling down keeps the rule: Central West was hidden above, so its only
    # child is too (issue 17: its 1 would give Central West's, and North's by subtraction).
    down = _rates(c, surveys.open, f"?unit={w.central_west.pk}")
    assert down["parent"]["id"] == w.central_west.pk
    assert [(r["label"], r["responded"]) for r in down["units"]] == [("Westminster", None)]
    down = _rates(c, surveys.open, f"?unit={w.north.pk}")
    assert [(r["label"], r["invited"], r["responded"], r["response_rate"]) for r in down["units"]] == [("Camden", 1, None, None)]


def test_rates_suppress_everything_below_the_threshold(client: Any, surveys: Surveys) -> None:
    # BBB's draft, launched: the one person in Camden, already asked by AAA
    # today, gets it on the same link (another programme); the threshold is 5.
    services.wave_launch(wave=surveys.draft_b, actor=surveys.world.users["admin"])
    services.open_due(surveys.today)
    response = _post(client, reverse("api-survey-respond", args=[surveys.token("200001", surveys.draft_b)]), surveys.answers(aw_why=3))
    assert response.json() == {"stored": 1}  # only the section answered is stored
    data = _rates(_login(client, surveys.world, "lead2"), surveys.draft_b)
    assert data["total"]["invited"] == 1 and data["total"]["suppressed"] is True and data["total"]["responded"] is None
    assert data["units"] and data["role_groups"]
    assert all(r["responded"] is None and r["response_rate"] is None for r in data["units"] + data["role_groups"])


def test_rates_unit_parameter(client: Any, surveys: Surveys) -> None:
    c = _login(client, surveys.world, "admin")
    url = reverse("api-survey-wave-rates", args=[surveys.open.pk])
    assert _get(c, url + "?unit=999999").status_code == 404
    assert _get(c, url + "?unit=abc").status_code == 400
    # A team: only its own people, in a row with no unit to drill into.
    [row] = _rates(c, surveys.open, f"?unit={surveys.world.team.pk}")["units"]
    assert row["label"] == "Response Team 1 (directly)" and row["unit_id"] is None and row["invited"] == 3 and row["has_children"] is False


def test_rates_of_an_unsent_wave_are_empty(client: Any, surveys: Surveys) -> None:
    data = _rates(_login(client, surveys.world, "lead"), surveys.draft)
    assert data["units"] == [] and data["role_groups"] == [] and data["parent"] is None and data["total"]["invited"] == 0


# ---------------------------------------------------------------- answering by link


def test_survey_by_token_lists_open_sections(client: Any, surveys: Surveys) -> None:
    response = _get(client, reverse("api-survey-respond", args=[surveys.token()]))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0") and "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin" and response["X-Robots-Tag"] == "noindex, nofollow"
    data = response.json()
    assert data["closes_on"] == str(surveys.open.closes_on)
    [section] = data["sections"]
    assert section["programme"] == "Shared Services" and section["wave"] == "Shared services baseline"
    questions = {q["code"]: q for q in section["questions"]}
    assert questions["aw-why"]["name"] == f"w{surveys.open.pk}-aw-why"
    assert [o["value"] for o in questions["aw-why"]["options"]] == [1, 2, 3, 4, 5]
    assert questions["aw-why"]["options"][0]["label"] == "Strongly disagree"
    assert [o["value"] for o in questions["overall"]["options"]] == list(range(11))
    assert questions["one-thing"]["options"] == [] and questions["one-thing"]["max_length"] == 1000


def test_survey_combines_programmes(client: Any, surveys: Surveys) -> None:
    """A link carrying two programmes' waves lists both, each with its own keys."""
    w = surveys.world
    combined = surveys.wave(w.programme_b, "Case files baseline", [w.team])
    invitation = Invitation.objects.get(staff=w.staff_in, waves=surveys.open)
    invitation.waves.add(combined)
    services.wave_launch(wave=combined, actor=w.users["admin"])
    SurveyWave.objects.filter(pk=combined.pk).update(status=SurveyWave.Status.OPEN)
    data = _get(client, reverse("api-survey-respond", args=[invitation.token])).json()
    assert [s["programme"] for s in data["sections"]] == ["Shared Services", "Case Files"]
    body = {**surveys.answers(aw_why=5), **surveys.answers(wave=combined, aw_why=1)}
    assert _post(client, reverse("api-survey-respond", args=[invitation.token]), body).json() == {"stored": 2}
    assert Answer.objects.get(response__wave=combined, question__code="aw-why").value == 1


def test_submit_stores_one_anonymous_response(client: Any, surveys: Surveys) -> None:
    url = reverse("api-survey-respond", args=[surveys.token()])
    body = surveys.answers(aw_why=4, de_support="2", overall=7, one_thing="More time on the new system, please.")
    response = _post(client, url, body)
    assert response.status_code == 201 and response.json() == {"stored": 1}
    stored = Response.objects.get(wave=surveys.open)
    assert stored.unit == surveys.world.team and stored.role_group == "officer"
    assert {a.question.code: (a.value, a.text) for a in stored.answers.all()} == {
        "aw-why": (4, ""), "de-support": (2, ""), "overall": (7, ""), "one-thing": (None, "More time on the new system, please."),
    }
    assert Invitation.objects.get(token=surveys.token()).used is True


def test_double_submit_stores_once(client: Any, surveys: Surveys) -> None:
    url = reverse("api-survey-respond", args=[surveys.token()])
    assert _post(client, url, surveys.answers(aw_why=4)).status_code == 201
    second = _post(client, url, surveys.answers(aw_why=1))
    assert second.status_code == 409 and second.json() == {"detail": "This survey has already been answered."}
    assert Response.objects.filter(wave=surveys.open).count() == 1
    assert Answer.objects.get(response__wave=surveys.open).value == 4
    assert _get(client, url).status_code == 409


def test_unknown_closed_and_expired_links_look_the_same(client: Any, surveys: Surveys) -> None:
    unknown = reverse("api-survey-respond", args=["x" * 43])
    too_long = reverse("api-survey-respond", args=["x" * 100])
    token = surveys.token()
    gone = [_get(client, unknown), _post(client, unknown, {}), _get(client, too_long), _post(client, too_long, surveys.answers(aw_why=3))]
    services.wave_close(wave=surveys.open, actor=surveys.world.users["admin"])
    closed = reverse("api-survey-respond", args=[token])
    gone += [_get(client, closed), _post(client, closed, surveys.answers(aw_why=3))]
    # Expired: a wave still marked open after its closing date.
    other = surveys.token("100002")
    SurveyWave.objects.filter(pk=surveys.open.pk).update(status=SurveyWave.Status.OPEN, closes_on=surveys.today - dt.timedelta(days=1))
    expired = reverse("api-survey-respond", args=[other])
    gone += [_get(client, expired), _post(client, expired, surveys.answers(aw_why=3))]
    assert {r.status_code for r in gone} == {404}
    assert len({r.content for r in gone}) == 1
    assert json.loads(gone[0].content) == {"detail": "This survey link cannot be used. It may have expired, or the survey may have closed."}
    assert Response.objects.count() == 0


@pytest.mark.parametrize("values", [
    {"aw_why": 9},
    {"aw_why": "yes"},
    {"overall": -1},
    {"aw_why": [4]},
    {"aw_why": True},
    {"one_thing": "x" * 1001},
])
def test_invalid_values_are_refused_per_field(client: Any, surveys: Surveys, values: dict[str, Any]) -> None:
    url = reverse("api-survey-respond", args=[surveys.token()])
    body = surveys.answers(de_support=3, **values)
    response = _post(client, url, body)
    assert response.status_code == 400, response.json()
    [name] = surveys.answers(**values)
    assert list(response.json()) == [name] and isinstance(response.json()[name][0], str)
    # Nothing stored, and the link still works.
    assert Response.objects.count() == 0
    assert _post(client, url, surveys.answers(aw_why=3)).status_code == 201


def test_submit_must_be_an_object(client: Any, surveys: Surveys) -> None:
    url = reverse("api-survey-respond", args=[surveys.token()])
    assert _post(client, url, [1, 2]).status_code == 400
    assert client.post(url, "{not json", content_type="application/json").status_code == 400
    assert client.post(url, {"a": "b"}).status_code == 415  # JSON only
    assert Response.objects.count() == 0


def test_submit_needs_no_csrf_token_and_ignores_the_session(client: Any, surveys: Surveys) -> None:
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(surveys.world.users["lead"])
    response = strict.post(reverse("api-survey-respond", args=[surveys.token()]), surveys.answers(aw_why=4), content_type="application/json")
    assert response.status_code == 201


# ---------------------------------------------------------------- anonymity


PERSONAL_KEYS = {"staff", "staff_number", "first_name", "last_name", "email", "username", "created_by", "token", "invitation",
                 "invitations", "responses", "answers", "deferrals", "actor", "uploaded_by"}


def _keys(data: Any) -> set[str]:
    if isinstance(data, dict):
        return set(data) | {k for v in data.values() for k in _keys(v)}
    if isinstance(data, list):
        return {k for v in data for k in _keys(v)}
    return set()


def test_no_response_names_a_person(client: Any, surveys: Surveys) -> None:
    w = surveys.world
    token = surveys.token()
    assert _post(client, reverse("api-survey-respond", args=[token]), surveys.answers(aw_why=4, one_thing="Zebracrossing")).status_code == 201
    other = surveys.token("100002")
    bodies = [_get(client, reverse("api-survey-respond", args=[other]))]
    c = _login(client, w, "admin")
    for name, args in [("api-survey-instrument-list", []), ("api-survey-instrument-detail", [surveys.default.pk]),
                       ("api-survey-wave-list", []), ("api-survey-wave-detail", [surveys.open.pk]),
                       ("api-survey-wave-audience", [surveys.open.pk]), ("api-survey-wave-rates", [surveys.open.pk]),
                       ("api-survey-wave-rates", [surveys.open.pk])]:
        bodies.append(_get(c, reverse(name, args=args)))
    bodies.append(_post(c, reverse("api-survey-wave-list"), _new_wave(surveys)))
    bodies.append(_post(c, reverse("api-survey-wave-launch", args=[surveys.draft.pk])))
    assert all(b.status_code in {200, 201} for b in bodies), [b.status_code for b in bodies]
    secrets = {token, other, "Inscope", "Outscope", "Teamtwo", "Teamthree", "Alex", "Casey", "Tester", "100001", "200001",
               "example.police.uk", "Zebracrossing"}
    for body in bodies:
        text = body.content.decode()
        assert not [s for s in secrets if s in text], (body.request["PATH_INFO"], [s for s in secrets if s in text])
        assert not _keys(body.json()) & PERSONAL_KEYS, (body.request["PATH_INFO"], _keys(body.json()) & PERSONAL_KEYS)


def test_links_do_not_reach_the_logs(client: Any, surveys: Surveys, caplog: Any) -> None:
    token = surveys.token()
    with caplog.at_level(logging.DEBUG):
        _get(client, reverse("api-survey-respond", args=["x" * 43]))
        _post(client, reverse("api-survey-respond", args=[token]), surveys.answers(aw_why=9))
        _post(client, reverse("api-survey-respond", args=[token]), surveys.answers(aw_why=4))
        _post(client, reverse("api-survey-respond", args=[token]), surveys.answers(aw_why=4))
    assert not [r for r in caplog.records if token in r.getMessage() or "x" * 43 in r.getMessage()]


def test_schema_documents_the_survey_api(client: Any, surveys: Surveys) -> None:
    response = _get(_login(client, surveys.world, "admin"), reverse("api-schema"))
    assert response.status_code == 200
    text = response.content.decode()
    for path in ("/api/v1/instruments/", "/api/v1/survey-waves/{id}/rates/", "/api/v1/survey-waves/{id}/launch/", "/api/v1/survey/{token}/"):
        assert path in text


def test_roles_that_never_may_are_refused(client: Any, surveys: Surveys) -> None:
    c = _login(client, surveys.world, "auditor")
    assert _get(c, reverse("api-survey-wave-list")).status_code == DENY
    assert _get(c, reverse("api-survey-instrument-list")).status_code == DENY
    client.logout()
    assert _get(client, reverse("api-survey-wave-rates", args=[surveys.open.pk])).status_code == API_LOGIN


# The URL names this module's matrix covers (core's completeness test reads it).
COVERED_NAMES = {a[1] for a in API}
