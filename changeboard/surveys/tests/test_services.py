"""Survey services: instruments, audiences, sampling, the contact budget,
recurring rounds, reminders, personal links and anonymity.

Dates: sending, reminding and ticking take the day as an argument, so most
scenarios run on days relative to today. Answering a link checks the real
date (a wave must be open today), so a scenario that submits opens its
first wave today.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
import threading
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils import timezone

from changeboard.accounts.models import User
from changeboard.conftest import make_staff
from changeboard.core.models import AuditEntry, OutboxMessage
from changeboard.impacts import services as impacts
from changeboard.organisation.models import RankGrade, Staff, Unit
from changeboard.surveys import services, tracking
from changeboard.surveys.models import (
    ANSWER_TEXT_MAX,
    FREE_TEXT_LIMIT,
    Adkar,
    Answer,
    AudienceCell,
    Deferral,
    Instrument,
    Invitation,
    Question,
    Response,
    SurveyPolicy,
    SurveyWave,
)
from changeboard.surveys.services import AlreadySubmitted, LinkNotOpen, LinkState

if TYPE_CHECKING:
    from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper

Status = SurveyWave.Status
MANUAL = SurveyWave.Source.MANUAL
IMPACTED = SurveyWave.Source.IMPACTED
DAY = dt.timedelta(days=1)


# ---------------------------------------------------------------- helpers


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    """Today, held fixed for the test so a run across midnight cannot flake."""
    real = timezone.localdate
    day = real()

    def localdate(value: dt.datetime | None = None, timezone: Any = None) -> dt.date:
        return day if value is None else real(value, timezone)

    monkeypatch.setattr(timezone, "localdate", localdate)
    return day


@pytest.fixture
def admin(world: Any) -> Any:
    return world.users["admin"]


def programme_instrument(programme: Any, actor: User | None) -> Instrument:
    """A programme's own instrument, starting from the default's questions."""
    return services.instrument_create(name=f"{programme.code} readiness", programme=programme, actor=actor,
                                      base=services.default_instrument())


def make_wave(programme: Any, actor: User | None, *, opens: dt.date, closes: dt.date | None = None, units: list[Unit] | None = None,
              instrument: Instrument | None = None, title: str = "Readiness", **fields: Any) -> SurveyWave:
    fields.setdefault("audience_source", MANUAL)
    return services.wave_create(
        programme=programme, instrument=instrument or programme_instrument(programme, actor), title=title, opens_on=opens,
        closes_on=closes or opens + dt.timedelta(days=10), actor=actor, units=units or [], **fields,
    )


def launched(wave: SurveyWave, actor: User | None) -> SurveyWave:
    services.wave_launch(wave=wave, actor=actor)
    wave.refresh_from_db()
    return wave


def close(wave: SurveyWave, actor: User | None) -> SurveyWave:
    wave.refresh_from_db()
    return services.wave_close(wave=wave, actor=actor)


def invitations_of(staff: Staff) -> list[Invitation]:
    return list(Invitation.objects.filter(staff=staff).order_by("sent_on", "pk"))


def wave_ids(invitation: Invitation) -> set[int]:
    return set(invitation.waves.values_list("pk", flat=True))


def invitation_emails(staff: Staff) -> int:
    return OutboxMessage.objects.filter(kind="survey-invitation", to_address=staff.email).count()


def likert_answers(wave: SurveyWave, value: int = 4) -> dict[str, str]:
    return {services.field_name(wave, q): str(value) for q in wave.instrument.ordered_questions() if q.kind == Question.Kind.LIKERT}


def token_of(staff: Staff) -> str:
    return Invitation.objects.get(staff=staff).token


# ---------------------------------------------------------------- instruments


@pytest.mark.django_db
def test_default_instrument_has_one_to_three_agreement_items_per_adkar_element() -> None:
    default = services.default_instrument()
    assert default is not None and default.is_default and default.programme_id is None
    questions = default.ordered_questions()
    per_element = {element: [q for q in questions if q.adkar == element] for element in Adkar.values}
    for element, items in per_element.items():
        assert 1 <= len(items) <= 3, element
        assert all(q.kind == Question.Kind.LIKERT for q in items), element
    assert sum(1 for q in questions if q.kind == Question.Kind.TEXT) <= FREE_TEXT_LIMIT


def test_adding_to_a_sent_instrument_makes_a_new_version_and_the_sent_wave_keeps_its_questions(world: Any, admin: Any, today: dt.date) -> None:
    instrument = programme_instrument(world.programme_a, admin)
    original = [q.code for q in instrument.ordered_questions()]
    wave = launched(make_wave(world.programme_a, admin, opens=today, units=[world.westminster], instrument=instrument), admin)
    services.open_due(today)
    instrument.refresh_from_db()
    assert instrument.locked

    extra = services.question_create(code="aaa-extra", text="I know who my champion is.", kind=Question.Kind.LIKERT,
                                     adkar=Adkar.REINFORCEMENT, programme=world.programme_a, actor=admin)
    v2 = services.instrument_add_question(instrument=instrument, question=extra, actor=admin)
    assert v2.pk != instrument.pk
    assert (v2.lineage, v2.version, v2.locked) == (instrument.lineage, instrument.version + 1, False)
    assert [q.code for q in v2.ordered_questions()] == original + ["aaa-extra"]

    wave.refresh_from_db()
    assert wave.instrument_id == instrument.pk
    assert [q.code for q in wave.instrument.ordered_questions()] == original
    # An unlocked version is changed in place, not versioned again.
    another = services.question_create(code="aaa-more", text="Another", kind=Question.Kind.LIKERT, actor=admin)
    assert services.instrument_add_question(instrument=instrument, question=another, actor=admin).pk == v2.pk
    assert Instrument.objects.filter(lineage=instrument.lineage).count() == 2
    # The next wave made from the old version uses the latest one.
    later = make_wave(world.programme_a, admin, opens=today + 20 * DAY, units=[world.westminster], instrument=instrument)
    assert later.instrument_id == v2.pk


def test_changing_the_sent_default_instrument_moves_the_default_to_the_new_version(world: Any, admin: Any, today: dt.date) -> None:
    default = services.default_instrument()
    assert default is not None
    launched(make_wave(world.programme_a, admin, opens=today, units=[world.westminster], instrument=default), admin)
    services.open_due(today)
    question = services.question_create(code="shared-new", text="Shared", kind=Question.Kind.LIKERT, actor=admin)
    v2 = services.instrument_add_question(instrument=default, question=question, actor=admin)
    assert services.default_instrument() == v2
    assert not Instrument.objects.get(pk=default.pk).is_default


def test_at_most_three_free_text_questions(world: Any, admin: Any) -> None:
    instrument = programme_instrument(world.programme_a, admin)
    have = sum(1 for q in instrument.ordered_questions() if q.kind == Question.Kind.TEXT)
    for n in range(FREE_TEXT_LIMIT - have):
        question = services.question_create(code=f"text-{n}", text=f"Tell us {n}", kind=Question.Kind.TEXT, actor=admin)
        services.instrument_add_question(instrument=instrument, question=question, actor=admin)
    one_more = services.question_create(code="text-over", text="One too many", kind=Question.Kind.TEXT, actor=admin)
    with pytest.raises(ValidationError, match="at most 3 free-text"):
        services.instrument_add_question(instrument=instrument, question=one_more, actor=admin)
    assert sum(1 for q in instrument.ordered_questions() if q.kind == Question.Kind.TEXT) == FREE_TEXT_LIMIT
    # Other kinds may still be added.
    likert = services.question_create(code="still-ok", text="Fine", kind=Question.Kind.LIKERT, actor=admin)
    services.instrument_add_question(instrument=instrument, question=likert, actor=admin)


def test_another_programmes_question_is_refused(world: Any, admin: Any) -> None:
    instrument = programme_instrument(world.programme_a, admin)
    theirs = services.question_create(code="bbb-only", text="Case files", kind=Question.Kind.LIKERT, programme=world.programme_b, actor=admin)
    with pytest.raises(ValidationError, match="another programme"):
        services.instrument_add_question(instrument=instrument, question=theirs, actor=admin)
    assert not instrument.items.filter(question=theirs).exists()
    ours = services.question_create(code="aaa-only", text="Finance", kind=Question.Kind.LIKERT, programme=world.programme_a, actor=admin)
    shared = services.question_create(code="shared", text="Shared", kind=Question.Kind.LIKERT, actor=admin)
    services.instrument_add_question(instrument=instrument, question=ours, actor=admin)
    services.instrument_add_question(instrument=instrument, question=shared, actor=admin)
    assert {"aaa-only", "shared"} <= {q.code for q in instrument.ordered_questions()}


# ---------------------------------------------------------------- audience


def _approved_assessment(programme: Any, admin: Any, units: list[Unit], day: dt.date, **line: Any) -> Any:
    assessment = impacts.assessment_create(programme=programme, title=f"{programme.code} impacts", actor=admin)
    impacts.line_save(assessment=assessment, actor=admin, units=units, title="A change", severity=3, start_date=day,
                      end_date=day + 14 * DAY, hours_per_person=Decimal("2"), **line)
    impacts.assessment_submit(assessment=assessment, actor=None)  # nobody approves their own
    impacts.assessment_approve(assessment=assessment, actor=admin)
    return assessment


def test_impacted_audience_is_the_staff_of_approved_lines_only(world: Any, admin: Any, today: dt.date) -> None:
    detective = make_staff("100002", world.team, role="Detective")
    westminster_officer = make_staff("100003", world.westminster)
    make_staff("100004", world.central_west)  # above the impacted unit
    _approved_assessment(world.programme_a, admin, [world.westminster], today)
    # A draft of this programme and another programme's approved line are ignored.
    draft = impacts.assessment_create(programme=world.programme_a, title="Next phase", actor=admin)
    impacts.line_save(assessment=draft, actor=admin, units=[world.camden], title="Draft", severity=2, start_date=today,
                      end_date=today + DAY, hours_per_person=Decimal("1"))
    submitted = impacts.assessment_create(programme=world.programme_a, title="Submitted", actor=admin)
    impacts.line_save(assessment=submitted, actor=admin, units=[world.north], title="Sub", severity=2, start_date=today,
                      end_date=today + DAY, hours_per_person=Decimal("1"))
    impacts.assessment_submit(assessment=submitted, actor=admin)
    _approved_assessment(world.programme_b, admin, [world.frontline], today)

    wave = make_wave(world.programme_a, admin, opens=today, audience_source=IMPACTED)
    assert set(services.eligible_staff(wave, today)) == {world.staff_in, detective, westminster_officer}
    wave.roles = ["Detective"]
    assert set(services.eligible_staff(wave, today)) == {detective}


def test_impacted_audience_follows_the_lines_roles_and_ranks(world: Any, admin: Any, today: dt.date) -> None:
    staff_grade = RankGrade.objects.filter(kind=RankGrade.Kind.STAFF).first()
    clerk = make_staff("100002", world.team, role="Detective", rank_grade=staff_grade)
    make_staff("100003", world.team, role="Detective")  # a detective officer, not a staff grade
    _approved_assessment(world.programme_a, admin, [world.central_west], today, roles=["Detective"])
    _approved_assessment(world.programme_b, admin, [world.central_west], today, rank_grades=[staff_grade])
    wave_a = make_wave(world.programme_a, admin, opens=today, audience_source=IMPACTED)
    wave_b = make_wave(world.programme_b, admin, opens=today, audience_source=IMPACTED)
    assert {s.staff_number for s in services.eligible_staff(wave_a, today)} == {"100002", "100003"}
    assert list(services.eligible_staff(wave_b, today)) == [clerk]


def test_impacted_audience_without_approved_lines_is_empty(world: Any, admin: Any, today: dt.date) -> None:
    wave = make_wave(world.programme_a, admin, opens=today, audience_source=IMPACTED)
    assert not services.eligible_staff(wave, today).exists()


def test_manual_audience_is_the_units_subtrees_narrowed_by_roles(world: Any, admin: Any, today: dt.date) -> None:
    detective = make_staff("100002", world.team, role="Detective")
    analyst = make_staff("100003", world.westminster, role="Analyst")
    make_staff("200002", world.camden, role="Detective")
    wave = make_wave(world.programme_a, admin, opens=today, units=[world.central_west])
    assert set(services.eligible_staff(wave, today)) == {world.staff_in, detective, analyst}
    wave = make_wave(world.programme_a, admin, opens=today, units=[world.central_west], roles=["Detective", "Analyst"])
    assert set(services.eligible_staff(wave, today)) == {detective, analyst}
    wave = make_wave(world.programme_a, admin, opens=today, units=[world.westminster, world.camden], roles=["Detective"])
    assert {s.staff_number for s in services.eligible_staff(wave, today)} == {"100002", "200002"}


def test_leavers_and_people_on_long_leave_are_not_surveyed(world: Any, admin: Any, today: dt.date) -> None:
    make_staff("100002", world.team, is_leaver=True)
    make_staff("100003", world.team, leave_date=today)  # left today
    make_staff("100004", world.team, leave_date=today - 30 * DAY)
    make_staff("100005", world.team, absent_until=today + DAY)
    stays = make_staff("100006", world.team, leave_date=today + DAY)  # still here today
    back = make_staff("100007", world.team, absent_until=today)  # back today
    returned = make_staff("100008", world.team, absent_until=today - 5 * DAY)
    wave = launched(make_wave(world.programme_a, admin, opens=today, units=[world.team]), admin)
    assert set(services.eligible_staff(wave, today)) == {world.staff_in, stays, back, returned}
    services.open_due(today)
    assert set(Invitation.objects.values_list("staff__staff_number", flat=True)) == {"100001", "100006", "100007", "100008"}


# ---------------------------------------------------------------- sampling


@pytest.fixture
def crowd(world: Any) -> dict[int, list[Staff]]:
    """Seven people in the team, four in Camden, one in Westminster itself."""
    people = {world.team.pk: [world.staff_in], world.camden.pk: [world.staff_out], world.westminster.pk: []}
    for n in range(2, 8):
        people[world.team.pk].append(make_staff(f"10000{n}", world.team))
    for n in range(2, 5):
        people[world.camden.pk].append(make_staff(f"20000{n}", world.camden))
    people[world.westminster.pk].append(make_staff("300001", world.westminster))
    return people


def test_stratified_sample_never_exceeds_the_target_per_unit_and_is_repeatable(world: Any, admin: Any, today: dt.date,
                                                                                  crowd: dict[int, list[Staff]]) -> None:
    wave = launched(make_wave(world.programme_a, admin, opens=today, units=[world.frontline],
                              sampling=SurveyWave.Sampling.STRATIFIED, sample_per_unit=2), admin)
    people = services._people(wave, today)
    first = services.sample(wave, people, set())
    assert [p.pk for p in services.sample(wave, list(reversed(people)), set())] == [p.pk for p in first]
    per_unit: dict[int, int] = {}
    for person in first:
        per_unit[person.unit_id] = per_unit.get(person.unit_id, 0) + 1
    assert per_unit == {world.team.pk: 2, world.camden.pk: 2, world.westminster.pk: 1}

    result = services.open_due(today)
    assert result.invited == 5
    assert set(Invitation.objects.values_list("staff_id", flat=True)) == {p.pk for p in first}
    cells = {(c.unit_id, c.invited) for c in AudienceCell.objects.filter(wave=wave)}
    assert cells == {(world.team.pk, 2), (world.camden.pk, 2), (world.westminster.pk, 1)}
    assert services.audience_summary(wave, today) == {"eligible": 12, "to_invite": 5, "units": 3, "without_email": 0}


def test_stratified_sample_prefers_people_not_recently_contacted(world: Any, admin: Any, today: dt.date,
                                                                 crowd: dict[int, list[Staff]]) -> None:
    wave = make_wave(world.programme_a, admin, opens=today, units=[world.team],
                     sampling=SurveyWave.Sampling.STRATIFIED, sample_per_unit=3)
    people = services._people(wave, today)
    recent = {p.pk for p in people[:4]}
    chosen = services.sample(wave, people, recent)
    assert len(chosen) == 3 and not {p.pk for p in chosen} & recent


def test_census_invites_everyone(world: Any, admin: Any, today: dt.date, crowd: dict[int, list[Staff]]) -> None:
    wave = launched(make_wave(world.programme_a, admin, opens=today, units=[world.frontline]), admin)
    result = services.open_due(today)
    assert result.invited == 12 == Invitation.objects.count()
    assert OutboxMessage.objects.filter(kind="survey-invitation").count() == 12
    assert sum(AudienceCell.objects.filter(wave=wave).values_list("invited", flat=True)) == 12
    wave.refresh_from_db()
    assert wave.status == Status.OPEN and wave.sent_at is not None


# ---------------------------------------------------------------- contact budget


def test_waves_due_the_same_day_send_one_invitation_carrying_both(world: Any, admin: Any, today: dt.date) -> None:
    wave_a = launched(make_wave(world.programme_a, admin, opens=today, closes=today + 5 * DAY, units=[world.frontline]), admin)
    wave_b = launched(make_wave(world.programme_b, admin, opens=today, closes=today + 9 * DAY, units=[world.north]), admin)
    result = services.open_due(today)
    assert sorted(result.waves) == sorted([wave_a.pk, wave_b.pk])
    assert result.invited == 2 and result.deferred == 0

    [both] = invitations_of(world.staff_out)
    assert wave_ids(both) == {wave_a.pk, wave_b.pk}
    assert both.expires_on == today + 9 * DAY
    assert invitation_emails(world.staff_out) == 1
    [only_a] = invitations_of(world.staff_in)
    assert wave_ids(only_a) == {wave_a.pk}
    assert invitation_emails(world.staff_in) == 1
    assert not Deferral.objects.exists()
    assert AudienceCell.objects.get(wave=wave_b).invited == 1
    assert sum(AudienceCell.objects.filter(wave=wave_a).values_list("invited", flat=True)) == 2

    # One link answers both programmes' surveys: one response each.
    data = likert_answers(wave_a) | likert_answers(wave_b, 2)
    assert services.submit(token=both.token, data=data) == 2
    assert Response.objects.filter(wave=wave_a).count() == 1 and Response.objects.filter(wave=wave_b).count() == 1
    assert set(Answer.objects.filter(response__wave=wave_b).values_list("value", flat=True)) == {2}


def test_a_later_wave_joins_an_unused_open_invitation_of_another_programme(world: Any, admin: Any, today: dt.date) -> None:
    wave_a = launched(make_wave(world.programme_a, admin, opens=today, closes=today + 5 * DAY, units=[world.frontline]), admin)
    services.open_due(today)
    wave_b = launched(make_wave(world.programme_b, admin, opens=today + 3 * DAY, closes=today + 20 * DAY, units=[world.north]), admin)
    result = services.open_due(today + 3 * DAY)
    assert (result.invited, result.combined, result.deferred) == (0, 1, 0)
    [invitation] = invitations_of(world.staff_out)
    assert wave_ids(invitation) == {wave_a.pk, wave_b.pk}
    assert invitation.sent_on == today and invitation.expires_on == today + 20 * DAY
    assert invitation_emails(world.staff_out) == 1  # no second email
    cell = AudienceCell.objects.get(wave=wave_b)
    assert (cell.unit_id, cell.invited) == (world.camden.pk, 1)
    assert not Deferral.objects.exists()


def test_a_later_wave_of_the_same_programme_inside_the_window_is_deferred(world: Any, admin: Any, today: dt.date) -> None:
    launched(make_wave(world.programme_a, admin, opens=today, units=[world.camden]), admin)
    services.open_due(today)
    second = launched(make_wave(world.programme_a, admin, opens=today + 3 * DAY, units=[world.camden], title="Second"), admin)
    result = services.open_due(today + 3 * DAY)
    assert (result.invited, result.combined, result.deferred) == (0, 0, 1)
    assert len(invitations_of(world.staff_out)) == 1
    deferral = Deferral.objects.get(wave=second)
    assert deferral.reason == Deferral.Reason.CONTACTED


def test_a_later_wave_after_the_earlier_link_was_used_is_deferred_until_the_window_passes(world: Any, admin: Any, today: dt.date) -> None:
    window = SurveyPolicy.current().contact_window_days
    assert window == 14
    wave_a = launched(make_wave(world.programme_a, admin, opens=today, units=[world.north]), admin)
    services.open_due(today)
    services.submit(token=token_of(world.staff_out), data=likert_answers(wave_a))

    weekly = launched(make_wave(world.programme_b, admin, opens=today + 3 * DAY, closes=today + 5 * DAY, units=[world.north],
                                recurrence=SurveyWave.Recurrence.WEEKLY, repeat_until=today + 60 * DAY), admin)
    result = services.open_due(today + 3 * DAY)
    assert (result.invited, result.combined, result.deferred) == (0, 0, 1)
    deferral = Deferral.objects.get(wave=weekly)
    assert deferral.staff_id == world.staff_out.pk
    assert deferral.reason == Deferral.Reason.CONTACTED
    assert deferral.last_contacted_on == today
    assert deferral.eligible_from == today + 14 * DAY
    assert deferral.next_round_on == today + 10 * DAY
    assert SurveyWave.objects.get(series=weekly, round_number=2).opens_on == today + 10 * DAY
    assert invitation_emails(world.staff_out) == 1
    assert len(invitations_of(world.staff_out)) == 1

    # The last day inside the window still defers; the first day after invites.
    last_inside = launched(make_wave(world.programme_b, admin, opens=today + 13 * DAY, units=[world.north], title="Inside"), admin)
    services.send_waves(waves=[last_inside], today=today + 13 * DAY)
    assert Deferral.objects.get(wave=last_inside).next_round_on is None
    outside = launched(make_wave(world.programme_b, admin, opens=today + 14 * DAY, units=[world.north], title="Outside"), admin)
    result = services.send_waves(waves=[outside], today=today + 14 * DAY)
    assert (result.invited, result.deferred) == (1, 0)
    newest = invitations_of(world.staff_out)[-1]
    assert (newest.sent_on, wave_ids(newest)) == (today + 14 * DAY, {outside.pk})
    assert invitation_emails(world.staff_out) == 2


def test_a_later_wave_after_the_earlier_waves_closed_is_deferred(world: Any, admin: Any, today: dt.date) -> None:
    wave_a = launched(make_wave(world.programme_a, admin, opens=today, closes=today + 10 * DAY, units=[world.north]), admin)
    services.open_due(today)
    close(wave_a, admin)  # closed early: its unused link can no longer be answered
    wave_b = launched(make_wave(world.programme_b, admin, opens=today + 3 * DAY, units=[world.north]), admin)
    services.tick(today + 3 * DAY)
    deferral = Deferral.objects.get(wave=wave_b)
    assert (deferral.reason, deferral.last_contacted_on, deferral.eligible_from) == (Deferral.Reason.CONTACTED, today, today + 14 * DAY)
    [invitation] = invitations_of(world.staff_out)
    assert wave_b.pk not in wave_ids(invitation)


def test_the_contact_window_is_configurable(world: Any, admin: Any, today: dt.date) -> None:
    services.policy_update(contact_window_days=3, min_responses=5, min_comments=10, reminder_after_days=3, actor=admin)
    wave_a = launched(make_wave(world.programme_a, admin, opens=today, units=[world.north]), admin)
    services.open_due(today)
    services.submit(token=token_of(world.staff_out), data=likert_answers(wave_a))
    inside = launched(make_wave(world.programme_b, admin, opens=today + 2 * DAY, units=[world.north]), admin)
    services.open_due(today + 2 * DAY)
    assert Deferral.objects.get(wave=inside).eligible_from == today + 3 * DAY
    after = launched(make_wave(world.programme_b, admin, opens=today + 3 * DAY, units=[world.north], title="After"), admin)
    result = services.open_due(today + 3 * DAY)
    assert result.invited == 1
    assert len(invitations_of(world.staff_out)) == 2
    assert not Deferral.objects.filter(wave=after).exists()


def test_people_without_email_are_deferred_not_invited(world: Any, admin: Any, today: dt.date) -> None:
    nameless = make_staff("200002", world.camden, email="")
    wave = launched(make_wave(world.programme_a, admin, opens=today, units=[world.camden]), admin)
    result = services.open_due(today)
    assert (result.invited, result.no_email) == (1, 1)
    assert not Invitation.objects.filter(staff=nameless).exists()
    assert Deferral.objects.get(wave=wave, staff=nameless).reason == Deferral.Reason.NO_EMAIL


def test_sending_twice_changes_nothing(world: Any, admin: Any, today: dt.date) -> None:
    launched(make_wave(world.programme_a, admin, opens=today, units=[world.frontline]), admin)
    services.open_due(today)
    again = services.open_due(today)
    assert again.waves == [] and again.invited == 0
    assert Invitation.objects.count() == 2 and OutboxMessage.objects.count() == 2


# ---------------------------------------------------------------- recurring rounds


def test_opening_a_weekly_wave_creates_the_next_round_until_repeat_until(world: Any, admin: Any, today: dt.date) -> None:
    first = launched(make_wave(world.programme_a, admin, opens=today, closes=today + 2 * DAY, units=[world.north], roles=["Response officer"],
                               recurrence=SurveyWave.Recurrence.WEEKLY, repeat_until=today + 14 * DAY), admin)
    services.open_due(today)
    second = SurveyWave.objects.get(series=first, round_number=2)
    assert (second.status, second.opens_on, second.closes_on) == (Status.SCHEDULED, today + 7 * DAY, today + 9 * DAY)
    assert (second.programme_id, second.instrument_id, second.recurrence, second.repeat_until) == (
        first.programme_id, first.instrument_id, first.recurrence, first.repeat_until)
    assert list(second.units.all()) == [world.north] and second.roles == ["Response officer"]

    services.open_due(today + 1 * DAY)  # nothing new before the next round is due
    assert SurveyWave.objects.filter(series=first).count() == 1
    services.open_due(today + 7 * DAY)
    second.refresh_from_db()
    assert second.status == Status.OPEN
    third = SurveyWave.objects.get(series=first, round_number=3)
    assert (third.opens_on, third.closes_on) == (today + 14 * DAY, today + 16 * DAY)
    services.open_due(today + 14 * DAY)
    assert SurveyWave.objects.filter(series=first).count() == 2  # a fourth round would open after repeat_until
    assert SurveyWave.objects.get(pk=third.pk).status == Status.OPEN


def test_monthly_rounds_move_by_calendar_month(world: Any, admin: Any) -> None:
    start = dt.date(2099, 1, 15)
    first = launched(make_wave(world.programme_a, admin, opens=start, closes=start + 6 * DAY, units=[world.north],
                               recurrence=SurveyWave.Recurrence.MONTHLY, repeat_until=dt.date(2099, 2, 15)), admin)
    services.open_due(start)
    second = SurveyWave.objects.get(series=first)
    assert (second.opens_on, second.closes_on) == (dt.date(2099, 2, 15), dt.date(2099, 2, 21))
    services.open_due(dt.date(2099, 2, 15))
    assert SurveyWave.objects.filter(series=first).count() == 1
    assert services.add_period(dt.date(2099, 1, 31), SurveyWave.Recurrence.MONTHLY) == dt.date(2099, 2, 28)
    assert services.add_period(dt.date(2099, 12, 20), SurveyWave.Recurrence.MONTHLY) == dt.date(2100, 1, 20)
    assert services.add_period(dt.date(2099, 12, 20), SurveyWave.Recurrence.FORTNIGHTLY) == dt.date(2100, 1, 3)


def test_a_one_off_wave_makes_no_next_round(world: Any, admin: Any, today: dt.date) -> None:
    launched(make_wave(world.programme_a, admin, opens=today, units=[world.north]), admin)
    services.open_due(today)
    assert SurveyWave.objects.count() == 1


def weekly_series(world: Any, admin: Any, today: dt.date, weeks: int = 3) -> SurveyWave:
    """A weekly series whose first round opened today (so round 2 is scheduled)."""
    first = launched(make_wave(world.programme_a, admin, opens=today, closes=today + 2 * DAY, units=[world.north],
                               recurrence=SurveyWave.Recurrence.WEEKLY, repeat_until=today + weeks * 7 * DAY), admin)
    services.open_due(today)
    return first


def test_a_cancelled_round_does_not_end_the_series(world: Any, admin: Any, today: dt.date) -> None:
    first = weekly_series(world, admin, today)
    second = SurveyWave.objects.get(series=first, round_number=2)
    services.wave_cancel(wave=second, actor=admin)
    assert SurveyWave.objects.get(pk=second.pk).status == Status.CANCELLED
    third = SurveyWave.objects.get(series=first, round_number=3)
    assert (third.status, third.opens_on, third.closes_on) == (Status.SCHEDULED, today + 14 * DAY, today + 16 * DAY)
    assert list(third.units.all()) == [world.north]
    services.open_due(today + 14 * DAY)
    assert SurveyWave.objects.get(pk=third.pk).status == Status.OPEN
    fourth = SurveyWave.objects.get(series=first, round_number=4)
    assert (fourth.status, fourth.opens_on) == (Status.SCHEDULED, today + 21 * DAY)


def test_a_round_missed_while_the_worker_was_down_does_not_end_the_series(world: Any, admin: Any, today: dt.date) -> None:
    first = weekly_series(world, admin, today, weeks=4)
    # Down from day 1 to day 17: round 2 (days 7-9) and round 3 (days 14-16) passed unsent.
    services.tick(today + 17 * DAY)
    rounds = dict(SurveyWave.objects.filter(series=first).values_list("round_number", "status"))
    assert rounds == {2: Status.CANCELLED, 3: Status.CANCELLED, 4: Status.SCHEDULED}
    services.tick(today + 21 * DAY)
    assert SurveyWave.objects.get(series=first, round_number=4).status == Status.OPEN
    assert SurveyWave.objects.get(series=first, round_number=5).opens_on == today + 28 * DAY


def test_cancelling_a_series_before_its_first_round_opens_cancels_the_survey(world: Any, admin: Any, today: dt.date) -> None:
    first = launched(make_wave(world.programme_a, admin, opens=today + DAY, closes=today + 2 * DAY, units=[world.north],
                               recurrence=SurveyWave.Recurrence.WEEKLY, repeat_until=today + 21 * DAY), admin)
    services.wave_cancel(wave=first, actor=admin)
    assert list(SurveyWave.objects.values_list("status", flat=True)) == [Status.CANCELLED]


# ---------------------------------------------------------------- reminders


def test_reminders_go_to_unused_links_at_most_twice_spaced_by_the_policy(world: Any, admin: Any, today: dt.date) -> None:
    others = [make_staff(f"20000{n}", world.camden) for n in (2, 3)]
    wave = launched(make_wave(world.programme_a, admin, opens=today, closes=today + 20 * DAY, units=[world.camden]), admin)
    services.open_due(today)
    services.submit(token=token_of(world.staff_out), data=likert_answers(wave))

    def reminded_to() -> list[str]:
        return sorted(OutboxMessage.objects.filter(kind="survey-reminder").values_list("to_address", flat=True))

    assert services.remind_due(today + 2 * DAY) == 0
    assert services.remind_due(today + 3 * DAY) == 2
    assert reminded_to() == sorted(s.email for s in others)
    assert services.remind_due(today + 3 * DAY) == 0  # the same day again
    assert services.remind_due(today + 5 * DAY) == 0  # not yet three days since the first reminder
    services.submit(token=token_of(others[0]), data=likert_answers(wave))
    assert services.remind_due(today + 6 * DAY) == 1
    assert reminded_to() == sorted([others[0].email, others[1].email, others[1].email])
    assert services.remind_due(today + 9 * DAY) == 0
    assert services.remind_due(today + 12 * DAY) == 0
    wave.refresh_from_db()
    assert (wave.reminders_sent, wave.last_reminder_on) == (2, today + 6 * DAY)
    assert Invitation.objects.get(staff=others[1]).reminders_sent == 2
    keys = set(OutboxMessage.objects.filter(kind="survey-reminder").values_list("key", flat=True))
    assert len(keys) == 3


def test_reminder_spacing_follows_the_policy(world: Any, admin: Any, today: dt.date) -> None:
    services.policy_update(contact_window_days=14, min_responses=5, min_comments=10, reminder_after_days=5, actor=admin)
    launched(make_wave(world.programme_a, admin, opens=today, closes=today + 20 * DAY, units=[world.camden]), admin)
    services.open_due(today)
    assert services.remind_due(today + 4 * DAY) == 0
    assert services.remind_due(today + 5 * DAY) == 1
    assert services.remind_due(today + 9 * DAY) == 0
    assert services.remind_due(today + 10 * DAY) == 1


def test_no_reminders_after_a_wave_closes(world: Any, admin: Any, today: dt.date) -> None:
    wave = launched(make_wave(world.programme_a, admin, opens=today, closes=today + 20 * DAY, units=[world.camden]), admin)
    past_close = launched(make_wave(world.programme_b, admin, opens=today, closes=today + 3 * DAY, units=[world.team]), admin)
    services.open_due(today)
    close(wave, admin)
    assert services.remind_due(today + 4 * DAY) == 0  # one closed by hand, one past its closing date
    services.tick(today + 4 * DAY)
    past_close.refresh_from_db()
    assert past_close.status == Status.CLOSED
    assert not OutboxMessage.objects.filter(kind="survey-reminder").exists()


# ---------------------------------------------------------------- links


def test_tokens_are_long_random_and_unique(world: Any, admin: Any, today: dt.date, crowd: dict[int, list[Staff]]) -> None:
    launched(make_wave(world.programme_a, admin, opens=today, units=[world.frontline]), admin)
    services.open_due(today)
    tokens = list(Invitation.objects.values_list("token", flat=True))
    assert len(tokens) == 12 == len(set(tokens))
    for token in tokens:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        assert len(raw) * 8 >= 128, token
        assert len(token) >= 43
    assert services.TOKEN_BYTES * 8 >= 128
    # Distinct bytes in every position would be vanishingly rare for a counter.
    assert len({t[:8] for t in tokens}) == len(tokens)


def test_unknown_links_are_refused(world: Any, admin: Any, today: dt.date) -> None:
    launched(make_wave(world.programme_a, admin, opens=today, units=[world.frontline]), admin)
    services.open_due(today)
    real = token_of(world.staff_in)
    for guess in (secrets.token_urlsafe(32), real[:-1], real + "A", "", "x" * 65, real.upper() if real.upper() != real else real.lower()):
        assert services.invitation_for(guess) == (None, LinkState.UNKNOWN), guess
        with pytest.raises(LinkNotOpen):
            services.submit(token=guess, data={})
    assert services.invitation_for(real)[1] == LinkState.OPEN
    assert not Response.objects.exists()


def test_a_link_works_once(world: Any, admin: Any, today: dt.date) -> None:
    wave = launched(make_wave(world.programme_a, admin, opens=today, units=[world.frontline]), admin)
    services.open_due(today)
    token = token_of(world.staff_in)
    assert services.submit(token=token, data=likert_answers(wave)) == 1
    assert services.invitation_for(token)[1] == LinkState.USED
    with pytest.raises(AlreadySubmitted):
        services.submit(token=token, data=likert_answers(wave, 1))
    assert Response.objects.filter(wave=wave).count() == 1
    assert set(Answer.objects.values_list("value", flat=True)) == {4}
    assert AudienceCell.objects.get(wave=wave, unit=world.team).responded == 1


def test_a_stale_check_still_stores_one_response(world: Any, admin: Any, today: dt.date, monkeypatch: pytest.MonkeyPatch) -> None:
    """A retry that passed the first check before the first request committed
    is stopped by the conditional update."""
    wave = launched(make_wave(world.programme_a, admin, opens=today, units=[world.frontline]), admin)
    services.open_due(today)
    token = token_of(world.staff_in)
    services.submit(token=token, data=likert_answers(wave))
    stale = Invitation.objects.get(token=token)
    stale.used = False
    monkeypatch.setattr(services, "invitation_for", lambda t: (stale, LinkState.OPEN))
    with pytest.raises(AlreadySubmitted):
        services.submit(token=token, data=likert_answers(wave))
    assert Response.objects.count() == 1


def test_a_closed_wave_link_is_not_open(world: Any, admin: Any, today: dt.date) -> None:
    wave = launched(make_wave(world.programme_a, admin, opens=today, units=[world.frontline]), admin)
    services.open_due(today)
    close(wave, admin)
    token = token_of(world.staff_in)
    assert services.invitation_for(token)[1] == LinkState.CLOSED
    with pytest.raises(LinkNotOpen):
        services.submit(token=token, data=likert_answers(wave))
    assert not Response.objects.exists()
    assert not Invitation.objects.get(token=token).used


def test_invalid_answers_leave_the_link_unused(world: Any, admin: Any, today: dt.date) -> None:
    wave = launched(make_wave(world.programme_a, admin, opens=today, units=[world.frontline]), admin)
    services.open_due(today)
    token = token_of(world.staff_in)
    text_q = next(q for q in wave.instrument.ordered_questions() if q.kind == Question.Kind.TEXT)
    likert_q = next(q for q in wave.instrument.ordered_questions() if q.kind == Question.Kind.LIKERT)
    too_long = {services.field_name(wave, text_q): "x" * (ANSWER_TEXT_MAX + 1)}
    with pytest.raises(ValidationError) as excinfo:
        services.submit(token=token, data=too_long)
    assert services.field_name(wave, text_q) in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        services.submit(token=token, data={services.field_name(wave, likert_q): "6"})
    assert not Response.objects.exists() and not Invitation.objects.get(token=token).used
    assert services.submit(token=token, data={services.field_name(wave, text_q): "y" * ANSWER_TEXT_MAX}) == 1
    assert Answer.objects.get().text == "y" * ANSWER_TEXT_MAX


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submissions_store_one_response(world: Any, admin: Any, today: dt.date, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both requests pass the first check (held at a barrier), then race to
    spend the link: the conditional update lets exactly one store."""
    if connection.vendor == "sqlite" and cast("SQLiteDatabaseWrapper", connection).is_in_memory_db():
        pytest.skip("The in-memory SQLite test database uses a shared cache, whose table locks fail at once "
                    "(SQLITE_LOCKED ignores the busy timeout) instead of waiting; covered on PostgreSQL and by "
                    "test_a_stale_check_still_stores_one_response")
    # Built here: a transactional test may run after another flushed the migration's default instrument.
    question = Question.objects.create(code="race", text="Ready?", kind=Question.Kind.LIKERT, adkar=Adkar.AWARENESS)
    instrument = Instrument.objects.create(name="Race")
    instrument.items.create(question=question, position=1)
    wave = make_wave(world.programme_a, admin, opens=today, units=[world.team], instrument=instrument)
    services.wave_launch(wave=wave, actor=admin)
    services.open_due(today)
    token = token_of(world.staff_in)
    data = {services.field_name(wave, question): "5"}

    barrier = threading.Barrier(2, timeout=30)
    real_clean = services.clean_answers

    def clean_then_wait(*args: Any, **kwargs: Any) -> Any:
        result = real_clean(*args, **kwargs)
        barrier.wait()
        return result

    monkeypatch.setattr(services, "clean_answers", clean_then_wait)
    outcomes: list[Any] = []

    def attempt() -> None:
        try:
            outcomes.append(services.submit(token=token, data=data))
        except Exception as exc:  # noqa: BLE001
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(map(repr, outcomes)) == sorted([repr(1), repr(AlreadySubmitted())]), outcomes
    assert Response.objects.filter(wave=wave).count() == 1
    assert Answer.objects.count() == 1
    assert AudienceCell.objects.get(wave=wave).responded == 1


