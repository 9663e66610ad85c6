"""Readiness reviews: default checkpoints, saving, blockers, the override
rule for each role, immutability and the frozen snapshot; then the pages."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from changeboard.accounts.models import User
from changeboard.core.models import AuditEntry
from changeboard.portfolio.models import RolloutWave

from ..models import Action, Criterion, CriterionStatus, Criticality, Rag, Review, UnitScore
from ..services import reviews as services
from .helpers import closed_wave

COVERED_NAMES: set[str] = set()  # the matrix is in test_reviews_permissions.py

GO, CONDITIONS, NO_GO = Review.Decision.GO, Review.Decision.CONDITIONS, Review.Decision.NO_GO


def criterion_status(programme: Any, unit: Any, rag: str, criticality: str = Criticality.CRITICAL, title: str = "Officers trained",
                     rollout_wave: Any = None, value: str = "", as_of: dt.date | None = None) -> CriterionStatus:
    criterion = Criterion.objects.create(programme=programme, rollout_wave=rollout_wave, title=title, criticality=criticality)
    return CriterionStatus.objects.create(criterion=criterion, unit=unit, rag=rag, value=value, as_of=as_of)


def unit_score(wave: Any, unit: Any, shown: bool = True, index: float = 62.5) -> UnitScore:
    if not shown:
        return UnitScore.objects.create(wave=wave, unit=unit, shown=False, reason="few")
    return UnitScore.objects.create(wave=wave, unit=unit, shown=True, index=index, ci_low=index - 6, ci_high=index + 6, responses=31,
                                    response_rate=62.0, awareness=3.9, desire=3.4, knowledge=2.8, ability=3.1, reinforcement=3.3,
                                    barrier="knowledge", trend=4.0)


def go_no_go(world: Any) -> Review:
    services.reviews_add_defaults(rollout_wave=world.wave_a, actor=world.users["lead"])
    return Review.objects.get(rollout_wave=world.wave_a, checkpoint=Review.Checkpoint.GO_NO_GO)


def decide(review: Review, actor: User, decision: str = NO_GO, **extra: Any) -> Review:
    values: dict[str, Any] = {"conditions": "", "notes": "", "override_reason": "", "held_on": timezone.localdate()}
    values.update(extra)
    return services.review_decide(review=review, decision=decision, actor=actor, **values)


# ---------------------------------------------------------------- default checkpoints


def test_defaults_are_dated_back_from_go_live_and_added_once(world: Any) -> None:
    created = services.reviews_add_defaults(rollout_wave=world.wave_a, actor=world.users["lead"])
    live = world.wave_a.go_live_date
    assert {r.checkpoint: r.scheduled_on for r in created} == {
        "t12": live - dt.timedelta(weeks=12), "t6": live - dt.timedelta(weeks=6), "t2": live - dt.timedelta(weeks=2), "go_no_go": live}
    assert all(r.programme == world.programme_a for r in created)
    assert AuditEntry.objects.filter(object_type="readiness.review", action="create").count() == 4
    assert services.reviews_add_defaults(rollout_wave=world.wave_a, actor=world.users["lead"]) == []
    assert Review.objects.count() == 4


def test_defaults_leave_an_existing_checkpoint_and_its_date_alone(world: Any) -> None:
    moved = dt.date(2027, 1, 5)
    services.review_save(programme=world.programme_a, rollout_wave=world.wave_a, checkpoint="t6", scheduled_on=moved, actor=world.users["lead"])
    created = services.reviews_add_defaults(rollout_wave=world.wave_a, actor=world.users["lead"])
    assert sorted(r.checkpoint for r in created) == ["go_no_go", "t12", "t2"]
    assert Review.objects.get(checkpoint="t6").scheduled_on == moved


# ---------------------------------------------------------------- saving


def test_the_wave_must_belong_to_the_programme(world: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        services.review_save(programme=world.programme_a, rollout_wave=world.wave_b, checkpoint="t6", scheduled_on=dt.date(2027, 1, 5),
                             actor=world.users["admin"])
    assert "rollout_wave" in exc.value.message_dict


def test_an_undecided_review_can_be_changed_and_is_audited(world: Any) -> None:
    review = go_no_go(world)
    services.review_save(programme=world.programme_a, review=review, scheduled_on=dt.date(2027, 2, 26), title="Final go/no-go",
                         actor=world.users["lead"])
    review.refresh_from_db()
    assert (review.scheduled_on, review.title, str(review)) == (dt.date(2027, 2, 26), "Final go/no-go", "Final go/no-go")
    entry = AuditEntry.objects.filter(object_type="readiness.review", action="update").get()
    assert entry.before is not None and entry.after is not None
    assert entry.before["scheduled_on"] == "2027-03-01" and entry.after["scheduled_on"] == "2027-02-26"


def test_decision_fields_cannot_be_set_by_saving(world: Any) -> None:
    with pytest.raises(ValidationError):
        services.review_save(programme=world.programme_a, review=go_no_go(world), decision=GO, actor=world.users["lead"])


# ---------------------------------------------------------------- blockers


def test_blockers_are_critical_reds_for_the_waves_units(world: Any) -> None:
    other_wave = RolloutWave.objects.create(programme=world.programme_a, name="Wave 2", go_live_date=dt.date(2027, 6, 1))
    other_wave.units.set([world.north])
    blocker = criterion_status(world.programme_a, world.central_west, Rag.RED, title="Rotas ready")
    below = criterion_status(world.programme_a, world.westminster, Rag.RED, title="Kit issued", rollout_wave=world.wave_a)
    criterion_status(world.programme_a, world.camden, Rag.RED, title="Not this wave's unit")
    criterion_status(world.programme_a, world.central_west, Rag.RED, title="Another wave's criterion", rollout_wave=other_wave)
    criterion_status(world.programme_a, world.central_west, Rag.RED, criticality=Criticality.HIGH, title="Only high")
    criterion_status(world.programme_a, world.central_west, Rag.AMBER, title="Amber")
    criterion_status(world.programme_b, world.central_west, Rag.RED, title="Another programme")
    assert [s.pk for s in services.review_blockers(go_no_go(world))] == [below.pk, blocker.pk]


# ---------------------------------------------------------------- deciding: the override rule


@pytest.fixture
def blocked(world: Any) -> Review:
    criterion_status(world.programme_a, world.central_west, Rag.RED, title="Rotas ready")
    return go_no_go(world)


@pytest.mark.parametrize("decision", [GO, CONDITIONS])
@pytest.mark.parametrize("persona", ["lead", "board", "admin"])
def test_a_go_over_a_critical_red_needs_an_override_reason(world: Any, blocked: Review, persona: str, decision: str) -> None:
    with pytest.raises(ValidationError) as exc:
        decide(blocked, world.users[persona], decision, conditions="Extra floorwalkers")
    assert "override_reason" in exc.value.message_dict
    blocked.refresh_from_db()
    assert not blocked.decided


@pytest.mark.parametrize("decision", [GO, CONDITIONS])
def test_a_change_manager_cannot_record_the_override(world: Any, blocked: Review, decision: str) -> None:
    with pytest.raises(ValidationError) as exc:
        decide(blocked, world.users["lead"], decision, conditions="Extra floorwalkers", override_reason="The risk is accepted")
    assert "Only the Programme Board" in exc.value.message_dict["override_reason"][0]
    assert not Review.objects.get(pk=blocked.pk).decided


@pytest.mark.parametrize("persona", ["board", "admin"])
def test_the_board_or_an_admin_records_the_override(world: Any, blocked: Review, persona: str) -> None:
    review = decide(blocked, world.users[persona], GO, override_reason="Rotas are covered by mutual aid for two weeks")
    assert (review.decision, review.override_reason, review.decided_by) == (GO, "Rotas are covered by mutual aid for two weeks", world.users[persona])
    assert review.snapshot is not None
    assert review.snapshot["blockers"] == 1


@pytest.mark.parametrize("persona", ["lead", "board"])
def test_a_no_go_needs_no_override(world: Any, blocked: Review, persona: str) -> None:
    review = decide(blocked, world.users[persona], NO_GO, override_reason="Not needed")
    assert review.decision == NO_GO and review.override_reason == ""


def test_without_blockers_a_change_manager_decides_go(world: Any) -> None:
    criterion_status(world.programme_a, world.central_west, Rag.GREEN)
    review = decide(go_no_go(world), world.users["lead"], GO)
    assert review.decision == GO and review.decided_at is not None


def test_go_with_conditions_needs_conditions(world: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        decide(go_no_go(world), world.users["lead"], CONDITIONS, conditions="  ")
    assert "conditions" in exc.value.message_dict


def test_the_review_cannot_be_held_in_the_future(world: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        decide(go_no_go(world), world.users["board"], NO_GO, held_on=timezone.localdate() + dt.timedelta(days=1))
    assert "held_on" in exc.value.message_dict


# ---------------------------------------------------------------- immutability


def test_a_decided_review_never_changes(world: Any) -> None:
    review = decide(go_no_go(world), world.users["board"], NO_GO, conditions="Retrain the night shift")
    with pytest.raises(ValidationError):
        decide(review, world.users["admin"], GO)
    with pytest.raises(ValidationError):
        services.review_save(programme=world.programme_a, review=review, title="Renamed", actor=world.users["admin"])
    review.refresh_from_db()
    assert (review.decision, review.title, review.decided_by) == (NO_GO, "", world.users["board"])
    entry = AuditEntry.objects.filter(object_type="readiness.review", object_id=str(review.pk), action="update").get()
    assert entry.before is not None and entry.after is not None
    assert entry.before["decision"] == "" and entry.after["decision"] == NO_GO and entry.actor == world.users["board"]


# ---------------------------------------------------------------- the snapshot


def test_the_snapshot_stays_as_decided_when_the_evidence_changes(world: Any) -> None:
    today = timezone.localdate()
    status = criterion_status(world.programme_a, world.central_west, Rag.RED, value="61%", as_of=today - dt.timedelta(days=3))
    survey = closed_wave(world.programme_a, "Pulse 1", today - dt.timedelta(days=7))
    score = unit_score(survey, world.central_west, index=48.0)
    Action.objects.create(programme=world.programme_a, unit=world.westminster, title="Extra training", due_date=today + dt.timedelta(days=5))
    review = decide(go_no_go(world), world.users["board"], NO_GO, conditions="Training above 90%")
    frozen = review.snapshot
    assert frozen is not None
    assert frozen["as_of"] == today.isoformat()
    assert frozen["criteria"] == [{
        "criterion": "Officers trained", "criterion_id": status.criterion_id, "criticality": "critical", "criticality_label": "Critical",
        "unit": world.central_west.name, "unit_id": world.central_west.pk, "rag": "red", "rag_label": "Red", "value": "61%",
        "as_of": (today - dt.timedelta(days=3)).isoformat(), "blocker": True}]
    assert frozen["scores"][0]["index"] == 48.0 and frozen["scores"][0]["wave"] == "Pulse 1" and frozen["scores"][0]["status"] == "Shown"
    assert [a["title"] for a in frozen["actions"]] == ["Extra training"]

    # Everything moves on afterwards...
    CriterionStatus.objects.filter(pk=status.pk).update(rag=Rag.GREEN, value="95%")
    UnitScore.objects.filter(pk=score.pk).update(index=80.0)
    unit_score(closed_wave(world.programme_a, "Pulse 2", today), world.central_west, index=85.0)
    Action.objects.update(status=Action.Status.DONE)
    # ...but the decided review does not.
    review.refresh_from_db()
    assert review.snapshot == frozen
    live = services.review_snapshot(review, today)
    assert live["criteria"][0]["rag"] == "green" and live["scores"][0]["index"] == 85.0 and live["actions"] == []


def test_a_hidden_score_is_frozen_without_numbers(world: Any) -> None:
    today = timezone.localdate()
    unit_score(closed_wave(world.programme_a, "Pulse 1", today - dt.timedelta(days=7)), world.central_west, shown=False)
    review = decide(go_no_go(world), world.users["board"], NO_GO)
    assert review.snapshot is not None
    row = review.snapshot["scores"][0]
    assert row["status"] == "Not enough data" and row["shown"] is False
    assert not {"index", "ci_low", "ci_high", "responses", "response_rate", "means", "barrier", "trend"} & set(row)


def test_the_snapshot_uses_surveys_closed_by_the_day_the_review_was_held(world: Any) -> None:
    today = timezone.localdate()
    unit_score(closed_wave(world.programme_a, "Before", today - dt.timedelta(days=20)), world.central_west, index=40.0)
    unit_score(closed_wave(world.programme_a, "After", today - dt.timedelta(days=2)), world.central_west, index=70.0)
    review = decide(go_no_go(world), world.users["board"], NO_GO, held_on=today - dt.timedelta(days=10))
    assert review.snapshot is not None
    assert review.snapshot["scores"][0]["wave"] == "Before" and review.snapshot["as_of"] == (today - dt.timedelta(days=10)).isoformat()


def test_each_condition_can_become_an_action(world: Any) -> None:
    due = timezone.localdate() + dt.timedelta(days=21)
    review = decide(go_no_go(world), world.users["board"], NO_GO, conditions="- Retrain the night shift\n\n* Second rota check\n",
                    raise_actions=True, action_owner=world.users["lead"], action_due_date=due)
    actions = list(Action.objects.filter(review=review).order_by("pk"))
    assert [a.title for a in actions] == ["Retrain the night shift", "Second rota check"]
    assert all(a.source == "review" and a.owner == world.users["lead"] and a.due_date == due and a.created_by == world.users["board"]
               and a.programme == world.programme_a for a in actions)


def test_raising_condition_actions_needs_conditions_and_a_date(world: Any) -> None:
    review = go_no_go(world)
    with pytest.raises(ValidationError) as exc:
        decide(review, world.users["board"], NO_GO, raise_actions=True, action_due_date=timezone.localdate())
    assert "conditions" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        decide(review, world.users["board"], NO_GO, conditions="Retrain", raise_actions=True)
    assert "action_due_date" in exc.value.message_dict
    assert not Review.objects.get(pk=review.pk).decided and not Action.objects.exists()


# ---------------------------------------------------------------- pages


def test_the_list_shows_upcoming_then_decided(client: Any, world: Any) -> None:
    review = decide(go_no_go(world), world.users["board"], NO_GO)
    client.force_login(world.users["board"])
    page = client.get(reverse("review-list", args=[world.programme_a.pk])).content.decode()
    upcoming, decided = page.index("Upcoming"), page.index("Decided")
    assert upcoming < page.index("T-12 weeks") < decided < page.index(review.get_absolute_url())
    assert "No-go" in page[decided:]
    assert "Add default checkpoints" not in page  # the Board decides; change managers plan


def test_the_defaults_button_adds_the_checkpoints(client: Any, world: Any) -> None:
    client.force_login(world.users["lead"])
    url = reverse("review-list", args=[world.programme_a.pk])
    assert "Add default checkpoints" in client.get(url).content.decode()
    response = client.post(reverse("review-defaults", args=[world.programme_a.pk]), {"rollout_wave": world.wave_a.pk}, follow=True)
    assert "Added 4 reviews for Wave 1" in response.content.decode()
    assert client.post(reverse("review-defaults", args=[world.programme_a.pk]), {"rollout_wave": world.wave_b.pk}).status_code == 302
    assert Review.objects.count() == 4  # programme B's wave through A's address adds nothing


def test_planning_and_changing_a_review(client: Any, world: Any) -> None:
    client.force_login(world.users["lead"])
    response = client.post(reverse("review-create", args=[world.programme_a.pk]),
                           {"rollout_wave": world.wave_a.pk, "checkpoint": "other", "title": "Extra check", "scheduled_on": "2027-02-01"})
    review = Review.objects.get(title="Extra check")
    assert response.status_code == 302 and response["Location"] == review.get_absolute_url()
    bad = client.post(reverse("review-edit", args=[review.pk]), {"rollout_wave": world.wave_a.pk, "checkpoint": "other",
                                                                 "title": "Kept text", "scheduled_on": "not a date"})
    body = bad.content.decode()
    assert bad.status_code == 200 and "There is a problem" in body and 'value="Kept text"' in body


def test_a_decided_review_cannot_be_edited_or_decided_again_from_the_pages(client: Any, world: Any) -> None:
    review = decide(go_no_go(world), world.users["board"], NO_GO)
    client.force_login(world.users["admin"])
    for name in ("review-edit", "review-decide"):
        response = client.get(reverse(name, args=[review.pk]))
        assert response.status_code == 302 and response["Location"] == review.get_absolute_url()
    client.post(reverse("review-decide", args=[review.pk]), {"decision": GO, "held_on": timezone.localdate().isoformat()})
    assert Review.objects.get(pk=review.pk).decision == NO_GO


def test_the_detail_page_shows_live_evidence_then_the_frozen_snapshot(client: Any, world: Any) -> None:
    status = criterion_status(world.programme_a, world.central_west, Rag.RED, title="Rotas ready", value="2 of 5")
    review = go_no_go(world)
    client.force_login(world.users["board"])
    live = client.get(review.get_absolute_url()).content.decode()
    assert "live, as of today" in live and "Rotas ready" in live and "Blocks go" in live and "Record the decision" in live
    decide(review, world.users["board"], NO_GO, held_on=timezone.localdate() - dt.timedelta(days=1), conditions="Rotas finished")
    CriterionStatus.objects.filter(pk=status.pk).update(rag=Rag.GREEN, value="5 of 5")
    frozen = client.get(review.get_absolute_url()).content.decode()
    held = timezone.localdate() - dt.timedelta(days=1)
    assert f"as of {held.day} {held:%B %Y}" in frozen and "2 of 5" in frozen and "5 of 5" not in frozen
    assert "Board Tester" in frozen and "Record the decision" not in frozen


def test_the_decide_page_keeps_what_was_typed_and_names_the_board(client: Any, world: Any, blocked: Review) -> None:
    client.force_login(world.users["lead"])
    url = reverse("review-decide", args=[blocked.pk])
    page = client.get(url).content.decode()
    assert "Override reason" in page and "only a Programme Board member or a portfolio admin can record" in page
    assert f'value="{timezone.localdate().isoformat()}"' in page  # held on defaults to today
    response = client.post(url, {"decision": GO, "conditions": "Floorwalkers in week one", "notes": "All leads attended",
                                 "override_reason": "Mutual aid covers rotas", "held_on": timezone.localdate().isoformat()})
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body and "Only the Programme Board" in body
    for typed in ("Floorwalkers in week one", "All leads attended", "Mutual aid covers rotas"):
        assert typed in body
    assert re.search(r'value="go"[^>]*checked', body)
    assert not Review.objects.get(pk=blocked.pk).decided


def test_the_decide_page_records_a_decision_with_condition_actions(client: Any, world: Any) -> None:
    review = go_no_go(world)
    client.force_login(world.users["board"])
    due = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    response = client.post(reverse("review-decide", args=[review.pk]), {
        "decision": CONDITIONS, "conditions": "Floorwalkers\nDaily stand-up", "raise_actions": "on", "action_owner": world.users["lead"].pk,
        "action_due_date": due, "held_on": timezone.localdate().isoformat(), "notes": ""})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.decision == CONDITIONS and review.actions.count() == 2
    page = client.get(review.get_absolute_url()).content.decode()
    assert "Floorwalkers" in page and "Actions raised from this review" in page


# ---------------------------------------------------------------- API


def test_the_api_decides_with_the_same_rules(client: Any, world: Any, blocked: Review) -> None:
    url = reverse("api-review-decide", args=[blocked.pk])
    body = {"decision": GO, "held_on": timezone.localdate().isoformat(), "override_reason": "Mutual aid covers rotas"}
    client.force_login(world.users["lead"])
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 400 and "Only the Programme Board" in refused.json()["override_reason"][0]
    client.force_login(world.users["board"])
    decided = client.post(url, body, content_type="application/json")
    assert decided.status_code == 200, decided.json()
    data = decided.json()
    assert data["decision"] == GO and data["override_reason"] == "Mutual aid covers rotas" and data["snapshot"]["blockers"] == 1
    assert client.post(url, {**body, "decision": NO_GO}, content_type="application/json").status_code == 400
    listed = client.get(reverse("api-review-list"), {"decided": "true", "programme": world.programme_a.pk}).json()["results"]
    assert [r["id"] for r in listed] == [blocked.pk]
    assert len(client.get(reverse("api-review-list"), {"decided": "false"}).json()["results"]) == 3


def test_the_api_refuses_changes_to_a_decided_review(client: Any, world: Any) -> None:
    review = decide(go_no_go(world), world.users["board"], NO_GO)
    client.force_login(world.users["lead"])
    response = client.patch(reverse("api-review-detail", args=[review.pk]), {"title": "Renamed"}, content_type="application/json")
    assert response.status_code == 400
    other = client.post(reverse("api-review-list"), {"programme": world.programme_a.pk, "rollout_wave": world.wave_b.pk, "checkpoint": "other",
                                                     "scheduled_on": "2027-02-01"}, content_type="application/json")
    assert other.status_code == 400  # programme B's wave is not visible to this lead
