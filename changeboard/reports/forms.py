"""Forms for the Programme Board's pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from changeboard.core.forms import GovukFormMixin

from .packs import as_of_error

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PackRequestForm(GovukFormMixin, forms.Form):
    """Ask for a board pack as of a date (today by default). The service
    refuses the same dates (future, or before 2000); checking here puts the
    message on the field."""

    as_of = forms.DateField(
        label="Data as of", widget=DATE, help_text="The pack shows the figures as they stood on this date. Today or earlier, from 2000.",
        error_messages={"required": "Enter the as-of date", "invalid": "The as-of date must be a real date"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"as_of": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def clean_as_of(self) -> dt.date:
        as_of: dt.date = self.cleaned_data["as_of"]
        if error := as_of_error(as_of):
            raise forms.ValidationError(error)
        return as_of
