"""Champion load: the hours a month every programme asks of a champion
against the hours they agreed to give.

A champion is **over-committed** when the programmes together ask more than
they agreed. Each programme's change manager sees, for their own champions,
every other programme asking the same person, so the asks can be agreed
between programmes rather than discovered by the champion.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import BooleanField, DecimalField, ExpressionWrapper, F, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from changeboard.portfolio.models import Programme

from ..models import Champion, Support


@dataclass
class Load:
    champion: Champion
    agreed: Decimal
    asks: list[tuple[Programme, Decimal]] = field(default_factory=list)

    @property
    def asked(self) -> Decimal:
        return sum((hours for _, hours in self.asks), Decimal(0))

    @property
    def spare(self) -> Decimal:
        return self.agreed - self.asked

    @property
    def over(self) -> bool:
        return self.asked > self.agreed

    @property
    def shared(self) -> bool:
        """Asked by more than one programme."""
        return len(self.asks) > 1

    @property
    def percent(self) -> int:
        if not self.agreed:
            return 100 if self.asked else 0
        return round(self.asked * 100 / self.agreed)


def live_supports() -> Prefetch:
    """Prefetch a champion's active asks as `live_supports`, by programme code."""
    return Prefetch("supports", queryset=Support.objects.filter(active=True).select_related("programme").order_by("programme__code"),
                    to_attr="live_supports")


def with_asked(queryset: QuerySet) -> QuerySet:
    """Champions annotated with `asked` (the hours every programme asks of
    them now) and `over` (asked more than they agreed)."""
    asked = Coalesce(Sum("supports__hours_asked", filter=Q(supports__active=True)), Value(Decimal(0)),
                     output_field=DecimalField(max_digits=7, decimal_places=1))
    return queryset.annotate(asked=asked).annotate(over=ExpressionWrapper(Q(asked__gt=F("hours_agreed")), output_field=BooleanField()))


def loads(programme: Programme | None = None, day: dt.date | None = None, champions: list[int] | None = None,
          within: QuerySet | None = None) -> list[Load]:
    """The load of every active or nominated champion (of one programme: only
    those it asks; `within`: only those in a champion queryset, e.g. the
    user's scope), over-committed first. Two queries."""
    on = day or timezone.localdate()
    qs = Champion.objects.filter(status__in=(Champion.Status.NOMINATED, Champion.Status.ACTIVE), staff__is_leaver=False).exclude(
        end_date__lt=on)
    if programme is not None:
        qs = qs.filter(supports__programme=programme, supports__active=True)
    if champions is not None:
        qs = qs.filter(pk__in=champions)
    if within is not None:
        qs = qs.filter(pk__in=within.values("pk"))
    entries = {c.pk: Load(c, c.hours_agreed) for c in qs.distinct().select_related("staff__unit")}
    asks: dict[int, list[tuple[Programme, Decimal]]] = defaultdict(list)
    for support in Support.objects.filter(champion_id__in=list(entries), active=True).select_related("programme").order_by("programme__code"):
        asks[support.champion_id].append((support.programme, support.hours_asked))
    for pk, load in entries.items():
        load.asks = asks.get(pk, [])
    return sorted(entries.values(), key=lambda e: (not e.over, -e.percent, e.champion.staff.last_name, e.champion.pk))
