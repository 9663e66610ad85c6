"""Issue 17: no hidden group's responses or comments can be worked out by
subtracting the rows shown (totals, siblings, role groups, the levels of
the unit drill-down, the CSV and the API)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse

from changeboard.core.tests.test_permissions import _client
from changeboard.organisation.models import Unit
from changeboard.organisation.services import unit_ensure_path
from changeboard.surveys import services, tracking
from changeboard.surveys.models import Answer, AudienceCell, Question, Response, SurveyWave

from .test_pages import Surveys


@pytest.fixture
def s(world: Any) -> Surveys:
    return Surveys(world)


def _unit(world: Any, path: str) -> Unit:
    return unit_ensure_path(full_path=world.frontline.full_path + " > " + path, actor=None)


def _cells(wave: SurveyWave, *cells: tuple[Unit, str, int, int]) -> None:
    """Replace the wave's maintained counts with these (unit, role group, invited, responded)."""
    wave.cells.all().delete()
    for unit, group, invited, responded in cells:
        AudienceCell.objects.create(wave=wave, unit=unit, role_group=group, invited=invited, responded=responded)


# ---------------------------------------------------------------- 1. rates by role group


def _one_member_of_staff(s: Surveys) -> SurveyWave:
    wave = s.open
    _cells(wave, (s.world.team, "officer", 19, 10), (s.world.team, "staff", 1, 1))
    return wave


def test_the_role_group_table_cannot_be_subtracted_from_the_total(s: Surveys) -> None:
    wave = _one_member_of_staff(s)
    total = tracking.wave_total(wave)
    assert (total.invited, total.responded, total.suppressed) == (20, 11, False)
    groups = {r.label: r for r in tracking.role_group_rows(wave)}
    assert groups["Police staff"].suppressed  # one person
    # 20/11 minus 19/10 gave the one member of staff's answer: the officers hide too.
    assert groups["Police officers"].suppressed


def test_the_role_group_rows_are_hidden_in_the_page_csv_and_api(client: Any, s: Surveys) -> None:
    wave = _one_member_of_staff(s)
    c = _client(client, s.world, "admin")
    page = c.get(reverse("wave-rates", args=[wave.pk])).content.decode()
    assert ">10<" not in page and "52.6%" not in page  # officers' 10 of 19
    body = b"".join(c.get(reverse("wave-rates", args=[wave.pk]) + "?export=csv").streaming_content).decode()
    rows = {row[0]: row for row in csv.reader(io.StringIO(body))}
    assert rows["All units"][2] == "11"
    assert rows["Police officers"][2] == rows["Police staff"][2] == "fewer than threshold"
    data = c.get(reverse("api-survey-wave-rates", args=[wave.pk])).json()
    assert data["total"]["responded"] == 11
    assert [g["responded"] for g in data["role_groups"]] == [None, None]


def test_hidden_groups_together_must_not_be_all_or_nothing(s: Surveys) -> None:
    # Two small groups both hidden, but nobody in either answered: the total
    # minus the officers would say so. A third group is hidden with them.
    wave = s.open
    _cells(wave, (s.world.team, "officer", 19, 10), (s.world.team, "staff", 2, 0), (s.world.team, "other", 2, 0),
           (s.world.team, "unknown", 8, 4))
    groups = {r.label: r for r in tracking.role_group_rows(wave)}
    hidden = [r for r in groups.values() if r.suppressed]
    assert 0 < sum(r.responded for r in hidden) < sum(r.invited for r in hidden)
    assert groups["Not recorded"].suppressed and not groups["Police officers"].suppressed


# ---------------------------------------------------------------- 1. rates across levels


def test_a_unit_hidden_with_its_sibling_is_not_rebuilt_from_its_children(s: Surveys) -> None:
    # Central West (team, 9 people) is hidden with North (Camden, 2 people);
    # its children summed would give Central West back, and North by subtraction.
    w = s.world
    wave = s.open
    _cells(wave, (w.team, "officer", 9, 4), (w.camden, "officer", 2, 1))
    parent, rows = tracking.unit_rows(wave)
    assert parent == w.frontline
    assert all(r.suppressed for r in rows)  # North by size, Central West with it
    _, below = tracking.unit_rows(wave, w.central_west)
    assert [r.label for r in below] == ["Westminster"]
    assert all(r.suppressed for r in below)
    _, further = tracking.unit_rows(wave, w.westminster)
    assert all(r.suppressed for r in further)


