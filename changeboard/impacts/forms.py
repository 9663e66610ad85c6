"""Forms for the impact pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from changeboard.core.forms import GovukFormMixin, govuk_style
from changeboard.core.params import IdChoiceField, IdMultipleChoiceField
from changeboard.organisation.models import RankGrade, Unit
from changeboard.portfolio.models import Programme, RolloutWave

from . import importing
from .load import LoadFilters, monday
from .models import Dimension, ImpactLine, Severity

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LoadFilterForm(GovukFormMixin, forms.Form):
    """Heatmap filters; all optional, with sensible defaults."""

    programme = IdMultipleChoiceField(queryset=Programme.objects.none(), required=False, label="Programmes",
                                               widget=forms.SelectMultiple(attrs={"size": 4}), help_text="None chosen means all programmes.")
    business_group = IdChoiceField(queryset=Unit.objects.none(), required=False, label="Business group", empty_label="All business groups")
    dimension = forms.ChoiceField(choices=[("", "All dimensions"), *Dimension.choices], required=False)
    start = forms.DateField(required=False, widget=DATE, label="From")
    weeks = forms.IntegerField(required=False, min_value=1, max_value=78, initial=26, label="Weeks", widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}))
    drafts = forms.BooleanField(required=False, label="Include draft and submitted assessments")

    def __init__(self, *args: Any, programmes: Any = None, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["programme"]).queryset = programmes if programmes is not None else Programme.objects.none()
        cast(forms.ModelChoiceField, self.fields["business_group"]).queryset = (units if units is not None else Unit.objects.none()).filter(depth=2)

    def to_filters(self, today: dt.date) -> LoadFilters:
        data = self.cleaned_data if self.is_valid() else {}
        start = monday(data.get("start") or today)
        weeks = data.get("weeks") or 26
        return LoadFilters(
            start=start, end=start + dt.timedelta(weeks=weeks - 1),
            programmes=[p.pk for p in data.get("programme") or []],
            dimension=data.get("dimension") or "",
            include_drafts=bool(data.get("drafts")),
        )


# --------------------------------------------------------------------------
# Impact assessments and their lines


def _restyle(form: forms.Form) -> None:
    """GovukFormMixin styles (and so validates) a bound form as it is built,
    before a subclass narrows its querysets or adds fields: forget those
    errors and style again against the final fields."""
    form._errors = None  # type: ignore[attr-defined]  # a private Django attribute django-stubs does not declare
    govuk_style(form)


class AssessmentCreateForm(GovukFormMixin, forms.Form):
    programme = IdChoiceField(queryset=Programme.objects.none(), empty_label="Choose a programme",
                                       error_messages={"required": "Choose the programme this assessment is for",
                                                       "invalid_choice": "Choose one of your programmes"})
    title = forms.CharField(max_length=200, help_text="For example: Shared services go-live impacts.",
                            error_messages={"required": "Enter a title"})

    def __init__(self, *args: Any, programmes: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["programme"]).queryset = programmes
        _restyle(self)


class AssessmentEditForm(GovukFormMixin, forms.Form):
    title = forms.CharField(max_length=200, error_messages={"required": "Enter a title"})


def split_roles(text: str, known: dict[str, str]) -> tuple[list[str], list[str]]:
    """Roles typed one per line or separated by commas, in the staff records'
    own spelling, and the ones not found. A whole line that is a known role
    is kept even if it contains a comma."""
    roles: list[str] = []
    unknown: list[str] = []
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if not line:
            continue
        parts = [line] if line.lower() in known else [p.strip() for p in line.split(",") if p.strip()]
        for part in parts:
            role = known.get(part.lower())
            if role is None:
                unknown.append(part)
            elif role not in roles:
                roles.append(role)
    return roles, unknown


class DimensionGroup:
    """One dimension's fields, for a fieldset on the line form."""

    def __init__(self, form: forms.Form, code: str, label: str) -> None:
        self.code = code
        self.label = label
        self.checkbox = form[f"dim_{code}"]
        self.texts = [form[f"{code}_{part}"] for part, _ in importing.STATE_PARTS]


