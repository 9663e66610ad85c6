"""The form for a team that owns cutover tasks. Saves go through `services.runbooks.team_save`."""

from __future__ import annotations

from typing import Any

from django import forms

from changeboard.accounts.models import User
from changeboard.core.forms import GovukFormMixin
from changeboard.core.params import IdMultipleChoiceField


def people() -> Any:
    """Everyone who can own or be told of a cutover task: active accounts."""
    return User.objects.filter(is_active=True).order_by("first_name", "last_name", "username")


def person_label(user: User) -> str:
    name = user.get_full_name()
    return f"{name} ({user.get_username()})" if name else user.get_username()


class TeamForm(GovukFormMixin, forms.Form):
    name = forms.CharField(max_length=120, error_messages={"required": "Enter the team's name"})
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    members = IdMultipleChoiceField(queryset=User.objects.none(), required=False,
                                    help_text="Anyone in the team can act on the team's tasks in a run.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members: Any = self.fields["members"]
        members.queryset = people()
        members.label_from_instance = person_label
