from __future__ import annotations

from typing import Any, cast

from django import forms

from changeboard.accounts.models import Role, User
from changeboard.core.forms import GovukFormMixin
from changeboard.core.scoping import is_admin
from changeboard.organisation.models import Unit

from .models import Milestone, Programme, RolloutWave

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProgrammeForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = Programme
        fields = ["code", "name", "description", "sro", "change_lead", "status", "phase"]

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["sro"]).queryset = User.objects.filter(is_active=True, role__in=[Role.BOARD, Role.ADMIN])
        cast(forms.ModelChoiceField, self.fields["change_lead"]).queryset = User.objects.filter(is_active=True, role=Role.CHANGE_MANAGER)
        if user is not None and not is_admin(user):
            # Ownership is the portfolio office's to set (see programme_update).
            del self.fields["sro"], self.fields["change_lead"]


class MilestoneForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["name", "due_date", "completed"]
        widgets = {"due_date": DATE}


class WaveForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = RolloutWave
        fields = ["name", "go_live_date", "units"]
        widgets = {"go_live_date": DATE, "units": forms.SelectMultiple(attrs={"size": 12})}
        help_texts = {"units": "Business groups, commands or boroughs going live in this wave. Hold Ctrl (or Cmd) to choose more than one."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = cast(forms.ModelMultipleChoiceField, self.fields["units"])
        units.queryset = Unit.objects.filter(depth__gte=2, depth__lte=4).order_by("path")
        units.label_from_instance = lambda u: "— " * (u.depth - 2) + u.name  # type: ignore[method-assign, assignment]  # Django's documented per-instance hook
