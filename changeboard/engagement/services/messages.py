"""Writes for the comms plan: a programme's messages, their audience rules
and the approval workflow.

    draft --submit--> for approval --approve--> approved --mark_done / send--> sent
      ^                  |                        |
      +------return------+                        +--(any change but the owner)--> draft
    (draft, for approval, approved) --cancel--> cancelled

- Submitting needs a non-empty audience (its size is refreshed and shown).
- Approving: a change manager of the message's programme or an admin, never
  the person who submitted it (`SELF_APPROVAL`, as for impact assessments).
- Changing a message or its audience while it is for approval or approved
  puts it back to draft: what was approved is not what would be sent.
  Changing only its owner does not.
- Email and event messages are sent by the sending service
  (`services.sending.message_send`); other channels are marked done here.
  A sent message is not edited here: a sent event's update and cancellation
  are the sending service's (a new SEQUENCE, METHOD:CANCEL).
"""

from __future__ import annotations

import datetime as dt
import string
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from changeboard.core import audit
from changeboard.core.scoping import ADMIN_ROLE
from changeboard.impacts.models import ImpactAssessment, ImpactLine
from changeboard.organisation.models import Unit
from changeboard.portfolio.models import Programme
from changeboard.surveys.models import RoleGroup

from ..models import AudienceRule, Message, Stakeholder, StakeholderAssessment
from . import audience, sending

Status = Message.Status
Kind = AudienceRule.Kind

MESSAGE_FIELDS = ("title", "purpose", "channel", "planned_on", "starts_at", "ends_at", "location", "owner", "rollout_wave", "cutover_task",
                  "subject", "body")
# Changing only these keeps an approval (who looks after it is not what was approved).
KEEPS_APPROVAL = frozenset({"owner"})
PLACEHOLDERS = ("first_name", "last_name", "unit", "wave_date")
TIMED_CHANNELS = (Message.Channel.EVENT, Message.Channel.BRIEFING)
EDITABLE = (Status.DRAFT, Status.FOR_APPROVAL, Status.APPROVED)

SELF_APPROVAL = "You submitted this message, so someone else must approve it: another change manager of the programme or a portfolio administrator."
NOT_APPROVER = "Only a change manager of the message's programme or a portfolio administrator can approve it."
SENT_NOT_EDITABLE = "Sent messages cannot be edited here."
EMPTY_AUDIENCE = "Add an audience that reaches at least one person before submitting the message for approval."


def placeholder_errors(text: str) -> list[str]:
    """What is wrong with the placeholders in `text` (empty: nothing)."""
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        return ["A curly bracket is not closed or not opened: placeholders are written {first_name}; "
                "write {{ or }} for a bracket itself."]
    errors = []
    allowed = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
    for _, field, spec, conversion in parts:
        if field is None:
            continue
        if field not in PLACEHOLDERS:
            shown = "{}" if field == "" else "{" + field + "}"
            errors.append(f"{shown} is not a placeholder we can fill in. Use {allowed}.")
        elif spec or conversion:
            errors.append(f"Write {{{field}}} without a format or conversion.")
    return errors


def uses_placeholder(text: str, name: str) -> bool:
    try:
        return any(field == name for _, field, _, _ in string.Formatter().parse(text))
    except ValueError:
        return False


