"""Account pages, included by the root with no prefix (they live under
`users/` and `claim-rules/`), and single sign-on's own paths under `oidc/`
(the provider calls back to `oidc/callback/`)."""

from django.urls import path

from . import views

urlpatterns = [
    path("users/", views.UserListView.as_view(), name="user-list"),
    path("users/new/", views.UserCreateView.as_view(), name="user-create"),
    path("users/<int:pk>/", views.UserDetailView.as_view(), name="user-detail"),
    path("users/<int:pk>/edit/", views.UserEditView.as_view(), name="user-edit"),
    path("claim-rules/", views.ClaimRuleListView.as_view(), name="claim-rule-list"),
    path("claim-rules/new/", views.ClaimRuleCreateView.as_view(), name="claim-rule-create"),
    path("claim-rules/<int:pk>/", views.ClaimRuleDetailView.as_view(), name="claim-rule-detail"),
    path("claim-rules/<int:pk>/edit/", views.ClaimRuleEditView.as_view(), name="claim-rule-edit"),
    path("oidc/authenticate/", views.SSOStartView.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", views.SSOCallbackView.as_view(), name="oidc_authentication_callback"),
    path("login/no-access/", views.NoAccessView.as_view(), name="sso-no-access"),
]