# ---------------------------------------------------------------- anonymity


def _relations(model: type[models.Model]) -> set[Any]:
    return {f.related_model for f in model._meta.get_fields() if f.is_relation}


def test_responses_record_nobody_and_no_time() -> None:
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    names = {f.name for f in Response._meta.get_fields()}
    assert names == {"id", "wave", "unit", "role_group", "source", "answers"}
    assert _relations(Response) == {SurveyWave, Unit, Answer}
    assert {f.name for f in Answer._meta.get_fields()} == {"id", "response", "question", "value", "text"}
    assert _relations(Answer) == {Response, Question}
    for model in (Response, Answer):
        for f in model._meta.get_fields():
            assert not isinstance(f, (models.DateField, models.DateTimeField, models.TimeField)), (model, f.name)
            assert not f.is_relation or f.related_model not in {Staff, Invitation, user_model}, (model, f.name)
    assert Response._meta.pk.name == "id" and isinstance(Response._meta.pk, models.UUIDField)


def test_an_invitation_records_that_it_was_used_but_not_when() -> None:
    fields = {f.name: f for f in Invitation._meta.concrete_fields}
    assert isinstance(fields["used"], models.BooleanField)
    assert not any(isinstance(f, models.DateTimeField) for f in fields.values())
    dates = {name for name, f in fields.items() if isinstance(f, models.DateField)}
    assert dates == {"sent_on", "expires_on"}
    assert not any("response" in name or "answer" in name for name in fields)
    assert not any(f.related_model is Response for f in Invitation._meta.get_fields() if f.is_relation)


