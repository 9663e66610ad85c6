"""Forms of the change approach. Saves go through `services.approach`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from changeboard.core.forms import GovukFormMixin
from changeboard.core.params import IdChoiceField
from changeboard.core.scoping import CHANGE
from changeboard.organisation.models import Unit
from changeboard.portfolio.models import Programme

from ..models import Approach, GroupApproach, Promise

SECTIONS = ["objectives", "case_for_change", "principles", "risks", "governance"]
TEXT = forms.Textarea(attrs={"rows": 5})


def programmes_to_start(user: Any) -> QuerySet[Programme]:
    """Programmes the user may change that have no approach yet."""
    return Programme.objects.restrict(user, CHANGE).filter(approach__isnull=True).exclude(status="closed").order_by("code")


class ApproachCreateForm(GovukFormMixin, forms.Form):
    programme = IdChoiceField(queryset=Programme.objects.none(), help_text="A programme you lead that has no change approach yet.")
    objectives = forms.CharField(required=False, widget=TEXT, help_text=Approach._meta.get_field("objectives").help_text)
    case_for_change = forms.CharField(required=False, widget=TEXT, help_text=Approach._meta.get_field("case_for_change").help_text)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes_to_start(user)  # type: ignore[attr-defined]


class ApproachForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = Approach
        fields = [*SECTIONS, "change_note"]
        widgets = {name: TEXT for name in [*SECTIONS, "change_note"]}


class GroupApproachForm(GovukFormMixin, forms.ModelForm):
    unit = IdChoiceField(queryset=Unit.objects.order_by("path"), help_text="The impacted unit, with everything below it.")

    class Meta:
        model = GroupApproach
        fields = ["unit", "role_group", "sponsorship", "engagement", "communications", "training", "champions", "checkpoints", "reinforcement"]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in
                   ["sponsorship", "engagement", "communications", "training", "champions", "checkpoints", "reinforcement"]}

    def __init__(self, *args: Any, units: QuerySet[Unit] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class PromiseForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = Promise
        fields = ["section", "measure", "target", "wording"]


class SubmitForm(GovukFormMixin, forms.Form):
    note = forms.CharField(label="What this version changes", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="A sentence or two, kept with the version when it is approved (required after the first version).")


class ReturnForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(label="Why it goes back to draft", widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="The author sees this in the audit trail and changes the draft.")


class ConfirmForm(GovukFormMixin, forms.Form):
    """No fields: the page asks to confirm and posts."""
