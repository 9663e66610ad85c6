"""The champion pool: nomination, acceptance, support for programmes, the
HR sync, and the champion account's scope.

A champion's account is found by the HR record's email (any role) or, when
none exists, created as a champion account with no password (signed in by
single sign-on, or given a password by an admin). A champion account's
units are always the union of the units its active entries look after, so
its scope follows the pool (`sync_scope`), and a leaver loses it at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from changeboard.accounts.models import Role, User
from changeboard.accounts.services import user_create, user_update
from changeboard.core import audit
from changeboard.core.outbox import outbox_add
from changeboard.core.scoping import can
from changeboard.organisation.models import Staff, Unit
from changeboard.portfolio.models import Programme
from changeboard.surveys.models import SurveyWave

from ..models import Champion, NetworkPolicy, Support

Status = Champion.Status
LEFT = "Left the force"
LIVE_STATUSES = (Status.NOMINATED, Status.ACTIVE)


# ---------------------------------------------------------------------------
# Who the champions are (for the comms audience and the champion pulse)


def champions_staff_q(programme: Programme, day: dt.date) -> Q:
    """A Q on `Staff`: the programme's active champions on a day."""
    ids = Champion.objects.active(day).filter(supports__programme=programme, supports__active=True).values("staff_id")
    return Q(pk__in=ids)


def pulse_audience_q(wave: SurveyWave, day: dt.date) -> Q:
    return champions_staff_q(wave.programme, day)


# ---------------------------------------------------------------------------
# Permissions a service checks itself (the views check them too)


def champion_entry(user: Any, day: dt.date | None = None, *, active_only: bool = False) -> Champion | None:
    """The user's own pool entry: their active one first (with `active_only`,
    only one active on `day`, else None), otherwise their first entry."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if active_only:
        return Champion.objects.active(day or timezone.localdate()).filter(user=user).select_related("staff__unit").order_by("pk").first()
    entries = Champion.objects.filter(user=user).select_related("staff__unit")
    return entries.filter(status=Status.ACTIVE).order_by("pk").first() or entries.order_by("pk").first()


def supported(champion: Champion) -> QuerySet[Programme]:
    """The programmes the champion actively supports."""
    return Programme.objects.filter(champion_supports__champion=champion, champion_supports__active=True).order_by("code")


def may_ask_for(actor: User | None, programme: Programme) -> bool:
    """Admins, and the change managers of the programme."""
    if actor is None:
        return True  # the system (seeds, imports)
    if actor.role == Role.ADMIN:
        return True
    return actor.role == Role.CHANGE_MANAGER and actor.programmes.filter(pk=programme.pk).exists()


def _require_programme(actor: User | None, programme: Programme) -> None:
    if not may_ask_for(actor, programme):
        raise PermissionDenied("Only the programme's change managers may ask champions to support it.")


# ---------------------------------------------------------------------------
# The account and its scope


def _account_for(staff: Staff, actor: User | None) -> User | None:
    if not staff.email:
        return None
    existing = User.objects.filter(email__iexact=staff.email).order_by("pk").first()
    if existing is not None:
        return existing
    username = f"champion-{staff.staff_number}".lower()
    if User.objects.filter(username=username).exists():
        return None
    return user_create(username=username, role=Role.CHAMPION, actor=actor, first_name=staff.first_name,
                       last_name=staff.last_name, email=staff.email)


def sync_scope(user: User | None, actor: User | None = None) -> None:
    """A champion account's units are those its active entries look after."""
    if user is None or user.role != Role.CHAMPION:
        return
    today = timezone.localdate()
    units = list(Unit.objects.filter(champions__in=Champion.objects.active(today).filter(user=user)).distinct())
    if {u.pk for u in units} != set(user.units.values_list("pk", flat=True)):
        user_update(user=user, actor=actor, units=units)


# ---------------------------------------------------------------------------
# Nomination and response


