"""Sign-ins are part of the access record auditors read."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from changeboard.core import audit

from .models import User


@receiver(user_logged_in)
def record_sign_in(sender: type[User], request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    audit.record(actor=user, action="login", obj=user, after={"signed_in": True})
