"""Forms for the comms plan: a message (its times typed as a day and
Europe/London clock times), an audience rule, and returning a message to
draft. Saves go through `services.messages`; the forms collect and shape."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.utils import timezone

from changeboard.accounts.models import User
from changeboard.core.forms import GovukFormMixin, govuk_style
from changeboard.core.params import IdChoiceField
from changeboard.core.scoping import VIEW
from changeboard.cutover.models import Task
from changeboard.impacts.models import ImpactAssessment, ImpactLine
from changeboard.organisation.models import Unit
from changeboard.portfolio.models import Programme, RolloutWave
from changeboard.surveys.models import RoleGroup

from ..models import AudienceRule, Message, Stakeholder

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
APPROVED = ImpactAssessment.Status.APPROVED


def owner_choices() -> QuerySet:
    return User.objects.filter(Q(role="admin") | Q(role="change_manager"), is_active=True).order_by("first_name", "last_name", "username")


def unit_label(unit: Unit) -> str:
    return "— " * max(unit.depth - 1, 0) + unit.name


class MessageForm(GovukFormMixin, forms.ModelForm):
    """A message of the comms plan. On a new message the programme is chosen;
    afterwards it is the message's for good."""

    programme = IdChoiceField(queryset=Programme.objects.none(), label="Programme",
                              error_messages={"required": "Choose the programme", "invalid_choice": "Choose one of the programmes listed"})
    starts_time = forms.TimeField(required=False, widget=TIME, label="Start time",
                                  help_text="Events and briefings: 24-hour clock, Europe/London time, on the planned day (for example 09:30).",
                                  error_messages={"invalid": "Enter the start time as hours and minutes, like 09:30"})
    ends_time = forms.TimeField(required=False, widget=TIME, label="End time",
                                help_text="Events and briefings: 24-hour clock, Europe/London time, after the start.",
                                error_messages={"invalid": "Enter the end time as hours and minutes, like 10:30"})

    class Meta:
        model = Message
        fields = ["programme", "title", "purpose", "channel", "planned_on", "starts_time", "ends_time", "location", "owner",
                  "rollout_wave", "cutover_task", "subject", "body"]
        widgets = {"planned_on": DATE, "body": forms.Textarea(attrs={"rows": 8})}
        labels = {"planned_on": "Planned day"}
        help_texts = {"planned_on": "The day it goes out, or the day an event takes place. For example 2027-02-10."}
        error_messages = {"title": {"required": "Enter the message's title"},
                          "channel": {"required": "Choose the channel"},
                          "planned_on": {"required": "Enter the planned day", "invalid": "Enter the planned day as a real date"}}
        field_classes = {"owner": IdChoiceField, "rollout_wave": IdChoiceField, "cutover_task": IdChoiceField}

    def __init__(self, *args: Any, user: User | AnonymousUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance: Message = self.instance
        if instance.pk:
            del self.fields["programme"]
            programmes = Programme.objects.filter(pk=instance.programme_id)
            london = timezone.get_current_timezone()
            if instance.starts_at:
                self.initial["starts_time"] = timezone.localtime(instance.starts_at, london).time()
            if instance.ends_at:
                self.initial["ends_time"] = timezone.localtime(instance.ends_at, london).time()
        else:
            programmes = Programme.objects.restrict(user, VIEW).order_by("code")
            cast(forms.ModelChoiceField, self.fields["programme"]).queryset = programmes
        owner = cast(forms.ModelChoiceField, self.fields["owner"])
        owner.queryset = owner_choices()
        owner.label_from_instance = lambda u: u.get_full_name() or u.username  # type: ignore[method-assign, assignment]  # Django's documented per-instance hook
        owner.empty_label = "No owner"
        wave = cast(forms.ModelChoiceField, self.fields["rollout_wave"])
        wave.queryset = RolloutWave.objects.filter(programme__in=programmes).select_related("programme").order_by("programme__code", "go_live_date")
        wave.label_from_instance = lambda w: f"{w.programme.code} – {w.name} (go-live {w.go_live_date:%-d %b %Y})"  # type: ignore[method-assign, assignment]  # as above
        wave.empty_label = "None"
        task = cast(forms.ModelChoiceField, self.fields["cutover_task"])
        task.queryset = Task.objects.filter(runbook__programme__in=programmes).select_related("runbook__programme").order_by("runbook__programme__code", "runbook", "position")
        task.label_from_instance = lambda t: f"{t.runbook.programme.code} – {t.ref} {t.title}"  # type: ignore[method-assign, assignment]  # as above
        task.empty_label = "None"
        govuk_style(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day: dt.date | None = data.get("planned_on")
        london = timezone.get_current_timezone()
        for time_field, name in (("starts_time", "starts_at"), ("ends_time", "ends_at")):
            clock: dt.time | None = data.pop(time_field, None)
            data[name] = dt.datetime.combine(day, clock, tzinfo=london) if (clock is not None and day is not None) else None
        return data

    def _post_clean(self) -> None:
        # The service validates and saves (a ModelForm would write the typed values onto the instance).
        pass

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("programme", None)
        return data


class AudienceRuleForm(GovukFormMixin, forms.Form):
    """Add a part to a message's audience. The choices are the message's
    programme's: its approved impact lines and assessments, the stakeholders
    it has mapped; units are the whole tree (narrowed by a search)."""

    kind = forms.ChoiceField(choices=AudienceRule.Kind.choices, widget=forms.RadioSelect, label="Who is it for?",
                             error_messages={"required": "Choose who the message is for"})
    unit = IdChoiceField(queryset=Unit.objects.none(), required=False, label="Unit", empty_label="Choose a unit",
                         help_text="Units: everyone at or below it. Role groups: leave blank for the whole force.")
    role_group = forms.ChoiceField(choices=[("", "Any role group"), *RoleGroup.choices], required=False, label="Role group",
                                   help_text="“Not recorded” is people with no rank or grade on their HR record.")
    impact_line = IdChoiceField(queryset=ImpactLine.objects.none(), required=False, label="Impact line", empty_label="Choose a line",
                                help_text="Lines of the programme's approved impact assessments.")
    impact_assessment = IdChoiceField(queryset=ImpactAssessment.objects.none(), required=False, label="Impact assessment",
                                      empty_label="Choose an assessment", help_text="Every line of an approved impact assessment.")
    stakeholder = IdChoiceField(queryset=Stakeholder.objects.none(), required=False, label="Stakeholder", empty_label="Choose a stakeholder",
                                help_text="Stakeholders this programme has mapped.")

    def __init__(self, *args: Any, message: Message, unit_search: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = Unit.objects.order_by("path")
        if unit_search and not self.is_bound:  # the search narrows the list shown; any unit may be posted
            units = units.filter(Q(name__icontains=unit_search) | Q(code__iexact=unit_search))
        unit = cast(forms.ModelChoiceField, self.fields["unit"])
        unit.queryset = units
        unit.label_from_instance = unit_label  # type: ignore[method-assign, assignment]  # Django's documented per-instance hook
        lines = ImpactLine.objects.filter(assessment__programme=message.programme_id, assessment__status=APPROVED).select_related("assessment")
        line = cast(forms.ModelChoiceField, self.fields["impact_line"])
        line.queryset = lines.order_by("assessment__title", "title", "pk")
        line.label_from_instance = lambda x: f"{x.title} ({x.assessment.title})"  # type: ignore[method-assign, assignment]  # as above
        cast(forms.ModelChoiceField, self.fields["impact_assessment"]).queryset = ImpactAssessment.objects.filter(
            programme=message.programme_id, status=APPROVED).order_by("title", "-version")
        cast(forms.ModelChoiceField, self.fields["stakeholder"]).queryset = Stakeholder.objects.filter(
            assessments__programme=message.programme_id, active=True).order_by("name", "pk")
        govuk_style(self)


class ReturnForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, label="Why does it go back to draft?",
                             help_text="The message's owner sees this on the message.", error_messages={"required": "Say why the message goes back to draft"})
