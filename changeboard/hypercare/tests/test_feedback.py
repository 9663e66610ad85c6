"""Back into readiness: the support feed of a readiness criterion at its
bands, earlier waves' training gaps on a later wave's review, and spikes
raising one action (never two for the same burst).

Set-up: programme A's first wave (Central West BCU) went live a month ago
and has hypercare; its second wave (North BCU) goes live in a month. 100
response officers work in Central West, so each open training-gap query
from a response officer there is 1 per 100 staff.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from changeboard.conftest import make_staff
from changeboard.core.models import OutboxMessage
from changeboard.hypercare.models import Category, Query, TrainingGapSpike
from changeboard.hypercare.services import feedback
from changeboard.hypercare.services import periods as period_services
from changeboard.hypercare.services import queries as query_services
from changeboard.organisation.models import RankGrade, Staff
from changeboard.portfolio.models import RolloutWave
from changeboard.readiness.models import Action, CriterionStatus, Review
from changeboard.readiness.services import criteria as criteria_services
from changeboard.readiness.services import reviews as review_services


class Feedback:
    def __init__(self, world: Any) -> None:
        self.world = world
        today = timezone.localdate()
        world.wave_a.go_live_date = today - dt.timedelta(days=30)
        world.wave_a.save()
        self.wave2 = RolloutWave.objects.create(programme=world.programme_a, name="Wave 2", go_live_date=today + dt.timedelta(days=30))
        self.wave2.units.set([world.north])
        rank = RankGrade.objects.get(code="PC")
        Staff.objects.bulk_create(Staff(staff_number=f"3{i:05d}", unit=world.team, first_name="Pat", last_name=f"Officer{i}",
                                        email=f"o{i}@example.police.uk", role="Response officer", rank_grade=rank) for i in range(99))
        self.detective = make_staff("400001", world.team, role="Detective")
        self.period = period_services.period_create(rollout_wave=world.wave_a, actor=None, starts_on=world.wave_a.go_live_date)
        self.gap = Category.objects.get(period=self.period, code="training_gap")
        self.defect = Category.objects.get(period=self.period, code="defect")
        self.lead = world.users["lead"]

    def raise_gap(self, staff: Staff | None = None, at: dt.datetime | None = None, category: Category | None = None,
                  title: str = "How do I file a case?") -> Query:
        return query_services.query_create(period=self.period, category=category or self.gap, title=title, actor=self.lead,
                                           source=Query.Source.SUPPORT, staff=staff or self.world.staff_in, created_at=at)

    def criterion(self, threshold: str = "3", wave: RolloutWave | None = None) -> Any:
        return criteria_services.criterion_save(programme=self.world.programme_a, actor=self.lead, title="Few training gaps live",
                                                feed="support", threshold=threshold, rollout_wave=wave or self.wave2)


@pytest.fixture
def fb(world: Any) -> Feedback:
    return Feedback(world)


def test_counts_per_unit_and_role(fb: Feedback) -> None:
    fb.raise_gap()
    fb.raise_gap(staff=fb.detective)
    resolved = fb.raise_gap()
    query_services.query_transition(query=resolved, status=Query.Status.RESOLVED, actor=fb.lead)
    fb.raise_gap(category=fb.defect)
    rows = feedback.training_gaps_by_unit_role(type(fb.period).objects.filter(pk=fb.period.pk))
    assert rows == [{"unit_id": fb.world.team.pk, "unit": "Response Team 1", "role": "Response officer", "open": 1, "total": 2},
                    {"unit_id": fb.world.team.pk, "unit": "Response Team 1", "role": "Detective", "open": 1, "total": 1}]


@pytest.mark.parametrize(("open_gaps", "rag", "value"), [
    (2, "green", "2.0 per 100 (2 open, 100 staff)"),  # under the rate
    (3, "amber", "3.0 per 100 (3 open, 100 staff)"),  # at the rate
    (4, "amber", "4.0 per 100 (4 open, 100 staff)"),  # one above
    (5, "red", "5.0 per 100 (5 open, 100 staff)"),  # beyond
])
def test_support_feed_bands(fb: Feedback, open_gaps: int, rag: str, value: str) -> None:
    for _ in range(open_gaps):
        fb.raise_gap()
    # Not counted: a resolved one, a defect, and a detective's (North has no detectives).
    resolved = fb.raise_gap()
    query_services.query_transition(query=resolved, status=Query.Status.RESOLVED, actor=fb.lead)
    fb.raise_gap(category=fb.defect)
    fb.raise_gap(staff=fb.detective)
    criterion = fb.criterion("3")
    assert criterion.pass_mark == "Fewer than 3 open training gaps per 100 staff live"
    status = CriterionStatus.objects.get(criterion=criterion, unit=fb.world.north)
    assert (status.rag, status.value, status.as_of) == (rag, value, timezone.localdate())


def test_support_feed_not_enough_data(fb: Feedback) -> None:
    fb.raise_gap()
    first_wave = fb.criterion("3", wave=fb.world.wave_a)  # nothing live before the first wave
    status = CriterionStatus.objects.get(criterion=first_wave, unit=fb.world.central_west)
    assert (status.rag, status.value) == ("no_data", "No earlier wave live yet")
    Staff.objects.filter(unit=fb.world.camden).update(role="Custody officer")  # North's only role: nobody holds it in Central West
    status = CriterionStatus.objects.get(criterion=fb.criterion("3"), unit=fb.world.north)
    assert (status.rag, status.value) == ("no_data", "No one in these roles live yet")


def test_support_feed_programme_wide_and_refresh(fb: Feedback) -> None:
    criterion = criteria_services.criterion_save(programme=fb.world.programme_a, actor=fb.lead, title="Few gaps", feed="support",
                                                 threshold="3", rollout_wave=None)
    assert CriterionStatus.objects.get(criterion=criterion, unit=fb.world.north).rag == "green"
    for _ in range(6):
        fb.raise_gap()
    assert CriterionStatus.objects.get(criterion=criterion, unit=fb.world.north).rag == "green"  # not yet evaluated again
    assert feedback.feedback_refresh()["criteria"] == 1
    assert CriterionStatus.objects.get(criterion=criterion, unit=fb.world.north).rag == "red"


def test_support_feed_validation(fb: Feedback) -> None:
    from django.core.exceptions import ValidationError

    for bad in (None, "0", "101"):
        with pytest.raises(ValidationError):
            criteria_services.criterion_save(programme=fb.world.programme_a, actor=fb.lead, title="Gaps", feed="support",
                                             threshold=bad, rollout_wave=fb.wave2)


def test_review_shows_earlier_waves_training_gaps(fb: Feedback, client: Any) -> None:
    for title in ("How do I file a case?", "How do I file a case?", "Where is the custody form?"):
        fb.raise_gap(title=title)
    done = fb.raise_gap(title="Printing")
    query_services.query_transition(query=done, status=Query.Status.RESOLVED, actor=fb.lead)
    fb.raise_gap(staff=fb.detective)  # a role North does not have
    review_services.reviews_add_defaults(rollout_wave=fb.wave2, actor=None)
    review = Review.objects.get(rollout_wave=fb.wave2, checkpoint="go_no_go")
    rows = review_services.review_snapshot(review, timezone.localdate())["training_gaps"]
    live = fb.world.wave_a.go_live_date
    assert rows == [{"source": f"Wave 1 (live {live:%d %b %Y})", "role": "Response officer", "open": 3, "total": 4,
                     "titles": ["How do I file a case?", "Printing", "Where is the custody form?"]}]
    client.force_login(fb.lead)
    page = client.get(reverse("review-detail", args=[review.pk])).content.decode()
    assert "Training gaps found in earlier waves" in page and "Where is the custody form?" in page
    # The first wave's own review has no earlier wave.
    review_services.reviews_add_defaults(rollout_wave=fb.world.wave_a, actor=None)
    first = Review.objects.get(rollout_wave=fb.world.wave_a, checkpoint="go_no_go")
    assert review_services.review_snapshot(first, timezone.localdate())["training_gaps"] == []


# ---------------------------------------------------------------- spikes


def test_spike_raises_one_action(fb: Feedback) -> None:
    champion = fb.world.users["champion"]
    champion.email = "champion@example.police.uk"
    champion.save()
    fb.lead.email = "lead@example.police.uk"
    fb.lead.save()
    now = timezone.now()
    for hours in (60, 40, 20, 10):
        fb.raise_gap(at=now - dt.timedelta(hours=hours))
    fb.raise_gap(at=now - dt.timedelta(hours=80))  # outside three days
    fb.raise_gap(at=now - dt.timedelta(hours=1), category=fb.defect)  # not a training gap
    assert feedback.spike_check(period=fb.period, unit=fb.world.team, now=now) is None
    fb.raise_gap(at=now - dt.timedelta(hours=5))
    spike = feedback.spike_check(period=fb.period, unit=fb.world.team, now=now)
    assert spike is not None and spike.queries == 5
    action = Action.objects.get()
    assert (action.source, action.unit, action.owner, action.programme) == ("hypercare", fb.world.team, fb.lead, fb.world.programme_a)
    assert action.title == "Training-gap spike in Response Team 1: 5 queries in 3 days"
    assert action.due_date == timezone.localdate() + dt.timedelta(days=7)
    mail = OutboxMessage.objects.filter(kind="hypercare-spike")
    assert sorted(mail.values_list("to_address", flat=True)) == ["champion@example.police.uk", "lead@example.police.uk"]
    # The same burst, checked again (directly or by the periodic pass), raises nothing more.
    assert feedback.spike_check(period=fb.period, unit=fb.world.team, now=now + dt.timedelta(minutes=5)) is None
    assert feedback.spikes_scan(now + dt.timedelta(minutes=10)) == []
    assert Action.objects.count() == 1 and mail.count() == 2
    # Four new ones are not a new spike; a fifth is.
    later = now + dt.timedelta(hours=1)
    for minutes in range(4):
        fb.raise_gap(at=later + dt.timedelta(minutes=minutes))
    assert feedback.spikes_scan(later + dt.timedelta(minutes=30)) == []
    fb.raise_gap(at=later + dt.timedelta(minutes=20))
    second = feedback.spikes_scan(later + dt.timedelta(minutes=30))
    assert [s.queries for s in second] == [5]
    assert Action.objects.count() == 2 and TrainingGapSpike.objects.count() == 2


def test_spike_threshold_is_the_periods(fb: Feedback) -> None:
    period_services.period_update(period=fb.period, actor=None, spike_queries=2, spike_days=1)
    now = timezone.now()
    fb.raise_gap(at=now - dt.timedelta(hours=30))
    fb.raise_gap(at=now - dt.timedelta(hours=2))
    assert feedback.spike_check(period=fb.period, unit=fb.world.team, now=now) is None  # one is older than a day
    fb.raise_gap(at=now - dt.timedelta(hours=1))
    assert feedback.spike_check(period=fb.period, unit=fb.world.team, now=now) is not None


def test_spike_checked_when_a_gap_is_raised(fb: Feedback, django_capture_on_commit_callbacks: Any) -> None:
    for _ in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            fb.raise_gap()
    assert not Action.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        defect = fb.raise_gap(category=fb.defect)
    assert not Action.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        query_services.query_update(query=defect, actor=fb.lead, category=fb.gap)  # recategorised: the fifth
    assert Action.objects.filter(source="hypercare").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        fb.raise_gap()
    assert Action.objects.count() == 1