def test_submitting_writes_no_audit_entry_and_nothing_naming_the_person(world: Any, admin: Any, today: dt.date) -> None:
    wave = launched(make_wave(world.programme_a, admin, opens=today, units=[world.frontline]), admin)
    services.open_due(today)
    audits, messages = AuditEntry.objects.count(), OutboxMessage.objects.count()
    invitation = Invitation.objects.get(staff=world.staff_in)
    services.submit(token=invitation.token, data=likert_answers(wave))
    assert AuditEntry.objects.count() == audits
    assert OutboxMessage.objects.count() == messages
    response = Response.objects.get()
    assert (response.wave_id, response.unit_id, response.role_group, response.source) == (wave.pk, world.team.pk, "officer", "link")
    assert str(response.pk) != str(invitation.pk) and invitation.token not in str(response.pk)


def test_small_groups_hide_their_participation(world: Any, admin: Any, today: dt.date) -> None:
    team = [world.staff_in] + [make_staff(f"10000{n}", world.team) for n in range(2, 7)]  # six
    make_staff("200002", world.camden)  # two in Camden
    wave = launched(make_wave(world.programme_a, admin, opens=today, units=[world.frontline], min_responses=5), admin)
    services.open_due(today)
    for person in (team[0], team[1], world.staff_out):
        services.submit(token=token_of(person), data=likert_answers(wave))

    top, rows = tracking.unit_rows(wave)
    assert top == world.frontline
    by_label = {row.label: row for row in rows}
    central, north = by_label[world.central_west.name], by_label[world.north.name]
    # North is hidden (two invited), so Central West, its only sibling, is
    # hidden with it: otherwise the total less Central would give North away.
    assert (central.invited, central.responded, central.suppressed, central.forced, central.rate) == (6, 2, True, True, None)
    assert central.as_dict()["responded"] is None
    assert north.invited == 2 and north.suppressed and not north.forced and north.rate is None
    data = north.as_dict()
    assert data["suppressed"] is True and data["invited"] == 2
    assert data["responded"] is None and data["response_rate"] is None and data["imported"] is None
    total = tracking.wave_total(wave)
    assert (total.invited, total.responded, total.suppressed, total.rate) == (8, 3, False, 37.5)
    [officers] = tracking.role_group_rows(wave)
    assert (officers.invited, officers.responded) == (8, 3)

    # The threshold is on people invited: at it the rate shows, below it nothing does.
    assert not tracking.RateRow("At", 5, 1, 0, 5).suppressed and tracking.RateRow("At", 5, 1, 0, 5).rate == 20.0
    below = tracking.RateRow("Below", 4, 1, 2, 5)
    assert below.suppressed and below.rate is None
    assert below.as_dict() == {"label": "Below", "invited": 4, "suppressed": True, "responded": None, "imported": None, "response_rate": None}


