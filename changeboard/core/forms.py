"""GOV.UK Frontend styling for Django forms."""

from __future__ import annotations

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
        if field.help_text:
            widget.attrs["aria-describedby"] = f"id_{form.add_prefix(name)}-hint"


class GovukFormMixin:
    """Mix into a Form or ModelForm to render with GOV.UK classes."""

    template_name = "core/form.html"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        govuk_style(self)  # type: ignore[arg-type]

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        govuk_style(self)  # type: ignore[arg-type]
