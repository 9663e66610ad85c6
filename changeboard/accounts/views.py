"""Pages for a portfolio admin to manage users and their scopes."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.shortcuts import get_object_or_404

from changeboard.core.scoping import ADD, CHANGE, can
from changeboard.core.views import ScopedDetailView, ScopedListView, ServiceFormView

from . import services
from .filtersets import UserFilterSet
from .forms import UserForm
from .http import AuthenticatedHttpRequest
from .models import User
from .tables import UserTable


class UserListView(ScopedListView):
    model = User
    table_class = UserTable
    filterset_class = UserFilterSet
    page_title = "Users and scopes"
    template_name = "accounts/user_list.html"
    export_name = "users"
    export_columns = [("Username", "username"), ("First name", "first_name"), ("Last name", "last_name"), ("Role", "role"), ("Active", "is_active"), ("Last sign-in", "last_login")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_add"] = can(self.request.user, User, ADD)
        return context


class UserDetailView(ScopedDetailView):
    model = User
    template_name = "accounts/user_detail.html"
    context_object_name = "account"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page_title"] = self.object.username
        context["can_edit"] = can(self.request.user, User, CHANGE)
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Users", "/users/"), (self.object.username, "")]


def _split(form: UserForm) -> tuple[dict[str, Any], Any, Any, str]:
    data = dict(form.cleaned_data)
    return data, data.pop("programmes"), data.pop("units"), data.pop("password", "")


class UserCreateView(ServiceFormView):
    request: AuthenticatedHttpRequest  # signed in (LoginRequiredMixin)
    model = User
    action = ADD
    form_class = UserForm
    page_title = "Add a user"
    submit_label = "Add user"
    success_message = "User added."

    def get_cancel_url(self) -> str:
        return "/users/"

    def perform(self, form: UserForm) -> Model:
        data, programmes, units, password = _split(form)
        is_active = data.pop("is_active", True)
        user = services.user_create(actor=self.request.user, password=password or None, programmes=programmes, units=units, **data)
        if not is_active:
            services.user_update(user=user, actor=self.request.user, is_active=False)
        return user


class UserEditView(ServiceFormView):
    request: AuthenticatedHttpRequest  # signed in (LoginRequiredMixin)
    model = User
    action = CHANGE
    form_class = UserForm
    page_title = "Edit user"
    success_message = "User saved."

    def get_object(self) -> User:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def perform(self, form: UserForm) -> Model:
        data, programmes, units, password = _split(form)
        assert self.object is not None  # set from get_object() before the form is handled
        user = User.objects.get(pk=self.object.pk)
        services.user_update(user=user, actor=self.request.user, programmes=programmes, units=units, **data)
        if password:
            services.user_set_password(user=user, password=password, actor=self.request.user)
        return user
