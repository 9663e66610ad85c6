"""The approach's services: versions and what changed, the approval rules
(never the submitter), editing after approval goes back to draft and keeps
the approved version, and every write audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from changeboard.core.models import AuditEntry

from ..models import Approach, ApproachVersion, Measure, Section
from ..services import approach as services
from .approach_data import Data, approve, build


@pytest.fixture
def d(world: Any) -> Data:
    return build(world)


def test_create_refuses_a_second_approach_for_the_programme(d: Data) -> None:
    with pytest.raises(ValidationError):
        services.approach_create(programme=d.world.programme_a, actor=d.world.users["lead"])


def test_first_approval_freezes_version_one_with_everything_added(d: Data) -> None:
    version = approve(d, note="First go")
    approach = Approach.objects.get(pk=d.approach.pk)
    assert (approach.status, approach.version, version.number) == (Approach.Status.APPROVED, 1, 1)
    assert version.approved_by == d.lead_b and version.submitted_by == d.world.users["lead"]
    assert version.note == "First go"
    assert version.content["sections"]["objectives"] == "Land the new duty system."
    assert version.content["groups"][0]["unit"] == "Westminster" and version.content["groups"][0]["role_group"] == "officer"
    assert version.content["promises"][0]["target"] == "25.0"
    labels = {c["label"] for c in version.changes}
    assert {"Objectives", "Case for change", "Group added: Westminster (Police officers)",
            "Promise added: Champion coverage: at most this many impacted people per champion"} <= labels
    assert "Risks" not in labels  # blank before and after


def test_second_version_lists_field_level_changes(d: Data) -> None:
    approve(d)
    lead = d.world.users["lead"]
    services.approach_update(approach=d.approach, actor=lead, risks="Night shifts miss briefings.")
    services.group_approach_update(group=d.group, actor=lead, training="Two hours classroom")
    services.promise_update(promise=d.promise, actor=lead, target=30)
    services.promise_create(approach=d.approach, section=Section.COMMUNICATIONS, measure=Measure.COMMS_SENT, target=5, actor=lead)
    services.approach_submit(approach=d.approach, actor=lead, note="Risks, training and a comms promise")
    version = services.approach_approve(approach=d.approach, actor=d.lead_b)
    assert version.number == 2
    changes = {c["label"]: (c["before"], c["after"]) for c in version.changes}
    assert changes["Risks"] == ("", "Night shifts miss briefings.")
    assert changes["Westminster (Police officers): Training"] == ("", "Two hours classroom")
    assert changes["Promise target: Champion coverage: at most this many impacted people per champion"] == ("25.0", "30.0")
    assert "Promise added: At least this many communications sent to impacted people" in changes
    assert "Objectives" not in changes
    assert len(version.changes) == 4


def test_removed_group_and_promise_show_as_removed(d: Data) -> None:
    approve(d)
    lead = d.world.users["lead"]
    services.group_approach_delete(group=d.group, actor=lead)
    services.promise_delete(promise=d.promise, actor=lead)
    services.approach_submit(approach=d.approach, actor=lead, note="Narrower")
    version = services.approach_approve(approach=d.approach, actor=d.lead_b)
    labels = [c["label"] for c in version.changes]
    assert labels == ["Group removed: Westminster (Police officers)",
                      "Promise removed: Champion coverage: at most this many impacted people per champion"]


def test_editing_an_approved_approach_goes_back_to_draft_and_keeps_v1(d: Data) -> None:
    approve(d)
    services.approach_update(approach=d.approach, actor=d.world.users["lead"], objectives="Changed after approval.")
    approach = Approach.objects.get(pk=d.approach.pk)
    assert approach.status == Approach.Status.DRAFT and approach.version == 1
    v1 = ApproachVersion.objects.get(approach=approach, number=1)
    assert v1.content["sections"]["objectives"] == "Land the new duty system."


@pytest.mark.parametrize("edit", ["group", "promise"])
def test_editing_a_submitted_approach_part_goes_back_to_draft(d: Data, edit: str) -> None:
    lead = d.world.users["lead"]
    services.approach_submit(approach=d.approach, actor=lead)
    if edit == "group":
        services.group_approach_update(group=d.group, actor=lead, training="More")
    else:
        services.promise_update(promise=d.promise, actor=lead, target=20)
    assert Approach.objects.get(pk=d.approach.pk).status == Approach.Status.DRAFT


def test_the_submitter_never_approves_not_even_an_admin(d: Data) -> None:
    admin = d.world.users["admin"]
    services.approach_submit(approach=d.approach, actor=admin)
    with pytest.raises(ValidationError, match="You submitted"):
        services.approach_approve(approach=d.approach, actor=admin)
    assert Approach.objects.get(pk=d.approach.pk).status == Approach.Status.SUBMITTED
    services.approach_approve(approach=d.approach, actor=d.world.users["lead"])
    assert Approach.objects.get(pk=d.approach.pk).version == 1


def test_only_a_change_manager_of_the_programme_approves(d: Data) -> None:
    services.approach_submit(approach=d.approach, actor=d.world.users["lead"])
    for who in ("lead2", "board", "champion"):
        with pytest.raises(ValidationError):
            services.approach_approve(approach=d.approach, actor=d.world.users[who])
    assert not ApproachVersion.objects.exists()


def test_approve_needs_a_submitted_approach(d: Data) -> None:
    with pytest.raises(ValidationError, match="submitted"):
        services.approach_approve(approach=d.approach, actor=d.lead_b)


def test_after_the_first_version_a_submission_needs_a_note(d: Data) -> None:
    approve(d)
    services.approach_update(approach=d.approach, actor=d.world.users["lead"], risks="x")
    with pytest.raises(ValidationError):
        services.approach_submit(approach=d.approach, actor=d.world.users["lead"], note="")


def test_return_needs_a_reason_and_goes_back_to_draft(d: Data) -> None:
    services.approach_submit(approach=d.approach, actor=d.world.users["lead"])
    with pytest.raises(ValidationError):
        services.approach_return(approach=d.approach, actor=d.lead_b, reason=" ")
    services.approach_return(approach=d.approach, actor=d.lead_b, reason="Add the risks")
    approach = Approach.objects.get(pk=d.approach.pk)
    assert approach.status == Approach.Status.DRAFT and approach.submitted_by is None
    entry = AuditEntry.objects.filter(object_type="capability.approach", object_id=str(approach.pk)).order_by("-pk").first()
    assert entry is not None and entry.after is not None and entry.after["returned_because"] == "Add the risks"


def test_duplicate_group_and_promise_are_refused(d: Data) -> None:
    lead = d.world.users["lead"]
    with pytest.raises(ValidationError):
        services.group_approach_create(approach=d.approach, unit=d.world.westminster, role_group="officer", actor=lead)
    with pytest.raises(ValidationError):
        services.promise_create(approach=d.approach, section=Section.TRAINING, measure=Measure.CHAMPION_RATIO, target=10, actor=lead)


def test_every_write_is_audited(d: Data) -> None:
    before = AuditEntry.objects.count()
    approve(d)
    assert AuditEntry.objects.count() == before + 3  # submit, approve, the version
    types = set(AuditEntry.objects.values_list("object_type", flat=True))
    assert {"capability.approach", "capability.groupapproach", "capability.promise", "capability.approachversion"} <= types


def test_changes_from_nothing_and_unchanged() -> None:
    after = {"sections": {"objectives": "A"}, "groups": [], "promises": []}
    assert services.approach_changes(None, after) == [{"part": "section", "label": "Objectives", "before": "", "after": "A"}]
    assert services.approach_changes(after, after) == []
