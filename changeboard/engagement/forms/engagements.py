"""Forms for planning, changing, logging and cancelling engagements. Saves
go through `services.engagements`; the forms collect what was typed. The
log's follow-ups are a formset of three blank rows (more with "Add another
follow-up", which needs no JavaScript): a row left blank is ignored."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from changeboard.accounts.models import User
from changeboard.core.forms import GovukFormMixin, govuk_style
from changeboard.core.params import IdChoiceField
from changeboard.core.scoping import CHANGE
from changeboard.readiness.forms.actions import owner_choices, owner_label

from ..models import Engagement, Position, StakeholderAssessment
from ..services.engagements import FollowUp

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
FOLLOW_UP_ROWS = 3
MAX_FOLLOW_UPS = 20


def assessments_for(user: User | AnonymousUser) -> QuerySet:
    """The stakeholder mappings the user may plan or log engagements for."""
    return StakeholderAssessment.objects.restrict(user, CHANGE).select_related("stakeholder__staff", "programme").order_by(
        "programme__code", "stakeholder__name", "pk")


def _owner_field(form: forms.BaseForm, empty: str = "No owner yet") -> None:
    owner = cast(forms.ModelChoiceField, form.fields["owner"])
    owner.queryset = owner_choices()
    owner.label_from_instance = owner_label  # type: ignore[method-assign, assignment]  # Django's documented per-instance hook
    owner.empty_label = empty


class EngagementPlanForm(GovukFormMixin, forms.ModelForm):
    assessment = IdChoiceField(queryset=StakeholderAssessment.objects.none(), label="Stakeholder and programme",
                               error_messages={"required": "Choose the stakeholder", "invalid_choice": "Choose a stakeholder from the list"})

    class Meta:
        model = Engagement
        fields = ["purpose", "method", "planned_on", "owner"]
        widgets = {"planned_on": DATE}
        labels = {"planned_on": "Planned for"}
        help_texts = {"planned_on": "For example, 2027-03-01.", "owner": "Blank: whoever keeps the relationship."}
        error_messages = {"purpose": {"required": "Enter the purpose of the engagement"},
                          "method": {"required": "Choose how you will engage"},
                          "planned_on": {"invalid": "Enter the planned day as a real date"}}

    field_order = ["assessment", "purpose", "method", "planned_on", "owner"]

    def __init__(self, *args: Any, user: User | AnonymousUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["assessment"])
        field.queryset = assessments_for(user)
        field.label_from_instance = lambda a: f"{a.stakeholder.display_name} ({a.programme.code})"  # type: ignore[method-assign, assignment]  # Django's documented per-instance hook
        self.fields["planned_on"].required = True
        self.fields["planned_on"].error_messages["required"] = "Enter the day it is planned for"
        _owner_field(self, "Whoever keeps the relationship")
        govuk_style(self)


class EngagementEditForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = Engagement
        fields = ["purpose", "method", "planned_on", "owner", "attendees", "key_points", "concerns"]
        widgets = {"planned_on": DATE, "attendees": forms.Textarea(attrs={"rows": 2}), "key_points": forms.Textarea(attrs={"rows": 4}),
                   "concerns": forms.Textarea(attrs={"rows": 3})}
        labels = {"planned_on": "Planned for"}
        error_messages = {"purpose": {"required": "Enter the purpose of the engagement"},
                          "planned_on": {"invalid": "Enter the planned day as a real date"}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _owner_field(self)
        if self.instance.status == Engagement.Status.PLANNED:
            for name in ("attendees", "key_points", "concerns"):
                del self.fields[name]  # the log's words come with the log
        govuk_style(self)


POSITION_CHOICES = [("", "No change")] + [(str(value), label) for value, label in Position.choices]


class EngagementLogForm(GovukFormMixin, forms.Form):
    """What happened: for a planned engagement (marked done) or, with the
    plan's fields, for one that was never planned (`unplanned=True`)."""

    happened_on = forms.DateField(label="When it happened", widget=DATE, help_text="For example, 2027-03-01.",
                                  error_messages={"required": "Enter the day it happened", "invalid": "Enter the day it happened as a real date"})
    attendees = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="Who took part (names or roles).")
    key_points = forms.CharField(label="Key points", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    concerns = forms.CharField(label="Concerns raised", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    position_after = forms.TypedChoiceField(label="Their position afterwards", choices=POSITION_CHOICES, coerce=int, empty_value=None,
                                            required=False, help_text="Changes their current position for this programme.")

    def __init__(self, *args: Any, user: User | AnonymousUser, unplanned: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if unplanned:
            assessment = IdChoiceField(queryset=assessments_for(user), label="Stakeholder and programme",
                                       error_messages={"required": "Choose the stakeholder", "invalid_choice": "Choose a stakeholder from the list"})
            assessment.label_from_instance = lambda a: f"{a.stakeholder.display_name} ({a.programme.code})"  # type: ignore[method-assign, assignment]  # Django's documented per-instance hook
            fields: dict[str, forms.Field] = {
                "assessment": assessment,
                "purpose": forms.CharField(max_length=200, error_messages={"required": "Enter the purpose of the engagement"}),
                "method": forms.ChoiceField(choices=[("", "Choose a method")] + list(Engagement.Method.choices),
                                            error_messages={"required": "Choose how you engaged"}),
                "owner": forms.ModelChoiceField(queryset=owner_choices(), required=False, label="Owner"),
            }
            self.fields = {**fields, **self.fields}
            _owner_field(self, "Me")
        govuk_style(self)


class FollowUpForm(GovukFormMixin, forms.Form):
    """One follow-up line: it becomes a readiness action."""

    text = forms.CharField(label="Follow-up", max_length=200, required=False)
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label="Owner")
    due_date = forms.DateField(label="Due", widget=DATE, required=False, error_messages={"invalid": "Enter the due date as a real date"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _owner_field(self)
        govuk_style(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("text") or data.get("due_date") or data.get("owner"):
            if not data.get("text"):
                self.add_error("text", "Enter what needs to be done")
            if not data.get("due_date") and "due_date" not in self.errors:
                self.add_error("due_date", "Enter the follow-up's due date")
        return data

    def follow_up(self) -> FollowUp | None:
        data = self.cleaned_data
        if not data.get("text"):
            return None
        return FollowUp(text=data["text"], due_date=data["due_date"], owner=data.get("owner"))


FollowUpFormSet = forms.formset_factory(FollowUpForm, extra=FOLLOW_UP_ROWS, max_num=MAX_FOLLOW_UPS, absolute_max=MAX_FOLLOW_UPS,
                                        validate_max=True)


def follow_up_formset(data: Any = None, *, more: bool = False) -> Any:
    """The follow-up rows; `more` adds one blank row to those posted."""
    formset = FollowUpFormSet(data, prefix="follow")
    if more and data is not None and formset.is_valid():
        rows = [form.cleaned_data for form in formset.forms if form.has_changed()]
        initial = [{"text": r.get("text", ""), "owner": r.get("owner"), "due_date": r.get("due_date")} for r in rows]
        extra_formset = forms.formset_factory(FollowUpForm, extra=max(FOLLOW_UP_ROWS - len(initial), 1), max_num=MAX_FOLLOW_UPS,
                                              absolute_max=MAX_FOLLOW_UPS)
        return extra_formset(initial=initial, prefix="follow")
    return formset


class EngagementCancelForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="Kept in the audit trail.")