def _check(message: Message) -> None:
    """The message's own rules; every problem at once, by field."""
    errors: dict[str, list[str]] = {}

    def add(field: str, text: str) -> None:
        errors.setdefault(field, []).append(text)

    if not (message.title or "").strip():
        add("title", "Enter the message's title.")
    if message.channel == Message.Channel.EVENT:
        if message.starts_at is None:
            add("starts_at", "Enter when the event starts.")
        if message.ends_at is None:
            add("ends_at", "Enter when the event ends.")
    if message.ends_at is not None and message.starts_at is None:
        add("starts_at", "Enter the start time as well as the end time.")
    if message.starts_at is not None and message.channel not in TIMED_CHANNELS:
        add("starts_at", "Only events and briefings have a start and end time.")
    if message.starts_at is not None and message.ends_at is not None and message.ends_at <= message.starts_at:
        add("ends_at", "The end must be after the start.")
    if message.starts_at is not None and message.planned_on and timezone.localtime(message.starts_at).date() != message.planned_on:
        add("starts_at", "The start must be on the planned day (Europe/London).")
    if message.rollout_wave_id and message.rollout_wave.programme_id != message.programme_id:  # type: ignore[union-attr]
        add("rollout_wave", "Choose a rollout wave of the message's own programme.")
    if message.cutover_task_id and message.cutover_task.runbook.programme_id != message.programme_id:  # type: ignore[union-attr]
        add("cutover_task", "Choose a cutover task of the message's own programme.")
    if message.sends_email:
        if not message.subject.strip():
            add("subject", "Enter the subject line: email and event messages need one.")
        if not message.body.strip():
            add("body", "Enter the text: email and event messages need one.")
    for field in ("subject", "body"):
        for problem in placeholder_errors(getattr(message, field)):
            add(field, problem)
        if uses_placeholder(getattr(message, field), "wave_date") and not message.rollout_wave_id:
            add(field, "{wave_date} needs a rollout wave: choose the wave this message serves.")
    if errors:
        raise ValidationError(errors)


def _snap(message: Message) -> dict[str, Any] | None:
    return audit.snapshot(message)


def _lock(message: Message) -> Message:
    return Message.objects.select_for_update(of=("self",)).select_related("programme", "rollout_wave", "cutover_task__runbook").get(pk=message.pk)


def _reset_approval(message: Message) -> None:
    """Back to draft: whatever was submitted or approved has changed."""
    message.status = Status.DRAFT
    message.submitted_by = None
    message.approved_by = None
    message.approved_at = None


def _editable(message: Message) -> None:
    if message.status == Status.SENT:
        raise ValidationError(SENT_NOT_EDITABLE)
    if message.status == Status.CANCELLED:
        raise ValidationError("A cancelled message cannot be changed.")


@transaction.atomic
def message_create(*, programme: Programme, actor: Any, **fields: Any) -> Message:
    """A new draft in the programme's comms plan (no audience yet)."""
    unknown = sorted(set(fields) - set(MESSAGE_FIELDS))
    if unknown:
        raise ValidationError(f"These cannot be set on a message: {', '.join(unknown)}.")
    message = Message(programme=programme, created_by=actor if getattr(actor, "pk", None) else None, **fields)
    if message.owner_id is None and getattr(actor, "pk", None):
        message.owner = actor
    _check(message)
    message.full_clean()
    message.save()
    audit.record(actor=actor, action="create", obj=message, after=_snap(message))
    return message


@transaction.atomic
def message_update(*, message: Message, actor: Any, **fields: Any) -> Message:
    """Change a message not yet sent. Anything but its owner puts a message
    for approval or approved back to draft."""
    unknown = sorted(set(fields) - set(MESSAGE_FIELDS))
    if unknown:
        raise ValidationError(f"These cannot be changed on a message: {', '.join(unknown)}.")
    message = _lock(message)
    _editable(message)
    before = _snap(message)
    changed = {name for name, value in fields.items() if getattr(message, name) != value}
    for name, value in fields.items():
        setattr(message, name, value)
    if changed - KEEPS_APPROVAL and message.status in (Status.FOR_APPROVAL, Status.APPROVED):
        _reset_approval(message)
    _check(message)
    message.full_clean()
    message.save()
    audit.record(actor=actor, action="update", obj=message, before=before, after=_snap(message))
    return message


# ---------------------------------------------------------------------------
# The audience.


