"""Forms for champion activities: the champion's log (phone-friendly: few
fields, sensible defaults), a change manager's plan, changing one, marking
a planned one done, and cancelling it. Saves go through
`services.activities`; the forms collect what was typed and offer only
sensible choices (the rules are checked again by the services)."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from changeboard.accounts.models import User
from changeboard.core.forms import GovukFormMixin, govuk_style
from changeboard.core.params import IdChoiceField
from changeboard.organisation.models import Unit
from changeboard.portfolio.models import Programme

from ..models import Activity, Champion
from ..services.activities import MAX_MINUTES, MAX_PEOPLE, looked_after, plannable_champions, supported

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NUMBER = {"inputmode": "numeric", "pattern": "[0-9]*"}


def _people(label: str, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=MAX_PEOPLE, initial=0, help_text=help_text,
                              widget=forms.TextInput(attrs={**NUMBER, "class": "govuk-input govuk-input--width-5"}),
                              error_messages={"required": "Enter how many people (0 if none)", "invalid": "Enter a whole number",
                                              "min_value": "Enter 0 or more", "max_value": f"Enter at most {MAX_PEOPLE:,}"})


def _minutes(label: str = "Time spent (minutes)") -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=MAX_MINUTES, initial=30,
                              widget=forms.TextInput(attrs={**NUMBER, "class": "govuk-input govuk-input--width-5"}),
                              error_messages={"required": "Enter the minutes spent (0 if none)", "invalid": "Enter a whole number of minutes",
                                              "min_value": "Enter 0 or more", "max_value": f"Enter at most {MAX_MINUTES} minutes (a day)"})


def _unit_label(unit: Unit) -> str:
    return unit.name


def _programme_label(programme: Programme) -> str:
    return f"{programme.code} – {programme.name}"


def _date(label: str, required_message: str) -> forms.DateField:
    return forms.DateField(label=label, widget=DATE, help_text="For example, 2027-03-01.",
                           error_messages={"required": required_message, "invalid": "Enter a real date"})


class ActivityLogForm(GovukFormMixin, forms.Form):
    """What a champion did. Kind as big radios, today, their own unit and
    (when they support only one) their programme preselected."""

    kind = forms.ChoiceField(label="What did you do?", choices=Activity.Kind.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Choose what you did"})
    programme = IdChoiceField(queryset=Programme.objects.none(), label="For which programme", empty_label=None,
                              error_messages={"required": "Choose the programme", "invalid_choice": "Choose a programme you support"})
    date = _date("When", "Enter the day it happened")
    unit = IdChoiceField(queryset=Unit.objects.none(), label="Where", empty_label=None,
                         error_messages={"required": "Choose where it happened", "invalid_choice": "Choose a unit you look after"})
    people_reached = _people("People reached", "Everyone who took part (a person at two sessions counts twice).")
    minutes = _minutes()
    notes = forms.CharField(label="Notes", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text="What came up. No names.")

    def __init__(self, *args: Any, champion: Champion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        programme = cast(forms.ModelChoiceField, self.fields["programme"])
        programme.queryset = supported(champion)
        programme.label_from_instance = _programme_label  # type: ignore[method-assign, assignment]  # Django's documented per-instance hook
        unit = cast(forms.ModelChoiceField, self.fields["unit"])
        unit.queryset = looked_after(champion)
        unit.label_from_instance = _unit_label  # type: ignore[method-assign, assignment]  # as above
        govuk_style(self)


class ActivityPlanForm(GovukFormMixin, forms.Form):
    """A change manager plans an activity for one of their programmes' champions."""

    champion = IdChoiceField(queryset=Champion.objects.none(), label="Champion",
                             error_messages={"required": "Choose the champion", "invalid_choice": "Choose one of your programmes' champions"})
    programme = IdChoiceField(queryset=Programme.objects.none(), label="Programme",
                              error_messages={"required": "Choose the programme", "invalid_choice": "Choose one of your programmes"})
    kind = forms.ChoiceField(label="Kind of activity", choices=[("", "Choose a kind"), *Activity.Kind.choices],
                             error_messages={"required": "Choose the kind of activity"})
    date = _date("Planned for", "Enter the day it is planned for")
    unit = IdChoiceField(queryset=Unit.objects.none(), label="Where", required=False, empty_label="The champion's own unit",
                         help_text="A unit the champion looks after.", error_messages={"invalid_choice": "Choose a unit from the list"})
    people_reached = _people("People expected", "How many people it should reach.")
    minutes = _minutes("Time it will take (minutes)")
    notes = forms.CharField(label="Notes for the champion", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        champions = plannable_champions(user)
        champion = cast(forms.ModelChoiceField, self.fields["champion"])
        champion.queryset = champions
        programme = cast(forms.ModelChoiceField, self.fields["programme"])
        programme.queryset = (Programme.objects.exclude(status="closed") if user.role == "admin" else user.programmes.all()).order_by("code")
        programme.label_from_instance = _programme_label  # type: ignore[method-assign, assignment]  # Django's documented per-instance hook
        unit = cast(forms.ModelChoiceField, self.fields["unit"])
        unit.queryset = Unit.objects.filter(pk__in=Champion.units.through.objects.filter(champion__in=champions).values("unit_id")).order_by("path")
        unit.label_from_instance = _unit_label  # type: ignore[method-assign, assignment]  # as above
        govuk_style(self)


class ActivityEditForm(GovukFormMixin, forms.Form):
    kind = forms.ChoiceField(label="Kind of activity", choices=Activity.Kind.choices)
    date = _date("Date", "Enter the day")
    unit = IdChoiceField(queryset=Unit.objects.none(), label="Where",
                         error_messages={"required": "Choose where", "invalid_choice": "Choose a unit the champion looks after"})
    people_reached = _people("People reached (planned: expected)")
    minutes = _minutes()
    notes = forms.CharField(label="Notes", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, activity: Activity, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"kind": activity.kind, "date": activity.date, "unit": activity.unit_id,
                                      "people_reached": activity.people_reached, "minutes": activity.minutes, "notes": activity.notes})
        super().__init__(*args, **kwargs)
        unit = cast(forms.ModelChoiceField, self.fields["unit"])
        unit.queryset = looked_after(activity.champion)
        unit.label_from_instance = _unit_label  # type: ignore[method-assign, assignment]  # Django's documented per-instance hook
        govuk_style(self)


class ActivityCompleteForm(GovukFormMixin, forms.Form):
    date = _date("When it happened", "Enter the day it happened")
    people_reached = _people("People reached", "Everyone who took part.")
    minutes = _minutes()
    notes = forms.CharField(label="Notes", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text="Blank keeps the notes as they are.")


class ActivityCancelForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="Kept with the activity and in the audit trail.")
