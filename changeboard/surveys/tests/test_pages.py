"""Survey pages: the permission matrix (every page as every persona) and
what each page does, including the public response page."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from changeboard.conftest import make_staff
from changeboard.core.models import AuditEntry, OutboxMessage
from changeboard.core.tests.test_permissions import HIDDEN, OK, PERSONAS, READERS, _check, _client, expect
from changeboard.surveys import services
from changeboard.surveys.models import AudienceCell, Instrument, Invitation, Question, Response, SurveyPolicy, SurveyWave

MOVED = 302
EDIT_A = expect(admin=OK, lead=OK, lead2=HIDDEN)
POST_A = expect(admin=MOVED, lead=MOVED, lead2=HIDDEN)
WAVE_A_READERS = {**READERS, "lead2": HIDDEN}
WAVE_B_READERS = {**READERS, "lead": HIDDEN, "champion": HIDDEN}


class Surveys:
    """AAA: a draft wave and an open wave reaching six people in the team;
    BBB: an open wave reaching two people in Camden."""

    def __init__(self, world: Any) -> None:
        self.world = world
        self.today = timezone.localdate()
        self.team_staff = [make_staff(f"3000{i}", world.team) for i in range(6)]
        self.camden_staff = [make_staff(f"4000{i}", world.camden) for i in range(2)]
        instrument = services.default_instrument()
        assert instrument is not None
        self.instrument = instrument
        self.draft = self.wave(world.programme_a, [world.team], title="AAA draft")
        self.open = self.wave(world.programme_a, [world.team], title="AAA pulse")
        self.open_b = self.wave(world.programme_b, [world.camden], title="BBB pulse")
        for wave in (self.open, self.open_b):
            services.wave_launch(wave=wave, actor=None)
        services.open_due(self.today)
        self.open.refresh_from_db()
        self.open_b.refresh_from_db()

    def wave(self, programme: Any, units: list[Any], **fields: Any) -> SurveyWave:
        fields.setdefault("title", "Pulse")
        return services.wave_create(programme=programme, instrument=self.instrument, opens_on=self.today,
                                    closes_on=self.today + dt.timedelta(days=13), audience_source="manual", units=units,
                                    actor=None, **fields)

    def token(self, wave: SurveyWave | None = None) -> str:
        invitation = Invitation.objects.filter(waves=wave or self.open, used=False).order_by("pk").first()
        assert invitation is not None
        return invitation.token

    def answers(self, token: str, value: str = "4") -> dict[str, str]:
        invitation, _ = services.invitation_for(token)
        assert invitation is not None
        return {services.field_name(w, q): (value if q.kind != "text" else "More time to practise") for w, qs in services.survey_sections(invitation) for q in qs}


@pytest.fixture
def s(world: Any) -> Surveys:
    return Surveys(world)


def _failed_message(s: Surveys) -> dict[str, Any]:
    message = OutboxMessage.objects.order_by("pk").first()
    assert message is not None
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxMessage.Status.FAILED, attempts=8)
    return {"pk": message.pk}


PAGES: list[tuple[str, Callable[[Surveys], dict[str, Any]], dict[str, Any]]] = [
    ("wave-list", lambda s: {}, READERS),
    ("wave-create", lambda s: {}, expect(admin=OK, lead=OK, lead2=OK)),
    ("wave-detail", lambda s: {"pk": s.draft.pk}, WAVE_A_READERS),
    ("wave-detail", lambda s: {"pk": s.open.pk}, WAVE_A_READERS),
    ("wave-detail", lambda s: {"pk": s.open_b.pk}, WAVE_B_READERS),
    ("wave-edit", lambda s: {"pk": s.draft.pk}, EDIT_A),
    ("wave-rates", lambda s: {"pk": s.open.pk}, WAVE_A_READERS),
    ("wave-deferrals", lambda s: {"pk": s.open.pk}, WAVE_A_READERS),
    ("wave-action", lambda s: {"pk": s.draft.pk, "action": "launch"}, expect(admin=405, lead=405, lead2=405)),
    ("wave-confirm", lambda s: {"pk": s.draft.pk, "action": "launch"}, EDIT_A),
    ("wave-confirm", lambda s: {"pk": s.open.pk, "action": "close"}, EDIT_A),
    ("survey-policy", lambda s: {}, READERS),
    ("instrument-list", lambda s: {}, READERS),
    ("instrument-create", lambda s: {}, expect(admin=OK, lead=OK, lead2=OK)),
    ("instrument-detail", lambda s: {"pk": s.instrument.pk}, READERS),
    # The default instrument belongs to the portfolio: only admins change it.
    ("question-create", lambda s: {"pk": s.instrument.pk}, expect(admin=OK, lead=HIDDEN, lead2=HIDDEN)),
    ("instrument-add", lambda s: {"pk": s.instrument.pk}, expect(admin=405, lead=405, lead2=405)),
    ("instrument-remove", lambda s: {"pk": s.instrument.pk, "question_pk": 1}, expect(admin=405, lead=405, lead2=405)),
    ("outbox-list", lambda s: {}, expect(admin=OK)),
    ("outbox-detail", lambda s: {"pk": OutboxMessage.objects.order_by("pk")[0].pk}, expect(admin=OK)),
]

POSTS: list[tuple[str, Callable[[Surveys], dict[str, Any]], dict[str, Any]]] = [
    ("wave-action", lambda s: {"pk": s.draft.pk, "action": "launch"}, POST_A),
    ("wave-action", lambda s: {"pk": s.draft.pk, "action": "cancel"}, POST_A),
    ("wave-action", lambda s: {"pk": s.open.pk, "action": "close"}, POST_A),
    ("survey-policy", lambda s: {}, expect(admin=OK, board=403, lead=403, lead2=403, champion=403)),
    ("outbox-detail", _failed_message, expect(admin=MOVED)),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "expected"), PAGES, ids=[f"{p[0]}-{n}" for n, p in enumerate(PAGES)])
def test_page_matrix(client: Any, s: Surveys, persona: str, name: str, kwargs: Any, expected: dict[str, Any]) -> None:
    url = reverse(name, kwargs=kwargs(s))
    _check(_client(client, s.world, persona).get(url), expected[persona])


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "expected"), POSTS, ids=[f"{p[0]}-{n}" for n, p in enumerate(POSTS)])
def test_post_matrix(client: Any, s: Surveys, persona: str, name: str, kwargs: Any, expected: dict[str, Any]) -> None:
    url = reverse(name, kwargs=kwargs(s))
    _check(_client(client, s.world, persona).post(url), expected[persona])


def test_the_survey_link_needs_no_account(client: Any, s: Surveys) -> None:
    assert client.get(reverse("survey-respond", args=[s.token()])).status_code == 200


COVERED_NAMES = {p[0] for p in PAGES} | {p[0] for p in POSTS} | {"survey-respond"}


# ---------------------------------------------------------------- building and launching


def test_lead_builds_and_launches_a_wave(client: Any, s: Surveys) -> None:
    c = _client(client, s.world, "lead")
    data = {
        "programme": s.world.programme_a.pk, "title": "Duty system pulse", "instrument": s.instrument.pk,
        "opens_on": s.today.isoformat(), "closes_on": (s.today + dt.timedelta(days=10)).isoformat(), "recurrence": "none",
        "audience_source": "manual", "units": [s.world.westminster.pk], "roles_text": "", "sampling": "census",
        "min_responses": 5, "min_comments": 10,
    }
    response = c.post(reverse("wave-create"), data)
    wave = SurveyWave.objects.get(title="Duty system pulse")
    assert response.status_code == 302 and response["Location"] == wave.get_absolute_url()
    page = c.get(wave.get_absolute_url()).content.decode()
    assert "If launched today" in page and "Launch wave" in page
    c.post(reverse("wave-action", args=[wave.pk, "launch"]), {"confirm": "yes"})
    services.open_due(s.today)
    wave.refresh_from_db()
    assert wave.status == SurveyWave.Status.OPEN
    # Everyone in the team was already invited by the open AAA wave: same
    # programme, so they are deferred rather than sent a second survey.
    in_team = s.open.invitations.count()
    assert in_team == 7  # the six made here and the world's own member of the team
    assert wave.deferrals.count() == in_team and not wave.invitations.exists()
    deferred = c.get(reverse("wave-deferrals", args=[wave.pk])).content.decode()
    assert "Already invited to a survey inside the contact window" in deferred


@pytest.mark.parametrize(("field", "value", "message"), [
    ("closes_on", "2020-01-01", "The closing date must be on or after the opening date."),
    ("min_responses", "2", "Ensure this value is greater than or equal to 3."),
    ("units", [], "Choose at least one unit"),
])
def test_wave_form_reports_bad_input(client: Any, s: Surveys, field: str, value: Any, message: str) -> None:
    c = _client(client, s.world, "lead")
    data = {
        "programme": s.world.programme_a.pk, "title": "Bad", "instrument": s.instrument.pk, "opens_on": s.today.isoformat(),
        "closes_on": (s.today + dt.timedelta(days=10)).isoformat(), "recurrence": "none", "audience_source": "manual",
        "units": [s.world.team.pk], "sampling": "census", "min_responses": 5, "min_comments": 10,
    }
    data[field] = value
    response = c.post(reverse("wave-create"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SurveyWave.objects.filter(title="Bad").exists()


def test_lead_cannot_build_a_wave_for_another_programme(client: Any, s: Surveys) -> None:
    c = _client(client, s.world, "lead")
    response = c.post(reverse("wave-create"), {"programme": s.world.programme_b.pk, "title": "Sneaky"})
    assert response.status_code == 200 and not SurveyWave.objects.filter(title="Sneaky").exists()


def test_open_wave_cannot_be_edited(client: Any, s: Surveys) -> None:
    c = _client(client, s.world, "lead")
    assert c.get(reverse("wave-edit", args=[s.open.pk])).status_code == 200
    response = c.post(reverse("wave-edit", args=[s.open.pk]), {"title": "Changed", "instrument": s.instrument.pk,
                                                                 "opens_on": s.today.isoformat(), "closes_on": s.today.isoformat(),
                                                                 "recurrence": "none", "audience_source": "manual",
                                                                 "units": [s.world.team.pk], "sampling": "census",
                                                                 "min_responses": 3, "min_comments": 3})
    assert "cannot be changed once it has opened" in response.content.decode()
    s.open.refresh_from_db()
    assert s.open.title == "AAA pulse" and s.open.min_responses == 5


# ---------------------------------------------------------------- response tracking


def test_rates_are_hidden_for_small_groups_and_shown_once_large_enough(client: Any, s: Surveys) -> None:
    c = _client(client, s.world, "admin")
    # BBB reached two people: fewer than five invited, so no rate is shown.
    small = c.get(reverse("wave-rates", args=[s.open_b.pk])).content.decode()
    assert "Too few people to show" in small
    token = s.token(s.open_b)
    services.submit(token=token, data=s.answers(token))
    small = c.get(reverse("wave-rates", args=[s.open_b.pk])).content.decode()
    assert "50.0%" not in small and "Too few people to show" in small
    # AAA reached seven: the rate climbs as people answer.
    before = c.get(reverse("wave-rates", args=[s.open.pk])).content.decode()
    assert "0.0%" in before
    for _ in range(3):
        token = s.token()
        services.submit(token=token, data=s.answers(token))
    after = c.get(reverse("wave-rates", args=[s.open.pk])).content.decode()
    assert "42.9%" in after  # 3 of 7


def test_rates_export_applies_the_same_suppression(client: Any, s: Surveys) -> None:
    c = _client(client, s.world, "admin")
    token = s.token(s.open_b)
    services.submit(token=token, data=s.answers(token))
    body = b"".join(c.get(reverse("wave-rates", args=[s.open_b.pk]) + "?export=csv").streaming_content).decode()
    assert "fewer than threshold" in body
    assert ",1," not in body  # the one response in a group of two is not revealed


def test_rates_drill_down_to_a_unit(client: Any, s: Surveys) -> None:
    c = _client(client, s.world, "admin")
    page = c.get(reverse("wave-detail", args=[s.open.pk]) + f"?unit={s.world.westminster.pk}").content.decode()
    assert "Response Team 1" in page
    assert c.get(reverse("wave-detail", args=[s.open.pk]) + "?unit=999999").status_code == 404


# ---------------------------------------------------------------- the public response page


def test_answering_from_a_link(client: Any, s: Surveys) -> None:
    token = s.token()
    url = reverse("survey-respond", args=[token])
    page = client.get(url)
    assert page.status_code == 200 and page["Cache-Control"].startswith("max-age=0")
    # Same-origin (the site default): links out of the page carry no referrer,
    # while the form post keeps its Origin for the CSRF check.
    assert page["Referrer-Policy"] == "same-origin"
    body = page.content.decode()
    assert "How ready do you feel?" in body and "I understand why this change is happening." in body
    done = client.post(url, s.answers(token))
    assert done.status_code == 200 and "Thank you" in done.content.decode()
    again = client.post(url, s.answers(token))
    assert "You have already answered this survey" in again.content.decode()
    assert client.get(url).status_code == 200
    assert Response.objects.filter(wave=s.open).count() == 1
    assert AudienceCell.objects.get(wave=s.open).responded == 1


def test_bad_answers_are_reported_and_nothing_is_stored(client: Any, s: Surveys) -> None:
    token = s.token()
    url = reverse("survey-respond", args=[token])
    data = s.answers(token)
    likert = next(k for k in data if k.endswith("aw-why"))
    data[likert] = "9"
    text = next(k for k in data if k.endswith("one-thing"))
    data[text] = "x" * 1001
    response = client.post(url, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Choose one of the options." in body and "Keep your answer to 1000 characters or fewer" in body
    assert 'class="govuk-error-summary"' in body
    assert not Response.objects.exists() and not Invitation.objects.get(token=token).used


def test_free_text_is_escaped(client: Any, s: Surveys) -> None:
    token = s.token()
    data = s.answers(token)
    data[next(k for k in data if k.endswith("one-thing"))] = "<script>alert(1)</script>"
    data[next(k for k in data if k.endswith("aw-why"))] = "nope"
    body = client.post(reverse("survey-respond", args=[token]), data).content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_unknown_closed_and_cancelled_links_look_the_same(client: Any, s: Surveys) -> None:
    token = s.token()
    unknown = client.get(reverse("survey-respond", args=["A" * 43]))
    services.wave_close(wave=s.open, actor=None)
    closed = client.get(reverse("survey-respond", args=[token]))
    posted = client.post(reverse("survey-respond", args=[token]), {})
    assert unknown.status_code == closed.status_code == posted.status_code == 404
    strip = lambda r: r.content.decode().split('<main', 1)[1].split('</main>', 1)[0]  # noqa: E731
    assert strip(unknown) == strip(closed) == strip(posted)
    assert "This survey link cannot be used" in strip(unknown)


def test_survey_links_are_redacted_from_logs(client: Any, s: Surveys, caplog: Any) -> None:
    from changeboard.core.middleware import RedactSurveyLinksFilter

    token = s.token()
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: %s", (f"/s/{token}/",), None)
    RedactSurveyLinksFilter().filter(record)
    assert token not in record.getMessage() and "/s/[redacted]/" in record.getMessage()


def test_submitting_writes_no_audit_row(client: Any, s: Surveys) -> None:
    token = s.token()
    before = AuditEntry.objects.count()
    client.post(reverse("survey-respond", args=[token]), s.answers(token))
    assert AuditEntry.objects.count() == before


def test_pages_do_not_reveal_who_answered(client: Any, s: Surveys) -> None:
    token = s.token()
    person = Invitation.objects.get(token=token).staff
    client.post(reverse("survey-respond", args=[token]), s.answers(token))
    c = _client(client, s.world, "admin")
    for url in (reverse("wave-detail", args=[s.open.pk]), reverse("wave-rates", args=[s.open.pk])):
        body = c.get(url).content.decode()
        assert person.last_name not in body and person.staff_number not in body


# ---------------------------------------------------------------- questionnaires and rules


def test_lead_makes_a_programme_questionnaire_and_adds_questions(client: Any, s: Surveys) -> None:
    c = _client(client, s.world, "lead")
    response = c.post(reverse("instrument-create"), {"programme": s.world.programme_a.pk, "name": "AAA readiness", "base": s.instrument.pk})
    instrument = Instrument.objects.get(name="AAA readiness")
    assert response.status_code == 302 and instrument.items.count() == s.instrument.items.count()
    response = c.post(reverse("question-create", args=[instrument.pk]), {
        "code": "aaa-rota", "text": "I know how the new rota will affect my shifts.", "kind": "likert", "adkar": "knowledge",
    })
    assert response.status_code == 302
    question = Question.objects.get(code="aaa-rota")
    assert question.programme == s.world.programme_a and instrument.items.filter(question=question).exists()
    # A wave sent with it freezes the version; the next change makes version 2.
    wave = s.wave(s.world.programme_a, [s.world.camden], title="With own questions")
    services.wave_update(wave=wave, instrument=instrument, actor=None)
    services.wave_launch(wave=wave, actor=None)
    services.open_due(s.today)
    response = c.post(reverse("instrument-remove", args=[instrument.pk, question.pk]))
    latest = services.latest_version(instrument)
    assert latest.version == 2 and not latest.items.filter(question=question).exists()
    assert instrument.items.filter(question=question).exists()
    assert response["Location"] == latest.get_absolute_url()
    # Another programme's lead cannot touch it.
    other = _client(client.__class__(), s.world, "lead2")
    assert other.post(reverse("instrument-add", args=[latest.pk]), {"question": question.pk}).status_code == 404


def test_duplicate_question_code_is_refused(client: Any, s: Surveys) -> None:
    c = _client(client, s.world, "admin")
    response = c.post(reverse("question-create", args=[s.instrument.pk]), {"code": "aw-why", "text": "Again", "kind": "likert"})
    assert response.status_code == 200 and "That code is already used" in response.content.decode()


def test_admin_changes_the_survey_rules(client: Any, s: Surveys) -> None:
    c = _client(client, s.world, "admin")
    response = c.post(reverse("survey-policy"), {"contact_window_days": 21, "min_responses": 6, "min_comments": 12, "reminder_after_days": 4})
    assert response.status_code == 302
    assert SurveyPolicy.current().contact_window_days == 21
    assert AuditEntry.objects.filter(object_type="surveys.surveypolicy").exists()
    bad = c.post(reverse("survey-policy"), {"contact_window_days": 21, "min_responses": 2, "min_comments": 12, "reminder_after_days": 4})
    assert bad.status_code == 200 and SurveyPolicy.current().min_responses == 6


# ---------------------------------------------------------------- outbox page


def test_outbox_lists_invitations_and_retries_failures(client: Any, s: Surveys) -> None:
    c = _client(client, s.world, "admin")
    page = c.get(reverse("outbox-list")).content.decode()
    assert "No mail server is configured" in page and "survey-invitation" in page
    message = OutboxMessage.objects.order_by("pk").first()
    assert message is not None
    detail = c.get(reverse("outbox-detail", args=[message.pk])).content.decode()
    assert "/s/" in detail  # the demo shows the link without a mail server
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxMessage.Status.FAILED, attempts=8)
    c.post(reverse("outbox-detail", args=[message.pk]))
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING and message.attempts == 0


def test_outbox_hides_message_text_in_production(client: Any, s: Surveys, settings: Any) -> None:
    settings.PRODUCTION = True
    c = _client(client, s.world, "admin")
    message = OutboxMessage.objects.order_by("pk").first()
    assert message is not None
    detail = c.get(reverse("outbox-detail", args=[message.pk])).content.decode()
    assert "/s/" not in detail and "Message text is not shown in production" in detail


def test_monthly_rounds_do_not_drift_after_a_short_month() -> None:
    monthly = SurveyWave.Recurrence.MONTHLY
    start = dt.date(2027, 1, 31)
    assert [services.add_period(start, monthly, n) for n in (1, 2, 3)] == [dt.date(2027, 2, 28), dt.date(2027, 3, 31), dt.date(2027, 4, 30)]
    assert services.add_period(dt.date(2027, 12, 15), monthly) == dt.date(2028, 1, 15)


def test_the_scheduler_runs_the_survey_pass(s: Surveys) -> None:
    """`run_scheduler --once` queues the pass; tests run tasks immediately."""
    from django.core.management import call_command

    SurveyWave.objects.filter(pk=s.open.pk).update(closes_on=s.today - dt.timedelta(days=1))
    scheduled = s.wave(s.world.programme_b, [s.world.westminster], title="Due today")
    services.wave_launch(wave=scheduled, actor=None)
    SurveyWave.objects.filter(pk=scheduled.pk).update(status=SurveyWave.Status.SCHEDULED)
    call_command("run_scheduler", once=True)
    s.open.refresh_from_db()
    scheduled.refresh_from_db()
    assert s.open.status == SurveyWave.Status.CLOSED
    assert scheduled.status == SurveyWave.Status.OPEN