def _rule_target(message: Message, kind: str, unit: Unit | None, role_group: str, impact_line: ImpactLine | None,
                 impact_assessment: ImpactAssessment | None, stakeholder: Stakeholder | None) -> None:
    """Each kind takes its own target, of the message's programme where it has one."""
    errors: dict[str, str] = {}
    given = {"unit": unit, "role_group": role_group, "impact_line": impact_line, "impact_assessment": impact_assessment,
             "stakeholder": stakeholder}
    takes = {Kind.UNIT: {"unit", "role_group"}, Kind.ROLE_GROUP: {"unit", "role_group"}, Kind.IMPACT_LINE: {"impact_line"},
             Kind.ASSESSMENT: {"impact_assessment"}, Kind.STAKEHOLDER: {"stakeholder"}, Kind.CHAMPIONS: set()}
    if kind not in takes:
        raise ValidationError({"kind": "Choose who the message is for."})
    for name, value in given.items():
        if value and name not in takes[Kind(kind)]:
            errors[name] = f"A rule for {Kind(kind).label.lower()} does not take a {name.replace('_', ' ')}."
    if role_group and role_group not in RoleGroup.values:
        errors["role_group"] = "Choose a role group from the list."
    if kind == Kind.UNIT and unit is None:
        errors["unit"] = "Choose the unit."
    if kind == Kind.ROLE_GROUP and not role_group:
        errors["role_group"] = "Choose the role group."
    if kind == Kind.IMPACT_LINE:
        if impact_line is None:
            errors["impact_line"] = "Choose the impact line."
        elif (impact_line.assessment.programme_id != message.programme_id
              or impact_line.assessment.status != ImpactAssessment.Status.APPROVED):
            errors["impact_line"] = "Choose a line of an approved impact assessment of the message's programme."
    if kind == Kind.ASSESSMENT:
        if impact_assessment is None:
            errors["impact_assessment"] = "Choose the impact assessment."
        elif impact_assessment.programme_id != message.programme_id or impact_assessment.status != ImpactAssessment.Status.APPROVED:
            errors["impact_assessment"] = "Choose an approved impact assessment of the message's programme."
    if kind == Kind.STAKEHOLDER:
        if stakeholder is None:
            errors["stakeholder"] = "Choose the stakeholder."
        elif not stakeholder.active:
            errors["stakeholder"] = "This stakeholder is no longer active in the register."
        elif not StakeholderAssessment.objects.filter(stakeholder=stakeholder, programme_id=message.programme_id).exists():
            errors["stakeholder"] = "Choose a stakeholder the programme has mapped."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def audience_rule_add(*, message: Message, kind: str, actor: Any, unit: Unit | None = None, role_group: str = "",
                      impact_line: ImpactLine | None = None, impact_assessment: ImpactAssessment | None = None,
                      stakeholder: Stakeholder | None = None) -> AudienceRule:
    """Add a part to the message's audience and refresh its size."""
    message = _lock(message)
    _editable(message)
    _rule_target(message, kind, unit, role_group, impact_line, impact_assessment, stakeholder)
    if message.audience_rules.filter(kind=kind, unit=unit, role_group=role_group, impact_line=impact_line,
                                     impact_assessment=impact_assessment, stakeholder=stakeholder).exists():
        raise ValidationError("The audience already has this rule.")
    rule = AudienceRule(message=message, kind=kind, unit=unit, role_group=role_group, impact_line=impact_line,
                        impact_assessment=impact_assessment, stakeholder=stakeholder)
    rule.full_clean()
    rule.save()
    audit.record(actor=actor, action="create", obj=rule, after=audit.snapshot(rule))
    _audience_changed(message, actor)
    return rule


@transaction.atomic
def audience_rule_remove(*, rule: AudienceRule, actor: Any) -> Message:
    """Take a part out of the message's audience and refresh its size."""
    message = _lock(rule.message)
    _editable(message)
    audit.record(actor=actor, action="delete", obj=rule, before=audit.snapshot(rule))
    rule.delete()
    _audience_changed(message, actor)
    return message


def _audience_changed(message: Message, actor: Any) -> None:
    if message.status in (Status.FOR_APPROVAL, Status.APPROVED):
        before = _snap(message)
        _reset_approval(message)
        message.save(update_fields=["status", "submitted_by", "approved_by", "approved_at", "updated_at"])
        audit.record(actor=actor, action="update", obj=message, before=before, after=_snap(message))
    audience.reach_refresh(message)


# ---------------------------------------------------------------------------
# The workflow.


def is_own_submission(message: Message, user: Any) -> bool:
    return bool(user is not None and getattr(user, "pk", None) and message.submitted_by_id == user.pk)


def can_approve(message: Message, user: Any) -> bool:
    """A change manager of the message's programme or an admin, never the
    person who submitted it. No user means the system (seeds, commands)."""
    if user is None:
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active or is_own_submission(message, user):
        return False
    if user.role == ADMIN_ROLE:
        return True
    return bool(user.role == "change_manager" and user.programmes.filter(pk=message.programme_id).exists())


