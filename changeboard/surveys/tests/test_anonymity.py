"""Anonymity rules that need several groups and sources: per-element
thresholds, imported rows that cannot unlock real ones, secondary
suppression among siblings, scores only after close, and the clean-up of
everything that ties a person to a wave."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from changeboard.conftest import make_staff
from changeboard.core.models import OutboxMessage
from changeboard.core.tests.test_permissions import _client
from changeboard.organisation.services import unit_ensure_path
from changeboard.surveys import importing, services, tracking
from changeboard.surveys.models import Invitation, Response, SurveyPolicy, SurveyWave

from .test_pages import Surveys


@pytest.fixture
def s(world: Any) -> Surveys:
    return Surveys(world)


def answer_all(s: Surveys, wave: SurveyWave, value: str, count: int | None = None) -> None:
    tokens = list(Invitation.objects.filter(waves=wave, used=False).order_by("pk").values_list("token", flat=True))
    for token in tokens[:count]:
        services.submit(token=token, data=s.answers(token, value))


def test_a_blank_survey_is_refused_and_the_link_stays_usable(s: Surveys) -> None:
    token = s.token()
    with pytest.raises(ValidationError) as caught:
        services.submit(token=token, data={})
    assert services.NOTHING_ANSWERED in caught.value.messages
    assert not Response.objects.exists() and not Invitation.objects.get(token=token).used


def test_a_blank_survey_on_the_page_says_why(client: Any, s: Surveys) -> None:
    response = client.post(reverse("survey-respond", args=[s.token()]), {})
    assert response.status_code == 400 and services.NOTHING_ANSWERED in response.content.decode()


def test_only_the_sections_shown_are_stored(s: Surveys) -> None:
    token = s.token()
    shown = [s.open.pk]
    # Another programme's wave joins the link after the page was loaded.
    later = s.wave(s.world.programme_b, [s.world.team], title="BBB later")
    services.wave_launch(wave=later, actor=None)
    services.open_due(s.today)
    assert Invitation.objects.get(token=token).waves.count() == 2
    data = {k: v for k, v in s.answers(token).items() if k.startswith(f"w{s.open.pk}-")}
    assert services.submit(token=token, data=data, wave_ids=shown) == 1
    assert not Response.objects.filter(wave=later).exists()


def test_line_breaks_count_once(s: Surveys) -> None:
    token = s.token()
    data = s.answers(token)
    text = next(k for k in data if k.endswith("one-thing"))
    data[text] = "a\r\n" * 333 + "z"  # 1,000 characters as the browser counts them
    assert services.submit(token=token, data=data) == 1


def test_element_means_need_enough_people_answering_that_element(s: Surveys) -> None:
    tokens = list(Invitation.objects.filter(waves=s.open).order_by("pk").values_list("token", flat=True))
    # One person answers everything; four answer only the overall scale.
    services.submit(token=tokens[0], data=s.answers(tokens[0], "1"))
    for token in tokens[1:5]:
        invitation, _ = services.invitation_for(token)
        assert invitation is not None
        (wave, questions), = services.survey_sections(invitation)
        services.submit(token=token, data={services.field_name(wave, q): "7" for q in questions if q.code == "overall"})
    services.wave_close(wave=s.open, actor=None)
    group, = tracking.readiness(s.open, s.world.westminster)
    assert group.responses == 5 and not group.scored  # five responses, but one answered the ADKAR items


def test_scores_and_comments_show_only_after_close(client: Any, s: Surveys) -> None:
    answer_all(s, s.open, "4")
    c = _client(client, s.world, "admin")
    page = c.get(reverse("wave-detail", args=[s.open.pk])).content.decode()
    assert "Early readiness picture" not in page
    services.wave_close(wave=s.open, actor=None)
    page = c.get(reverse("wave-detail", args=[s.open.pk]) + f"?unit={s.world.westminster.pk}").content.decode()
    assert "Early readiness picture" in page and "4.0" in page


def test_imported_rows_cannot_unlock_a_few_real_responses(s: Surveys) -> None:
    answer_all(s, s.open, "2", count=1)
    services.wave_close(wave=s.open, actor=None)
    header = "unit_code,role_group," + ",".join(q.code for q in s.open.instrument.ordered_questions() if q.kind == "likert")
    row = f"{s.world.team.code},officer," + ",".join(["5"] * (header.count(",") - 1))
    importing.commit((header + "\n" + "\n".join([row] * 4) + "\n").encode(), "other-tool.csv", wave=s.open, actor=s.world.users["lead"])
    group, = tracking.readiness(s.open, s.world.westminster)
    assert group.responses == 5 and not group.scored
    # Enough of each source: both count.
    importing.commit((header + "\n" + row + "\n").encode(), "more.csv", wave=s.open, actor=s.world.users["lead"])
    group, = tracking.readiness(s.open, s.world.westminster)
    assert not group.scored  # the one link response still stands alone


def test_secondary_suppression_hides_a_second_sibling(s: Surveys) -> None:
    # Westminster: Team 1 (7 people) and a new Team 2 with 6; plus 1 person directly in Westminster.
    team2 = unit_ensure_path(full_path=s.world.westminster.full_path + " > Response Team 2", actor=None)
    for i in range(6):
        make_staff(f"5100{i}", team2)
    make_staff("520001", s.world.westminster)
    wave = s.wave(s.world.programme_b, [s.world.westminster], title="Westminster pulse")
    services.wave_launch(wave=wave, actor=None)
    services.open_due(s.today)
    wave.refresh_from_db()
    answer_all(s, wave, "4")
    services.wave_close(wave=wave, actor=None)
    groups = {g.label: g for g in tracking.readiness(wave, s.world.westminster)}
    assert set(groups) == {"Response Team 1", "Response Team 2", "Westminster (directly)"}
    assert not groups["Westminster (directly)"].scored  # one person
    # Team 2 (6) is smaller than Team 1 (7): hidden with it.
    assert not groups["Response Team 2"].scored and groups["Response Team 1"].scored
    # The parent (14 people) is shown: two hidden groups cannot be told apart.
    total = tracking.readiness_total(wave, s.world.westminster)
    assert total.responses == 14 and total.means["awareness"] == 4.0
    parent, rows = tracking.unit_rows(wave, s.world.westminster)
    suppressed = {r.label for r in rows if r.suppressed}
    assert suppressed == {"Westminster (directly)", "Response Team 2"}


def test_the_wave_list_hides_responses_of_small_audiences(client: Any, s: Surveys) -> None:
    answer_all(s, s.open_b, "4", count=1)  # BBB reached two people
    c = _client(client, s.world, "admin")
    page = c.get(reverse("wave-list")).content.decode()
    assert "Too few to show" in page
    body = b"".join(c.get(reverse("wave-list") + "?export=csv").streaming_content).decode()
    line = next(row for row in body.splitlines() if "BBB pulse" in row)
    assert line.endswith(",3,too few to show")  # three invited in Camden, one answered


def test_a_wave_cannot_go_below_the_portfolio_thresholds(s: Surveys) -> None:
    policy = SurveyPolicy.current()
    policy.min_comments = 12
    policy.save()
    with pytest.raises(ValidationError) as caught:
        s.wave(s.world.programme_a, [s.world.team], min_comments=10)
    assert "min_comments" in caught.value.message_dict
    assert s.wave(s.world.programme_a, [s.world.team], min_comments=15).min_comments == 15


def test_purging_invitations_removes_their_emails(s: Surveys) -> None:
    answer_all(s, s.open, "4", count=2)
    services.remind_due(s.today + dt.timedelta(days=3))
    ids = list(Invitation.objects.filter(waves=s.open).values_list("pk", flat=True))
    OutboxMessage.objects.update(status=OutboxMessage.Status.SENT)
    services.tick(s.today + dt.timedelta(days=13 + 15))
    assert not Invitation.objects.filter(pk__in=ids).exists()
    assert not OutboxMessage.objects.filter(key__startswith="survey-").filter(
        key__in=[f"survey-invitation:{pk}" for pk in ids] + [f"survey-reminder:{pk}:1" for pk in ids]).exists()


def test_used_links_are_settled_by_the_scheduler_pass(s: Surveys) -> None:
    answer_all(s, s.open, "4", count=2)
    assert Invitation.objects.filter(used=True, settled=False).count() == 2
    services.tick(s.today)
    assert not Invitation.objects.filter(used=True, settled=False).exists()


def test_a_champion_breakdown_stays_in_their_units(client: Any, s: Surveys) -> None:
    c = _client(client, s.world, "champion")  # Westminster
    page = c.get(reverse("wave-detail", args=[s.open.pk])).content.decode()
    assert "Response Team 1" in page and "Central West BCU" not in page.split("Response tracking", 1)[1]
    assert c.get(reverse("wave-detail", args=[s.open.pk]) + f"?unit={s.world.frontline.pk}").status_code == 404
    api = c.get(reverse("api-survey-wave-rates", args=[s.open.pk]) + f"?unit={s.world.root.pk}", HTTP_ACCEPT="application/json")
    assert api.status_code == 404
