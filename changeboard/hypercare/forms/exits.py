"""Forms for the exit of a period: the decision, and a criterion's
threshold. Saves go through `services.exits`; the forms only collect."""

from __future__ import annotations

from typing import Any

from django import forms

from changeboard.core.forms import GovukFormMixin, govuk_style

from ..models import ExitCriterion, ExitDecision

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ExitDecideForm(GovukFormMixin, forms.Form):
    decision = forms.ChoiceField(choices=ExitDecision.Decision.choices, widget=forms.RadioSelect, label="Decision",
                                 error_messages={"required": "Choose exit or extend"})
    new_end = forms.DateField(required=False, widget=DATE, label="New end date",
                              help_text="Only to extend: the new last day of hypercare, after the current end.",
                              error_messages={"invalid": "Enter the new end date as a real date"})
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), label="Reason",
                             help_text="What the decision rests on, especially where a criterion does not hold.",
                             error_messages={"required": "Enter the reason for the decision"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        govuk_style(self)


class ExitCriterionForm(GovukFormMixin, forms.Form):
    threshold = forms.DecimalField(max_digits=6, decimal_places=1, label="Threshold",
                                   error_messages={"required": "Enter the threshold", "invalid": "Enter the threshold as a number"},
                                   widget=forms.NumberInput(attrs={"class": "govuk-input--width-5", "step": "0.1"}))

    def __init__(self, *args: Any, criterion: ExitCriterion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["threshold"].help_text = {
            ExitCriterion.Kind.SLA_MET: "The lowest passing percentage, 0 to 100.",
            ExitCriterion.Kind.NEW_PER_DAY: "The most new queries allowed on each of the last five working days.",
            ExitCriterion.Kind.TRAINING_GAPS: "The most open training-gap queries allowed in any one unit.",
        }.get(ExitCriterion.Kind(criterion.kind), "")
        govuk_style(self)
