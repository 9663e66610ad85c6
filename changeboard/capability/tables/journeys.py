"""The journeys list's table."""

from __future__ import annotations

import django_tables2 as tables

from ..models import Journey


class JourneyTable(tables.Table):
    title = tables.Column(linkify=True, verbose_name="Journey")
    programme = tables.Column(accessor="programme__code", verbose_name="Programme", order_by=("programme__code",))
    persona = tables.Column()
    role_group = tables.Column(verbose_name="Role group", default="Every role group")
    fill_from_survey = tables.BooleanColumn(verbose_name="Emotion from survey", yesno="Yes,No")
    updated_at = tables.DateTimeColumn(verbose_name="Updated", format="j M Y")

    class Meta:
        model = Journey
        fields = ["title", "programme", "persona", "role_group", "fill_from_survey", "updated_at"]
        empty_text = "No journeys match these filters."