def test_drilling_down_keeps_two_hidden_or_none(s: Surveys) -> None:
    # Westminster: three teams of 6, 7 and 8 and one person directly; the
    # parent row (Westminster) shows, so its children hide two or none.
    w = s.world
    team2, team3 = _unit(w, "Central West BCU > Westminster > Response Team 2"), _unit(w, "Central West BCU > Westminster > Response Team 3")
    wave = s.open
    _cells(wave, (w.team, "officer", 6, 3), (team2, "officer", 7, 4), (team3, "officer", 8, 5), (w.westminster, "officer", 1, 1))
    _, rows = tracking.unit_rows(wave, w.westminster)
    hidden = [r for r in rows if r.suppressed]
    assert len(hidden) >= 2 and {r.label for r in hidden} >= {"Westminster (directly)", "Response Team 1"}


def test_the_api_drill_down_hides_what_the_level_above_hid(client: Any, s: Surveys) -> None:
    w = s.world
    wave = s.open
    _cells(wave, (w.team, "officer", 9, 4), (w.camden, "officer", 2, 1))
    c = _client(client, w, "admin")
    url = reverse("api-survey-wave-rates", args=[wave.pk])
    top = c.get(url).json()
    assert top["total"]["responded"] == 5 and all(u["responded"] is None for u in top["units"])
    down = c.get(url + f"?unit={w.central_west.pk}").json()
    assert all(u["responded"] is None for u in down["units"])
    page = c.get(reverse("wave-rates", args=[wave.pk]) + f"?unit={w.central_west.pk}").content.decode()
    assert "44.4%" not in page  # Westminster's 4 of 9


# ---------------------------------------------------------------- 2. comments across levels


def _respond(wave: SurveyWave, unit: Unit, count: int, text: str) -> None:
    questions = wave.instrument.ordered_questions()
    question = next(q for q in questions if q.kind == Question.Kind.TEXT)
    likert = [q for q in questions if q.kind == Question.Kind.LIKERT]
    for i in range(count):
        response = Response.objects.create(wave=wave, unit=unit, role_group="officer")
        Answer.objects.create(response=response, question=question, text=f"{text} {i}")
        Answer.objects.bulk_create(Answer(response=response, question=q, value=4) for q in likert)


def test_a_parents_comments_minus_its_childrens_never_expose_a_small_group(client: Any, s: Surveys) -> None:
    # Westminster (shown as a row under Central West with 28 comments): two
    # teams of 12 and 11 show theirs, two of 2 and 3 are under the threshold
    # of 10. 28 - 12 - 11 would be the five comments from the small teams.
    w = s.world
    wave = s.open
    small1, small2 = _unit(w, "Central West BCU > Westminster > Team S1"), _unit(w, "Central West BCU > Westminster > Team S2")
    big2 = _unit(w, "Central West BCU > Westminster > Response Team 2")
    _cells(wave, (w.team, "officer", 15, 0), (big2, "officer", 15, 0), (small1, "officer", 3, 0), (small2, "officer", 4, 0),
           (w.camden, "officer", 30, 0))
    _respond(wave, w.team, 12, "big one")
    _respond(wave, big2, 11, "big two")
    _respond(wave, small1, 2, "small one")
    _respond(wave, small2, 3, "small two")
    _respond(wave, w.camden, 20, "camden")
    services.wave_close(wave=wave, actor=None)
    assert wave.min_comments == 10
    up = {g.label: g for g in tracking.readiness(wave, w.central_west)}
    assert up["Westminster"].comments is not None and len(up["Westminster"].comments) == 28
    down = {g.label: g for g in tracking.readiness(wave, w.westminster)}
    assert down["Team S1"].comments is None and down["Team S2"].comments is None
    shown = [t for g in down.values() if g.comments for t in g.comments]
    # What is left after subtracting must come from at least ten responses.
    hidden = sum(g.responses for g in down.values() if g.comments is None)
    assert hidden >= wave.min_comments
    assert len(up["Westminster"].comments) - len(shown) >= wave.min_comments
    c = _client(client, w, "admin")
    page = c.get(reverse("wave-detail", args=[wave.pk]) + f"?unit={w.central_west.pk}").content.decode()
    assert "small one 0" in page  # Westminster's comments, all together, one level up
    page = c.get(reverse("wave-detail", args=[wave.pk]) + f"?unit={w.westminster.pk}").content.decode()
    assert "big two 0" not in page and "small one 0" not in page


