"""Recognition: the hours champions give (their done activities) and a
thank-you from a programme, sent through the outbox.

A thank-you is written by a change manager of a programme the champion
supports (or an admin) and queued as one email with a stable key
(`net-thanks-<pk>`), so repeating the step never sends it twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, ExpressionWrapper, F, FloatField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from changeboard.accounts.models import Role, User
from changeboard.core import audit
from changeboard.core.outbox import outbox_add
from changeboard.portfolio.models import Programme

from ..models import Activity, Champion, Thanks

MESSAGE_MAX = 2000

PERIODS: list[tuple[str, str]] = [
    ("month", "This month"),
    ("last_month", "Last month"),
    ("quarter", "The last 3 months"),
    ("year", "The last 12 months"),
]


def _month_start(day: dt.date, back: int = 0) -> dt.date:
    month = day.month - 1 - back
    return dt.date(day.year + month // 12, month % 12 + 1, 1)


def period_range(period: str | None, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The first and last day of a recognition period (this month by default)."""
    day = today or timezone.localdate()
    if period == "last_month":
        return _month_start(day, 1), _month_start(day) - dt.timedelta(days=1)
    if period == "quarter":
        return _month_start(day, 2), day
    if period == "year":
        return _month_start(day, 11), day
    return _month_start(day), day


def recognition(champions: QuerySet[Champion], start: dt.date, end: dt.date, programme: Programme | None = None) -> QuerySet[Champion]:
    """The champions annotated with what they gave in the period: `done`
    (activities done), `minutes` and `hours` (minutes / 60); of one
    programme's activities when given. One query."""
    done = Q(activities__status=Activity.Status.DONE, activities__date__gte=start, activities__date__lte=end)
    if programme is not None:
        done &= Q(activities__programme=programme)
    return champions.annotate(
        done=Count("activities", filter=done, distinct=True),
        minutes=Coalesce(Sum("activities__minutes", filter=done), Value(0)),
    ).annotate(hours=ExpressionWrapper(F("minutes") / Value(60.0), output_field=FloatField()))


# ---------------------------------------------------------------------------
# Thank-you messages


def thank_programmes(actor: User | None, champion: Champion) -> QuerySet[Programme]:
    """The programmes on whose behalf `actor` may thank the champion: those
    the champion supports and the actor manages (every one for an admin)."""
    supported = Programme.objects.filter(champion_supports__champion=champion).distinct().order_by("code")
    if actor is None or actor.role == Role.ADMIN:
        return supported
    if actor.role != Role.CHANGE_MANAGER:
        return Programme.objects.none()
    return supported.filter(pk__in=actor.programmes.values("pk"))


def may_thank(actor: User | None, champion: Champion) -> bool:
    return thank_programmes(actor, champion).exists()


def default_message(champion: Champion, programme: Programme) -> str:
    return (f"Thank you, {champion.staff.first_name}, for all you do as a change champion for {programme.name}. "
            "The briefings, the floor-walks and what you tell us from the floor make a real difference to the people "
            "around you and to how well the change lands.")


@transaction.atomic
def thanks_send(*, champion: Champion, programme: Programme, message: str, actor: User | None) -> Thanks:
    """Record a thank-you from a programme and queue its email (once)."""
    if not thank_programmes(actor, champion).filter(pk=programme.pk).exists():
        raise PermissionDenied("Only a change manager of a programme the champion supports may thank them for it.")
    text = message.strip()
    if not text:
        raise ValidationError({"message": "Write the thank-you message."})
    if len(text) > MESSAGE_MAX:
        raise ValidationError({"message": f"Keep it under {MESSAGE_MAX} characters."})
    thanks = Thanks.objects.create(champion=champion, programme=programme, message=text, sent_by=actor if getattr(actor, "pk", None) else None)
    address = champion.user.email if champion.user and champion.user.email else champion.staff.email
    if address:
        thanks.outbox_key = f"net-thanks-{thanks.pk}"
        thanks.save(update_fields=["outbox_key"])
        body = render_to_string("network/email/thanks.txt", {"champion": champion, "programme": programme, "thanks": thanks,
                                                              "sender": actor, "link": settings.SITE_URL + reverse("network-mine")})
        outbox_add(key=thanks.outbox_key, kind="network", to_address=address, subject=f"Thank you from {programme.name}", body=body)
    audit.record(actor=actor, action="create", obj=thanks, after=audit.snapshot(thanks))
    return thanks


def thanks_for(champion_ids: Any, limit: int | None = None) -> QuerySet[Thanks]:
    """The thank-yous received by these champions, newest first."""
    rows = Thanks.objects.filter(champion_id__in=champion_ids).select_related("programme", "sent_by").order_by("-sent_at", "-pk")
    return rows[:limit] if limit else rows
