"""Sign-ins are part of the access record auditors read."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from changeboard.core import audit

from .models import User
from .sso import sso_enabled

SSO_BACKEND = "changeboard.accounts.sso.SSOBackend"


@receiver(user_logged_in)
def record_sign_in(sender: type[User], request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """One row per sign-in, saying how: by single sign-on, or by password
    (and whether as a break-glass account while single sign-on is on, which
    auditors look for)."""
    by_sso = getattr(user, "backend", "") == SSO_BACKEND
    after: dict[str, Any] = {"signed_in": True, "method": "sso" if by_sso else "password"}
    if not by_sso and sso_enabled():
        after["break_glass"] = True
    audit.record(actor=user, action="login", obj=user, after=after)
