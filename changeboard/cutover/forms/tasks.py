"""The task form: every field of a task, its predecessors as one line of
text ("T-010, T-020SS+15"), an owner that is a person or a team, and the
audience and message of a communication task. Saves go through
`services.runbooks.task_save_with_predecessors` (one transaction)."""

from __future__ import annotations

from typing import Any

from django import forms

from changeboard.accounts.models import User
from changeboard.core.forms import GovukFormMixin
from changeboard.core.params import IdChoiceField, IdMultipleChoiceField
from changeboard.organisation.models import Unit

from ..models import Task, Team
from ..scheduling import PREDECESSOR_HELP
from .runbooks import local_datetime_field
from .teams import people, person_label

# The task's own fields, as the service takes them.
TASK_FIELDS = ["ref", "title", "description", "stream", "sub_stream", "kind", "duration_minutes", "owner_user", "owner_team",
               "not_before", "due_by", "rollback_point", "message_subject", "message_body"]
AUDIENCE_FIELDS = ["audience_users", "audience_teams", "audience_units"]


class TaskForm(GovukFormMixin, forms.Form):
    ref = forms.CharField(label="ID", max_length=20, help_text="Shown to people and used in predecessors, e.g. T-010.",
                          error_messages={"required": "Enter the task's ID"})
    title = forms.CharField(max_length=200, error_messages={"required": "Enter the task's title"})
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    stream = forms.CharField(max_length=60, initial="Business", help_text="e.g. Business, Technology, Comms, Support.",
                             error_messages={"required": "Enter the stream"})
    sub_stream = forms.CharField(max_length=60, required=False, label="Sub-stream")
    kind = forms.ChoiceField(label="Type", choices=Task.Kind.choices, initial=Task.Kind.NORMAL)
    duration_minutes = forms.IntegerField(
        label="Duration (minutes)", min_value=0, max_value=100_000, initial=30, help_text="0 for a milestone.",
        error_messages={"required": "Enter the duration in minutes", "invalid": "Enter the duration as a whole number of minutes"})
    predecessors = forms.CharField(max_length=2000, required=False, help_text=PREDECESSOR_HELP)
    owner_user = IdChoiceField(queryset=User.objects.none(), required=False, label="Owner (a person)", empty_label="No person")
    owner_team = IdChoiceField(queryset=Team.objects.none(), required=False, label="Owner (a team)", empty_label="No team",
                               help_text="A person or a team, not both.")
    not_before = local_datetime_field("Fixed start", required=False,
                                      help_text="Optional: the task may not start earlier. Europe/London time.")
    due_by = local_datetime_field("Due by", required=False, help_text="Optional: the task must finish by then. Europe/London time.")
    rollback_point = forms.BooleanField(required=False, label="Rollback point",
                                        help_text="Milestones only: the last moment the cutover can still be rolled back.")
    audience_users = IdMultipleChoiceField(queryset=User.objects.none(), required=False, label="Audience: people",
                                           help_text="Communication tasks: who receives the message.")
    audience_teams = IdMultipleChoiceField(queryset=Team.objects.none(), required=False, label="Audience: teams")
    audience_units = IdMultipleChoiceField(queryset=Unit.objects.none(), required=False, label="Audience: units",
                                           help_text="Staff in these units and below, with an email address.")
    message_subject = forms.CharField(max_length=200, required=False, label="Message subject")
    message_body = forms.CharField(required=False, label="Message", widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        for name in ("owner_user", "audience_users"):
            fields[name].queryset = people()
            fields[name].label_from_instance = person_label
        fields["owner_team"].queryset = Team.objects.order_by("name")
        fields["audience_teams"].queryset = Team.objects.order_by("name")
        fields["audience_units"].queryset = Unit.objects.order_by("path")
        fields["audience_units"].label_from_instance = lambda u: "— " * max(u.depth - 1, 0) + u.name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("owner_user") and data.get("owner_team"):
            self.add_error("owner_team", "Choose a person or a team as the owner, not both")
        return data

    def task_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        text = {"description", "sub_stream", "message_subject", "message_body"}
        return {name: (data.get(name) or "") if name in text else data.get(name) for name in TASK_FIELDS}

    def audience(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) or [] for name in AUDIENCE_FIELDS}


def task_initial(task: Task, predecessors: str) -> dict[str, Any]:
    """The form's values for an existing task."""
    initial: dict[str, Any] = {name: getattr(task, name) for name in TASK_FIELDS}
    initial["predecessors"] = predecessors
    initial["audience_users"] = list(task.audience_users.values_list("pk", flat=True))
    initial["audience_teams"] = list(task.audience_teams.values_list("pk", flat=True))
    initial["audience_units"] = list(task.audience_units.values_list("pk", flat=True))
    return initial
