"""The survey demo data that `seed` adds (changeboard/surveys/seeding.py).

The demo seed is built once for the module inside a transaction that is
rolled back at the end; each test runs in a savepoint inside it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, cast

import pytest
from django.db import transaction
from django.db.models import Avg, Count, Max, Min, Q, Sum
from django.test import override_settings
from django.utils import timezone

from changeboard.core.models import OutboxMessage
from changeboard.devtools.seeding import SeedResult, clear_seeded_data, seed_force
from changeboard.organisation.models import Unit
from changeboard.portfolio.models import Programme
from changeboard.surveys import seeding
from changeboard.surveys.models import Adkar, Answer, AudienceCell, Deferral, Invitation, Question, Response, SurveyWave

pytestmark = pytest.mark.django_db
Status = SurveyWave.Status


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[SeedResult]:
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        yield seed_force(scale="demo")
        transaction.set_rollback(True)


def fingerprint() -> dict[str, Any]:
    waves = list(SurveyWave.objects.filter(status=Status.CLOSED).order_by("programme__code", "opens_on")
                 .annotate(invited=Sum("cells__invited"), responded=Sum("cells__responded"))
                 .values_list("programme__code", "opens_on", "closes_on", "recurrence", "invited", "responded"))
    return {
        "waves": waves,
        "by_status": dict(SurveyWave.objects.values_list("status").annotate(n=Count("id")).order_by("status")),
        "responses": Response.objects.count(),
        "answers": Answer.objects.count(),
        "answer_total": Answer.objects.aggregate(total=Sum("value"))["total"],
        "texts": sorted(Answer.objects.exclude(text="").values_list("text", flat=True)),
        "invitations": Invitation.objects.count(),
        "used": Invitation.objects.filter(used=True).count(),
        "deferrals": Deferral.objects.count(),
        "emails": OutboxMessage.objects.filter(kind__startswith="survey-").count(),
    }


def element_means(responses: Any) -> dict[str, float]:
    rows = (Answer.objects.filter(response__in=responses, question__kind=Question.Kind.LIKERT)
            .values_list("question__adkar").annotate(mean=Avg("value")))
    return {adkar: float(mean) for adkar, mean in rows}


def subtree(name: str) -> Q:
    unit = Unit.objects.get(name=name)
    return Q(unit__path__startswith=unit.path)


def test_the_summary_counts_the_survey_data(demo: SeedResult) -> None:
    counts = demo.counts
    assert counts["survey_responses"] == Response.objects.count()
    assert counts["survey_answers"] == Answer.objects.count()
    # The capability seed launches one more wave through the services (a business change lead's own work).
    assert counts["survey_waves"] + counts.get("capability_survey_waves", 0) == SurveyWave.objects.count()
    # Demo scale stays small: about two responses per member of staff over the year.
    assert 2_000 < counts["survey_responses"] < 8_000
    assert counts["survey_answers"] < 80_000


def test_a_year_of_closed_waves_for_every_programme_weekly_or_monthly(demo: SeedResult) -> None:
    today = timezone.localdate()
    closed = SurveyWave.objects.filter(status=Status.CLOSED)
    per_programme = {code: (n, recurrences) for code, n, recurrences in
                     closed.values_list("programme__code").annotate(n=Count("id"), recurrences=Count("recurrence", distinct=True))}
    assert set(per_programme) == set(Programme.objects.values_list("code", flat=True)) and len(per_programme) == 12
    weekly = {code for code, (n, _) in per_programme.items() if n == seeding.WEEKS}
    monthly = {code for code, (n, _) in per_programme.items() if n == seeding.MONTHS}
    assert weekly == set(seeding.WEEKLY_PROGRAMMES) and len(monthly) == 8
    assert all(recurrences == 1 for _, recurrences in per_programme.values())
    first, last = closed.order_by("opens_on").first(), closed.order_by("-closes_on").first()
    assert first is not None and last is not None
    assert today - dt.timedelta(weeks=53) < first.opens_on <= today - dt.timedelta(weeks=50)
    assert last.closes_on < today
    assert not closed.filter(sent_at__isnull=True).exists()
    assert not closed.exclude(instrument__locked=True).exists()
    assert closed.values("instrument").distinct().count() == 1
    any_wave = closed.first()
    assert any_wave is not None and any_wave.instrument.is_default
    # Each programme's rounds are one series, numbered in order; nothing sends them again.
    for code in ("CMS", "SSS"):
        rounds = list(closed.filter(programme__code=code).order_by("opens_on"))
        assert [w.round_number for w in rounds] == list(range(1, len(rounds) + 1))
        assert {w.series_id for w in rounds[1:]} == {rounds[0].pk} and rounds[0].series_id is None
        assert all(w.repeat_until == rounds[-1].opens_on for w in rounds)
    # Closed history keeps counts only: its invitations were purged.
    assert not Invitation.objects.filter(waves__status=Status.CLOSED).exists()
    assert not Deferral.objects.filter(wave__status=Status.CLOSED).exists()


def test_cells_match_the_responses(demo: SeedResult) -> None:
    closed = SurveyWave.objects.filter(status=Status.CLOSED)
    cells = {(w, u, g): (i, r) for w, u, g, i, r in AudienceCell.objects.filter(wave__in=closed)
             .values_list("wave_id", "unit_id", "role_group", "invited", "responded")}
    counted = {(w, u, g): n for w, u, g, n in Response.objects.filter(wave__in=closed)
               .values_list("wave_id", "unit_id", "role_group").annotate(n=Count("id"))}
    assert {key: r for key, (_, r) in cells.items() if r} == counted
    assert all(invited > 0 and 0 <= responded <= invited for invited, responded in cells.values())
    assert not Response.objects.exclude(source=Response.Source.LINK).exists()
    # Every response has its answers: ten agreement items, nearly always the overall score, sometimes a comment.
    per_response = Answer.objects.values("response").annotate(n=Count("id")).aggregate(low=Min("n"), high=Max("n"))
    assert per_response["low"] >= 9 and per_response["high"] <= 12
    assert not Response.objects.filter(wave__in=closed, answers__isnull=True).exists()
    # Response rates differ by unit, between about 20% and 70%.
    rates = [r / i for i, r in AudienceCell.objects.filter(wave__in=closed).values("unit")
             .annotate(i=Sum("invited"), r=Sum("responded")).filter(i__gte=40).values_list("i", "r")]
    assert len(rates) > 20
    assert 0.12 < min(rates) < 0.35 and 0.55 < max(rates) < 0.85
    total = AudienceCell.objects.filter(wave__in=closed).aggregate(i=Sum("invited"), r=Sum("responded"))
    assert 0.35 < total["r"] / total["i"] < 0.55


def test_the_overall_score_follows_agreement(demo: SeedResult) -> None:
    likert = dict(Answer.objects.filter(question__kind=Question.Kind.LIKERT).values_list("response").annotate(mean=Avg("value")))
    overall = cast(dict[Any, int], dict(Answer.objects.filter(question__kind=Question.Kind.SCALE).values_list("response", "value")))  # scale answers carry a value
    assert overall and min(overall.values()) >= 0 and max(overall.values()) <= 10
    high = [overall[r] for r, m in likert.items() if m >= 4 and r in overall]
    low = [overall[r] for r, m in likert.items() if m <= 2 and r in overall]
    assert high and low and sum(high) / len(high) > sum(low) / len(low) + 4


def test_free_text_is_short_and_names_no_one(demo: SeedResult) -> None:
    texts = list(Answer.objects.exclude(text="").values_list("text", flat=True))
    known = {comment for pool in seeding.COMMENTS.values() for comment in pool}
    assert 0.1 < len(texts) / Response.objects.count() < 0.3
    assert set(texts) <= known and len(set(texts)) > 10
    assert all(len(text) < 120 for text in known)


def test_most_units_improve_on_every_element(demo: SeedResult) -> None:
    closed = SurveyWave.objects.filter(status=Status.CLOSED)
    middle = timezone.localdate() - dt.timedelta(weeks=26)
    improving = checked = 0
    for name in Unit.objects.filter(level=Unit.Level.BOROUGH).exclude(name__in=seeding.STUCK_AT_KNOWLEDGE).values_list("name", flat=True):
        responses = Response.objects.filter(subtree(name), wave__in=closed)
        early, late = responses.filter(wave__opens_on__lt=middle), responses.filter(wave__opens_on__gte=middle)
        if early.count() < 25 or late.count() < 25:
            continue
        checked += 1
        before, after = element_means(early), element_means(late)
        improving += all(after[e] > before[e] for e in Adkar.values)
    assert checked >= 20
    assert improving >= 0.75 * checked


def test_some_units_are_stuck_at_knowledge(demo: SeedResult) -> None:
    closed = SurveyWave.objects.filter(status=Status.CLOSED)
    middle = timezone.localdate() - dt.timedelta(weeks=26)
    for name in seeding.STUCK_AT_KNOWLEDGE:
        responses = Response.objects.filter(subtree(name), wave__in=closed)
        assert responses.count() >= 50, name
        means = element_means(responses)
        assert means["awareness"] > 3.6 and means["desire"] > 3.5, (name, means)
        assert 2.2 < means["knowledge"] < 2.8, (name, means)
        assert means["ability"] < 2.5 and means["reinforcement"] < 2.5, (name, means)
        early = element_means(responses.filter(wave__opens_on__lt=middle))
        late = element_means(responses.filter(wave__opens_on__gte=middle))
        assert abs(late["knowledge"] - early["knowledge"]) < 0.4, (name, early, late)


def test_one_unit_never_has_enough_responses_to_report(demo: SeedResult) -> None:
    unit = Unit.objects.get(name=seeding.TOO_FEW_TO_REPORT)
    closed = SurveyWave.objects.filter(status=Status.CLOSED)
    invited = AudienceCell.objects.filter(wave__in=closed, unit__path__startswith=unit.path).aggregate(n=Sum("invited"))["n"]
    assert invited and invited > 0  # surveyed, but too few answer
    per_wave = {w: n for w, n in Response.objects.filter(wave__in=closed, unit__path__startswith=unit.path)
                .values_list("wave").annotate(n=Count("id"))}
    thresholds = dict(closed.values_list("id", "min_responses"))
    assert all(n < thresholds[w] for w, n in per_wave.items())


def test_this_weeks_waves_went_through_the_services(demo: SeedResult) -> None:
    today = timezone.localdate()
    open_waves = SurveyWave.objects.filter(status=Status.OPEN)
    assert set(open_waves.values_list("programme__code", flat=True)) == {spec.code for spec in seeding.LIVE_WAVES}
    assert all(w.opens_on <= today <= w.closes_on and w.sent_at for w in open_waves)
    # Invitations and their emails, one per new invitation.
    invitations = Invitation.objects.all()
    assert invitations.count() > 100
    keys = set(OutboxMessage.objects.filter(kind="survey-invitation").values_list("key", flat=True))
    assert keys == {f"survey-invitation:{pk}" for pk in invitations.values_list("pk", flat=True)}
    assert OutboxMessage.objects.filter(kind="survey-reminder").exists()  # the first wave is three days old
    # The survey emails are queued, never sent by the seed (the engagement seed adds a few sent ones of its own).
    assert not OutboxMessage.objects.filter(kind__startswith="survey-").exclude(status=OutboxMessage.Status.PENDING).exists()
    # The contact budget: combined invitations and deferrals.
    assert invitations.annotate(n=Count("waves")).filter(n__gt=1).exists()
    assert Deferral.objects.filter(reason=Deferral.Reason.CONTACTED, wave__status=Status.OPEN).exists()
    # The first wave has some answers already; its cells count them.
    answered = open_waves.get(programme__code=seeding.LIVE_WAVES[0].code)
    used = Invitation.objects.filter(waves=answered, used=True).count()
    assert 0 < used == answered.responses.count() == answered.cells.aggregate(n=Sum("responded"))["n"]
    # Recurring waves have their next round scheduled; one more scheduled, one draft.
    scheduled = SurveyWave.objects.filter(status=Status.SCHEDULED)
    assert scheduled.count() == len(seeding.LIVE_WAVES) + 1 + demo.counts.get("capability_survey_waves", 0) and not scheduled.filter(opens_on__lte=today).exists()
    assert SurveyWave.objects.filter(status=Status.DRAFT, programme__code=seeding.DRAFT_WAVE[0]).count() == 1


def test_the_same_seed_gives_the_same_survey_data(demo: SeedResult) -> None:
    first = fingerprint()
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        again = seed_force(scale="demo", replace=True)
    assert fingerprint() == first
    assert {k: v for k, v in again.counts.items() if k.startswith("survey_")} == \
        {k: v for k, v in demo.counts.items() if k.startswith("survey_")}


def test_clearing_the_seed_removes_the_survey_data(demo: SeedResult) -> None:
    removed = clear_seeded_data(actor=None)
    assert removed["survey_waves"] == demo.counts["survey_waves"] + demo.counts.get("capability_survey_waves", 0) and removed["survey_responses"] > 0
    assert not SurveyWave.objects.exists() and not Response.objects.exists() and not Answer.objects.exists()
    assert not AudienceCell.objects.exists() and not Invitation.objects.exists() and not Deferral.objects.exists()
    assert not OutboxMessage.objects.filter(kind__startswith="survey-").exists()


def test_round_dates_close_before_today_and_span_a_year() -> None:
    for today in (dt.date(2026, 11, 30), dt.date(2026, 12, 5), dt.date(2027, 3, 1), dt.date(2028, 2, 29)):
        for weekly in (True, False):
            rounds = seeding.round_dates(weekly, today)
            assert len(rounds) == (seeding.WEEKS if weekly else seeding.MONTHS)
            assert rounds[-1][1] < today and rounds[0][0] >= today - dt.timedelta(weeks=57)
            assert all(a[0] < b[0] for a, b in zip(rounds, rounds[1:], strict=False))
