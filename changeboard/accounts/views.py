"""Sign-in and sign-out pages (password and single sign-on), and the pages
for a portfolio admin to manage users, their scopes and the claim rules."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import urlencode
from django.views.generic import TemplateView
from mozilla_django_oidc import views as oidc_views

from changeboard.core.scoping import ADD, CHANGE, can
from changeboard.core.views import ScopedDetailView, ScopedListView, ServiceFormView

from . import services, sso
from .filtersets import ClaimRuleFilterSet, UserFilterSet
from .forms import ClaimRuleForm, UserForm
from .http import AuthenticatedHttpRequest
from .models import ClaimRule, User
from .tables import ClaimRuleTable, UserTable


class SignInView(auth_views.LoginView):
    """The sign-in page: the single sign-on button first, the password form
    only where LOCAL_PASSWORD_LOGIN allows it. A password post while
    passwords are off is refused like a wrong password (nothing is said
    about which accounts may use one)."""

    redirect_authenticated_user = True
    extra_context = {"page_title": "Sign in"}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        enabled = sso.sso_enabled()
        next_url = self.get_redirect_url()
        context["sso_enabled"] = enabled
        context["sso_provider"] = settings.OIDC_PROVIDER_NAME
        context["sso_url"] = reverse("oidc_authentication_init") + (f"?{urlencode({'next': next_url})}" if next_url else "")
        context["sso_failed"] = enabled and self.request.GET.get("sso") == "failed"
        context["password_form"] = sso.password_mode() != sso.PASSWORD_OFF
        context["break_glass_only"] = enabled and sso.password_mode() == sso.PASSWORD_BREAK_GLASS
        return context


class SignOutView(oidc_views.OIDCLogoutView):
    """Sign-out (POST only): ends the Changeboard session and, for a single
    sign-on session, the provider's too (OIDC_OP_LOGOUT_URL_METHOD,
    `sso.provider_logout_url`)."""


class SSOStartView(oidc_views.OIDCAuthenticationRequestView):
    """Sends the person to the provider (state, nonce, PKCE challenge kept in
    the session by mozilla-django-oidc). Not found while SSO is off."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso.sso_enabled():
            raise Http404
        return super().get(request)


class SSOCallbackView(oidc_views.OIDCAuthenticationCallbackView):
    """The provider's answer. mozilla-django-oidc checks state (used once),
    nonce, PKCE and the token; a person the claim rules do not let in sees
    "You do not have access" instead of the generic failure."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso.sso_enabled():
            raise Http404
        return super().get(request)

    def login_failure(self) -> HttpResponse:
        if getattr(self.request, sso.REFUSED_ATTRIBUTE, False):
            if self.request.user.is_authenticated:
                auth.logout(self.request)
            return HttpResponseRedirect(reverse("sso-no-access"))
        return super().login_failure()


class NoAccessView(TemplateView):
    """Where a person the provider knows but no claim rule admits lands."""

    template_name = "registration/no_access.html"
    extra_context = {"page_title": "You do not have access to Changeboard"}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sso_provider"] = settings.OIDC_PROVIDER_NAME
        return context


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
        context["sso_enabled"] = sso.sso_enabled()
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


class ClaimRuleListView(ScopedListView):
    model = ClaimRule
    table_class = ClaimRuleTable
    filterset_class = ClaimRuleFilterSet
    page_title = "Sign-in claim rules"
    template_name = "accounts/claimrule_list.html"
    export_name = "claim-rules"
    export_columns = [("Claim value", "claim_value"), ("Role", "role"), ("Description", "description"), ("Active", "is_active")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_add"] = can(self.request.user, ClaimRule, ADD)
        context["roles_claim"] = settings.OIDC_ROLES_CLAIM
        context["sso_enabled"] = sso.sso_enabled()
        return context


class ClaimRuleDetailView(ScopedDetailView):
    model = ClaimRule
    template_name = "accounts/claimrule_detail.html"
    context_object_name = "rule"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page_title"] = self.object.claim_value
        context["can_edit"] = can(self.request.user, ClaimRule, CHANGE)
        return context

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Claim rules", reverse("claim-rule-list")), (self.object.claim_value, "")]


def _split_rule(form: ClaimRuleForm) -> tuple[dict[str, Any], Any, Any]:
    data = dict(form.cleaned_data)
    return data, data.pop("programmes"), data.pop("units")


class ClaimRuleCreateView(ServiceFormView):
    request: AuthenticatedHttpRequest  # signed in (LoginRequiredMixin)
    model = ClaimRule
    action = ADD
    form_class = ClaimRuleForm
    page_title = "Add a claim rule"
    submit_label = "Add claim rule"
    success_message = "Claim rule added. It applies from each person's next sign-in."

    def get_cancel_url(self) -> str:
        return reverse("claim-rule-list")

    def perform(self, form: ClaimRuleForm) -> Model:
        data, programmes, units = _split_rule(form)
        return services.claim_rule_create(actor=self.request.user, programmes=programmes, units=units, **data)


class ClaimRuleEditView(ServiceFormView):
    request: AuthenticatedHttpRequest  # signed in (LoginRequiredMixin)
    model = ClaimRule
    action = CHANGE
    form_class = ClaimRuleForm
    page_title = "Edit claim rule"
    success_message = "Claim rule saved. It applies from each person's next sign-in."

    def get_object(self) -> ClaimRule:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def perform(self, form: ClaimRuleForm) -> Model:
        data, programmes, units = _split_rule(form)
        assert self.object is not None  # set from get_object() before the form is handled
        rule = ClaimRule.objects.get(pk=self.object.pk)
        return services.claim_rule_update(rule=rule, actor=self.request.user, programmes=programmes, units=units, **data)
