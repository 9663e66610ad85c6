"""Journey services: validation, ordering and moves, touchpoints checked
by kind and programme with their labels, and an audit row per change."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from changeboard.core.models import AuditEntry

from ..models import Journey, Stage, Step, Touchpoint
from ..services import journeys as services
from .journey_data import Data, build


@pytest.fixture
def d(world: Any) -> Data:
    return build(world)


def audits(action: str, model: str) -> int:
    return AuditEntry.objects.filter(action=action, object_type=f"capability.{model}").count()


def test_build_is_audited(d: Data) -> None:
    assert audits("create", "journey") == 1
    assert audits("create", "stage") == 2
    assert audits("create", "step") == 4
    assert [s.order for s in Step.objects.filter(stage=d.golive)] == [1, 2]


def test_journey_needs_title_persona_units_and_a_known_role_group(d: Data) -> None:
    lead = d.world.users["lead"]
    common: dict[str, Any] = {"programme": d.world.programme_a, "title": "T", "persona": "P", "units": [d.world.team], "actor": lead}
    with pytest.raises(ValidationError) as e:
        services.journey_create(**{**common, "title": "  "})
    assert "title" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        services.journey_create(**{**common, "units": []})
    assert "units" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        services.journey_create(**{**common, "role_group": "sergeant"})
    assert "role_group" in e.value.message_dict
    assert Journey.objects.count() == 1


def test_journey_update_and_delete(d: Data) -> None:
    services.journey_update(journey=d.journey, title="New title", units=[d.world.team, d.world.camden], actor=None)
    d.journey.refresh_from_db()
    assert d.journey.title == "New title"
    assert set(d.journey.units.all()) == {d.world.team, d.world.camden}
    with pytest.raises(ValidationError):
        services.journey_update(journey=d.journey, programme=d.world.programme_b, actor=None)
    services.journey_delete(journey=d.journey, actor=None)
    assert not Journey.objects.exists() and not Step.objects.exists()
    assert audits("update", "journey") == 1 and audits("delete", "journey") == 1


def test_step_checks_emotion_and_adkar(d: Data) -> None:
    with pytest.raises(ValidationError) as e:
        services.step_add(stage=d.hearing, name="X", emotion=3, actor=None)
    assert "emotion" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        services.step_add(stage=d.hearing, name="X", adkar="attitude", actor=None)
    assert "adkar" in e.value.message_dict
    services.step_update(step=d.training, emotion=-2, adkar="", actor=None)
    d.training.refresh_from_db()
    assert (d.training.emotion, d.training.adkar) == (-2, "")


def test_moves_swap_neighbours_and_stop_at_the_ends(d: Data) -> None:
    services.stage_move(stage=d.golive, direction="up", actor=None)
    assert list(Stage.objects.filter(journey=d.journey).values_list("name", flat=True)) == ["Go-live week", "Hearing about it"]
    services.stage_move(stage=d.golive, direction="up", actor=None)  # already first: nothing changes, nothing audited
    assert audits("update", "stage") == 1
    services.step_move(step=d.briefing, direction="down", actor=None)
    assert list(Step.objects.filter(stage=d.hearing).values_list("name", flat=True)) == ["Training", "Team briefing"]
    with pytest.raises(ValidationError):
        services.step_move(step=d.briefing, direction="sideways", actor=None)


@pytest.mark.parametrize(("kind", "ref", "label"), [
    ("message", lambda d: d.message_a.pk, "Go-live briefing note"),
    ("task", lambda d: d.task_a.pk, "T-010 Switch on custody module"),
    ("activity", lambda d: d.activity_a.pk, None),
    ("course", lambda d: "CUST-101", "Course CUST-101: Custody officers trained"),
    ("course", lambda d: "GEN-001", "Course GEN-001"),
])
def test_touchpoint_links_a_record_of_the_same_programme(d: Data, kind: str, ref: Any, label: str | None) -> None:
    tp = services.touchpoint_add(step=d.briefing, kind=kind, ref=str(ref(d)), actor=d.world.users["lead"])
    assert tp.ref == str(ref(d))
    assert tp.label == (label if label is not None else str(d.activity_a))
    assert audits("create", "touchpoint") == 1


@pytest.mark.parametrize(("kind", "ref", "words"), [
    ("message", lambda d: d.message_b.pk, "another programme"),
    ("task", lambda d: d.task_b.pk, "another programme"),
    ("activity", lambda d: d.activity_b.pk, "another programme"),
    ("message", lambda d: 999999, "no communication"),
    ("task", lambda d: 999999, "no cutover task"),
    ("activity", lambda d: 999999, "no champion activity"),
    ("message", lambda d: "²", "a number"),
    ("message", lambda d: "-1", "a number"),
    ("course", lambda d: "NOPE-1", "no training course"),
    ("course", lambda d: "", "Enter"),
])
def test_touchpoint_refuses_unknown_or_other_programme_records(d: Data, kind: str, ref: Any, words: str) -> None:
    with pytest.raises(ValidationError) as e:
        services.touchpoint_add(step=d.briefing, kind=kind, ref=str(ref(d)), actor=None)
    assert words.lower() in " ".join(e.value.message_dict["ref"]).lower()
    assert not Touchpoint.objects.exists() and audits("create", "touchpoint") == 0


def test_touchpoint_kind_must_be_known_and_not_duplicated(d: Data) -> None:
    with pytest.raises(ValidationError) as e:
        services.touchpoint_add(step=d.briefing, kind="poster", ref="1", actor=None)
    assert "kind" in e.value.message_dict
    tp = services.touchpoint_add(step=d.briefing, kind="message", ref=str(d.message_a.pk), actor=None)
    with pytest.raises(ValidationError):
        services.touchpoint_add(step=d.briefing, kind="message", ref=str(d.message_a.pk), actor=None)
    services.touchpoint_delete(touchpoint=tp, actor=None)
    assert not Touchpoint.objects.exists() and audits("delete", "touchpoint") == 1


def test_other_programmes_course_on_a_criterion_is_not_this_programmes(d: Data) -> None:
    from changeboard.readiness.models import Criterion

    Criterion.objects.create(programme=d.world.programme_b, title="B trained", feed=Criterion.Feed.TRAINING, course="CASE-9")
    with pytest.raises(ValidationError):
        services.touchpoint_add(step=d.briefing, kind="course", ref="CASE-9", actor=None)
    assert "CUST-101" in services.courses(d.world.programme_a) and "CASE-9" not in services.courses(d.world.programme_a)


def test_stage_and_step_delete_are_audited(d: Data) -> None:
    services.step_delete(step=d.settling, actor=None)
    services.stage_delete(stage=d.hearing, actor=None)
    assert list(Step.objects.values_list("name", flat=True)) == ["First shift"]
    assert audits("delete", "step") == 1 and audits("delete", "stage") == 1
