"""Forms for the support queue and a query's page: raising a query on
someone's behalf, the actions on a query (status, assignment, comment,
priority/category/impact line) and bulk assignment. Saves go through
`services.queries`.

Who is on the support side of a period is decided here, once, for pages,
exports and the API alike (`works_period`): the members of its support team
and the change managers of its programme. Only they see a requester's
contact details and the public raise link."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from changeboard.accounts.models import Role, User
from changeboard.core.forms import GovukFormMixin
from changeboard.core.params import IdChoiceField, IdMultipleChoiceField
from changeboard.core.scoping import is_admin
from changeboard.impacts.models import ImpactAssessment, ImpactLine
from changeboard.organisation.models import Unit

from ..models import Category, Period, Priority, Query
from ..services.attachments import ACCEPT_ATTRIBUTE, ALLOWED_TYPES_TEXT, max_mb
from ..services.queries import TRANSITIONS, staff_lookup


def works_period(user: Any, period: Period) -> bool:
    """On the support side of this period: a member of its support team, or
    a change manager of its programme. (Admins join the team to work it.)"""
    if not getattr(user, "is_authenticated", False):
        return False
    if period.support_team_id is not None and period.support_team.members.filter(pk=user.pk).exists():  # type: ignore[union-attr]  # support_team is set when its id is
        return True
    return user.role == Role.CHANGE_MANAGER and user.programmes.filter(pk=period.rollout_wave.programme_id).exists()


def periods_worked(user: Any) -> QuerySet:
    """Every period the user is on the support side of (see `works_period`)."""
    if not getattr(user, "is_authenticated", False):
        return Period.objects.none()
    q = Q(support_team__members=user.pk)
    if user.role == Role.CHANGE_MANAGER:
        q |= Q(rollout_wave__programme__in=user.programmes.values("pk"))
    return Period.objects.filter(q).distinct()


def assignee_choices(period: Period | None) -> QuerySet:
    """Who may be given a period's queries: its support team's active members."""
    if period is None or period.support_team_id is None:
        return User.objects.none()
    return User.objects.filter(cutover_teams=period.support_team_id, is_active=True).order_by("first_name", "last_name", "username")


def unit_label(unit: Unit) -> str:
    return "— " * max(unit.depth - 1, 0) + unit.name


def impact_lines_for(period: Period) -> QuerySet:
    """The impact lines a query may relate to: the programme's approved assessments'."""
    return ImpactLine.objects.filter(assessment__programme=period.rollout_wave.programme_id,
                                     assessment__status=ImpactAssessment.Status.APPROVED).order_by("pk")


class QueryCreateForm(GovukFormMixin, forms.Form):
    """Raise a query on someone's behalf: find the person by staff number or
    email (their unit and role are kept, their contact details go to the
    support team), or name only the unit it comes from."""

    person = forms.CharField(max_length=254, required=False, label="The person's staff number or email",
                             help_text="Their unit, role and contact details come from the HR record.")
    unit = IdChoiceField(queryset=Unit.objects.none(), required=False, label="Or the unit it comes from",
                         empty_label="Use the person's unit", help_text="When you cannot name the person.",
                         error_messages={"invalid_choice": "Choose one of the units listed"})
    category = IdChoiceField(queryset=Category.objects.none(), label="Category", error_messages={"required": "Choose the category", "invalid_choice": "Choose one of this period's categories"})
    priority = forms.ChoiceField(choices=Priority.choices, initial=Priority.P3, label="Priority")
    title = forms.CharField(max_length=200, label="Summary", error_messages={"required": "Enter a short summary of the query"})
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 5}), label="Details")
    impact_line = IdChoiceField(queryset=ImpactLine.objects.none(), required=False, label="Impact it relates to", empty_label="None")
    source = forms.ChoiceField(choices=[(Query.Source.ON_BEHALF, Query.Source.ON_BEHALF.label), (Query.Source.SUPPORT, Query.Source.SUPPORT.label)],
                               widget=forms.RadioSelect, label="How it was raised", initial=Query.Source.ON_BEHALF)

    def __init__(self, *args: Any, period: Period, user: User | AnonymousUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.period, self.user = period, user
        self.supporting = works_period(user, period) or is_admin(user)
        unit = cast(forms.ModelChoiceField, self.fields["unit"])
        # A champion raises for their own units; the support side for any unit going live in the wave.
        units = Unit.objects.restrict(user).order_by("path")
        unit.queryset = units
        unit.label_from_instance = unit_label  # type: ignore[method-assign, assignment]  # Django's documented per-instance hook
        cast(forms.ModelChoiceField, self.fields["category"]).queryset = period.categories.filter(active=True).order_by("name")
        impact = cast(forms.ModelChoiceField, self.fields["impact_line"])
        impact.queryset = impact_lines_for(period)
        impact.label_from_instance = lambda line: str(line)[:120]  # type: ignore[method-assign, assignment]  # Django's documented per-instance hook
        if not self.supporting:
            del self.fields["source"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        person = (data.get("person") or "").strip()
        data["staff"] = None
        if person:
            staff = staff_lookup(person)
            # A champion may only raise for people in their units: anyone else reads as not found.
            if staff is None or not (self.supporting or is_admin(self.user) or
                                     Unit.objects.restrict(self.user).filter(pk=staff.unit_id).exists()):
                self.add_error("person", "No current member of staff in your units has that staff number or email")
            else:
                data["staff"] = staff
        elif data.get("unit") is None and "unit" not in self.errors:
            self.add_error("person", "Enter the person's staff number or email, or choose the unit")
        data.setdefault("source", Query.Source.ON_BEHALF)
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        kwargs = {k: data.get(k) for k in ("category", "priority", "title", "description", "impact_line", "source")}
        kwargs["description"] = kwargs["description"] or ""
        if data.get("staff") is not None:
            kwargs["staff"] = data["staff"]
        else:
            kwargs["unit"] = data["unit"]
        return kwargs


class TransitionForm(GovukFormMixin, forms.Form):
    status = forms.ChoiceField(choices=(), label="New status", error_messages={"required": "Choose the new status",
                                                                               "invalid_choice": "Choose one of the statuses listed"})
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Message to the requester",
                              help_text="Sent to them by email with the new status.")

    def __init__(self, *args: Any, query: Query, **kwargs: Any) -> None:
        super().__init__(*args, prefix="transition", **kwargs)
        labels = dict(Query.Status.choices)
        allowed = [s for s in Query.Status.values if s in TRANSITIONS.get(query.status, set())]
        cast(forms.ChoiceField, self.fields["status"]).choices = [("", "Choose")] + [(s, labels[s]) for s in allowed]


class AssignForm(GovukFormMixin, forms.Form):
    assignee = IdChoiceField(queryset=User.objects.none(), required=False, label="Assign to", empty_label="Nobody (unassign)",
                             error_messages={"invalid_choice": "Choose someone on the support team"})

    def __init__(self, *args: Any, period: Period, **kwargs: Any) -> None:
        super().__init__(*args, prefix="assign", **kwargs)
        cast(forms.ModelChoiceField, self.fields["assignee"]).queryset = assignee_choices(period)


class CommentForm(GovukFormMixin, forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Comment", error_messages={"required": "Write the comment"})
    to_requester = forms.TypedChoiceField(choices=[("0", "Internal note (the support team only)"), ("1", "Send to the requester by email")],
                                          coerce=lambda v: v == "1", widget=forms.RadioSelect, initial="0", label="Who sees it",
                                          error_messages={"required": "Choose who sees the comment"})

    def __init__(self, *args: Any, can_email: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, prefix="comment", **kwargs)
        if not can_email:
            field = cast(forms.TypedChoiceField, self.fields["to_requester"])
            field.choices = [("0", "Internal note (the support team only)")]
            field.help_text = "There is no email for the requester on this query."


class AttachmentForm(GovukFormMixin, forms.Form):
    """One file added to a query by the support side (checked as evidence files are)."""

    file = forms.FileField(label="File", error_messages={"required": "Select a file", "empty": "The selected file is empty"},
                           widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, prefix="attach", **kwargs)
        self.fields["file"].help_text = f"Smaller than {max_mb()} MB: {ALLOWED_TYPES_TEXT}."


class QueryEditForm(GovukFormMixin, forms.Form):
    priority = forms.ChoiceField(choices=Priority.choices, label="Priority")
    category = IdChoiceField(queryset=Category.objects.none(), label="Category", error_messages={"required": "Choose the category", "invalid_choice": "Choose one of this period's categories"})
    impact_line = IdChoiceField(queryset=ImpactLine.objects.none(), required=False, label="Impact it relates to", empty_label="None")

    def __init__(self, *args: Any, query: Query, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"priority": query.priority, "category": query.category_id, "impact_line": query.impact_line_id})
        super().__init__(*args, prefix="edit", **kwargs)
        cast(forms.ModelChoiceField, self.fields["category"]).queryset = Category.objects.filter(
            Q(period=query.period_id, active=True) | Q(pk=query.category_id)).order_by("name")
        impact = cast(forms.ModelChoiceField, self.fields["impact_line"])
        impact.queryset = impact_lines_for(query.period)
        impact.label_from_instance = lambda line: str(line)[:120]  # type: ignore[method-assign, assignment]  # Django's documented per-instance hook

    def changes(self, query: Query) -> dict[str, Any]:
        data = self.cleaned_data
        changed: dict[str, Any] = {}
        if data["priority"] != query.priority:
            changed["priority"] = data["priority"]
        if data["category"].pk != query.category_id:
            changed["category"] = data["category"]
        if (data["impact_line"].pk if data["impact_line"] else None) != query.impact_line_id:
            changed["impact_line"] = data["impact_line"]
        return changed


class BulkAssignForm(GovukFormMixin, forms.Form):
    """The queue's bulk assignment: the ticked queries (each one must be in
    the user's change scope) to one member of the chosen queries' team."""

    queries = IdMultipleChoiceField(queryset=Query.objects.none(),
                                             error_messages={"required": "Tick the queries to assign",
                                                             "invalid_choice": "A ticked query is no longer yours to assign",
                                                             "invalid_pk_value": "A ticked query is no longer yours to assign"})
    assignee = IdChoiceField(queryset=User.objects.none(), required=False, label="Assign the ticked queries to", empty_label="Nobody (unassign)",
                             error_messages={"invalid_choice": "Choose someone on the support team"})

    def __init__(self, *args: Any, queries: QuerySet, assignees: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(IdMultipleChoiceField, self.fields["queries"]).queryset = queries
        cast(forms.ModelChoiceField, self.fields["assignee"]).queryset = assignees