def _notify(champion: Champion, key: str, subject: str, template: str, context: dict[str, Any]) -> None:
    address = champion.user.email if champion.user and champion.user.email else champion.staff.email
    if not address:
        return
    link = settings.SITE_URL + reverse("network-mine")
    body = render_to_string(template, {"champion": champion, "link": link, **context})
    outbox_add(key=key, kind="network", to_address=address, subject=subject, body=body)


@transaction.atomic
def champion_nominate(*, staff: Staff, programme: Programme, hours_asked: Decimal | float | int, actor: User | None,
                      units: Iterable[Unit] | None = None, hours_agreed: Decimal | float | int | None = None,
                      start_date: dt.date | None = None, end_date: dt.date | None = None,
                      nominated_as: str = Champion.NominatedAs.CHANGE_MANAGER, reason: str = "") -> Champion:
    """Nominate a member of staff to champion a programme. Someone already
    in the pool is asked to support one more programme (their entry is
    re-opened if they had declined or ended). The nominee is told by email
    and accepts or declines on their own page. Someone already active or
    waiting keeps their units, time agreed and dates: only the ask is new."""
    _require_programme(actor, programme)
    today = timezone.localdate()
    if staff.is_leaver or (staff.leave_date is not None and staff.leave_date <= today):
        raise ValidationError({"staff": "They have left the force."})
    hours = Decimal(str(hours_asked))
    if hours < 0:
        raise ValidationError({"hours_asked": "Hours cannot be negative."})
    agreed = Decimal(str(hours_agreed)) if hours_agreed is not None else None
    if agreed is not None and agreed < 0:
        raise ValidationError({"hours_agreed": "Hours cannot be negative."})
    if nominated_as not in Champion.NominatedAs.values:
        raise ValidationError({"nominated_as": "Choose line manager or change manager."})
    if start_date and end_date and end_date < start_date:
        raise ValidationError({"end_date": "The end must be on or after the start."})
    unit_list = list(units) if units is not None else [staff.unit]
    if not unit_list:
        raise ValidationError({"units": "Choose at least one unit they look after."})
    champion = Champion.objects.select_for_update().filter(staff=staff).first()
    created = champion is None
    reopened = False
    before = None if champion is None else audit.snapshot(champion)
    if champion is None:
        champion = Champion(staff=staff, hours_agreed=agreed if agreed is not None else NetworkPolicy.current().default_hours,
                            start_date=start_date or today, end_date=end_date, nominated_by=actor, nominated_as=nominated_as,
                            reason=reason.strip(), known_unit=staff.unit)
    elif champion.status in (Status.DECLINED, Status.ENDED):
        reopened = True
        champion.status = Status.NOMINATED
        champion.nominated_by, champion.nominated_as, champion.nominated_at = actor, nominated_as, timezone.now()
        champion.responded_at, champion.end_date = None, end_date
        champion.start_date = start_date or today
        champion.needs_review, champion.known_unit = "", staff.unit
        champion.reason = reason.strip() or champion.reason
        if agreed is not None:
            champion.hours_agreed = agreed
    if champion.user_id is None:
        champion.user = _account_for(staff, actor)
    if champion.start_date and champion.end_date and champion.end_date < champion.start_date:
        raise ValidationError({"end_date": "The end must be on or after the start."})
    champion.save()
    if created or reopened:
        champion.units.set(unit_list)
    support, support_created = Support.objects.get_or_create(champion=champion, programme=programme, defaults={"hours_asked": hours})
    if not support_created and (not support.active or support.hours_asked != hours):
        support.active, support.hours_asked = True, hours
        support.save(update_fields=["active", "hours_asked"])
    audit.record(actor=actor, action="create" if created else "update", obj=champion, before=before, after=audit.snapshot(champion))
    audit.record(actor=actor, action="create" if support_created else "update", obj=support, after=audit.snapshot(support))
    if champion.status == Status.NOMINATED:
        subject = f"You have been nominated as a change champion for {programme.name}"
        template = "network/email/nominated.txt"
    else:
        subject = f"{programme.name} has asked for your help as a change champion"
        template = "network/email/asked.txt"
    _notify(champion, f"net-nominate-{champion.pk}-{support.pk}-{int(timezone.now().timestamp())}", subject, template,
            {"programme": programme, "support": support})
    sync_scope(champion.user, actor)
    return champion


