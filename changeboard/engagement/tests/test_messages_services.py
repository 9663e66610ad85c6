"""The comms plan's services: a message's own rules (events' times,
subject and body, placeholders, the wave and task of its own programme),
audience rules (approved assessments of the programme only, mapped
stakeholders, no duplicates), and the approval workflow (an empty audience
is refused, no self-approval, another programme's manager may not approve,
editing after approval resets it unless only the owner changed, return with
a reason, done or sent, cancelled)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from changeboard.core.models import AuditEntry
from changeboard.portfolio.models import RolloutWave

from ..models import AudienceRule, Message
from ..services import messages as svc
from .messages_data import Comms

S = Message.Status


@pytest.fixture
def c(world: Any) -> Comms:
    return Comms(world)


def errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


def test_create_writes_a_draft_with_its_audit_row(c: Comms) -> None:
    m = c.event()
    assert m.status == S.DRAFT and m.owner == c.world.users["lead"] and m.audience_size == 0
    assert AuditEntry.objects.filter(object_type="engagement.message", object_id=str(m.pk), action="create").count() == 1


def test_an_event_needs_its_times_and_the_end_after_the_start(c: Comms) -> None:
    with pytest.raises(ValidationError) as exc:
        c.event(starts_at=None, ends_at=None)
    assert errors(exc)["starts_at"] == ["Enter when the event starts."]
    assert errors(exc)["ends_at"] == ["Enter when the event ends."]
    start = dt.datetime(2027, 2, 10, 9, tzinfo=timezone.get_current_timezone())
    with pytest.raises(ValidationError) as exc:
        c.event(starts_at=start, ends_at=start)
    assert errors(exc)["ends_at"] == ["The end must be after the start."]
    with pytest.raises(ValidationError) as exc:
        c.event(starts_at=start + dt.timedelta(days=1), ends_at=start + dt.timedelta(days=1, hours=1))
    assert "The start must be on the planned day (Europe/London)." in errors(exc)["starts_at"]
    with pytest.raises(ValidationError) as exc:
        c.message(starts_at=start, ends_at=start + dt.timedelta(hours=1))  # an intranet post has no time
    assert "Only events and briefings have a start and end time." in errors(exc)["starts_at"]
    assert not Message.objects.exists()


def test_email_and_events_need_a_subject_and_a_body(c: Comms) -> None:
    with pytest.raises(ValidationError) as exc:
        c.message(channel="email", subject=" ", body="")
    assert set(errors(exc)) == {"subject", "body"}
    assert c.message(channel="cascade").subject == ""  # a cascade needs neither


@pytest.mark.parametrize(("body", "problem"), [
    ("Dear {firstname}", "{firstname} is not a placeholder we can fill in. Use {first_name}, {last_name}, {unit}, {wave_date}."),
    ("Dear {first_name", "A curly bracket is not closed or not opened"),
    ("Dear {}", "{} is not a placeholder"),
    ("Dear {first_name!r}", "Write {first_name} without a format or conversion."),
    ("Dear {unit.name}", "{unit.name} is not a placeholder"),
    ("Go live on {wave_date}", "{wave_date} needs a rollout wave"),
])
def test_placeholders_are_checked(c: Comms, body: str, problem: str) -> None:
    with pytest.raises(ValidationError) as exc:
        c.message(channel="email", subject="Hello", body=body)
    assert any(problem in text for text in errors(exc)["body"]), errors(exc)


def test_known_placeholders_and_escaped_brackets_pass(c: Comms) -> None:
    m = c.message(channel="email", subject="For {first_name}", rollout_wave=c.world.wave_a,
                  body="{first_name} {last_name} of {unit}: live on {wave_date}. {{not a placeholder}}")
    assert m.pk


def test_wave_and_cutover_task_of_the_same_programme(c: Comms) -> None:
    from changeboard.cutover.models import Runbook, Task

    with pytest.raises(ValidationError) as exc:
        c.message(rollout_wave=c.world.wave_b)
    assert errors(exc)["rollout_wave"] == ["Choose a rollout wave of the message's own programme."]
    runbook = Runbook.objects.create(programme=c.world.programme_b, rollout_wave=c.world.wave_b, title="B cutover",
                                     planned_start=timezone.now())
    task = Task.objects.create(runbook=runbook, ref="T-1", title="Send the go-live note")
    with pytest.raises(ValidationError) as exc:
        c.message(cutover_task=task)
    assert errors(exc)["cutover_task"] == ["Choose a cutover task of the message's own programme."]
    Runbook.objects.filter(pk=runbook.pk).update(programme=c.world.programme_a, rollout_wave=c.world.wave_a)
    task = Task.objects.get(pk=task.pk)
    assert c.message(cutover_task=task, rollout_wave=c.world.wave_a).cutover_task == task


def test_unknown_fields_are_refused(c: Comms) -> None:
    with pytest.raises(ValidationError, match="status"):
        c.message(status="approved")


@pytest.mark.parametrize(("kind", "target", "field", "problem"), [
    ("impact_line", "draft_line", "impact_line", "Choose a line of an approved impact assessment of the message's programme."),
    ("impact_line", "line_b", "impact_line", "Choose a line of an approved impact assessment of the message's programme."),
    ("assessment", "draft", "impact_assessment", "Choose an approved impact assessment of the message's programme."),
    ("assessment", "assessment_b", "impact_assessment", "Choose an approved impact assessment of the message's programme."),
    ("stakeholder", "unmapped", "stakeholder", "Choose a stakeholder the programme has mapped."),
    ("unit", None, "unit", "Choose the unit."),
    ("role_group", None, "role_group", "Choose the role group."),
])
def test_audience_rules_take_only_the_programme_s_approved_targets(c: Comms, kind: str, target: str | None, field: str, problem: str) -> None:
    m = c.message()
    kwargs = {field: getattr(c, target)} if target else {}
    with pytest.raises(ValidationError) as exc:
        svc.audience_rule_add(message=m, kind=kind, actor=c.world.users["lead"], **kwargs)
    assert errors(exc)[field] == [problem]
    assert not AudienceRule.objects.exists()


def test_a_rule_takes_only_its_own_kind_of_target_and_no_duplicates(c: Comms) -> None:
    m = c.message()
    with pytest.raises(ValidationError) as exc:
        svc.audience_rule_add(message=m, kind="unit", unit=c.world.team, impact_line=c.custody, actor=None)
    assert "impact_line" in errors(exc)
    with pytest.raises(ValidationError):
        svc.audience_rule_add(message=m, kind="role_group", role_group="pirates", actor=None)
    svc.audience_rule_add(message=m, kind="unit", unit=c.world.team, actor=None)
    with pytest.raises(ValidationError, match="already has this rule"):
        svc.audience_rule_add(message=m, kind="unit", unit=c.world.team, actor=None)
    assert m.audience_rules.count() == 1


def test_removing_a_rule_refreshes_the_size(c: Comms) -> None:
    m = c.with_line(c.message())
    assert m.audience_size == 2
    svc.audience_rule_remove(rule=m.audience_rules.get(), actor=c.world.users["lead"])
    m.refresh_from_db()
    assert m.audience_size == 0 and not m.reach.exists()


def test_submit_needs_an_audience(c: Comms) -> None:
    m = c.message()
    with pytest.raises(ValidationError, match="at least one person"):
        svc.message_submit(message=m, actor=c.world.users["lead"])
    m.refresh_from_db()
    assert m.status == S.DRAFT


def test_approval_by_another_change_manager_of_the_programme(c: Comms) -> None:
    w = c.world
    m = c.with_line(c.event())
    m = svc.message_submit(message=m, actor=w.users["lead"])
    assert (m.status, m.submitted_by, m.audience_size) == (S.FOR_APPROVAL, w.users["lead"], 2)
    with pytest.raises(PermissionDenied, match="someone else must approve"):
        svc.message_approve(message=m, actor=w.users["lead"])
    with pytest.raises(PermissionDenied, match="Only a change manager of the message's programme"):
        svc.message_approve(message=m, actor=w.users["lead2"])
    with pytest.raises(PermissionDenied):
        svc.message_approve(message=m, actor=w.users["board"])
    assert Message.objects.get(pk=m.pk).status == S.FOR_APPROVAL
    m = svc.message_approve(message=m, actor=c.lead_a2)
    assert (m.status, m.approved_by) == (S.APPROVED, c.lead_a2) and m.approved_at is not None


def test_an_admin_approves_but_not_their_own_submission(c: Comms) -> None:
    admin = c.world.users["admin"]
    m = svc.message_submit(message=c.with_line(c.message()), actor=admin)
    with pytest.raises(PermissionDenied):
        svc.message_approve(message=m, actor=admin)
    assert svc.message_approve(message=m, actor=c.world.users["lead"]).status == S.APPROVED
    other = svc.message_submit(message=c.with_line(c.message()), actor=c.world.users["lead"])
    assert svc.message_approve(message=other, actor=admin).status == S.APPROVED


def approved(c: Comms, **fields: Any) -> Message:
    m = svc.message_submit(message=c.with_line(c.event(**fields)), actor=c.world.users["lead"])
    return svc.message_approve(message=m, actor=c.lead_a2)


def test_editing_after_approval_puts_it_back_to_draft(c: Comms) -> None:
    m = approved(c)
    m = svc.message_update(message=m, actor=c.world.users["lead"], title="Custody briefing (moved room)")
    assert (m.status, m.approved_by, m.approved_at, m.submitted_by) == (S.DRAFT, None, None, None)


def test_changing_only_the_owner_keeps_the_approval(c: Comms) -> None:
    m = approved(c)
    m = svc.message_update(message=m, actor=c.world.users["lead"], owner=c.lead_a2, title=m.title)
    assert m.status == S.APPROVED and m.owner == c.lead_a2


def test_changing_the_audience_after_approval_resets_it(c: Comms) -> None:
    m = approved(c)
    svc.audience_rule_add(message=m, kind="unit", unit=c.world.camden, actor=c.world.users["lead"])
    m.refresh_from_db()
    assert m.status == S.DRAFT and m.audience_size == 3


def test_a_failed_edit_changes_nothing(c: Comms) -> None:
    m = approved(c)
    with pytest.raises(ValidationError):
        svc.message_update(message=m, actor=c.world.users["lead"], body="Dear {nickname}")
    m.refresh_from_db()
    assert m.status == S.APPROVED and m.body == "Dear {first_name}, see you there."


def test_return_needs_a_reason_which_the_draft_shows(c: Comms) -> None:
    m = svc.message_submit(message=c.with_line(c.event()), actor=c.world.users["lead"])
    with pytest.raises(ValidationError) as exc:
        svc.message_return(message=m, reason="  ", actor=c.lead_a2)
    assert errors(exc)["reason"] == ["Say why the message goes back to draft."]
    m = svc.message_return(message=m, reason="Clashes with the Camden briefing", actor=c.lead_a2)
    assert m.status == S.DRAFT and m.submitted_by is None
    assert svc.last_return_reason(m) == "Clashes with the Camden briefing"


def test_mark_done_for_posts_and_briefings_not_for_email(c: Comms) -> None:
    post = svc.message_submit(message=c.with_line(c.message()), actor=c.world.users["lead"])
    with pytest.raises(ValidationError, match="Only an approved message"):
        svc.message_mark_done(message=post, actor=c.world.users["lead"])
    post = svc.message_mark_done(message=svc.message_approve(message=post, actor=c.lead_a2), actor=c.world.users["lead"])
    assert post.status == S.SENT and post.sent_at is not None
    with pytest.raises(ValidationError, match="Sent messages cannot be edited here."):
        svc.message_update(message=post, actor=c.world.users["lead"], title="New")
    with pytest.raises(ValidationError, match="Sent messages cannot be edited here."):
        svc.audience_rule_add(message=post, kind="unit", unit=c.world.camden, actor=None)
    event = approved(c)
    with pytest.raises(ValidationError, match="send it instead"):
        svc.message_mark_done(message=event, actor=c.world.users["lead"])


def test_cancel(c: Comms) -> None:
    m = approved(c)
    m = svc.message_cancel(message=m, actor=c.world.users["lead"])
    assert m.status == S.CANCELLED
    with pytest.raises(ValidationError, match="already cancelled"):
        svc.message_cancel(message=m, actor=None)
    with pytest.raises(ValidationError, match="cancelled message cannot be changed"):
        svc.message_update(message=m, actor=None, title="x")


def test_the_workflow_writes_audit_rows(c: Comms) -> None:
    m = approved(c)
    rows = AuditEntry.objects.filter(object_type="engagement.message", object_id=str(m.pk))
    assert list(rows.order_by("pk").values_list("action", flat=True)) == ["create", "update", "update"]
    last = rows.order_by("-pk").first()
    assert last is not None and last.after is not None and last.after["status"] == S.APPROVED
    assert AuditEntry.objects.filter(object_type="engagement.audiencerule", action="create").count() == 1


def test_a_rollout_wave_moved_to_another_programme_is_caught_on_submit(c: Comms) -> None:
    m = c.with_line(c.message(rollout_wave=c.world.wave_a))
    RolloutWave.objects.filter(pk=c.world.wave_a.pk).update(programme=c.world.programme_b)
    with pytest.raises(ValidationError) as exc:
        svc.message_submit(message=m, actor=c.world.users["lead"])
    assert "rollout_wave" in errors(exc)
