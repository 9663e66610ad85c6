"""Forms for readiness criteria, their statuses, evidence and the training
import. Each form only collects and shapes input; the rules (feeds, file
checks, who may) are the services'."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from changeboard.accounts.models import User
from changeboard.core.forms import GovukFormMixin, govuk_style
from changeboard.core.params import IdChoiceField
from changeboard.organisation.models import Unit
from changeboard.portfolio.models import Programme, RolloutWave
from changeboard.surveys.models import Adkar

from ..models import Criterion, CriterionStatus, Criticality, Rag
from ..services import criteria as criteria_services

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _restyle(form: forms.Form) -> None:
    """GovukFormMixin styles (and so validates) a bound form as it is built,
    before a subclass narrows its querysets: forget those errors and style
    again against the final fields."""
    form._errors = None  # type: ignore[attr-defined]  # private, unlisted in the stubs: forgetting it makes the form validate again
    govuk_style(form)


# --------------------------------------------------------------------------
# Criteria


class CriterionForm(GovukFormMixin, forms.Form):
    """A criterion of one programme. The feed's own fields are all on the
    page; the service says which ones a feed needs and clears the rest."""

    title = forms.CharField(label="Criterion", max_length=200, help_text="What must be true before go-live, e.g. 'Officers trained in the new case file'.",
                            error_messages={"required": "Enter the criterion"})
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    category = forms.ChoiceField(choices=Criterion.Category.choices)
    criticality = forms.ChoiceField(choices=Criticality.choices, initial=Criticality.HIGH, help_text=Criterion._meta.get_field("criticality").help_text)
    rollout_wave = IdChoiceField(queryset=RolloutWave.objects.none(), required=False, label="Rollout wave",
                                          empty_label="Every unit in the programme's rollout waves",
                                          help_text=Criterion._meta.get_field("rollout_wave").help_text)
    owner = IdChoiceField(queryset=User.objects.none(), required=False, empty_label="No owner yet")
    measure = forms.CharField(required=False, max_length=200, help_text=Criterion._meta.get_field("measure").help_text)
    pass_mark = forms.CharField(required=False, max_length=100, label="Pass mark",
                                help_text="What passes, e.g. '90%'. Fed criteria fill it in from their pass mark below.")
    due_date = forms.DateField(required=False, widget=DATE, label="Due date", error_messages={"invalid": "Enter a real date"})
    feed = forms.ChoiceField(choices=Criterion.Feed.choices, widget=forms.RadioSelect, label="How is it assessed?",
                             initial=Criterion.Feed.MANUAL, error_messages={"required": "Choose how the criterion is assessed"})
    element = forms.ChoiceField(choices=[("", "Choose an element"), *Adkar.choices], required=False, label="ADKAR element (survey scores)",
                                help_text="The element whose mean, in the latest closed survey wave, is compared with the pass mark.")
    threshold = forms.DecimalField(required=False, max_digits=5, decimal_places=2, label="Pass mark for a fed criterion",
                                   help_text="Survey scores: the lowest passing mean, 1 to 5. Training: the lowest passing percentage, 0 to 100. "
                                             "Hypercare training gaps: the open queries per 100 staff at which it stops being green, e.g. 3.",
                                   error_messages={"invalid": "Enter the pass mark as a number"},
                                   widget=forms.NumberInput(attrs={"class": "govuk-input--width-5", "step": "0.01"}))
    course = forms.CharField(required=False, max_length=40, label="Course code (training completion)",
                             help_text="As it appears in the training file, e.g. SBS-101.")

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["rollout_wave"]).queryset = RolloutWave.objects.filter(programme=programme).order_by("go_live_date", "name")
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = User.objects.filter(is_active=True).exclude(role="auditor").order_by("last_name", "first_name", "username")
        _restyle(self)

    @staticmethod
    def initial_for(criterion: Criterion) -> dict[str, Any]:
        return {name: getattr(criterion, name) for name in criteria_services.CRITERION_FIELDS}

    def service_kwargs(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in criteria_services.CRITERION_FIELDS}


class StatusForm(GovukFormMixin, forms.Form):
    """A unit's RAG for a manual criterion, with the reason."""

    rag = forms.ChoiceField(choices=[(r.value, r.label) for r in criteria_services.MANUAL_RAGS], widget=forms.RadioSelect,
                            label="Status", error_messages={"required": "Choose a status"})
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}), label="Note",
                           help_text="Why, and the evidence behind it. Do not include personal data.")

    @staticmethod
    def initial_for(status: CriterionStatus) -> dict[str, Any]:
        rag = status.rag if status.rag in criteria_services.MANUAL_RAGS else Rag.NOT_ASSESSED
        return {"rag": rag, "note": status.note}


class EvidenceForm(GovukFormMixin, forms.Form):
    """A link or a file; which one, and whether the file is acceptable, is
    the service's to say (the API takes the same route)."""

    title = forms.CharField(max_length=200, error_messages={"required": "Enter a title for the evidence"})
    url = forms.CharField(required=False, max_length=500, label="Link", help_text="A web address starting with https://, for example a SharePoint page.")
    file = forms.FileField(required=False, label="Or upload a file",
                           widget=forms.ClearableFileInput(attrs={"accept": criteria_services.ACCEPT_ATTRIBUTE}))
    unit = IdChoiceField(queryset=Unit.objects.none(), required=False, label="Unit",
                                  empty_label="The whole criterion", help_text="Only if the evidence is about one unit.")

    def __init__(self, *args: Any, units: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit = cast(IdChoiceField, self.fields["unit"])
        unit.queryset = units
        unit.label_from_instance = lambda unit: unit.full_path  # type: ignore[method-assign, assignment]  # Django's documented per-instance hook
        limit = criteria_services.evidence_max_bytes() // (1024 * 1024)
        self.fields["file"].help_text = f"{criteria_services.ALLOWED_TYPES_TEXT}, up to {limit} MB."
        _restyle(self)