def test_comments_hidden_at_the_level_above_stay_hidden_below(s: Surveys) -> None:
    # Central West's two units: Westminster (12) and a small Lambeth (3):
    # Lambeth is hidden, so Westminster is too; drilling into Westminster
    # must not give its comments back (Central West's minus them = Lambeth's).
    w = s.world
    wave = s.open
    lambeth = _unit(w, "Central West BCU > Lambeth")
    _cells(wave, (w.team, "officer", 15, 0), (lambeth, "officer", 4, 0), (w.camden, "officer", 15, 0))
    _respond(wave, w.team, 12, "westminster")
    _respond(wave, lambeth, 3, "lambeth")
    _respond(wave, w.camden, 11, "camden")
    services.wave_close(wave=wave, actor=None)
    up = {g.label: g for g in tracking.readiness(wave, w.central_west)}
    assert up["Lambeth"].comments is None and up["Westminster"].comments is None
    assert tracking.readiness_total(wave, w.central_west).comments is not None  # 15 responses
    down = tracking.readiness(wave, w.westminster)
    assert all(g.comments is None for g in down)
    assert tracking.readiness_total(wave, w.westminster).comments is None
    assert all(g.means["awareness"] is None for g in down) or up["Westminster"].means["awareness"] is not None


# ---------------------------------------------------------------- 10. linkability


def test_settling_rewrites_every_used_link_of_the_wave_so_none_keeps_its_minute(s: Surveys) -> None:
    from changeboard.surveys.models import Invitation

    def answer_one() -> None:
        token = s.token()
        services.submit(token=token, data=s.answers(token))

    answer_one()
    assert services.settle_used_invitations() == 1
    assert services.settle_used_invitations() == 0  # an idle pass writes nothing
    # A reminder goes to the people who have not answered yet.
    services.remind_due(s.today + dt.timedelta(days=4))
    assert Invitation.objects.filter(waves=s.open, used=False, reminders_sent=1).exists()
    answer_one()
    # The second pass rewrites both used links, not only the new one: on
    # PostgreSQL each row version carries its writer's transaction id, so
    # rewriting only the new links would date each to the pass after its use
    # and pair it with the responses written in between.
    assert services.settle_used_invitations() == 2
    used = Invitation.objects.filter(waves=s.open, used=True)
    assert used.count() == 2 and not used.filter(settled=False).exists()
    # Nor does a used link keep how many reminders it had had.
    assert len(set(used.values_list("reminders_sent", flat=True))) == 1


def test_the_readiness_table_does_not_give_back_a_response_count_the_rates_hid(s: Surveys) -> None:
    # Under Westminster: A (2 invited, 1 answer), B (9, 6) and C (12, 5).
    # Rates hide A by size and B with it (fewest invited); the scores hide A
    # and C (fewest responses), so B is scored: its 6 responses beside the
    # total's 12 and C's 5 would give A's one answer.
    w = s.world
    wave = s.open
    a, b, c = (_unit(w, f"Central West BCU > Westminster > Team {x}") for x in "ABC")
    _cells(wave, (a, "officer", 2, 1), (b, "officer", 9, 6), (c, "officer", 12, 5))
    _respond(wave, a, 1, "a")
    _respond(wave, b, 6, "b")
    _respond(wave, c, 5, "c")
    services.wave_close(wave=wave, actor=None)
    _, rates = tracking.unit_rows(wave, w.westminster)
    assert {r.label for r in rates if r.suppressed} == {"Team A", "Team B"}
    groups = {g.label: g for g in tracking.readiness(wave, w.westminster)}
    assert groups["Team B"].scored and not groups["Team B"].count_shown
    assert groups["Team C"].count_shown or not groups["Team C"].scored