@pytest.mark.parametrize("field", ["min_responses", "min_comments"])
def test_thresholds_below_three_are_refused(world: Any, admin: Any, today: dt.date, field: str) -> None:
    services.policy_update(contact_window_days=14, min_responses=3, min_comments=3, reminder_after_days=3, actor=admin)
    with pytest.raises(ValidationError) as excinfo:
        make_wave(world.programme_a, admin, opens=today, units=[world.team], **cast(dict[str, Any], {field: 2}))
    assert field in excinfo.value.message_dict
    assert not SurveyWave.objects.exists()
    make_wave(world.programme_a, admin, opens=today, units=[world.team], **cast(dict[str, Any], {field: 3}))
    with pytest.raises(ValidationError):
        services.policy_update(contact_window_days=14, reminder_after_days=3, actor=admin,
                               **{"min_responses": 5, "min_comments": 10} | {field: 2})


def test_new_waves_take_the_policys_thresholds(world: Any, admin: Any, today: dt.date) -> None:
    services.policy_update(contact_window_days=14, min_responses=7, min_comments=12, reminder_after_days=3, actor=admin)
    wave = make_wave(world.programme_a, admin, opens=today, units=[world.team])
    assert (wave.min_responses, wave.min_comments) == (7, 12)


# ---------------------------------------------------------------- tick


