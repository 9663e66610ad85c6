"""Forms for feedback from the floor: recording a theme (one column, with
defaults, for a phone), making it an action, tying it to a criterion or a
hypercare category, and closing it. Saves go through `services.themes`."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from changeboard.accounts.models import User
from changeboard.core.forms import GovukFormMixin
from changeboard.core.params import IdChoiceField
from changeboard.hypercare.models import Category as HypercareCategory
from changeboard.organisation.models import Unit
from changeboard.portfolio.models import Programme
from changeboard.readiness.forms.actions import owner_choices, owner_label
from changeboard.readiness.models import Criterion
from changeboard.surveys.models import RoleGroup

from ..models import Theme
from ..services.themes import linkable_categories, linkable_criteria, recordable_programmes, recordable_units

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ROLE_GROUPS = [("", "Nobody in particular"), *[(value, label) for value, label in RoleGroup.choices if value != RoleGroup.UNKNOWN]]


class ThemeRecordForm(GovukFormMixin, forms.Form):
    programme = IdChoiceField(queryset=Programme.objects.none(), label="Programme",
                              error_messages={"required": "Choose the programme", "invalid_choice": "Choose a programme from the list"})
    category = forms.ChoiceField(choices=Theme.Category.choices, label="What is it about?",
                                 error_messages={"required": "Choose what it is about"})
    unit = IdChoiceField(queryset=Unit.objects.none(), label="Where did you hear it?",
                         error_messages={"required": "Choose the unit", "invalid_choice": "Choose a unit from the list"})
    role_group = forms.ChoiceField(choices=ROLE_GROUPS, required=False, label="Is it about one group?",
                                   help_text="Small groups are kept anonymous: the text is withheld from others.")
    sentiment = forms.TypedChoiceField(choices=Theme.Sentiment.choices, coerce=int, widget=forms.RadioSelect, label="How do people feel?",
                                       error_messages={"required": "Choose how people feel"})
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=2000, label="What did you hear?",
                           help_text="A sentence or two. No names.", error_messages={"required": "Enter what you heard"})
    heard_on = forms.DateField(widget=DATE, label="Heard on", error_messages={"required": "Enter the day you heard it",
                                                                                "invalid": "Enter the day as a real date"})

    def __init__(self, *args: Any, user: User | AnonymousUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        programmes = recordable_programmes(user)
        units = recordable_units(user).order_by("path")
        programme_field = cast(forms.ModelChoiceField, self.fields["programme"])
        programme_field.queryset = programmes
        programme_field.label_from_instance = lambda p: f"{p.code} – {p.name}"  # type: ignore[method-assign, assignment]  # Django's documented per-instance hook
        unit_field = cast(forms.ModelChoiceField, self.fields["unit"])
        unit_field.queryset = units
        unit_field.label_from_instance = lambda u: u.full_path  # type: ignore[method-assign, assignment]  # as above
        # Defaults, so a champion on a phone types only what they heard.
        self.initial.setdefault("heard_on", timezone.localdate())
        self.initial.setdefault("sentiment", Theme.Sentiment.MIXED)
        if len(ids := list(programmes.values_list("pk", flat=True)[:2])) == 1:
            self.initial.setdefault("programme", ids[0])
        if len(ids := list(units.values_list("pk", flat=True)[:2])) == 1:
            self.initial.setdefault("unit", ids[0])


class ThemeActionForm(GovukFormMixin, forms.Form):
    title = forms.CharField(max_length=200, label="Action title")
    owner = IdChoiceField(queryset=User.objects.none(), required=False, label="Owner", empty_label="No owner yet")
    due_date = forms.DateField(widget=DATE, label="Due", help_text="Today or later. For example, 2027-03-01.",
                               error_messages={"required": "Enter the due date", "invalid": "Enter the due date as a real date"})
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000, label="Anything to add",
                                  help_text="Added after the theme (the action's description names the theme).")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = cast(forms.ModelChoiceField, self.fields["owner"])
        owner.queryset = owner_choices()
        owner.label_from_instance = owner_label  # type: ignore[method-assign, assignment]  # Django's documented per-instance hook
        self.initial.setdefault("due_date", timezone.localdate() + dt.timedelta(days=14))


class ThemeLinkForm(GovukFormMixin, forms.Form):
    criterion = IdChoiceField(queryset=Criterion.objects.none(), required=False, label="Readiness criterion", empty_label="None")
    hypercare_category = IdChoiceField(queryset=HypercareCategory.objects.none(), required=False, label="Hypercare category",
                                       empty_label="None")

    def __init__(self, *args: Any, theme: Theme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        criterion = cast(forms.ModelChoiceField, self.fields["criterion"])
        criterion.queryset = linkable_criteria(theme.programme)
        category = cast(forms.ModelChoiceField, self.fields["hypercare_category"])
        category.queryset = linkable_categories(theme.programme)
        category.label_from_instance = lambda c: f"{c.name} ({c.period.rollout_wave.name})"  # type: ignore[method-assign, assignment]  # as above
        self.initial.setdefault("criterion", theme.criterion_id)
        self.initial.setdefault("hypercare_category", theme.hypercare_category_id)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("criterion") and not data.get("hypercare_category"):
            raise forms.ValidationError("Choose a readiness criterion or a hypercare category")
        return data


class ThemeCloseForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=500, label="Why close it",
                             help_text="Optional: kept in the audit trail.")
