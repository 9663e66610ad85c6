"""Single sign-on (OpenID Connect) on mozilla-django-oidc, and the password
sign-in beside it.

mozilla-django-oidc does the protocol: Authorization Code with PKCE (S256),
state and nonce kept in the session and used once, the ID token's RS256
signature checked against the provider's JWKS. What is ours is who gets in:
the claim rules (`services.grant_for`), the just-in-time account
(`services.user_sign_in_by_sso`), inactive accounts losing every session
(`get_user`), the password modes (`PasswordBackend`) and sign-out at the
provider (`provider_logout_url`)."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.functional import cached_property
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.middleware import SessionRefresh

from . import services
from .models import User

logger = logging.getLogger(__name__)

# LOCAL_PASSWORD_LOGIN: who may sign in with a password.
PASSWORD_ALL = "all"
PASSWORD_BREAK_GLASS = "break-glass"
PASSWORD_OFF = "off"
PASSWORD_MODES = (PASSWORD_ALL, PASSWORD_BREAK_GLASS, PASSWORD_OFF)

# Set on the request when the provider signed the person in but no claim rule
# matches: the callback then shows "You do not have access" instead of a
# generic failure.
REFUSED_ATTRIBUTE = "changeboard_sso_refused"


def sso_enabled() -> bool:
    """Single sign-on is on when a client id is configured (read at each call,
    so tests can switch it with `override_settings`)."""
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))


def password_mode() -> str:
    return str(settings.LOCAL_PASSWORD_LOGIN)


def password_allowed_for(user: User) -> bool:
    mode = password_mode()
    if mode == PASSWORD_ALL:
        return True
    if mode == PASSWORD_BREAK_GLASS:
        return bool(user.break_glass)
    return False


def _claim_list(value: Any) -> tuple[str, ...]:
    """A roles or groups claim as a tuple of strings (a provider may send one
    value as a plain string)."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value if isinstance(v, str | int))
    return ()


def identity_from_claims(claims: dict[str, Any]) -> services.Identity:
    name = str(claims.get("name") or "")
    given = str(claims.get("given_name") or "")
    family = str(claims.get("family_name") or "")
    if not (given or family) and name:
        given, _, family = name.partition(" ")
    return services.Identity(
        subject=str(claims["sub"]),
        email=str(claims.get("email") or "").strip(),
        first_name=given.strip(),
        last_name=family.strip(),
        staff_number=str(claims.get(settings.OIDC_STAFF_NUMBER_CLAIM) or "").strip(),
        claim_values=_claim_list(claims.get(settings.OIDC_ROLES_CLAIM)),
    )


class SSOBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend with our account rules."""

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        if not sso_enabled():
            return None
        try:
            return super().authenticate(request, **kwargs)
        except (SuspiciousOperation, requests.RequestException, jwt.PyJWTError) as exc:
            # A refused code (PKCE, replay), a bad signature or nonce: nobody
            # is signed in. The reason is logged, never the token or claims.
            logger.warning("Single sign-on refused: %s", type(exc).__name__)
            return None

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(claims.get("sub"))

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User | None:
        """The ID token (checked: signature, nonce) names the person; the
        userinfo answer adds their claims. The two must be about the same
        subject (OpenID Connect Core 5.3.2)."""
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if str(userinfo.get("sub")) != str(payload.get("sub")):
            raise SuspiciousOperation("The userinfo subject differs from the ID token's.")
        claims = {**userinfo, **payload}
        for name in (settings.OIDC_ROLES_CLAIM, settings.OIDC_STAFF_NUMBER_CLAIM):
            if name in userinfo:
                claims[name] = userinfo[name]
        if not self.verify_claims(claims):
            raise SuspiciousOperation("Claims verification failed")
        user = services.user_sign_in_by_sso(identity=identity_from_claims(claims))
        if user is None:
            setattr(self.request, REFUSED_ATTRIBUTE, True)
        return user

    def get_user(self, user_id: Any) -> User | None:
        """No user for an inactive account: every session of an account made
        inactive (by an admin, or by the claim at a renewal) is signed out at
        its next request."""
        user = User.objects.filter(pk=user_id).first()
        return user if user is not None and user.is_active else None


class PasswordBackend(ModelBackend):
    """Django's password backend, narrowed by LOCAL_PASSWORD_LOGIN. Only
    signing in is narrowed: an existing session is still read by
    `ModelBackend.get_user` (which already refuses inactive accounts)."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any,
    ) -> User | None:
        if password_mode() == PASSWORD_OFF:
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None or not isinstance(user, User) or not password_allowed_for(user):
            return None
        return user


def provider_logout_url(request: HttpRequest) -> str:
    """Where sign-out goes (mozilla-django-oidc's OIDC_OP_LOGOUT_URL_METHOD):
    the provider's end-session endpoint with the ID token as hint, so the
    provider session ends too, and back to our sign-in page. Without an ID
    token (a password session) or an end-session endpoint: our sign-in page."""
    back = resolve_url(settings.LOGOUT_REDIRECT_URL)
    id_token = request.session.get("oidc_id_token")
    endpoint = getattr(settings, "OIDC_OP_LOGOUT_ENDPOINT", "")
    if not (sso_enabled() and endpoint and id_token):
        return back
    query = urlencode({
        "id_token_hint": id_token,
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
        "client_id": settings.OIDC_RP_CLIENT_ID,
    })
    return f"{endpoint}?{query}"


class SSOSessionRefresh(SessionRefresh):
    """mozilla-django-oidc's silent renewal: when a single sign-on session's
    ID token is older than OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS, the next page
    request goes by the provider (prompt=none) and the claim rules run again.
    Does nothing while single sign-on is off."""

    @cached_property
    def exempt_urls(self) -> set[str]:
        """The library's own list names its `oidc_logout` URL; ours is `logout`
        (in OIDC_EXEMPT_URLS)."""
        names = [*settings.OIDC_EXEMPT_URLS, "oidc_authentication_init", "oidc_authentication_callback"]
        return {name if name.startswith("/") else reverse(name) for name in names}

    def is_refreshable_url(self, request: HttpRequest) -> bool:
        return sso_enabled() and bool(super().is_refreshable_url(request))
