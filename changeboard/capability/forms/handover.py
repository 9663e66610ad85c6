"""The handover plan item form: the activity (adding only), whom in the force
it is handed to, by when, and how many times they must have done it."""

from __future__ import annotations

from typing import Any

from django import forms

from changeboard.core.forms import GovukFormMixin
from changeboard.core.params import IdChoiceField
from changeboard.portfolio.models import Programme

from ..models import HandoverActivity, Practitioner

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class HandoverItemForm(GovukFormMixin, forms.Form):
    activity = forms.ChoiceField(label="Activity", choices=HandoverActivity.choices, error_messages={"required": "Choose the activity"})
    owner = IdChoiceField(queryset=Practitioner.objects.none(), label="Handed to", required=False, empty_label="Nobody yet",
                          help_text="The force's own person who will run it.",
                          error_messages={"invalid_choice": "Choose an active practitioner"})
    target_date = forms.DateField(label="Target date", required=False, widget=DATE, help_text="When they should run it alone. For example, 2027-03-01.",
                                  error_messages={"invalid": "Enter a real date"})
    times_required = forms.IntegerField(label="Times required", min_value=1, max_value=20, initial=2,
                                        widget=forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[0-9]*", "class": "govuk-input govuk-input--width-3"}),
                                        help_text="How many times someone in the force must have done it themselves to count as able.",
                                        error_messages={"required": "Enter how many times", "invalid": "Enter a whole number",
                                                        "min_value": "Enter 1 or more", "max_value": "Enter at most 20"})
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, programme: Programme | None = None, adding: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owners = Practitioner.objects.filter(active=True).select_related("staff")
        if programme is not None:
            owners = owners.filter(programmes=programme)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]  # a ModelChoiceField
        if not adding:
            del self.fields["activity"]
