"""Organisation forms: the HR staff import's upload, column mapping and
commit steps."""

from __future__ import annotations

from typing import Any

from django import forms

from changeboard.core.forms import GovukFormMixin, ImportCommitForm, govuk_style

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


class StaffImportCommitForm(ImportCommitForm):
    """The staff import's commit step: besides rows with errors, whether people
    missing from the file are marked as leavers (a full import) or nobody is
    (add and update only), and, when a full import would mark many people as
    leavers, that number typed to confirm it (checked by the commit itself,
    against the database as it is then)."""

    FULL = "full"
    ADD_UPDATE_ONLY = "add_update_only"

    leavers = forms.ChoiceField(
        label="People in Changeboard who are not in the file",
        choices=[(FULL, "Full import: mark them as leavers (the file lists everyone)"),
                 (ADD_UPDATE_ONLY, "Add and update only: mark nobody as a leaver (the file lists only some people)")],
        initial=FULL, widget=forms.RadioSelect, required=False,  # not chosen: a full import, as the file format says
    )
    confirm_leavers = forms.CharField(
        label="Type the number of people who would be marked as leavers", required=False, max_length=9,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_confirm_leavers(self) -> int | None:
        value: str = self.cleaned_data.get("confirm_leavers", "").strip().replace(",", "")
        if not value:
            return None
        if not (value.isascii() and value.isdigit()):
            raise forms.ValidationError("Type the number of leavers in digits, for example 120")
        return int(value)

    @property
    def add_update_only(self) -> bool:
        return self.cleaned_data.get("leavers") == self.ADD_UPDATE_ONLY

    def commit_options(self) -> dict[str, Any]:
        return {"add_update_only": self.add_update_only, "confirm_leavers": self.cleaned_data.get("confirm_leavers")}
