"""Coverage forms: the programme chooser, a programme's own target, the portfolio policy."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from changeboard.core.forms import GovukFormMixin, govuk_style
from changeboard.core.params import IdChoiceField
from changeboard.portfolio.models import Programme


class ProgrammeChooserForm(GovukFormMixin, forms.Form):
    """Which programme's coverage (blank: every programme the user may view)."""

    programme = IdChoiceField(queryset=Programme.objects.none(), required=False, label="Programme",
                              empty_label="Portfolio-wide (every programme you may view)")

    def __init__(self, *args: Any, programmes: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["programme"]).queryset = programmes if programmes is not None else Programme.objects.none()
        self._errors = None
        govuk_style(self)


class CoverageTargetForm(GovukFormMixin, forms.Form):
    target_ratio = forms.IntegerField(
        required=False, min_value=1, max_value=10000, label="Impacted people per champion",
        help_text="This programme's own target: one champion for this many impacted people. Leave it blank to use the portfolio's.",
        error_messages={"min_value": "The ratio must be 1 or more", "max_value": "The ratio must be 10,000 or fewer",
                        "invalid": "Enter the ratio as a whole number"},
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-4"}))


class PolicyForm(GovukFormMixin, forms.Form):
    target_ratio = forms.IntegerField(
        min_value=1, max_value=10000, label="Impacted people per champion (portfolio target)",
        help_text="One champion for this many impacted people, unless a programme sets its own.",
        error_messages={"required": "Enter the portfolio's target ratio", "min_value": "The ratio must be 1 or more",
                        "max_value": "The ratio must be 10,000 or fewer", "invalid": "Enter the ratio as a whole number"},
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-4"}))
    default_hours = forms.DecimalField(
        min_value=0, max_value=200, max_digits=5, decimal_places=1, label="Default hours a month",
        help_text="Hours a month a new champion is asked to agree to, unless the nomination says otherwise.",
        error_messages={"required": "Enter the default hours", "min_value": "Hours cannot be negative",
                        "max_value": "Hours must be 200 or fewer", "invalid": "Enter the hours as a number, such as 4 or 4.5"},
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-4", "step": "0.5"}))
