"""Forms for the survey pages."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from changeboard.accounts.models import User
from changeboard.core.forms import GovukFormMixin, govuk_style
from changeboard.core.params import IdChoiceField, IdMultipleChoiceField
from changeboard.organisation.models import Unit

from .models import MIN_THRESHOLD, Adkar, Instrument, Question, SurveyPolicy, SurveyWave

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class WaveForm(GovukFormMixin, forms.ModelForm):
    programme = IdChoiceField(queryset=None, empty_label="Choose a programme",
                                       error_messages={"required": "Choose the programme this survey is for"})
    instrument = IdChoiceField(queryset=None, empty_label="Choose a questionnaire",
                                        help_text="The portfolio's default readiness survey, or one of your programme's own.",
                                        error_messages={"required": "Choose the questions to ask"})
    units = IdMultipleChoiceField(queryset=None, required=False, widget=forms.SelectMultiple(attrs={"size": 8}),
                                           help_text="Only when choosing units by hand. Each unit includes everything below it.")
    roles_text = forms.CharField(required=False, label="Job roles", widget=forms.Textarea(attrs={"rows": 3}),
                                 help_text="Optional: one job role per line, exactly as in the HR data. Empty means every role.")

    class Meta:
        model = SurveyWave
        fields = ["programme", "title", "instrument", "opens_on", "closes_on", "recurrence", "repeat_until", "audience_source",
                  "units", "roles_text", "sampling", "sample_per_unit", "min_responses", "min_comments"]
        widgets = {"opens_on": DATE, "closes_on": DATE, "repeat_until": DATE,
                   "audience_source": forms.RadioSelect, "sampling": forms.RadioSelect, "recurrence": forms.Select}
        help_texts = {"title": "For example: Shared services readiness pulse.",
                      "opens_on": "Invitations are sent on this date.",
                      "closes_on": "The last day responses are accepted."}
        labels = {"opens_on": "Opens on", "closes_on": "Closes on", "audience_source": "Who to ask", "sampling": "Census or sample",
                  "min_responses": "Fewest responses for a score", "min_comments": "Fewest responses to show comments"}

    def __init__(self, *args: Any, programmes: QuerySet, instruments: QuerySet, units: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["programme"]).queryset = programmes
        cast(forms.ModelChoiceField, self.fields["instrument"]).queryset = instruments
        cast(forms.ModelChoiceField, self.fields["units"]).queryset = units
        if self.instance.pk:
            self.fields["roles_text"].initial = "\n".join(self.instance.roles)
            del self.fields["programme"]
        for name in ("min_responses", "min_comments"):
            self.fields[name].widget.attrs["min"] = MIN_THRESHOLD
        self._errors = None
        govuk_style(self)

    def clean_roles_text(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("roles_text", "").splitlines() if line.strip()]


class InstrumentCreateForm(GovukFormMixin, forms.Form):
    programme = IdChoiceField(queryset=None, empty_label="Choose a programme",
                                       error_messages={"required": "Choose the programme this questionnaire is for"})
    name = forms.CharField(max_length=150, help_text="For example: Duty management readiness.", error_messages={"required": "Enter a name"})
    base = IdChoiceField(queryset=None, required=False, label="Start from", empty_label="No questions (start empty)",
                                  help_text="Copy the questions of an existing questionnaire, then add your programme's own.")

    def __init__(self, *args: Any, programmes: QuerySet, instruments: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["programme"]).queryset = programmes
        cast(forms.ModelChoiceField, self.fields["base"]).queryset = instruments
        default = instruments.filter(is_default=True).first()
        if default is not None:
            self.fields["base"].initial = default.pk
        self._errors = None
        govuk_style(self)


class AddQuestionForm(GovukFormMixin, forms.Form):
    question = IdChoiceField(queryset=None, empty_label="Choose a question from the bank",
                                      error_messages={"required": "Choose a question to add"})

    def __init__(self, *args: Any, questions: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["question"]).queryset = questions
        self._errors = None
        govuk_style(self)


class QuestionForm(GovukFormMixin, forms.Form):
    code = forms.SlugField(max_length=40, help_text="Short and unique, letters, numbers and hyphens: e.g. dms-rota. It names the column in response imports.",
                           error_messages={"required": "Enter a code"})
    text = forms.CharField(max_length=300, label="Question", error_messages={"required": "Enter the question"},
                           help_text="For agreement questions, a statement people agree or disagree with.")
    hint = forms.CharField(max_length=300, required=False, label="Hint (optional)")
    kind = forms.ChoiceField(choices=Question.Kind.choices, widget=forms.RadioSelect, label="Kind of answer")
    adkar = forms.ChoiceField(choices=[("", "None"), *Adkar.choices], required=False, label="ADKAR element",
                              help_text="For agreement questions: the readiness element the answer measures.")
    choices = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}), label="Options",
                              help_text="For single choice: one option per line.")

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].lower()
        if Question.objects.filter(code=code).exists():
            raise forms.ValidationError("That code is already used: choose another")
        return code


class PolicyForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = SurveyPolicy
        fields = ["contact_window_days", "min_responses", "min_comments", "reminder_after_days"]
        labels = {"contact_window_days": "Contact window (days)", "min_responses": "Fewest responses for a score",
                  "min_comments": "Fewest responses to show comments", "reminder_after_days": "Days between reminders"}


def instrument_choices(user: User | AnonymousUser, programme_ids: QuerySet | None = None) -> QuerySet:
    """Latest versions only: a new wave always takes the current questions."""
    qs = Instrument.objects.restrict(user).order_by("programme__code", "name", "-version")
    latest: dict[Any, int] = {}
    for inst in qs.values("pk", "lineage"):
        latest.setdefault(inst["lineage"], inst["pk"])
    return Instrument.objects.filter(pk__in=latest.values()).order_by("programme__code", "name")


def unit_choices(user: User | AnonymousUser) -> QuerySet:
    return Unit.objects.restrict(user).order_by("path")
