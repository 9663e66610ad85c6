"""The attention heatmap's filters and the policy form."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, cast

from django import forms

from changeboard.core.forms import GovukFormMixin, govuk_style
from changeboard.core.params import IdChoiceField, IdMultipleChoiceField
from changeboard.organisation.models import Unit
from changeboard.portfolio.models import Programme

from ..services.attention import MAX_WEEKS, monday, parse_week

LEVELS = [(value, label) for value, label in Unit.Level.choices]
DEFAULT_LEVEL = Unit.Level.COMMAND
DEFAULT_WEEKS = 12


@dataclass
class AttentionFilters:
    start: dt.date
    weeks: int = DEFAULT_WEEKS
    level: str = DEFAULT_LEVEL
    within: Unit | None = None
    programmes: list[int] = field(default_factory=list)


class AttentionFilterForm(GovukFormMixin, forms.Form):
    """Heatmap filters; all optional, with sensible defaults."""

    level = forms.ChoiceField(choices=LEVELS, required=False, initial=DEFAULT_LEVEL, label="Show units at level",
                              help_text="Each row shows its busiest unit at or below it.")
    within = IdChoiceField(queryset=Unit.objects.none(), required=False, label="Within", empty_label="The whole force")
    start = forms.CharField(required=False, max_length=10, label="From week",
                            help_text="An ISO week such as 2026-W49, or a date in that week (yyyy-mm-dd).",
                            widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}))
    weeks = forms.IntegerField(required=False, min_value=1, max_value=MAX_WEEKS, initial=DEFAULT_WEEKS, label="Number of weeks",
                               widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}))
    programme = IdMultipleChoiceField(queryset=Programme.objects.none(), required=False, label="Programmes",
                                      widget=forms.SelectMultiple(attrs={"size": 4}), help_text="None chosen means every programme.")

    def __init__(self, *args: Any, programmes: Any = None, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["programme"]).queryset = programmes if programmes is not None else Programme.objects.none()
        cast(forms.ModelChoiceField, self.fields["within"]).queryset = (
            (units if units is not None else Unit.objects.none()).exclude(level=Unit.Level.TEAM).order_by("path"))
        # Styling validates a bound form: forget that pass's errors and style against the narrowed choices.
        self._errors = None
        govuk_style(self)

    def clean_start(self) -> dt.date | None:
        value = self.cleaned_data.get("start") or ""
        if not value:
            return None
        week = parse_week(value)
        if week is None:
            raise forms.ValidationError("Enter a week such as 2026-W49, or a date such as 2026-12-02")
        return week

    def to_filters(self, today: dt.date) -> AttentionFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return AttentionFilters(
            start=monday(data.get("start") or today),
            weeks=data.get("weeks") or DEFAULT_WEEKS,
            level=data.get("level") or DEFAULT_LEVEL,
            within=data.get("within"),
            programmes=[p.pk for p in data.get("programme") or []],
        )


class PolicyForm(GovukFormMixin, forms.Form):
    weekly_limit = forms.IntegerField(
        min_value=1, max_value=50, label="Weekly attention limit",
        help_text="Items (messages, briefings, events, survey invitations, cutover communications) that may ask for one team's "
                  "attention in one week, across every programme. A team over it is marked on the heatmap, and approving a "
                  "message that takes a team over it shows a warning.",
        error_messages={"required": "Enter the weekly limit", "min_value": "The limit must be 1 or more",
                        "max_value": "The limit must be 50 or fewer", "invalid": "Enter the limit as a whole number"},
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}))
