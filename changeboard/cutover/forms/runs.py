"""Forms for runs: starting one, pausing, resuming or abandoning it, and
choosing the tasks to re-estimate. Saves go through `services.runs`."""

from __future__ import annotations

from typing import Any

from django import forms

from changeboard.core.forms import GovukFormMixin, govuk_style

from ..models import Run


class RunStartForm(GovukFormMixin, forms.Form):
    kind = forms.ChoiceField(choices=Run.Kind.choices, widget=forms.RadioSelect, label="Which run",
                             error_messages={"required": "Choose a rehearsal or the live run"},
                             help_text="A rehearsal counts from now; the live run from the runbook's planned start.")
    send_test_messages = forms.BooleanField(
        required=False, label="Send test messages",
        help_text="Rehearsal only: communication tasks email the runbook's own people (task owners and teams), marked as a test.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        govuk_style(self)


class RunReasonForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Reason", max_length=2000)

    def __init__(self, *args: Any, required: bool = False, label: str = "Reason", help_text: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reason"]
        field.required = required
        field.label = label
        field.help_text = help_text
        field.error_messages["required"] = f"Enter the {label.lower()}"
        govuk_style(self)


class ReestimateForm(GovukFormMixin, forms.Form):
    refs = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, label="Tasks to re-estimate",
                                     error_messages={"required": "Choose at least one task to re-estimate"})

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["refs"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = choices
        govuk_style(self)
