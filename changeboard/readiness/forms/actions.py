"""Forms for the action log. Saves go through `services.actions`; the forms
only collect and shape what the user typed. Who can own an action is here
(the reviews' forms and the API offer the same people)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from changeboard.accounts.models import Role, User
from changeboard.core.forms import GovukFormMixin, govuk_style
from changeboard.organisation.models import Unit

from ..models import Action

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
OWNER_ROLES = [Role.ADMIN, Role.BOARD, Role.CHANGE_MANAGER, Role.CHAMPION]


def owner_choices() -> QuerySet:
    """People who can own an action: every active account that works on
    change (auditors only read the trail)."""
    return User.objects.filter(is_active=True, role__in=OWNER_ROLES).order_by("first_name", "last_name", "username")


def owner_label(user: User) -> str:
    return f"{user} ({user.get_role_display()})"


def unit_choices(user: User | AnonymousUser) -> QuerySet:
    return Unit.objects.restrict(user).order_by("path")


class ActionForm(GovukFormMixin, forms.ModelForm):
    """Raise an action. What it was raised from comes from the page's
    address (and is checked against the user's scope), never from the form."""

    class Meta:
        model = Action
        fields = ["title", "description", "unit", "owner", "due_date"]
        widgets = {"due_date": DATE, "description": forms.Textarea(attrs={"rows": 4})}
        labels = {"title": "Action"}
        error_messages = {"title": {"required": "Enter what needs to be done"},
                          "due_date": {"required": "Enter the due date", "invalid": "Enter the due date as a real date"}}

    def __init__(self, *args: Any, user: User | AnonymousUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit = cast(forms.ModelChoiceField, self.fields["unit"])
        unit.queryset = unit_choices(user)
        unit.label_from_instance = lambda u: "— " * max(u.depth - 1, 0) + u.name  # type: ignore[method-assign, assignment]  # Django's documented per-instance hook
        unit.empty_label = "The whole programme"
        owner = cast(forms.ModelChoiceField, self.fields["owner"])
        owner.queryset = owner_choices()
        owner.label_from_instance = owner_label  # type: ignore[method-assign, assignment]  # Django's documented per-instance hook
        owner.empty_label = "No owner yet"
        govuk_style(self)


class ActionEditForm(ActionForm):
    class Meta(ActionForm.Meta):
        fields = ["title", "description", "unit", "owner", "due_date", "status"]
