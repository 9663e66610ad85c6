"""The form that starts a programme's champion pulse."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from changeboard.core.forms import GovukFormMixin
from changeboard.core.params import IdChoiceField


class PulseForm(GovukFormMixin, forms.Form):
    programme = IdChoiceField(queryset=None, label="Programme", empty_label=None)

    def __init__(self, *args: Any, programmes: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]
        self.fields["programme"].label_from_instance = lambda p: f"{p.code} {p.name}"  # type: ignore[attr-defined]


class DeclineForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(required=False, max_length=500, label="Reason (optional)")
