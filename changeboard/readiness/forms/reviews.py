"""Forms for readiness reviews. Saves go through `services.reviews`; the
forms only collect and shape what the user typed."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone

from changeboard.accounts.models import User
from changeboard.core.forms import GovukFormMixin, govuk_style
from changeboard.portfolio.models import Programme

from ..models import Review
from .actions import DATE, owner_choices, owner_label


class ReviewForm(GovukFormMixin, forms.ModelForm):
    """Plan a review, or change one not yet decided."""

    class Meta:
        model = Review
        fields = ["rollout_wave", "checkpoint", "title", "scheduled_on", "notes"]
        widgets = {"scheduled_on": DATE, "notes": forms.Textarea(attrs={"rows": 4})}
        labels = {"rollout_wave": "Rollout wave", "scheduled_on": "Scheduled for"}
        help_texts = {"title": "Leave blank to name it after the checkpoint and the wave.",
                      "notes": "The agenda or anything to prepare. The decision's own notes are recorded when it is decided."}
        error_messages = {"rollout_wave": {"required": "Choose the rollout wave under review"},
                          "checkpoint": {"required": "Choose the checkpoint"},
                          "scheduled_on": {"required": "Enter the date the review is scheduled for",
                                           "invalid": "Enter the scheduled date as a real date"}}

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        wave = cast(forms.ModelChoiceField, self.fields["rollout_wave"])
        wave.queryset = programme.waves.order_by("go_live_date", "name")
        wave.empty_label = "Choose a wave"
        checkpoint = cast(forms.ChoiceField, self.fields["checkpoint"])
        checkpoint.choices = [c for c in cast(list[tuple[str, str]], checkpoint.choices) if c[0]]
        govuk_style(self)


class ReviewDecideForm(GovukFormMixin, forms.Form):
    """Record a review's decision. The override reason is asked for only
    while a critical criterion is at red; the service decides whether the
    person recording it may override."""

    decision = forms.ChoiceField(choices=Review.Decision.choices, widget=forms.RadioSelect, label="Decision",
                                 error_messages={"required": "Choose go, go with conditions or no-go"})
    conditions = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 5}), label="Conditions",
                                 help_text="Required for a go with conditions; for a no-go, what must change before the next review. One per line.")
    raise_actions = forms.BooleanField(required=False, label="Raise an action for each condition",
                                       help_text="Each line of the conditions becomes an action on the action log.")
    action_owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label="Owner of the condition actions",
                                          empty_label="No owner yet")
    action_due_date = forms.DateField(required=False, widget=DATE, label="Condition actions due by",
                                      error_messages={"invalid": "Enter the due date as a real date"})
    held_on = forms.DateField(widget=DATE, label="Date the review was held",
                              error_messages={"required": "Enter the date the review was held", "invalid": "Enter the date the review was held as a real date"})
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}), label="Notes",
                            help_text="Who attended, the discussion and anything the decision relied on.")
    override_reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}), label="Override reason",
                                      help_text="Only for a go (with or without conditions) despite a critical criterion at red. "
                                                "Only a Programme Board member or a portfolio admin can record it.")

    def __init__(self, *args: Any, blockers: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("held_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        if not blockers:
            del self.fields["override_reason"]
        owner = cast(forms.ModelChoiceField, self.fields["action_owner"])
        owner.queryset = owner_choices()
        owner.label_from_instance = owner_label  # type: ignore[method-assign, assignment]  # Django's documented per-instance hook
        govuk_style(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        if data.get("raise_actions") and not data.get("action_due_date") and "action_due_date" not in self.errors:
            self.add_error("action_due_date", "Enter the date the condition actions are due")
        return data
