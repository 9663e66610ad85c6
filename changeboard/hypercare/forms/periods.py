"""Forms for hypercare periods and their settings (categories, SLA targets).
Saves go through `services.periods`; the forms only collect and shape what
the user typed."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from changeboard.accounts.models import User
from changeboard.core.forms import GovukFormMixin
from changeboard.core.params import IdChoiceField
from changeboard.core.scoping import CHANGE
from changeboard.cutover.models import Team
from changeboard.portfolio.models import RolloutWave

from ..models import Category, Period, Priority, SlaTarget

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
WEEKDAYS = [(1, "Monday"), (2, "Tuesday"), (3, "Wednesday"), (4, "Thursday"), (5, "Friday"), (6, "Saturday"), (7, "Sunday")]
MAX_HOURS = 2000  # about a year of working days: far beyond any sensible target


def waves_for_new_period(user: User | AnonymousUser) -> QuerySet:
    """Rollout waves the user may open hypercare for: of programmes they change."""
    return RolloutWave.objects.restrict(user, CHANGE).select_related("programme").order_by("programme__code", "go_live_date", "name")


def team_choices(user: User | AnonymousUser) -> QuerySet:
    return Team.objects.restrict(user).order_by("name")


class PeriodCreateForm(GovukFormMixin, forms.Form):
    """Open hypercare for a wave: the dates default to go-live and six weeks."""

    rollout_wave = IdChoiceField(queryset=RolloutWave.objects.none(), label="Rollout wave",
                                 error_messages={"required": "Choose the rollout wave", "invalid_choice": "Choose one of the rollout waves listed"})
    starts_on = forms.DateField(required=False, widget=DATE, label="First day of support",
                                help_text="Leave blank to start on the wave's go-live date.",
                                error_messages={"invalid": "Enter the first day as a real date"})
    ends_on = forms.DateField(required=False, widget=DATE, label="Planned last day",
                              help_text="Leave blank for six weeks after the first day.", error_messages={"invalid": "Enter the last day as a real date"})
    support_team = IdChoiceField(queryset=Team.objects.none(), required=False, label="Support team", empty_label="Choose later",
                                 help_text="The people who work this period's queries (a team from cutover).")

    def __init__(self, *args: Any, user: User | AnonymousUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        wave = cast(forms.ModelChoiceField, self.fields["rollout_wave"])
        wave.queryset = waves_for_new_period(user)
        wave.label_from_instance = lambda w: f"{w.programme.code} – {w.name} (go-live {w.go_live_date:%-d %b %Y})"  # type: ignore[method-assign, assignment]  # Django's documented per-instance hook
        cast(forms.ModelChoiceField, self.fields["support_team"]).queryset = team_choices(user)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        return {k: v for k, v in data.items() if v is not None}


class PeriodEditForm(GovukFormMixin, forms.ModelForm):
    working_days = forms.TypedMultipleChoiceField(choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple,
                                                  label="Working days", help_text="The days the support team works: the SLA clocks run only then.",
                                                  error_messages={"required": "Choose the days the support team works"})
    support_team = IdChoiceField(queryset=Team.objects.none(), required=False, label="Support team", empty_label="No support team yet",
                                 help_text="The people who work this period's queries (a team from cutover).")

    class Meta:
        model = Period
        fields = ["starts_on", "ends_on", "support_team", "working_days", "day_starts", "day_ends", "bank_holidays", "reopen_days"]
        widgets = {"starts_on": DATE, "ends_on": DATE, "day_starts": TIME, "day_ends": TIME}
        labels = {"starts_on": "First day of support", "ends_on": "Planned last day", "day_starts": "Working day starts (Europe/London)",
                  "day_ends": "Working day ends (Europe/London)", "bank_holidays": "England and Wales bank holidays are not working days",
                  "reopen_days": "Days a requester may reopen a resolved query"}
        error_messages = {"starts_on": {"required": "Enter the first day", "invalid": "Enter the first day as a real date"},
                          "ends_on": {"required": "Enter the last day", "invalid": "Enter the last day as a real date"},
                          "day_starts": {"required": "Enter when the working day starts", "invalid": "Enter a time like 08:00"},
                          "day_ends": {"required": "Enter when the working day ends", "invalid": "Enter a time like 18:00"},
                          "reopen_days": {"required": "Enter the number of days", "invalid": "Enter a whole number of days"}}

    def __init__(self, *args: Any, user: User | AnonymousUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["support_team"]).queryset = team_choices(user)
        cast(forms.IntegerField, self.fields["reopen_days"]).max_value = 365
        if self.instance.pk and not self.is_bound:
            self.initial["working_days"] = [str(d) for d in self.instance.working_days]


class CategoryAddForm(GovukFormMixin, forms.Form):
    name = forms.CharField(max_length=80, label="New category", error_messages={"required": "Enter the category's name"})
    is_training_gap = forms.BooleanField(required=False, label="Count it as a training gap")


class CategoryEditForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name", "is_training_gap", "active"]
        labels = {"is_training_gap": "Count it as a training gap", "active": "In use (new queries may choose it)"}
        error_messages = {"name": {"required": "Enter the category's name"}}


class SlaTargetsForm(GovukFormMixin, forms.Form):
    """Response and resolution targets per priority, in hours and minutes of
    WORKING time (stored as working minutes)."""

    def __init__(self, *args: Any, targets: dict[str, SlaTarget], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows: list[tuple[str, str, list[str]]] = []
        for priority, label in Priority.choices:
            target = targets.get(priority)
            names = []
            for kind, minutes in (("response", target.response_minutes if target else None),
                                  ("resolution", target.resolution_minutes if target else None)):
                for unit, bound, value in (("hours", MAX_HOURS, None if minutes is None else minutes // 60),
                                           ("minutes", 59, None if minutes is None else minutes % 60)):
                    name = f"{priority}_{kind}_{unit}"
                    self.fields[name] = forms.IntegerField(
                        min_value=0, max_value=bound, label=f"{priority} {kind} {unit}", initial=value,
                        widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-4", "inputmode": "numeric"}),
                        error_messages={"required": f"Enter the {priority} {kind} target's {unit}",
                                        "invalid": f"Enter the {priority} {kind} target's {unit} as a whole number",
                                        "min_value": f"The {priority} {kind} {unit} cannot be negative",
                                        "max_value": f"The {priority} {kind} {unit} must be {bound} or fewer"})
                    names.append(name)
            self.rows.append((priority, label, names))

    def grouped(self) -> list[tuple[str, str, list[tuple[str, Any, Any]]]]:
        """Per priority: its label and, for response then resolution, the bound hours and minutes fields."""
        return [(p, label, [("First response", self[names[0]], self[names[1]]), ("Resolution", self[names[2]], self[names[3]])])
                for p, label, names in self.rows]

    def targets(self) -> dict[str, tuple[int, int]]:
        data = self.cleaned_data
        return {p: (data[f"{p}_response_hours"] * 60 + data[f"{p}_response_minutes"],
                    data[f"{p}_resolution_hours"] * 60 + data[f"{p}_resolution_minutes"]) for p, _, _ in self.rows}