class LineForm(GovukFormMixin, forms.Form):
    """An impact line. Dimensions are prefixed fields: `dim_<code>` ticks the
    dimension, `<code>_current|future|gap` describe it."""

    title = forms.CharField(max_length=200, help_text=ImpactLine._meta.get_field("title").help_text,
                            error_messages={"required": "Enter a title for the change"})
    units = IdMultipleChoiceField(
        queryset=Unit.objects.none(), widget=forms.SelectMultiple(attrs={"size": 12}), label="Impacted units",
        help_text="Each unit is impacted with everything below it. Hold Ctrl (or Cmd) to choose more than one.",
        error_messages={"required": "Choose at least one impacted unit"},
    )
    roles = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Job roles",
                            help_text="One per line, or separated by commas, as they appear in the staff records. Leave empty for every role.")
    rank_grades = IdMultipleChoiceField(queryset=RankGrade.objects.all(), required=False, label="Ranks or grades",
                                                 widget=forms.SelectMultiple(attrs={"size": 8}),
                                                 help_text="Leave empty for every rank and grade.")
    severity = forms.TypedChoiceField(choices=Severity.choices, coerce=int, widget=forms.RadioSelect, label="Severity",
                                      help_text="Each level is defined by how long a person needs to absorb the change.",
                                      error_messages={"required": "Choose a severity"})
    wave = IdChoiceField(queryset=RolloutWave.objects.none(), required=False, label="Rollout wave",
                                  empty_label="Not tied to a wave: use the dates below",
                                  help_text="Tie the period to a rollout wave of this programme so it moves when the wave moves.")
    weeks_before_go_live = forms.IntegerField(min_value=0, max_value=importing.MAX_WEEKS, initial=4, label="Weeks before go-live",
                                              widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}))
    weeks_after_go_live = forms.IntegerField(min_value=0, max_value=importing.MAX_WEEKS, initial=4, label="Weeks after go-live",
                                             widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}))
    start_date = forms.DateField(required=False, widget=DATE, label="Start date")
    end_date = forms.DateField(required=False, widget=DATE, label="End date")
    hours_per_person = forms.DecimalField(min_value=Decimal("0"), max_digits=6, decimal_places=1, initial=Decimal("0"),
                                          label="Hours per person", help_text=ImpactLine._meta.get_field("hours_per_person").help_text,
                                          error_messages={"min_value": "Hours cannot be negative"})
    mitigations = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.CharField(required=False, max_length=120, help_text="Who owns the mitigations.")

    WHO = ("units", "roles", "rank_grades")
    WAVE_FIELDS = ("wave", "weeks_before_go_live", "weeks_after_go_live")
    DATE_FIELDS = ("start_date", "end_date")
    EFFORT = ("hours_per_person", "mitigations", "owner")

    def __init__(self, *args: Any, assessment: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["units"]).queryset = Unit.objects.filter(depth__gte=importing.UNIT_MIN_DEPTH, depth__lte=importing.UNIT_MAX_DEPTH).order_by("path")
        self.fields["units"].label_from_instance = lambda u: "— " * (u.depth - importing.UNIT_MIN_DEPTH) + u.name  # type: ignore[attr-defined]  # a per-field label function, as Django documents
        cast(forms.ModelChoiceField, self.fields["wave"]).queryset = RolloutWave.objects.filter(programme=assessment.programme_id).order_by("go_live_date")
        for code, label in Dimension.choices:
            self.fields[f"dim_{code}"] = forms.BooleanField(required=False, label=f"This changes {str(label).lower()}")
            for part, part_label in importing.STATE_PARTS:
                self.fields[f"{code}_{part}"] = forms.CharField(required=False, label=f"{label}: {part_label}",
                                                                widget=forms.Textarea(attrs={"rows": 2}))
        _restyle(self)

    def dimension_groups(self) -> Iterator[DimensionGroup]:
        for code, label in Dimension.choices:
            yield DimensionGroup(self, code, str(label))

    def clean_roles(self) -> list[str]:
        roles, unknown = split_roles(self.cleaned_data.get("roles") or "", importing.known_roles())
        if unknown:
            plural = "s" if len(unknown) > 1 else ""
            raise forms.ValidationError(f"Unknown role{plural}: {', '.join(unknown)}. Use job roles exactly as they appear in the staff records")
        return roles

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        if cleaned.get("wave") is None:
            start, end = cleaned.get("start_date"), cleaned.get("end_date")
            if "start_date" not in self.errors and "end_date" not in self.errors:
                if not start:
                    self.add_error("start_date", "Enter a start date, or choose a rollout wave")
                if not end:
                    self.add_error("end_date", "Enter an end date, or choose a rollout wave")
                if start and end and end < start:
                    self.add_error("end_date", "The end date must be on or after the start date")
        for code, label in Dimension.choices:
            typed = any((cleaned.get(f"{code}_{part}") or "").strip() for part, _ in importing.STATE_PARTS)
            if typed and not cleaned.get(f"dim_{code}"):
                self.add_error(f"dim_{code}", f"Tick {str(label).lower()} to keep what you wrote about it, or clear its text")
        return cleaned

    def dimensions(self) -> dict[str, dict[str, str]]:
        data = self.cleaned_data
        return {
            code: {part: (data.get(f"{code}_{part}") or "").strip() for part, _ in importing.STATE_PARTS}
            for code in Dimension.values if data.get(f"dim_{code}")
        }

    def service_kwargs(self) -> dict[str, Any]:
        """Everything `services.line_save` takes from the form."""
        data = self.cleaned_data
        wave = data.get("wave")
        return {
            "units": list(data["units"]), "rank_grades": list(data.get("rank_grades") or []), "dimensions": self.dimensions(),
            "title": data["title"], "roles": data.get("roles") or [], "severity": data["severity"], "wave": wave,
            "start_date": None if wave else data.get("start_date"), "end_date": None if wave else data.get("end_date"),
            "weeks_before_go_live": data.get("weeks_before_go_live") if data.get("weeks_before_go_live") is not None else 4,
            "weeks_after_go_live": data.get("weeks_after_go_live") if data.get("weeks_after_go_live") is not None else 4,
            "hours_per_person": data.get("hours_per_person") or Decimal("0"),
            "mitigations": data.get("mitigations", ""), "owner": data.get("owner", ""),
        }

    @staticmethod
    def initial_for(line: ImpactLine) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "title": line.title, "units": list(line.units.all()), "roles": "\n".join(line.roles or []),
            "rank_grades": list(line.rank_grades.all()), "severity": line.severity, "wave": line.wave_id,
            "weeks_before_go_live": line.weeks_before_go_live, "weeks_after_go_live": line.weeks_after_go_live,
            "start_date": line.start_date, "end_date": line.end_date, "hours_per_person": line.hours_per_person,
            "mitigations": line.mitigations, "owner": line.owner,
        }
        for d in line.dimensions.all():
            initial[f"dim_{d.dimension}"] = True
            initial[f"{d.dimension}_current"] = d.current_state
            initial[f"{d.dimension}_future"] = d.future_state
            initial[f"{d.dimension}_gap"] = d.gap
        return initial


class ToleranceForm(GovukFormMixin, forms.Form):
    """Set the portfolio default tolerance, or one unit's own."""

    unit = IdChoiceField(queryset=Unit.objects.none(), required=False, empty_label="Portfolio default (every unit without its own)",
                                  help_text="A unit's tolerance also applies to the units below it that have none of their own.")
    tolerance = forms.DecimalField(min_value=Decimal("0.1"), max_digits=5, decimal_places=2,
                                   help_text="Load per person in a week above which the unit is saturated, e.g. 8 for two major changes at once.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = Unit.objects.filter(depth__lte=5).order_by("path")
        self.fields["unit"].label_from_instance = lambda u: "— " * (u.depth - 1) + u.name  # type: ignore[attr-defined]  # a per-field label function, as Django documents
