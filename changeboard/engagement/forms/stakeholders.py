"""Forms for the register and a programme's mapping of a stakeholder. Saves
go through `services.stakeholders`; the forms only collect what was typed.

A person is picked by staff number, typed (the organisation has 45,000
people: a search field, never a select of everyone); the register's list
searches by name to find one already there, and the staff list finds
anyone else."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from changeboard.accounts.models import User
from changeboard.core.forms import GovukFormMixin
from changeboard.core.params import IdChoiceField
from changeboard.core.scoping import CHANGE
from changeboard.organisation.models import Staff, Unit
from changeboard.portfolio.models import Programme
from changeboard.surveys.models import RoleGroup

from ..filtersets.stakeholders import owners
from ..models import Position, Stakeholder, StakeholderAssessment

SCALE_CHOICES = [(n, str(n)) for n in range(1, 6)]
IMPACT_CHOICES = [("", "Not judged"), *((n, str(n)) for n in range(0, 6))]


class StakeholderForm(GovukFormMixin, forms.Form):
    kind = forms.ChoiceField(choices=Stakeholder.Kind.choices, widget=forms.RadioSelect, label="Kind of stakeholder",
                             error_messages={"required": "Choose the kind of stakeholder"})
    staff_number = forms.CharField(required=False, max_length=20, label="Staff number",
                                   help_text="People in the organisation: their staff number (name, unit and role come from the HR record).")
    name = forms.CharField(required=False, max_length=200, label="Name",
                           help_text="External people and bodies: the name to show. Groups: leave blank to name it after the unit.")
    organisation = forms.CharField(required=False, max_length=200, label="Organisation", help_text="External people: their organisation.")
    role_title = forms.CharField(required=False, max_length=200, label="Role")
    email = forms.EmailField(required=False, label="Email", help_text="External people and bodies: a contact address.",
                             error_messages={"invalid": "Enter an email address in the correct format, like name@example.com"})
    phone = forms.CharField(required=False, max_length=40, label="Phone")
    group_kind = forms.ChoiceField(required=False, choices=[("", "Not a group"), *Stakeholder.GroupKind.choices], label="Kind of group")
    unit = IdChoiceField(queryset=Unit.objects.none(), required=False, label="Unit", empty_label="No unit",
                         help_text="Unit groups: the unit, with everything below it. Role groups: optionally, the unit they are in.")
    role_group = forms.ChoiceField(required=False, choices=[("", "No role group"), *RoleGroup.choices], label="Role group")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Notes")

    def __init__(self, *args: Any, instance: Stakeholder | None = None, **kwargs: Any) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "kind": instance.kind, "staff_number": instance.staff.staff_number if instance.staff_id else "",  # type: ignore[union-attr]
                "name": instance.name if instance.kind != Stakeholder.Kind.PERSON else "", "organisation": instance.organisation,
                "role_title": instance.role_title, "email": instance.email, "phone": instance.phone, "group_kind": instance.group_kind,
                "unit": instance.unit_id, "role_group": instance.role_group, "notes": instance.notes,
            }
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = Unit.objects.order_by("path")

    def clean_staff_number(self) -> Staff | None:
        number = self.cleaned_data.get("staff_number", "").strip()
        if not number:
            return None
        staff = Staff.objects.filter(staff_number=number).select_related("unit").first()
        if staff is None:
            raise forms.ValidationError("No one in the organisation has this staff number")
        return staff

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == Stakeholder.Kind.PERSON and not data.get("staff_number") and "staff_number" not in self.errors:
            self.add_error("staff_number", "Enter the staff number of the person in the organisation")
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["staff"] = data.pop("staff_number")
        return data


class AssessmentForm(GovukFormMixin, forms.Form):
    programme = IdChoiceField(queryset=Programme.objects.none(), label="Programme",
                              error_messages={"required": "Choose the programme", "invalid_choice": "Choose one of the programmes listed"})
    influence = forms.TypedChoiceField(choices=SCALE_CHOICES, coerce=int, widget=forms.RadioSelect, label="Influence",
                                       help_text="Power over the programme's outcome, 1 (low) to 5 (high).",
                                       error_messages={"required": "Choose the influence, 1 to 5"})
    interest = forms.TypedChoiceField(choices=SCALE_CHOICES, coerce=int, widget=forms.RadioSelect, label="Interest",
                                      help_text="How much they care about it, 1 (low) to 5 (high).",
                                      error_messages={"required": "Choose the interest, 1 to 5"})
    impact_judgement = forms.TypedChoiceField(choices=IMPACT_CHOICES, coerce=int, empty_value=None, required=False, label="Judged impact",
                                              help_text="Your judgement, 0 to 5. The impact derived from the approved impact assessments "
                                                        "is shown beside it.")
    current_position = forms.TypedChoiceField(choices=Position.choices, coerce=int, label="Current position", initial=Position.NEUTRAL)
    target_position = forms.TypedChoiceField(choices=Position.choices, coerce=int, label="Target position", initial=Position.SUPPORTIVE)
    owner = IdChoiceField(queryset=User.objects.none(), required=False, label="Owner", empty_label="No owner",
                          help_text="Who keeps this relationship.")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Notes")

    def __init__(self, *args: Any, user: User | AnonymousUser, stakeholder: Stakeholder | None = None,
                 instance: StakeholderAssessment | None = None, **kwargs: Any) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(instance, name) for name in
                                 ("influence", "interest", "impact_judgement", "current_position", "target_position", "notes")}
            kwargs["initial"]["owner"] = instance.owner_id
        super().__init__(*args, **kwargs)
        if instance is not None:
            del self.fields["programme"]  # a mapping belongs to its programme for good
        else:
            self.fields["programme"].queryset = programmes_to_map(user, stakeholder)  # type: ignore[attr-defined]
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = owners(True)
        self.fields["owner"].label_from_instance = lambda u: u.get_full_name() or u.username  # type: ignore[attr-defined]


def programmes_to_map(user: User | AnonymousUser, stakeholder: Stakeholder | None) -> QuerySet:
    """Programmes the user may map stakeholders for, less those this one is mapped for."""
    queryset = Programme.objects.restrict(user, CHANGE).order_by("code")
    if stakeholder is not None:
        queryset = queryset.exclude(stakeholder_assessments__stakeholder=stakeholder)
    return queryset
