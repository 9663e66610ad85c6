"""Forms for the framework (admins only): the framework's name and
description, a competency with its four level descriptors, and a
practitioner role with the level it needs in each competency."""

from __future__ import annotations

from typing import Any

from django import forms

from changeboard.core.forms import GovukFormMixin

from ..models import LEVELS, Competency, Framework, PractitionerRole

TEXTAREA = forms.Textarea(attrs={"rows": 3})
NOT_NEEDED = ""


class FrameworkForm(GovukFormMixin, forms.Form):
    name = forms.CharField(max_length=120, error_messages={"required": "Enter the framework's name"})
    description = forms.CharField(required=False, max_length=4000, widget=TEXTAREA)

    def __init__(self, *args: Any, instance: Framework | None = None, **kwargs: Any) -> None:
        if instance is not None and not kwargs.get("initial"):
            kwargs["initial"] = {"name": instance.name, "description": instance.description}
        super().__init__(*args, **kwargs)


class CompetencyForm(GovukFormMixin, forms.Form):
    name = forms.CharField(max_length=120, error_messages={"required": "Enter the competency's name"})
    code = forms.SlugField(max_length=30, required=False, help_text="Letters, numbers and hyphens; leave empty to make one from the name.",
                           error_messages={"invalid": "Use only letters, numbers and hyphens"})
    description = forms.CharField(required=False, max_length=2000, widget=TEXTAREA)
    order = forms.IntegerField(min_value=1, max_value=99, required=False, help_text="Where it comes in the framework; leave empty for last.")
    level_1 = forms.CharField(required=False, max_length=2000, widget=TEXTAREA, label="Level 1 (aware)",
                              help_text="What someone at this level knows or can do.")
    level_2 = forms.CharField(required=False, max_length=2000, widget=TEXTAREA, label="Level 2 (practising with help)")
    level_3 = forms.CharField(required=False, max_length=2000, widget=TEXTAREA, label="Level 3 (independent)")
    level_4 = forms.CharField(required=False, max_length=2000, widget=TEXTAREA, label="Level 4 (expert, can coach others)")

    def __init__(self, *args: Any, instance: Competency | None = None, **kwargs: Any) -> None:
        if instance is not None and not kwargs.get("initial"):
            kwargs["initial"] = {name: getattr(instance, name) for name in ("name", "code", "description", "order", "level_1", "level_2",
                                                                            "level_3", "level_4")}
        super().__init__(*args, **kwargs)


class PractitionerRoleForm(GovukFormMixin, forms.Form):
    """The role's name and description, and one "level needed" choice per
    competency of its framework (fields `need_<competency id>`)."""

    name = forms.CharField(max_length=120, error_messages={"required": "Enter the role's name"})
    description = forms.CharField(required=False, max_length=2000, widget=TEXTAREA)

    def __init__(self, *args: Any, framework: Framework, instance: PractitionerRole | None = None, **kwargs: Any) -> None:
        self.competencies = list(framework.competencies.order_by("order", "name"))
        if instance is not None and not kwargs.get("initial"):
            levels = dict(instance.requirements.values_list("competency_id", "level"))
            kwargs["initial"] = {"name": instance.name, "description": instance.description,
                                 **{f"need_{c.pk}": levels.get(c.pk, NOT_NEEDED) for c in self.competencies}}
        super().__init__(*args, **kwargs)
        for competency in self.competencies:
            self.fields[f"need_{competency.pk}"] = forms.TypedChoiceField(
                choices=[(NOT_NEEDED, "Not needed"), *LEVELS], coerce=int, empty_value=None, required=False,
                label=f"Level needed in {competency.name}")
        from changeboard.core.forms import govuk_style

        govuk_style(self)

    def requirements(self) -> dict[int, int | None]:
        return {c.pk: self.cleaned_data.get(f"need_{c.pk}") for c in self.competencies}
