"""The coaching list's table: coachee, coach, date, areas, next session.
Never the private goals, actions or notes."""

from __future__ import annotations

import datetime as dt

import django_tables2 as tables
from django.utils import dateformat

from ..models import CoachingSession


def _day(value: dt.date | None) -> str:
    return dateformat.format(value, "j M Y") if value else "—"


class CoachingSessionTable(tables.Table):
    held_on = tables.Column(linkify=True, verbose_name="Date")
    practitioner = tables.Column(verbose_name="Coachee", order_by=("practitioner__staff__last_name", "practitioner__staff__first_name"))
    coach = tables.Column(order_by=("coach__last_name", "coach__first_name"))
    areas = tables.Column(empty_values=(), orderable=False, verbose_name="Areas")
    next_session = tables.Column(verbose_name="Next session")

    class Meta:
        model = CoachingSession
        fields = ["held_on", "practitioner", "coach", "areas", "next_session"]
        empty_text = "No coaching sessions match these filters."

    def render_held_on(self, record: CoachingSession) -> str:
        return _day(record.held_on)

    def render_coach(self, record: CoachingSession) -> str:
        return record.coach.get_full_name() or record.coach.get_username()

    def render_areas(self, record: CoachingSession) -> str:
        return ", ".join(a.name for a in record.areas.all())

    def render_next_session(self, record: CoachingSession) -> str:
        return _day(record.next_session)