def _require_change(champion: Champion, actor: User | None) -> None:
    """The system, an admin, or a change manager of a programme the
    champion supports (or who nominated them)."""
    if actor is not None and not can_change(actor, champion):
        raise PermissionDenied("Only a change manager of a programme they support may change this entry.")


def _require_self(champion: Champion, actor: User | None) -> None:
    if actor is None or champion.user_id != actor.pk:
        raise PermissionDenied("Only the nominee can answer their nomination.")


@transaction.atomic
def champion_accept(*, champion: Champion, actor: User | None) -> Champion:
    _require_self(champion, actor)
    if champion.status != Status.NOMINATED:
        raise ValidationError("Only a nomination waiting for an answer can be accepted.")
    before = audit.snapshot(champion)
    champion.status, champion.responded_at = Status.ACTIVE, timezone.now()
    champion.save(update_fields=["status", "responded_at"])
    audit.record(actor=actor, action="update", obj=champion, before=before, after=audit.snapshot(champion))
    sync_scope(champion.user, actor)
    return champion


@transaction.atomic
def champion_decline(*, champion: Champion, actor: User | None, reason: str = "") -> Champion:
    _require_self(champion, actor)
    if champion.status != Status.NOMINATED:
        raise ValidationError("Only a nomination waiting for an answer can be declined.")
    before = audit.snapshot(champion)
    champion.status, champion.responded_at = Status.DECLINED, timezone.now()
    if reason.strip():
        champion.reason = f"{champion.reason}\nDeclined: {reason.strip()}".strip()
    champion.save(update_fields=["status", "responded_at", "reason"])
    champion.supports.update(active=False)
    audit.record(actor=actor, action="update", obj=champion, before=before, after=audit.snapshot(champion))
    sync_scope(champion.user, actor)
    return champion


CHAMPION_FIELDS = ("hours_agreed", "start_date", "end_date", "reason")


@transaction.atomic
def champion_update(*, champion: Champion, actor: User | None, units: Iterable[Unit] | None = None, **fields: Any) -> Champion:
    """Change the time agreed, dates, reason or units (a change manager of a
    programme they support, or an admin)."""
    unknown = set(fields) - set(CHAMPION_FIELDS)
    if unknown:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    _require_change(champion, actor)
    if champion.status in (Status.DECLINED, Status.ENDED):
        raise ValidationError("They are not in the pool now: nominate them again to change their entry.")
    before = audit.snapshot(champion)
    for name, value in fields.items():
        setattr(champion, name, value)
    if champion.end_date and champion.end_date < champion.start_date:
        raise ValidationError({"end_date": "The end must be on or after the start."})
    if champion.hours_agreed is not None and champion.hours_agreed < 0:
        raise ValidationError({"hours_agreed": "Hours cannot be negative."})
    champion.save()
    if units is not None:
        unit_list = list(units)
        if not unit_list:
            raise ValidationError({"units": "Choose at least one unit they look after."})
        champion.units.set(unit_list)
    after = audit.snapshot(champion)
    if before != after or units is not None:
        audit.record(actor=actor, action="update", obj=champion, before=before, after=after)
    sync_scope(champion.user, actor)
    return champion


@transaction.atomic
def champion_end(*, champion: Champion, actor: User | None, end_date: dt.date | None = None) -> Champion:
    """Stand a champion down (by their change manager, an admin, or the HR
    sync's review). Their programmes' asks end with it."""
    _require_change(champion, actor)
    if champion.status in (Status.ENDED, Status.DECLINED):
        raise ValidationError("They have already stood down.")
    before = audit.snapshot(champion)
    today = timezone.localdate()
    champion.status = Status.ENDED
    champion.end_date = min(end_date or today, today) if champion.start_date <= today else champion.start_date
    champion.save(update_fields=["status", "end_date"])
    champion.supports.update(active=False)
    audit.record(actor=actor, action="update", obj=champion, before=before, after=audit.snapshot(champion))
    sync_scope(champion.user, actor)
    return champion


