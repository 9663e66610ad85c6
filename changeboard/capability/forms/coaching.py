"""The coaching session form: the coachee (adding only), the date, the areas
worked on, and the private goals, agreed actions and notes. Saves go through
`services.coaching`, which checks the rules again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from changeboard.core.forms import GovukFormMixin
from changeboard.core.params import IdChoiceField, IdMultipleChoiceField

from ..models import Competency, Framework, Practitioner
from ..services.coaching import MAX_TEXT, coachable

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PRIVATE_HELP = "Private: only you (the coach) and the coachee see this."


def areas_queryset() -> QuerySet[Competency]:
    """The current framework's competencies (every framework's if none is current)."""
    framework = Framework.current()
    qs = Competency.objects.filter(framework=framework) if framework is not None else Competency.objects.all()
    return qs.order_by("order", "name")


class CoachingSessionForm(GovukFormMixin, forms.Form):
    practitioner = IdChoiceField(queryset=Practitioner.objects.none(), label="Coachee", empty_label="Choose a practitioner",
                                 error_messages={"required": "Choose the coachee", "invalid_choice": "Choose a practitioner you may coach"})
    held_on = forms.DateField(label="Date of the session", widget=DATE, help_text="For example, 2027-03-01.",
                              error_messages={"required": "Enter the date of the session", "invalid": "Enter a real date"})
    areas = IdMultipleChoiceField(queryset=Competency.objects.none(), label="Areas worked on", widget=forms.CheckboxSelectMultiple,
                                  help_text="The framework areas the session covered. Everyone who may see coaching sees these.",
                                  error_messages={"required": "Choose at least one area", "invalid_choice": "Choose areas from the list"})
    goals = forms.CharField(label="Goals", required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3}), help_text=PRIVATE_HELP)
    agreed_actions = forms.CharField(label="Agreed actions", required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3}),
                                     help_text=PRIVATE_HELP)
    notes = forms.CharField(label="Notes", required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 4}), help_text=PRIVATE_HELP)
    next_session = forms.DateField(label="Next session", required=False, widget=DATE, help_text="Optional. For example, 2027-03-15.",
                                   error_messages={"invalid": "Enter a real date"})

    def __init__(self, *args: Any, user: Any = None, adding: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if adding:
            self.fields["practitioner"].queryset = coachable(user)  # type: ignore[attr-defined]  # a ModelChoiceField
            self.fields["practitioner"].label_from_instance = lambda p: f"{p} ({p.staff.staff_number})"  # type: ignore[attr-defined]
        else:
            del self.fields["practitioner"]
        self.fields["areas"].queryset = areas_queryset()  # type: ignore[attr-defined]  # a ModelMultipleChoiceField