def _transition(message: Message, actor: Any, status: str, note: dict[str, Any] | None = None, **changes: Any) -> Message:
    before = _snap(message)
    message.status = status
    for name, value in changes.items():
        setattr(message, name, value)
    message.save()
    after = _snap(message) or {}
    audit.record(actor=actor, action="update", obj=message, before=before, after={**after, **(note or {})})
    return message


@transaction.atomic
def message_submit(*, message: Message, actor: Any) -> Message:
    """Ask for approval: the message must be complete and reach someone."""
    message = _lock(message)
    if message.status != Status.DRAFT:
        raise ValidationError("Only a draft can be submitted for approval.")
    _check(message)
    if audience.reach_refresh(message) == 0:
        raise ValidationError(EMPTY_AUDIENCE)
    return _transition(message, actor, Status.FOR_APPROVAL, submitted_by=actor if getattr(actor, "pk", None) else None)


@transaction.atomic
def message_approve(*, message: Message, actor: Any) -> Message:
    """Approve a submitted message (its audience re-resolved first)."""
    message = _lock(message)
    if message.status != Status.FOR_APPROVAL:
        raise ValidationError("Only a message for approval can be approved.")
    if is_own_submission(message, actor):
        raise PermissionDenied(SELF_APPROVAL)
    if not can_approve(message, actor):
        raise PermissionDenied(NOT_APPROVER)
    if audience.reach_refresh(message) == 0:
        raise ValidationError("The audience no longer reaches anyone (people left or moved): return the message to draft and change it.")
    return _transition(message, actor, Status.APPROVED, approved_by=actor if getattr(actor, "pk", None) else None,
                       approved_at=timezone.now())


@transaction.atomic
def message_return(*, message: Message, reason: str, actor: Any) -> Message:
    """Send a message for approval back to draft, saying why (the reason is
    kept on the audit row and shown on the message)."""
    message = _lock(message)
    if message.status != Status.FOR_APPROVAL:
        raise ValidationError("Only a message for approval can be returned to draft.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the message goes back to draft."})
    _reset_approval(message)
    return _transition(message, actor, Status.DRAFT, note={"return_reason": reason[:2000]})


def last_return_reason(message: Message) -> str:
    """Why the message was last returned to draft, while it is a draft."""
    if message.status != Status.DRAFT:
        return ""
    from changeboard.core.models import AuditEntry

    entry = (AuditEntry.objects.filter(object_type=audit.object_label(Message), object_id=str(message.pk), action="update")
             .order_by("-timestamp", "-pk").first())
    return str((entry.after or {}).get("return_reason", "")) if entry else ""


@transaction.atomic
def message_mark_done(*, message: Message, actor: Any, on: dt.datetime | None = None) -> Message:
    """An approved post, briefing or cascade has gone out. Email and event
    messages are sent by the sending service instead."""
    message = _lock(message)
    if message.status != Status.APPROVED:
        raise ValidationError("Only an approved message can be marked as done.")
    if message.sends_email:
        raise ValidationError("Email and event messages are sent to each person, not marked as done: send it instead.")
    return _transition(message, actor, Status.SENT, sent_at=on or timezone.now())


@transaction.atomic
def message_cancel(*, message: Message, actor: Any) -> Message:
    """Cancel a message, whatever its state: one not yet sent leaves the plan
    (kept, as cancelled); a sent event is called off by sending everyone who
    had it a cancellation (`sending.message_cancel_invitation`, METHOD:CANCEL).
    A sent email, post, briefing or cascade cannot be taken back."""
    message = _lock(message)
    if message.status == Status.SENT and message.channel == Message.Channel.EVENT:
        return sending.message_cancel_invitation(message=message, actor=actor).message
    if message.status == Status.SENT:
        raise ValidationError("A sent message cannot be taken back: only a sent event can be cancelled, by sending a cancellation.")
    if message.status == Status.CANCELLED:
        raise ValidationError("The message is already cancelled.")
    return _transition(message, actor, Status.CANCELLED)
