"""Forms for practitioners and assessments. A practitioner is found by staff
number in the organisation model (as the champion pool's nominate form does:
never a picker of everyone); an assessment is one radio group per competency,
each level's descriptor as its hint."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils import timezone

from changeboard.accounts.models import Role, User
from changeboard.core.forms import GovukFormMixin, govuk_style
from changeboard.core.params import IdChoiceField, IdMultipleChoiceField
from changeboard.core.scoping import CHANGE
from changeboard.organisation.models import Staff
from changeboard.portfolio.models import Programme

from ..models import LEVELS, Competency, Framework, Practitioner, PractitionerRole
from ..services.practitioners import is_leaver

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UserChoiceField(IdChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name() or obj.username} ({obj.username})"


def programmes_to_join(user: User | AnonymousUser) -> QuerySet:
    """Programmes the user may put a practitioner in: admins all, change managers theirs."""
    return Programme.objects.restrict(user, CHANGE).order_by("code")


def coach_choices() -> QuerySet:
    return User.objects.filter(is_active=True, role__in=(Role.ADMIN, Role.CHANGE_MANAGER)).order_by("last_name", "first_name", "username")


def account_choices() -> QuerySet:
    return User.objects.filter(is_active=True).order_by("last_name", "first_name", "username")


def role_choices() -> QuerySet:
    framework = Framework.current()
    return PractitionerRole.objects.filter(framework=framework).order_by("name") if framework else PractitionerRole.objects.none()


class PractitionerForm(GovukFormMixin, forms.Form):
    """Add (with `staff_number`) or change (without) a practitioner."""

    staff_number = forms.CharField(max_length=20, label="Staff number", help_text="Their name and unit come from the HR record.",
                                   error_messages={"required": "Enter the staff number of the person to add"})
    role = IdChoiceField(queryset=PractitionerRole.objects.none(), label="Practitioner role",
                         error_messages={"required": "Choose their role", "invalid_choice": "Choose one of the framework's roles"})
    user = UserChoiceField(queryset=User.objects.none(), required=False, label="Their Changeboard account",
                           help_text="Needed for them to self-assess; what they do in Changeboard is the evidence of what they can do alone.")
    coach = UserChoiceField(queryset=User.objects.none(), required=False, label="Coach",
                            help_text="The change manager who coaches them and records the coach's assessments.")
    programmes = IdMultipleChoiceField(queryset=Programme.objects.none(), required=False, label="Programmes they work on",
                                       help_text="Their skills count in these programmes' skills matrices.")
    active = forms.BooleanField(required=False, initial=True, label="Still being developed (active)")

    def __init__(self, *args: Any, user: User | AnonymousUser, instance: Practitioner | None = None, **kwargs: Any) -> None:
        self.instance = instance
        if instance is not None and not kwargs.get("initial"):
            kwargs["initial"] = {"role": instance.role_id, "user": instance.user_id, "coach": instance.coach_id, "active": instance.active,
                                 "programmes": [p.pk for p in instance.programmes.all()]}
        super().__init__(*args, **kwargs)
        if instance is not None:
            del self.fields["staff_number"]
        else:
            del self.fields["active"]
        cast(forms.ModelChoiceField, self.fields["role"]).queryset = role_choices()
        cast(forms.ModelChoiceField, self.fields["user"]).queryset = account_choices()
        cast(forms.ModelChoiceField, self.fields["coach"]).queryset = coach_choices()
        cast(forms.ModelChoiceField, self.fields["programmes"]).queryset = programmes_to_join(user)
        govuk_style(self)

    def clean_staff_number(self) -> Staff:
        number = self.cleaned_data.get("staff_number", "").strip()
        staff = Staff.objects.filter(staff_number=number).first()
        if staff is None:
            raise forms.ValidationError("No one in the organisation has this staff number")
        if is_leaver(staff):
            raise forms.ValidationError(f"{staff.full_name} has left the force")
        if Practitioner.objects.filter(staff=staff).exists():
            raise forms.ValidationError(f"{staff.full_name} is already a practitioner")
        return staff


class AssessmentForm(GovukFormMixin, forms.Form):
    """One radio group (`c<competency id>`) per competency of the current
    framework; the template shows each level's descriptor as its hint."""

    assessed_on = forms.DateField(label="Date of the assessment", widget=DATE, required=False, help_text="Leave empty for today.",
                                  error_messages={"invalid": "Enter a real date, like 2027-03-01"})
    note = forms.CharField(required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}), label="Note",
                           help_text="Evidence for the levels: what they did, and where.")

    def __init__(self, *args: Any, competencies: list[Competency], initial_levels: dict[int, int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.competencies = competencies
        for competency in competencies:
            self.fields[f"c{competency.pk}"] = forms.TypedChoiceField(
                choices=LEVELS, coerce=int, widget=forms.RadioSelect, label=competency.name,
                initial=(initial_levels or {}).get(competency.pk),
                error_messages={"required": f"Choose a level for {competency.name}", "invalid_choice": f"Choose a level 1 to 4 for {competency.name}"})
        govuk_style(self)

    def clean_assessed_on(self) -> Any:
        day = self.cleaned_data.get("assessed_on")
        if day and day > timezone.localdate():
            raise forms.ValidationError("The assessment date cannot be in the future")
        return day

    def ratings(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"c{c.pk}"] for c in self.competencies}

    def groups(self) -> list[tuple[Competency, forms.BoundField]]:
        return [(c, self[f"c{c.pk}"]) for c in self.competencies]