@transaction.atomic
def champion_review(*, champion: Champion, actor: User | None, follow_move: bool = True) -> Champion:
    """Clear an HR flag. A leaver stands down; a mover's units follow them
    to their new unit (`follow_move`) or stay as they were."""
    _require_change(champion, actor)
    if not champion.needs_review:
        raise ValidationError("Nothing to review.")
    staff = champion.staff
    if champion.needs_review == LEFT:
        if champion.status in LIVE_STATUSES:
            champion_end(champion=champion, actor=actor)
    elif follow_move:
        champion.units.set([staff.unit])
    before = audit.snapshot(champion)
    champion.needs_review, champion.known_unit = "", staff.unit
    champion.save(update_fields=["needs_review", "known_unit"])
    audit.record(actor=actor, action="update", obj=champion, before=before, after=audit.snapshot(champion))
    sync_scope(champion.user, actor)
    return champion


def sync_from_staff(staff_ids: Iterable[int] | None = None) -> int:
    """After an HR import: flag champions who left or moved unit since last
    reviewed. A leaver's account loses its scope at once (they must not keep
    seeing their units); a mover keeps theirs until reviewed. Returns how
    many entries were flagged."""
    entries = Champion.objects.exclude(status__in=(Status.ENDED, Status.DECLINED)).select_related("staff__unit", "known_unit", "user")
    if staff_ids is not None:
        entries = entries.filter(staff_id__in=list(staff_ids))
    today = timezone.localdate()
    flagged = 0
    with transaction.atomic():
        for champion in entries.select_for_update(of=("self",)).order_by("pk"):
            staff = champion.staff
            if staff.is_leaver or (staff.leave_date is not None and staff.leave_date <= today):
                reason = LEFT
            elif champion.known_unit_id is not None and champion.known_unit_id != staff.unit_id:
                old = champion.known_unit.name if champion.known_unit else "an earlier unit"
                reason = f"Moved from {old} to {staff.unit.name}"[:200]
            else:
                if champion.known_unit_id is None:
                    Champion.objects.filter(pk=champion.pk).update(known_unit_id=staff.unit_id)
                continue
            if champion.needs_review == reason:
                continue
            before = audit.snapshot(champion)
            champion.needs_review = reason
            champion.save(update_fields=["needs_review"])
            audit.record(actor=None, action="update", obj=champion, before=before, after=audit.snapshot(champion))
            if reason == LEFT:
                sync_scope(champion.user)
            flagged += 1
    return flagged


# ---------------------------------------------------------------------------
# What each programme asks


@transaction.atomic
def support_set(*, champion: Champion, programme: Programme, hours_asked: Decimal | float | int, actor: User | None) -> Support:
    """Set (or re-open) a programme's ask of a champion already in the pool."""
    _require_programme(actor, programme)
    if champion.status not in LIVE_STATUSES:
        raise ValidationError("Nominate them again first: they are not in the pool now.")
    hours = Decimal(str(hours_asked))
    if hours < 0:
        raise ValidationError({"hours_asked": "Hours cannot be negative."})
    support, created = Support.objects.get_or_create(champion=champion, programme=programme, defaults={"hours_asked": hours})
    before = None if created else audit.snapshot(support)
    support.hours_asked, support.active = hours, True
    support.save()
    audit.record(actor=actor, action="create" if created else "update", obj=support, before=before, after=audit.snapshot(support))
    return support


@transaction.atomic
def support_end(*, support: Support, actor: User | None) -> Support:
    _require_programme(actor, support.programme)
    if not support.active:
        raise ValidationError("This programme no longer asks for their help.")
    before = audit.snapshot(support)
    support.active = False
    support.save(update_fields=["active"])
    audit.record(actor=actor, action="update", obj=support, before=before, after=audit.snapshot(support))
    return support


def can_change(actor: User | Any, champion: Champion) -> bool:
    """Whether the user may change this pool entry (edit, end, review)."""
    return can(actor, Champion, "change") and Champion.objects.restrict(actor, "change").filter(pk=champion.pk).exists()
