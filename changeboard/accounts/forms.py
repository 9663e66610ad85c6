from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.db.models import QuerySet

from changeboard.core.forms import GovukFormMixin

from .models import ClaimRule, Role, User
from .services import scope_errors

SCOPE_WIDGETS = {"role": forms.RadioSelect, "programmes": forms.SelectMultiple(attrs={"size": 8}), "units": forms.SelectMultiple(attrs={"size": 10})}


class RoleScopeFormMixin:
    """The role and its scope, as a user and a claim rule both carry them: a
    change manager needs programmes, a champion needs units."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = Role.choices
        # The scope fields list every programme and unit (the related models' own managers).
        programmes = cast(forms.ModelMultipleChoiceField, self.fields["programmes"])
        programmes.queryset = cast(QuerySet, programmes.queryset).order_by("code")
        units = cast(forms.ModelMultipleChoiceField, self.fields["units"])
        units.queryset = cast(QuerySet, units.queryset).order_by("path")
        units.label_from_instance = lambda u: "— " * (u.depth - 1) + u.name  # type: ignore[method-assign, assignment]  # Django's documented per-instance hook

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}  # type: ignore[misc]  # a ModelForm's clean, mixed in before it
        for field, message in scope_errors(data.get("role"), data.get("programmes"), data.get("units")).items():
            self.add_error(field, message)  # type: ignore[attr-defined]  # the form's own method
        return cast(dict[str, Any], data)


class UserForm(RoleScopeFormMixin, GovukFormMixin, forms.ModelForm):
    password = forms.CharField(
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}), required=False,
        help_text="At least 12 characters. Leave blank to keep the current password (or, for a new user, to set none yet).",
    )

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "role", "is_active", "break_glass", "programmes", "units"]
        widgets = SCOPE_WIDGETS
        help_texts = {"is_active": "Untick to stop this person signing in. Accounts are never deleted, so the audit trail keeps its names."}

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password", "")
        if password:
            validate_password(password, self.instance)
        return password


class ClaimRuleForm(RoleScopeFormMixin, GovukFormMixin, forms.ModelForm):
    class Meta:
        model = ClaimRule
        fields = ["claim_value", "description", "role", "programmes", "units", "is_active"]
        widgets = SCOPE_WIDGETS

    def clean_claim_value(self) -> str:
        value = str(self.cleaned_data.get("claim_value", "")).strip()
        if not value:
            raise forms.ValidationError("Enter the claim value.")
        return value
