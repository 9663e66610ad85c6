"""Organisation forms: the HR staff import's upload, column mapping and
commit steps."""

from __future__ import annotations

from typing import Any

from django import forms

from changeboard.core.forms import GovukFormMixin, govuk_style

from . import importing


class ColumnMappingForm(GovukFormMixin, forms.Form):
    """Step 2 (only when the file's headers are not the standard ones): for
    each import column, which of the file's headers holds it."""

    NOT_IN_FILE = ""

    def __init__(self, *args: Any, headers: list[str], initial_mapping: dict[str, str] | None = None, **kwargs: Any) -> None:
        self.headers = headers
        initial = dict(initial_mapping or {})
        super().__init__(*args, initial=initial, **kwargs)
        choices = [(self.NOT_IN_FILE, "Not in this file"), *[(h, h) for h in headers if h]]
        for column in importing.ALL_COLUMNS:
            required = column in importing.REQUIRED_COLUMNS
            self.fields[column] = forms.ChoiceField(
                label=importing.COLUMN_LABELS[column],
                choices=choices,
                required=required,
                help_text=f"Import column {column}",
                error_messages={"required": f"Select the column that holds the {importing.COLUMN_LABELS[column].lower()}"},
            )
        # GovukFormMixin styled the fields that existed when it ran; these are new.
        govuk_style(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        seen: dict[str, str] = {}
        for column in importing.ALL_COLUMNS:
            header = cleaned.get(column)
            if not header:
                continue
            if header in seen:
                self.add_error(column, f"'{header}' is already chosen for the {importing.COLUMN_LABELS[seen[header]].lower()}")
            else:
                seen[header] = column
        return cleaned

    def mapping(self) -> dict[str, str]:
        return {column: self.cleaned_data[column] for column in importing.ALL_COLUMNS if self.cleaned_data.get(column)}
