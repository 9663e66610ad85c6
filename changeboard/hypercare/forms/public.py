"""Forms of the public pages (no account): raising a query, finding it
again on the status page, and reopening it. They only read and check what
was typed; every write goes through `services.public`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from changeboard.core.forms import GovukFormMixin
from changeboard.core.params import IdChoiceField

from ..models import Category, Period
from ..services.attachments import ACCEPT_ATTRIBUTE, ALLOWED_TYPES_TEXT, MAX_FILES, max_mb
from ..services.public import PUBLIC_PRIORITIES

TITLE_MAX = 200
DESCRIPTION_MAX = 5000


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        items = list(data) if isinstance(data, (list, tuple)) else ([data] if data else [])
        cleaned: list[Any] = []
        errors: list[str] = []
        for item in items:
            if not item:
                continue
            try:
                cleaned.append(forms.FileField.clean(self, item, initial))
            except ValidationError as exc:
                errors += [f"{getattr(item, 'name', 'A file')}: {message}" for message in exc.messages]
        if errors:
            raise ValidationError(errors)
        if self.required and not cleaned:
            raise ValidationError(self.error_messages["required"], code="required")
        return cleaned


class CategoryChoiceField(IdChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class PublicRaiseForm(GovukFormMixin, forms.Form):
    """The raise-a-query form: who you are (looked up, never kept but for
    your unit and role, and your contact details for the support team),
    what it is about, how much it affects you, and what happened."""

    identifier = forms.CharField(
        label="Your staff number or work email", max_length=254,
        help_text="We use this to find your team and role, and to send you updates. Only the support team sees your name and email.",
        error_messages={"required": "Enter your staff number or work email"},
        widget=forms.TextInput(attrs={"autocomplete": "email", "spellcheck": "false", "autocapitalize": "none"}),
    )
    category = CategoryChoiceField(
        queryset=Category.objects.none(), label="What is it about?", widget=forms.RadioSelect, empty_label=None,
        error_messages={"required": "Choose what your query is about", "invalid_choice": "Choose what your query is about"},
    )
    priority = forms.ChoiceField(
        choices=PUBLIC_PRIORITIES, label="How much is it affecting your work?", widget=forms.RadioSelect,
        help_text="If nobody can work, or people or evidence are at risk, phone the service desk now as well.",
        error_messages={"required": "Choose how much it is affecting your work", "invalid_choice": "Choose how much it is affecting your work"},
    )
    title = forms.CharField(
        label="Summary", max_length=TITLE_MAX, help_text="One line, for example: I cannot see my team's rota in the new system.",
        error_messages={"required": "Enter a summary of your query", "max_length": f"The summary must be {TITLE_MAX} characters or fewer"},
    )
    description = forms.CharField(
        label="What happened?", max_length=DESCRIPTION_MAX, widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What were you trying to do, what did you expect, and what happened instead? Do not include anyone's personal details.",
        error_messages={"required": "Describe what happened", "max_length": f"The description must be {DESCRIPTION_MAX} characters or fewer"},
    )
    attachments = MultipleFileField(
        label="Attach screenshots or documents", required=False,
        error_messages={"empty": "the file is empty", "invalid": "the file could not be read"},
        widget=MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )

    def __init__(self, *args: Any, period: Period, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.period = period
        category = self.fields["category"]
        assert isinstance(category, CategoryChoiceField)
        category.queryset = period.categories.filter(active=True).order_by("name")
        self.fields["attachments"].help_text = (
            f"Up to {MAX_FILES} files, each smaller than {max_mb()} MB: {ALLOWED_TYPES_TEXT}. "
            "If you have to correct something else on this form, choose your files again.")


class StatusLookupForm(GovukFormMixin, forms.Form):
    reference = forms.CharField(
        label="Query reference", max_length=20, help_text="It starts with HC-, for example HC-7KQ2MX4P.",
        error_messages={"required": "Enter the query reference"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
    )
    identifier = forms.CharField(
        label="The staff number or work email you raised it with", max_length=254,
        error_messages={"required": "Enter your staff number or work email"},
        widget=forms.TextInput(attrs={"autocomplete": "email", "spellcheck": "false", "autocapitalize": "none"}),
    )


class ReopenForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why is the problem not solved?", max_length=DESCRIPTION_MAX, widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Tell us why the problem is not solved"},
    )


__all__ = ["MultipleFileField", "PublicRaiseForm", "ReopenForm", "StatusLookupForm"]
