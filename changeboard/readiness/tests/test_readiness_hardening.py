"""Fixes from the code review of the readiness work: champions and sibling
units' actions, rollout waves that reviews and criteria refer to, criterion
statuses following a wave's units, non-ASCII digits in ids, small units'
training figures and the dates a review's snapshot is labelled with."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from changeboard.accounts.models import User
from changeboard.conftest import make_staff
from changeboard.core.tests.test_permissions import _client
from changeboard.organisation.services import unit_ensure_path
from changeboard.portfolio import services as portfolio_services
from changeboard.portfolio.models import RolloutWave

from ..models import Action, Criterion, CriterionStatus, Criticality, Rag, Review, TrainingRecord
from ..services import criteria as criteria_services
from ..services import reviews as review_services
from ..services.actions import action_create

COVERED_NAMES: set[str] = set()  # the permission matrices are elsewhere

CW = "Test Force > Frontline Policing > Central West BCU"
SUPERSCRIPT_TWO = "²"  # str.isdigit() is True, int() raises


def due() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=7)


# ---------------------------------------------------------------- 1. champions and sibling units' actions


@pytest.fixture
def sibling_actions(world: Any) -> dict[str, Action]:
    """Programme A's actions: the champion (Westminster) sees the ones for
    the whole programme, Westminster, a team below it and Central West
    above it, never the sibling borough's (Kensington)."""
    kensington = unit_ensure_path(full_path=f"{CW} > Kensington", actor=None, known={})
    made = {
        "whole": action_create(programme=world.programme_a, title="Whole programme comms", due_date=due(), actor=None),
        "own": action_create(programme=world.programme_a, title="Westminster rota", due_date=due(), unit=world.westminster, actor=None),
        "below": action_create(programme=world.programme_a, title="Team one briefing", due_date=due(), unit=world.team, actor=None),
        "above": action_create(programme=world.programme_a, title="BCU cutover plan", due_date=due(), unit=world.central_west, actor=None),
        "sibling": action_create(programme=world.programme_a, title="Kensington laptops", due_date=due(), unit=kensington, actor=None),
    }
    return made


SEEN = {"Whole programme comms", "Westminster rota", "Team one briefing", "BCU cutover plan"}


def test_champions_do_not_see_sibling_units_actions_in_the_queryset(world: Any, sibling_actions: dict[str, Action]) -> None:
    assert set(Action.objects.restrict(world.users["champion"]).values_list("title", flat=True)) == SEEN
    # Everyone else with the programme sees all of them.
    assert "Kensington laptops" in set(Action.objects.restrict(world.users["lead"]).values_list("title", flat=True))
    assert Action.objects.restrict(world.users["board"]).count() == 5


def test_champions_do_not_see_sibling_units_actions_on_the_pages_export_and_api(client: Any, world: Any,
                                                                                sibling_actions: dict[str, Action]) -> None:
    c = _client(client, world, "champion")
    page = c.get(reverse("action-list")).content.decode()
    assert all(t in page for t in SEEN) and "Kensington laptops" not in page
    response = c.get(reverse("action-list") + "?export=csv")
    export = b"".join(response.streaming_content).decode()
    assert "Westminster rota" in export and "Kensington laptops" not in export
    assert {a["title"] for a in c.get(reverse("api-action-list")).json()["results"]} == SEEN
    sibling = sibling_actions["sibling"]
    assert c.get(reverse("action-detail", args=[sibling.pk])).status_code == 404
    assert c.get(reverse("api-action-detail", args=[sibling.pk])).status_code == 404
    assert c.get(reverse("action-detail", args=[sibling_actions["above"].pk])).status_code == 200


def test_a_champion_without_units_sees_no_actions(world: Any, sibling_actions: dict[str, Action]) -> None:
    champion = world.users["champion"]
    champion.units.clear()
    assert not Action.objects.restrict(champion).exists()


# ---------------------------------------------------------------- 2. deleting a wave reviews or criteria refer to


def test_a_wave_with_a_review_cannot_be_deleted(world: Any) -> None:
    review = review_services.reviews_add_defaults(rollout_wave=world.wave_a, actor=None)[0]
    with pytest.raises(ValidationError) as exc:
        portfolio_services.wave_delete(wave=world.wave_a, actor=None)
    assert "Reviews or readiness criteria refer to this wave" in " ".join(exc.value.messages)
    assert RolloutWave.objects.filter(pk=world.wave_a.pk).exists() and Review.objects.filter(pk=review.pk).exists()


