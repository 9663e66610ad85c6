"""GOV.UK Frontend styling for Django forms."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django import forms

WIDGET_CLASSES = {
    forms.Select: "govuk-select",
    forms.SelectMultiple: "govuk-select cb-select-multiple",
    forms.Textarea: "govuk-textarea",
    forms.CheckboxInput: "govuk-checkboxes__input",
    forms.ClearableFileInput: "govuk-file-upload",
    forms.FileInput: "govuk-file-upload",
    forms.RadioSelect: "govuk-radios__input",
    forms.CheckboxSelectMultiple: "govuk-checkboxes__input",
}


def govuk_style(form: forms.BaseForm) -> None:
    """Give every widget its GOV.UK class and the error state when invalid."""
    for name, field in form.fields.items():
        widget = field.widget
        css = next((c for t, c in WIDGET_CLASSES.items() if type(widget) is t), None)
        if css is None:
            css = "govuk-input"
            if isinstance(widget, (forms.DateInput,)):
                css += " govuk-input--width-10"
        # `_errors` is None until validation has run: looking at `errors`
        # here would validate a form before its subclass finished building it.
        if form.is_bound and form._errors and name in form._errors:
            css += " govuk-input--error" if css.startswith("govuk-input") else f" {css.split()[0]}--error"
        widget.attrs["class"] = css
        described = []
        if field.help_text:
            described.append(f"id_{form.add_prefix(name)}-hint")
        if form.is_bound and form._errors and name in form._errors:
            described.append(f"id_{form.add_prefix(name)}-error")
        if described:
            widget.attrs["aria-describedby"] = " ".join(described)
        else:
            widget.attrs.pop("aria-describedby", None)


class GovukFormMixin:
    """Mix into a Form or ModelForm to render with GOV.UK classes."""

    template_name = "core/form.html"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        govuk_style(self)  # type: ignore[arg-type]

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        govuk_style(self)  # type: ignore[arg-type]


class SpreadsheetUploadForm(GovukFormMixin, forms.Form):
    """Step 1 of every import: a CSV or XLSX file that reads as a table.
    Row problems are the preview's business, not the form's. Subclasses
    name the file in `file_label`, `file_help` and `file_missing`."""

    file_label = "Upload the file"
    file_help = "A CSV or Excel (XLSX) file."
    file_missing = "Select a file"
    extensions = (".csv", ".txt", ".xlsx")

    file = forms.FileField(widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["file"]
        field.label, field.help_text = self.file_label, self.file_help
        field.error_messages.update({"required": self.file_missing, "empty": "The selected file is empty"})
        govuk_style(self)

    def clean_file(self) -> Any:
        from django.conf import settings

        from .tabular import ImportFileError, read_sheet

        upload = self.cleaned_data["file"]
        limit_mb = settings.IMPORT_MAX_UPLOAD_MB
        if upload.size > limit_mb * 1024 * 1024:
            raise forms.ValidationError(f"The selected file must be smaller than {limit_mb} MB")
        if PurePath(upload.name).suffix.lower() not in self.extensions:
            raise forms.ValidationError("The selected file must be a CSV or XLSX file")
        data = upload.read()
        try:
            read_sheet(data, upload.name)
        except ImportFileError as exc:
            raise forms.ValidationError(str(exc).rstrip("."))
        upload.seek(0)
        self.data_bytes = data
        return upload
