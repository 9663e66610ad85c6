"""The thank-you form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from changeboard.core.forms import GovukFormMixin
from changeboard.core.params import IdChoiceField

from ..services.recognition import MESSAGE_MAX


class ThanksForm(GovukFormMixin, forms.Form):
    programme = IdChoiceField(queryset=None, label="On behalf of", empty_label=None)
    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), max_length=MESSAGE_MAX, label="Your message",
                              help_text="It is emailed to the champion and shown on their champion page.")

    def __init__(self, *args: Any, programmes: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]
        self.fields["programme"].label_from_instance = lambda p: f"{p.code} {p.name}"  # type: ignore[attr-defined]
