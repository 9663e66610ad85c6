"""GOV.UK Frontend styling for Django forms."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

from .text import clean_text

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
        # (Private, so not in django-stubs: read with getattr.)
        checked = getattr(form, "_errors", None)
        if form.is_bound and checked and name in checked:
            css += " govuk-input--error" if css.startswith("govuk-input") else f" {css.split()[0]}--error"
        widget.attrs["class"] = css
        described = []
        if field.help_text:
            described.append(f"id_{form.add_prefix(name)}-hint")
        if form.is_bound and checked and name in checked:
            described.append(f"id_{form.add_prefix(name)}-error")
        if described:
            widget.attrs["aria-describedby"] = " ".join(described)
        else:
            widget.attrs.pop("aria-describedby", None)


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: an error naming one of
    the form's fields on that field, any other (a model field the form does
    not show, or no field at all) above the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def clean_text_fields(form: forms.BaseForm) -> None:
    """Every text field of the form cleans its input of the characters XLSX
    and PDF cannot hold (`core.text.clean_text`); a NUL is still refused by
    Django's own validator. Passwords are left exactly as typed."""
    for field in form.fields.values():
        if not isinstance(field, forms.CharField) or isinstance(field.widget, forms.PasswordInput):
            continue
        if getattr(field, "_cleans_text", False):
            continue
        original = field.to_python

        def to_python(value: Any, original: Any = original) -> Any:
            return clean_text(original(value))

        field.to_python = to_python  # type: ignore[method-assign]
        field._cleans_text = True  # type: ignore[attr-defined]


class GovukFormMixin:
    """Mix into a Form or ModelForm to render with GOV.UK classes; its text
    fields clean their input (`clean_text_fields`)."""

    template_name = "core/form.html"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        govuk_style(self)  # type: ignore[arg-type]  # a mixin: the concrete class is a Form
        clean_text_fields(self)  # type: ignore[arg-type]  # a mixin: the concrete class is a Form

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]  # a mixin: the concrete class's Form.full_clean
        govuk_style(self)  # type: ignore[arg-type]  # a mixin: the concrete class is a Form


class SpreadsheetUploadForm(GovukFormMixin, forms.Form):
    """Step 1 of every import: a CSV or XLSX file that reads as a table.
    Row problems are the preview's business, not the form's. Subclasses
    name the file in `file_label`, `file_help` and `file_missing` (or the
    import's upload view passes them as keyword arguments)."""

    file_label = "Upload the file"
    file_help = "A CSV or Excel (XLSX) file."
    file_missing = "Select a file"
    extensions = (".csv", ".txt", ".xlsx")

    file = forms.FileField(widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}))

    def __init__(self, *args: Any, file_label: str = "", file_help: str = "", file_missing: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["file"]
        field.label, field.help_text = file_label or self.file_label, file_help or self.file_help
        field.error_messages.update({"required": file_missing or self.file_missing, "empty": "The selected file is empty"})
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
            # Read once: the pending upload keeps the sheet for the preview.
            self.sheet = read_sheet(data, upload.name)
        except ImportFileError as exc:
            raise forms.ValidationError(str(exc).rstrip("."))
        upload.seek(0)
        self.data_bytes = data
        return upload


class ImportCommitForm(GovukFormMixin, forms.Form):
    """The commit step of every import: refuse a file with errors unless the
    user chooses to import only its valid rows. The import's preview view
    words that choice (`valid_only_label`) and the hint (`mode_help`)."""

    ALL = "all"
    VALID_ONLY = "valid"
    valid_only_label = "Import the valid rows only and skip the rest"
    mode_help = "Rows with errors are never imported."

    mode = forms.ChoiceField(
        label="How do you want to import this file?",
        initial=ALL, widget=forms.RadioSelect,
        error_messages={"required": "Select how you want to import this file"},
    )

    def __init__(self, *args: Any, valid_only_label: str = "", mode_help: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["mode"])
        field.choices = [(self.ALL, "Import only if there are no errors"), (self.VALID_ONLY, valid_only_label or self.valid_only_label)]
        field.help_text = mode_help or self.mode_help
        govuk_style(self)

    @property
    def skip_invalid(self) -> bool:
        return self.cleaned_data.get("mode") == self.VALID_ONLY
