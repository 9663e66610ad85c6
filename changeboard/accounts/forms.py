from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.db.models import QuerySet

from changeboard.core.forms import GovukFormMixin

from .models import Role, User


class UserForm(GovukFormMixin, forms.ModelForm):
    password = forms.CharField(
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}), required=False,
        help_text="At least 12 characters. Leave blank to keep the current password (or, for a new user, to set none yet).",
    )

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "role", "is_active", "programmes", "units"]
        widgets = {"role": forms.RadioSelect, "programmes": forms.SelectMultiple(attrs={"size": 8}), "units": forms.SelectMultiple(attrs={"size": 10})}
        help_texts = {"is_active": "Untick to stop this person signing in. Accounts are never deleted, so the audit trail keeps its names."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = Role.choices
        # The scope fields list every programme and unit (the related models' own managers).
        programmes = cast(forms.ModelMultipleChoiceField, self.fields["programmes"])
        programmes.queryset = cast(QuerySet, programmes.queryset).order_by("code")
        units = cast(forms.ModelMultipleChoiceField, self.fields["units"])
        units.queryset = cast(QuerySet, units.queryset).order_by("path")
        units.label_from_instance = lambda u: "— " * (u.depth - 1) + u.name  # type: ignore[method-assign, assignment]  # Django's documented per-instance hook

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password", "")
        if password:
            validate_password(password, self.instance)
        return password

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role = data.get("role")
        if role == Role.CHANGE_MANAGER and not data.get("programmes"):
            self.add_error("programmes", "Choose at least one programme for a change manager.")
        if role == Role.CHAMPION and not data.get("units"):
            self.add_error("units", "Choose at least one unit for a change champion.")
        return data