def test_tick_closes_past_waves_and_purges_invitations_after_the_window(world: Any, admin: Any, today: dt.date) -> None:
    wave = launched(make_wave(world.programme_a, admin, opens=today, closes=today + 4 * DAY, units=[world.frontline]), admin)
    late = launched(make_wave(world.programme_b, admin, opens=today + 1 * DAY, closes=today + 40 * DAY, units=[world.north]), admin)
    first = services.tick(today)
    assert first["sent"]["invited"] == 2 and first["closed"] == 0
    services.tick(today + 1 * DAY)  # programme B's wave joins Camden's open invitation

    assert services.tick(today + 4 * DAY)["closed"] == 0
    wave.refresh_from_db()
    assert wave.status == Status.OPEN
    assert services.tick(today + 5 * DAY)["closed"] == 1
    wave.refresh_from_db()
    assert wave.status == Status.CLOSED
    assert services.invitation_for(token_of(world.staff_in))[1] == LinkState.CLOSED

    # Purged once closed and the contact window has passed since closing and sending.
    assert services.tick(today + 18 * DAY)["purged"] == 0
    assert services.tick(today + 19 * DAY)["purged"] == 1
    assert list(Invitation.objects.values_list("staff_id", flat=True)) == [world.staff_out.pk]  # still runs until day 40
    assert sum(AudienceCell.objects.filter(wave=wave).values_list("invited", flat=True)) == 2
    assert services.tick(today + 55 * DAY)["purged"] == 1
    assert not Invitation.objects.exists()
    late.refresh_from_db()
    assert late.status == Status.CLOSED


