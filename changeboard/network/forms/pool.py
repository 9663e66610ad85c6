"""Forms for the pool: nominating (a member of staff found by staff number,
never a picker of everyone), changing an entry, standing a champion down,
reviewing an HR flag, and a programme's ask. Saves go through
`services.champions`; the forms only collect what was typed."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils import timezone

from changeboard.accounts.models import User
from changeboard.core.forms import GovukFormMixin
from changeboard.core.params import IdChoiceField, IdMultipleChoiceField
from changeboard.core.scoping import CHANGE
from changeboard.organisation.models import Staff, Unit
from changeboard.portfolio.models import Programme

from ..models import Champion, NetworkPolicy

HOURS_KW: dict[str, Any] = {"max_digits": 5, "decimal_places": 1, "min_value": 0, "max_value": 200}
HOURS_ERRORS = {"min_value": "Hours cannot be negative", "max_value": "Enter at most 200 hours a month",
                "invalid": "Enter a number of hours, like 4 or 2.5"}
DATE_ERRORS = {"invalid": "Enter a real date, like 2027-03-01"}


def programmes_to_ask(user: User | AnonymousUser) -> QuerySet:
    """Programmes the user may ask champions to support: admins all open
    ones, change managers their own."""
    return Programme.objects.restrict(user, CHANGE).exclude(status="closed").order_by("code")


def unit_choices() -> QuerySet:
    return Unit.objects.order_by("path")


class UnitsField(IdMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_path)


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class NominateForm(GovukFormMixin, forms.Form):
    programme = IdChoiceField(queryset=Programme.objects.none(), label="Programme",
                              error_messages={"required": "Choose the programme", "invalid_choice": "Choose one of your programmes"})
    staff_number = forms.CharField(max_length=20, label="Staff number",
                                   help_text="Their name, unit, location and shift pattern come from the HR record.",
                                   error_messages={"required": "Enter the staff number of the person to nominate"})
    hours_asked = forms.DecimalField(label="Hours a month the programme asks", initial=2, error_messages=HOURS_ERRORS, **HOURS_KW)
    hours_agreed = forms.DecimalField(label="Hours a month agreed", required=False, error_messages=HOURS_ERRORS,
                                      help_text="The time they and their line manager agree to give, for every programme together. "
                                                "Someone already in the pool keeps what they agreed.", **HOURS_KW)
    units = UnitsField(queryset=Unit.objects.none(), required=False, label="Units they look after",
                       help_text="Leave empty for their own unit. Each unit includes everything below it.")
    start_date = forms.DateField(label="Start", required=False, widget=date_input(), error_messages=DATE_ERRORS,
                                 help_text="Leave empty to start today.")
    end_date = forms.DateField(label="End", required=False, widget=date_input(), error_messages=DATE_ERRORS,
                               help_text="Leave empty while open-ended.")
    nominated_as = forms.ChoiceField(choices=Champion.NominatedAs.choices, initial=Champion.NominatedAs.CHANGE_MANAGER,
                                     widget=forms.RadioSelect, label="You nominate them as their")
    reason = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), label="Why them",
                             help_text="The gap they fill, what they know.")

    def __init__(self, *args: Any, user: User | AnonymousUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["programme"]).queryset = programmes_to_ask(user)
        cast(forms.ModelChoiceField, self.fields["units"]).queryset = unit_choices()
        self.fields["hours_agreed"].initial = NetworkPolicy.current().default_hours

    def clean_staff_number(self) -> Staff:
        number = self.cleaned_data.get("staff_number", "").strip()
        staff = Staff.objects.filter(staff_number=number).select_related("unit").first()
        if staff is None:
            raise forms.ValidationError("No one in the organisation has this staff number")
        today = timezone.localdate()
        if staff.is_leaver or (staff.leave_date is not None and staff.leave_date <= today):
            raise forms.ValidationError(f"{staff.full_name} has left the force")
        return staff

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if end and end < (start or timezone.localdate()):
            self.add_error("end_date", "The end must be on or after the start")
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["staff"] = data.pop("staff_number")
        data["units"] = list(data["units"]) or None
        return data


class ChampionForm(GovukFormMixin, forms.Form):
    hours_agreed = forms.DecimalField(label="Hours a month agreed", error_messages=HOURS_ERRORS, **HOURS_KW)
    units = UnitsField(queryset=Unit.objects.none(), label="Units they look after",
                       help_text="Each unit includes everything below it.",
                       error_messages={"required": "Choose at least one unit they look after"})
    start_date = forms.DateField(label="Start", widget=date_input(), error_messages={**DATE_ERRORS, "required": "Enter the start date"})
    end_date = forms.DateField(label="End", required=False, widget=date_input(), error_messages=DATE_ERRORS,
                               help_text="Leave empty while open-ended.")
    reason = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), label="Why them")

    def __init__(self, *args: Any, instance: Champion | None = None, **kwargs: Any) -> None:
        if instance is not None:
            # A view's FormView.get_initial() always passes `initial` (empty by default): the entry's values come first.
            kwargs["initial"] = {"hours_agreed": instance.hours_agreed, "units": [u.pk for u in instance.units.all()],
                                 "start_date": instance.start_date, "end_date": instance.end_date, "reason": instance.reason,
                                 **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["units"]).queryset = unit_choices()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end must be on or after the start")
        return data


class EndForm(GovukFormMixin, forms.Form):
    end_date = forms.DateField(label="Last day", required=False, widget=date_input(), error_messages=DATE_ERRORS,
                               help_text="Leave empty for today. Every programme's ask of them ends with it.")


class ReviewForm(GovukFormMixin, forms.Form):
    follow_move = forms.TypedChoiceField(
        choices=[("1", "Look after their new unit instead"), ("0", "Keep looking after the same units")], coerce=lambda v: v == "1",
        initial="1", widget=forms.RadioSelect, label="Their units", error_messages={"required": "Choose what happens to their units"})

    def __init__(self, *args: Any, leaver: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if leaver:
            del self.fields["follow_move"]


class SupportForm(GovukFormMixin, forms.Form):
    hours_asked = forms.DecimalField(label="Hours a month the programme asks", error_messages=HOURS_ERRORS, **HOURS_KW)


class ConfirmForm(GovukFormMixin, forms.Form):
    """No fields: the page asks to confirm and posts."""
