"""Forms for journeys, stages, steps and touchpoints. They only collect
what was typed; saves go through `services.journeys`."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from changeboard.accounts.models import User
from changeboard.core.forms import GovukFormMixin
from changeboard.core.params import IdChoiceField, IdMultipleChoiceField
from changeboard.core.scoping import CHANGE
from changeboard.organisation.models import Unit
from changeboard.portfolio.models import Programme
from changeboard.surveys.models import Adkar, RoleGroup

from ..models import Emotion, TouchpointKind


def changeable_programmes(user: User | AnonymousUser) -> QuerySet:
    """The programmes whose journeys the user may change: admins every open
    one, change managers their own."""
    return Programme.objects.restrict(user, CHANGE).exclude(status="closed").order_by("code")


class UnitsField(IdMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_path)


class JourneyForm(GovukFormMixin, forms.Form):
    programme = IdChoiceField(queryset=Programme.objects.none(), label="Programme",
                              error_messages={"required": "Choose the programme", "invalid_choice": "Choose one of your programmes"})
    title = forms.CharField(max_length=200, label="Title", help_text="e.g. Booking a detained person in, after go-live.",
                            error_messages={"required": "Enter the journey's title"})
    persona = forms.CharField(max_length=120, label="Persona", help_text="Who walks this journey, e.g. Custody officer on nights.",
                              error_messages={"required": "Enter the persona"})
    persona_description = forms.CharField(required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}), label="About the persona",
                                          help_text="What matters to them, what they know today, what worries them.")
    units = UnitsField(queryset=Unit.objects.none(), label="Units the persona works in",
                       help_text="Each unit includes everything below it. Hold Ctrl (or Cmd) to choose more than one.",
                       error_messages={"required": "Choose at least one unit the persona works in"})
    role_group = forms.ChoiceField(choices=[("", "Every role group"), *RoleGroup.choices], required=False, label="Role group")
    fill_from_survey = forms.BooleanField(required=False, initial=True, label="Fill the emotion lane from the latest closed survey wave",
                                          help_text="Steps with an ADKAR element take their emotion from the survey where enough people answered.")

    def __init__(self, *args: Any, user: User | AnonymousUser, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["units"]).queryset = Unit.objects.order_by("path")
        if editing:
            del self.fields["programme"]
        else:
            cast(forms.ModelChoiceField, self.fields["programme"]).queryset = changeable_programmes(user)


class StageForm(GovukFormMixin, forms.Form):
    name = forms.CharField(max_length=120, label="Stage name", help_text="e.g. Hearing about it, Training, Go-live week, Settling in.",
                           error_messages={"required": "Enter the stage's name"})


EMOTION_CHOICES = [("", "No judgement yet"), *[(str(v), f"{label} ({v:+d})" if v else f"{label} (0)") for v, label in Emotion.choices]]


class StepForm(GovukFormMixin, forms.Form):
    name = forms.CharField(max_length=160, label="Step name", error_messages={"required": "Enter the step's name"})
    today = forms.CharField(required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}), label="Today",
                            help_text="How it is done today.")
    tomorrow = forms.CharField(required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}), label="Tomorrow",
                               help_text="How it will be done after the change.")
    pain_points = forms.CharField(required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}), label="Pain points")
    adkar = forms.ChoiceField(choices=[("", "None (judgement only)"), *Adkar.choices], required=False, label="ADKAR element",
                              help_text="The readiness element this step depends on: its emotion can then come from survey results.")
    emotion = forms.TypedChoiceField(choices=EMOTION_CHOICES, required=False, coerce=int, empty_value=None, label="Emotion (the team's judgement)",
                                     help_text="Used where the survey has too few answers, or the step has no ADKAR element.")


class TouchpointForm(GovukFormMixin, forms.Form):
    kind = forms.ChoiceField(choices=TouchpointKind.choices, widget=forms.RadioSelect, label="What the persona meets",
                             error_messages={"required": "Choose what kind of touchpoint this is"})
    ref = forms.CharField(max_length=40, label="Id or course code",
                          help_text="The id of the communication, champion activity or cutover task (in its page's address), or the course code.",
                          error_messages={"required": "Enter the record's id or the course code"})