def test_tick_cancels_scheduled_waves_whose_window_passed_unsent(world: Any, admin: Any, today: dt.date) -> None:
    wave = launched(make_wave(world.programme_a, admin, opens=today + DAY, closes=today + 2 * DAY, units=[world.team]), admin)
    services.tick(today + 3 * DAY)
    wave.refresh_from_db()
    assert wave.status == Status.CANCELLED
    assert not Invitation.objects.exists()


def test_tick_purges_deferrals_of_closed_waves_after_the_window(world: Any, admin: Any, today: dt.date) -> None:
    launched(make_wave(world.programme_a, admin, opens=today, closes=today + 2 * DAY, units=[world.north]), admin)
    services.tick(today)
    deferred = launched(make_wave(world.programme_a, admin, opens=today + DAY, closes=today + 2 * DAY, units=[world.north], title="B"), admin)
    services.tick(today + DAY)
    assert Deferral.objects.filter(wave=deferred).exists()
    services.tick(today + 16 * DAY)
    assert Deferral.objects.filter(wave=deferred).exists()
    services.tick(today + 17 * DAY)
    assert not Deferral.objects.exists()


def test_free_text_answers_are_cleaned_and_nul_refused() -> None:
    """Issue 17: the respondent's form is not a Django form; its free text
    is cleaned of what XLSX and PDF cannot hold, and a NUL refused."""
    wave, question = SurveyWave(pk=1), Question(pk=2, kind=Question.Kind.TEXT)
    name = services.field_name(wave, question)
    cleaned, errors = services.clean_answers([(wave, [question])], {name: "More\u000btraining\u0001 please"})
    assert errors == {} and cleaned[1][2] == (None, "More training please")
    cleaned, errors = services.clean_answers([(wave, [question])], {name: "More\u0000"})
    assert name in errors and cleaned[1] == {}
