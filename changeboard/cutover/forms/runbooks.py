"""Forms for runbooks: create, change, copy and templates. Saves go through
`services.runbooks`; the forms only collect what the user typed. Times are
entered as Europe/London wall-clock time (the project's time zone), so a
start in summer is BST and in winter GMT, as the clocks show on the day."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from changeboard.core.forms import GovukFormMixin
from changeboard.core.params import IdChoiceField
from changeboard.core.scoping import CHANGE
from changeboard.portfolio.models import Programme, RolloutWave

LOCAL_HELP = "Europe/London time (GMT or BST, as the clocks show on the day)."
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


def local_datetime_field(label: str, *, required: bool = True, help_text: str = LOCAL_HELP) -> forms.DateTimeField:
    """A date and time typed as Europe/London wall-clock time. A time the
    clocks skip (the hour lost in March) is refused by Django's own check."""
    return forms.DateTimeField(
        label=label, required=required, help_text=help_text, input_formats=LOCAL_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": f"Enter the {label.lower()}", "invalid": f"Enter the {label.lower()} as a date and time"},
    )


def target_waves(user: Any) -> QuerySet:
    """The rollout waves a runbook may be created in or copied into: those of
    the programmes the user may change."""
    programmes = Programme.objects.restrict(user, CHANGE)
    return RolloutWave.objects.filter(programme__in=programmes).select_related("programme").order_by("programme__code", "go_live_date", "name")


def wave_label(wave: RolloutWave) -> str:
    return f"{wave.programme.code}: {wave.name} (going live {wave.go_live_date:%d %b %Y})"


class _WaveChoice:
    """Mixin: a `rollout_wave` choice of the waves the user may change."""

    fields: dict[str, forms.Field]

    def setup_waves(self, user: Any) -> None:
        field = cast(forms.ModelChoiceField, self.fields["rollout_wave"])
        field.queryset = target_waves(user)
        field.label_from_instance = wave_label  # type: ignore[method-assign, assignment]  # Django's documented per-instance hook


class RunbookForm(GovukFormMixin, _WaveChoice, forms.Form):
    """A new runbook for a programme's rollout wave (the wave names the programme)."""

    rollout_wave = IdChoiceField(queryset=RolloutWave.objects.none(), label="Programme and rollout wave",
                                 help_text="The rollout wave this cutover takes live.", empty_label="Choose a rollout wave",
                                 error_messages={"required": "Choose the rollout wave", "invalid_choice": "Choose one of the rollout waves listed"})
    title = forms.CharField(max_length=200, error_messages={"required": "Enter the runbook's title"})
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    planned_start = local_datetime_field("Planned start")
    late_threshold_minutes = forms.IntegerField(
        label="Late threshold (minutes)", min_value=0, max_value=10_000, initial=30,
        help_text="In a run, a task this many minutes past its planned finish raises an action.",
        error_messages={"required": "Enter the late threshold in minutes", "invalid": "Enter the late threshold as a whole number of minutes"})

    field_order = ["rollout_wave", "title", "description", "planned_start", "late_threshold_minutes"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_waves(user)


class RunbookEditForm(GovukFormMixin, forms.Form):
    """A runbook's (or a template's) own fields; its wave never changes."""

    title = forms.CharField(max_length=200, error_messages={"required": "Enter the runbook's title"})
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    planned_start = local_datetime_field("Planned start")
    late_threshold_minutes = forms.IntegerField(
        label="Late threshold (minutes)", min_value=0, max_value=10_000, initial=30,
        help_text="In a run, a task this many minutes past its planned finish raises an action.",
        error_messages={"required": "Enter the late threshold in minutes", "invalid": "Enter the late threshold as a whole number of minutes"})


class RunbookCopyForm(GovukFormMixin, _WaveChoice, forms.Form):
    """Copy a runbook or template into a wave the user may change; fixed
    times move with the new planned start."""

    rollout_wave = RunbookForm.base_fields["rollout_wave"]
    title = forms.CharField(max_length=200, error_messages={"required": "Enter the new runbook's title"})
    planned_start = local_datetime_field(
        "Planned start", help_text=f"{LOCAL_HELP} Fixed start and due times move by the same amount as the planned start.")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_waves(user)


class SaveAsTemplateForm(GovukFormMixin, forms.Form):
    title = forms.CharField(max_length=200, label="Template title", error_messages={"required": "Enter the template's title"})