def test_a_wave_with_its_own_criterion_cannot_be_deleted_and_the_criterion_stays_wave_specific(world: Any) -> None:
    criterion = Criterion.objects.create(programme=world.programme_a, rollout_wave=world.wave_a, title="Wave one rotas")
    with pytest.raises(ValidationError) as exc:
        portfolio_services.wave_delete(wave=world.wave_a, actor=None)
    assert "Wave one rotas" in " ".join(exc.value.messages)
    criterion.refresh_from_db()
    assert criterion.rollout_wave_id == world.wave_a.pk


def test_a_wave_only_programme_wide_criteria_refer_to_can_be_deleted(world: Any) -> None:
    criterion = Criterion.objects.create(programme=world.programme_a, title="Everyone trained")
    portfolio_services.wave_delete(wave=world.wave_a, actor=None)
    assert not RolloutWave.objects.filter(pk=world.wave_a.pk).exists()
    assert Criterion.objects.filter(pk=criterion.pk, rollout_wave__isnull=True).exists()


def test_deleting_the_programme_still_takes_its_waves_reviews_and_criteria(world: Any) -> None:
    review_services.reviews_add_defaults(rollout_wave=world.wave_a, actor=None)
    Criterion.objects.create(programme=world.programme_a, rollout_wave=world.wave_a, title="Wave one rotas")
    world.programme_a.delete()
    assert not Review.objects.exists() and not Criterion.objects.exists() and not RolloutWave.objects.filter(pk=world.wave_a.pk).exists()


def test_the_wave_delete_page_shows_the_refusal(client: Any, world: Any) -> None:
    review_services.reviews_add_defaults(rollout_wave=world.wave_a, actor=None)
    c = _client(client, world, "lead")
    response = c.post(reverse("wave-delete", kwargs={"programme_pk": world.programme_a.pk, "pk": world.wave_a.pk}), follow=True)
    assert response.status_code == 200
    assert "Reviews or readiness criteria refer to this wave" in response.content.decode()
    assert RolloutWave.objects.filter(pk=world.wave_a.pk).exists()


# ---------------------------------------------------------------- 3. statuses follow a wave's units


def test_a_unit_added_to_a_wave_gets_a_status_and_a_critical_red_blocks_go(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    criterion = criteria_services.criterion_save(programme=world.programme_a, actor=None, title="Rotas published",
                                                 criticality=Criticality.CRITICAL)
    support = unit_ensure_path(full_path="Test Force > Support Services", actor=None, known={})
    assert not CriterionStatus.objects.filter(criterion=criterion, unit=support).exists()
    with django_capture_on_commit_callbacks(execute=True):
        world.wave_a.units.add(support)
    status = CriterionStatus.objects.get(criterion=criterion, unit=support)
    criteria_services.status_set(status=status, rag=Rag.RED, note="No rota yet", actor=world.users["lead"])
    review = review_services.reviews_add_defaults(rollout_wave=world.wave_a, actor=None)[-1]
    assert [s.unit for s in review_services.review_blockers(review)] == [support]
    with pytest.raises(ValidationError) as exc:
        review_services.review_decide(review=review, decision=Review.Decision.GO, conditions="", notes="", override_reason="",
                                      held_on=timezone.localdate(), actor=world.users["board"])
    assert "override_reason" in exc.value.message_dict


def test_statuses_follow_removals_clears_and_the_reverse_side(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    criterion = criteria_services.criterion_save(programme=world.programme_a, actor=None, title="Rotas published")
    support = unit_ensure_path(full_path="Test Force > Support Services", actor=None, known={})

    def units() -> set[Any]:
        return set(CriterionStatus.objects.filter(criterion=criterion).values_list("unit", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        support.rollout_waves.add(world.wave_a)  # from the unit's side
    assert units() == {world.central_west.pk, support.pk}
    with django_capture_on_commit_callbacks(execute=True):
        world.wave_a.units.remove(world.central_west)
    assert units() == {support.pk}
    with django_capture_on_commit_callbacks(execute=True):
        support.rollout_waves.clear()
    assert units() == set()
    with django_capture_on_commit_callbacks(execute=True):
        portfolio_services.wave_save(programme=world.programme_a, wave=world.wave_a, units=[world.westminster], actor=None)
    assert units() == {world.westminster.pk}


def test_other_programmes_criteria_are_left_alone(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    other = criteria_services.criterion_save(programme=world.programme_b, actor=None, title="Case files")
    before = Criterion.objects.get(pk=other.pk).evaluated_at
    with django_capture_on_commit_callbacks(execute=True):
        world.wave_a.units.add(world.camden)
    assert Criterion.objects.get(pk=other.pk).evaluated_at == before


# ---------------------------------------------------------------- 4. non-ASCII digits


def test_actions_create_refuses_non_ascii_ids(client: Any, world: Any) -> None:
    c = _client(client, world, "lead")
    url = reverse("action-create", args=[world.programme_a.pk])
    for query in ({"source": "criterion", "criterion": SUPERSCRIPT_TWO}, {"source": "review", "review": SUPERSCRIPT_TWO},
                  {"source": "score", "survey_wave": SUPERSCRIPT_TWO}, {"unit": SUPERSCRIPT_TWO}, {"unit": "٣"}):
        assert c.get(url, query).status_code == 404, query


def test_review_defaults_refuses_non_ascii_wave(client: Any, world: Any) -> None:
    c = _client(client, world, "lead")
    response = c.post(reverse("review-defaults", args=[world.programme_a.pk]), {"rollout_wave": SUPERSCRIPT_TWO}, follow=True)
    assert response.status_code == 200 and "Choose a rollout wave of this programme." in response.content.decode()
    assert not Review.objects.exists()


def test_scores_page_and_api_refuse_non_ascii_ids(client: Any, world: Any) -> None:
    c = _client(client, world, "lead")
    page = reverse("programme-scores", args=[world.programme_a.pk])
    assert c.get(page, {"unit": SUPERSCRIPT_TWO}).status_code == 404
    assert c.get(page, {"wave": SUPERSCRIPT_TWO}).status_code == 404
    api = reverse("api-scores")
    assert c.get(api, {"programme": SUPERSCRIPT_TWO}).status_code == 400
    assert c.get(api, {"programme": world.programme_a.pk, "unit": SUPERSCRIPT_TWO}).status_code == 404
    assert c.get(api, {"programme": world.programme_a.pk, "wave": SUPERSCRIPT_TWO}).status_code == 404


# ---------------------------------------------------------------- 5. small units' training figures


def training_status(world: Any, in_post: int, trained: int) -> CriterionStatus:
    people = [world.staff_in, *[make_staff(f"10030{i}", world.team) for i in range(in_post - 1)]]
    for person in people[:trained]:
        TrainingRecord.objects.create(staff=person, course="SBS-101", completed_on=dt.date(2026, 1, 5))
    criterion = criteria_services.criterion_save(programme=world.programme_a, actor=None, title="Trained", feed="training",
                                                 course="SBS-101", threshold=90)
    return CriterionStatus.objects.get(criterion=criterion, unit=world.central_west)


@pytest.mark.parametrize(("in_post", "trained"), [(1, 0), (1, 1), (4, 4), (4, 3)])
def test_a_unit_with_fewer_than_five_staff_shows_no_colour_and_no_counts(world: Any, in_post: int, trained: int) -> None:
    # The same threshold as the hidden counts: a unit of one person is green
    # or red exactly when that person is trained, so no colour either.
    assert criteria_services.TRAINING_MIN_STAFF == 5
    status = training_status(world, in_post, trained)
    assert (status.rag, status.value, status.as_of) == (Rag.NO_DATA, "Fewer than 5 staff", timezone.localdate())


def test_a_unit_with_five_staff_shows_its_counts(world: Any) -> None:
    status = training_status(world, 5, 4)
    assert (status.rag, status.value, status.as_of) == (Rag.AMBER, "80% (4 of 5)", dt.date(2026, 1, 5))


def test_the_criterion_page_shows_no_small_unit_counts(client: Any, world: Any) -> None:
    status = training_status(world, 1, 0)
    page = _client(client, world, "champion").get(reverse("criterion-detail", args=[status.criterion_id])).content.decode()
    assert "Fewer than 5 staff" in page and "0 of 1" not in page


def test_a_unit_of_one_shows_no_colour_on_the_page_the_api_or_the_export(client: Any, world: Any) -> None:
    status = training_status(world, 1, 0)
    c = _client(client, world, "lead")
    page = c.get(reverse("criterion-detail", args=[status.criterion_id])).content.decode()
    assert "Not enough data" in page and "govuk-tag--red" not in page
    api = c.get(reverse("api-criterion-status-detail", args=[status.pk]), HTTP_ACCEPT="application/json").json()
    assert (api["rag"], api["rag_label"], api["value"]) == ("no_data", "Not enough data", "Fewer than 5 staff")
    response = c.get(reverse("criteria-list", args=[world.programme_a.pk]), {"export": "csv"})
    export = b"".join(response.streaming_content).decode()
    assert "Not enough data: Fewer than 5 staff" in export and "Red" not in export


# ---------------------------------------------------------------- 6. the snapshot's dates


def go_no_go(world: Any) -> Review:
    review_services.reviews_add_defaults(rollout_wave=world.wave_a, actor=None)
    return Review.objects.get(rollout_wave=world.wave_a, checkpoint=Review.Checkpoint.GO_NO_GO)


def decide(review: Review, actor: User, held_on: dt.date) -> Review:
    return review_services.review_decide(review=review, decision=Review.Decision.NO_GO, conditions="", notes="", override_reason="",
                                         held_on=held_on, actor=actor)


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def test_the_snapshot_keeps_the_day_it_was_recorded_and_the_page_labels_each_part(client: Any, world: Any) -> None:
    today = timezone.localdate()
    held = today - dt.timedelta(days=3)
    criterion = Criterion.objects.create(programme=world.programme_a, title="Rotas ready", criticality=Criticality.CRITICAL)
    CriterionStatus.objects.create(criterion=criterion, unit=world.central_west, rag=Rag.RED, value="2 of 5")
    action_create(programme=world.programme_a, title="Publish rotas", due_date=due(), unit=world.central_west, actor=None)
    review = decide(go_no_go(world), world.users["board"], held)
    assert review.snapshot is not None
    assert review.snapshot["recorded_on"] == today.isoformat() and review.snapshot["as_of"] == held.isoformat()
    page = _client(client, world, "board").get(review.get_absolute_url()).content.decode()
    assert f"Criteria statuses for the units of Wave 1, as recorded on {long_date(today)}" in page
    assert f"Open actions of the programme for these units, as recorded on {long_date(today)}" in page
    assert f"Latest readiness score of each unit going live, as of {long_date(held)}" in page
    assert f"the scores as of {long_date(held)}, the criteria and actions as recorded on {long_date(today)}" in page


def test_an_older_snapshot_without_recorded_on_uses_the_decision_day(client: Any, world: Any) -> None:
    review = decide(go_no_go(world), world.users["board"], timezone.localdate())
    assert review.snapshot is not None
    snapshot = dict(review.snapshot)
    del snapshot["recorded_on"]
    decided_at = timezone.now() - dt.timedelta(days=30)
    Review.objects.filter(pk=review.pk).update(snapshot=snapshot, decided_at=decided_at)
    page = _client(client, world, "board").get(review.get_absolute_url()).content.decode()
    assert f"as recorded on {long_date(timezone.localdate(decided_at))}" in page


def test_held_on_may_be_at_most_fourteen_days_back(world: Any) -> None:
    today = timezone.localdate()
    review = go_no_go(world)
    with pytest.raises(ValidationError) as exc:
        decide(review, world.users["board"], today - dt.timedelta(days=15))
    assert "within the last 14 days" in " ".join(exc.value.message_dict["held_on"])
    assert not Review.objects.get(pk=review.pk).decided
    assert decide(review, world.users["board"], today - dt.timedelta(days=14)).decided


def test_the_decide_form_shows_the_held_on_error(client: Any, world: Any) -> None:
    review = go_no_go(world)
    old = (timezone.localdate() - dt.timedelta(days=20)).isoformat()
    response = _client(client, world, "board").post(reverse("review-decide", args=[review.pk]), {"decision": "no_go", "held_on": old})
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body and "within the last 14 days" in body
    assert not Review.objects.get(pk=review.pk).decided
